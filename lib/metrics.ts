/**
 * Classification and regression metrics. They take tensors (or plain arrays) and return
 * plain numbers, so a notebook can print or plot them directly.
 *
 * Predictions may be class scores [N, C] (the arg-max is the predicted class), labels [N],
 * or binary scores [N] / [N, 1] (thresholded); targets may be labels [N] or one-hot [N, C].
 */
import { Tensor, tensor } from "./nn/core";

type Input = Tensor | ArrayLike<number> | number[][];

function toTensor(x: Input): Tensor {
  return x instanceof Tensor ? x : tensor(x as number[]);
}

/** Predicted class per sample: arg-max of scores [N, C], threshold of binary scores, or labels. */
export function predictedLabels(yHat: Input, options: { threshold?: number } = {}): Int32Array {
  const t = toTensor(yHat);
  if (t.ndim === 2 && t.shape[1] > 1) return Int32Array.from(t.argmax(1).data());
  const flat = t.reshape([-1]);
  if (flat.dtype === "int32" || flat.dtype === "bool") return Int32Array.from(flat.data());
  const v = flat.data();
  if (options.threshold === undefined) {
    // Integer-valued float predictions are labels; otherwise threshold at 0.5 (probabilities).
    let integral = true;
    for (let i = 0; i < v.length && integral; i++) integral = Number.isInteger(v[i]) && v[i] >= 0;
    if (integral) return Int32Array.from(v);
  }
  const th = options.threshold ?? 0.5;
  return Int32Array.from(v, (a) => (a > th ? 1 : 0));
}

/** True class per sample from labels [N], [N, 1] or one-hot [N, C]. */
export function trueLabels(y: Input): Int32Array {
  const t = toTensor(y);
  if (t.ndim === 2 && t.shape[1] > 1) return Int32Array.from(t.argmax(1).data());
  return Int32Array.from(t.reshape([-1]).data(), (v) => Math.round(v));
}

function pair(op: string, yHat: Input, y: Input, options: { threshold?: number } = {}): [Int32Array, Int32Array] {
  const p = predictedLabels(yHat, options);
  const t = trueLabels(y);
  if (p.length !== t.length) {
    const s = (x: Input) => (x instanceof Tensor ? `[${x.shape.join(",")}]` : `length ${(x as ArrayLike<number>).length}`);
    throw new Error(`${op}: predictions ${s(yHat)} and targets ${s(y)} have different numbers of samples (${p.length} vs ${t.length})`);
  }
  return [p, t];
}

/**
 * Fraction of samples whose predicted class equals the target.
 * @example metrics.accuracy(tensor([[0.1, 0.9], [0.8, 0.2]]), tensor([1, 1])) // 0.5
 */
export function accuracy(yHat: Input, y: Input, options: { threshold?: number } = {}): number {
  const [p, t] = pair("accuracy", yHat, y, options);
  if (p.length === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) ok++;
  return ok / p.length;
}

/**
 * Top-k error: fraction of samples whose target is not among the k highest scores (the
 * notes' top-1 and top-5 error).
 * @example metrics.topKError(scores, labels, 5)
 */
export function topKError(scores: Input, y: Input, k = 5): number {
  const s = toTensor(scores);
  if (s.ndim !== 2) throw new Error(`topKError: scores must be [N, C], got [${s.shape.join(",")}]`);
  const [n, c] = s.shape;
  if (!Number.isInteger(k) || k < 1 || k > c) throw new Error(`topKError: k must be an integer in [1, ${c}], got ${k}`);
  const t = trueLabels(y);
  if (t.length !== n) throw new Error(`topKError: scores [${s.shape.join(",")}] and ${t.length} targets differ in samples`);
  const v = s.data();
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    const target = v[i * c + t[i]];
    // Rank of the target = number of strictly larger scores; ties count in its favour.
    let larger = 0;
    for (let j = 0; j < c; j++) if (v[i * c + j] > target) larger++;
    if (larger >= k) wrong++;
  }
  return wrong / n;
}

/**
 * Confusion matrix: entry [i][j] counts samples of true class i predicted as class j.
 * @example metrics.confusionMatrix(yHat, y, 10)
 */
