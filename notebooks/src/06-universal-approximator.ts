// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="cell-00"
// # 06 · The universal approximator
//
// A network with one hidden layer of ReLU units, made wide enough, can match any training set of
// input/target pairs as closely as we like. This notebook builds such a network **by hand**, one
// piece at a time, for a function of one variable.

// %% [markdown] id="cell-01"
// ## One ReLU neuron
//
// A single neuron with one input computes $\max(0, Wx + b)$: zero up to $x = -b/W$, then a straight
// line of slope $W$. `plot.NN(W, b)` is such a neuron, as a module of the library with a weight and
// a bias parameter.

// %% id="cell-02"
const neuron = plot.NN(2, -1);
console.log(neuron.namedParameters().map(([name, p]) => `${name}: ${p.toString()}`).join("\n"));
neuron.call(tensor([[-1], [0], [0.5], [1], [2]]))

// %% [markdown] id="cell-03"
// ### Growing the slope
//
// As $W$ grows, the ramp after the corner gets steeper and approaches a vertical line.

// %% id="cell-04"
plot.plotSteps([plot.NN(1, 0), plot.NN(10, 0), plot.NN(100, 0), plot.NN(1000, 0)])

// %% [markdown] id="cell-05"
// ### Moving the corner
//
// The bias moves the corner to $x = -b/W$: with $W = 1$, a bias of 10 puts it at $-10$.

// %% id="cell-06"
plot.plotSteps([plot.NN(1, 0), plot.NN(1, 10), plot.NN(1, 20), plot.NN(1, 30)])

// %% [markdown] id="neuron-sliders-md"
// Move both yourself: the left panel is the neuron $\max(0, Wx + b)$, the right one the step it
// makes with a second neuron one unit lower (built in the next section).

// %% id="neuron-sliders"
const neuronExplorer = widgets.interactive(({ W, b }) => {
  console.log(`corner at x = -b/W = ${(-b / W).toFixed(2)}, ramp width 1/W = ${(1 / W).toFixed(2)}`);
  return plot.plotSteps([plot.NN(W, b)], { xRange: [-10, 10] });
}, {
  W: new widgets.FloatSlider({ value: 1, min: 0.25, max: 10, step: 0.25, description: "W" }),
  b: new widgets.FloatSlider({ value: 0, min: -10, max: 10, step: 0.5, description: "b" }),
});
neuronExplorer

// %% [markdown] id="cell-07"
// ## A step from two neurons
//
// Subtract a second neuron whose corner sits a little to the right:
// $$\text{step}(x) = \max(0, W x + b) - \max(0, W x + b - 1).$$
// It is 0 left of $-b/W$, rises linearly over a width of $1/W$, and stays at exactly 1 afterwards.
// With a steep slope it is a step of height 1 at any place we like (the right panels above show it).
//
// To put a step at position $c$ with slope $K$, take $W = K$ and $b = -Kc$:

// %% id="cell-08"
function step(x: Tensor, c: number, K = 1000): Tensor {
  const a = plot.NN(K, -K * c), bNeuron = plot.NN(K, -K * c - 1);
  return a.call(x).sub(bNeuron.call(x));
}
step(tensor([[-1], [0.4999], [0.5], [0.5005], [0.6], [2]]), 0.5)

// %% [markdown] id="sigmoid-bump-md"
// ### A bump from two sigmoids
//
// A sigmoid unit is a step already: $\sigma(K(x - a))$ is near 0 left of $a$ and near 1 right of
// it, and the larger the steepness $K$, the sharper the change. Subtract a second one at
// $a + \text{width}$ and scale by a height $h$:
// $$\text{bump}(x) = h\,\big(\sigma(K(x - a)) - \sigma(K(x - a - \text{width}))\big).$$
// It approximates a box of height $h$ on $[a, a + \text{width}]$. Move the sliders: the box is the
// target, the printed number is the mean gap between it and the bump over the plotted range.

// %% id="sigmoid-bump"
const xs = linspace(-3, 3, 601);
function sigmoidBump(x: Tensor, position: number, width: number, height: number, K: number): Tensor {
  const left = x.sub(position).mul(K).sigmoid(), right = x.sub(position + width).mul(K).sigmoid();
  return left.sub(right).mul(height);
}
function box(x: Tensor, position: number, width: number, height: number): Tensor {
  return x.ge(position).float().sub(x.gt(position + width).float()).mul(height);
}
const bumpError = (position: number, width: number, height: number, K: number) =>
  sigmoidBump(xs, position, width, height, K).sub(box(xs, position, width, height)).abs().mean().item();
