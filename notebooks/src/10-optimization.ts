// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="10-optimization"
// # 10 · Optimization
//
// Plain gradient descent steps against the gradient with one learning rate for every parameter. This
// notebook looks at what goes wrong with that and at the fixes in everyday use: **momentum** and
// **Nesterov** momentum, the per-parameter rates of **Adagrad**, **RMSProp** and **Adam** (with and
// without **bias correction**), **learning-rate schedules**, **initialization** of the weights, watched
// through histograms of every layer's activations and gradients, **preprocessing**, and **batch
// normalization**.

// %% [markdown] id="three-awkward-surfaces"
// ## Three awkward surfaces
//
// A network's loss has millions of parameters, but the troubles of gradient descent already show on
// a surface of two, where we can draw the path each optimizer takes:
//
// - a **ravine**, $f(x, y) = 0.05x^2 + 2y^2$: steep across, nearly flat along. The steepest direction
//   points at the minimum only when the contours are circles; here it points mostly across the ravine.
// - a **saddle**, $f(x, y) = x^2 + \tfrac14 y^4 - y^2$: at $(0, 0)$ the gradient is zero, yet it is no
//   minimum (the two minima are at $y = \pm\sqrt 2$). Near it the gradient is tiny and steps stall.
// - **Rosenbrock's valley**, $f(x, y) = (1 - x)^2 + 100(y - x^2)^2$: a curved, narrow valley with its
//   minimum at $(1, 1)$.
//
// Each surface is written with tensor operations, so autodiff gives the gradient, and the library's
// optimizers take the steps, exactly as they would for a network's weights.

// %% id="cell-03"
type Surface = (x: Tensor, y: Tensor) => Tensor;
const ravine: Surface = (x, y) => x.square().mul(0.05).add(y.square().mul(2));
const saddle: Surface = (x, y) => x.square().add(y.pow(4).mul(0.25)).sub(y.square());
const rosenbrock: Surface = (x, y) => x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
// The same functions on plain numbers, for the contour plots (thousands of grid points).
const surfaceValues = new Map<Surface, (a: number, b: number) => number>([
  [ravine, (a, b) => 0.05 * a * a + 2 * b * b],
  [saddle, (a, b) => a * a + b ** 4 / 4 - b * b],
  [rosenbrock, (a, b) => (1 - a) ** 2 + 100 * (b - a * a) ** 2],
]);
const onNumbers = (f: Surface) => surfaceValues.get(f)!;

// Runs an optimizer for numSteps steps from start; returns the points visited and the losses.
function trajectory(f: Surface, start: [number, number], makeOptimizer: (params: Tensor[]) => optim.Optimizer, numSteps: number) {
  const x = tensor(start[0], { requiresGrad: true }), y = tensor(start[1], { requiresGrad: true });
  const optimizer = makeOptimizer([x, y]);
  const path: [number, number][] = [start];
  const losses: number[] = [];
  for (let t = 0; t < numSteps; t++) {
    optimizer.zeroGrad();
    const loss = f(x, y);
    losses.push(loss.item());
    loss.backward();
    optimizer.step();
    path.push([x.item(), y.item()]);
  }
  return { path, losses };
}
// The first step at which the path is within `tol` of the point `target`.
const stepsToReach = (path: [number, number][], target: [number, number], tol = 0.1) =>
  path.findIndex(([a, b]) => Math.hypot(a - target[0], b - target[1]) < tol);

const ravineStart: [number, number] = [-9, 1.5];
const lr = 0.2;
const sgdRun = trajectory(ravine, ravineStart, (p) => new optim.SGD(p, { lr }), 250);
console.log(`SGD, lr ${lr}: within 0.1 of the minimum after ${stepsToReach(sgdRun.path, [0, 0])} steps`);
plot.contour(onNumbers(ravine), {
  xRange: [-10, 10], yRange: [-2, 2], levels: 12, logLevels: true,
  path: { SGD: sgdRun.path.slice(0, 60) }, title: "SGD in a ravine (first 60 steps)",
})

