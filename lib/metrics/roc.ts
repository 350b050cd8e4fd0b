/**
 * Threshold curves and per-group error rates for binary classifiers.
 *
 * A binary classifier gives a score s per sample and predicts positive when s ≥ threshold.
 * Sweeping the threshold trades the two kinds of error against each other:
 * - false positive rate FPR = FP / (FP + TN) (type 1 errors among the true negatives),
 * - true positive rate TPR = recall = TP / (TP + FN) (1 − the type 2 error rate),
 * - precision = TP / (TP + FP).
 * The ROC curve plots TPR against FPR; its area (AUC) is the probability that a random
 * positive scores above a random negative (ties count one half).
 */
import { Tensor } from "../nn/core";

type Input = Tensor | ArrayLike<number>;

function flat(op: string, name: string, x: Input): Float64Array {
  if (x instanceof Tensor) {
    if (x.ndim > 2 || (x.ndim === 2 && x.shape[1] !== 1)) {
      throw new Error(`${op}: ${name} must be [N] or [N, 1], got [${x.shape.join(",")}]`);
    }
    return Float64Array.from(x.reshape([-1]).data());
  }
  return Float64Array.from(x);
}

function scoresAndLabels(op: string, scores: Input, y: Input): [Float64Array, Uint8Array] {
  const s = flat(op, "scores", scores);
  const t = flat(op, "targets", y);
  if (s.length !== t.length) throw new Error(`${op}: ${s.length} scores but ${t.length} targets`);
  if (s.length === 0) throw new Error(`${op}: no samples`);
  const labels = new Uint8Array(t.length);
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== 0 && t[i] !== 1) throw new Error(`${op}: targets must be 0 or 1, got ${t[i]} at index ${i}`);
    if (Number.isNaN(s[i])) throw new Error(`${op}: score ${i} is NaN`);
    labels[i] = t[i];
  }
  return [s, labels];
}

/** Counts and rates at one threshold (predict positive when score ≥ threshold). */
export interface ThresholdPoint {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** TP / (TP + FP); 1 when nothing is predicted positive (no false alarm was raised). */
  precision: number;
  /** TP / (TP + FN), the true positive rate. */
  recall: number;
  /** FP / (FP + TN). */
  fpr: number;
  accuracy: number;
}

function point(threshold: number, tp: number, fp: number, P: number, Nn: number): ThresholdPoint {
  const fn = P - tp, tn = Nn - fp;
  return {
    threshold, tp, fp, tn, fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: P === 0 ? 0 : tp / P,
    fpr: Nn === 0 ? 0 : fp / Nn,
    accuracy: (tp + tn) / (P + Nn),
  };
}

/**
 * Confusion counts, precision, recall and FPR at each given threshold.
 *
 * @example
 * metrics.thresholdSweep(probs, y, [0.1, 0.3, 0.5, 0.7, 0.9]).map((p) => [p.threshold, p.precision, p.recall])
 */
export function thresholdSweep(scores: Input, y: Input, thresholds: ArrayLike<number>): ThresholdPoint[] {
  const [s, t] = scoresAndLabels("thresholdSweep", scores, y);
  let P = 0;
  for (const v of t) P += v;
  const Nn = t.length - P;
  return Array.from(thresholds, (th) => {
    if (typeof th !== "number" || Number.isNaN(th)) throw new Error(`thresholdSweep: thresholds must be numbers, got ${th}`);
    let tp = 0, fp = 0;
    for (let i = 0; i < s.length; i++) if (s[i] >= th) { if (t[i]) tp++; else fp++; }
    return point(th, tp, fp, P, Nn);
  });
}

/** Points of a ROC curve, from (0, 0) (threshold +∞) to (1, 1). */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
  auc: number;
}

