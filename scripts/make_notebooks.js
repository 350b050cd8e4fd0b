#!/usr/bin/env node
// Writes the lecture notebooks 00 to 07 (outputs cleared) from the cell lists below.
// Notebooks are code: keeping their source here makes diffs readable and the JSON uniform.
// Usage: node scripts/make_notebooks.js [--check]   (--check: fail if a notebook is stale)
"use strict";
const fs = require("fs");
const path = require("path");

const md = (text) => ({ cell_type: "markdown", source: text.trim() });
const code = (text) => ({ cell_type: "code", source: text.trim() });

const NOTEBOOKS = {
  "00-welcome.ipynb": [
    md(`
# 00 · Welcome

This course teaches deep learning by doing: every idea comes with code you run and pictures you
look at. The notebooks run on the **gradbook** kernel, which executes TypeScript and has the course
library already loaded: tensors with automatic differentiation, layers, optimizers, data sets and
plots. No \`import\` line is needed.

Run a cell with **Shift+Enter**. Cells share their variables, so run them from top to bottom.
`),
    md(`
## The kernel

A cell's last expression is shown below it. Ordinary TypeScript works as you would expect.
`),
    code(`
const lectures = ["welcome", "activations and losses", "universal approximator"];
lectures.map((name, i) => \`\${i}: \${name}\`).join("\\n")
`),
    md(`
## Tensors

A **tensor** is an n-dimensional array of numbers with a \`shape\` and a \`dtype\`. Arithmetic works
element by element and broadcasts like NumPy; \`matmul\` multiplies matrices.
`),
    code(`
const X = tensor([[1, 2, 3], [4, 5, 6]]);
console.log("shape", X.shape, "dtype", X.dtype, "device", X.device);
X
`),
    code(`
// Sum of each column, the mean of everything, and X times its transpose (2x3 by 3x2).
console.log(X.sum(0).toString());
console.log(X.mean().item());
X.matmul(X.T)
`),
    md(`
## Derivatives for free

Mark a tensor with \`requiresGrad: true\` and every operation on it is recorded. \`backward()\`
then fills \`.grad\` with the derivative of the result with respect to it. For
$f(w) = \\sum_i w_i^2$ the derivative is $2w$:
`),
    code(`
const w = tensor([1, -2, 3], { requiresGrad: true });
const f = w.mul(w).sum();
f.backward();
w.grad
`),
    md(`
## Pictures

Plot helpers live in the \`plot\` namespace and return a chart. The notebook draws it; saved
notebooks keep an SVG and a PNG copy so the picture survives without the kernel.
`),
    code(`
const xs = linspace(-2, 2, 41);
plot.lineChart({ "x²": xs.square(), "x³": xs.pow(3) }, { x: xs, title: "Two polynomials", xLabel: "x", yLabel: "y" })
`),
    code(`
manualSeed(0);
const points = randn([200, 2]);
// Column 0 of each row (slice along axis 1 from 0 to 1), positive or not: a class label 0 or 1.
const labels = points.slice(1, 0, 1).gt(0).int().reshape(-1);
plot.scatter(points, labels, { title: "Points coloured by the sign of x₁" })
`),
    md(`
## CPU or GPU?

Tensors live on a **device**. \`js\` is plain JavaScript and always works; \`cpu\` is a native
addon with fast matrix products; \`cuda\` runs on an NVIDIA GPU when one is present. The library
picks the best available device as the default.
`),
    code(`
console.log("default device:", getDefaultDevice());
for (const device of ["js", "cpu", "cuda"] as const) {
  try {
    const t = tensor([1, 2, 3]).to(device);
    console.log(device.padEnd(5), "available, sum =", t.sum().item());
  } catch (e) {
    console.log(device.padEnd(5), "not available:", (e as Error).message.split("\\n")[0]);
  }
}
`),
    md(`
Matrix products dominate deep learning, so they are a good yardstick. A product of two
$n \\times n$ matrices needs about $2n^3$ floating-point operations:
`),
    code(`
const n = 256;
const A = randn([n, n]), B = randn([n, n]);
A.matmul(B); // warm up
const reps = 5;
const t0 = performance.now();
for (let r = 0; r < reps; r++) A.matmul(B).dispose();
const seconds = (performance.now() - t0) / 1000 / reps;
\`\${getDefaultDevice()}: \${(2 * n ** 3 / seconds / 1e9).toFixed(2)} GFLOP/s for a \${n}x\${n} product\`
`),
    md(`
## Summary

- Cells run TypeScript; the course library (\`tensor\`, \`nn\`, \`optim\`, \`plot\`, ...) is preloaded.
- Tensors have a shape, a dtype and a device; operations broadcast and \`matmul\` multiplies.
- \`requiresGrad\` plus \`backward()\` gives derivatives without writing them by hand.
- Plot helpers return charts that the notebook draws.

## Exercises

1. Build a 3×3 identity matrix with \`eye(3)\` and check that multiplying \`X.T\` (3×2) by it leaves it unchanged.
2. For $g(w) = \\sum_i \\sin(w_i)$, predict \`w.grad\` before running \`backward()\`, then check.
3. Plot $\\tanh(x)$ for $x \\in [-4, 4]$ with \`plot.lineChart\`. Where is it steepest?
4. Time the matrix product for $n = 64, 128, 512$. Does the GFLOP/s figure stay the same? Why might small products be slower per operation?
`),
  ],

  "01-what-is-deep-learning.ipynb": [
    md(`
# 01 · What is deep learning?

Most programs are rules somebody wrote down. **Machine learning** turns that around: we show the
computer examples of inputs with the answers we want, and it builds an approximate function that
reproduces them and, we hope, gives sensible answers for inputs it has never seen. **Deep
learning** is machine learning with neural networks made of many trainable layers.

This notebook places deep learning among its relatives, retells a little of its history in code,
and ends with the idea the whole course rests on: each layer of a network re-describes its input,
and a good description makes the task easy.
`),
    md(`
## Vocabulary

| term | meaning |
|---|---|
| artificial intelligence | any technique that makes a computer behave intelligently |
| machine learning | building an approximate function from example data rather than from explicit rules |
| neural network | machine learning with a network of simple trainable units (neurons) |
| deep learning | neural networks with many layers, usually trained on large data sets |
| supervised learning | every example comes with the expected output (a **label**) |
| unsupervised learning | only inputs are given; the system finds structure among them |
| reinforcement learning | only a goal is given; the system learns by trial and error |

Machine learning pays off when plenty of good data exists, the desired output is clear and
checkable, and nobody can write the input-to-output relationship down. If a formula or an
algorithm is already known (a projectile's trajectory, sorting a list), use it. And a trained network
gives answers, not reasons: it does not explain, plan or justify.
`),
    md(`
## Rules versus examples

Converting Celsius to Fahrenheit has a known rule, $F = 1.8\\,C + 32$. Suppose we did not know it
and only had a dozen noisy thermometer readings. A single linear neuron, $\\hat y = wx + b$, can
recover the rule from the examples alone.
`),
    code(`
manualSeed(0);
const celsius = linspace(-20, 40, 12).reshape(-1, 1);
const fahrenheit = celsius.mul(1.8).add(32).add(randn([12, 1]).mul(0.5)); // readings with noise
// Inputs of size 20 to 40 make for large gradients; dividing by 10 keeps gradient descent stable.
const X = celsius.div(10), y = fahrenheit;
const model = new nn.Sequential([new nn.Dense(1, { inputDim: 1 })]);
const lr = 0.1, numEpochs = 300;
model.compile({ optimizer: new optim.SGD(model.parameters(), { lr }), loss: "mse" });
const history = await model.fit(X, y, { epochs: numEpochs, batchSize: 12, verbose: 0 });
const [weight, bias] = model.parameters();
// The neuron saw C / 10, so its weight is 10 times the slope of the rule.
console.log("learned slope:", (weight.item() / 10).toFixed(3), " intercept:", bias.item().toFixed(2));
console.log("true rule:     1.800  intercept: 32.00");
\`final mean squared error: \${history.history.loss[numEpochs - 1].toFixed(3)}\`
`),
    code(`
plot.lineChart(history.history.loss, { title: "Learning the rule from 12 examples", xLabel: "epoch", yLabel: "mean squared error", logY: true, points: false })
`),
    md(`
The result is close to the rule but not equal to it: the readings are noisy and there are only twelve
of them. That is machine learning in miniature: an approximation, as good as the examples allow.

## A short history in code

**1943: the threshold neuron.** The first artificial neuron (McCulloch and Pitts) fires when at
least $N$ of its inputs are active. With binary inputs, a threshold of 1 gives OR and a threshold
of 2 (out of two inputs) gives AND.
`),
    code(`
const truthTable = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const fires = (inputs: Tensor, threshold: number) => inputs.sum(1).ge(threshold).int();
console.log("inputs        ", truthTable.toArray());
console.log("threshold 1 (OR) ", fires(truthTable, 1).toArray());
console.log("threshold 2 (AND)", fires(truthTable, 2).toArray());
`),
    md(`
**1957: the linear threshold unit (LTU) and the perceptron.** The LTU gives each input a weight and
passes the weighted sum through a step: $\\text{out} = 1$ if $w \\cdot x + b > 0$, else 0. Rosenblatt's
**perceptron** is a layer of such units, and it *learns*: after each mistake it nudges the weights
towards the right answer, $w \\leftarrow w + (y - \\text{out})\\,x$ and $b \\leftarrow b + (y - \\text{out})$.
Weights that lead to correct outputs are reinforced. Here it is on two clouds of points:
`),
    code(`
const blobSet = data.blobs({ samples: 100, centers: [[-2, -1], [2, 1.5]], std: 0.9, seed: 3 });
const points = blobSet.X, labels = blobSet.y;
const xs = points.toArray() as number[][];
const ys = Array.from(labels.data());
let w = [0, 0], b = 0;
const mistakesPerPass: number[] = [];
for (let pass = 0; pass < 10; pass++) {
  let mistakes = 0;
  xs.forEach((x, i) => {
    const out = w[0] * x[0] + w[1] * x[1] + b > 0 ? 1 : 0;
    const err = ys[i] - out; // 0 when right, +1 or -1 when wrong
    if (err !== 0) mistakes++;
    w = [w[0] + err * x[0], w[1] + err * x[1]];
    b += err;
  });
  mistakesPerPass.push(mistakes);
}
console.log("mistakes in each pass:", mistakesPerPass.join(" "));
console.log("weights", w.map((v) => v.toFixed(2)), "bias", b);
`),
    code(`
const ltu = (inputs: Tensor) => inputs.matmul(tensor([[w[0]], [w[1]]])).add(b).gt(0).float();
plot.decisionBoundary(ltu, points, labels, { title: "A perceptron's decision boundary is a straight line" })
`),
    md(`
A single LTU always splits the plane with a straight line, so it fails on any problem where no line
separates the classes (notebook 03 shows this with XOR). Stacking layers of units, with **hidden
layers** between input and output, gives the **multi-layer perceptron**: the first deep networks.
Training those became practical with backpropagation (notebook 04) and, decades later, with large
data sets and GPUs.

## Layers as representations

Two rings of points, one inside the other, cannot be split by a line in the input plane:
`),
    code(`
const rings = data.circles({ samples: 200, noise: 0.08, factor: 0.4, seed: 1 });
plot.scatter(rings.X, rings.y.reshape(-1), { title: "Two rings: no straight line separates them" })
`),
    md(`
We train a small network whose last hidden layer has only **two** units, so we can draw what that
layer computes. The output unit is a logistic regression on those two numbers: it can only draw a
straight line in the hidden layer's plane. For the network to succeed, the earlier layers must
therefore move the points so that a line separates them there.
`),
    code(`
manualSeed(2);
const encoder = new nn.Sequential([
  new nn.Dense(8, { inputDim: 2, activation: "tanh" }),
  new nn.Dense(2, { inputDim: 8, activation: "tanh" }),
]);
const net = new nn.Sequential([encoder, new nn.Dense(1, { inputDim: 2, activation: "sigmoid" })]);
net.compile({ optimizer: new optim.Adam(net.parameters(), { lr: 0.05 }), loss: "binaryCrossentropy", metrics: ["accuracy"] });
const ringHistory = await net.fit(rings.X, rings.y, { epochs: 150, batchSize: 50 });
\`training accuracy: \${ringHistory.history.accuracy[149].toFixed(3)}\`
`),
    code(`
plot.decisionBoundary(net, rings.X, rings.y.reshape(-1), { title: "In the input space the boundary is curved" })
`),
    code(`
const hidden = noGrad(() => encoder.call(rings.X) as Tensor);
plot.scatter(hidden, rings.y.reshape(-1), { title: "The same points as the last hidden layer sees them", xLabel: "hidden unit 1", yLabel: "hidden unit 2" })
`),
    md(`
In the hidden layer's coordinates the two rings lie apart, and a straight line does separate them.
No one told the network which features to compute: training found a **representation** in which
the task is simple. Deep networks repeat this many times, each layer building on the previous
one's description. For images this replaces the hand-crafted features (edge and corner detectors)
that computer vision used to design by hand.

## Summary

- Machine learning builds approximate functions from examples; deep learning does it with
  many-layered neural networks. Use it when data is plentiful, the goal is clear and no rule is known.
- Supervised learning uses labelled examples; unsupervised learning has only inputs;
  reinforcement learning has only a goal.
- History: threshold neurons (1943) compute logic; the LTU and the perceptron (1957) add weights and
  a learning rule; multi-layer perceptrons add hidden layers.
- A single LTU draws a straight line; hidden layers learn representations in which a straight line is enough.

## Exercises

1. Give the Celsius readings more noise (\`mul(5)\`) or fewer samples. How far is the learned rule from 1.8 and 32?
2. Remove the division by 10 in the first example and train again with \`lr = 0.1\`. What happens, and why?
3. Build NOT with a threshold neuron. (Hint: an inhibitory input that stops the neuron from firing.)
4. Move the two blob centres closer together (\`[-0.5, 0]\` and \`[0.5, 0]\`). Does the perceptron's mistake count still reach 0?
5. Give the ring network's second hidden layer a single unit. Can it still separate the rings? Look at \`hidden\` as a histogram.
`),
  ],

  "02-logistic-regression.ipynb": [
    md(`
# 02 · Logistic regression

Logistic regression is the smallest useful classifier, and every unit of a neural network is a
close relative of it. This notebook builds one by hand: the model, the cost, the gradient derived
with the chain rule and checked against autodiff, gradient descent, and the effect of the learning
rate and the number of iterations on the cost curve. It ends by measuring accuracy on data the
model never saw.
`),
    md(`
## The data

Two classes of points in the plane, labelled $y = 0$ and $y = 1$. Each row of \`X\` is one example
with $n = 2$ features; \`y\` holds the labels as a column. (The course notes put examples in columns,
$X$ of shape $(n_x, m)$; with examples in rows every formula below is the same one transposed.)
`),
    code(`
const blobSet = data.blobs({ samples: 300, centers: [[-1, -1], [1.5, 1]], std: 1.1, seed: 4 });
const X = blobSet.X;                        // [m, 2]
const y = blobSet.y.float().reshape(-1, 1); // [m, 1], 0 or 1
const m = X.shape[0];
console.log("X", X.shape, "y", y.shape, "positives", y.sum().item());
plot.scatter(X, blobSet.y, { title: "Two classes" })
`),
    md(`
## The model

Logistic regression assumes the answer depends on a weighted sum of the features,
$z = w_1x_1 + \\dots + w_nx_n + b = w^Tx + b$. The **sigmoid** $\\sigma(z) = 1/(1 + e^{-z})$ squeezes
$z$ into $(0, 1)$, so $a = \\sigma(w^Tx + b)$ reads as the probability that $y = 1$. We predict 1 when
$a > 0.5$, i.e. when $z > 0$: the decision boundary $w^Tx + b = 0$ is a straight line.
`),
    code(`
const zs = linspace(-8, 8, 161);
plot.lineChart({ "σ(z)": zs.sigmoid() }, { x: zs, title: "The sigmoid", xLabel: "z", yLabel: "σ(z)", points: false })
`),
    md(`
## The cost

The cost $J(w, b)$ scores a choice of parameters: lower is better. The fraction of correct answers
would be a natural score, but it changes in jumps and has zero derivative almost everywhere. Instead,
each example contributes the **binary cross-entropy** loss

$L(a, y) = -\\big(y \\log a + (1 - y)\\log(1 - a)\\big),$

which is $-\\log a$ when $y = 1$ (large when $a$ is near 0) and $-\\log(1 - a)$ when $y = 0$. The cost is
the mean over the $m$ examples:
$J = -\\frac{1}{m}\\sum_i \\big(y^{(i)}\\log a^{(i)} + (1 - y^{(i)})\\log(1 - a^{(i)})\\big)$.
`),
    code(`
const as = linspace(0.01, 0.99, 99);
plot.lineChart({ "y = 1: −log a": as.log().neg(), "y = 0: −log(1 − a)": as.neg().add(1).log().neg() },
  { x: as, title: "Loss of one example", xLabel: "prediction a", yLabel: "loss", points: false })
`),
    code(`
// Predictions are kept a hair away from 0 and 1 so that log never sees 0.
function cost(yHat: Tensor, y: Tensor): Tensor {
  const a = yHat.clip(1e-7, 1 - 1e-7);
  return y.mul(a.log()).add(y.neg().add(1).mul(a.neg().add(1).log())).mean().neg();
}
function predict(X: Tensor, w: Tensor, b: Tensor | number): Tensor {
  return X.matmul(w).add(b).sigmoid();
}
\`cost with all parameters 0: \${cost(predict(X, zeros([2, 1]), 0), y).item().toFixed(4)} (= log 2 = \${Math.log(2).toFixed(4)})\`
`),
    md(`
## The gradient, by hand

With $a = \\sigma(z)$, the chain rule gives for one example
$\\frac{\\partial L}{\\partial a} = \\frac{a - y}{a(1 - a)}$ and $\\frac{\\partial a}{\\partial z} = a(1 - a)$,
so the two factors cancel into $\\frac{\\partial L}{\\partial z} = a - y$. Since $\\frac{\\partial z}{\\partial w_j} = x_j$
and $\\frac{\\partial z}{\\partial b} = 1$:

$\\frac{\\partial J}{\\partial w_j} = \\frac{1}{m}\\sum_i x_j^{(i)}\\,(a^{(i)} - y^{(i)}), \\qquad
\\frac{\\partial J}{\\partial b} = \\frac{1}{m}\\sum_i (a^{(i)} - y^{(i)}).$

In matrix form, with the examples in the rows of $X$: $\\nabla_w J = \\frac{1}{m}X^T(a - y)$.
Let us check the formula against the library's autodiff at some random parameters.
`),
    code(`
manualSeed(0);
const wTest = randn([2, 1], { requiresGrad: true });
const bTest = randn([1], { requiresGrad: true });
const yHat = predict(X, wTest, bTest);
cost(yHat, y).backward();

const dz = yHat.detach().sub(y);
const dw = X.T.matmul(dz).div(m);
const db = dz.mean();
console.log("by hand:  dw", dw.reshape(-1).toString(), " db", db.item().toFixed(6));
console.log("autodiff: dw", wTest.grad!.reshape(-1).toString(), " db", bTest.grad!.item().toFixed(6));
\`largest difference: \${dw.sub(wTest.grad!).abs().max().item().toExponential(2)}\`
`),
    md(`
## Vectorisation

The sums over examples can be written as loops, one example at a time, or as a single matrix
product. Both give the same numbers; the matrix version hands the whole job to optimised code and
is what makes training on large data sets affordable.
`),
    code(`
const rows = X.toArray() as number[][];
const labels = Array.from(y.data());
const wNow = Array.from(wTest.detach().data()), bNow = bTest.item();

function gradientWithLoops() {
  const g = [0, 0];
  let gb = 0;
  for (let i = 0; i < m; i++) {
    const a = 1 / (1 + Math.exp(-(wNow[0] * rows[i][0] + wNow[1] * rows[i][1] + bNow)));
    g[0] += rows[i][0] * (a - labels[i]) / m;
    g[1] += rows[i][1] * (a - labels[i]) / m;
    gb += (a - labels[i]) / m;
  }
  return { g, gb };
}
const loops = gradientWithLoops();
console.log("loops:     dw", loops.g.map((v) => v.toFixed(6)), " db", loops.gb.toFixed(6));
console.log("vectorised dw", Array.from(dw.data()).map((v) => v.toFixed(6)), " db", db.item().toFixed(6));
`),
    md(`
With two features and 300 examples the loops are still quick; the difference grows with the number
of features and examples (see the exercises).

## Gradient descent

Start from $w = 0, b = 0$ and repeat: $w \\leftarrow w - \\alpha\\,\\nabla_w J$, $b \\leftarrow b - \\alpha\\,\\partial J/\\partial b$.
The step size $\\alpha$ is the **learning rate** (\`lr\`). The loop records the cost at every iteration.
`),
    code(`
function train(X: Tensor, y: Tensor, lr: number, numIterations: number) {
  let w = zeros([X.shape[1], 1]);
  let b = 0;
  const costs: number[] = [];
  noGrad(() => {
    for (let it = 0; it < numIterations; it++) {
      const yHat = predict(X, w, b);
      costs.push(cost(yHat, y).item());
      const dz = yHat.sub(y);
      w = w.sub(X.T.matmul(dz).mul(lr / X.shape[0]));
      b -= lr * dz.mean().item();
    }
  });
  return { w, b, costs };
}
const lr = 0.5, numIterations = 200;
const fitted = train(X, y, lr, numIterations);
console.log("w", fitted.w.reshape(-1).toString(), "b", fitted.b.toFixed(3));
plot.lineChart(fitted.costs, { title: \`Cost, lr = \${lr}\`, xLabel: "iteration", yLabel: "J", points: false })
`),
    md(`
## Hyperparameters: the learning rate and the number of iterations

The learning rate and the number of iterations are **hyperparameters**: we choose them, gradient
descent does not learn them. The cost curve is how we judge them.
`),
    code(`
const curves: Record<string, number[]> = {};
for (const rate of [0.01, 0.1, 1, 30]) curves[\`lr = \${rate}\`] = train(X, y, rate, numIterations).costs;
plot.lineChart(curves, { title: "The same model with four learning rates", xLabel: "iteration", yLabel: "J", points: false, logY: true })
`),
    md(`
- **Too small** (0.01): the cost falls steadily but is still far from its minimum after 200 iterations.
- **Reasonable** (0.1 to 1): fast, smooth decrease.
- **Too large** (30): the first step overshoots and the cost goes *up*; later the parameters bounce
  back and forth across the minimum without settling (the zigzag), ending worse than with \`lr = 1\`.
  Larger still, the final parameters can be worse than random ones.

The number of iterations matters in the same way: too few leaves the parameters better than random but
not optimal; more iterations, with a small enough learning rate, only cost computing time.
`),
    code(`
for (const iterations of [5, 20, 200]) {
  const r = train(X, y, 0.1, iterations);
  console.log(\`\${String(iterations).padStart(3)} iterations: final cost \${r.costs[iterations - 1].toFixed(4)}\`);
}
`),
    md(`
## A test set

What counts is how the model does on **new** data. Before training, we put part of the labelled
data aside as a **test set**, never touch it while training, and report accuracy on it at the end.
`),
    code(`
const split = data.trainTestSplit(X, y, { testSize: 0.3, seed: 0 });
const model = train(split.XTrain, split.yTrain, 0.5, 300);
const accuracy = (X: Tensor, y: Tensor) => predict(X, model.w, model.b).gt(0.5).float().eq(y).float().mean().item();
console.log("training examples", split.XTrain.shape[0], " test examples", split.XTest.shape[0]);
console.log("training accuracy", accuracy(split.XTrain, split.yTrain).toFixed(3));
console.log("test accuracy    ", accuracy(split.XTest, split.yTest).toFixed(3));
`),
    code(`
plot.decisionBoundary((points: Tensor) => predict(points, model.w, model.b), split.XTest, split.yTest.reshape(-1),
  { title: "The learned boundary and the test points" })
`),
    md(`
The two clouds overlap, so no straight line gets every point right: part of the error comes from
the data, not from training. When a model does poorly, the usual suspects are: the model cannot
represent the pattern (here: the classes are not linearly separable), gradient descent did not find
good parameters (an odd cost curve; tune the hyperparameters), or the examples do not represent
the new data (high training accuracy, low test accuracy; get more or better data).

## Summary

- Logistic regression predicts $a = \\sigma(w^Tx + b)$ and answers 1 when $a > 0.5$; its boundary is a line.
- Binary cross-entropy is the cost; its gradient is remarkably simple: $\\partial L/\\partial z = a - y$,
  so $\\nabla_w J = \\frac{1}{m}X^T(a - y)$ and $\\partial J/\\partial b$ is the mean of $a - y$. Autodiff agrees.
- Vectorised code computes the same gradient as loops over examples, in one matrix product.
- The learning rate and the number of iterations shape the cost curve: too small is slow, too
  large diverges.
- Accuracy is reported on a test set that training never saw.

## Exercises

1. Derive $\\partial a/\\partial z = a(1 - a)$ from the definition of the sigmoid, and check it with \`grad\`.
2. Find, by trying, the largest learning rate for which the cost still decreases at every iteration.
3. Time \`gradientWithLoops\` and the vectorised gradient with \`performance.now()\` for 300 examples, then
   for 30,000 (use \`data.blobs({ samples: 30000, ... })\`). How does the ratio change?
4. Replace the cross-entropy by the squared error $(a - y)^2$ and derive its gradient. Why does it learn
   slowly when a prediction is confidently wrong?
5. Move the blob centres further apart. What happens to the weights if you keep training for many
   iterations, and why?
`),
  ],

  "03-perceptrons-and-xor.ipynb": [
    md(`
# 03 · Perceptrons and XOR

A **perceptron** is a linear classifier drawn as a little network: inputs $x_1, \\dots, x_n$ with weights,
a bias $w_0$, and a step function $g$ that outputs 1 when the weighted sum is positive:

$\\text{out}(x) = g\\Big(w_0 + \\sum_j w_j x_j\\Big), \\qquad g(s) = \\begin{cases} 1 & s > 0 \\\\ 0 & \\text{otherwise.} \\end{cases}$

This notebook chooses perceptron weights by hand for AND and OR, shows why no weights exist for XOR,
and then builds XOR from three perceptrons in two layers.
`),
    code(`
// X holds the four rows of the truth table, y the XOR labels; AND and OR come from the same inputs.
const { X, y } = data.xor();
const step = (s: Tensor) => s.gt(0).float();
function perceptron(w0: number, w1: number, w2: number) {
  return (inputs: Tensor) => step(inputs.matmul(tensor([[w1], [w2]])).add(w0));
}
const x1 = X.slice(1, 0, 1), x2 = X.slice(1, 1, 2);
const yAnd = x1.mul(x2), yOr = x1.add(x2).gt(0).float();
console.log("x1 x2 | AND OR XOR");
for (let i = 0; i < 4; i++) {
  console.log(\` \${X.get(i, 0)}  \${X.get(i, 1)} |  \${yAnd.get(i, 0)}   \${yOr.get(i, 0)}   \${y.get(i, 0)}\`);
}
`),
    md(`
## AND and OR by hand

For AND the sum $w_0 + w_1x_1 + w_2x_2$ must be positive only when both inputs are 1. With $w_1 = w_2 = 1$
the sum of the inputs is 0, 1 or 2, so any bias between $-2$ and $-1$ works: take $(w_0, w_1, w_2) = (-1.5, 1, 1)$.
For OR one active input must be enough: $(-0.5, 1, 1)$.
`),
    code(`
const and = perceptron(-1.5, 1, 1), or = perceptron(-0.5, 1, 1);
console.log("AND:", and(X).reshape(-1).toArray(), " expected", yAnd.reshape(-1).toArray());
console.log("OR: ", or(X).reshape(-1).toArray(), " expected", yOr.reshape(-1).toArray());
`),
    code(`
plot.decisionBoundary(and, X, yAnd.reshape(-1), { title: "AND: the line x₁ + x₂ = 1.5" })
`),
    code(`
plot.decisionBoundary(or, X, yOr.reshape(-1), { title: "OR: the line x₁ + x₂ = 0.5" })
`),
    md(`
Each perceptron cuts the plane with the straight line $w_0 + w_1x_1 + w_2x_2 = 0$. Data that some
line separates perfectly is called **linearly separable**.

## XOR is not linearly separable

XOR is 1 when exactly one input is 1. Suppose weights existed. The four rows demand
$w_0 \\le 0$ (from 0,0), $w_0 + w_2 > 0$ and $w_0 + w_1 > 0$ (from 0,1 and 1,0), and $w_0 + w_1 + w_2 \\le 0$
(from 1,1). Adding the middle two gives $2w_0 + w_1 + w_2 > 0$, so $w_0 + w_1 + w_2 > -w_0 \\ge 0$, which
contradicts the last one. No line works.

We can also let the computer look: try every weight triple on a grid and count correct rows.
`),
    code(`
const values = linspace(-3, 3, 25).toArray() as number[];
const yXor = Array.from(y.data());
let best = 0, tried = 0;
for (const w0 of values) for (const w1 of values) for (const w2 of values) {
  const inputs = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const correct = inputs.filter(([a, b], i) => (w0 + w1 * a + w2 * b > 0 ? 1 : 0) === yXor[i]).length;
  best = Math.max(best, correct);
  tried++;
}
\`\${tried} weight triples tried; the best gets \${best} of 4 rows right\`
`),
    md(`
Training does not help either. Logistic regression, the smooth cousin of the perceptron, trained on
noisy samples around the four corners, stays near chance:
`),
    code(`
const cloud = data.xor({ samples: 200, noise: 0.15, seed: 0 });
manualSeed(0);
const linear = new nn.Sequential([new nn.Dense(1, { inputDim: 2, activation: "sigmoid" })]);
linear.compile({ optimizer: new optim.Adam(linear.parameters(), { lr: 0.05 }), loss: "binaryCrossentropy", metrics: ["accuracy"] });
const linearHistory = await linear.fit(cloud.X, cloud.y, { epochs: 100, batchSize: 200, verbose: 0 });
console.log("accuracy of one logistic unit on XOR:", linearHistory.history.accuracy[99].toFixed(3));
plot.decisionBoundary(linear, cloud.X, cloud.y.reshape(-1), { title: "One unit: one straight line, wrong on half the plane" })
`),
    md(`
## XOR from two layers

XOR can be spelled with AND, OR and NOT: $x_1 \\text{ XOR } x_2 = (x_1 \\text{ AND NOT } x_2) \\text{ OR } (\\text{NOT } x_1 \\text{ AND } x_2)$.
Each bracket is linearly separable, and so is the OR of the two. So three perceptrons in two layers do it:

- $v_1 = g(-0.5 + x_1 - x_2)$: on only for the input (1, 0),
- $v_2 = g(-0.5 - x_1 + x_2)$: on only for (0, 1),
- $\\hat y = g(-0.5 + v_1 + v_2)$: the OR of the two.

As matrices: a hidden layer with $W^{[1]} = \\begin{pmatrix} 1 & -1 \\\\ -1 & 1 \\end{pmatrix}$ (one column per unit) and
$b^{[1]} = (-0.5, -0.5)$, and an output layer with $W^{[2]} = (1, 1)^T$, $b^{[2]} = -0.5$.
`),
    code(`
const W1 = tensor([[1, -1], [-1, 1]]), b1 = tensor([-0.5, -0.5]);
const W2 = tensor([[1], [1]]), b2 = tensor([-0.5]);
const hiddenLayer = (inputs: Tensor) => step(inputs.matmul(W1).add(b1));
const xorNet = (inputs: Tensor) => step(hiddenLayer(inputs).matmul(W2).add(b2));
console.log("hidden v1 v2:", hiddenLayer(X).toArray());
console.log("yHat:", xorNet(X).reshape(-1).toArray(), " y:", y.reshape(-1).toArray());
`),
    code(`
plot.decisionBoundary(xorNet, cloud.X, cloud.y.reshape(-1), { title: "Two layers: a band between two lines" })
`),
    md(`
The hidden layer moves the four corners to new positions $(v_1, v_2)$: (0, 0) and (1, 1) both land on
(0, 0), while (1, 0) and (0, 1) land on (1, 0) and (0, 1). In that new space the classes *are*
linearly separable, and the output perceptron only has to draw one line:
`),
    code(`
plot.scatter(hiddenLayer(cloud.X), cloud.y.reshape(-1), { title: "The cloud as the hidden layer sees it", xLabel: "v₁", yLabel: "v₂" })
`),
    md(`
## Learning the weights instead

Step functions have zero derivative everywhere, so gradient descent cannot tune them. Replace them by
smooth activations (tanh in the hidden layer, sigmoid at the output) and the same two-layer shape can
learn XOR from the noisy samples:
`),
    code(`
manualSeed(1);
const model = new nn.Sequential([
  new nn.Dense(4, { inputDim: 2, activation: "tanh" }),
  new nn.Dense(1, { inputDim: 4, activation: "sigmoid" }),
]);
const lr = 0.05, numEpochs = 200;
model.compile({ optimizer: new optim.Adam(model.parameters(), { lr }), loss: "binaryCrossentropy", metrics: ["accuracy"] });
const history = await model.fit(cloud.X, cloud.y, { epochs: numEpochs, batchSize: 50 });
\`accuracy after training: \${history.history.accuracy[numEpochs - 1].toFixed(3)}\`
`),
    code(`
plot.decisionBoundary(model, cloud.X, cloud.y.reshape(-1), { title: "A learned two-layer network on XOR" })
`),
    md(`
## Summary

- A perceptron computes a step of a weighted sum; its decision boundary is a straight line.
- AND is $(-1.5, 1, 1)$ and OR is $(-0.5, 1, 1)$; many other weights work too.
- XOR is not linearly separable: four inequalities contradict each other, and a grid search finds at
  most 3 of 4 rows right. A single trained logistic unit fails too.
- Two layers solve it: the hidden layer re-maps the inputs so that one line separates the classes.
- With smooth activations in place of steps, gradient descent learns such weights by itself.

## Exercises

1. Find perceptron weights for NAND ("not both"). Combine NAND, OR and AND into another XOR network.
2. Which of the 16 boolean functions of two inputs are linearly separable? Adapt the grid search to count them.
3. Build XNOR (1 when the inputs agree) by changing only the output layer of \`xorNet\`.
4. Train the learned network with 2 hidden units instead of 4, with several seeds. Does it always succeed?
5. Draw the hidden representation of the *learned* network (the first layer's outputs) for the cloud. Is it like the hand-built one?
`),
  ],

  "04-backpropagation.ipynb": [
    md(`
# 04 · Backpropagation

Training needs the derivative of the cost with respect to every parameter. For logistic regression
we derived it on paper (notebook 02). For deeper networks that gets long and error-prone, and every
change of architecture or loss would mean deriving again. **Backpropagation** organises the chain
rule so that each operation only needs its own small, *local* derivative.

This notebook works through a computation graph by hand, derives the vectorised equations of a
two-layer network, checks them against the library's autodiff, and checks both against numbers
computed from the definition of the derivative.
`),
    md(`
## Computation graphs

Write a computation as a graph: every node is one simple operation with a name for its output.
**Forward**, values flow from the inputs to the output. **Backward**, starting from
$\\partial f/\\partial f = 1$, each node receives the **upstream** gradient $\\partial f/\\partial(\\text{its output})$
and multiplies it by its **local** gradient to get the **downstream** gradient for each input. Each node
works alone, which is why the procedure scales to any network.

Take $f(x, y, z) = (x + y)\\cdot z$ at $x = 3, y = -1, z = 2$, with the intermediate $q = x + y$:

| step | value | gradient |
|---|---|---|
| $q = x + y$ | 2 | $\\partial f/\\partial q = z = 2$ |
| $f = q \\cdot z$ | 4 | $\\partial f/\\partial z = q = 2$ |
| back through the addition | | $\\partial f/\\partial x = \\partial f/\\partial y = \\partial f/\\partial q \\cdot 1 = 2$ |
`),
    code(`
const x = tensor(3, { requiresGrad: true }), y = tensor(-1, { requiresGrad: true }), z = tensor(2, { requiresGrad: true });
const q = x.add(y);
q.retainGrad(); // keep the gradient of an intermediate node, to look at it
const f = q.mul(z);
f.backward();
console.log("f =", f.item(), " df/dq =", q.grad!.item());
console.log("df/dx =", x.grad!.item(), " df/dy =", y.grad!.item(), " df/dz =", z.grad!.item());
console.log("graph: f was made by", f.gradFn, "from q, made by", q.gradFn);
`),
    md(`
## Local gradients of the common nodes

| node | local rule | in words |
|---|---|---|
| add $x + y$ | both inputs get the upstream gradient | **distributes** |
| subtract $x - y$ | $x$ gets it, $y$ gets its negative | |
| multiply $x\\,y$ | $x$ gets upstream $\\times\\, y$, $y$ gets upstream $\\times\\, x$ | **swaps** the inputs |
| max$(x, y)$ | the larger input gets it all, the other 0 | **routes** |
| branch (a value used twice) | the gradients from each use **add up** | multivariable chain rule |
| sigmoid $s = \\sigma(x)$ | upstream $\\times\\, s(1 - s)$ | |
| tanh $t = \\tanh x$ | upstream $\\times\\, (1 - t^2)$ | |

One graph with all of them: $f = \\max(x\\,y,\\; z) + x$ at $x = 2, y = 3, z = 1$. Here $xy = 6 > z$, so
the max routes the gradient to the product and $z$ gets 0. The product sends $y = 3$ to $x$ and $x = 2$
to $y$. And $x$ is used twice (a branch), so its two contributions add: $3 + 1 = 4$.
`),
    code(`
const a = tensor(2, { requiresGrad: true }), b = tensor(3, { requiresGrad: true }), c = tensor(1, { requiresGrad: true });
const out = maximum(a.mul(b), c).add(a);
out.backward();
console.log("f =", out.item());
console.log("df/dx =", a.grad!.item(), "(expected 4)  df/dy =", b.grad!.item(), "(expected 2)  df/dz =", c.grad!.item(), "(expected 0)");
`),
    md(`
Note that once an upstream gradient is 0 (like the branch of the max that lost), everything below it
gets 0 too.

## A two-layer network by hand

Now a network with one hidden layer of $n_h$ tanh units and a sigmoid output, in the course's
layout: the $m$ examples are the **columns** of $X$ (shape $(n_x, m)$), $W^{[1]}$ is $(n_h, n_x)$,
$b^{[1]}$ is $(n_h, 1)$, $W^{[2]}$ is $(1, n_h)$ and $b^{[2]}$ is $(1, 1)$.

**Forward:**
$Z^{[1]} = W^{[1]}X + b^{[1]},\\quad A^{[1]} = \\tanh Z^{[1]},\\quad Z^{[2]} = W^{[2]}A^{[1]} + b^{[2]},\\quad \\hat Y = \\sigma(Z^{[2]}).$

**Backward** (cost: mean binary cross-entropy; $*$ is elementwise):
$dZ^{[2]} = \\hat Y - Y,\\quad dW^{[2]} = \\tfrac{1}{m}\\,dZ^{[2]}A^{[1]T},\\quad db^{[2]} = \\tfrac{1}{m}\\textstyle\\sum dZ^{[2]},$
$dZ^{[1]} = W^{[2]T}dZ^{[2]} * (1 - (A^{[1]})^2),\\quad dW^{[1]} = \\tfrac{1}{m}\\,dZ^{[1]}X^T,\\quad db^{[1]} = \\tfrac{1}{m}\\textstyle\\sum dZ^{[1]}.$

Each line is one of the local rules: the output layer is logistic regression ($\\hat y - y$ again), the
product $W^{[2]}A^{[1]}$ swaps (so $A^{[1]}$ receives $W^{[2]T}dZ^{[2]}$), and tanh multiplies by $1 - t^2$.
The sums over examples run along the columns. The data: two interleaved half moons.
`),
    code(`
const moons = data.moons({ samples: 200, noise: 0.15, seed: 0 });
// Examples in columns, as in the equations above; float64 for the exact comparisons below.
const X = moons.X.T.double();   // [2, m]
const Y = moons.y.T.double();   // [1, m]
const m = X.shape[1], nX = 2, nH = 6;

function forward(W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor, X: Tensor) {
  const Z1 = W1.matmul(X).add(b1);
  const A1 = Z1.tanh();
  const Z2 = W2.matmul(A1).add(b2);
  return { A1, yHat: Z2.sigmoid() };
}
function cost(yHat: Tensor, Y: Tensor): Tensor {
  return Y.mul(yHat.log()).add(Y.neg().add(1).mul(yHat.neg().add(1).log())).mean().neg();
}
function backward(W2: Tensor, X: Tensor, Y: Tensor, A1: Tensor, yHat: Tensor) {
  const dZ2 = yHat.sub(Y);
  const dW2 = dZ2.matmul(A1.T).div(m);
  const db2 = dZ2.sum(1, true).div(m);
  const dZ1 = W2.T.matmul(dZ2).mul(A1.square().neg().add(1));
  const dW1 = dZ1.matmul(X.T).div(m);
  const db1 = dZ1.sum(1, true).div(m);
  return { dW1, db1, dW2, db2 };
}

manualSeed(0);
// Small random weights: all-zero (or all-equal) weights would give every hidden unit the same
// gradient, and they would stay identical forever.
const W1 = randn([nH, nX], { dtype: "float64" }).mul(0.5).requiresGrad_();
const b1 = zeros([nH, 1], { dtype: "float64", requiresGrad: true });
const W2 = randn([1, nH], { dtype: "float64" }).mul(0.5).requiresGrad_();
const b2 = zeros([1, 1], { dtype: "float64", requiresGrad: true });

const fwd = forward(W1, b1, W2, b2, X);
cost(fwd.yHat, Y).backward();
const byHand = noGrad(() => backward(W2, X, Y, fwd.A1, fwd.yHat));
const pairs: [string, Tensor, Tensor][] = [["W1", byHand.dW1, W1], ["b1", byHand.db1, b1], ["W2", byHand.dW2, W2], ["b2", byHand.db2, b2]];
for (const [name, mine, param] of pairs) {
  console.log(\`d\${name} \${JSON.stringify(mine.shape).padEnd(7)} largest difference from autodiff: \${mine.sub(param.grad!).abs().max().item().toExponential(1)}\`);
}
`),
    md(`
The hand-derived equations and the library's autodiff agree to rounding error. Autodiff does
exactly what we did, one node at a time, on a graph it recorded during the forward pass.

## Training with the hand-written gradients

Gradient descent with the equations above: forward, backward, update, repeat.
`),
    code(`
const lr = 1.0, numIterations = 1500;
let p = noGrad(() => ({ W1: W1.clone(), b1: b1.clone(), W2: W2.clone(), b2: b2.clone() }));
const costs: number[] = [];
noGrad(() => {
  for (let it = 0; it < numIterations; it++) {
    const { A1, yHat } = forward(p.W1, p.b1, p.W2, p.b2, X);
    if (it % 10 === 0) costs.push(cost(yHat, Y).item());
    const g = backward(p.W2, X, Y, A1, yHat);
    p = { W1: p.W1.sub(g.dW1.mul(lr)), b1: p.b1.sub(g.db1.mul(lr)), W2: p.W2.sub(g.dW2.mul(lr)), b2: p.b2.sub(g.db2.mul(lr)) };
  }
});
const accuracy = forward(p.W1, p.b1, p.W2, p.b2, X).yHat.gt(0.5).eq(Y.gt(0.5)).float().mean().item();
console.log("training accuracy:", accuracy.toFixed(3));
plot.lineChart(costs, { x: costs.map((_, i) => 10 * i), title: "Cost of the hand-trained network", xLabel: "iteration", yLabel: "J", points: false })
`),
    code(`
// decisionBoundary passes points as rows [k, 2]; the network expects columns.
const netOnRows = (points: Tensor) => forward(p.W1, p.b1, p.W2, p.b2, points.double().T).yHat.T;
plot.decisionBoundary(netOnRows, moons.X, moons.y.reshape(-1), { title: \`\${nH} tanh units, trained with hand-derived gradients\` })
`),
    md(`
## Numeric gradient checking

How do we know a gradient is right when there is nothing to compare it with? Go back to the
definition of the derivative. For a small $h$,

$\\frac{\\partial J}{\\partial \\theta} \\approx \\frac{J(\\theta + h) - J(\\theta - h)}{2h},$

one parameter at a time, the others held fixed. The centred difference is much more accurate than
$(J(\\theta + h) - J(\\theta))/h$. It costs two forward passes per parameter, far too slow to train
with, but perfect for testing. Float64 matters here: in float32 the rounding error of $J$, divided by
a tiny $2h$, would swamp the result.
`),
    code(`
const h = 1e-6;
const J = (W: Tensor) => noGrad(() => cost(forward(W, b1, W2, b2, X).yHat, Y).item());
// A tensor that is 1 at [i, j] and 0 elsewhere, to nudge a single weight.
const oneAt = (i: number, j: number) =>
  tensor(Array.from({ length: nH }, (_, r) => Array.from({ length: nX }, (_, c) => (r === i && c === j ? 1 : 0))), { dtype: "float64" });
const numericRows: number[][] = [];
for (let i = 0; i < nH; i++) {
  const row: number[] = [];
  for (let j = 0; j < nX; j++) row.push((J(W1.add(oneAt(i, j).mul(h))) - J(W1.sub(oneAt(i, j).mul(h)))) / (2 * h));
  numericRows.push(row);
}
const dW1Numeric = tensor(numericRows, { dtype: "float64" });
console.log("dJ/dW1[0,1] numeric: ", dW1Numeric.get(0, 1).toFixed(10));
console.log("dJ/dW1[0,1] by hand: ", byHand.dW1.get(0, 1).toFixed(10));
`),
    md(`
To compare whole arrays, the usual measure is the **relative error**
$\lVert g_\text{hand} - g_\text{numeric}\rVert / (\lVert g_\text{hand}\rVert + \lVert g_\text{numeric}\rVert)$:
around $10^{-7}$ or less means the gradient is right, $10^{-2}$ or more means a bug. A check is only
useful if it catches mistakes, so here is a classic one: forgetting the tanh derivative in $dZ^{[1]}$.
`),
    code(`
const norm = (t: Tensor) => t.square().sum().sqrt().item();
const relativeError = (a: Tensor, b: Tensor) => norm(a.sub(b)) / (norm(a) + norm(b));
const dZ1Wrong = noGrad(() => W2.T.matmul(fwd.yHat.sub(Y)));   // missing * (1 - A1²)
const dW1Wrong = dZ1Wrong.matmul(X.T).div(m);
console.log("correct dW1: relative error", relativeError(byHand.dW1, dW1Numeric).toExponential(1));
console.log("buggy dW1:   relative error", relativeError(dW1Wrong, dW1Numeric).toExponential(1));
`),
    md(`
### \`gradcheck\`

The library's \`gradcheck(f, inputs)\` does this for every element of every input that has
\`requiresGrad\`, compares with the gradients autodiff computes, and reports the worst mismatch. It is
how the library tests its own operations, and how you can test a layer you write yourself.
`),
    code(`
const result = gradcheck((W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) => cost(forward(W1, b1, W2, b2, X).yHat, Y), [W1, b1, W2, b2]);
console.log(result.message);
\`ok: \${result.ok}, largest error: \${result.maxError.toExponential(2)}\`
`),
    md(`
## Summary

- Backpropagation is the chain rule on a computation graph: every node multiplies the upstream
  gradient by its local gradient and passes the result to its inputs.
- Add distributes, multiply swaps, max routes, a branch adds up; sigmoid multiplies by $s(1 - s)$, tanh by $1 - t^2$.
- For a two-layer tanh/sigmoid network: $dZ^{[2]} = \\hat Y - Y$, $dW^{[2]} = \\frac{1}{m}dZ^{[2]}A^{[1]T}$,
  $dZ^{[1]} = W^{[2]T}dZ^{[2]} * (1 - A^{[1]2})$, $dW^{[1]} = \\frac{1}{m}dZ^{[1]}X^T$; biases take the mean of $dZ$.
- Hand gradients, autodiff and the numeric centred difference agree; a numeric check catches a missing factor at once.
- \`gradcheck\` automates the numeric check (use float64).

## Exercises

1. Draw the graph of $f = \\sigma(w_1x_1 + w_2x_2 + b)$ and compute every gradient by hand for
   $w = (1, -2)$, $x = (0.5, 1)$, $b = 0.5$. Check with \`backward()\`.
2. What does the max node send back when its inputs are equal? Try it with \`maximum\` and look at both gradients.
3. Replace tanh by ReLU in the hidden layer: which line of the backward equations changes, and how?
4. Run the numeric check in float32 (\`.float()\` everywhere) with $h = 10^{-6}$ and with $h = 10^{-3}$. Explain the results.
5. Start the hand-written training from all-zero weights. What happens to the hidden units, and why?
`),
  ],

  "05-activations-and-losses.ipynb": [
    md(`
# 05 · Activations and losses

A dense layer computes a dot product plus a bias: a linear map. This notebook looks at the two
ingredients that turn stacks of such layers into something useful: the **activation** after each
layer, and the **loss** that training minimises.
`),
    md(`
## Why a network needs non-linearity

Two linear layers in a row are still one linear layer: $W_2(W_1x + b_1) + b_2 = (W_2W_1)x + (W_2b_1 + b_2)$.
Let us check that numerically.
`),
    code(`
manualSeed(1);
const W1 = randn([4, 3]), b1 = randn([4]);
const W2 = randn([2, 4]), b2 = randn([2]);
const x = randn([3]);
const twoLayers = W2.matmul(W1.matmul(x).add(b1)).add(b2);
const oneLayer = W2.matmul(W1).matmul(x).add(W2.matmul(b1).add(b2));
console.log(twoLayers.toString());
console.log(oneLayer.toString());
twoLayers.sub(oneLayer).abs().max().item() < 1e-5
`),
    md(`
Putting a non-linear function $g$ after every layer breaks this collapse. Because it decides how
strongly a unit responds, $g$ is called the **activation**.

## The activations and their derivatives

Gradient descent multiplies error signals by $g'$ on their way back through each layer, so the
derivative matters as much as the function. Below, each panel shows $g$ and $g'$; the derivative
is not typed in as a formula but computed by the library's autodiff.
`),
    code(`
const xs = linspace(-3, 3, 100);
plot.plotActivations(xs)
`),
    md(`
Things to notice:

- **sigmoid** $\\sigma(x) = 1/(1 + e^{-x})$ maps into $(0, 1)$, convenient for probabilities and
  gates. Its derivative $\\sigma(x)(1 - \\sigma(x))$ is at most $1/4$, so every sigmoid layer shrinks
  the backward signal by four or more.
- **tanh** $= 2\\sigma(2x) - 1$ maps into $(-1, 1)$ and is centred on 0.
- Both are flat in their tails: there $g' \\approx 0$, the unit is **saturated** and learns very slowly.
- **ReLU** $\\max(0, x)$ passes gradients unchanged for $x > 0$ and blocks them for $x < 0$. It is
  cheap and does not saturate for positive inputs, which made it the usual default.
- **leaky ReLU** and **PReLU** keep a small slope $a$ for $x < 0$ (fixed, or learned in PReLU).
- **ELU** uses $a(e^x - 1)$ for $x < 0$, smooth at 0; **SELU** scales ELU by constants chosen so
  activations keep zero mean and unit variance through many layers.
- **softplus** $\\log(1 + e^x)$ is a smooth ReLU; its derivative is exactly the sigmoid.

ReLU and its relatives have a kink at 0 where the derivative jumps. Exactly at the kink autodiff
returns one conventional value (for ReLU, 0); the 100 sample points above avoid landing on it.
`),
    md(`
### Checking a derivative by hand

The largest slope of the sigmoid is at 0. \`grad\` turns a function into the function that returns
its gradient:
`),
    code(`
const dSigmoid = grad((z: Tensor) => z.sigmoid().sum());
const at = tensor([-6, -2, 0, 2, 6]);
const [slopes] = dSigmoid(at);
slopes
`),
    md(`
At $\\pm 6$ the slope is about 0.0025: a saturated sigmoid passes back a quarter of a percent of
the error signal.

### A dead ReLU

If a ReLU unit's input is negative for every example, its gradient is zero everywhere and its
weights never change again. Here a unit with a large negative bias receives no gradient at all:
`),
    code(`
const inputs = randn([64, 3]);
const weight = tensor([[0.5], [-0.3], [0.2]], { requiresGrad: true });
const bias = tensor([-10], { requiresGrad: true });
const out = inputs.matmul(weight).add(bias).relu();
out.mean().backward();
console.log("outputs that are non-zero:", out.gt(0).sum().item());
console.log("weight gradient:", weight.grad!.toString());
console.log("bias gradient:", bias.grad!.toString());
`),
    md(`
## Losses

A loss compares a prediction with the truth. It should be non-negative, near 0 for good
predictions, and differentiable (at least almost everywhere) so that gradient descent can use it.

For a binary classifier with labels $y \\in \\{-1, +1\\}$ and a real-valued score $s$, many losses
depend only on the **margin** $m = y \\cdot s$: positive when the prediction is right, and larger
the more confident it is.
`),
    code(`
plot.plotLossFns()
`),
    md(`
- **0-1 loss** (1 − accuracy) counts mistakes. It is flat almost everywhere, so its gradient tells
  gradient descent nothing: it is what we report, not what we train on.
- **hinge** $\\max(0, 1 - m)$ (support vector machines) is exactly 0 once the margin exceeds 1,
  so correct and confident examples stop contributing.
- **exponential** $e^{-m}$ (AdaBoost) never reaches 0 and punishes mistakes far more than it
  rewards extra confidence.
- **squared** $(1 - m)^2$ also grows when $m > 1$: it penalises being *too* right, a poor fit for
  classification.
- **cross-entropy** $\\log_2(1 + e^{-m})$ (logistic regression, drawn in bits so it equals 1 at
  $m = 0$) keeps pushing correct examples further, ever more gently.

## Softmax and categorical cross-entropy

With $C$ classes the last layer outputs $C$ scores $z$. **Softmax** turns them into probabilities,
$\\hat y_i = e^{z_i} / \\sum_j e^{z_j}$, and **categorical cross-entropy** compares them with a
one-hot label: $L = -\\sum_i y_i \\log \\hat y_i$.
`),
    code(`
const z = tensor([2.0, 1.0, -1.0], { requiresGrad: true });
const yTrue = tensor([0, 1, 0]);
const yHat = softmax(z);
const loss = yTrue.mul(yHat.log()).sum().neg();
loss.backward();
console.log("probabilities:", yHat.toString(), "sum", yHat.sum().item());
console.log("loss:", loss.item());
console.log("dL/dz from autodiff:", z.grad!.toString());
console.log("ŷ − y:              ", yHat.sub(yTrue).toString());
`),
    md(`
The gradient of the loss with respect to the scores is simply $\\hat y - y$: the pair
softmax + cross-entropy gives a clean, non-saturating error signal, which is why classifiers end
with it.

## Summary

- Without activations a deep network collapses to a single linear map.
- Sigmoid and tanh saturate in their tails (derivative near 0; the sigmoid's is at most 1/4);
  ReLU does not for positive inputs but can die; leaky ReLU, PReLU, ELU and SELU change the
  negative side to keep gradients flowing.
- Classification losses can be compared through the margin $y \\cdot s$: the 0-1 loss is what we
  measure, hinge, exponential and cross-entropy are what we can optimise.
- Softmax with categorical cross-entropy has the gradient $\\hat y - y$.

## Exercises

1. Add the "swish" activation $x\\,\\sigma(x)$ to the plot: pass
   \`{ activations: [...plot.ACTIVATIONS, { name: "swish", fn: (x) => x.mul(x.sigmoid()) }] }\` as the second argument.
   Where is its derivative negative?
2. Using \`grad\`, find the largest derivative of tanh. Compare it with the sigmoid's.
3. Change the dead unit's bias to \`-1\`. How many outputs are now non-zero, and what happens to the gradients?
4. Show numerically that the derivative of softplus is the sigmoid.
5. Compute the cross-entropy loss and its gradient when the scores are \`[20, 1, -1]\` and the
   true class is 0. Why is the gradient so small?
`),
  ],

  "06-universal-approximator.ipynb": [
    md(`
# 06 · The universal approximator

A network with one hidden layer of ReLU units, made wide enough, can match any training set of
input/target pairs as closely as we like. This notebook builds such a network **by hand**, one
piece at a time, for a function of one variable.
`),
    md(`
## One ReLU neuron

A single neuron with one input computes $\\max(0, Wx + b)$: zero up to $x = -b/W$, then a straight
line of slope $W$. \`plot.NN(W, b)\` is such a neuron, as a module of the library with a weight and
a bias parameter.
`),
    code(`
const neuron = plot.NN(2, -1);
console.log(neuron.namedParameters().map(([name, p]) => \`\${name}: \${p.toString()}\`).join("\\n"));
neuron.call(tensor([[-1], [0], [0.5], [1], [2]]))
`),
    md(`
### Growing the slope

As $W$ grows, the ramp after the corner gets steeper and approaches a vertical line.
`),
    code(`
plot.plotSteps([plot.NN(1, 0), plot.NN(10, 0), plot.NN(100, 0), plot.NN(1000, 0)])
`),
    md(`
### Moving the corner

The bias moves the corner to $x = -b/W$: with $W = 1$, a bias of 10 puts it at $-10$.
`),
    code(`
plot.plotSteps([plot.NN(1, 0), plot.NN(1, 10), plot.NN(1, 20), plot.NN(1, 30)])
`),
    md(`
## A step from two neurons

Subtract a second neuron whose corner sits a little to the right:
$$\\text{step}(x) = \\max(0, W x + b) - \\max(0, W x + b - 1).$$
It is 0 left of $-b/W$, rises linearly over a width of $1/W$, and stays at exactly 1 afterwards.
With a steep slope it is a step of height 1 at any place we like (the right panels above show it).

To put a step at position $c$ with slope $K$, take $W = K$ and $b = -Kc$:
`),
    code(`
function step(x: Tensor, c: number, K = 1000): Tensor {
  const a = plot.NN(K, -K * c), bNeuron = plot.NN(K, -K * c - 1);
  return a.call(x).sub(bNeuron.call(x));
}
step(tensor([[-1], [0.4999], [0.5], [0.5005], [0.6], [2]]), 0.5)
`),
    md(`
## Fitting a training set with steps

Take a training set $(x^{(i)}, y^{(i)})$, $i = 1 \\dots m$, sorted by $x$. Put step neuron $i$ at
$x^{(i)}$ (slightly to its left) and feed all steps into one linear output unit with weights
$w_1 = y^{(1)}$ and $w_i = y^{(i)} - y^{(i-1)}$. At $x^{(i)}$ exactly the first $i$ steps are on, so
the output is $w_1 + \\dots + w_i = y^{(i)}$: the network reproduces every target.

As a network: a hidden layer of $2m$ ReLU units (two per step) and an output layer whose weights
are $+w_i$ and $-w_i$ for the two units of step $i$.
`),
    code(`
manualSeed(6);
const m = 12;
const xTrain = linspace(0, 6, m);
const yTrain = xTrain.sin().add(randn([m]).mul(0.1));

function stepNetwork(xs: number[], ys: number[], K: number) {
  // Step i starts rising at c = x_i - 1/K, so its ramp (of width 1/K) is complete at x_i.
  const slopes: number[] = [], biases: number[] = [], out: number[] = [];
  xs.forEach((xi, i) => {
    const c = xi - 1 / K;
    const wi = i === 0 ? ys[0] : ys[i] - ys[i - 1];
    slopes.push(K, K); biases.push(-K * c, -K * c - 1); out.push(wi, -wi);
  });
  const W1 = tensor([slopes]);           // [1, 2m]
  const b1 = tensor(biases);             // [2m]
  const W2 = tensor(out).reshape(-1, 1); // [2m, 1]
  return (X: Tensor) => X.matmul(W1).add(b1).relu().matmul(W2);
}

const net = stepNetwork(Array.from(xTrain.data()), Array.from(yTrain.data()), 50);
const fitted = net(xTrain.reshape(-1, 1)).reshape(-1);
console.log("largest error on the training set:", fitted.sub(yTrain).abs().max().item());
`),
    code(`
const grid = linspace(-0.5, 6.5, 701);
const curve = net(grid.reshape(-1, 1)).reshape(-1);
plot.lineChart({ network: curve, "sin(x)": grid.sin() }, { x: grid, title: \`\${2 * m} ReLU units reproduce \${m} noisy samples of sin(x)\`, xLabel: "x", yLabel: "y", points: false })
`),
    code(`
plot.scatter(tensor([Array.from(xTrain.data()), Array.from(yTrain.data())]).T, undefined, { title: "The training set", xLabel: "x", yLabel: "y" })
`),
    md(`
The network hits every training point, but between them it is a staircase: it memorises the
training set rather than learning the smooth curve behind it. The construction proves that a
wide enough network *can* represent the data; it says nothing about how well it generalises, or
about how gradient descent would find such weights.

## Letting gradient descent find the weights

Now give a network of the same kind (one hidden layer of ReLU units, a linear output) the same
12 points and let it learn its weights by minimising the squared error. \`fit\` shows the
progress and the loss curve while it trains.

The inputs are centred first (x − 3, so they lie in [−3, 3]). The layer starts with zero biases,
which puts every unit's corner at input 0; with all inputs positive those corners would sit at the
edge of the data, every unit would be a plain line over it, and training would crawl. Scaling and
centring inputs is a cheap habit that avoids such trouble.
`),
    code(`
manualSeed(0);
const X = xTrain.sub(3).reshape(-1, 1), y = yTrain.reshape(-1, 1);
const model = new nn.Sequential([
  new nn.Dense(2 * m, { inputDim: 1, activation: "relu" }),
  new nn.Dense(1, { inputDim: 2 * m }),
]);
const lr = 0.02, numEpochs = 400;
model.compile({ optimizer: new optim.Adam(model.parameters(), { lr }), loss: "mse" });
const history = await model.fit(X, y, { epochs: numEpochs, batchSize: m });
\`final training loss: \${history.history.loss[numEpochs - 1].toFixed(4)}\`
`),
    code(`
const yHat = model.predict(grid.sub(3).reshape(-1, 1)).reshape(-1);
plot.lineChart({ "learned by gradient descent": yHat, "built by hand": curve, "sin(x)": grid.sin() },
  { x: grid, title: "Two networks of 24 ReLU units", xLabel: "x", yLabel: "y", points: false })
`),
    md(`
The learned network does not reproduce the points exactly, but it is smooth between them: gradient
descent from small random weights prefers simple functions, which is often what we want.

## Summary

- One ReLU neuron $\\max(0, Wx + b)$ is a ramp: $W$ sets its steepness, $b$ moves its corner to $-b/W$.
- Two neurons with nearby corners make a step of height 1 at any position.
- $m$ steps feeding a linear output unit reproduce $m$ training pairs exactly: a one-hidden-layer
  ReLU network with $2m$ units is a universal approximator for one-dimensional data.
- Representing the training set is not the same as generalising from it; gradient descent finds a
  smoother fit with the same number of units.

## Exercises

1. Lower the slope \`K\` passed to \`stepNetwork\` to 5. What happens between the training points, and at them?
2. Build a step out of two **sigmoid** units instead of ReLUs. How steep must they be to look like a step?
3. Use 40 samples instead of 12. Does the staircase look more like $\\sin x$? What does that cost in units?
4. Train the second network on the raw inputs (\`X = xTrain.reshape(-1, 1)\`). Compare the final
   loss and the curve with the centred version, and explain the difference.
5. Sketch how you would build a "bump" (1 on an interval, 0 elsewhere) from steps, and use bumps
   to approximate a function of **two** inputs. How many units does a grid of $k \\times k$ bumps need?
`),
  ],
  "07-training.ipynb": [
    md(`
# 07 · Training in practice

The earlier notebooks computed the gradient on the whole training set at every step. This one covers
what real training adds: **minibatches** and **epochs**, a training loop written by hand next to the
library's \`fit\`, **scaling** the inputs, a **validation** set to watch for **overfitting**, **early
stopping**, counting **parameters**, and finally a multi-layer network on real handwritten digits.
`),
    md(`
## Minibatch gradient descent

The cost is a mean over all $m$ training examples, so one exact gradient step costs a pass over the
whole set, and the activations of every example must fit in memory at once. With millions of
examples that is far too slow. A **minibatch** of, say, 32 to 256 examples (powers of 2 suit the
memory of the hardware) gives a noisy but cheap estimate of the gradient. The usual recipe:

1. shuffle the training set,
2. cut it into minibatches and take one gradient step per minibatch,
3. a full pass over the set is one **epoch**; repeat for \`numEpochs\` epochs.

A batch of all $m$ examples is classic (batch) gradient descent; a batch of one example is
*stochastic* gradient descent (SGD). Keras and this library call the minibatch version SGD too.
`),
    code(`
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
      // tidy frees the batch's intermediate tensors once the step is done.
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
  curves[batchSize === m ? \`full batch (\${m})\` : \`batch \${batchSize}\`] = run.epochLosses;
  console.log(\`batch size \${String(batchSize).padStart(4)}: \${Math.ceil(m / batchSize) * numEpochs} steps, final loss \${run.epochLosses[numEpochs - 1].toFixed(4)}\`);
}
console.log(\`(all three runs took \${((performance.now() - t0) / 1000).toFixed(1)} s)\`);
plot.lineChart(curves, { x: Array.from({ length: numEpochs }, (_, i) => i + 1), title: "Same epochs, different batch sizes", xLabel: "epoch", yLabel: "training loss" })
`),
    md(`
Per epoch, smaller batches make more steps and so progress faster, even though each step is noisier.
Per step, the loss of individual minibatches wanders up and down rather than falling smoothly:
`),
    code(`
const noisy = trainByHand(makeModel(0), X, y, lr, 2, 10);
plot.lineChart(noisy.stepLosses, { title: "Loss of each minibatch of 10 (2 epochs)", xLabel: "step", yLabel: "minibatch loss", points: false })
`),
    md(`
Very small batches waste the hardware: a matrix product over 256 rows costs little more than over 10,
so a few hundred examples per batch is a common compromise.

## The same loop with \`fit\`

\`model.compile\` picks the optimizer and the loss, and \`model.fit\` runs exactly the loop above (shuffle,
batches, forward, loss, \`zeroGrad\`, \`backward\`, \`step\`) and shows the loss live while it trains.
`),
    code(`
const model = makeModel(0);
model.compile({ optimizer: new optim.SGD(model.parameters(), { lr }), loss: "binaryCrossentropyFromLogits", metrics: ["accuracy"] });
const history = await model.fit(X, y, { epochs: numEpochs, batchSize: 100 });
\`fit: final loss \${history.history.loss[numEpochs - 1].toFixed(4)} (the hand-written loop with batch 100: \${curves["batch 100"][numEpochs - 1].toFixed(4)})\`
`),
    md(`
The two numbers differ a little because the shuffling orders differ; the procedure is the same.

## Scaling the inputs

Suppose the second feature were measured in different units: multiplied by 100 and shifted by 500.
The data is the same, but gradient descent now struggles. The gradient of a first-layer weight is
proportional to its input, so large inputs give large, lopsided steps: a learning rate small enough
for the large feature is far too small for the other one. The fix is to **standardise** each feature,
$x' = (x - \\mu)/\\sigma$, with the mean and standard deviation of the *training* set (and the same
$\\mu, \\sigma$ for every later input).
`),
    code(`
const XRaw = X.mul(tensor([1, 100])).add(tensor([0, 500]));
const scaled = data.standardize(XRaw);
console.log("raw feature means", XRaw.mean(0).toString(), " standardised", scaled.X.mean(0).toString());

`),
    code(`
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
`),
    md(`
Both raw runs barely move in 20 epochs, while the standardised one learns at once. Raising the
learning rate for the raw inputs does not rescue them for long (exercise 2): the weights of the large
feature then take huge steps.
`),
    md(`
## Validation, overfitting and early stopping

A network with many parameters can memorise a small training set, noise included. Its training loss
keeps falling while its loss on new data starts to rise: **overfitting**. To see it, and to choose
hyperparameters (layer sizes, learning rate, number of epochs) without touching the test set, we hold
out a third set, the **validation set**:

- **training** data trains the parameters,
- **validation** data chooses the hyperparameters and tells us when to stop,
- **test** data measures the final model, once.

Here a network with two hidden layers of 64 units learns from only 60 noisy points:
`),
    code(`
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
console.log(\`lowest validation loss \${h.val_loss[bestEpoch].toFixed(3)} at epoch \${bestEpoch + 1}; after 300 epochs \${h.val_loss[299].toFixed(3)}\`);
console.log(\`accuracy after 300 epochs: training \${h.accuracy[299].toFixed(3)}, validation \${h.val_accuracy[299].toFixed(3)}\`);
plot.lineChart({ training: h.loss, validation: h.val_loss }, { title: "Overfitting: the two losses part ways", xLabel: "epoch", yLabel: "loss", points: false })
`),
    code(`
plot.decisionBoundary(overfit, small.X, small.y.reshape(-1), { title: "After 300 epochs: a boundary bent around single points" })
`),
    md(`
**Early stopping** watches the validation loss during training and stops once it has not improved for
\`patience\` epochs, keeping the weights of the best epoch. It is cheap and effective: one can even
give the network more units than needed and rely on early stopping to prevent overfitting.
`),
    code(`
const stopper = new nn.EarlyStopping({ monitor: "val_loss", patience: 20, restoreBestWeights: true });
const stopped = bigModel();
await stopped.fit(small.X, small.y, { epochs: 300, batchSize: 60, validationData: [valSet.X, valSet.y], callbacks: [stopper], verbose: 0 });
const after = stopped.evaluate(valSet.X, valSet.y);
\`stopped at epoch \${stopper.stoppedEpoch + 1}, best epoch \${stopper.bestEpoch + 1}; validation loss \${after.loss.toFixed(3)}, accuracy \${after.accuracy.toFixed(3)}\`
`),
    md(`
## Counting parameters

A dense layer with $n^{[l]}$ units on $n^{[l-1]}$ inputs has a weight per pair and a bias per unit:
$n^{[l]}\\,(n^{[l-1]} + 1)$ parameters. For an MNIST network with 784 inputs (28×28 pixels), hidden
layers of 128 and 64 units and 10 outputs:
`),
    code(`
const sizes = [784, 128, 64, 10];
let total = 0;
for (let l = 1; l < sizes.length; l++) {
  const count = sizes[l] * (sizes[l - 1] + 1);
  total += count;
  console.log(\`layer \${l}: \${sizes[l]} × (\${sizes[l - 1]} + 1) = \${count}\`);
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
`),
    md(`
## An MNIST classifier

MNIST holds 70,000 handwritten digits of 28×28 grey pixels. We take 5,000 training images (so that
training takes seconds on a CPU) and 1,000 test images, each flattened into a vector of 784 pixel
values scaled to $[0, 1]$ (the loader divides by 255, a scaling that suits image data).
`),
    code(`
const train = data.loadMnist({ split: "train", limit: 5000, flatten: true });
const test = data.loadMnist({ split: "test", limit: 1000, flatten: true });
console.log("train", train.X.shape, train.y.shape, " test", test.X.shape);
plot.imageGrid(train.X.slice(0, 0, 16).reshape(-1, 28, 28), train.y.slice(0, 0, 16), { title: "The first training digits", columns: 8 })
`),
    md(`
The network ends with 10 outputs, one score per digit (no activation); the loss
\`sparseCategoricalCrossentropyFromLogits\` applies the softmax and cross-entropy in one stable step and
takes the labels as integers. \`validationSplit: 0.1\` holds out the last 10% of the training images as a
validation set. Watch the curves update live:
`),
    code(`
mlp.compile({ optimizer: new optim.Adam(mlp.parameters(), { lr: 0.001 }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
const tStart = performance.now();
const mnistHistory = await mlp.fit(train.X, train.y, { epochs: 6, batchSize: 64, validationSplit: 0.1 });
console.log(\`training took \${((performance.now() - tStart) / 1000).toFixed(1)} s on \${getDefaultDevice()}\`);
const testLogs = mlp.evaluate(test.X, test.y);
\`test accuracy: \${testLogs.accuracy.toFixed(3)} (validation: \${mnistHistory.history.val_accuracy[5].toFixed(3)})\`
`),
    code(`
const predicted = mlp.predict(test.X.slice(0, 0, 24)).argmax(1);
const captions = Array.from(predicted.data()).map((p, i) => (p === test.y.get(i) ? \`\${p}\` : \`\${p} (is \${test.y.get(i)})\`));
plot.imageGrid(test.X.slice(0, 0, 24).reshape(-1, 28, 28), captions, { title: "Test digits and the network's answers", columns: 8 })
`),
    md(`
With a twelfth of the training data and a few seconds of training, a plain multi-layer network reads around nine
digits in ten correctly. More data, more epochs and convolutional layers (notebook 08) do much better.

## Summary

- Minibatch gradient descent estimates the gradient from a small batch; an epoch is one pass over the
  shuffled training set. Smaller batches mean more, noisier steps per epoch.
- \`fit\` runs the same loop as the hand-written one: shuffle, batch, forward, loss, \`zeroGrad\`, \`backward\`, \`step\`.
- Standardise inputs with the training set's mean and standard deviation; unscaled features force
  tiny learning rates and slow training.
- Training, validation and test sets have separate jobs. When the validation loss rises while the
  training loss falls, the model overfits; early stopping keeps the best epoch.
- A dense layer has $n^{[l]}(n^{[l-1]} + 1)$ parameters.

## Exercises

1. In \`trainByHand\`, remove the shuffling (use \`arange(m)\` instead of \`randperm(m)\`). Does it matter
   for the moons data? When would it matter a lot? (Hint: data sorted by class.)
2. Find the largest learning rate for which the raw inputs still train. How does it compare with 0.5?
3. Train the overfitting network on 600 points instead of 60. Do the curves still part ways?
4. Give the MNIST network a single hidden layer of 32 units. How many parameters does it have, and what test accuracy does it reach?
5. Compute the confusion matrix of the MNIST model with \`metrics.confusionMatrix(mlp.predict(test.X), test.y)\`. Which digits does it confuse most?
`),
  ],
};

function notebook(cells) {
  return {
    cells: cells.map((c, i) => ({
      ...c,
      id: `cell-${String(i).padStart(2, "0")}`,
      metadata: {},
      source: splitLines(c.source),
      ...(c.cell_type === "code" ? { execution_count: null, outputs: [] } : {}),
    })),
    metadata: {
      kernelspec: { name: "gradbook", display_name: "TypeScript (gradbook)", language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function splitLines(text) {
  const lines = text.split("\n");
  return lines.map((l, i) => (i < lines.length - 1 ? l + "\n" : l));
}

const dir = path.join(__dirname, "..", "notebooks");
fs.mkdirSync(dir, { recursive: true });
const check = process.argv.includes("--check");
let stale = 0;
for (const [name, cells] of Object.entries(NOTEBOOKS)) {
  const file = path.join(dir, name);
  const text = JSON.stringify(notebook(cells), null, 1) + "\n";
  if (check) {
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) { console.error(`stale: ${file}`); stale++; }
  } else {
    fs.writeFileSync(file, text);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}
if (stale) process.exit(1);
