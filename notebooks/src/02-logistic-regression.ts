// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="cell-00"
// # 02 · Logistic regression
//
// Logistic regression is the smallest useful classifier, and every unit of a neural network is a
// close relative of it. This notebook builds one by hand: the model, the cost, the gradient derived
// with the chain rule and checked against autodiff, gradient descent, and the effect of the learning
// rate and the number of iterations on the cost curve. It ends by measuring accuracy on data the
// model never saw.

// %% [markdown] id="cell-01"
// ## The data
//
// Two classes of points in the plane, labelled $y = 0$ and $y = 1$. Each row of `X` is one example
// with $n = 2$ features; `y` holds the labels as a column. (The course notes put examples in columns,
// $X$ of shape $(n_x, m)$; with examples in rows every formula below is the same one transposed.)

// %% id="cell-02"
const blobSet = data.blobs({ samples: 300, centers: [[-1, -1], [1.5, 1]], std: 1.1, seed: 4 });
const X = blobSet.X;                        // [m, 2]
const y = blobSet.y.float().reshape(-1, 1); // [m, 1], 0 or 1
const m = X.shape[0];
console.log("X", X.shape, "y", y.shape, "positives", y.sum().item());
plot.scatter(X, blobSet.y, { title: "Two classes" })

// %% [markdown] id="cell-03"
// ## The model
//
// Logistic regression assumes the answer depends on a weighted sum of the features,
// $z = w_1x_1 + \dots + w_nx_n + b = w^Tx + b$. The **sigmoid** $\sigma(z) = 1/(1 + e^{-z})$ squeezes
// $z$ into $(0, 1)$, so $a = \sigma(w^Tx + b)$ reads as the probability that $y = 1$. We predict 1 when
// $a > 0.5$, i.e. when $z > 0$: the decision boundary $w^Tx + b = 0$ is a straight line.

// %% id="cell-04"
const zs = linspace(-8, 8, 161);
plot.lineChart({ "σ(z)": zs.sigmoid() }, { x: zs, title: "The sigmoid", xLabel: "z", yLabel: "σ(z)", points: false })

// %% [markdown] id="cell-05"
// ## The cost
//
// The cost $J(w, b)$ scores a choice of parameters: lower is better. The fraction of correct answers
// would be a natural score, but it changes in jumps and has zero derivative almost everywhere. Instead,
// each example contributes the **binary cross-entropy** loss
//
// $L(a, y) = -\big(y \log a + (1 - y)\log(1 - a)\big),$
//
// which is $-\log a$ when $y = 1$ (large when $a$ is near 0) and $-\log(1 - a)$ when $y = 0$. The cost is
// the mean over the $m$ examples:
// $J = -\frac{1}{m}\sum_i \big(y^{(i)}\log a^{(i)} + (1 - y^{(i)})\log(1 - a^{(i)})\big)$.

// %% id="cell-06"
const as = linspace(0.01, 0.99, 99);
plot.lineChart({ "y = 1: −log a": as.log().neg(), "y = 0: −log(1 − a)": as.neg().add(1).log().neg() },
  { x: as, title: "Loss of one example", xLabel: "prediction a", yLabel: "loss", points: false })

// %% id="cell-07"
// Predictions are kept a hair away from 0 and 1 so that log never sees 0.
function cost(yHat: Tensor, y: Tensor): Tensor {
  const a = yHat.clip(1e-7, 1 - 1e-7);
  return y.mul(a.log()).add(y.neg().add(1).mul(a.neg().add(1).log())).mean().neg();
}
function predict(X: Tensor, w: Tensor, b: Tensor | number): Tensor {
  return X.matmul(w).add(b).sigmoid();
}
`cost with all parameters 0: ${cost(predict(X, zeros([2, 1]), 0), y).item().toFixed(4)} (= log 2 = ${Math.log(2).toFixed(4)})`

