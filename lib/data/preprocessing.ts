/**
 * Preprocessing: standardization, min-max scaling, one-hot encoding and splits.
 * Statistics are computed on the training set and reused on the others (pass `stats`), so
 * no information leaks from validation or test data.
 */
import { Tensor, indexSelect, oneHot as coreOneHot, tensor } from "../nn/core";
import { Rng } from "./random";

/**
 * (X − mean) / std per feature (over axis 0). Returns the statistics to reuse on test data.
 * @example
 * const { X: XTrainS, mean, std } = data.standardize(XTrain);
 * const { X: XTestS } = data.standardize(XTest, { mean, std });
 */
export function standardize(X: Tensor, stats?: { mean: Tensor; std: Tensor }): { X: Tensor; mean: Tensor; std: Tensor } {
  if (X.ndim < 1 || X.shape[0] < 1) throw new Error(`standardize: X must have samples on axis 0, got shape [${X.shape.join(",")}]`);
  const mean = stats?.mean ?? X.mean(0, true);
  // Constant features get std 1, so they map to 0 instead of NaN.
  const std = stats?.std ?? (() => {
    const s = X.sub(mean).square().mean(0, true).sqrt();
    return s.add(s.eq(0).astype(s.dtype));
  })();
  return { X: X.sub(mean).div(std), mean, std };
}

/**
 * (X − min) / (max − min) per feature, into [0, 1].
 * @example const { X: Xs, min, max } = data.minMaxScale(X);
 */
export function minMaxScale(X: Tensor, stats?: { min: Tensor; max: Tensor }): { X: Tensor; min: Tensor; max: Tensor } {
  if (X.ndim < 1 || X.shape[0] < 1) throw new Error(`minMaxScale: X must have samples on axis 0, got shape [${X.shape.join(",")}]`);
  const min = stats?.min ?? X.min(0, true);
  const max = stats?.max ?? X.max(0, true);
  const range = max.sub(min);
  const safe = range.add(range.eq(0).astype(range.dtype));
  return { X: X.sub(min).div(safe), min, max };
}

/**
 * One-hot rows (float32 [N, numClasses]) from integer labels [N].
 * @example data.oneHot(tensor([0, 2], { dtype: "int32" }), 3) // [[1,0,0],[0,0,1]]
 */
export function oneHot(labels: Tensor, numClasses: number): Tensor {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  const idx = labels.dtype === "int32" ? labels : labels.astype("int32");
  return coreOneHot(idx, numClasses).astype("float32");
}

function permutationOf(n: number, shuffle: boolean, seed: number): Int32Array {
  if (shuffle) return new Rng(seed).permutation(n);
  return Int32Array.from({ length: n }, (_, i) => i);
}

function take(t: Tensor, idx: Int32Array): Tensor {
  return indexSelect(t, 0, tensor(idx, { dtype: "int32" }));
}

/**
 * Splits samples into train and test parts (shuffled with a seed by default).
 * @example const { XTrain, yTrain, XTest, yTest } = data.trainTestSplit(X, y, { testSize: 0.2, seed: 0 });
 */
export function trainTestSplit(
  X: Tensor,
  y: Tensor,
  options: { testSize?: number; shuffle?: boolean; seed?: number } = {},
): { XTrain: Tensor; yTrain: Tensor; XTest: Tensor; yTest: Tensor } {
  const { testSize = 0.25, shuffle = true, seed = 0 } = options;
  const r = trainValTestSplit(X, y, { valSize: 0, testSize, shuffle, seed });
  return { XTrain: r.XTrain, yTrain: r.yTrain, XTest: r.XTest, yTest: r.yTest };
}

/**
 * Splits samples into train, validation and test parts (fractions of the whole).
 * @example const s = data.trainValTestSplit(X, y, { valSize: 0.1, testSize: 0.1 });
 */
export function trainValTestSplit(
  X: Tensor,
  y: Tensor,
  options: { valSize?: number; testSize?: number; shuffle?: boolean; seed?: number } = {},
): { XTrain: Tensor; yTrain: Tensor; XVal: Tensor; yVal: Tensor; XTest: Tensor; yTest: Tensor } {
  const { valSize = 0.1, testSize = 0.1, shuffle = true, seed = 0 } = options;
  if (X.shape[0] !== y.shape[0]) {
    throw new Error(`trainValTestSplit: X [${X.shape.join(",")}] and y [${y.shape.join(",")}] have different numbers of samples`);
  }
  for (const [k, v] of [["valSize", valSize], ["testSize", testSize]] as const) {
    if (!(v >= 0 && v < 1)) throw new Error(`trainValTestSplit: ${k} must be in [0, 1), got ${v}`);
  }
  if (valSize + testSize >= 1) throw new Error(`trainValTestSplit: valSize + testSize must be < 1, got ${valSize + testSize}`);
  const n = X.shape[0];
  const nTest = Math.round(n * testSize);
  const nVal = Math.round(n * valSize);
  const nTrain = n - nTest - nVal;
  if (nTrain < 1) throw new Error(`trainValTestSplit: ${n} samples leave no training data`);
  const p = permutationOf(n, shuffle, seed);
  const tr = p.subarray(0, nTrain);
  const va = p.subarray(nTrain, nTrain + nVal);
  const te = p.subarray(nTrain + nVal);
  return {
    XTrain: take(X, tr), yTrain: take(y, tr),
    XVal: take(X, va), yVal: take(y, va),
    XTest: take(X, te), yTest: take(y, te),
  };
}
