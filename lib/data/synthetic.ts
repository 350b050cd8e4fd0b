/**
 * Synthetic data sets with fixed seeds: the same seed gives the same points on every
 * machine. Binary problems (xor, moons, circles) return y as float32 [N, 1] (ready for a
 * sigmoid output and binary cross-entropy); multi-class ones (spirals, blobs) return int32
 * labels [N] (ready for sparse categorical cross-entropy); regression (noisySine) returns
 * float32 [N, 1].
 */
import { tensor, type Tensor } from "../nn/core";
import { Rng } from "./random";

export interface Dataset {
  X: Tensor;
  y: Tensor;
}

function checkCount(op: string, name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
}

function checkNoise(op: string, noise: number): void {
  if (!(noise >= 0)) throw new Error(`${op}: noise must be >= 0, got ${noise}`);
}

function binary(X: Float32Array, y: Float32Array): Dataset {
  return { X: tensor(X, { shape: [y.length, 2] }), y: tensor(y, { shape: [y.length, 1] }) };
}

/**
 * XOR. Without `samples`, the four rows of the truth table (the perceptron's nemesis);
 * with `samples`, points scattered around the four corners with Gaussian `noise`.
 *
 * @example
 * const { X, y } = data.xor();        // X [[0,0],[0,1],[1,0],[1,1]], y [[0],[1],[1],[0]]
 * data.xor({ samples: 200, noise: 0.1, seed: 0 });
 */
export function xor(options: { samples?: number; noise?: number; seed?: number } = {}): Dataset {
  const { samples, noise = 0.1, seed = 0 } = options;
  if (samples === undefined) {
    return binary(new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), new Float32Array([0, 1, 1, 0]));
  }
  checkCount("xor", "samples", samples);
  checkNoise("xor", noise);
  const rng = new Rng(seed);
  const X = new Float32Array(samples * 2);
  const y = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const a = i % 2;
    const b = (i >> 1) % 2;
    X[2 * i] = a + rng.normal(0, noise);
    X[2 * i + 1] = b + rng.normal(0, noise);
    y[i] = a ^ b;
  }
  return binary(X, y);
}

/**
 * Two interleaving half circles (scikit-learn's make_moons).
 * @example const { X, y } = data.moons({ samples: 200, noise: 0.1, seed: 0 });
 */
export function moons(options: { samples?: number; noise?: number; seed?: number } = {}): Dataset {
  const { samples = 100, noise = 0.1, seed = 0 } = options;
  checkCount("moons", "samples", samples, 2);
  checkNoise("moons", noise);
  const rng = new Rng(seed);
  const nOut = Math.floor(samples / 2);
  const X = new Float32Array(samples * 2);
  const y = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const outer = i < nOut;
    const n = outer ? nOut : samples - nOut;
    const k = outer ? i : i - nOut;
    const t = (Math.PI * k) / Math.max(1, n - 1);
    X[2 * i] = (outer ? Math.cos(t) : 1 - Math.cos(t)) + rng.normal(0, noise);
    X[2 * i + 1] = (outer ? Math.sin(t) : 0.5 - Math.sin(t)) + rng.normal(0, noise);
    y[i] = outer ? 0 : 1;
  }
  return binary(X, y);
}

/**
 * A small circle inside a large one (scikit-learn's make_circles); `factor` is the ratio
 * of the radii.
 * @example const { X, y } = data.circles({ samples: 200, noise: 0.05, factor: 0.5 });
 */
export function circles(options: { samples?: number; noise?: number; factor?: number; seed?: number } = {}): Dataset {
  const { samples = 100, noise = 0.05, factor = 0.5, seed = 0 } = options;
  checkCount("circles", "samples", samples, 2);
  checkNoise("circles", noise);
  if (!(factor > 0 && factor < 1)) throw new Error(`circles: factor must be in (0, 1), got ${factor}`);
  const rng = new Rng(seed);
  const nOut = Math.floor(samples / 2);
  const X = new Float32Array(samples * 2);
  const y = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const outer = i < nOut;
    const n = outer ? nOut : samples - nOut;
    const k = outer ? i : i - nOut;
    const t = (2 * Math.PI * k) / n;
    const r = outer ? 1 : factor;
    X[2 * i] = r * Math.cos(t) + rng.normal(0, noise);
    X[2 * i + 1] = r * Math.sin(t) + rng.normal(0, noise);
    y[i] = outer ? 0 : 1;
  }
  return binary(X, y);
}

