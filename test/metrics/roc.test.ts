import { describe, expect, it } from "vitest";
import { tensor } from "../../lib/index";
import { groupRates, precisionRecallCurve, rocAuc, rocCurve, thresholdSweep } from "../../lib/metrics/roc";
import * as metrics from "../../lib/metrics";

const scores = [0.1, 0.4, 0.35, 0.8];
const y = [0, 0, 1, 1];

describe("rocCurve", () => {
  it("walks the thresholds from the highest score (the textbook example, AUC 0.75)", () => {
    const roc = rocCurve(tensor(scores), tensor(y));
    expect(roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(roc.thresholds).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1].map((v, i) => (i === 0 ? v : Math.fround(v))));
    expect(roc.auc).toBeCloseTo(0.75, 12);
    expect(rocAuc(scores, y)).toBeCloseTo(0.75, 12);
    expect(metrics.rocAuc).toBe(rocAuc);
  });
  it("equals the fraction of (positive, negative) pairs ranked correctly, ties counting half", () => {
    const s = [0.2, 0.2, 0.5, 0.9, 0.5, 0.1, 0.7, 0.2];
    const t = [1, 0, 1, 1, 0, 0, 0, 1];
    let good = 0, pairs = 0;
    for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) {
      if (t[i] === 1 && t[j] === 0) { pairs++; good += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0; }
    }
    expect(rocAuc(s, t)).toBeCloseTo(good / pairs, 12);
  });
  it("is 1 for a perfect ranking and 0.5 for constant scores", () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.3, 0.3, 0.3, 0.3], [0, 1, 0, 1])).toBe(0.5);
  });
  it("names bad input", () => {
    expect(() => rocCurve([0.1, 0.2], [1, 1])).toThrow(/needs both classes.*2 positives and 0 negatives/);
    expect(() => rocCurve([0.1, 0.2], [0, 2])).toThrow(/targets must be 0 or 1, got 2 at index 1/);
    expect(() => rocCurve([0.1], [0, 1])).toThrow(/1 scores but 2 targets/);
    expect(() => rocCurve(tensor([[0.1, 0.9]]), [1])).toThrow(/scores must be \[N\] or \[N, 1\], got \[1,2\]/);
  });
});

describe("thresholdSweep and precisionRecallCurve", () => {
  it("counts TP/FP/TN/FN at each threshold and agrees with precision/recall", () => {
    const [lo, mid, hi] = thresholdSweep(scores, y, [0, 0.38, 0.9]);
    expect(lo).toMatchObject({ tp: 2, fp: 2, tn: 0, fn: 0, precision: 0.5, recall: 1, fpr: 1, accuracy: 0.5 });
    expect(mid).toMatchObject({ tp: 1, fp: 1, tn: 1, fn: 1, precision: 0.5, recall: 0.5, fpr: 0.5 });
    expect(hi).toMatchObject({ tp: 0, fp: 0, precision: 1, recall: 0, fpr: 0 });
    const pred = scores.map((s) => (s >= 0.38 ? 1 : 0));
    expect(metrics.precision(pred, y)).toBe(mid.precision);
    expect(metrics.recall(pred, y)).toBe(mid.recall);
  });
  it("gives precision and recall at every distinct score", () => {
    const pr = precisionRecallCurve(scores, y);
    expect(pr.recall).toEqual([0.5, 0.5, 1, 1]);
    expect(pr.precision).toEqual([1, 0.5, 2 / 3, 0.5]);
    expect(() => precisionRecallCurve([0.1], [0])).toThrow(/no positive targets/);
  });
});

describe("groupRates", () => {
  it("splits accuracy, FPR and FNR by group", () => {
    const yHat = [1, 0, 1, 1, 0, 0, 1, 0];
    const t = [1, 0, 0, 1, 1, 1, 0, 0];
    const g = ["a", "a", "a", "a", "b", "b", "b", "b"];
    const [a, b] = groupRates(yHat, t, g);
    expect(a).toMatchObject({ group: "a", count: 4, positives: 2, accuracy: 0.75, errorRate: 0.25, falsePositiveRate: 0.5, falseNegativeRate: 0 });
    expect(b).toMatchObject({ group: "b", count: 4, positives: 2, accuracy: 0.25, errorRate: 0.75, falsePositiveRate: 0.5, falseNegativeRate: 1 });
  });
  it("thresholds scores and accepts numeric groups from a tensor", () => {
    const r = groupRates(tensor([0.9, 0.2, 0.6]), [1, 0, 0], tensor([1, 0, 1]), { threshold: 0.7 });
    expect(r.map((x) => x.group)).toEqual([0, 1]);
    expect(r[1]).toMatchObject({ count: 2, errorRate: 0 });
    expect(Number.isNaN(r[0].falseNegativeRate)).toBe(true);
    expect(() => groupRates([1, 0], [1, 0], ["a"])).toThrow(/groups \(1\) must have the same length/);
  });
});
