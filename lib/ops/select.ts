/** Selection ops: where, clip, maskedFill, gather, indexSelect, scatterAdd, oneHot. */
import { sizeOf, type DType } from "../backend";
import { record } from "../autograd";
import { promoteOperands, promoteWithScalar } from "../dtype";
import { OpError, fmtShape, normAxis } from "../errors";
import { Tensor, makeTensor } from "../tensor";
import { add, eq, gt, lt } from "./binary";
import { astype } from "./cast";
import { readData } from "./access";
import { sumTo } from "./reduce";
import { expand, reshape, slice, unsqueeze } from "./shape";
import { broadcastShapes, broadcastView, checkSameDevice, checkTensor, denseStorage, releaseTemp, scalarTensor } from "./util";
import { arange } from "../creation";
import { getEngine } from "../engine";

/**
 * Elementwise choice: a where cond is true, b elsewhere (all three broadcast).
 * @example where(x.gt(0), x, 0)   // relu
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  checkTensor("where", "cond", cond);
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : cond;
  let dtype: DType;
  if (a instanceof Tensor && b instanceof Tensor) dtype = promoteOperands(a.dtype, a.ndim, b.dtype, b.ndim);
  else if (a instanceof Tensor) dtype = promoteWithScalar(a.dtype, b as number);
  else if (b instanceof Tensor) dtype = promoteWithScalar(b.dtype, a as number);
  else dtype = Number.isInteger(a) && Number.isInteger(b) ? "int32" : "float32";
  const be = like.storage.backend;
  let ta = a instanceof Tensor ? a : scalarTensor(a, dtype, be);
  let tb = b instanceof Tensor ? b : scalarTensor(b, dtype, be);
  checkSameDevice("where", cond, ta, "cond", "a");
  checkSameDevice("where", ta, tb, "a", "b");
  if (ta.dtype !== dtype) ta = astype(ta, dtype);
  if (tb.dtype !== dtype) tb = astype(tb, dtype);
  const c = cond.dtype === "bool" ? cond : astype(cond, "bool");
  const shape = broadcastShapes("where", broadcastShapes("where", c.shape, ta.shape), tb.shape);
  const out = makeTensor(be.where(broadcastView(c, shape), broadcastView(ta, shape), broadcastView(tb, shape), shape), shape);
  if (!ta.requiresGrad && !tb.requiresGrad) return out;
  const fa = ta, fb = tb;
  return record(out, "WhereBackward", [fa, fb], (g) => [
    fa.requiresGrad ? sumTo(where(c, g, 0), fa.shape) : null,
    fb.requiresGrad ? sumTo(where(c, 0, g), fb.shape) : null,
  ], undefined, [c]);
}

/**
 * Limits values to [min, max] (either may be null). The gradient passes where x is inside.
 * @example clip(x, 0, 1)
 */
export function clip(x: Tensor, min: number | null, max: number | null): Tensor {
  checkTensor("clip", "x", x);
  if (min !== null && max !== null && min > max) throw new OpError("clip", `min ${min} is greater than max ${max}`);
  let r = x;
  if (min !== null && min !== undefined) r = where(lt(x, min), min, r);
  if (max !== null && max !== undefined) r = where(gt(x, max), max, r);
  return r;
}

/** x with `value` wherever mask is true. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkTensor("maskedFill", "x", x);
  checkTensor("maskedFill", "mask", mask);
  if (mask.dtype !== "bool") throw new OpError("maskedFill", `mask must be bool, got ${mask.dtype}`);
  broadcastShapes("maskedFill", x.shape, mask.shape);
  return where(mask, scalarTensor(value, x.dtype, x.storage.backend), x);
}

function checkIndex(op: string, index: Tensor, name = "index"): Tensor {
  checkTensor(op, name, index);
  if (index.dtype !== "int32") throw new OpError(op, `${name} must be int32, got ${index.dtype}`);
  return index;
}

function checkRange(op: string, index: Tensor, n: number, axis: number): void {
  const data = readData(index);
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0 || data[i] >= n) throw new OpError(op, `index ${data[i]} is out of range for axis ${axis} of size ${n}`);
  }
}

/**
 * torch.gather: out[i][j] = x[i][index[i][j]] along axis 1 (and likewise for other axes).
 * index is int32 with x's rank; out has index's shape.
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  checkTensor("gather", "x", x);
  checkIndex("gather", index);
  checkSameDevice("gather", x, index, "x", "index");
  const a = normAxis("gather", axis, Math.max(x.ndim, 1));
  if (index.ndim !== x.ndim) throw new OpError("gather", `index must have the same rank as x: x is ${fmtShape(x.shape)}, index is ${fmtShape(index.shape)}`);
  for (let d = 0; d < x.ndim; d++) {
    if (d !== a && index.shape[d] > x.shape[d]) throw new OpError("gather", `index ${fmtShape(index.shape)} is larger than x ${fmtShape(x.shape)} in dimension ${d}`);
  }
  if (x.ndim === 0) return x;
  checkRange("gather", index, x.shape[a], a);
  const xs = denseStorage(x), is = denseStorage(index);
  const out = makeTensor(x.storage.backend.gather(xs, x.shape, is, index.shape, a), [...index.shape]);
  releaseTemp(x, xs);
  releaseTemp(index, is);
  if (!x.requiresGrad) return out;
  return record(out, "GatherBackward", [x], (g) => [scatterAddRaw(x.shape, a, index, g)], undefined, [index]);
}

/** zeros(outShape) with src added at index along axis; the adjoint of gather. */
function scatterAddRaw(outShape: readonly number[], axis: number, index: Tensor, src: Tensor): Tensor {
  const be = src.storage.backend;
  // index may be smaller than src: read src at index's coordinates only.
  let s = src;
  for (let d = 0; d < index.ndim; d++) if (s.shape[d] !== index.shape[d]) s = slice(s, d, 0, index.shape[d]);
  const ss = denseStorage(s), is = denseStorage(index);
  const out = makeTensor(be.scatterAdd(outShape, is, ss, index.shape, axis), [...outShape]);
  releaseTemp(s, ss);
  releaseTemp(index, is);
  if (!s.requiresGrad) return out;
  return record(out, "ScatterAddBackward", [s], (g) => [gather(g, axis, index)], undefined, [index]);
}