/**
 * Interleaved spiral arms, one per class (the classic non-linear toy problem).
 * @example const { X, y } = data.spirals({ samples: 300, classes: 3, noise: 0.2 });
 */
export function spirals(options: { samples?: number; classes?: number; noise?: number; seed?: number } = {}): Dataset {
  const { samples = 300, classes = 3, noise = 0.2, seed = 0 } = options;
  checkCount("spirals", "classes", classes, 2);
  checkCount("spirals", "samples", samples, classes);
  checkNoise("spirals", noise);
  const rng = new Rng(seed);
  const X = new Float32Array(samples * 2);
  const y = new Int32Array(samples);
  const per = Math.floor(samples / classes);
  for (let i = 0; i < samples; i++) {
    const c = Math.min(classes - 1, Math.floor(i / per));
    const k = i - c * per;
    const n = c === classes - 1 ? samples - c * per : per;
    const r = n > 1 ? k / (n - 1) : 0;
    const t = c * 4 + 4 * r + rng.normal(0, noise);
    X[2 * i] = r * Math.sin(t);
    X[2 * i + 1] = r * Math.cos(t);
    y[i] = c;
  }
  return { X: tensor(X, { shape: [samples, 2] }), y: tensor(y, { dtype: "int32" }) };
}

/**
 * Gaussian blobs around `centers` (a count, placed at random in [−10, 10]ᵈ, or the
 * coordinates themselves).
 * @example const { X, y } = data.blobs({ samples: 150, centers: 3, std: 1.0, seed: 0 });
 */
export function blobs(
  options: { samples?: number; centers?: number | number[][]; std?: number; dim?: number; seed?: number } = {},
): Dataset {
  const { samples = 100, centers = 3, std = 1, seed = 0 } = options;
  const rng = new Rng(seed);
  let cs: number[][];
  if (typeof centers === "number") {
    checkCount("blobs", "centers", centers);
    const dim = options.dim ?? 2;
    checkCount("blobs", "dim", dim);
    cs = Array.from({ length: centers }, () => Array.from({ length: dim }, () => rng.uniform(-10, 10)));
  } else {
    if (!centers.length || centers.some((c) => c.length !== centers[0].length)) {
      throw new Error("blobs: centers must be a non-empty list of points of equal dimension");
    }
    cs = centers;
  }
  checkCount("blobs", "samples", samples);
  if (!(std >= 0)) throw new Error(`blobs: std must be >= 0, got ${std}`);
  const d = cs[0].length;
  const X = new Float32Array(samples * d);
  const y = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    const c = i % cs.length;
    for (let j = 0; j < d; j++) X[i * d + j] = cs[c][j] + rng.normal(0, std);
    y[i] = c;
  }
  return { X: tensor(X, { shape: [samples, d] }), y: tensor(y, { dtype: "int32" }) };
}

/**
 * Regression: y = sin(x) + Gaussian noise, x uniform in [xMin, xMax] (default [−π, π]).
 * @example const { X, y } = data.noisySine({ samples: 200, noise: 0.1 });
 */
export function noisySine(options: { samples?: number; noise?: number; xMin?: number; xMax?: number; seed?: number } = {}): Dataset {
  const { samples = 100, noise = 0.1, xMin = -Math.PI, xMax = Math.PI, seed = 0 } = options;
  checkCount("noisySine", "samples", samples);
  checkNoise("noisySine", noise);
  if (!(xMax > xMin)) throw new Error(`noisySine: xMax (${xMax}) must be > xMin (${xMin})`);
  const rng = new Rng(seed);
  const X = new Float32Array(samples);
  const y = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    X[i] = rng.uniform(xMin, xMax);
    y[i] = Math.sin(X[i]) + rng.normal(0, noise);
  }
  return { X: tensor(X, { shape: [samples, 1] }), y: tensor(y, { shape: [samples, 1] }) };
}
