/** softmax and logSoftmax (one fused, stable kernel over the last axis; others are transposed). */
import { record } from "../autograd";
import { isFloat } from "../dtype";
import { normAxis } from "../errors";
import { Tensor, makeTensor } from "../tensor";
import { exp } from "./unary";
import { mul, sub } from "./binary";
import { sum } from "./reduce";
import { astype } from "./cast";
import { transpose } from "./shape";
import { checkTensor, denseStorage, releaseTemp } from "./util";

function lastAxis(x: Tensor, log: boolean): Tensor {
  const n = x.shape[x.ndim - 1];
  const s = denseStorage(x);
  const out = makeTensor(x.storage.backend.softmax(s, n === 0 ? 0 : x.size / n, n, log), [...x.shape]);
  releaseTemp(x, s);
  if (!x.requiresGrad) return out;
  if (log) return record(out, "LogSoftmaxBackward", [x], (g) => [sub(g, mul(exp(out), sum(g, -1, true)))], undefined, [out]);
  return record(out, "SoftmaxBackward", [x], (g) => [mul(out, sub(g, sum(mul(g, out), -1, true)))], undefined, [out]);
}

function softmaxAlong(op: string, x: Tensor, axis: number, log: boolean): Tensor {
  checkTensor(op, "x", x);
  if (!isFloat(x.dtype)) x = astype(x, "float32");
  if (x.ndim === 0) return lastAxis(x.reshape(1), log).reshape([]);
  const a = normAxis(op, axis, x.ndim);
  const last = x.ndim - 1;
  if (a === last) return lastAxis(x, log);
  return transpose(lastAxis(transpose(x, a, last), log), a, last);
}

/**
 * exp(x) / sum(exp(x)) along `axis`, computed stably (the max is subtracted first).
 * @example softmax(logits)   // rows sum to 1
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxAlong("softmax", x, axis, false);
}

/** log(softmax(x)) along `axis`, without the overflow of the naive form. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxAlong("logSoftmax", x, axis, true);
}
