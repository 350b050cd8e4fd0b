/**
 * Reductions over any set of axes, with keepdim. Gradients broadcast the output gradient
 * back over the reduced axes with public ops.
 */
import type { ReduceOp } from "../backend";
import { NO_SAVED, record } from "../autograd";
import { isFloat } from "../dtype";
import { OpError, fmtShape, normAxes, normAxis } from "../errors";
import { Tensor, makeTensor } from "../tensor";
import { add, div, eq, logicalOr, mul, sub } from "./binary";
import { astype } from "./cast";
import { detach, expand, reshape } from "./shape";
import { where } from "./select";
import { exp, log } from "./unary";
import { checkTensor, denseStorage, floatDtypeOf, releaseTemp } from "./util";

type Axis = number | readonly number[] | undefined | null;

/** Shape with the reduced axes kept as 1. */
function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Runs a reduce kernel; returns the result shaped with or without the reduced axes. */
function rawReduce(op: ReduceOp, x: Tensor, axes: number[], keepdim: boolean): Tensor {
  const outShape = keepdim ? keptShape(x.shape, axes) : x.shape.filter((_, i) => !axes.includes(i));
  const be = x.storage.backend;
  if (axes.length === 0) {
    // Nothing to reduce (a scalar, say): the values themselves, as a fresh tensor.
    return makeTensor(be.contiguous(x), outShape);
  }
  const s = denseStorage(x);
  const out = be.reduce(op, s, x.shape, axes);
  releaseTemp(x, s);
  return makeTensor(out, outShape);
}

/** The gradient g of a reduction, broadcast back to x's shape. */
function expandBack(g: Tensor, x: Tensor, axes: number[], keepdim: boolean): Tensor {
  const kept = keepdim ? g : reshape(g, keptShape(x.shape, axes));
  return expand(kept, x.shape);
}

/**
 * Sum over `axis` (all axes when omitted). Integer and bool inputs sum to int32.
 * @example tensor([[1, 2], [3, 4]]).sum(0)   // tensor([4., 6.])
 */
export function sum(x: Tensor, axis?: Axis, keepdim = false): Tensor {
  checkTensor("sum", "x", x);
  const axes = normAxes("sum", axis, x.ndim);
  if (x.dtype === "bool" || x.dtype === "int32") return intTotal("sum", x, rawReduce("sum", astype(x, "float64"), axes, keepdim));
  const out = rawReduce("sum", x, axes, keepdim);
  if (!x.requiresGrad) return out;
  return record(out, "SumBackward", [x], (g) => [expandBack(g, x, axes, keepdim)], undefined, NO_SAVED);
}

/**
 * @internal An integer reduction computed in float64 (exact up to 2^53), back to int32. PyTorch
 * accumulates integers in int64; we have no int64, so a total outside int32's range raises
 * instead of wrapping around silently.
 */
export function intTotal(op: string, x: Tensor, wide: Tensor): Tensor {
  const be = wide.storage.backend;
  const v = be.read(wide.storage);
  for (let i = 0; i < v.length; i++) {
    if (!(Math.abs(v[i]) <= 2147483647)) {
      wide.dispose();
      throw new OpError(op, `the ${x.dtype} ${op} of shape ${fmtShape(x.shape)} overflows int32: a total of ${v[i]} is outside ±2147483647 (PyTorch would give int64). Convert first: x.double().${op}(...)`);
    }
  }
  const out = astype(wide, "int32");
  wide.dispose();
  return out;
}

/** Mean over `axis` (all axes when omitted); integers are averaged in float32. */
export function mean(x: Tensor, axis?: Axis, keepdim = false): Tensor {
  checkTensor("mean", "x", x);
  const axes = normAxes("mean", axis, x.ndim);
  if (!isFloat(x.dtype)) x = astype(x, "float32");
  let count = 1;
  for (const a of axes) count *= x.shape[a];
  return div(sum(x, axes, keepdim), count);
}

function extremum(op: "max" | "min", x: Tensor, axis: Axis, keepdim: boolean): Tensor {
  checkTensor(op, "x", x);
  const axes = normAxes(op, axis, x.ndim);
  for (const a of axes) {
    if (x.shape[a] === 0) throw new OpError(op, `cannot reduce over axis ${a} of size 0 (shape ${fmtShape(x.shape)}): the ${op} of nothing is undefined`);
  }
  const out = rawReduce(op, x, axes, keepdim);
  if (!x.requiresGrad) return out;
  return record(out, op === "max" ? "MaxBackward" : "MinBackward", [x], (g) => {
    // The gradient goes to the elements equal to the result, shared equally among ties.
    const mask = astype(eq(x, expandBack(detach(out), x, axes, keepdim)), g.dtype);
    const count = sum(mask, axes, true);
    return [mul(div(mask, count), expandBack(g, x, axes, keepdim))];
  });
}

/** Maximum over `axis` (all axes when omitted). */
export function max(x: Tensor, axis?: Axis, keepdim = false): Tensor {
  return extremum("max", x, axis, keepdim);
}

/** Minimum over `axis` (all axes when omitted). */
export function min(x: Tensor, axis?: Axis, keepdim = false): Tensor {
  return extremum("min", x, axis, keepdim);
}

/** Product over `axis`. (Its gradient divides by x, so it is undefined where x is 0.) */
export function prod(x: Tensor, axis?: Axis, keepdim = false): Tensor {
  checkTensor("prod", "x", x);
  const axes = normAxes("prod", axis, x.ndim);
  if (x.dtype === "bool" || x.dtype === "int32") return intTotal("prod", x, rawReduce("prod", astype(x, "float64"), axes, keepdim));
  const out = rawReduce("prod", x, axes, keepdim);
  if (!x.requiresGrad) return out;
  return record(out, "ProdBackward", [x], (g) => [div(mul(expandBack(g, x, axes, keepdim), expandBack(out, x, axes, keepdim)), x)]);
}