/** Distinct scores in decreasing order with the cumulative TP and FP counts at each. */
function sweepAll(op: string, scores: Input, y: Input) {
  const [s, t] = scoresAndLabels(op, scores, y);
  const order = Array.from(s.keys()).sort((a, b) => s[b] - s[a]);
  let P = 0;
  for (const v of t) P += v;
  const Nn = t.length - P;
  const thresholds: number[] = [], tps: number[] = [], fps: number[] = [];
  let tp = 0, fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (t[i]) tp++; else fp++;
    // Tied scores form one point: they cross the threshold together.
    if (k === order.length - 1 || s[order[k + 1]] !== s[i]) {
      thresholds.push(s[i]);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { thresholds, tps, fps, P, Nn };
}

/**
 * The ROC curve (true positive rate against false positive rate over every threshold) and its
 * area, by the trapezoidal rule.
 *
 * @example
 * const roc = metrics.rocCurve(probs, y);
 * plot.lineChart({ ROC: roc.tpr }, { x: roc.fpr, xLabel: "false positive rate", yLabel: "true positive rate" })
 */
export function rocCurve(scores: Input, y: Input): RocCurve {
  const { thresholds, tps, fps, P, Nn } = sweepAll("rocCurve", scores, y);
  if (P === 0 || Nn === 0) throw new Error(`rocCurve: needs both classes among the targets, got ${P} positives and ${Nn} negatives`);
  const fpr = [0, ...fps.map((f) => f / Nn)];
  const tpr = [0, ...tps.map((v) => v / P)];
  let auc = 0;
  for (let i = 1; i < fpr.length; i++) auc += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
  return { fpr, tpr, thresholds: [Infinity, ...thresholds], auc };
}

/**
 * Area under the ROC curve.
 * @example metrics.rocAuc(tensor([0.1, 0.4, 0.35, 0.8]), tensor([0, 0, 1, 1])) // 0.75
 */
export function rocAuc(scores: Input, y: Input): number {
  return rocCurve(scores, y).auc;
}

/** Precision and recall at every distinct score used as the threshold (highest first). */
export interface PrecisionRecallCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

/**
 * Precision against recall over every threshold, from the highest score down.
 * @example const pr = metrics.precisionRecallCurve(probs, y);
 */
export function precisionRecallCurve(scores: Input, y: Input): PrecisionRecallCurve {
  const { thresholds, tps, fps, P } = sweepAll("precisionRecallCurve", scores, y);
  if (P === 0) throw new Error("precisionRecallCurve: there are no positive targets, so recall is undefined");
  return {
    precision: tps.map((tp, i) => tp / (tp + fps[i])),
    recall: tps.map((tp) => tp / P),
    thresholds,
  };
}

/** Error rates of one group of samples. */
export interface GroupRates {
  group: string | number;
  count: number;
  positives: number;
  accuracy: number;
  /** Fraction of all samples misclassified. */
  errorRate: number;
  /** Among the group's true negatives, the fraction predicted positive. NaN without negatives. */
  falsePositiveRate: number;
  /** Among the group's true positives, the fraction predicted negative. NaN without positives. */
  falseNegativeRate: number;
}

/**
 * Accuracy, error rate, FPR and FNR separately for each group (a sensitive attribute such as
 * age band or region), to check that a classifier errs equally often for everyone.
 * Predictions are 0/1 labels, or scores thresholded at `threshold` (default 0.5).
 *
 * @example metrics.groupRates(probs, y, groupIds).map((g) => [g.group, g.errorRate])
 */
export function groupRates(
  yHat: Input,
  y: Input,
  groups: Input | ArrayLike<string>,
  options: { threshold?: number } = {},
): GroupRates[] {
  const op = "groupRates";
  const p = flat(op, "predictions", yHat);
  const t = flat(op, "targets", y);
  const g: ArrayLike<string | number> = groups instanceof Tensor ? groups.reshape([-1]).data() : (groups as ArrayLike<string | number>);
  if (p.length !== t.length || p.length !== g.length) {
    throw new Error(`${op}: predictions (${p.length}), targets (${t.length}) and groups (${g.length}) must have the same length`);
  }
  const th = options.threshold ?? 0.5;
  const stats = new Map<string | number, { n: number; pos: number; neg: number; err: number; fp: number; fn: number }>();
  for (let i = 0; i < p.length; i++) {
    if (t[i] !== 0 && t[i] !== 1) throw new Error(`${op}: targets must be 0 or 1, got ${t[i]} at index ${i}`);
    const pred = p[i] >= th ? 1 : 0;
    let s = stats.get(g[i]);
    if (!s) stats.set(g[i], (s = { n: 0, pos: 0, neg: 0, err: 0, fp: 0, fn: 0 }));
    s.n++;
    if (t[i] === 1) s.pos++; else s.neg++;
    if (pred !== t[i]) {
      s.err++;
      if (pred === 1) s.fp++; else s.fn++;
    }
  }
  return [...stats.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, s]) => ({
      group,
      count: s.n,
      positives: s.pos,
      accuracy: 1 - s.err / s.n,
      errorRate: s.err / s.n,
      falsePositiveRate: s.neg === 0 ? NaN : s.fp / s.neg,
      falseNegativeRate: s.pos === 0 ? NaN : s.fn / s.pos,
    }));
}
