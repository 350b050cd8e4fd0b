/**
 * The global random generator (like torch's): xoshiro128** seeded through splitmix32, so a
 * seed gives the same numbers on every platform and backend (values are drawn on the host).
 */
import type { DType, DeviceName } from "./backend";
import { checkDType, isFloat } from "./dtype";
import { OpError } from "./errors";
import { getEngine } from "./engine";
import { Tensor, makeTensor } from "./tensor";
import { checkShape } from "./creation";

/** A seedable generator of 32-bit integers, uniforms and normals. */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the state from a seed (any finite number). */
  seed(seed: number): void {
    let x = (Math.floor(seed) ^ Math.floor(seed / 4294967296)) >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32 spreads one seed over the four words of state.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spare = null;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [low, high). */
  int(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const globalGenerator = new Generator(Date.now() ^ (process.pid << 16));

/** The generator rand/randn/randint/dropout and data shuffling draw from. */
export function defaultGenerator(): Generator {
  return globalGenerator;
}

/**
 * Seeds the global generator: the same seed gives the same tensors, on every device.
 * @example manualSeed(0); randn([2, 2])
 */
export function manualSeed(seed: number): void {
  if (typeof seed !== "number" || !Number.isFinite(seed)) throw new OpError("manualSeed", `seed must be a finite number, got ${seed}`);
  globalGenerator.seed(seed);
}

export interface RandomOptions {
  dtype?: DType;
  device?: DeviceName;
  requiresGrad?: boolean;
  generator?: Generator;
}

function fill(op: string, shape: readonly number[], opts: RandomOptions, draw: (g: Generator) => number, defaultDtype: DType = "float32"): Tensor {
  const s = checkShape(op, shape);
  const dtype = checkDType(op, opts.dtype ?? defaultDtype);
  const g = opts.generator ?? globalGenerator;
  let n = 1;
  for (const d of s) n *= d;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = draw(g);
  const e = getEngine();
  const t = makeTensor(e.backend(opts.device ?? e.getDefaultDevice()).fromArray(data, dtype), s);
  if (opts.requiresGrad) {
    if (!isFloat(dtype)) throw new OpError(op, `requiresGrad needs a float dtype, got ${dtype}`);
    t.requiresGrad = true;
  }
  return t;
}

/** Uniform samples in [0, 1). */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return fill("rand", shape, opts, (g) => g.uniform());
}

/** Standard normal samples. */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return fill("randn", shape, opts, (g) => g.normal());
}

/**
 * Integers uniform in [low, high), int32 by default.
 * @example randint(0, 10, [5])
 */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) throw new OpError("randint", `needs integers low < high, got low ${low}, high ${high}`);
  return fill("randint", shape, opts, (g) => g.int(low, high), "int32");
}

/** A random permutation of 0..n-1 (int32). */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new OpError("randperm", `n must be a non-negative integer, got ${n}`);
  const g = opts.generator ?? globalGenerator;
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) { const j = g.int(0, i + 1); const t = p[i]; p[i] = p[j]; p[j] = t; }
  const e = getEngine();
  return makeTensor(e.backend(opts.device ?? e.getDefaultDevice()).fromArray(p, checkDType("randperm", opts.dtype ?? "int32")), [n]);
}
