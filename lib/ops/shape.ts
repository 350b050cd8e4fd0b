/**
 * Shape ops. reshape (of contiguous data), transpose/permute, squeeze/unsqueeze, slice and
 * expand are views: metadata over the same storage, no copy.
 */
import { contiguousStrides, sizeOf } from "../backend";
import { NO_SAVED, record } from "../autograd";
import { OpError, fmtShape, normAxis } from "../errors";
import { Tensor, makeTensor, makeView } from "../tensor";
import { sumTo } from "./reduce";
import { checkTensor } from "./util";

/** Resolves one -1 in a requested shape and checks the element count. */
function inferShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  let infer = -1, known = 1;
  const out = [...shape];
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d === -1) {
      if (infer >= 0) throw new OpError(op, `only one dimension can be -1, got ${fmtShape(shape)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new OpError(op, `invalid dimension ${d} in shape ${fmtShape(shape)}`);
    } else known *= d;
  }
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0) throw new OpError(op, `cannot reshape a tensor of shape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    out[infer] = x.size / known;
  } else if (known !== x.size) {
    throw new OpError(op, `cannot reshape a tensor of shape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${known} elements)`);
  }
  return out;
}

/**
 * The same elements in a new shape (one -1 is inferred). A view when x is contiguous.
 * @example arange(6).reshape(2, -1)   // shape [2, 3]
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("reshape", "x", x);
  const s = inferShape("reshape", x, shape);
  const src = x.isContiguous() ? x : contiguous(x);
  const out = makeView(src, s, contiguousStrides(s), src.offset);
  if (!src.requiresGrad) return out;
  return record(out, "ViewBackward", [src], (g) => [reshape(g, src.shape)], undefined, NO_SAVED);
}

/** Like reshape, but x must be contiguous (it never copies). */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("view", "x", x);
  if (!x.isContiguous()) throw new OpError("view", `x (shape ${fmtShape(x.shape)}) is not contiguous; use reshape() or contiguous() first`);
  return reshape(x, shape);
}

/** Merges axes startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor("flatten", "x", x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis("flatten", startDim, x.ndim, "startDim");
  const e = normAxis("flatten", endDim, x.ndim, "endDim");
  if (s > e) throw new OpError("flatten", `startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Removes axes of size 1 (all of them, or the given ones; others are left as they are). */
export function squeeze(x: Tensor, axis?: number | number[]): Tensor {
  checkTensor("squeeze", "x", x);
  let drop: number[];
  if (axis === undefined) drop = x.shape.map((_, i) => i).filter((i) => x.shape[i] === 1);
  else drop = (typeof axis === "number" ? [axis] : axis).map((a) => normAxis("squeeze", a, Math.max(x.ndim, 1))).filter((a) => x.shape[a] === 1);
  if (drop.length === 0) return x;
  const shape = x.shape.filter((_, i) => !drop.includes(i));
  const strides = x.strides.filter((_, i) => !drop.includes(i));
  return viewOp(x, shape, strides, x.offset, "SqueezeBackward");
}

/** Inserts an axis of size 1 at `axis` (in [-ndim-1, ndim]). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor("unsqueeze", "x", x);
  const a = normAxis("unsqueeze", axis, x.ndim + 1);
  const shape = [...x.shape.slice(0, a), 1, ...x.shape.slice(a)];
  const st = a < x.ndim ? x.strides[a] * x.shape[a] : 1;
  const strides = [...x.strides.slice(0, a), st, ...x.strides.slice(a)];
  return viewOp(x, shape, strides, x.offset, "UnsqueezeBackward");
}

/** A view with new metadata whose gradient is the output gradient reshaped back. */
function viewOp(x: Tensor, shape: number[], strides: number[], offset: number, name: string): Tensor {
  const out = makeView(x, shape, strides, offset);
  if (!x.requiresGrad) return out;
  return record(out, name, [x], (g) => [reshape(g, x.shape)], undefined, NO_SAVED);
}

