/**
 * Creating tensors: from values, filled, ranges, identity. Random ones are in random.ts and
 * re-exported here.
 */
import type { DType, DeviceName, TypedArray } from "./backend";
import { checkDType, isFloat } from "./dtype";
import { checkDevice, getEngine } from "./engine";
import { OpError, fmtShape } from "./errors";
import { Tensor, makeTensor } from "./tensor";
import { astype } from "./ops/cast";
import { toDevice } from "./ops/cast";
import { clone, detach, reshape } from "./ops/shape";

export { manualSeed, rand, randn, randint, randperm, Generator, defaultGenerator } from "./random";

export interface TensorOptions {
  dtype?: DType;
  device?: DeviceName;
  requiresGrad?: boolean;
}

/** Nested arrays of numbers or booleans. */
export type NestedArray = number | boolean | TypedArray | NestedArray[];

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** Checks a shape argument: non-negative integers. */
export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new OpError(op, `shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape];
}

function deviceOf(op: string, opts: TensorOptions): DeviceName {
  const e = getEngine();
  return opts.device === undefined ? e.getDefaultDevice() : checkDevice(op, opts.device);
}

function finish(op: string, t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) {
    if (!isFloat(t.dtype)) throw new OpError(op, `requiresGrad needs a float dtype, got ${t.dtype}`);
    t.requiresGrad = true;
  }
  return t;
}

function fromHost(op: string, data: TypedArray | number[], shape: number[], dtype: DType, opts: TensorOptions): Tensor {
  const be = getEngine().backend(deviceOf(op, opts));
  return finish(op, makeTensor(be.fromArray(data, dtype), shape), opts);
}

function typedDtype(a: TypedArray): DType {
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "bool";
  return "float32";
}

/**
 * A tensor from a number, a boolean, nested arrays, a typed array or another tensor (copied).
 * Numbers give float32 unless `dtype` says otherwise; booleans give bool; a typed array keeps
 * its type (Float64Array → float64, Int32Array → int32, Uint8Array → bool).
 * @example tensor([[1, 2], [3, 4]])  ·  tensor([1, 2, 3], { requiresGrad: true })
 */
export function tensor(values: NestedArray | TypedArray | Tensor, opts: TensorOptions & { shape?: number[] } = {}): Tensor {
  if (opts.dtype !== undefined) checkDType("tensor", opts.dtype);
  if (values instanceof Tensor) {
    let t = detach(values);
    if (opts.dtype) t = astype(t, opts.dtype);
    if (opts.device) t = toDevice(t, checkDevice("tensor", opts.device));
    t = clone(t);
    if (opts.shape) t = reshape(t, opts.shape);
    return finish("tensor", t, opts);
  }
  if (ArrayBuffer.isView(values)) {
    const arr = values as TypedArray;
    const shape = opts.shape ? checkShape("tensor", opts.shape) : [arr.length];
    if (shape.reduce((a, b) => a * b, 1) !== arr.length) throw new OpError("tensor", `shape ${fmtShape(shape)} does not hold ${arr.length} values`);
    return fromHost("tensor", arr, shape, opts.dtype ?? typedDtype(arr), opts);
  }
  const shape: number[] = [];
  let probe: unknown = values;
  while (isArrayLike(probe)) { shape.push(probe.length); probe = probe[0]; }
  let size = 1;
  for (const d of shape) size *= d;
  const flat = new Float64Array(size);
  let n = 0, sawBool = false, sawNumber = false;
  const at = new Array<number>(shape.length).fill(0);
  const where = (d: number): string => `[${at.slice(0, d).join("][")}]`;
  // Depth-first over the nesting; `at` holds the current position for error messages only.
  const walk = (v: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof v === "number") { sawNumber = true; flat[n++] = v; return; }
      if (typeof v === "boolean") { sawBool = true; flat[n++] = v ? 1 : 0; return; }
      throw new OpError("tensor", `expected a number or boolean at ${where(d)}, got ${isArrayLike(v) ? "an array (the nesting is ragged)" : typeof v}`);
    }
    if (!isArrayLike(v) || v.length !== shape[d]) {
      throw new OpError("tensor", `ragged nested array: expected ${shape[d]} elements at ${where(d)}, got ${isArrayLike(v) ? v.length : typeof v}`);
    }
    if (d === shape.length - 1 && ArrayBuffer.isView(v)) {
      // A typed-array row: copy it in one go.
      flat.set(v as unknown as ArrayLike<number>, n);
      n += v.length;
      sawNumber = true;
      return;
    }
    for (let i = 0; i < v.length; i++) { at[d] = i; walk(v[i], d + 1); }
  };
  walk(values, 0);
  const dtype = opts.dtype ?? (sawBool && !sawNumber ? "bool" : "float32");
  let final = shape;
  if (opts.shape) {
    final = checkShape("tensor", opts.shape);
    if (final.reduce((a, b) => a * b, 1) !== flat.length) throw new OpError("tensor", `shape ${fmtShape(final)} does not hold ${flat.length} values`);
  }
  return fromHost("tensor", flat, final, dtype, opts);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number | boolean, opts: TensorOptions = {}): Tensor {
  return filled("full", shape, value, opts);
}

function filled(op: string, shape: readonly number[], value: number | boolean, opts: TensorOptions): Tensor {
  const s = checkShape(op, shape);
  const dtype = checkDType(op, opts.dtype ?? (typeof value === "boolean" ? "bool" : "float32"));
  const be = getEngine().backend(deviceOf(op, opts));
  return finish(op, makeTensor(be.fill(s.reduce((a, b) => a * b, 1), Number(value), dtype), s), opts);
}

/** Zeros of `shape` (float32 unless dtype says otherwise). @example zeros([2, 3]) */
export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled("zeros", shape, 0, opts);
}

/** Ones of `shape`. @example ones([3]) */
export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled("ones", shape, 1, opts);
}

function likeOpts(t: Tensor, opts: TensorOptions): TensorOptions {
  return { dtype: opts.dtype ?? t.dtype, device: opts.device ?? t.device, requiresGrad: opts.requiresGrad };
}

/** Zeros with t's shape, dtype and device. */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 0, likeOpts(t, opts));
}

/** Ones with t's shape, dtype and device. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 1, likeOpts(t, opts));
}

/** `value` everywhere, with t's shape, dtype and device. */
export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, likeOpts(t, opts));
}

/**
 * Values from start (inclusive) to end (exclusive) by step; `arange(n)` is 0..n-1. int32 when
 * every argument is an integer and no dtype is given (like torch), else float32.
 * @example arange(5)  ·  arange(0, 1, 0.25)
 */
export function arange(startOrEnd: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  const start = end === undefined ? 0 : startOrEnd;
  const stop = end === undefined ? startOrEnd : end;
  if (![start, stop, step].every(Number.isFinite)) throw new OpError("arange", `start, end and step must be finite numbers, got ${start}, ${stop}, ${step}`);
  if (step === 0) throw new OpError("arange", "step must not be 0");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  const ints = Number.isInteger(start) && Number.isInteger(stop) && Number.isInteger(step);
  return fromHost("arange", data, [n], opts.dtype ?? (ints ? "int32" : "float32"), opts);
}

/** `steps` evenly spaced values from start to end, both included. @example linspace(0, 1, 5) */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new OpError("linspace", `steps must be a non-negative integer, got ${steps}`);
  const data = new Float64Array(steps);
  const h = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends toward the middle, as torch does, so that the end value is exact.
  for (let i = 0; i < steps; i++) data[i] = i < steps / 2 ? start + i * h : end - (steps - 1 - i) * h;
  return fromHost("linspace", data, [steps], opts.dtype ?? "float32", opts);
}

/** The n×m identity matrix (m = n by default). */
export function eye(n: number, m?: number, opts: TensorOptions = {}): Tensor {
  const cols = m ?? n;
  checkShape("eye", [n, cols]);
  const data = new Float64Array(n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return fromHost("eye", data, [n, cols], opts.dtype ?? "float32", opts);
}