/**
 * torch.scatter_add: x with src[i][j] added at x[i][index[i][j]] (axis 1), accumulating repeats.
 */
export function scatterAdd(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  checkTensor("scatterAdd", "x", x);
  checkTensor("scatterAdd", "src", src);
  checkIndex("scatterAdd", index);
  checkSameDevice("scatterAdd", x, src, "x", "src");
  checkSameDevice("scatterAdd", x, index, "x", "index");
  const a = normAxis("scatterAdd", axis, Math.max(x.ndim, 1));
  if (index.ndim !== x.ndim || src.ndim !== x.ndim) {
    throw new OpError("scatterAdd", `x, index and src must have the same rank: x ${fmtShape(x.shape)}, index ${fmtShape(index.shape)}, src ${fmtShape(src.shape)}`);
  }
  for (let d = 0; d < x.ndim; d++) {
    if (index.shape[d] > src.shape[d] || (d !== a && index.shape[d] > x.shape[d])) {
      throw new OpError("scatterAdd", `index ${fmtShape(index.shape)} does not fit src ${fmtShape(src.shape)} and x ${fmtShape(x.shape)} in dimension ${d}`);
    }
  }
  checkRange("scatterAdd", index, x.shape[a], a);
  const s = src.dtype === x.dtype ? src : astype(src, x.dtype);
  return add(x, scatterAddRaw(x.shape, a, index, s));
}

/**
 * Picks entries along `axis` by a 1-D int32 index (or an array of numbers).
 * @example embeddings.indexSelect(0, tokenIds)
 */
export function indexSelect(x: Tensor, axis: number, index: Tensor | number[]): Tensor {
  checkTensor("indexSelect", "x", x);
  const a = normAxis("indexSelect", axis, Math.max(x.ndim, 1));
  const idx = Array.isArray(index) ? makeTensor(x.storage.backend.fromArray(index, "int32"), [index.length]) : checkIndex("indexSelect", index);
  if (idx.ndim !== 1) throw new OpError("indexSelect", `index must be 1-D, got shape ${fmtShape(idx.shape)}`);
  checkSameDevice("indexSelect", x, idx, "x", "index");
  const shape = [...x.shape];
  shape[a] = idx.shape[0];
  // The index expanded to the output's shape, for gather (and for the gradient, scatterAdd).
  const expanded = () => makeTensor(x.storage.backend.contiguous(expand(reshape(idx, x.shape.map((_, d) => (d === a ? idx.shape[0] : 1))), shape)), shape);
  const be = x.storage.backend;
  if (!be.indexSelect || x.ndim === 0) return gather(x, a, expanded());
  // Whole slices copied at once (a shuffled batch in fit is rows of the data set).
  checkRange("indexSelect", idx, x.shape[a], a);
  const outer = sizeOf(x.shape.slice(0, a)), inner = sizeOf(x.shape.slice(a + 1));
  const xs = denseStorage(x), is = denseStorage(idx);
  const out = makeTensor(be.indexSelect(xs, outer, x.shape[a], inner, is, idx.shape[0]), shape);
  releaseTemp(x, xs);
  releaseTemp(idx, is);
  if (!x.requiresGrad || !getEngine().gradEnabled) return out;
  // The backward keeps its own expanded index, as gather's did: the caller may dispose `index`
  // before calling backward.
  const full = expanded();
  return record(out, "IndexSelectBackward", [x], (g) => [scatterAddRaw(x.shape, a, full, g)], undefined, [full]);
}

/**
 * One-hot encoding: indices (int32, any shape) → indices.shape + [numClasses] of 0/1.
 * @example oneHot(tensor([0, 2], { dtype: "int32" }), 3)   // [[1,0,0],[0,0,1]]
 */
export function oneHot(indices: Tensor, numClasses: number, opts: { dtype?: DType } = {}): Tensor {
  checkIndex("oneHot", indices, "indices");
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new OpError("oneHot", `numClasses must be a positive integer, got ${numClasses}`);
  checkRange("oneHot", indices, numClasses, -1);
  const classes = arange(0, numClasses, 1, { dtype: "int32", device: indices.device });
  return astype(eq(unsqueeze(indices, -1), classes), opts.dtype ?? "int32");
}

