// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="15-errors-and-ethics"
// # 15 · Errors and ethics
//
// A model that is right 95 % of the time sounds good until you ask what the other 5 % are, and who
// they happen to. This last lecture is about looking at errors properly: the **confusion matrix**,
// **precision** and **recall**, the two kinds of mistake and their different **costs**, and the
// **threshold** that trades one against the other (with the **ROC curve**). Then it shows how a
// classifier trained on a **skewed** data set fails one group of people far more often than another,
// although nobody programmed it to, and closes with what that means for the people who build such
// systems.

// %% [markdown] id="a-screening-test"
// ## A screening test
//
// The running example is a medical screening test: two measurements per patient, and a label that
// says whether the patient has the condition. As in real screening, the condition is rare, about one
// patient in ten, and the measurements of ill and healthy patients overlap.

// %% id="code-1b5f115c"
function screening(n: number, seed: number) {
  const rng = new data.Rng(seed);
  const features: number[][] = [], labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const ill = rng.uniform() < 0.1 ? 1 : 0;
    // The ill have higher values on average; both groups spread by one unit.
    features.push([rng.normal(ill ? 1.6 : 0, 1), rng.normal(ill ? 1.2 : 0, 1)]);
    labels.push(ill);
  }
  return { X: tensor(features), y: tensor(labels).reshape([n, 1]) };
}
const train = screening(2000, 0), test = screening(2000, 1);

function trainClassifier(X: Tensor, y: Tensor, numEpochs = 150, seed = 0) {
  manualSeed(seed);
  const model = new nn.Sequential([new nn.Dense(8, { inputDim: X.shape[1], activation: "tanh" }), new nn.Dense(1, { inputDim: 8 })]);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.05 });
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    tidy(() => {
      const loss = nn.binaryCrossEntropy(model.call(X) as Tensor, y, { fromLogits: true });
      optimizer.zeroGrad();
      loss.backward();
    });
    optimizer.step();
  }
  return model;
}
const model = trainClassifier(train.X, train.y);
const yHat = noGrad(() => (model.call(test.X) as Tensor).sigmoid());     // probability of "ill"
const accuracy = metrics.accuracy(yHat, test.y);
const ill = test.y.sum().item();
console.log(`test accuracy ${(100 * accuracy).toFixed(1)} %`);
console.log(`a "test" that calls everybody healthy: ${(100 * (1 - ill / test.y.shape[0])).toFixed(1)} % (${ill} of ${test.y.shape[0]} patients are ill)`);

// %% [markdown] id="the-confusion-matrix"
// The trained model is more accurate than saying "healthy" to everyone, but not by much, and the
// useless rule scores 90 %. With rare classes, accuracy hides exactly the cases we care about.
//
// ## The confusion matrix
//
// Counting the four possible outcomes separately tells the whole story. With "ill" as the
// **positive** class:
//
// | | predicted healthy | predicted ill |
// |---|---|---|
// | **healthy** | true negative (TN) | **false positive** (FP), a type 1 error |
// | **ill** | **false negative** (FN), a type 2 error | true positive (TP) |

// %% id="code-8fca25f6"
const threshold = 0.5;            // predict "ill" when the probability is at least this; try 0.2 and 0.8
const predicted = yHat.ge(threshold).float();
const cm = metrics.confusionMatrix(predicted, test.y, 2);
const [[TN, FP], [FN, TP]] = cm;
console.log({ TN, FP, FN, TP });
plot.confusionMatrix(cm, { labels: ["healthy", "ill"], title: `Screening test at threshold ${threshold}` })

// %% [markdown] id="md-1968a734"
// Two rates summarise the positive class:
//
// - **precision** $= \frac{TP}{TP + FP}$: of the patients the test flags, how many are really ill?
// - **recall** (sensitivity, true positive rate) $= \frac{TP}{TP + FN}$: of the ill patients, how many
//   does the test find?
//
// and the **F1 score** is their harmonic mean, $2PR/(P + R)$. By hand, and with the library:

