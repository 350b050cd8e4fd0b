// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="cell-00"
// # 05 · Activations and losses
//
// A dense layer computes a dot product plus a bias: a linear map. This notebook looks at the two
// ingredients that turn stacks of such layers into something useful: the **activation** after each
// layer, and the **loss** that training minimises.

// %% [markdown] id="cell-01"
// ## Why a network needs non-linearity
//
// Two linear layers in a row are still one linear layer: $W_2(W_1x + b_1) + b_2 = (W_2W_1)x + (W_2b_1 + b_2)$.
// Let us check that numerically.

// %% id="cell-02"
manualSeed(1);
const W1 = randn([4, 3]), b1 = randn([4]);
const W2 = randn([2, 4]), b2 = randn([2]);
const x = randn([3]);
const twoLayers = W2.matmul(W1.matmul(x).add(b1)).add(b2);
const oneLayer = W2.matmul(W1).matmul(x).add(W2.matmul(b1).add(b2));
console.log(twoLayers.toString());
console.log(oneLayer.toString());
twoLayers.sub(oneLayer).abs().max().item() < 1e-5

// %% [markdown] id="cell-03"
// Putting a non-linear function $g$ after every layer breaks this collapse. Because it decides how
// strongly a unit responds, $g$ is called the **activation**.
//
// ## The activations and their derivatives
//
// Gradient descent multiplies error signals by $g'$ on their way back through each layer, so the
// derivative matters as much as the function. Below, each panel shows $g$ and $g'$; the derivative
// is not typed in as a formula but computed by the library's autodiff.

// %% id="cell-04"
const xs = linspace(-3, 3, 100);
plot.plotActivations(xs)

// %% [markdown] id="cell-05"
// Things to notice:
//
// - **sigmoid** $\sigma(x) = 1/(1 + e^{-x})$ maps into $(0, 1)$, convenient for probabilities and
//   gates. Its derivative $\sigma(x)(1 - \sigma(x))$ is at most $1/4$, so every sigmoid layer shrinks
//   the backward signal by four or more.
// - **tanh** $= 2\sigma(2x) - 1$ maps into $(-1, 1)$ and is centred on 0.
// - Both are flat in their tails: there $g' \approx 0$, the unit is **saturated** and learns very slowly.
// - **ReLU** $\max(0, x)$ passes gradients unchanged for $x > 0$ and blocks them for $x < 0$. It is
//   cheap and does not saturate for positive inputs, which made it the usual default.
// - **leaky ReLU** and **PReLU** keep a small slope $a$ for $x < 0$ (fixed, or learned in PReLU).
// - **ELU** uses $a(e^x - 1)$ for $x < 0$, smooth at 0; **SELU** scales ELU by constants chosen so
//   activations keep zero mean and unit variance through many layers.
// - **softplus** $\log(1 + e^x)$ is a smooth ReLU; its derivative is exactly the sigmoid.
//
// ReLU and its relatives have a kink at 0 where the derivative jumps. Exactly at the kink autodiff
// returns one conventional value (for ReLU, 0); the 100 sample points above avoid landing on it.

// %% [markdown] id="cell-06"
// ### Checking a derivative by hand
//
// The largest slope of the sigmoid is at 0. `grad` turns a function into the function that returns
// its gradient:

// %% id="cell-07"
const dSigmoid = grad((z: Tensor) => z.sigmoid().sum());
const at = tensor([-6, -2, 0, 2, 6]);
const [slopes] = dSigmoid(at);
slopes

// %% [markdown] id="cell-08"
// At $\pm 6$ the slope is about 0.0025: a saturated sigmoid passes back a quarter of a percent of
// the error signal.
//
// ### A dead ReLU
//
// If a ReLU unit's input is negative for every example, its gradient is zero everywhere and its
// weights never change again. Here a unit with a large negative bias receives no gradient at all:

// %% id="cell-09"
const inputs = randn([64, 3]);
const weight = tensor([[0.5], [-0.3], [0.2]], { requiresGrad: true });
const bias = tensor([-10], { requiresGrad: true });
const out = inputs.matmul(weight).add(bias).relu();
out.mean().backward();
console.log("outputs that are non-zero:", out.gt(0).sum().item());
console.log("weight gradient:", weight.grad!.toString());
console.log("bias gradient:", bias.grad!.toString());