const bumpExplorer = widgets.interactive(({ position, width, height, K }) => {
  console.log(`mean |bump − box| = ${bumpError(position, width, height, K).toFixed(4)}`);
  return plot.lineChart({
    "box (target)": box(xs, position, width, height),
    "h·σ(K(x − a))": xs.sub(position).mul(K).sigmoid().mul(height),
    "h·σ(K(x − a − width))": xs.sub(position + width).mul(K).sigmoid().mul(height),
    "bump (their difference)": sigmoidBump(xs, position, width, height, K),
  }, { x: xs, title: `A bump from two sigmoids, K = ${K.toFixed(1)}`, xLabel: "x", yLabel: "y", points: false });
}, {
  position: new widgets.FloatSlider({ value: -0.5, min: -2.5, max: 2, step: 0.1, description: "position a" }),
  width: new widgets.FloatSlider({ value: 1, min: 0.2, max: 3, step: 0.1, description: "width" }),
  height: new widgets.FloatSlider({ value: 1, min: -2, max: 2, step: 0.1, description: "height h" }),
  K: new widgets.FloatLogSlider({ value: 10, min: 0, max: 3, step: 0.1, description: "steepness K" }),
});
bumpExplorer

// %% [markdown] id="sigmoid-bump-after"
// With $K$ around 1 the bump is a soft hill; by $K = 100$ it is hard to tell from the box except
// within a few multiples of $1/K$ of its edges.

// %% [markdown] id="bump-sum-md"
// ### Many bumps, any curve
//
// A row of bumps, each with its own height, draws a curve. Cut $[0, 6]$ into $n$ equal pieces and stand a bump on each, as high as $\sin x$ at the
// piece's middle. The sum is a staircase that follows the curve: more pieces make the stairs
// finer, more steepness makes each stair sharper. The printed number is the mean gap to
// $\sin x$ over $[0, 6]$. Sharper is not always closer: with many pieces, a moderate $K$
// rounds the stairs off and follows the curve better than a very steep one.

// %% id="bump-sum"
const xsSine = linspace(0, 6, 601);
function bumpSum(x: Tensor, n: number, K: number): Tensor {
  const width = 6 / n;
  let sum = zerosLike(x);
  for (let i = 0; i < n; i++) sum = sum.add(sigmoidBump(x, i * width, width, Math.sin((i + 0.5) * width), K));
  return sum;
}
const sineGap = (n: number, K: number) => bumpSum(xsSine, n, K).sub(xsSine.sin()).abs().mean().item();
const sineExplorer = widgets.interactive(({ n, K }) => {
  console.log(`${n} bumps (${2 * n} sigmoid units): mean |sum − sin x| = ${sineGap(n, K).toFixed(4)}`);
  return plot.lineChart({ "sin x (target)": xsSine.sin(), [`sum of ${n} bumps`]: bumpSum(xsSine, n, K) },
    { x: xsSine, title: `sin x from ${n} bumps, K = ${K.toFixed(1)}`, xLabel: "x", yLabel: "y", points: false });
}, {
  n: new widgets.IntSlider({ value: 6, min: 1, max: 40, description: "bumps n" }),
  K: new widgets.FloatLogSlider({ value: 100, min: 0, max: 3, step: 0.1, description: "steepness K" }),
});
sineExplorer

// %% [markdown] id="cell-09"
// ## Fitting a training set with steps
//
// Take a training set $(x^{(i)}, y^{(i)})$, $i = 1 \dots m$, sorted by $x$. Put step neuron $i$ at
// $x^{(i)}$ (slightly to its left) and feed all steps into one linear output unit with weights
// $w_1 = y^{(1)}$ and $w_i = y^{(i)} - y^{(i-1)}$. At $x^{(i)}$ exactly the first $i$ steps are on, so
// the output is $w_1 + \dots + w_i = y^{(i)}$: the network reproduces every target.
//
// As a network: a hidden layer of $2m$ ReLU units (two per step) and an output layer whose weights
// are $+w_i$ and $-w_i$ for the two units of step $i$.