/** Reorders the axes (a view). */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  checkTensor("permute", "x", x);
  if (axes.length !== x.ndim) throw new OpError("permute", `expects ${x.ndim} axes for a tensor of shape ${fmtShape(x.shape)}, got ${JSON.stringify(axes)}`);
  const p = axes.map((a) => normAxis("permute", a, x.ndim));
  if (new Set(p).size !== p.length) throw new OpError("permute", `axes ${JSON.stringify(axes)} repeat an axis`);
  const out = makeView(x, p.map((a) => x.shape[a]), p.map((a) => x.strides[a]), x.offset);
  if (!x.requiresGrad) return out;
  const inv = new Array<number>(p.length);
  p.forEach((a, i) => (inv[a] = i));
  return record(out, "PermuteBackward", [x], (g) => [permute(g, inv)], undefined, NO_SAVED);
}

/** Swaps two axes (a view). */
export function transpose(x: Tensor, a: number, b: number): Tensor {
  checkTensor("transpose", "x", x);
  const axes = x.shape.map((_, i) => i);
  const i = normAxis("transpose", a, x.ndim, "a"), j = normAxis("transpose", b, x.ndim, "b");
  axes[i] = j;
  axes[j] = i;
  return permute(x, axes);
}

/**
 * Broadcasts x to `shape` without copying (stride 0 along repeated axes); -1 keeps a size.
 * @example tensor([1, 2, 3]).expand(2, 3)   // [[1,2,3],[1,2,3]]
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("expand", "x", x);
  const n = shape.length, k = x.ndim;
  if (n < k) throw new OpError("expand", `cannot expand shape ${fmtShape(x.shape)} to fewer dimensions ${fmtShape(shape)}`);
  const outShape = new Array<number>(n), strides = new Array<number>(n);
  let same = n === k;
  for (let i = 0; i < n; i++) {
    const j = i - (n - k);
    const want = shape[i];
    const have = j < 0 ? 1 : x.shape[j];
    const size = want === -1 ? have : want;
    if (j < 0 && want === -1) throw new OpError("expand", `-1 is not allowed for the new leading dimension ${i} in ${fmtShape(shape)}`);
    if (have !== size && have !== 1) throw new OpError("expand", `cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)}: dimension ${i} is ${have}, not 1`);
    outShape[i] = size;
    strides[i] = j < 0 || (have === 1 && size !== 1) ? 0 : x.strides[j];
    if (size !== have || j < 0) same = false;
  }
  if (same) return x;
  const out = makeView(x, outShape, strides, x.offset);
  if (!x.requiresGrad) return out;
  return record(out, "ExpandBackward", [x], (g) => [sumTo(g, x.shape)], undefined, NO_SAVED);
}

/** `expand` under NumPy's name. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, shape);
}

/** Normalises Python-style slice bounds for an axis of length n. */
function sliceBounds(start: number | null | undefined, end: number | null | undefined, n: number): [number, number] {
  let s = start ?? 0, e = end ?? n;
  if (s < 0) s += n;
  if (e < 0) e += n;
  s = Math.min(Math.max(s, 0), n);
  e = Math.min(Math.max(e, s), n);
  return [s, e];
}

/**
 * Elements start, start+step, ... < end along `axis` (a view). Bounds work like Python's:
 * negative counts from the end, out-of-range is clipped.
 * @example x.slice(0, 1, 3)   // rows 1 and 2
 */