// %% [markdown] id="cell-08"
// ## The gradient, by hand
//
// With $a = \sigma(z)$, the chain rule gives for one example
// $\frac{\partial L}{\partial a} = \frac{a - y}{a(1 - a)}$ and $\frac{\partial a}{\partial z} = a(1 - a)$,
// so the two factors cancel into $\frac{\partial L}{\partial z} = a - y$. Since $\frac{\partial z}{\partial w_j} = x_j$
// and $\frac{\partial z}{\partial b} = 1$:
//
// $\frac{\partial J}{\partial w_j} = \frac{1}{m}\sum_i x_j^{(i)}\,(a^{(i)} - y^{(i)}), \qquad
// \frac{\partial J}{\partial b} = \frac{1}{m}\sum_i (a^{(i)} - y^{(i)}).$
//
// In matrix form, with the examples in the rows of $X$: $\nabla_w J = \frac{1}{m}X^T(a - y)$.
// Let us check the formula against the library's autodiff at some random parameters.

// %% id="cell-09"
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
`largest difference: ${dw.sub(wTest.grad!).abs().max().item().toExponential(2)}`

// %% [markdown] id="cell-10"
// ## Vectorisation
//
// The sums over examples can be written as loops, one example at a time, or as a single matrix
// product. Both give the same numbers; the matrix version hands the whole job to optimised code and
// is what makes training on large data sets affordable.

// %% id="cell-11"
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

// %% [markdown] id="cell-12"
// With two features and 300 examples the loops are still quick; the difference grows with the number
// of features and examples (see the exercises).
//
// ## Gradient descent
//
// Start from $w = 0, b = 0$ and repeat: $w \leftarrow w - \alpha\,\nabla_w J$, $b \leftarrow b - \alpha\,\partial J/\partial b$.
// The step size $\alpha$ is the **learning rate** (`lr`). The loop records the cost at every iteration.

// %% id="cell-13"
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
plot.lineChart(fitted.costs, { title: `Cost, lr = ${lr}`, xLabel: "iteration", yLabel: "J", points: false })

// %% [markdown] id="cell-14"
// ## Hyperparameters: the learning rate and the number of iterations
//
// The learning rate and the number of iterations are **hyperparameters**: we choose them, gradient
// descent does not learn them. The cost curve is how we judge them.

// %% id="cell-15"
const curves: Record<string, number[]> = {};
for (const rate of [0.01, 0.1, 1, 30]) curves[`lr = ${rate}`] = train(X, y, rate, numIterations).costs;
plot.lineChart(curves, { title: "The same model with four learning rates", xLabel: "iteration", yLabel: "J", points: false, logY: true })

// %% [markdown] id="cell-16"
// - **Too small** (0.01): the cost falls steadily but is still far from its minimum after 200 iterations.
// - **Reasonable** (0.1 to 1): fast, smooth decrease.
// - **Too large** (30): the first step overshoots and the cost goes *up*; later the parameters bounce
//   back and forth across the minimum without settling (the zigzag), ending worse than with `lr = 1`.
//   Larger still, the final parameters can be worse than random ones.
//
// The number of iterations matters in the same way: too few leaves the parameters better than random but
// not optimal; more iterations, with a small enough learning rate, only cost computing time.

// %% [markdown] id="lr-slider-md"
// Try it yourself: move the slider and the cost curve is redrawn for that learning rate (a log
// scale from 0.001 to 100). At which rate does the first step start to overshoot?

// %% id="lr-slider"
const lrExplorer = widgets.interactive(({ lr }) => {
  const { costs } = train(X, y, lr, numIterations);
  return plot.lineChart(costs, { title: `Cost, lr = ${lr.toPrecision(2)}`, xLabel: "iteration", yLabel: "J", points: false, logY: true });
}, { lr: [1e-3, 100, "log"] });
lrExplorer

// %% id="cell-17"
for (const iterations of [5, 20, 200]) {
  const r = train(X, y, 0.1, iterations);
  console.log(`${String(iterations).padStart(3)} iterations: final cost ${r.costs[iterations - 1].toFixed(4)}`);
}

// %% [markdown] id="cell-18"
// ## A test set
//
// What counts is how the model does on **new** data. Before training, we put part of the labelled
// data aside as a **test set**, never touch it while training, and report accuracy on it at the end.

// %% id="cell-19"
const split = data.trainTestSplit(X, y, { testSize: 0.3, seed: 0 });
const model = train(split.XTrain, split.yTrain, 0.5, 300);
const accuracy = (X: Tensor, y: Tensor) => predict(X, model.w, model.b).gt(0.5).float().eq(y).float().mean().item();
console.log("training examples", split.XTrain.shape[0], " test examples", split.XTest.shape[0]);
console.log("training accuracy", accuracy(split.XTrain, split.yTrain).toFixed(3));
console.log("test accuracy    ", accuracy(split.XTest, split.yTest).toFixed(3));