// %% id="code-b4cc2d79"
const precisionByHand = TP / (TP + FP), recallByHand = TP / (TP + FN);
console.log(`precision ${precisionByHand.toFixed(3)} (metrics.precision: ${(metrics.precision(predicted, test.y) as number).toFixed(3)})`);
console.log(`recall    ${recallByHand.toFixed(3)} (metrics.recall:    ${(metrics.recall(predicted, test.y) as number).toFixed(3)})`);
console.log(`F1        ${metrics.f1Score(predicted, test.y).toFixed(3)}`);

// %% [markdown] id="two-kinds-of-error-two-different-costs"
// ## Two kinds of error, two different costs
//
// The two errors are not equally bad, and which is worse depends on the application:
//
// - A **false positive** (type 1) sends a healthy patient to further tests or even unnecessary
//   surgery; a car's emergency brake fires for no reason, and the driver behind may hit it.
// - A **false negative** (type 2) leaves an ill patient untreated; the car does not brake, and
//   crashes into the one in front.
//
// A classifier that outputs a probability does not fix the balance: the **threshold** does. Lowering it
// flags more patients, which finds more of the ill (recall up) and raises more false alarms (precision
// down). `metrics.thresholdSweep` computes the counts and rates at many thresholds at once:

// %% id="code-8b3dd86d"
const thresholds = Array.from({ length: 19 }, (_, i) => 0.05 * (i + 1));
const sweep = metrics.thresholdSweep(yHat, test.y, thresholds);
const precisionCurve = sweep.map((p) => p.precision), recallCurve = sweep.map((p) => p.recall);
plot.lineChart({ precision: precisionCurve, recall: recallCurve, "false positive rate": sweep.map((p) => p.fpr) }, {
  x: thresholds, title: "Moving the threshold trades one error for the other", xLabel: "threshold on P(ill)", yLabel: "rate", legendTitle: "",
})

// %% [markdown] id="md-b87b52b2"
// Precision rises and recall falls as the threshold goes up; at the very top nobody is flagged, and
// precision is then taken as 1 (no alarm was false) while recall is 0.
//
// The **ROC curve** shows the same trade without choosing a threshold: the true positive rate (recall)
// against the false positive rate, one point per threshold, from "nobody is flagged" at (0, 0) to
// "everybody is" at (1, 1). A useless classifier lies on the diagonal; a perfect one goes straight up
// to (0, 1). The **area under the curve** (AUC) is the probability that a randomly chosen ill patient
// gets a higher score than a randomly chosen healthy one. The **precision-recall curve** is the same
// information seen from the flagged patients, and is more telling when positives are rare.

// %% id="code-79ed14a7"
const roc = metrics.rocCurve(yHat, test.y);
const firstFeatureOnly = metrics.rocCurve(test.X.slice(1, 0, 1), test.y);    // using measurement 1 alone as the score
console.log(`AUC: model ${roc.auc.toFixed(3)}, measurement 1 alone ${firstFeatureOnly.auc.toFixed(3)}`);
plot.rocCurve({ "model": roc, "measurement 1 alone": firstFeatureOnly })

// %% id="code-36d32026"
plot.precisionRecallCurve({ "model": metrics.precisionRecallCurve(yHat, test.y) })

// %% [markdown] id="choosing-the-threshold-from-the-costs"
// ### Choosing the threshold from the costs
//
// Suppose a missed illness is judged 10 times as costly as a false alarm (that number is a decision
// for doctors and patients, not for the model). The expected cost per patient at threshold $\theta$ is
// $(10 \cdot FN(\theta) + FP(\theta)) / m$, and the best threshold is where it is smallest. Change
// `missCost` and see the best threshold move.

