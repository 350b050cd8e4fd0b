#!/usr/bin/env node
// Builds the native addons with node-gyp. A failure is reported, never fatal: the library
// then runs on the pure-TypeScript `js` backend and says why at load time.
//
//   node scripts/build-native.js             rebuild everything
//   node scripts/build-native.js --if-stale  skip when no source under native/ (nor
//                                            binding.gyp) is newer than the built addons
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");
const fs = require("fs");

const root = path.resolve(__dirname, "..");
const release = path.join(root, "build", "Release");
const errorFile = path.join(root, "build", "native-build-error.txt");

if (!fs.existsSync(path.join(root, "binding.gyp"))) {
  console.log("gradbook: no native sources (binding.gyp missing); skipping native build");
  process.exit(0);
}

/** Newest modification time of the native sources (files under native/ and binding.gyp). */
function newestSource() {
  let newest = fs.statSync(path.join(root, "binding.gyp")).mtimeMs;
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  walk(path.join(root, "native"));
  return newest;
}

/** Oldest built addon, or null when none was built. */
function oldestAddon() {
  if (!fs.existsSync(release)) return null;
  const addons = fs.readdirSync(release).filter((f) => f.endsWith(".node"));
  if (addons.length === 0) return null;
  return Math.min(...addons.map((f) => fs.statSync(path.join(release, f)).mtimeMs));
}

if (process.argv.includes("--if-stale")) {
  const built = oldestAddon();
  if (built !== null && !fs.existsSync(errorFile) && newestSource() <= built) {
    console.log("gradbook: native addons are up to date");
    process.exit(0);
  }
}

// The project's node-gyp (a development dependency), else the one npm bundles, which npm names in
// npm_config_node_gyp while it runs install scripts (a course install omits development packages).
let gyp;
try { gyp = require.resolve("node-gyp/bin/node-gyp.js", { paths: [root] }); } catch { gyp = null; }
if (!gyp && process.env.npm_config_node_gyp && fs.existsSync(process.env.npm_config_node_gyp)) gyp = process.env.npm_config_node_gyp;
const cmd = gyp ? process.execPath : "node-gyp";
const extra = [];
// Distribution builds of Node ship their headers (Debian: /usr/include/node); using them
// avoids a download, which fails on machines without internet access.
const localHeaders = path.resolve(path.dirname(process.execPath), "..");
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(localHeaders, "include", "node", "node_api.h"))) {
  extra.push(`--nodedir=${localHeaders}`);
}
const run = (args) => spawnSync(cmd, gyp ? [gyp, ...args] : args, { cwd: root, stdio: "inherit" });
let r = run(["rebuild", "-j", "max", ...extra]);
if (r.status !== 0 && fs.existsSync(path.join(root, "build", "Makefile"))) {
  // One addon failing (say the CUDA one) must not take the others with it: build the rest.
  console.warn("gradbook: some native targets failed; building the others");
  spawnSync("make", ["-k", "-C", "build", "BUILDTYPE=Release"], { cwd: root, stdio: "inherit" });
}
const built = fs.existsSync(release) ? fs.readdirSync(release).filter((f) => f.endsWith(".node")) : [];
if (r.status !== 0) {
  fs.mkdirSync(path.join(root, "build"), { recursive: true });
  fs.writeFileSync(errorFile,
    `node-gyp rebuild exited with ${r.status}; built: ${built.join(", ") || "nothing"}. ` +
    `Needs python3, make and g++ (apt-get install python3 make g++), then npm run build:native.\n`);
  console.warn(`gradbook: native build incomplete (built: ${built.join(", ") || "nothing"}); ` +
    "missing backends fall back to js. Fix: apt-get install python3 make g++ && npm run build:native");
} else if (fs.existsSync(errorFile)) {
  fs.unlinkSync(errorFile);
}
process.exit(0);
