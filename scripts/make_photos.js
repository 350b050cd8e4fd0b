#!/usr/bin/env node
// Writes data/photos/*.png: 128×128 reductions (centre square, area averaging) of
// scikit-image's sample photographs, which Debian ships in python3-skimage (CC0 / public
// domain, see docs/data.md). Reads them from the installed package, or from the .deb that
// `apt-get download python3-skimage` fetches into a temporary folder (nothing is installed).
//
//   npx tsc -p tsconfig.build.json && node scripts/make_photos.js
//   (SKIMAGE_DATA=DIR reads the PNGs from DIR instead)
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync } = require("child_process");
const root = path.resolve(__dirname, "..");
const { decodePNG } = require(path.join(root, "dist/lib/data/png.js"));
const { encodePNG } = require(path.join(root, "dist/lib/plot/png.js"));

const NAMES = ["camera", "astronaut", "coffee", "chelsea", "brick"];
const SIZE = 128;

function sourceDir() {
  const installed = process.env.SKIMAGE_DATA || "/usr/lib/python3/dist-packages/skimage/data";
  if (fs.existsSync(path.join(installed, "camera.png"))) return installed;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "skimage-"));
  execFileSync("apt-get", ["download", "python3-skimage"], { cwd: tmp, stdio: "inherit" });
  const deb = fs.readdirSync(tmp).find((f) => f.endsWith(".deb"));
  execFileSync("dpkg", ["-x", path.join(tmp, deb), path.join(tmp, "x")]);
  return path.join(tmp, "x/usr/lib/python3/dist-packages/skimage/data");
}

/** Centre square, then each output pixel = mean of the source pixels its area covers. */
function reduce({ width, height, channels, pixels }) {
  const side = Math.min(width, height), x0 = Math.floor((width - side) / 2), y0 = Math.floor((height - side) / 2);
  const ch = channels >= 3 ? 3 : 1;
  const out = new Uint8Array(SIZE * SIZE * ch);
  const f = side / SIZE;
  for (let oy = 0; oy < SIZE; oy++) {
    for (let ox = 0; ox < SIZE; ox++) {
      const ya = Math.floor(oy * f), yb = Math.max(ya + 1, Math.floor((oy + 1) * f));
      const xa = Math.floor(ox * f), xb = Math.max(xa + 1, Math.floor((ox + 1) * f));
      for (let c = 0; c < ch; c++) {
        let s = 0;
        for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) s += pixels[((y0 + y) * width + x0 + x) * channels + c];
        out[(oy * SIZE + ox) * ch + c] = Math.round(s / ((yb - ya) * (xb - xa)));
      }
    }
  }
  return { pixels: out, channels: ch };
}

const src = sourceDir();
const dest = path.join(root, "data/photos");
fs.mkdirSync(dest, { recursive: true });
for (const name of NAMES) {
  const img = decodePNG(fs.readFileSync(path.join(src, `${name}.png`)));
  const { pixels, channels } = reduce(img);
  const file = path.join(dest, `${name}.png`);
  fs.writeFileSync(file, encodePNG(SIZE, SIZE, pixels, channels));
  console.log(`${file}: ${img.width}x${img.height}x${img.channels} -> ${SIZE}x${SIZE}x${channels}, ${fs.statSync(file).size} bytes`);
}