// %% [markdown] id="cell-10"
// ## Losses
//
// A loss compares a prediction with the truth. It should be non-negative, near 0 for good
// predictions, and differentiable (at least almost everywhere) so that gradient descent can use it.
//
// For a binary classifier with labels $y \in \{-1, +1\}$ and a real-valued score $s$, many losses
// depend only on the **margin** $m = y \cdot s$: positive when the prediction is right, and larger
// the more confident it is.

// %% id="cell-11"
plot.plotLossFns()

// %% [markdown] id="cell-12"
// - **0-1 loss** (1 − accuracy) counts mistakes. It is flat almost everywhere, so its gradient tells
//   gradient descent nothing: it is what we report, not what we train on.
// - **hinge** $\max(0, 1 - m)$ (support vector machines) is exactly 0 once the margin exceeds 1,
//   so correct and confident examples stop contributing.
// - **exponential** $e^{-m}$ (AdaBoost) never reaches 0 and punishes mistakes far more than it
//   rewards extra confidence.
// - **squared** $(1 - m)^2$ also grows when $m > 1$: it penalises being *too* right, a poor fit for
//   classification.
// - **cross-entropy** $\log_2(1 + e^{-m})$ (logistic regression, drawn in bits so it equals 1 at
//   $m = 0$) keeps pushing correct examples further, ever more gently.
//
// ## Softmax and categorical cross-entropy
//
// With $C$ classes the last layer outputs $C$ scores $z$. **Softmax** turns them into probabilities,
// $\hat y_i = e^{z_i} / \sum_j e^{z_j}$, and **categorical cross-entropy** compares them with a
// one-hot label: $L = -\sum_i y_i \log \hat y_i$.

// %% id="cell-13"
const z = tensor([2.0, 1.0, -1.0], { requiresGrad: true });
const yTrue = tensor([0, 1, 0]);
const yHat = softmax(z);
const loss = yTrue.mul(yHat.log()).sum().neg();
loss.backward();
console.log("probabilities:", yHat.toString(), "sum", yHat.sum().item());
console.log("loss:", loss.item());
console.log("dL/dz from autodiff:", z.grad!.toString());
console.log("ŷ − y:              ", yHat.sub(yTrue).toString());

// %% [markdown] id="cell-14"
// The gradient of the loss with respect to the scores is simply $\hat y - y$: the pair
// softmax + cross-entropy gives a clean, non-saturating error signal, which is why classifiers end
// with it.
//
// Softmax assumes that exactly one class is right: raising one probability lowers the others. For
// **multilabel** outputs (an image may show several of the classes, or none), give each output its
// own sigmoid and binary cross-entropy instead; each output is then a yes/no classifier for its
// class, one-vs-all inside one network. The input side is the same in both cases: an image, grey
// ($H \times W$) or colour ($H \times W \times 3$ channels), enters a dense network flattened into one
// vector of pixel values.

// %% [markdown] id="summary"
// ## Summary
//
// - Without activations a deep network collapses to a single linear map.
// - Sigmoid and tanh saturate in their tails (derivative near 0; the sigmoid's is at most 1/4);
//   ReLU does not for positive inputs but can die; leaky ReLU, PReLU, ELU and SELU change the
//   negative side to keep gradients flowing.
// - Classification losses can be compared through the margin $y \cdot s$: the 0-1 loss is what we
//   measure, hinge, exponential and cross-entropy are what we can optimise.
// - Softmax with categorical cross-entropy has the gradient $\hat y - y$.
//
// ## Exercises
//
// 1. Add the "swish" activation $x\,\sigma(x)$ to the plot: pass
//    `{ activations: [...plot.ACTIVATIONS, { name: "swish", fn: (x) => x.mul(x.sigmoid()) }] }` as the second argument.
//    Where is its derivative negative?
// 2. Using `grad`, find the largest derivative of tanh. Compare it with the sigmoid's.
// 3. Change the dead unit's bias to `-1`. How many outputs are now non-zero, and what happens to the gradients?
// 4. Show numerically that the derivative of softplus is the sigmoid.
// 5. Compute the cross-entropy loss and its gradient when the scores are `[20, 1, -1]` and the
//    true class is 0. Why is the gradient so small?
