#!/usr/bin/env node
// Builds the native addons with node-gyp. A failure is reported, never fatal: the library
// then runs on the pure-TypeScript `js` backend and says why at load time.
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");
const fs = require("fs");

const root = path.resolve(__dirname, "..");
if (!fs.existsSync(path.join(root, "binding.gyp"))) {
  console.log("gradbook: no native sources (binding.gyp missing); skipping native build");
  process.exit(0);
}
let gyp;
try { gyp = require.resolve("node-gyp/bin/node-gyp.js", { paths: [root] }); } catch { gyp = null; }
const cmd = gyp ? process.execPath : "node-gyp";
const args = gyp ? [gyp, "rebuild", "-j", "max"] : ["rebuild", "-j", "max"];
const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
if (r.status !== 0) {
  fs.mkdirSync(path.join(root, "build"), { recursive: true });
  fs.writeFileSync(path.join(root, "build", "native-build-error.txt"),
    `node-gyp rebuild exited with ${r.status}. Needs python3, make and g++ (apt-get install python3 make g++).\n`);
  console.warn("gradbook: native addon did not build; the library will use the js backend. Fix: apt-get install python3 make g++ && npm run build:native");
}
process.exit(0);
