#!/usr/bin/env node
"use strict";
// The `gradbook` command: kernelspec install, kernel launch, grading tools.
const argv = process.argv.slice(2);
// The kernel restarts itself with a heap limit from the memory limit where V8 chose a larger
// one (kernel/heap-limit.ts); every other command, and a kernel that fits, goes on at once.
if (argv[0] !== "kernel" || !require("../dist/kernel/heap-limit.js").relaunchWithHeapLimit()) {
  require("../dist/kernel/cli.js").main(argv);
}