export function slice(x: Tensor, axis: number, start?: number | null, end?: number | null, step = 1): Tensor {
  checkTensor("slice", "x", x);
  const a = normAxis("slice", axis, x.ndim);
  if (!Number.isInteger(step) || step < 1) throw new OpError("slice", `step must be a positive integer, got ${step}`);
  const [s, e] = sliceBounds(start, end, x.shape[a]);
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape];
  shape[a] = len;
  const strides = [...x.strides];
  strides[a] *= step;
  const out = makeView(x, shape, strides, x.offset + (len > 0 ? s * x.strides[a] : 0));
  if (!x.requiresGrad) return out;
  const starts = x.shape.map((_, i) => (i === a ? s : 0));
  const steps = x.shape.map((_, i) => (i === a ? step : 1));
  return record(out, "SliceBackward", [x], (g) => [embed(g, x.shape, starts, steps, 0)], (acc, g) => {
    if (len === 0) return;
    // acc[slice] += g, on acc's (contiguous) memory: the slice's own elements only.
    const be = acc.storage.backend;
    const accStrides = contiguousStrides(acc.shape);
    const region = { storage: acc.storage, shape, strides: accStrides.map((st, i) => (i === a ? st * step : st)), offset: s * accStrides[a] };
    const sum = be.binary("add", region, g, shape);
    be.assign(region, { storage: sum, shape, strides: contiguousStrides(shape), offset: 0 });
    be.dispose(sum);
  }, NO_SAVED);
}

/**
 * @internal A tensor of `outShape` filled with `fill`, with src written at start + i*step
 * along each axis. The adjoint of slicing; pad and slice gradients are made of it.
 */
export function embed(src: Tensor, outShape: readonly number[], starts: readonly number[], steps: readonly number[], fill: number): Tensor {
  const be = src.storage.backend;
  const shape = [...outShape];
  const storage = be.fill(sizeOf(shape), fill, src.dtype);
  const base = contiguousStrides(shape);
  let offset = 0;
  for (let i = 0; i < shape.length; i++) offset += starts[i] * base[i];
  if (src.size > 0) be.assign({ storage, shape: src.shape, strides: base.map((s, i) => s * steps[i]), offset }, src);
  const out = makeTensor(storage, shape);
  if (!src.requiresGrad) return out;
  return record(out, "EmbedBackward", [src], (g) => {
    let r = g;
    for (let i = 0; i < shape.length; i++) {
      if (starts[i] !== 0 || steps[i] !== 1 || src.shape[i] !== shape[i]) r = slice(r, i, starts[i], starts[i] + (src.shape[i] - 1) * steps[i] + 1, steps[i]);
    }
    return [r];
  }, undefined, NO_SAVED);
}

/** One index spec: a number (selects, dropping the axis), null (new axis) or [start, end, step?]. */
export type IndexSpec = number | null | [number | null, number | null] | [number | null, number | null, number];

/**
 * NumPy-style basic indexing over the leading axes.
 * @example x.index(0)  ·  x.index([1, 3], null)  ·  x.index(-1, [null, null, 2])
 */
export function index(x: Tensor, ...specs: IndexSpec[]): Tensor {
  checkTensor("index", "x", x);
  let r = x, axis = 0;
  for (const spec of specs) {
    if (spec === null) { r = unsqueeze(r, axis); axis++; continue; }
    if (axis >= r.ndim) throw new OpError("index", `too many indices for a tensor of shape ${fmtShape(x.shape)}`);
    if (typeof spec === "number") {
      const n = r.shape[axis];
      if (!Number.isInteger(spec) || spec < -n || spec >= n) throw new OpError("index", `index ${spec} is out of range for axis ${axis} of size ${n} (shape ${fmtShape(x.shape)})`);
      const i = spec < 0 ? spec + n : spec;
      r = squeeze(slice(r, axis, i, i + 1), axis);
      continue;
    }
    r = slice(r, axis, spec[0], spec[1], spec[2] ?? 1);
    axis++;
  }
  return r;
}

/** x itself if its elements are already in row-major order, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  checkTensor("contiguous", "x", x);
  if (x.isContiguous()) return x;
  return clone(x);
}

/** A contiguous copy (gradients flow through). */
export function clone(x: Tensor): Tensor {
  checkTensor("clone", "x", x);
  const out = makeTensor(x.storage.backend.contiguous(x), [...x.shape]);
  if (!x.requiresGrad) return out;
  return record(out, "CloneBackward", [x], (g) => [g], undefined, NO_SAVED);
}

/** The same data, cut out of the autodiff graph (requiresGrad false). */
export function detach(x: Tensor): Tensor {
  checkTensor("detach", "x", x);
  return makeView(x, x.shape, x.strides, x.offset);
}