// %% [markdown] id="momentum"
// The learning rate is capped by the steep direction: across the ravine the curvature is $4$, and any
// rate above $2/4 = 0.5$ makes $y$ overshoot further at every step. With a safe rate of 0.2, the flat
// direction (curvature $0.1$) shrinks by only $1 - 0.2 \cdot 0.1 = 0.98$ per step: some 220 steps to
// crawl to the minimum.
//
// ## Momentum
//
// **Momentum** keeps a running sum of past gradients, the velocity $v$, and steps along it:
//
// $$v_t = \beta\, v_{t-1} + \nabla J(w_{t-1}), \qquad w_t = w_{t-1} - \alpha\, v_t .$$
//
// It is an exponentially weighted average of the gradients ($v_t = \beta v_{t-1} + (1-\beta)g_t$ averages
// over about $1/(1-\beta)$ steps; the factor $1-\beta$ only rescales the learning rate and is dropped).
// Gradients that keep pointing the same way (along the ravine) add up to speed; gradients that flip sign
// (across it) cancel out. **Nesterov** momentum takes the gradient after the look-ahead step
// $w - \alpha\beta v$ instead of at $w$; PyTorch's form, used here, is $w_t = w_{t-1} - \alpha(g_t + \beta v_t)$.

// %% id="cell-05"
const momentumRun = trajectory(ravine, ravineStart, (p) => new optim.SGD(p, { lr, momentum: 0.9 }), 250);
const nesterovRun = trajectory(ravine, ravineStart, (p) => new optim.SGD(p, { lr, momentum: 0.9, nesterov: true }), 250);
const steps = { SGD: stepsToReach(sgdRun.path, [0, 0]), momentum: stepsToReach(momentumRun.path, [0, 0]), Nesterov: stepsToReach(nesterovRun.path, [0, 0]) };
console.log("steps to within 0.1 of the minimum:", steps);
plot.contour(onNumbers(ravine), {
  xRange: [-10, 10], yRange: [-2, 2], levels: 12, logLevels: true,
  path: { SGD: sgdRun.path.slice(0, 60), "momentum 0.9": momentumRun.path.slice(0, 60), Nesterov: nesterovRun.path.slice(0, 60) },
  title: "Same learning rate, first 60 steps",
})

// %% [markdown] id="per-parameter-learning-rates-adagrad-rms"
// Momentum overshoots across the ravine at first, but its speed along the floor makes it arrive in a
// fraction of SGD's steps; Nesterov's look-ahead damps the overshoot and arrives sooner still.
//
// ## Per-parameter learning rates: Adagrad, RMSProp, Adam
//
// Another cure for the ravine is a separate effective rate per parameter: large steps where gradients
// have been small, small steps where they have been large. With $g$ the gradient and all operations
// element by element:
//
// | optimizer | running statistic | step |
// |---|---|---|
// | Adagrad | $s_t = s_{t-1} + g_t^2$ | $w \leftarrow w - \alpha\, g_t / \sqrt{s_t}$ |
// | RMSProp | $s_t = \beta s_{t-1} + (1-\beta) g_t^2$ | $w \leftarrow w - \alpha\, g_t / \sqrt{s_t}$ |
// | Adam | $m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$, $v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2$ | $w \leftarrow w - \alpha\, \hat m_t / \sqrt{\hat v_t}$ |
//
// (The library adds a tiny $\epsilon$ to each denominator.) Adagrad's sum only grows, so its steps
// shrink for ever; RMSProp forgets old gradients with a moving average; Adam is RMSProp plus momentum,
// and a good default. $\hat m_t, \hat v_t$ are *bias-corrected* averages, explained below.

// %% id="cell-07"
const adaptive = {
  "Adagrad (lr 1)": trajectory(ravine, ravineStart, (p) => new optim.Adagrad(p, { lr: 1 }), 250),
  "RMSProp (lr 0.1)": trajectory(ravine, ravineStart, (p) => new optim.RMSProp(p, { lr: 0.1 }), 250),
  "Adam (lr 0.5)": trajectory(ravine, ravineStart, (p) => new optim.Adam(p, { lr: 0.5 }), 250),
};
for (const [name, run] of Object.entries(adaptive)) console.log(`${name}: ${stepsToReach(run.path, [0, 0])} steps`);
plot.contour(onNumbers(ravine), {
  xRange: [-10, 10], yRange: [-2, 2], levels: 12, logLevels: true,
  path: Object.fromEntries(Object.entries(adaptive).map(([k, r]) => [k, r.path.slice(0, 60)])),
  title: "Adaptive rates head straight along the floor",
})

// %% [markdown] id="md-741ca277"
// Dividing by the root of the squared gradients makes the first steps about the same size, $\alpha$, in
// both coordinates: the paths go diagonally at first, then straight along the floor. The loss per step
// puts all six side by side (logarithmic axis):