// %% id="code-0b97eeaa"
const missCost = 10, falseAlarmCost = 1;
const costs = sweep.map((p) => (missCost * p.fn + falseAlarmCost * p.fp) / test.y.shape[0]);
const bestIndex = costs.indexOf(Math.min(...costs));
const bestThreshold = thresholds[bestIndex];
console.log(`lowest cost ${costs[bestIndex].toFixed(3)} per patient at threshold ${bestThreshold.toFixed(2)}: precision ${sweep[bestIndex].precision.toFixed(2)}, recall ${sweep[bestIndex].recall.toFixed(2)}`);
console.log(`at the default 0.5: cost ${costs[9].toFixed(3)}, precision ${sweep[9].precision.toFixed(2)}, recall ${sweep[9].recall.toFixed(2)}`);
plot.lineChart({ "expected cost": costs }, { x: thresholds, title: `Cost per patient when a miss costs ${missCost}× a false alarm`, xLabel: "threshold on P(ill)", yLabel: "expected cost" })

// %% [markdown] id="hidden-bias-a-model-learns-what-its-data"
// With misses this expensive the best threshold is far below 0.5: the test should flag many more
// patients and accept the false alarms. The threshold is a decision about consequences: make it
// deliberately, from what each kind of error does to the people involved, and never leave it at 0.5
// by default.
//
// ## Hidden bias: a model learns what its data shows
//
// Being a program does not make a model impartial. It learns whatever regularities its training
// data contains, including the ones we would rather it did not: a model trained on past hiring
// decisions to screen job applications reproduces the biases of those decisions about gender, age or
// origin, because they are in the labels it was trained on.
//
// Bias also enters through *who is in the data*. Here the screening test is used on two groups of
// patients, A and B. For group B the second measurement behaves differently (think of a sensor
// calibrated on people of group A), so the same values mean something else. The training set, though,
// was collected almost entirely from group A: 1,970 patients of group A and only 30 of group B. The model gets the group as a third input, so it
// *could* learn both rules.

// %% id="code-91191f20"
function twoGroups(nA: number, nB: number, seed: number) {
  const rng = new data.Rng(seed);
  const features: number[][] = [], labels: number[] = [], groups: string[] = [];
  for (let i = 0; i < nA + nB; i++) {
    const inB = i >= nA;
    const x1 = rng.normal(0, 1), x2 = rng.normal(0, 1);
    // Group A: ill when x1 + x2 is high. Group B: the second measurement reads the other way.
    const score = inB ? x1 - x2 : x1 + x2;
    const label = score + rng.normal(0, 0.3) > 0.8 ? 1 : 0;
    features.push([x1, x2, inB ? 1 : 0]);
    labels.push(label);
    groups.push(inB ? "B" : "A");
  }
  return { X: tensor(features), y: tensor(labels).reshape([nA + nB, 1]), groups };
}
const skewedTrain = twoGroups(1970, 30, 2);
const balancedTest = twoGroups(1000, 1000, 3);
const skewedModel = trainClassifier(skewedTrain.X, skewedTrain.y, 200);
const skewedScores = noGrad(() => (skewedModel.call(balancedTest.X) as Tensor).sigmoid());
const skewedRates = metrics.groupRates(skewedScores, balancedTest.y, balancedTest.groups);
console.log(`overall test accuracy ${(100 * metrics.accuracy(skewedScores, balancedTest.y)).toFixed(1)} %`);
for (const g of skewedRates) {
  console.log(`group ${g.group}: ${g.count} patients, error rate ${(100 * g.errorRate).toFixed(1)} %, missed illnesses (FNR) ${(100 * g.falseNegativeRate).toFixed(1)} %, false alarms (FPR) ${(100 * g.falsePositiveRate).toFixed(1)} %`);
}

// %% [markdown] id="md-dd166328"
// On a test set with as many patients of each group, the model errs several times as often for group
// B: with so few examples, it mostly applies group A's rule to everyone, and misses most of the ill
// patients of group B (its false negative rate above). Averaged over a test set drawn like the training set (98.5 % A), the overall accuracy would look
// fine, and the problem would stay hidden unless someone computed the error rates **per group**.
//
// The same architecture trained on a sample with both groups equally represented (still 2,000
// patients, so no more data in total):

