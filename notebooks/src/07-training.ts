// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="cell-00"
// # 07 · Training in practice
//
// The earlier notebooks computed the gradient on the whole training set at every step. This one covers
// what real training adds: **minibatches** and **epochs**, a training loop written by hand next to the
// library's `fit`, **scaling** the inputs, a **validation** set to watch for **overfitting**, **early
// stopping**, counting **parameters**, and finally a multi-layer network on real handwritten digits.

// %% [markdown] id="cell-01"
// ## Minibatch gradient descent
//
// The cost is a mean over all $m$ training examples, so one exact gradient step costs a pass over the
// whole set, and the activations of every example must fit in memory at once. With millions of
// examples that is far too slow. A **minibatch** of, say, 32 to 256 examples (powers of 2 suit the
// memory of the hardware) gives a noisy but cheap estimate of the gradient. The usual recipe:
//
// 1. shuffle the training set,
// 2. cut it into minibatches and take one gradient step per minibatch,
// 3. a full pass over the set is one **epoch**; repeat for `numEpochs` epochs.
//
// A batch of all $m$ examples is classic (batch) gradient descent; a batch of one example is
// *stochastic* gradient descent (SGD). Keras and this library call the minibatch version SGD too.

// %% id="cell-02"
const moons = data.moons({ samples: 1000, noise: 0.2, seed: 0 });
const X = moons.X, y = moons.y;   // [1000, 2] and [1000, 1]
const m = X.shape[0];

// The output layer gives a score (a logit) without the sigmoid: the loss applies the sigmoid
// itself, in a form that stays finite and keeps a gradient when a score is very large.
function makeModel(seed: number) {
  manualSeed(seed);
  return new nn.Sequential([
    new nn.Dense(16, { inputDim: 2, activation: "tanh" }),
    new nn.Dense(1, { inputDim: 16 }),
  ]);
}

// The training loop, written out: shuffle, slice a batch, forward, loss, backward, step.
function trainByHand(model: nn.Sequential, X: Tensor, y: Tensor, lr: number, numEpochs: number, batchSize: number) {
  const optimizer = new optim.SGD(model.parameters(), { lr });
  const epochLosses: number[] = [], stepLosses: number[] = [];
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    const order = randperm(X.shape[0]);
    let sum = 0;
    for (let start = 0; start < X.shape[0]; start += batchSize) {
      const idx = order.slice(0, start, Math.min(start + batchSize, X.shape[0]));
      const xb = X.indexSelect(0, idx), yb = y.indexSelect(0, idx);
      // tidy(() => ...) runs the function and then frees every tensor it created except the one it
      // returns (here the loss). Without it each batch's intermediate tensors (activations,
      // gradients of the graph) would wait for the garbage collector, and native or GPU memory
      // would grow over the epoch. model.call returns Tensor | Tensor[]; `as Tensor` tells
      // TypeScript that this model has one output.
      const loss = tidy(() => {
        const yHat = model.call(xb) as Tensor;
        const loss = nn.binaryCrossEntropy(yHat, yb, { fromLogits: true });
        optimizer.zeroGrad();
        loss.backward();
        return loss.item();
      });
      optimizer.step();
      stepLosses.push(loss);
      sum += loss * xb.shape[0];
    }
    epochLosses.push(sum / X.shape[0]);
  }
  return { epochLosses, stepLosses };
}

