/** sort, topk and cumsum. Sorted values are gathered from x, so their gradient comes free. */
import { NO_SAVED, record } from "../autograd";
import { OpError, fmtShape, normAxis } from "../errors";
import { Tensor, makeTensor } from "../tensor";
import { add, sub } from "./binary";
import { intTotal, sum } from "./reduce";
import { astype } from "./cast";
import { gather } from "./select";
import { contiguous, slice, transpose } from "./shape";
import { checkTensor, denseStorage, releaseTemp } from "./util";

/** Sort indices (int32) along `axis`, stable. */
function sortIndices(x: Tensor, axis: number, descending: boolean): Tensor {
  const last = x.ndim - 1;
  const xt = axis === last ? x : transpose(x, axis, last);
  const n = xt.shape[last];
  const s = denseStorage(xt);
  const { values, indices } = x.storage.backend.sort(s, xt.size / Math.max(n, 1), n, descending);
  releaseTemp(xt, s);
  x.storage.backend.dispose(values);
  const idx = makeTensor(indices, [...xt.shape]);
  return axis === last ? idx : contiguous(transpose(idx, axis, last));
}

/**
 * Sorts along `axis` (stable; NaN last). Returns the values and their int32 indices.
 * @example const { values, indices } = sort(x, -1, true)
 */
export function sort(x: Tensor, axis = -1, descending = false): { values: Tensor; indices: Tensor } {
  checkTensor("sort", "x", x);
  if (x.ndim === 0) return { values: x, indices: makeTensor(x.storage.backend.fill(1, 0, "int32"), []) };
  const a = normAxis("sort", axis, x.ndim);
  const indices = sortIndices(x, a, descending);
  return { values: gather(x, a, indices), indices };
}

/**
 * The k largest (or smallest) entries along `axis`, in order, with their indices.
 * @example topk(logits, 5).indices   // top-5 predictions
 */
export function topk(x: Tensor, k: number, axis = -1, largest = true): { values: Tensor; indices: Tensor } {
  checkTensor("topk", "x", x);
  const a = normAxis("topk", axis, Math.max(x.ndim, 1));
  const n = x.ndim === 0 ? 1 : x.shape[a];
  if (!Number.isInteger(k) || k < 0 || k > n) throw new OpError("topk", `k = ${k} is out of range for axis ${a} of size ${n} (shape ${fmtShape(x.shape)})`);
  if (x.ndim === 0) return sort(x);
  const indices = contiguous(slice(sortIndices(x, a, largest), a, 0, k));
  return { values: gather(x, a, indices), indices };
}

/**
 * Inclusive cumulative sum along `axis`.
 * @example cumsum(tensor([1, 2, 3]), 0)   // [1, 3, 6]
 */
export function cumsum(x: Tensor, axis: number): Tensor {
  checkTensor("cumsum", "x", x);
  if (x.ndim === 0) { normAxis("cumsum", axis, 1); return add(x, 0); }
  const a = normAxis("cumsum", axis, x.ndim);
  if (x.dtype === "bool" || x.dtype === "int32") return intTotal("cumsum", x, cumsum(astype(x, "float64"), a));
  const src = x;
  const s = denseStorage(src);
  const out = makeTensor(src.storage.backend.cumsum(s, src.shape, a), [...src.shape]);
  releaseTemp(src, s);
  if (!src.requiresGrad) return out;
  // d/dx_i of sum_j g_j y_j = sum_{j >= i} g_j = total - cumsum(g) + g: differentiable again.
  return record(out, "CumsumBackward", [src], (g) => [add(sub(sum(g, a, true), cumsum(g, a)), g)], undefined, NO_SAVED);
}