// %% id="cell-20"
plot.decisionBoundary((points: Tensor) => predict(points, model.w, model.b), split.XTest, split.yTest.reshape(-1),
  { title: "The learned boundary and the test points" })

// %% [markdown] id="cell-21"
// The two clouds overlap, so no straight line gets every point right: part of the error comes from
// the data, not from training. When a model does poorly, the usual suspects are: the model cannot
// represent the pattern (here: the classes are not linearly separable), gradient descent did not find
// good parameters (an odd cost curve; tune the hyperparameters), or the examples do not represent
// the new data (high training accuracy, low test accuracy; get more or better data).

// %% [markdown] id="images-and-classes"
// ## Images as input, and more than two classes
//
// Logistic regression takes a vector of features. An image becomes one: a grey image of $H \times W$
// pixels is an $H \times W$ array of brightness values (0 is black, 255 white, often scaled to
// $[0, 1]$); a colour image has three such arrays, one per **channel** (red, green, blue), so
// $H \times W \times 3$ numbers. Laid out in one line (**flattened**), every pixel of every channel is
// one feature: a vector of length $3HW$, and the model is unchanged. Lecture 07 does this with MNIST.
//
// Many tasks have $n_c > 2$ classes (10 digits, 1,000 ImageNet categories). Two cases differ:
// **multiclass**, where each example has exactly one class, and **multilabel**, where it may have
// several or none (a photo with a dog *and* a ball). Binary classifiers can be combined:
//
// - **one-vs-all** (one-vs-rest): $n_c$ classifiers, the $k$-th trained on "class $k$ or not";
//   predict the class whose classifier is most confident. Since each one decides alone, this also
//   serves multilabel problems: keep every class whose classifier says yes.
// - **one-vs-one**: one classifier for each pair of classes, $n_c(n_c - 1)/2$ in all, each trained
//   only on the examples of its two classes; the class that wins most of the votes is predicted.
//   Its accuracy is usually close to one-vs-all's, but the number of classifiers grows with the
//   square of $n_c$.
// - **one network with $n_c$ outputs**: the usual choice for a neural network, with a softmax that
//   turns the outputs into probabilities of mutually exclusive classes (lecture 05). For multilabel
//   problems each output gets its own sigmoid and binary cross-entropy instead.

// %% id="images-and-classes-code"
// A small colour image (height 4, width 5, 3 channels) as a feature vector of 3·H·W values,
// and how many binary classifiers each strategy needs.
const rgbImage = rand([4, 5, 3]);
console.log("image", rgbImage.shape, "→ features", rgbImage.reshape(-1).shape);
[2, 10, 1000].map((nc) => `n_c = ${nc}: one-vs-all ${nc} classifiers, one-vs-one ${(nc * (nc - 1)) / 2}`).join("\n")

// %% [markdown] id="summary"
// ## Summary
//
// - Logistic regression predicts $a = \sigma(w^Tx + b)$ and answers 1 when $a > 0.5$; its boundary is a line.
// - Binary cross-entropy is the cost; its gradient is remarkably simple: $\partial L/\partial z = a - y$,
//   so $\nabla_w J = \frac{1}{m}X^T(a - y)$ and $\partial J/\partial b$ is the mean of $a - y$. Autodiff agrees.
// - Vectorised code computes the same gradient as loops over examples, in one matrix product.
// - The learning rate and the number of iterations shape the cost curve: too small is slow, too
//   large diverges.
// - Accuracy is reported on a test set that training never saw.
//
// ## Exercises
//
// 1. Derive $\partial a/\partial z = a(1 - a)$ from the definition of the sigmoid, and check it with `grad`.
// 2. Find, by trying, the largest learning rate for which the cost still decreases at every iteration.
// 3. Time `gradientWithLoops` and the vectorised gradient with `performance.now()` for 300 examples, then
//    for 30,000 (use `data.blobs({ samples: 30000, ... })`). How does the ratio change?
// 4. Replace the cross-entropy by the squared error $(a - y)^2$ and derive its gradient. Why does it learn
//    slowly when a prediction is confidently wrong?
// 5. Move the blob centres further apart. What happens to the weights if you keep training for many
//    iterations, and why?
