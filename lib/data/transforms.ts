/**
 * Image augmentation: random shifts, flips and noise applied to a batch, as a `transform` for
 * `fit` or `DataLoader` (a fresh draw on every batch, so each epoch sees new variants).
 *
 * A transform maps a batch `[N, ..., H, W]` (or flat `[N, H·W·C]` with `imageShape`) to a new
 * tensor of the same shape and dtype. It works on values, not on the autodiff graph: augmented
 * inputs are data, so the result never requires grad.
 *
 * @example
 * const augment = data.compose(data.randomShift({ maxShift: 2, imageShape: [28, 28] }), data.gaussianNoise({ std: 0.1 }));
 * await model.fit(X, y, { epochs: 5, transform: augment });
 */
import { Tensor, tensor } from "../nn/core";
import { Rng } from "./random";

export type Transform = (x: Tensor) => Tensor;

export interface ImageTransformOptions {
  /** [H, W] of each image when the batch is flat ([N, H·W] or [N, C·H·W]); otherwise the last two axes. */
  imageShape?: [number, number];
  /** Seed of the transform's own generator (default 0): the k-th batch gets the same draw on every run. */
  seed?: number;
}

/** Height and width of the images in x, and how many H×W planes each sample holds. */
function planes(op: string, x: Tensor, imageShape?: [number, number]): { h: number; w: number; perSample: number } {
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a Tensor batch, got ${typeof x}`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new Error(`${op}: images must be float32 or float64, got ${x.dtype}`);
  const sample = x.shape.slice(1).reduce((a, b) => a * b, 1);
  let h: number, w: number;
  if (imageShape) {
    [h, w] = imageShape;
    if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) throw new Error(`${op}: imageShape must be two positive integers, got [${imageShape}]`);
    if (x.ndim < 2 || sample % (h * w) !== 0) {
      throw new Error(`${op}: a sample of x [${x.shape}] has ${sample} values, not a multiple of imageShape [${h}, ${w}] = ${h * w}`);
    }
  } else {
    if (x.ndim < 3) throw new Error(`${op}: x [${x.shape}] must be [N, H, W] or [N, C, H, W]; for flat images pass imageShape: [H, W]`);
    h = x.shape[x.ndim - 2];
    w = x.shape[x.ndim - 1];
  }
  return { h, w, perSample: sample / (h * w) };
}

function checkSeed(op: string, seed: number): void {
  if (!Number.isFinite(seed)) throw new Error(`${op}: seed must be a finite number, got ${seed}`);
}

/**
 * Moves each image by a random whole number of pixels, independently in each direction, in
 * [−maxShift, maxShift]; pixels shifted in are `fill` (default 0, the background of MNIST).
 * Every channel of a sample moves together.
 *
 * @example
 * const shift = data.randomShift({ maxShift: 3 });
 * shift(images).shape; // same as images.shape
 */
export function randomShift(options: ImageTransformOptions & { maxShift?: number; fill?: number } = {}): Transform {
  const { maxShift = 2, fill = 0, imageShape, seed = 0 } = options;
  if (!(Number.isInteger(maxShift) && maxShift >= 0)) throw new Error(`randomShift: maxShift must be an integer >= 0, got ${maxShift}`);
  checkSeed("randomShift", seed);
  const rng = new Rng(seed);
  return (x: Tensor) => {
    const { h, w, perSample } = planes("randomShift", x, imageShape);
    const src = x.data() as Float32Array | Float64Array;
    const out = new (src.constructor as Float32ArrayConstructor)(src.length);
    const n = x.shape[0];
    for (let s = 0; s < n; s++) {
      const dy = rng.int(2 * maxShift + 1) - maxShift;
      const dx = rng.int(2 * maxShift + 1) - maxShift;
      for (let c = 0; c < perSample; c++) {
        const base = (s * perSample + c) * h * w;
        for (let r = 0; r < h; r++) {
          const sr = r - dy;
          for (let col = 0; col < w; col++) {
            const sc = col - dx;
            out[base + r * w + col] = sr >= 0 && sr < h && sc >= 0 && sc < w ? src[base + sr * w + sc] : fill;
          }
        }
      }
    }
    return tensor(out, { shape: x.shape, dtype: x.dtype, device: x.device });
  };
}

/**
 * Mirrors each image with probability p: left-right (`horizontal`, default) and/or upside down
 * (`vertical`). Suits photographs and garments; digits are not symmetric (a mirrored 2 is no digit).
 *
 * @example
 * const flip = data.randomFlip({ p: 0.5 });
 */
export function randomFlip(options: ImageTransformOptions & { p?: number; horizontal?: boolean; vertical?: boolean } = {}): Transform {
  const { p = 0.5, horizontal = true, vertical = false, imageShape, seed = 0 } = options;
  if (!(p >= 0 && p <= 1)) throw new Error(`randomFlip: p must be a probability in [0, 1], got ${p}`);
  if (!horizontal && !vertical) throw new Error("randomFlip: horizontal and vertical are both false, so nothing would flip");
  checkSeed("randomFlip", seed);
  const rng = new Rng(seed);
  return (x: Tensor) => {
    const { h, w, perSample } = planes("randomFlip", x, imageShape);
    const src = x.data() as Float32Array | Float64Array;
    const out = new (src.constructor as Float32ArrayConstructor)(src.length);
    const n = x.shape[0];
    for (let s = 0; s < n; s++) {
      const fx = horizontal && rng.random() < p;
      const fy = vertical && rng.random() < p;
      for (let c = 0; c < perSample; c++) {
        const base = (s * perSample + c) * h * w;
        for (let r = 0; r < h; r++) {
          const sr = fy ? h - 1 - r : r;
          for (let col = 0; col < w; col++) out[base + r * w + col] = src[base + sr * w + (fx ? w - 1 - col : col)];
        }
      }
    }
    return tensor(out, { shape: x.shape, dtype: x.dtype, device: x.device });
  };
}

/**
 * Adds Gaussian noise of standard deviation `std` to every value, then clips to `clip`
 * (default [0, 1], the range of the course's images; pass null to keep any value). Works on
 * any batch shape.
 *
 * @example
 * const noisy = data.gaussianNoise({ std: 0.2 })(images);
 */
export function gaussianNoise(options: { std?: number; clip?: [number, number] | null; seed?: number } = {}): Transform {
  const { std = 0.1, clip = [0, 1], seed = 0 } = options;
  if (!(Number.isFinite(std) && std >= 0)) throw new Error(`gaussianNoise: std must be a finite number >= 0, got ${std}`);
  if (clip && !(clip[0] < clip[1])) throw new Error(`gaussianNoise: clip must be [low, high] with low < high, got [${clip}]`);
  checkSeed("gaussianNoise", seed);
  const rng = new Rng(seed);
  return (x: Tensor) => {
    if (!(x instanceof Tensor)) throw new Error(`gaussianNoise: expected a Tensor batch, got ${typeof x}`);
    if (x.dtype !== "float32" && x.dtype !== "float64") throw new Error(`gaussianNoise: x must be float32 or float64, got ${x.dtype}`);
    const src = x.data() as Float32Array | Float64Array;
    const out = new (src.constructor as Float32ArrayConstructor)(src.length);
    for (let i = 0; i < src.length; i++) {
      let v = src[i] + rng.normal(0, std);
      if (clip) v = Math.min(clip[1], Math.max(clip[0], v));
      out[i] = v;
    }
    return tensor(out, { shape: x.shape, dtype: x.dtype, device: x.device });
  };
}

/**
 * Applies transforms left to right.
 * @example const augment = data.compose(data.randomShift(), data.gaussianNoise({ std: 0.05 }));
 */
export function compose(...transforms: Transform[]): Transform {
  transforms.forEach((t, i) => {
    if (typeof t !== "function") throw new Error(`compose: transform ${i} is not a function (got ${typeof t})`);
  });
  return (x: Tensor) => transforms.reduce((acc, t) => t(acc), x);
}
