#!/usr/bin/env node
// Runs after `npm install`: compiles the TypeScript, tries the native addon (never fatal),
// and registers the kernelspec for the user. Every step says what it did.
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");
const fs = require("fs");

const root = path.resolve(__dirname, "..");
if (!fs.existsSync(path.join(root, "node_modules", "typescript"))) {
  // Installed as a dependency without dev tools: dist/ ships prebuilt.
  process.exit(0);
}

function step(name, cmd, args, fatal) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    const msg = `gradbook postinstall: ${name} failed (exit ${r.status})`;
    if (fatal) { console.error(msg); process.exit(r.status || 1); }
    console.warn(msg + "; continuing");
  }
}

// The benchmarks import their peers (TensorFlow.js), which are development dependencies: a course
// install (`npm ci --omit=dev`, as Binder's postBuild does) builds the library and the kernel only.
const devInstalled = fs.existsSync(path.join(root, "node_modules", "@tensorflow", "tfjs"));
const tsconfig = devInstalled ? "tsconfig.build.json" : "tsconfig.course.json";
step(`TypeScript build (${tsconfig})`, process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig], true);
fs.writeFileSync(path.join(root, "dist", ".gradbook-built"), "");
step("native addon build", process.execPath, [path.join(root, "scripts", "build-native.js")], false);
if (process.env.GRADBOOK_SKIP_KERNELSPEC !== "1" && fs.existsSync(path.join(root, "dist", "kernel", "cli.js"))) {
  step("kernelspec install", process.execPath, [path.join(root, "bin", "gradbook.js"), "install", "--user"], false);
}