// %% id="cell-09"
const ravineLosses: Record<string, number[]> = { SGD: sgdRun.losses, momentum: momentumRun.losses, Nesterov: nesterovRun.losses };
for (const [name, run] of Object.entries(adaptive)) ravineLosses[name.split(" ")[0]] = run.losses;
plot.lineChart(Object.fromEntries(Object.entries(ravineLosses).map(([k, v]) => [k, v.slice(0, 150).map((l) => Math.max(l, 1e-12))])), {
  title: "Loss on the ravine", xLabel: "step", yLabel: "f(x, y)", logY: true, points: false,
})

// %% [markdown] id="the-saddle-and-the-valley"
// ### The saddle and the valley
//
// Starting almost exactly on the ridge of the saddle, at $y = 10^{-4}$, the gradient in $y$ is tiny.
// Plain SGD spends many steps near the saddle point before the slope in $y$ grows large enough;
// momentum builds up speed, and the adaptive methods divide the tiny gradient by its own size, so they
// leave at once.

// %% id="cell-11"
const saddleStart: [number, number] = [-1.5, 1e-4];
const saddleRuns = {
  SGD: trajectory(saddle, saddleStart, (p) => new optim.SGD(p, { lr: 0.05 }), 150),
  momentum: trajectory(saddle, saddleStart, (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9 }), 150),
  RMSProp: trajectory(saddle, saddleStart, (p) => new optim.RMSProp(p, { lr: 0.05 }), 150),
  Adam: trajectory(saddle, saddleStart, (p) => new optim.Adam(p, { lr: 0.05 }), 150),
};
// "Escaped": the loss is below −0.5, halfway from the saddle's 0 to the minima's −1.
const escape = Object.fromEntries(Object.entries(saddleRuns).map(([k, r]) => [k, r.losses.findIndex((l) => l < -0.5)]));
console.log("steps until f < -0.5:", escape);
plot.contour(onNumbers(saddle), {
  xRange: [-2, 2], yRange: [-2, 2], levels: 14,
  path: Object.fromEntries(Object.entries(saddleRuns).map(([k, r]) => [k, r.path.slice(0, 80)])),
  title: "Leaving a saddle point (first 80 steps)",
})

// %% id="cell-12"
const rosenStart: [number, number] = [-1.5, 2];
const rosenRuns = {
  "SGD (lr 0.001)": trajectory(rosenbrock, rosenStart, (p) => new optim.SGD(p, { lr: 0.001 }), 500),
  "momentum (lr 0.001)": trajectory(rosenbrock, rosenStart, (p) => new optim.SGD(p, { lr: 0.001, momentum: 0.9 }), 500),
  "Adam (lr 0.1)": trajectory(rosenbrock, rosenStart, (p) => new optim.Adam(p, { lr: 0.1 }), 500),
};
for (const [name, run] of Object.entries(rosenRuns)) {
  const [a, b] = run.path[run.path.length - 1];
  console.log(`${name}: after 500 steps at (${a.toFixed(3)}, ${b.toFixed(3)}), f = ${run.losses[499].toFixed(4)}`);
}
plot.contour(onNumbers(rosenbrock), {
  xRange: [-2, 2], yRange: [-1, 3], levels: 14, logLevels: true,
  path: Object.fromEntries(Object.entries(rosenRuns).map(([k, r]) => [k, r.path])),
  title: "Rosenbrock's valley, 500 steps (minimum at (1, 1))",
})

// %% [markdown] id="bias-correction"
// In the curved valley SGD slides down the wall and then creeps: after 500 steps it has barely started
// along the floor. Momentum follows the floor round the bend to near $(1, 1)$, and so does Adam, though it
// needs a rate 100 times larger: its steps are about $\alpha$ per coordinate whatever the slope, so with
// a small $\alpha$ it would crawl too. No optimizer wins
// everywhere; on real networks Adam with $\alpha = 10^{-3}$ is the usual first try, SGD with momentum
// (and a schedule) a strong second.
//
// ## Bias correction
//
// Adam's averages start at $m_0 = v_0 = 0$, so the first ones are biased towards zero:
// $m_1 = (1-\beta_1)g_1$ is a tenth of the gradient for $\beta_1 = 0.9$, and $v_1 = (1 - \beta_2)g_1^2$ a
// thousandth of its square for $\beta_2 = 0.999$. Dividing by $1 - \beta^t$ removes the bias:
//
// $$\hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t}.$$
//
// Without it the first step is $\alpha\,(1-\beta_1) g / \sqrt{1-\beta_2}\,|g| = \alpha \cdot 0.1/0.0316 \approx 3.16\,\alpha$
// in every coordinate: too large, enough to wreck a careful initialization. The momentum average alone,
// uncorrected, errs the other way: its first steps are ten times too small. Here is Adam written out
// from the formulas, with a switch:

// %% id="cell-14"
function adamByHand(f: Surface, start: [number, number], options: { lr: number; numSteps: number; biasCorrection: boolean; beta1?: number; beta2?: number }) {
  const { lr, numSteps, biasCorrection, beta1 = 0.9, beta2 = 0.999 } = options;
  let w = tensor(start);
  let m = zeros([2]), v = zeros([2]);
  const stepSizes: number[] = [], path: [number, number][] = [start];
  for (let t = 1; t <= numSteps; t++) {
    const g = grad((p: Tensor) => f(p.slice(0, 0, 1), p.slice(0, 1, 2)).sum())(w)[0];
    m = m.mul(beta1).add(g.mul(1 - beta1));
    v = v.mul(beta2).add(g.square().mul(1 - beta2));
    const mHat = biasCorrection ? m.div(1 - beta1 ** t) : m;
    const vHat = biasCorrection ? v.div(1 - beta2 ** t) : v;
    const step = mHat.div(vHat.sqrt().add(1e-8)).mul(lr);
    stepSizes.push(step.abs().max().item());   // the larger of the two coordinates' moves
    w = w.sub(step);
    path.push([w.get(0), w.get(1)]);
  }
  return { stepSizes, path };
}
const withBC = adamByHand(ravine, ravineStart, { lr: 0.5, numSteps: 40, biasCorrection: true });
const withoutBC = adamByHand(ravine, ravineStart, { lr: 0.5, numSteps: 40, biasCorrection: false });
const libraryAdam = adaptive["Adam (lr 0.5)"].path;
console.log(`first step with bias correction ${withBC.stepSizes[0].toFixed(3)} (= lr), without ${withoutBC.stepSizes[0].toFixed(3)} (= ${(withoutBC.stepSizes[0] / 0.5).toFixed(2)} × lr)`);
console.log(`written-out Adam vs optim.Adam after 40 steps: (${withBC.path[40].map((c) => c.toFixed(4))}) vs (${libraryAdam[40].map((c) => c.toFixed(4))})`);
plot.lineChart({ "with bias correction": withBC.stepSizes, "without": withoutBC.stepSizes }, {
  x: Array.from({ length: 40 }, (_, i) => i + 1), title: "Size of Adam's steps (lr 0.5)", xLabel: "step t", yLabel: "largest |Δw|",
})

// %% [markdown] id="learning-rate-schedules"
// Without the correction the first steps are three times the intended size, and the steps only become
// alike once $\beta_1^t$ and $\beta_2^t$ have faded (for $\beta_2 = 0.999$ that takes thousands of steps).
//
// ## Learning-rate schedules
//
// A rate large enough to make fast progress early is too large to settle into a minimum later, where it
// keeps bouncing around. A **schedule** starts high and decays (anneals) the rate, with $t$ counted in
// epochs (or steps) and $T$ the total:
//
// | schedule | $\alpha_t$ | library |
// |---|---|---|
// | step decay | multiply by $\gamma$ every $k$ epochs | `optim.StepLR` |
// | exponential | $\alpha_0 e^{-kt}$ | `optim.ExponentialLR` |
// | linear | $\alpha_0 (1 - t/T)$ | `optim.LinearLR` |
// | cosine | $\tfrac12 \alpha_0 (1 + \cos(\pi t/T))$ | `optim.CosineAnnealingLR` |
// | inverse square root | $\alpha_0 / \sqrt{t}$ | `optim.InverseSqrtLR` (with $t$ from 1) |
// | $1/t$ | $\alpha_0 / (1 + kt)$ | `optim.InverseTimeLR` |
//
// Step decay adds hyperparameters (when and by how much); the functional ones need at most one. A sound
// order of trials: a constant rate first, then step decay where progress stalls.

// %% id="cell-16"
const numEpochs = 40;
const dummy = () => new optim.SGD([tensor([0], { requiresGrad: true })], { lr: 0.3 });
plot.lrSchedules({
  "step (15, ×0.2)": new optim.StepLR(dummy(), { stepSize: 15, gamma: 0.2 }),
  "exponential (k 0.05)": new optim.ExponentialLR(dummy(), { k: 0.05 }),
  linear: new optim.LinearLR(dummy(), { totalIters: numEpochs, startFactor: 1, endFactor: 0 }),
  cosine: new optim.CosineAnnealingLR(dummy(), { tMax: numEpochs }),
  "1/√t": new optim.InverseSqrtLR(dummy()),
  "1/t (k 0.2)": new optim.InverseTimeLR(dummy(), { k: 0.2 }),
}, { steps: numEpochs + 1, xLabel: "epoch t", title: "Learning-rate schedules from α₀ = 0.3" })

