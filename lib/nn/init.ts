/**
 * Weight initializers, all seeded.
 *
 * An initializer maps a shape to a new float32 tensor. Without a `seed`, it draws its seed
 * from the global generator, so `manualSeed(0)` before building a model makes the whole
 * model reproducible; with a `seed`, the values depend on that seed alone.
 *
 * Fans follow PyTorch: for a dense weight [out, in], fanIn = in and fanOut = out; for a
 * convolution weight [cOut, cIn/groups, kh, kw], fanIn = cIn/groups·kh·kw and
 * fanOut = cOut·kh·kw.
 */
import { rand, tensor, type Tensor } from "./core";
import type { DeviceName } from "../backend";
import { Rng } from "../data/random";

export interface InitOptions {
  seed?: number;
  device?: DeviceName;
}

/** Creates a tensor of a shape; see the functions below. */
export type Initializer = (shape: number[], options?: InitOptions) => Tensor;

/** fanIn and fanOut of a weight shape (PyTorch's convention). */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function rngFor(options?: InitOptions): Rng {
  if (options?.seed !== undefined) return new Rng(options.seed);
  // One draw from the global generator seeds ours, so manualSeed() governs initialization.
  return new Rng(Math.floor((rand([1]).item() as number) * 2147483647));
}

function make(shape: number[], options: InitOptions | undefined, fill: (rng: Rng) => number, name: string): Tensor {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${name}: shape must be non-negative integers, got [${shape.join(",")}]`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = rngFor(options);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = fill(rng);
  const t = tensor(data, { shape });
  return options?.device ? t.to(options.device) : t;
}

/**
 * All zeros (the usual bias initializer).
 * @example nn.init.zeros([3]) // [0, 0, 0]
 */
export const zeros: Initializer = (shape, options) => make(shape, options, () => 0, "init.zeros");

/**
 * Every element `value`.
 * @example nn.init.constant(0.1)([2, 2])
 */
export function constant(value: number): Initializer {
  if (!Number.isFinite(value)) throw new Error(`init.constant: value must be finite, got ${value}`);
  return (shape, options) => make(shape, options, () => value, "init.constant");
}

/**
 * Gaussian N(mean, std²).
 * @example nn.init.normal({ std: 0.01 })([64, 784], { seed: 0 })
 */
export function normal(opts: { mean?: number; std?: number } = {}): Initializer {
  const { mean = 0, std = 0.05 } = opts;
  if (!(std >= 0)) throw new Error(`init.normal: std must be >= 0, got ${std}`);
  return (shape, options) => make(shape, options, (r) => r.normal(mean, std), "init.normal");
}

/**
 * Uniform U(low, high).
 * @example nn.init.uniform({ low: -0.1, high: 0.1 })([3, 3])
 */
export function uniform(opts: { low?: number; high?: number } = {}): Initializer {
  const { low = -0.05, high = 0.05 } = opts;
  if (!(high >= low)) throw new Error(`init.uniform: high (${high}) must be >= low (${low})`);
  return (shape, options) => make(shape, options, (r) => r.uniform(low, high), "init.uniform");
}

/**
 * Glorot/Xavier normal: std = sqrt(2 / (fanIn + fanOut)), keeping the variance of
 * activations and of gradients about constant through tanh layers.
 * @example nn.init.xavierNormal([10, 20], { seed: 1 })
 */
export const xavierNormal: Initializer = (shape, options) => {
  const { fanIn, fanOut } = computeFans(shape);
  const std = Math.sqrt(2 / (fanIn + fanOut));
  return make(shape, options, (r) => r.normal(0, std), "init.xavierNormal");
};

/**
 * Glorot/Xavier uniform: U(±sqrt(6 / (fanIn + fanOut))) (Keras' default for Dense).
 * @example nn.init.xavierUniform([10, 20])
 */
export const xavierUniform: Initializer = (shape, options) => {
  const { fanIn, fanOut } = computeFans(shape);
  const a = Math.sqrt(6 / (fanIn + fanOut));
  return make(shape, options, (r) => r.uniform(-a, a), "init.xavierUniform");
};

/**
 * He/Kaiming normal: std = sqrt(2 / fanIn), for ReLU layers (half the units are zero, so
 * the variance needs doubling).
 * @example nn.init.heNormal([128, 784])
 */
export const heNormal: Initializer = (shape, options) => {
  const std = Math.sqrt(2 / computeFans(shape).fanIn);
  return make(shape, options, (r) => r.normal(0, std), "init.heNormal");
};

/**
 * He/Kaiming uniform: U(±sqrt(6 / fanIn)).
 * @example nn.init.heUniform([128, 784])
 */
export const heUniform: Initializer = (shape, options) => {
  const a = Math.sqrt(6 / computeFans(shape).fanIn);
  return make(shape, options, (r) => r.uniform(-a, a), "init.heUniform");
};

/**
 * LeCun normal: std = 1 / sqrt(fanIn) (what the course notes write as Xavier for tanh; the
 * right choice for SELU).
 * @example nn.init.lecunNormal([10, 20])
 */
export const lecunNormal: Initializer = (shape, options) => {
  const std = 1 / Math.sqrt(computeFans(shape).fanIn);
  return make(shape, options, (r) => r.normal(0, std), "init.lecunNormal");
};

/**
 * PyTorch's default for Linear and Conv weights and biases: U(±1 / sqrt(fanIn)), where fanIn
 * is that of the layer's weight (pass it for biases).
 * @example nn.init.torchDefault(784)([128])
 */
export function torchDefault(fanIn: number): Initializer {
  const a = 1 / Math.sqrt(fanIn);
  return (shape, options) => make(shape, options, (r) => r.uniform(-a, a), "init.torchDefault");
}

/** Keras'/PyTorch's name for `xavierNormal`. */
export const glorotNormal = xavierNormal;
/** Keras'/PyTorch's name for `xavierUniform`. */
export const glorotUniform = xavierUniform;
/** Keras'/PyTorch's name for `heNormal`. */
export const kaimingNormal = heNormal;
/** Keras'/PyTorch's name for `heUniform`. */
export const kaimingUniform = heUniform;

/** Initializers by Keras-style name, for `kernelInitializer: "heNormal"`. */
export const byName: Record<string, Initializer> = {
  zeros,
  ones: constant(1),
  normal: normal(),
  randomNormal: normal(),
  uniform: uniform(),
  randomUniform: uniform(),
  xavierNormal,
  xavierUniform,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  kaimingNormal,
  kaimingUniform,
  lecunNormal,
};

/** Resolves a name or an initializer. */
export function getInitializer(init: Initializer | string, layer: string): Initializer {
  if (typeof init === "function") return init;
  const f = byName[init];
  if (!f) throw new Error(`${layer}: unknown initializer "${init}"; known: ${Object.keys(byName).join(", ")}`);
  return f;
}
