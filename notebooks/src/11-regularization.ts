// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="11-regularization"
// # 11 · Regularization
//
// A network large enough to learn the task is usually large enough to memorise its training set,
// noise and all. **Regularization** is whatever we do to make it generalise instead: penalties on the
// weights (**L1**, **L2**), **dropout** and **DropConnect**, **data augmentation**, **early stopping**.
// The last part is about choosing the hyperparameters these methods bring: **grid** versus **random**
// search, **coarse to fine**, and **cross-validation**.

// %% [markdown] id="under-and-over-fitting"
// ## Under- and over-fitting
//
// The two moons again, with only 60 noisy training points and 500 validation points from the same
// distribution. Three models: a single logistic unit (a straight boundary), a small network, and a
// large one with two hidden layers of 64 units trained for 200 epochs.

// %% id="cell-02"
const small = data.moons({ samples: 60, noise: 0.35, seed: 1 });
const valSet = data.moons({ samples: 500, noise: 0.35, seed: 2 });
const X = small.X, y = small.y;
const numEpochs = 200;

interface Options { kernelRegularizer?: nn.Regularizer; dropout?: number; dropConnect?: number }
function bigModel(options: Options = {}) {
  manualSeed(3);
  const { kernelRegularizer, dropout = 0, dropConnect = 0 } = options;
  const hidden = (inputDim: number) => new nn.Dense(64, { inputDim, activation: "relu", kernelRegularizer });
  const layers: nn.Module[] = [];
  for (const inputDim of [2, 64]) {
    layers.push(dropConnect > 0 ? new nn.DropConnect(hidden(inputDim), dropConnect) : hidden(inputDim));
    if (dropout > 0) layers.push(new nn.Dropout(dropout));
  }
  layers.push(new nn.Dense(1, { inputDim: 64 }));
  const model = new nn.Sequential(layers);
  model.compile({ optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }), loss: "binaryCrossentropyFromLogits", metrics: ["accuracy"] });
  return model;
}
async function trainAndReport(name: string, model: nn.Sequential, epochs = numEpochs) {
  const history = await model.fit(X, y, { epochs, batchSize: 60, validationData: [valSet.X, valSet.y], verbose: 0 });
  const h = history.history;
  console.log(`${name.padEnd(22)} training accuracy ${h.accuracy[epochs - 1].toFixed(3)}, validation ${h.val_accuracy[epochs - 1].toFixed(3)}, validation loss ${h.val_loss[epochs - 1].toFixed(3)}`);
  return h;
}
manualSeed(3);
const logistic = new nn.Sequential([new nn.Dense(1, { inputDim: 2 })]);
logistic.compile({ optimizer: new optim.Adam(logistic.parameters(), { lr: 0.05 }), loss: "binaryCrossentropyFromLogits", metrics: ["accuracy"] });
manualSeed(3);
const medium = new nn.Sequential([new nn.Dense(8, { inputDim: 2, activation: "tanh" }), new nn.Dense(1, { inputDim: 8 })]);
medium.compile({ optimizer: new optim.Adam(medium.parameters(), { lr: 0.05 }), loss: "binaryCrossentropyFromLogits", metrics: ["accuracy"] });
const fits: Record<string, Record<string, number[]>> = {};
fits.logistic = await trainAndReport("logistic unit", logistic);
fits.medium = await trainAndReport("8 tanh units", medium);
const plain = bigModel();
fits.none = await trainAndReport("64 + 64 ReLU units", plain);
plot.decisionBoundary(plain, X, y.reshape(-1), { title: "64 + 64 units, 200 epochs: bent around single points" })

// %% [markdown] id="l2-and-l1-penalties"
// The logistic unit **underfits**: even its training accuracy is poor, since no straight line separates
// the moons (high bias). The large network **overfits**: near-perfect on the training set, worse on the
// validation set (high variance). The remedies differ: a larger model or longer training for the first,
// more data or regularization for the second.
//
// ## L2 and L1 penalties
//
// Regularization through the cost adds a term $R$ to the average loss,
// $J = \frac1m \sum_j L(\hat y^{(j)}, y^{(j)}) + R$, with
//
// - **L2** (weight decay): $R = \lambda \sum w^2$. Its gradient $2\lambda w$ pulls every weight towards
//   zero in proportion to its size; no few weights can dominate. The most used.
// - **L1**: $R = \lambda \sum |w|$. Its gradient $\lambda\,\mathrm{sign}(w)$ pulls with the same force
//   whatever the size, so small weights are driven all the way to zero: sparse weights.
// - both (elastic net): $R = \lambda_1 \sum |w| + \lambda_2 \sum w^2$ (`nn.elasticNet`).
//
// $\lambda = 0$ ignores the penalty, a huge $\lambda$ ignores the data. Biases are usually not penalised
// (little effect). In the library a penalty is attached to a layer's weights, `kernelRegularizer: nn.l2(λ)`,
// and `fit` adds it to the loss.