// %% id="code-aa61e1f4"
const balancedTrain = twoGroups(1000, 1000, 4);
const balancedModel = trainClassifier(balancedTrain.X, balancedTrain.y, 200);
const balancedScores = noGrad(() => (balancedModel.call(balancedTest.X) as Tensor).sigmoid());
const balancedRates = metrics.groupRates(balancedScores, balancedTest.y, balancedTest.groups);
const errorTable = {
  "trained on 98.5 % A": skewedRates.map((g) => g.errorRate),
  "trained on 50 % A": balancedRates.map((g) => g.errorRate),
};
for (const g of balancedRates) console.log(`group ${g.group}: error rate ${(100 * g.errorRate).toFixed(1)} %`);
plot.heatmap([errorTable["trained on 98.5 % A"], errorTable["trained on 50 % A"]].map((r) => r.map((v) => 100 * v)), {
  title: "Test error rate (%) by group", xLabels: skewedRates.map((g) => g.group), yLabels: ["98.5 % A", "50 % A"],
  xLabel: "patients' group", yLabel: "training data", colorTitle: "error %", digits: 1, scheme: "oranges", width: 160, height: 110,
})

// %% [markdown] id="responsibility"
// With group B properly represented, its error rate falls to about that of group A, at little cost to
// A. Nothing about the model changed, only the data. In real systems it is rarely this clean: the
// group may not be recorded, it may be entangled with other features, or the labels themselves may
// encode past unfairness, which no amount of balancing removes. But the first step is always the same:
// measure the errors separately for the groups the system affects.
//
// ## Responsibility
//
// The notes end with questions rather than formulas, and they belong in every project:
//
// - **What do the errors cost, and who pays?** Decide which mistakes are acceptable before choosing
//   the metric and the threshold, and report false positives and false negatives, not one accuracy.
// - **Is the data fair to everyone the model will judge?** Historical decisions carry historical
//   biases; under-represented groups get worse models. Check error rates per group.
// - **Is it really better than a person?** Report what a model does, measured, not what you hope it
//   does. A diagnostic model that is almost as good as a doctor is not a replacement for one, and a
//   car that drives itself well most of the time can still kill someone.
// - **What else could it be used for?** Research and tools leave the hands of their makers. A model
//   that predicts behaviour from recorded data (what you see, say, type and where you go; lecture 12's
//   sequences) serves whoever holds the data, for whatever purpose they choose, and there is a lot of
//   money in it. Consider how your work could be misused, and say so.
//
// ## Summary
//
// - Accuracy hides the errors that matter when classes are rare; the confusion matrix shows all four
//   outcomes.
// - Precision $TP/(TP+FP)$ and recall $TP/(TP+FN)$ describe the positive class; moving the threshold
//   raises one and lowers the other; the ROC curve and its AUC show the whole trade-off.
// - False positives and false negatives have different costs; choose the threshold from them.
// - A model trained on data that under-represents a group can fail that group far more often;
//   per-group error rates (`metrics.groupRates`) reveal it, and better data can fix it.
// - Building models carries responsibility for their errors, their biases and their uses.
//
// ## Exercises
//
// 1. Set `threshold` to 0.2 and to 0.8 and rerun from that cell. How do the confusion matrix,
//    precision and recall change?
// 2. Make false alarms the expensive error (`missCost = 1`, `falseAlarmCost = 10`). Where is the best
//    threshold now? Name an application where that is the right choice.
// 3. Compute the ROC curve's AUC by hand from its definition: the fraction of (ill, healthy) pairs in
//    which the ill patient has the higher score. Compare with `roc.auc`.
// 4. Train the skewed model without the group input (use only the first two features). What happens
//    to the error rates of each group, and why can a single rule not serve both?
// 5. Instead of collecting a balanced sample, weight the loss of each group-B patient by 66 (1,970 / 30)
//    in the skewed training set. Does that close the gap as well?
