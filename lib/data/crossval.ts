/**
 * k-fold cross-validation splits (scikit-learn's `KFold`): every sample is used for validation
 * exactly once and for training k − 1 times.
 */
import { Tensor, indexSelect, tensor } from "../nn/core";
import { Rng } from "./random";

export interface Fold {
  /** Which fold this is, 0..k−1. */
  fold: number;
  XTrain: Tensor;
  yTrain: Tensor;
  XVal: Tensor;
  yVal: Tensor;
}

/**
 * The sample indices of k folds of nearly equal size (the first n mod k folds get one more),
 * shuffled with `seed` unless `shuffle` is false.
 *
 * @example
 * data.kFoldIndices(10, 3, { shuffle: false }).map((f) => Array.from(f.val)); // [[0,1,2,3], [4,5,6], [7,8,9]]
 */
export function kFoldIndices(n: number, k: number, options: { shuffle?: boolean; seed?: number } = {}): { train: Int32Array; val: Int32Array }[] {
  const { shuffle = true, seed = 0 } = options;
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`kFold: the number of samples must be an integer >= 2, got ${n}`);
  if (!(Number.isInteger(k) && k >= 2 && k <= n)) throw new Error(`kFold: k must be an integer in [2, ${n}] (the number of samples), got ${k}`);
  const order = shuffle ? new Rng(seed).permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  const out: { train: Int32Array; val: Int32Array }[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const val = order.slice(start, start + size);
    const train = new Int32Array(n - size);
    train.set(order.subarray(0, start));
    train.set(order.subarray(start + size), start);
    out.push({ train, val });
    start += size;
  }
  return out;
}

/**
 * The k (train, validation) splits of (X, y) for k-fold cross-validation.
 *
 * @example
 * const scores = data.kFold(X, y, 5).map(({ XTrain, yTrain, XVal, yVal }) => trainAndScore(XTrain, yTrain, XVal, yVal));
 * const cvScore = scores.reduce((a, b) => a + b) / scores.length;
 */
export function kFold(X: Tensor, y: Tensor, k: number, options: { shuffle?: boolean; seed?: number } = {}): Fold[] {
  if (!(X instanceof Tensor) || !(y instanceof Tensor)) throw new Error("kFold: X and y must be Tensors");
  if (X.ndim < 1 || y.ndim < 1 || X.shape[0] !== y.shape[0]) {
    throw new Error(`kFold: X [${X.shape}] and y [${y.shape}] must have the same number of samples (axis 0)`);
  }
  return kFoldIndices(X.shape[0], k, options).map(({ train, val }, fold) => {
    const ti = tensor(train, { dtype: "int32" }), vi = tensor(val, { dtype: "int32" });
    return { fold, XTrain: indexSelect(X, 0, ti), yTrain: indexSelect(y, 0, ti), XVal: indexSelect(X, 0, vi), yVal: indexSelect(y, 0, vi) };
  });
}
