/**
 * A few natural photographs for filters and feature maps (beside the 28×28 digits), shipped
 * in `data/photos/` as 128×128 PNGs. They are reduced from scikit-image's sample images
 * (Debian's `python3-skimage`, CC0 or public domain; see docs/data.md) by
 * `scripts/make_photos.js`; nothing is downloaded at run time.
 */
import * as fs from "fs";
import * as path from "path";
import { tensor, type Tensor } from "../nn/core";
import { decodePNG } from "./png";

/** The photographs in `data/photos/`, by name, with what they show. */
export const PHOTOS: Record<string, string> = {
  camera: "a man with a camera on a tripod (grey)",
  astronaut: "the astronaut Eileen Collins (colour)",
  coffee: "a cup of coffee on a saucer (colour)",
  chelsea: "Chelsea the cat (colour)",
  brick: "a brick wall, a texture (grey)",
};

/** The folder holding the photographs (the repository's `data/photos/`). */
export function photosDir(): string {
  // dist/lib/data → repository root, or lib/data when run from sources
  for (const up of ["../../..", "../.."]) {
    const dir = path.resolve(__dirname, up, "data", "photos");
    if (fs.existsSync(dir)) return dir;
  }
  throw new Error("loadPhoto: data/photos/ not found next to the library (run node scripts/make_photos.js)");
}

/**
 * A photograph as a float tensor in [0, 1]: [1, H, W] grey or [3, H, W] colour (channels
 * first, like a conv layer wants). `gray: true` converts colour with the ITU-R 601 weights
 * 0.299 R + 0.587 G + 0.114 B.
 *
 * @example
 * const img = data.loadPhoto("camera");                  // [1, 128, 128]
 * const rgb = data.loadPhoto("astronaut");               // [3, 128, 128]
 * const grey = data.loadPhoto("astronaut", { gray: true }); // [1, 128, 128]
 */
export function loadPhoto(name: string, options: { gray?: boolean; dir?: string } = {}): Tensor {
  if (!(name in PHOTOS)) throw new Error(`loadPhoto: unknown photograph "${name}"; available: ${Object.keys(PHOTOS).join(", ")}`);
  const file = path.join(options.dir ?? photosDir(), `${name}.png`);
  const { width, height, channels, pixels } = decodePNG(fs.readFileSync(file));
  const hw = width * height;
  const colour = channels >= 3;
  const outC = colour && !options.gray ? 3 : 1;
  const out = new Float32Array(outC * hw);
  for (let p = 0; p < hw; p++) {
    if (!colour) out[p] = pixels[p * channels] / 255;
    else if (outC === 1) {
      const o = p * channels;
      out[p] = (0.299 * pixels[o] + 0.587 * pixels[o + 1] + 0.114 * pixels[o + 2]) / 255;
    } else for (let c = 0; c < 3; c++) out[c * hw + p] = pixels[p * channels + c] / 255;
  }
  return tensor(out, { shape: [outC, height, width] });
}
