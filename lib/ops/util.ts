/** Shared helpers of the ops: operand conversion, device checks, broadcasting. */
import type { Backend, DType, Storage, View } from "../backend";
import { getEngine } from "../engine";
import { promoteOperands, promoteWithScalar } from "../dtype";
import { OpError, fmtShape } from "../errors";
import { Tensor, makeTensor } from "../tensor";
import { astype } from "./cast";

const SCALAR_CACHE_SIZE = 256;

/**
 * A number as a 0-d tensor of `dtype` on `backend`. Constants are cached per engine: they
 * are never written to (in-place ops refuse them: they are not user tensors) and never disposed.
 */
export function scalarTensor(v: number | boolean, dtype: DType, backend: Backend): Tensor {
  const value = typeof v === "boolean" ? (v ? 1 : 0) : v;
  const cache = getEngine().scalarCache(backend, dtype) as Map<number, Tensor>;
  const hit = cache.get(value);
  if (hit !== undefined && !hit.isDisposed && !Object.is(value, -0)) return hit;
  if (cache.size >= SCALAR_CACHE_SIZE || Object.is(value, -0)) return makeTensor(backend.fill(1, value, dtype), []);
  // Cached constants live as long as the engine: memory() does not count them.
  const t = new Tensor(getEngine().untracked(backend.fill(1, value, dtype)), [], [], 0);
  t._kept = true;
  cache.set(value, t);
  return t;
}

/** Throws unless x is a tensor (names the op and argument). */
export function checkTensor(op: string, name: string, x: unknown): Tensor {
  if (x instanceof Tensor) {
    if (x.isDisposed) throw new OpError(op, `argument ${name} was disposed (by dispose() or a tidy() scope) and can no longer be used`);
    return x;
  }
  const got = x === null ? "null" : Array.isArray(x) ? "an array (wrap it with tensor(...))" : typeof x;
  throw new OpError(op, `argument ${name} must be a Tensor, got ${got}`);
}

/** Throws when two tensors live on different devices. */
export function checkSameDevice(op: string, a: Tensor, b: Tensor, nameA = "a", nameB = "b"): void {
  if (a.storage.backend !== b.storage.backend) {
    throw new OpError(op, `argument ${nameA} is on device "${a.device}" but ${nameB} is on device "${b.device}"; move one with .to("${a.device}") or .to("${b.device}")`);
  }
}

/**
 * Converts the operands of a binary op to tensors of one dtype on one device (numbers adopt
 * the tensor's device and, as in PyTorch, do not widen float tensors).
 */
export function binaryOperands(op: string, a: Tensor | number | boolean, b: Tensor | number | boolean): [Tensor, Tensor] {
  if (a instanceof Tensor && b instanceof Tensor) {
    if (a.isDisposed || b.isDisposed) checkTensor(op, a.isDisposed ? "a" : "b", a.isDisposed ? a : b);
    checkSameDevice(op, a, b);
    if (a.storage.dtype === b.storage.dtype) return [a, b];
    const d = promoteOperands(a.dtype, a.ndim, b.dtype, b.ndim);
    return [a.dtype === d ? a : astype(a, d), b.dtype === d ? b : astype(b, d)];
  }
  if (a instanceof Tensor) {
    checkScalar(op, "b", b);
    const d = promoteWithScalar(a.dtype, b as number);
    return [a.dtype === d ? checkTensor(op, "a", a) : astype(a, d), scalarTensor(b as number, d, a.storage.backend)];
  }
  if (b instanceof Tensor) {
    checkScalar(op, "a", a);
    const d = promoteWithScalar(b.dtype, a as number);
    return [scalarTensor(a as number, d, b.storage.backend), b.dtype === d ? checkTensor(op, "b", b) : astype(b, d)];
  }
  checkScalar(op, "a", a);
  checkScalar(op, "b", b);
  const be = getEngine().backend(getEngine().getDefaultDevice());
  const d: DType = Number.isInteger(a) && Number.isInteger(b) ? "int32" : "float32";
  return [scalarTensor(a as number, d, be), scalarTensor(b as number, d, be)];
}

function checkScalar(op: string, name: string, v: unknown): void {
  if (typeof v === "number" || typeof v === "boolean") return;
  checkTensor(op, name, v);
}

/** NumPy broadcasting of two shapes; the error names both. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new OpError(op, `cannot broadcast shapes ${fmtShape(a)} and ${fmtShape(b)}: dimension ${i - n} is ${da} vs ${db}`);
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A view of t broadcast to `shape` (stride 0 on broadcast axes), for handing to a kernel. */
export function broadcastView(t: Tensor, shape: readonly number[]): View {
  if (sameShape(t.shape, shape)) return t;
  const n = shape.length, k = t.shape.length;
  const strides = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const j = i - (n - k);
    strides[i] = j < 0 || t.shape[j] === 1 ? 0 : t.strides[j];
  }
  return { storage: t.storage, shape, strides, offset: t.offset };
}

/** The float dtype an integer/bool tensor is computed in by float-only ops. */
export function floatDtypeOf(d: DType): DType {
  return d === "float64" ? "float64" : "float32";
}

/**
 * The storage of x as a contiguous, offset-0 buffer for kernels that take a Storage: x's own
 * when it already is one, else a temporary copy the caller frees with `releaseTemp`.
 */
export function denseStorage(x: Tensor): Storage {
  const s = x.storage;
  if (x.offset === 0 && s.size === x.size && x.isContiguous()) return s;
  return s.backend.contiguous(x);
}

/** Frees a temporary made by denseStorage (not x's own storage). */
export function releaseTemp(x: Tensor, s: Storage): void {
  if (s !== x.storage) s.backend.dispose(s);
}
