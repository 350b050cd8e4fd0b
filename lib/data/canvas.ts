/**
 * A synthetic detection set: MNIST digits pasted at random places on a larger black canvas,
 * with each digit's class and tight bounding box (the box around its ink, not around the
 * 28×28 square). Seeded, so the same options give the same canvases.
 */
import { tensor, type Tensor } from "../nn/core";
import { loadMnist } from "./mnist";
import { Rng } from "./random";
import type { Box } from "./boxes";

export interface DigitCanvasOptions {
  /** Canvases to make (default 256). */
  count?: number;
  /** Side of the square canvas in pixels (default 56; at least 28). */
  size?: number;
  /** Digits per canvas: a number, or [min, max] drawn uniformly (default 1). */
  digits?: number | [number, number];
  /** MNIST split the digits come from (default "train"). */
  split?: "train" | "test";
  /** First MNIST digit used (default 0): keep training and test canvases apart. */
  offset?: number;
  seed?: number;
}

export interface DigitCanvas {
  /** Canvases [count, 1, size, size] in [0, 1]. */
  X: Tensor;
  /** Per canvas, the digits' classes. */
  labels: number[][];
  /** Per canvas, the digits' boxes [x1, y1, x2, y2] in pixels, in the order of `labels`. */
  boxes: Box[][];
  /** The first digit's class per canvas: int32 [count] (for localisation, one digit each). */
  y: Tensor;
  /** The first digit's box per canvas, divided by `size`: float32 [count, 4] in [0, 1]. */
  box: Tensor;
}

/**
 * @example
 * const { X, y, box, boxes } = data.digitCanvas({ count: 500, size: 56 });
 * const many = data.digitCanvas({ count: 4, size: 84, digits: [2, 4] });
 */
export function digitCanvas(options: DigitCanvasOptions = {}): DigitCanvas {
  const { count = 256, size = 56, digits = 1, split = "train", offset = 0, seed = 0 } = options;
  if (!Number.isInteger(count) || count < 1) throw new Error(`digitCanvas: count must be a positive integer, got ${count}`);
  if (!Number.isInteger(size) || size < 28) throw new Error(`digitCanvas: size must be an integer >= 28, got ${size}`);
  const [lo, hi] = typeof digits === "number" ? [digits, digits] : digits;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo) throw new Error(`digitCanvas: digits must be >= 1 (or [min, max] with min <= max), got ${JSON.stringify(digits)}`);
  const rng = new Rng(seed);
  const perCanvas = Array.from({ length: count }, () => lo + rng.int(hi - lo + 1));
  const needed = perCanvas.reduce((a, b) => a + b, 0);
  const src = loadMnist({ split, offset, limit: needed });
  const pixels = src.X.data() as Float32Array, classes = src.y.data() as Int32Array;
  if (classes.length < needed) throw new Error(`digitCanvas: needs ${needed} MNIST digits from offset ${offset}, the ${split} split has ${classes.length}`);
  const out = new Float32Array(count * size * size);
  const labels: number[][] = [], boxes: Box[][] = [];
  let next = 0;
  for (let c = 0; c < count; c++) {
    const placed: Box[] = [], labs: number[] = [];
    for (let d = 0; d < perCanvas[c]; d++, next++) {
      const ink = inkBox(pixels, next);
      // Up to 50 tries for a place whose ink box does not overlap an earlier digit's.
      for (let attempt = 0; attempt < 50; attempt++) {
        const ox = rng.int(size - 28 + 1), oy = rng.int(size - 28 + 1);
        const b: Box = [ox + ink[0], oy + ink[1], ox + ink[2], oy + ink[3]];
        if (attempt < 49 && placed.some((p) => overlaps(p, b))) continue;
        for (let r = 0; r < 28; r++) {
          for (let q = 0; q < 28; q++) {
            const v = pixels[next * 784 + r * 28 + q], k = c * size * size + (oy + r) * size + ox + q;
            if (v > out[k]) out[k] = v;
          }
        }
        placed.push(b);
        labs.push(classes[next]);
        break;
      }
    }
    labels.push(labs);
    boxes.push(placed);
  }
  return {
    X: tensor(out, { shape: [count, 1, size, size] }),
    labels,
    boxes,
    y: tensor(Int32Array.from(labels.map((l) => l[0])), { shape: [count] }),
    box: tensor(Float32Array.from(boxes.flatMap((b) => b[0].map((v) => v / size))), { shape: [count, 4] }),
  };
}

/** The box around a 28×28 digit's pixels above 0.1: [x1, y1, x2, y2] with x2, y2 exclusive. */
function inkBox(pixels: Float32Array, i: number): Box {
  let x1 = 28, y1 = 28, x2 = 0, y2 = 0;
  for (let r = 0; r < 28; r++) {
    for (let q = 0; q < 28; q++) {
      if (pixels[i * 784 + r * 28 + q] > 0.1) {
        x1 = Math.min(x1, q); y1 = Math.min(y1, r); x2 = Math.max(x2, q + 1); y2 = Math.max(y2, r + 1);
      }
    }
  }
  return x2 > x1 ? [x1, y1, x2, y2] : [0, 0, 28, 28];
}

function overlaps(a: Box, b: Box): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}