/** Options of var/std given as one object. */
export interface VarOptions {
  axis?: number | number[] | null;
  keepdim?: boolean;
  correction?: number;
}

function varArgs(axis: Axis | VarOptions, keepdim: boolean, correction: number): { axis: Axis; keepdim: boolean; correction: number } {
  if (axis !== null && typeof axis === "object" && !Array.isArray(axis)) {
    const o = axis as VarOptions;
    return { axis: o.axis, keepdim: o.keepdim ?? false, correction: o.correction ?? 1 };
  }
  return { axis: axis as Axis, keepdim, correction };
}

/**
 * Variance over `axis` with Bessel's correction by default (`correction = 1`, like torch.var).
 * @example x.var(0)  ·  x.var({ axis: 0, correction: 0 })
 */
export function variance(x: Tensor, axis?: Axis | VarOptions, keepdim = false, correction = 1): Tensor {
  checkTensor("var", "x", x);
  const o = varArgs(axis, keepdim, correction);
  const axes = normAxes("var", o.axis, x.ndim);
  if (!isFloat(x.dtype)) x = astype(x, "float32");
  let n = 1;
  for (const a of axes) n *= x.shape[a];
  const d = sub(x, mean(x, axes, true));
  return div(sum(mul(d, d), axes, o.keepdim), Math.max(0, n - o.correction));
}

/**
 * Standard deviation: the square root of `var` (same arguments). Where the spread is 0 its
 * gradient is 0, as in PyTorch, not the NaN of sqrt's infinite slope times a zero: a constant
 * row standardised by hand must not poison the weights.
 */
export function std(x: Tensor, axis?: Axis | VarOptions, keepdim = false, correction = 1): Tensor {
  const v = variance(x, axis, keepdim, correction);
  const out = makeTensor(v.storage.backend.unary("sqrt", v), [...v.shape]);
  if (!v.requiresGrad) return out;
  return record(out, "StdBackward", [v], (g) => [where(eq(out, 0), 0, div(g, mul(out, 2)))], undefined, [out]);
}

/** log(sum(exp(x))) over `axis`, computed without overflow. */
export function logsumexp(x: Tensor, axis?: Axis, keepdim = false): Tensor {
  checkTensor("logsumexp", "x", x);
  const axes = normAxes("logsumexp", axis, x.ndim);
  if (!isFloat(x.dtype)) x = astype(x, floatDtypeOf(x.dtype));
  if (x.size === 0) return log(sum(exp(x), axes, keepdim));
  const m0 = detach(rawReduce("max", x, axes, true));
  // An infinite max would give inf - inf; shift by 0 there instead.
  const m = where(logicalOr(eq(m0, Infinity), eq(m0, -Infinity)), 0, m0);
  const s = log(sum(exp(sub(x, m)), axes, keepdim));
  return add(s, keepdim ? m : reshape(m, s.shape));
}

function argReduce(op: "argmax" | "argmin", x: Tensor, axis: number | undefined | null, keepdim: boolean): Tensor {
  checkTensor(op, "x", x);
  if (axis === undefined || axis === null) {
    if (x.size === 0) throw new OpError(op, `cannot take the ${op} of an empty tensor (shape ${fmtShape(x.shape)})`);
    const flat = reshape(x, [x.size]);
    const out = rawReduce(op, flat, [0], false);
    return keepdim ? reshape(out, x.shape.map(() => 1)) : out;
  }
  if (x.ndim === 0) {
    normAxis(op, axis, 1);
    return makeTensor(x.storage.backend.fill(1, 0, "int32"), []);
  }
  const a = normAxis(op, axis, x.ndim);
  if (x.shape[a] === 0) throw new OpError(op, `cannot reduce over axis ${axis} of size 0 (shape ${fmtShape(x.shape)})`);
  return rawReduce(op, x, [a], keepdim);
}

/** Index of the largest value along `axis` (of the flattened tensor when omitted), int32. */
export function argmax(x: Tensor, axis?: number | null, keepdim = false): Tensor {
  return argReduce("argmax", x, axis, keepdim);
}

/** Index of the smallest value along `axis`, int32. */
export function argmin(x: Tensor, axis?: number | null, keepdim = false): Tensor {
  return argReduce("argmin", x, axis, keepdim);
}

/** Whether every element is non-zero (true for an empty tensor). */
export function all(x: Tensor): Tensor {
  checkTensor("all", "x", x);
  if (x.size === 0) return makeTensor(x.storage.backend.fill(1, 1, "bool"), []);
  return rawReduce("min", astype(x, "bool"), normAxes("all", null, x.ndim), false);
}

/** Whether any element is non-zero (false for an empty tensor). */
export function any(x: Tensor): Tensor {
  checkTensor("any", "x", x);
  if (x.size === 0) return makeTensor(x.storage.backend.fill(1, 0, "bool"), []);
  return rawReduce("max", astype(x, "bool"), normAxes("any", null, x.ndim), false);
}

/**
 * Sums g down to `shape` (the adjoint of broadcasting): over leading axes g has in excess and
 * over axes where shape has 1. Returns g itself when the shapes already match.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  const gs = g.shape;
  if (gs.length === shape.length) {
    let same = true;
    for (let i = 0; i < gs.length; i++) if (gs[i] !== shape[i]) { same = false; break; }
    if (same) return g;
  }
  const lead = gs.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < gs.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && gs[i] !== 1)) axes.push(i);
  }
  const s = axes.length === 0 ? g : sum(g, axes, true);
  return reshape(s, [...shape]);
}

