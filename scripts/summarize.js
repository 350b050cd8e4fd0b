#!/usr/bin/env node
// Adds up vitest's JSON report and pytest's JUnit XML into one closing line.
"use strict";
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) { console.log(`summary: ${file} missing (that runner did not finish)`); failed++; continue; }
  const text = fs.readFileSync(file, "utf8");
  if (file.endsWith(".json")) {
    const r = JSON.parse(text);
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + (r.numTodoTests || 0);
    if (r.numFailedTestSuites) failed += r.numFailedTestSuites - Math.min(r.numFailedTestSuites, r.numFailedTests);
  } else {
    const m = /<testsuite\b[^>]*>/.exec(text);
    const attr = (n) => Number((new RegExp(`\\b${n}="(\\d+)"`).exec(m ? m[0] : "") || [0, 0])[1]);
    const tests = attr("tests"), fail = attr("failures") + attr("errors"), skip = attr("skipped");
    passed += tests - fail - skip; failed += fail; skipped += skip;
  }
}
console.log(`gradbook: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