export function confusionMatrix(yHat: Input, y: Input, numClasses?: number): number[][] {
  const [p, t] = pair("confusionMatrix", yHat, y);
  let c = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < p.length; i++) c = Math.max(c, p[i] + 1, t[i] + 1);
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < p.length; i++) {
    if (p[i] < 0 || p[i] >= c || t[i] < 0 || t[i] >= c) {
      throw new Error(`confusionMatrix: class ${Math.max(p[i], t[i])} is outside [0, ${c}) (numClasses = ${c})`);
    }
    m[t[i]][p[i]]++;
  }
  return m;
}

export interface PrecisionRecallOptions {
  /** Class counted as positive for a binary problem (default 1). */
  positive?: number;
  /** "binary" (default when 2 classes): of `positive`; "macro": mean over classes; "none": per class. */
  average?: "binary" | "macro" | "none";
  numClasses?: number;
}

function perClass(m: number[][], which: "precision" | "recall"): number[] {
  return m.map((row, i) => {
    const tp = row[i];
    const denom = which === "recall" ? row.reduce((a, b) => a + b, 0) : m.reduce((a, r) => a + r[i], 0);
    return denom === 0 ? 0 : tp / denom;
  });
}

function prf(op: "precision" | "recall", yHat: Input, y: Input, o: PrecisionRecallOptions): number | number[] {
  const m = confusionMatrix(yHat, y, o.numClasses);
  const per = perClass(m, op);
  const average = o.average ?? (m.length <= 2 ? "binary" : "macro");
  if (average === "none") return per;
  if (average === "macro") return per.reduce((a, b) => a + b, 0) / per.length;
  const pos = o.positive ?? 1;
  if (pos >= per.length) throw new Error(`${op}: positive class ${pos} does not occur (${per.length} classes)`);
  return per[pos];
}

/**
 * Precision TP / (TP + FP): of the samples predicted positive, the fraction that are.
 * @example metrics.precision(tensor([1, 1, 0]), tensor([1, 0, 0])) // 0.5
 */
export function precision(yHat: Input, y: Input, options: PrecisionRecallOptions = {}): number | number[] {
  return prf("precision", yHat, y, options);
}

/**
 * Recall TP / (TP + FN): of the positive samples, the fraction found.
 * @example metrics.recall(tensor([1, 0, 0]), tensor([1, 1, 0])) // 0.5
 */
export function recall(yHat: Input, y: Input, options: PrecisionRecallOptions = {}): number | number[] {
  return prf("recall", yHat, y, options);
}

/**
 * F1 score, the harmonic mean of precision and recall (binary by default).
 * @example metrics.f1Score(yHat, y)
 */
export function f1Score(yHat: Input, y: Input, options: PrecisionRecallOptions = {}): number {
  const p = precision(yHat, y, { ...options, average: options.average === "none" ? "binary" : options.average }) as number;
  const r = recall(yHat, y, { ...options, average: options.average === "none" ? "binary" : options.average }) as number;
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

/**
 * Mean squared error as a number (for regression reports).
 * @example metrics.meanSquaredError(yHat, y)
 */
export function meanSquaredError(yHat: Input, y: Input): number {
  const a = toTensor(yHat).reshape([-1]).data();
  const b = toTensor(y).reshape([-1]).data();
  if (a.length !== b.length) throw new Error(`meanSquaredError: ${a.length} predictions but ${b.length} targets`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/**
 * Mean absolute error as a number.
 * @example metrics.meanAbsoluteError(yHat, y)
 */
export function meanAbsoluteError(yHat: Input, y: Input): number {
  const a = toTensor(yHat).reshape([-1]).data();
  const b = toTensor(y).reshape([-1]).data();
  if (a.length !== b.length) throw new Error(`meanAbsoluteError: ${a.length} predictions but ${b.length} targets`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}
export { thresholdSweep, rocCurve, rocAuc, precisionRecallCurve, groupRates, type ThresholdPoint, type RocCurve, type PrecisionRecallCurve, type GroupRates } from "./metrics/roc";