// %% [markdown] id="md-ad0b0de8"
// Now a real run: a network with two hidden layers learns three interleaved spirals with SGD and
// momentum, at a constant rate of 0.3 and with two of the schedules (stepped once per epoch by a callback).

// %% id="cell-18"
const spirals = data.spirals({ samples: 450, classes: 3, noise: 0.2, seed: 0 });
const X = spirals.X, y = spirals.y;
function spiralModel() {
  manualSeed(0);
  return new nn.Sequential([
    new nn.Dense(64, { inputDim: 2, activation: "relu" }),
    new nn.Dense(64, { inputDim: 64, activation: "relu" }),
    new nn.Dense(3, { inputDim: 64 }),
  ]);
}
const scheduleLosses: Record<string, number[]> = {};
for (const kind of ["constant", "step", "cosine"]) {
  const model = spiralModel();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.3, momentum: 0.9 });
  const schedule = kind === "step" ? new optim.StepLR(optimizer, { stepSize: 15, gamma: 0.2 })
    : kind === "cosine" ? new optim.CosineAnnealingLR(optimizer, { tMax: numEpochs }) : null;
  model.compile({ optimizer, loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
  const callbacks = schedule ? [new nn.LambdaCallback({ onEpochEnd: () => { schedule.step(); } })] : [];
  const history = await model.fit(X, y, { epochs: numEpochs, batchSize: 32, verbose: 0, callbacks });
  scheduleLosses[kind] = history.history.loss;
  console.log(`${kind.padEnd(8)}: final training loss ${history.history.loss[numEpochs - 1].toFixed(3)}, accuracy ${history.history.accuracy[numEpochs - 1].toFixed(3)}`);
}
plot.lineChart(scheduleLosses, { x: Array.from({ length: numEpochs }, (_, i) => i + 1), title: "Constant rate versus schedules (spirals)", xLabel: "epoch", yLabel: "training loss", logY: true })

// %% [markdown] id="initialization"
// All three runs are identical until the first decay. At the constant rate the loss keeps jumping up
// and down; once the rate drops, the step decay's loss falls at once by a large factor, and the cosine
// schedule glides down to the same level.
//
// ## Initialization
//
// Training starts from the initial weights, and they decide whether any signal gets through a deep
// network at all:
//
// - **zeros** (or any constant) make every unit of a layer compute the same thing and receive the same
//   gradient: they stay copies of each other for ever. Random weights break this symmetry.
// - **Gaussian** $\mathcal N(0, \sigma^2)$ with a fixed $\sigma$ suits shallow networks. In a deep one
//   each layer multiplies the spread of its input by about $\sigma\sqrt{n_{in}}$: too small and the
//   activations (and the gradients) shrink to zero layer after layer; too large and they grow, or
//   saturate tanh at $\pm 1$ where its derivative vanishes.
// - **Xavier** (Glorot) chooses $\sigma = 1/\sqrt{n_{in}}$, keeping the variance of a linear layer's
//   output equal to its input's (Glorot's own $\sqrt{2/(n_{in} + n_{out})}$, the library's `xavierNormal`,
//   is the same for square layers). It suits tanh.
// - **He** (Kaiming) uses $\sigma = \sqrt{2/n_{in}}$, since ReLU zeroes half of its inputs and so halves
//   the variance. (The notes write the factor as $2/\sqrt{n_{in}}$; it is $\sqrt 2/\sqrt{n_{in}}$.)
// - Biases start at zero; the weights already break the symmetry.
//
// To see it, we push 256 random inputs through 8 hidden layers of 256 units (plus a linear output unit)
// and record, with `nn.probeLayers`, every layer's outputs and the gradients of a loss with respect to
// them. `plot.layerHistograms` draws one histogram per layer.

// %% id="cell-20"
const XDeep = randn([256, 256]), yDeep = randn([256, 1]);
function deepNet(init: nn.init.Initializer | string, activation: string) {
  manualSeed(0);
  const layers: nn.Module[] = [];
  for (let i = 0; i < 8; i++) layers.push(new nn.Dense(256, { inputDim: 256, activation, kernelInitializer: init }));
  layers.push(new nn.Dense(1, { inputDim: 256, kernelInitializer: init }));
  return new nn.Sequential(layers);
}
const inits: Record<string, [nn.init.Initializer | string, string]> = {
  "tanh, N(0, 0.01²)": [nn.init.normal({ std: 0.01 }), "tanh"],
  "tanh, N(0, 1)": [nn.init.normal({ std: 1 }), "tanh"],
  "tanh, Xavier": ["xavierNormal", "tanh"],
  "ReLU, Xavier": ["xavierNormal", "relu"],
  "ReLU, He": ["heNormal", "relu"],
};
const probes: Record<string, nn.LayerProbe[]> = {};
const activationStd: Record<string, number[]> = {}, gradientStd: Record<string, number[]> = {};
for (const [name, [init, activation]] of Object.entries(inits)) {
  probes[name] = nn.probeLayers(deepNet(init, activation), XDeep, { y: yDeep, loss: "mse" }).slice(0, 8);   // the hidden layers
  activationStd[name] = probes[name].map((p) => nn.valueStats(p.activations).std);
  gradientStd[name] = probes[name].map((p) => nn.valueStats(p.gradients!).std);
}
plot.layerHistograms(probes["tanh, N(0, 0.01²)"], { kind: "activations", title: "tanh, weights N(0, 0.01²): activations shrink to 0", width: 90, height: 80 })

// %% id="cell-21"
plot.layerHistograms(probes["tanh, N(0, 1)"], { kind: "activations", title: "tanh, weights N(0, 1): activations saturate at ±1", width: 90, height: 80 })

// %% id="cell-22"
plot.layerHistograms(probes["tanh, Xavier"], { kind: "activations", title: "tanh, Xavier: the spread survives 8 layers", width: 90, height: 80 })

// %% [markdown] id="md-0c6eb4d1"
// The standard deviation of each layer's outputs and of the gradients that flow back into them sums it
// up (both on logarithmic axes):

// %% id="cell-24"
const layerAxis = { x: [1, 2, 3, 4, 5, 6, 7, 8], xLabel: "hidden layer", logY: true };
display(plot.lineChart(activationStd, { ...layerAxis, title: "Spread of the activations", yLabel: "std of the layer's outputs" }));
plot.lineChart(gradientStd, { ...layerAxis, title: "Spread of the gradients (∂loss/∂activations)", yLabel: "std of the gradient" })

// %% [markdown] id="md-b184a511"
// With $\sigma = 0.01$ the outputs shrink about 6-fold per layer (the factor $\sigma\sqrt{256} = 0.16$):
// after 8 layers they are $10^{-7}$, and the gradients reaching the first layer are $10^{-10}$; nothing
// learns. With $\sigma = 1$ every tanh unit is saturated and the gradients grow a hundred-fold on their
// way back to the first layer. Xavier keeps tanh's spread within a factor of three; for ReLU it loses
// about a third per layer, while He keeps the spread constant.
//
// And zeros? Every hidden unit computes the same output, so each layer's weights get identical
// rows of gradient (here exactly zero, since tanh(0) = 0 passes nothing on):

// %% id="cell-26"
const zeroProbe = nn.probeLayers(deepNet("zeros", "tanh"), XDeep.slice(0, 0, 50), { y: yDeep.slice(0, 0, 50) });
const zeroGrads = zeroProbe.map((p) => nn.valueStats(p.weightGradients!).std);
`zero init: the std of each layer's weight gradients is ${zeroGrads.map((s) => s.toPrecision(2)).join(", ")}; distinct hidden outputs in layer 1: ${new Set(Array.from(zeroProbe[0].activations.slice(0, 256))).size}`

// %% [markdown] id="preprocessing"
// ## Preprocessing
//
// Notebook 07 standardised its inputs, $x' = (x - \mu)/\sigma$ per feature, with the training set's
// $\mu$ and $\sigma$ (and the same ones for every later input, at prediction too). Two reasons:
//
// - **Scale.** Features on different scales make the loss a ravine in the first layer's weights, like the
//   one above; even equal but large scales make the cost very sensitive to small weight changes.
// - **Sign.** If every input is positive, the gradient of a first-layer unit's weights for one example,
//   $\delta\,x$, has the sign of $\delta$ in *every* coordinate: all its weights must move up together or
//   down together, a zigzag path to most targets. Subtracting the mean gives inputs of both signs.
//   (The same argument is why zero-centred activations such as tanh train better than sigmoid.)
//
// MNIST pixels are all in $[0, 1]$; here is one unit's gradient for one digit, before and after
// subtracting the mean image:

// %% id="cell-28"
const digits = data.loadMnist({ split: "train", limit: 1500, flatten: true });
const meanImage = digits.X.mean(0, true);
function firstLayerSigns(inputs: Tensor) {
  manualSeed(0);
  const net = new nn.Sequential([new nn.Dense(16, { inputDim: 784, activation: "tanh" }), new nn.Dense(10, { inputDim: 16 })]);
  const probe = nn.probeLayers(net, inputs.slice(0, 0, 1), { y: digits.y.slice(0, 0, 1), loss: "sparseCategoricalCrossentropyFromLogits" });
  // Row 0 of the first layer's weight gradient: unit 0's 784 weights (pixels that are 0 get 0).
  const row = probe[0].weightGradients!.slice(0, 784).filter((g) => g !== 0);
  return { positive: row.filter((g) => g > 0).length, negative: row.filter((g) => g < 0).length };
}
const rawSigns = firstLayerSigns(digits.X), centredSigns = firstLayerSigns(digits.X.sub(meanImage));
`raw pixels: ${rawSigns.positive} positive and ${rawSigns.negative} negative weight gradients; mean subtracted: ${centredSigns.positive} and ${centredSigns.negative}`

// %% [markdown] id="batch-normalization"
// For images every pixel is already on the same scale, yet centring still helps; AlexNet subtracted the
// mean image, VGG the mean of each colour channel, ResNet also divided by each channel's standard deviation.
//
// ## Batch normalization
//
// Standardising the input helps the first layer only. **Batch normalization** does the same for the
// inputs of hidden layers, inside the network: for a minibatch of $m$ examples and each feature $i$,
//
// $$\mu_i = \frac1m \sum_j x_i^{(j)}, \quad \sigma_i^2 = \frac1m \sum_j \big(x_i^{(j)} - \mu_i\big)^2, \quad
// x'_i = \frac{x_i - \mu_i}{\sqrt{\sigma_i^2 + \epsilon}}, \quad \tilde x_i = \gamma_i x'_i + \beta_i .$$
//
// Zero mean and unit variance would be too strict, so two trainable parameters per feature, $\gamma_i$ and
// $\beta_i$, let the layer learn its own scale and shift ($\gamma_i = \sigma_i$, $\beta_i = \mu_i$ undoes the
// normalization). At prediction there may be a single example, so moving averages of $\mu$ and $\sigma^2$
// collected during training take the batch's place (`model.eval()` switches to them). Each batch's
// statistics are a noisy estimate of the whole set's, which adds a slight, unintended regularization.
//
// The claim to test: batch norm makes training faster and less sensitive to the learning rate. A
// network with five hidden layers of 64 ReLU units learns 1,000 MNIST digits with plain SGD for
// 4 epochs, without and with `nn.BatchNorm1d` before each ReLU, at two learning rates:

// %% id="cell-30"
const train = { X: digits.X.slice(0, 0, 1000), y: digits.y.slice(0, 0, 1000) };
const val = { X: digits.X.slice(0, 1000, 1500), y: digits.y.slice(0, 1000, 1500) };
function mnistNet(batchNorm: boolean) {
  manualSeed(0);
  const layers: nn.Module[] = [];
  let inputDim = 784;
  for (let i = 0; i < 5; i++) {
    layers.push(new nn.Dense(64, { inputDim }));
    if (batchNorm) layers.push(new nn.BatchNorm1d(64));
    layers.push(new nn.ReLU());
    inputDim = 64;
  }
  layers.push(new nn.Dense(10, { inputDim: 64 }));
  return new nn.Sequential(layers);
}
const bnCurves: Record<string, number[]> = {};
const bnAccuracy: Record<string, number> = {};
const bnModels: Record<string, nn.Sequential> = {};
for (const batchNorm of [false, true]) {
  for (const rate of [0.02, 0.2]) {
    const name = `${batchNorm ? "batch norm" : "plain"}, lr ${rate}`;
    const model = mnistNet(batchNorm);
    model.compile({ optimizer: new optim.SGD(model.parameters(), { lr: rate }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
    const history = await model.fit(train.X, train.y, { epochs: 4, batchSize: 32, verbose: 0, validationData: [val.X, val.y] });
    bnCurves[name] = history.history.loss;
    bnAccuracy[name] = history.history.val_accuracy[3];
    bnModels[name] = model;
  }
}
console.log("validation accuracy after 4 epochs:", Object.fromEntries(Object.entries(bnAccuracy).map(([k, v]) => [k, +v.toFixed(3)])));
plot.lineChart(bnCurves, { x: [1, 2, 3, 4], title: "Five ReLU layers on MNIST, plain SGD", xLabel: "epoch", yLabel: "training loss" })

// %% [markdown] id="md-ee11dedc"
// At the small rate the plain network has hardly started after 4 epochs while the normalized one is
// already good; at the large rate both learn, batch norm still faster. Batch norm also makes the
// network far less sensitive to its initialization. Take the too-small $\mathcal N(0, 0.01^2)$ weights of
// the initialization section: without batch norm the signal vanishes layer by layer; with it, every
// layer's input is standardised again, whatever the weights did to it (outputs of each ReLU, untrained):

// %% id="cell-32"
function smallInitNet(batchNorm: boolean) {
  manualSeed(0);
  const layers: nn.Module[] = [];
  let inputDim = 784;
  for (let i = 0; i < 5; i++) {
    layers.push(new nn.Dense(128, { inputDim, kernelInitializer: nn.init.normal({ std: 0.01 }) }));
    if (batchNorm) layers.push(new nn.BatchNorm1d(128));
    layers.push(new nn.ReLU());
    inputDim = 128;
  }
  return new nn.Sequential(layers);
}
const reluOutputs = (batchNorm: boolean) =>
  nn.probeLayers(smallInitNet(batchNorm), val.X.slice(0, 0, 256), { training: true }).filter((p) => p.name.includes("ReLU"));
const plainReLU = reluOutputs(false), bnReLU = reluOutputs(true);
const reluStd = { plain: plainReLU.map((p) => nn.valueStats(p.activations).std), "batch norm": bnReLU.map((p) => nn.valueStats(p.activations).std) };
display(plot.layerHistograms(plainReLU, { title: "N(0, 0.01²) weights, no batch norm: ReLU outputs", width: 110, height: 80, sharedX: false }));
plot.layerHistograms(bnReLU, { title: "N(0, 0.01²) weights with batch norm: ReLU outputs", width: 110, height: 80, sharedX: false })

// %% [markdown] id="summary"
// ## Summary
//
// - In a ravine one learning rate is too large for the steep direction or too small for the flat one.
//   **Momentum** averages past gradients, $v \leftarrow \beta v + g$, $w \leftarrow w - \alpha v$, and
//   gets along the floor in a fraction of the steps; **Nesterov** evaluates the gradient after the
//   look-ahead.
// - **Adagrad**, **RMSProp** and **Adam** divide by the root of (averaged) squared gradients: a rate per
//   parameter. Adam = RMSProp + momentum, with **bias correction** $\hat m = m/(1-\beta_1^t)$,
//   $\hat v = v/(1-\beta_2^t)$; without it the first steps are about $3.16\alpha$ for the default betas.
// - **Schedules** (step, exponential, linear, cosine, $1/\sqrt t$, $1/t$) lower the rate over training,
//   so a run can start fast and still settle; `plot.lrSchedules` draws them.
// - **Initialization** sets the spread of the signal: too small vanishes, too large explodes or
//   saturates, zeros never break the symmetry. Xavier ($1/\sqrt{n_{in}}$) suits tanh, He ($\sqrt{2/n_{in}}$)
//   suits ReLU. `nn.probeLayers` and `plot.layerHistograms` show activations, gradients and weights per layer.
// - **Preprocess** with the training set's mean and standard deviation, and apply the same transformation
//   at prediction.
// - **Batch normalization** standardises hidden layers' inputs per minibatch, with a learned scale and
//   shift, and running averages at prediction; it speeds training and tolerates smaller or larger rates.
//
// ## Exercises
//
// 1. Find the largest SGD learning rate that still converges on the ravine, and check it against the
//    bound $2/4$. How many steps does SGD need at that rate?
// 2. Try momentum 0.5 and 0.99 on the ravine. Which arrives first, and why does 0.99 circle so long?
// 3. Run `adamByHand` with `beta2: 0.9`. Is the uncorrected first step now too large or too small?
//    (Hint: compare $1-\beta_1$ with $\sqrt{1-\beta_2}$.)
// 4. Replace the schedules on the spirals with `optim.ExponentialLR` and `optim.InverseSqrtLR`. Which ends
//    lowest after 40 epochs?
// 5. Draw the gradient histograms (`kind: "gradients"`) of `probes["ReLU, He"]` and of
//    `probes["ReLU, Xavier"]`. What happens to the Xavier network with 30 layers instead of 8?
// 6. Put `nn.BatchNorm1d` *after* each ReLU instead of before it. Does it still speed up training?