// %% id="cell-04"
const l2Model = bigModel({ kernelRegularizer: nn.l2(1e-3) });
fits.L2 = await trainAndReport("L2, λ = 0.001", l2Model);
const l1Model = bigModel({ kernelRegularizer: nn.l1(1e-3) });
fits.L1 = await trainAndReport("L1, λ = 0.001", l1Model);
// The second hidden layer's 64 × 64 weights of each model.
const hiddenWeights = (model: nn.Sequential) => Float32Array.from(model.parameters()[2].data() as Float32Array);
const nearZero = (w: Float32Array) => w.filter((v) => Math.abs(v) < 1e-2).length / w.length;
const sparsity = { none: nearZero(hiddenWeights(plain)), L2: nearZero(hiddenWeights(l2Model)), L1: nearZero(hiddenWeights(l1Model)) };
console.log("share of hidden weights with |w| < 0.01:", Object.fromEntries(Object.entries(sparsity).map(([k, v]) => [k, +v.toFixed(3)])));
for (const [name, model] of [["no penalty", plain], ["L2", l2Model]] as const) {
  display(plot.histogram(hiddenWeights(model), { title: `Hidden weights, ${name}`, bins: 60, width: 300, height: 140, xLabel: "w" }));
}
plot.histogram(hiddenWeights(l1Model), { title: "Hidden weights, L1: a spike at zero", bins: 60, width: 300, height: 140, xLabel: "w" })

// %% [markdown] id="dropout"
// L2 shrinks the whole distribution; L1 piles many weights up at (nearly) zero: those connections are
// effectively removed. (Adam's steps make them hover within about one learning rate of zero rather than
// sit exactly on it.)
//
// ## Dropout
//
// **Dropout** removes a random subset of hidden units at every training step: each unit is kept with
// probability $p_{keep}$ (the library's `p` is the *drop* probability, $1 - p_{keep}$). Every step then trains
// a different thinned network, and no unit can rely on particular others; at prediction the full network
// acts like an average (an ensemble) of the $2^n$ thinned ones. The mask is drawn anew on each forward pass:
// `d = x * mask` with `mask = rand(n) < keep_prob`, and the gradient flows only through kept units.
//
// The exact average over all masks is out of reach, but its expected value is easy: in training
// $E[d] = p_{keep}\,x$. The original recipe therefore multiplies by $p_{keep}$ at prediction. **Inverted
// dropout**, used everywhere today, divides by $p_{keep}$ during training instead, so that prediction needs
// no change at all:

// %% id="cell-06"
const drop = new nn.Dropout(0.5);
const ones10k = ones([1, 10000]);
const trainOut = drop.call(ones10k) as Tensor, trainOut2 = drop.call(ones10k) as Tensor;
const evalOut = drop.eval().call(ones10k) as Tensor;
drop.train();
const dropStats = {
  values: [...new Set(Array.from(trainOut.data()))].sort(),
  zeroShare: trainOut.eq(0).float().mean().item(),
  trainMean: trainOut.mean().item(),
  masksDiffer: trainOut.sub(trainOut2).abs().sum().item() > 0,
  evalIsIdentity: evalOut.sub(ones10k).abs().max().item() === 0,
};
dropStats

// %% [markdown] id="md-9f0a8b6b"
// In training each value is 0 or $1/0.5 = 2$, about half are 0, two passes draw different masks, and the
// mean stays 1; in evaluation mode (`eval()`, which `predict` and `evaluate` switch on) the layer passes its
// input through. Dropout suits large fully connected layers; convolutional layers overfit less, since each
// position of a filter on an image is in effect another training example.
//
// **DropConnect** is the same idea one level down: it zeroes random *weights* (connections) instead of
// units. `nn.DropConnect` wraps a dense layer:

// %% id="cell-08"
manualSeed(0);
const inner = new nn.Dense(8, { inputDim: 10000 });
const connect = new nn.DropConnect(inner, 0.5);
const connectOut = connect.call(ones10k) as Tensor;
`DropConnect in training: ${connectOut.eq(0).sum().item()} of 8 outputs are zero (dropout would zero about 4); ${connect.eval().call(ones10k).sub(connectOut).abs().max().item() > 0 ? "evaluation uses every weight and gives other outputs" : ""}`

// %% id="cell-09"
connect.train();
fits.dropout = await trainAndReport("dropout 0.5", bigModel({ dropout: 0.5 }));
fits.DropConnect = await trainAndReport("DropConnect 0.5", bigModel({ dropConnect: 0.5 }));
const regularized = ["none", "L2", "L1", "dropout", "DropConnect"];
plot.lineChart(Object.fromEntries(regularized.map((k) => [k, fits[k].val_loss])), {
  title: "Validation loss of the 64 + 64 network", xLabel: "epoch", yLabel: "validation loss", points: false,
})

// %% [markdown] id="early-stopping"
// Without regularization the validation loss turns upward after its minimum and keeps climbing as the
// network memorises the noise; each of the four methods holds it lower.
//
// ## Early stopping
//
// The simplest regularizer of all: watch the validation loss and stop when it has not improved for
// `patience` epochs, keeping the weights of the best epoch (notebook 07). Here on the unregularized network:

// %% id="cell-11"
const stopper = new nn.EarlyStopping({ monitor: "val_loss", patience: 20, restoreBestWeights: true });
const stopped = bigModel();
const stoppedHistory = await stopped.fit(X, y, { epochs: numEpochs, batchSize: 60, validationData: [valSet.X, valSet.y], callbacks: [stopper], verbose: 0 });
const bestValLoss = Math.min(...stoppedHistory.history.val_loss);
const restored = stopped.evaluate(valSet.X, valSet.y);
`stopped after epoch ${stopper.stoppedEpoch + 1}; best epoch ${stopper.bestEpoch + 1} with validation loss ${bestValLoss.toFixed(4)}; the restored model scores ${restored.loss.toFixed(4)} (accuracy ${restored.accuracy.toFixed(3)})`

// %% [markdown] id="data-augmentation"
// ## Data augmentation
//
// More data is the best regularizer, and for images we can make more from what we have: a digit moved
// by a pixel or two, or with some noise on it, is still the same digit. Common transformations are
// shifts and crops, mirroring, small rotations, blur and colour changes; which ones are allowed depends on
// the data (a mirrored 2 is no digit, a mirrored shoe is still a shoe). The library's transforms
// (`data.randomShift`, `data.randomFlip`, `data.gaussianNoise`, combined with `data.compose`) draw a new
// variant for every batch when passed to `fit` (or to a `DataLoader`) as `transform`:

// %% id="cell-13"
const digits = data.loadMnist({ split: "train", limit: 500, flatten: true });
const testDigits = data.loadMnist({ split: "test", limit: 1000, flatten: true });
const augment = data.compose(data.randomShift({ maxShift: 2, imageShape: [28, 28], seed: 1 }), data.gaussianNoise({ std: 0.1, seed: 2 }));
const samples = digits.X.slice(0, 0, 8);
plot.imageGrid(concat([samples, augment(samples), augment(samples)], 0).reshape(-1, 28, 28), undefined, { title: "Eight digits (top) and two augmented draws of them", columns: 8, size: 44 })

