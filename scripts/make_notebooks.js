#!/usr/bin/env node
// Writes the lecture notebooks 00, 05 and 06 (outputs cleared) from the cell lists below.
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