// %% id="cell-10"
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

// %% id="cell-11"
const grid = linspace(-0.5, 6.5, 701);
const curve = net(grid.reshape(-1, 1)).reshape(-1);
plot.lineChart({ network: curve, "sin(x)": grid.sin() }, {
  x: grid, markers: { x: xTrain, y: yTrain, label: "training points" },
  title: `${2 * m} ReLU units reproduce ${m} noisy samples of sin(x)`, xLabel: "x", yLabel: "y", points: false,
})

// %% id="cell-12"
plot.scatter(tensor([Array.from(xTrain.data()), Array.from(yTrain.data())]).T, undefined, { title: "The training set", xLabel: "x", yLabel: "y" })

// %% [markdown] id="cell-13"
// The network hits every training point, but between them it is a staircase: it memorises the
// training set rather than learning the smooth curve behind it. The construction proves that a
// wide enough network *can* represent the data; it says nothing about how well it generalises, or
// about how gradient descent would find such weights.
//
// ## Letting gradient descent find the weights
//
// Now give a network of the same kind (one hidden layer of ReLU units, a linear output) the same
// 12 points and let it learn its weights by minimising the squared error. `fit` shows the
// progress and the loss curve while it trains.
//
// The inputs are centred first (x − 3, so they lie in [−3, 3]). The layer starts with zero biases,
// which puts every unit's corner at input 0; with all inputs positive those corners would sit at the
// edge of the data, every unit would be a plain line over it, and training would crawl. Scaling and
// centring inputs is a cheap habit that avoids such trouble.

// %% id="cell-14"
manualSeed(0);
const X = xTrain.sub(3).reshape(-1, 1), y = yTrain.reshape(-1, 1);
const model = new nn.Sequential([
  new nn.Dense(2 * m, { inputDim: 1, activation: "relu" }),
  new nn.Dense(1, { inputDim: 2 * m }),
]);
const lr = 0.02, numEpochs = 400;
model.compile({ optimizer: new optim.Adam(model.parameters(), { lr }), loss: "mse" });
const history = await model.fit(X, y, { epochs: numEpochs, batchSize: m });
`final training loss: ${history.history.loss[numEpochs - 1].toFixed(4)}`

// %% id="cell-15"
const yHat = model.predict(grid.sub(3).reshape(-1, 1)).reshape(-1);
plot.lineChart({ "learned by gradient descent": yHat, "built by hand": curve, "sin(x)": grid.sin() },
  { x: grid, title: "Two networks of 24 ReLU units", xLabel: "x", yLabel: "y", points: false })

// %% [markdown] id="cell-16"
// The learned network does not reproduce the points exactly, but it is smooth between them: gradient
// descent from small random weights prefers simple functions, which is often what we want.
//
// ## Summary
//
// - One ReLU neuron $\max(0, Wx + b)$ is a ramp: $W$ sets its steepness, $b$ moves its corner to $-b/W$.
// - Two neurons with nearby corners make a step of height 1 at any position.
// - Two steep sigmoids make a bump of any position, width and height; bumps on $n$ pieces follow a
//   curve such as $\sin x$ ever more closely as $n$ grows.
// - $m$ steps feeding a linear output unit reproduce $m$ training pairs exactly: a one-hidden-layer
//   ReLU network with $2m$ units is a universal approximator for one-dimensional data.
// - Representing the training set is not the same as generalising from it; gradient descent finds a
//   smoother fit with the same number of units.
//
// ## Exercises
//
// 1. Lower the slope `K` passed to `stepNetwork` to 5. What happens between the training points, and at them?
// 2. With the bump sliders, find how steep the sigmoids must be for the mean gap to fall below 0.01.
//    Does the answer change with the width or the height? Explain from the formula.
// 3. Use 40 samples instead of 12. Does the staircase look more like $\sin x$? What does that cost in units?
// 4. Train the second network on the raw inputs (`X = xTrain.reshape(-1, 1)`). Compare the final
//    loss and the curve with the centred version, and explain the difference.
// 5. Build a bump in **two** inputs (1 on a square, 0 elsewhere) from sigmoid units of $x_1$ and
//    $x_2$ and one more unit on top. How many units does a grid of $k \times k$ such bumps need?