const lr = 0.5, numEpochs = 20;
const curves: Record<string, number[]> = {};
const t0 = performance.now();
for (const batchSize of [m, 100, 10]) {
  const run = trainByHand(makeModel(0), X, y, lr, numEpochs, batchSize);
  curves[batchSize === m ? `full batch (${m})` : `batch ${batchSize}`] = run.epochLosses;
  console.log(`batch size ${String(batchSize).padStart(4)}: ${Math.ceil(m / batchSize) * numEpochs} steps, final loss ${run.epochLosses[numEpochs - 1].toFixed(4)}`);
}
console.log(`(all three runs took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
plot.lineChart(curves, { x: Array.from({ length: numEpochs }, (_, i) => i + 1), title: "Same epochs, different batch sizes", xLabel: "epoch", yLabel: "training loss" })

// %% [markdown] id="cell-03"
// Per epoch, smaller batches make more steps and so progress faster, even though each step is noisier.
// Per step, the loss of individual minibatches wanders up and down rather than falling smoothly:

// %% id="cell-04"
const noisy = trainByHand(makeModel(0), X, y, lr, 2, 10);
plot.lineChart(noisy.stepLosses, { title: "Loss of each minibatch of 10 (2 epochs)", xLabel: "step", yLabel: "minibatch loss", points: false })

// %% [markdown] id="cell-05"
// Very small batches waste the hardware: a matrix product over 256 rows costs little more than over 10,
// so a few hundred examples per batch is a common compromise.
//
// ## The same loop with `fit`
//
// `model.compile` picks the optimizer and the loss, and `model.fit` runs exactly the loop above (shuffle,
// batches, forward, loss, `zeroGrad`, `backward`, `step`) and shows the loss live while it trains.

// %% id="cell-06"
const model = makeModel(0);
model.compile({ optimizer: new optim.SGD(model.parameters(), { lr }), loss: "binaryCrossentropyFromLogits", metrics: ["accuracy"] });
const history = await model.fit(X, y, { epochs: numEpochs, batchSize: 100 });
`fit: final loss ${history.history.loss[numEpochs - 1].toFixed(4)} (the hand-written loop with batch 100: ${curves["batch 100"][numEpochs - 1].toFixed(4)})`

// %% [markdown] id="cell-07"
// The two numbers differ a little because the shuffling orders differ; the procedure is the same.
//
// ## Scaling the inputs
//
// Suppose the second feature were measured in different units: multiplied by 100 and shifted by 500.
// The data is the same, but gradient descent now struggles. The gradient of a first-layer weight is
// proportional to its input, so large inputs give large, lopsided steps: a learning rate small enough
// for the large feature is far too small for the other one. The fix is to **standardise** each feature,
// $x' = (x - \mu)/\sigma$, with the mean and standard deviation of the *training* set (and the same
// $\mu, \sigma$ for every later input).

// %% id="cell-08"
const XRaw = X.mul(tensor([1, 100])).add(tensor([0, 500]));
const scaled = data.standardize(XRaw);
console.log("raw feature means", XRaw.mean(0).toString(), " standardised", scaled.X.mean(0).toString());

// %% id="cell-09"
const scaling: Record<string, number[]> = {};
for (const [name, inputs, rate] of [["raw, lr 0.001", XRaw, 0.001], ["raw, lr 0.0001", XRaw, 0.0001], ["standardised, lr 0.5", scaled.X, 0.5]] as const) {
  const net = makeModel(0);
  net.compile({ optimizer: new optim.SGD(net.parameters(), { lr: rate }), loss: "binaryCrossentropyFromLogits" });
  try {
    scaling[name] = (await net.fit(inputs, y, { epochs: numEpochs, batchSize: 100, verbose: 0 })).history.loss;
  } catch (e) {
    console.log(name + ":", (e as Error).message);
  }
}
plot.lineChart(scaling, { x: Array.from({ length: numEpochs }, (_, i) => i + 1), title: "Raw versus standardised inputs", xLabel: "epoch", yLabel: "training loss" })

// %% [markdown] id="cell-10"
// Both raw runs barely move in 20 epochs, while the standardised one learns at once. Raising the
// learning rate for the raw inputs does not rescue them for long (exercise 2): the weights of the large
// feature then take huge steps.

// %% [markdown] id="cell-11"
// ## Validation, overfitting and early stopping
//
// A network with many parameters can memorise a small training set, noise included. Its training loss
// keeps falling while its loss on new data starts to rise: **overfitting**. To see it, and to choose
// hyperparameters (layer sizes, learning rate, number of epochs) without touching the test set, we hold
// out a third set, the **validation set**:
//
// - **training** data trains the parameters,
// - **validation** data chooses the hyperparameters and tells us when to stop,
// - **test** data measures the final model, once.
//
// Here a network with two hidden layers of 64 units learns from only 60 noisy points:

// %% id="cell-12"
const small = data.moons({ samples: 60, noise: 0.35, seed: 1 });
const valSet = data.moons({ samples: 500, noise: 0.35, seed: 2 });
function bigModel() {
  manualSeed(3);
  const net = new nn.Sequential([
    new nn.Dense(64, { inputDim: 2, activation: "relu" }),
    new nn.Dense(64, { inputDim: 64, activation: "relu" }),
    new nn.Dense(1, { inputDim: 64 }),
  ]);
  net.compile({ optimizer: new optim.Adam(net.parameters(), { lr: 0.01 }), loss: "binaryCrossentropyFromLogits", metrics: ["accuracy"] });
  return net;
}
const overfit = bigModel();
const long = await overfit.fit(small.X, small.y, { epochs: 300, batchSize: 60, validationData: [valSet.X, valSet.y], verbose: 0 });
const h = long.history;
const bestEpoch = h.val_loss.indexOf(Math.min(...h.val_loss));
console.log(`lowest validation loss ${h.val_loss[bestEpoch].toFixed(3)} at epoch ${bestEpoch + 1}; after 300 epochs ${h.val_loss[299].toFixed(3)}`);
console.log(`accuracy after 300 epochs: training ${h.accuracy[299].toFixed(3)}, validation ${h.val_accuracy[299].toFixed(3)}`);
plot.lineChart({ training: h.loss, validation: h.val_loss }, { title: "Overfitting: the two losses part ways", xLabel: "epoch", yLabel: "loss", points: false })

// %% id="cell-13"
plot.decisionBoundary(overfit, small.X, small.y.reshape(-1), { title: "After 300 epochs: a boundary bent around single points" })

// %% [markdown] id="cell-14"
// **Early stopping** watches the validation loss during training and stops once it has not improved for
// `patience` epochs, keeping the weights of the best epoch. It is cheap and effective: one can even
// give the network more units than needed and rely on early stopping to prevent overfitting.

// %% id="cell-15"
const stopper = new nn.EarlyStopping({ monitor: "val_loss", patience: 20, restoreBestWeights: true });
const stopped = bigModel();
await stopped.fit(small.X, small.y, { epochs: 300, batchSize: 60, validationData: [valSet.X, valSet.y], callbacks: [stopper], verbose: 0 });
const after = stopped.evaluate(valSet.X, valSet.y);
`stopped at epoch ${stopper.stoppedEpoch + 1}, best epoch ${stopper.bestEpoch + 1}; validation loss ${after.loss.toFixed(3)}, accuracy ${after.accuracy.toFixed(3)}`

// %% [markdown] id="playground-md"
// ## A playground
//
// Everything above in one place, for two-dimensional data: choose a data set (XOR, two circles,
// two spirals, two moons), the number of hidden layers and their units, the activation and the
// learning rate, then press **train**. The network (Dense layers and one output score, Adam on the
// whole set at each step) trains in the kernel, and the shaded regions (what it answers) and the
// loss curve are redrawn while it runs; **pause** stops it, and changing the data or the network
// starts over from fresh weights. Things to try: spirals with no hidden layer, then with one, then
// two; ReLU against tanh; a learning rate of 1.

// %% id="playground"
const playground = new widgets.Playground({ dataset: "spirals", hiddenLayers: 2, units: 8, activation: "tanh", lr: 0.03 });
playground

// %% [markdown] id="playground-run-md"
// The same training from code: `run(steps)` presses train for that many steps (the widget above
// follows along), and `boundaryChart()` draws the boundary reached.

// %% id="playground-run"
await playground.run(300);
console.log(String(playground));
playground.boundaryChart()

// %% [markdown] id="cell-16"
// ## Counting parameters
//
// A dense layer with $n^{[l]}$ units on $n^{[l-1]}$ inputs has a weight per pair and a bias per unit:
// $n^{[l]}\,(n^{[l-1]} + 1)$ parameters. For an MNIST network with 784 inputs (28×28 pixels), hidden
// layers of 128 and 64 units and 10 outputs:

// %% id="cell-17"
const sizes = [784, 128, 64, 10];
let total = 0;
for (let l = 1; l < sizes.length; l++) {
  const count = sizes[l] * (sizes[l - 1] + 1);
  total += count;
  console.log(`layer ${l}: ${sizes[l]} × (${sizes[l - 1]} + 1) = ${count}`);
}
console.log("total:", total);
manualSeed(0);
const mlp = new nn.Sequential([
  new nn.Dense(128, { inputDim: 784, activation: "relu" }),
  new nn.Dense(64, { inputDim: 128, activation: "relu" }),
  new nn.Dense(10, { inputDim: 64 }),
]);
console.log("the library counts:", mlp.numParameters());
mlp.summary([784])

// %% [markdown] id="cell-18"
// ## An MNIST classifier
//
// MNIST holds 70,000 handwritten digits of 28×28 grey pixels. We take 5,000 training images (so that
// training takes seconds on a CPU) and 1,000 test images, each flattened into a vector of 784 pixel
// values scaled to $[0, 1]$ (the loader divides by 255, a scaling that suits image data).
//
// Flattening throws away which pixels are neighbours: the network would learn just as well if the
// 784 positions were shuffled the same way in every image. A colour image would give $28 \cdot 28 \cdot 3$
// inputs, one per pixel and channel. The ten classes are exclusive, so the last layer has 10 outputs
// with a softmax (lecture 05); convolutional networks (lecture 08) keep the image's grid instead.

// %% id="cell-19"
const train = data.loadMnist({ split: "train", limit: 5000, flatten: true });
const test = data.loadMnist({ split: "test", limit: 1000, flatten: true });
console.log("train", train.X.shape, train.y.shape, " test", test.X.shape);
plot.imageGrid(train.X.slice(0, 0, 16).reshape(-1, 28, 28), train.y.slice(0, 0, 16), { title: "The first training digits", columns: 8 })

// %% [markdown] id="cell-20"
// The network ends with 10 outputs, one score per digit (no activation); the loss
// `sparseCategoricalCrossentropyFromLogits` applies the softmax and cross-entropy in one stable step and
// takes the labels as integers. `validationSplit: 0.1` holds out the last 10% of the training images as a
// validation set. Watch the curves update live:

// %% id="cell-21"
mlp.compile({ optimizer: new optim.Adam(mlp.parameters(), { lr: 0.001 }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
const tStart = performance.now();
const mnistHistory = await mlp.fit(train.X, train.y, { epochs: 6, batchSize: 64, validationSplit: 0.1 });
console.log(`training took ${((performance.now() - tStart) / 1000).toFixed(1)} s on ${getDefaultDevice()}`);
const testLogs = mlp.evaluate(test.X, test.y);
`test accuracy: ${testLogs.accuracy.toFixed(3)} (validation: ${mnistHistory.history.val_accuracy[5].toFixed(3)})`

// %% id="cell-22"
const predicted = mlp.predict(test.X.slice(0, 0, 24)).argmax(1);
const captions = Array.from(predicted.data()).map((p, i) => (p === test.y.get(i) ? `${p}` : `${p} (is ${test.y.get(i)})`));
plot.imageGrid(test.X.slice(0, 0, 24).reshape(-1, 28, 28), captions, { title: "Test digits and the network's answers", columns: 8 })

// %% [markdown] id="cell-23"
// With a twelfth of the training data and a few seconds of training, a plain multi-layer network reads around nine
// digits in ten correctly. More data, more epochs and convolutional layers (notebook 08) do much better.
//
// ## Summary
//
// - Minibatch gradient descent estimates the gradient from a small batch; an epoch is one pass over the
//   shuffled training set. Smaller batches mean more, noisier steps per epoch.
// - `fit` runs the same loop as the hand-written one: shuffle, batch, forward, loss, `zeroGrad`, `backward`, `step`.
// - Standardise inputs with the training set's mean and standard deviation; unscaled features force
//   tiny learning rates and slow training.
// - Training, validation and test sets have separate jobs. When the validation loss rises while the
//   training loss falls, the model overfits; early stopping keeps the best epoch.
// - A dense layer has $n^{[l]}(n^{[l-1]} + 1)$ parameters.
// - A straight line cannot separate spirals or circles; hidden layers bend the boundary.
//
// ## Exercises
//
// 1. In `trainByHand`, remove the shuffling (use `arange(m)` instead of `randperm(m)`). Does it matter
//    for the moons data? When would it matter a lot? (Hint: data sorted by class.)
// 2. Find the largest learning rate for which the raw inputs still train. How does it compare with 0.5?
// 3. Train the overfitting network on 600 points instead of 60. Do the curves still part ways?
// 4. Give the MNIST network a single hidden layer of 32 units. How many parameters does it have, and what test accuracy does it reach?
// 5. In the playground, find the smallest network (fewest hidden units in all) that separates the
//    spirals, and the learning rates at which it trains fastest and at which it fails.
// 6. Compute the confusion matrix of the MNIST model with `metrics.confusionMatrix(mlp.predict(test.X), test.y)`. Which digits does it confuse most?
