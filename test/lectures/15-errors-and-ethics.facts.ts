// 15 teaches: the confusion matrix's counts give precision and recall; raising the threshold moves
// precision up and recall down; the ROC curve beats guessing; costly misses push the best threshold
// down; a classifier trained on a skewed sample errs far more for the under-represented group, and
// balanced data narrows the gap.
{
  const fail = (msg: string) => { throw new Error(`15: ${msg}`); };
  if (TP + FP + TN + FN !== test.y.shape[0]) fail(`the confusion matrix should count every test patient once, got ${TP + FP + TN + FN}`);
  if (Math.abs(precisionByHand - (metrics.precision(predicted, test.y) as number)) > 1e-12) fail("precision by hand should equal metrics.precision");
  if (Math.abs(recallByHand - (metrics.recall(predicted, test.y) as number)) > 1e-12) fail("recall by hand should equal metrics.recall");
  for (let i = 1; i < recallCurve.length; i++) {
    if (recallCurve[i] > recallCurve[i - 1]) fail(`recall should never rise with the threshold: ${recallCurve[i - 1]} then ${recallCurve[i]} at ${thresholds[i]}`);
  }
  const lo = 0, hi = thresholds.length - 3;            // thresholds 0.05 and 0.85
  if (!(precisionCurve[hi] > precisionCurve[lo] + 0.2 && recallCurve[hi] < recallCurve[lo] - 0.3)) {
    fail(`along the threshold sweep precision should rise and recall fall: at ${thresholds[lo]} P=${precisionCurve[lo].toFixed(3)} R=${recallCurve[lo].toFixed(3)}, at ${thresholds[hi].toFixed(2)} P=${precisionCurve[hi].toFixed(3)} R=${recallCurve[hi].toFixed(3)}`);
  }
  if (!(roc.auc > 0.8)) fail(`the screening model should be far better than guessing, AUC ${roc.auc}`);
  if (!(bestThreshold < 0.5)) fail(`when a miss costs ${missCost}× a false alarm the best threshold should be below 0.5, got ${bestThreshold}`);
  const [a, b] = skewedRates;
  if (!(a.group === "A" && b.group === "B")) fail(`groupRates should list groups A and B, got ${skewedRates.map((g) => g.group)}`);
  if (!(b.errorRate > 2 * a.errorRate && b.errorRate - a.errorRate > 0.1)) {
    fail(`trained on 98.5 % A, the model should err much more for group B: A ${(100 * a.errorRate).toFixed(1)} %, B ${(100 * b.errorRate).toFixed(1)} %`);
  }
  const [a2, b2] = balancedRates;
  if (!(Math.abs(b2.errorRate - a2.errorRate) < (b.errorRate - a.errorRate) / 2)) {
    fail(`balanced training data should at least halve the gap: skewed ${(100 * (b.errorRate - a.errorRate)).toFixed(1)} points, balanced ${(100 * (b2.errorRate - a2.errorRate)).toFixed(1)} points`);
  }
}
