#!/usr/bin/env node
"use strict";
// The `gradbook` command: kernelspec install, kernel launch, grading tools.
require("../dist/kernel/cli.js").main(process.argv.slice(2));