// %% id="cell-14"
function mnistModel() {
  manualSeed(0);
  const model = new nn.Sequential([new nn.Dense(64, { inputDim: 784, activation: "relu" }), new nn.Dense(10, { inputDim: 64 })]);
  model.compile({ optimizer: new optim.Adam(model.parameters(), { lr: 0.003 }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
  return model;
}
// A second test set: the test digits shifted by up to 2 pixels (a fixed draw).
const shiftedTest = data.randomShift({ maxShift: 2, imageShape: [28, 28], seed: 99 })(testDigits.X);
const augResults: Record<string, { test: number; shifted: number }> = {};
for (const withAugmentation of [false, true]) {
  const model = mnistModel();
  await model.fit(digits.X, digits.y, { epochs: 25, batchSize: 50, verbose: 0, transform: withAugmentation ? augment : undefined });
  augResults[withAugmentation ? "augmented" : "plain"] = {
    test: model.evaluate(testDigits.X, testDigits.y).accuracy,
    shifted: model.evaluate(shiftedTest, testDigits.y).accuracy,
  };
}
augResults

// %% [markdown] id="choosing-hyperparameters-grid-and-random"
// Trained on the same 500 digits for the same 25 epochs, the plain model reads the centred test digits a
// little better (the augmented task is harder, and 25 epochs are few for it), but it falls apart on the
// shifted ones, where the augmented model keeps most of its accuracy: a dense layer has no idea that a
// shifted pixel pattern is the same pattern unless it has seen shifted examples. (Convolutional layers, notebook 08, build some of this in.)
//
// ## Choosing hyperparameters: grid and random search
//
// A **hyperparameter** is any choice that shapes the model or its training and is not learned: layers and
// units, the learning rate, the initialization, the optimizer's settings, the regularization and its
// strength. They are chosen on the validation set. Two common searches, each with a budget of $n$ trials:
//
// - **grid search** tries every combination of a few values per hyperparameter;
// - **random search** draws each trial's values at random.
//
// Random search is usually better. Often only some hyperparameters matter much; a $3 \times 3$ grid tries
// only 3 values of the important one, 9 random trials try 9. Rates and strengths are searched on a **log
// scale** ($10^{-4}$ to $1$, not $0.0001$ to $1$ evenly). Below: a small network (16 tanh units) with two
// hyperparameters, the learning rate and the L2 strength $\lambda$, 9 trials each.

// %% id="cell-16"
const trainSet = data.moons({ samples: 200, noise: 0.3, seed: 4 });
function trial(logLr: number, logLambda: number): number {
  manualSeed(0);
  const model = new nn.Sequential([
    new nn.Dense(16, { inputDim: 2, activation: "tanh", kernelRegularizer: nn.l2(10 ** logLambda) }),
    new nn.Dense(1, { inputDim: 16 }),
  ]);
  model.compile({ optimizer: new optim.SGD(model.parameters(), { lr: 10 ** logLr, momentum: 0.9 }), loss: "binaryCrossentropyFromLogits" });
  for (let epoch = 0; epoch < 60; epoch++) model.trainStep(trainSet.X, trainSet.y);   // full-batch steps
  return nn.binaryCrossEntropy(model.predict(valSet.X), valSet.y, { fromLogits: true }).item();
}
const lrRange: [number, number] = [-3, 0.5], lambdaRange: [number, number] = [-5, -1];
const gridPoints: [number, number][] = [];
for (const a of [0, 0.5, 1]) for (const b of [0, 0.5, 1]) gridPoints.push([lrRange[0] + a * (lrRange[1] - lrRange[0]), lambdaRange[0] + b * (lambdaRange[1] - lambdaRange[0])]);
const rng = new data.Rng(7);
const randomPoints: [number, number][] = gridPoints.map(() => [rng.uniform(...lrRange), rng.uniform(...lambdaRange)]);
const score = (points: [number, number][]) => points.map(([a, b]) => trial(a, b));
const gridScores = score(gridPoints), randomScores = score(randomPoints);
const best = (points: [number, number][], scores: number[]) => {
  const i = scores.indexOf(Math.min(...scores));
  return { lr: +(10 ** points[i][0]).toPrecision(3), lambda: +(10 ** points[i][1]).toPrecision(3), valLoss: +scores[i].toFixed(4) };
};
console.log("grid best:  ", best(gridPoints, gridScores));
console.log("random best:", best(randomPoints, randomScores));

// %% [markdown] id="md-cfdd483a"
// **Coarse to fine**: search a wide range first, then zoom into the region around the best trials and
// search again. Here 9 more random trials in a box a quarter as wide around the best random point:

// %% id="cell-18"
const [bestA, bestB] = randomPoints[randomScores.indexOf(Math.min(...randomScores))];
const lrWidth = (lrRange[1] - lrRange[0]) / 8, lambdaWidth = (lambdaRange[1] - lambdaRange[0]) / 8;
const finePoints: [number, number][] = gridPoints.map(() => [rng.uniform(bestA - lrWidth, bestA + lrWidth), rng.uniform(bestB - lambdaWidth, bestB + lambdaWidth)]);
const fineScores = score(finePoints);
console.log("fine best:  ", best(finePoints, fineScores));
const allPoints = [...gridPoints, ...randomPoints, ...finePoints];
const searchLabels = [...gridPoints.map(() => 0), ...randomPoints.map(() => 1), ...finePoints.map(() => 2)];
display(plot.scatter(allPoints, searchLabels, { classNames: ["grid", "random", "fine (zoomed in)"], title: "Where the 27 trials went", xLabel: "log10 learning rate", yLabel: "log10 λ" }));
const byLr = (points: [number, number][], scores: number[]) => points.map((p, i) => [p[0], Math.min(scores[i], 1.5)]);
plot.scatter([...byLr(gridPoints, gridScores), ...byLr(randomPoints, randomScores), ...byLr(finePoints, fineScores)], searchLabels, {
  classNames: ["grid", "random", "fine (zoomed in)"], title: "Validation loss against the learning rate", xLabel: "log10 learning rate", yLabel: "validation loss (capped at 1.5)",
})

// %% [markdown] id="cross-validation"
// The second chart is the point of random search: the validation loss depends mostly on the learning
// rate, and the grid has looked at only three of its values.
//
// ## Cross-validation
//
// With little data, one validation split is itself noisy: which 20% happened to be held out changes the
// verdict. **k-fold cross-validation** cuts the training data into $k$ folds, trains $k$ times, each time
// validating on a different fold and training on the other $k - 1$, and averages the $k$ scores (`data.kFold`).
// It costs $k$ trainings per candidate, so it is used for small data sets and small searches. Here it picks
// the L2 strength of the small network on the 60-point set:

// %% id="cell-20"
function cvScore(logLambda: number, k = 4) {
  return data.kFold(X, y, k, { seed: 0 }).map(({ XTrain, yTrain, XVal, yVal }) => {
    manualSeed(0);
    const model = new nn.Sequential([
      new nn.Dense(16, { inputDim: 2, activation: "tanh", kernelRegularizer: nn.l2(10 ** logLambda) }),
      new nn.Dense(1, { inputDim: 16 }),
    ]);
    model.compile({ optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }), loss: "binaryCrossentropyFromLogits" });
    for (let epoch = 0; epoch < 100; epoch++) model.trainStep(XTrain, yTrain);
    return nn.binaryCrossEntropy(model.predict(XVal), yVal, { fromLogits: true }).item();
  });
}
const cv: Record<string, { folds: string; mean: number }> = {};
for (const logLambda of [-4, -2, -1]) {
  const folds = cvScore(logLambda);
  cv[`λ = 1e${logLambda}`] = { folds: folds.map((f) => f.toFixed(2)).join(" "), mean: +(folds.reduce((a, b) => a + b) / folds.length).toFixed(3) };
}
cv

// %% [markdown] id="summary"
// The folds disagree by more than the candidates do, which is exactly why one split would be a poor judge.
//
// ## Summary
//
// - Underfitting: poor even on the training set (a bigger model, longer training). Overfitting: the
//   validation loss rises while the training loss falls (more data, regularization).
// - **L2** adds $\lambda\sum w^2$ and shrinks all weights; **L1** adds $\lambda \sum |w|$ and drives many to
//   zero (sparsity). Attach them with `kernelRegularizer: nn.l2(λ)` / `nn.l1(λ)`.
// - **Dropout** zeroes each unit with probability $p$ in training; *inverted* dropout scales the kept ones by
//   $1/(1-p)$ so that evaluation needs no change and the expected output stays the same. **DropConnect**
//   zeroes weights instead of units.
// - **Data augmentation** makes new training examples (shifts, flips, noise): `fit(X, y, { transform })`.
// - **Early stopping** keeps the weights of the best validation epoch.
// - Search hyperparameters **randomly** rather than on a grid, on a log scale, **coarse to fine**; with small
//   data, score candidates with **k-fold cross-validation**.
//
// ## Exercises
//
// 1. Raise L1's λ to 0.01. What share of hidden weights is then near zero, and what happens to the
//    validation accuracy?
// 2. Apply dropout with `p = 0.2` and `p = 0.8` to the large network. Which validation curve is lowest?
// 3. Add `data.randomFlip()` to the MNIST augmentation. Does accuracy on the test digits go up or down? Why?
// 4. Rerun the search with a different `Rng` seed for the random points. Does random search still beat the grid?
// 5. Cross-validate with `k = 10`. Do the candidates' means separate more clearly?
