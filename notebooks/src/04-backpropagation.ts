// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="cell-00"
// # 04 · Backpropagation
//
// Training needs the derivative of the cost with respect to every parameter. For logistic regression
// we derived it on paper (notebook 02). For deeper networks that gets long and error-prone, and every
// change of architecture or loss would mean deriving again. **Backpropagation** organises the chain
// rule so that each operation only needs its own small, *local* derivative.
//
// This notebook works through a computation graph by hand, derives the vectorised equations of a
// two-layer network, checks them against the library's autodiff, and checks both against numbers
// computed from the definition of the derivative.

// %% [markdown] id="cell-01"
// ## Computation graphs
//
// Write a computation as a graph: every node is one simple operation with a name for its output.
// **Forward**, values flow from the inputs to the output. **Backward**, starting from
// $\partial f/\partial f = 1$, each node receives the **upstream** gradient $\partial f/\partial(\text{its output})$
// and multiplies it by its **local** gradient to get the **downstream** gradient for each input. Each node
// works alone, which is why the procedure scales to any network.
//
// Take $f(x, y, z) = (x + y)\cdot z$ at $x = 3, y = -1, z = 2$, with the intermediate $q = x + y$:
//
// | step | value | gradient |
// |---|---|---|
// | $q = x + y$ | 2 | $\partial f/\partial q = z = 2$ |
// | $f = q \cdot z$ | 4 | $\partial f/\partial z = q = 2$ |
// | back through the addition | | $\partial f/\partial x = \partial f/\partial y = \partial f/\partial q \cdot 1 = 2$ |

// %% id="cell-02"
const x = tensor(3, { requiresGrad: true }), y = tensor(-1, { requiresGrad: true }), z = tensor(2, { requiresGrad: true });
const q = x.add(y);
// backward() keeps gradients only for the leaves (x, y, z): an intermediate node's gradient is
// used on the way down and then dropped. retainGrad() asks to keep it, so that we can look at it.
q.retainGrad();
const f = q.mul(z);
f.backward();
console.log("f =", f.item(), " df/dq =", q.grad!.item());
console.log("df/dx =", x.grad!.item(), " df/dy =", y.grad!.item(), " df/dz =", z.grad!.item());
console.log("graph: f was made by", f.gradFn, "from q, made by", q.gradFn);

// %% [markdown] id="cell-03"
// ## Local gradients of the common nodes
//
// | node | local rule | in words |
// |---|---|---|
// | add $x + y$ | both inputs get the upstream gradient | **distributes** |
// | subtract $x - y$ | $x$ gets it, $y$ gets its negative | |
// | multiply $x\,y$ | $x$ gets upstream $\times\, y$, $y$ gets upstream $\times\, x$ | **swaps** the inputs |
// | max$(x, y)$ | the larger input gets it all, the other 0 | **routes** |
// | branch (a value used twice) | the gradients from each use **add up** | multivariable chain rule |
// | sigmoid $s = \sigma(x)$ | upstream $\times\, s(1 - s)$ | |
// | tanh $t = \tanh x$ | upstream $\times\, (1 - t^2)$ | |
//
// One graph with all of them: $f = \max(x\,y,\; z) + x$ at $x = 2, y = 3, z = 1$. Here $xy = 6 > z$, so
// the max routes the gradient to the product and $z$ gets 0. The product sends $y = 3$ to $x$ and $x = 2$
// to $y$. And $x$ is used twice (a branch), so its two contributions add: $3 + 1 = 4$.

// %% id="cell-04"
const a = tensor(2, { requiresGrad: true }), b = tensor(3, { requiresGrad: true }), c = tensor(1, { requiresGrad: true });
const out = maximum(a.mul(b), c).add(a);
out.backward();
console.log("f =", out.item());
console.log("df/dx =", a.grad!.item(), "(expected 4)  df/dy =", b.grad!.item(), "(expected 2)  df/dz =", c.grad!.item(), "(expected 0)");

// %% [markdown] id="cell-05"
// Note that once an upstream gradient is 0 (like the branch of the max that lost), everything below it
// gets 0 too.
//
// ## A two-layer network by hand
//
// Now a network with one hidden layer of $n_h$ tanh units and a sigmoid output, in the course's
// layout: the $m$ examples are the **columns** of $X$ (shape $(n_x, m)$), $W^{[1]}$ is $(n_h, n_x)$,
// $b^{[1]}$ is $(n_h, 1)$, $W^{[2]}$ is $(1, n_h)$ and $b^{[2]}$ is $(1, 1)$.
//
// **Forward:**
// $Z^{[1]} = W^{[1]}X + b^{[1]},\quad A^{[1]} = \tanh Z^{[1]},\quad Z^{[2]} = W^{[2]}A^{[1]} + b^{[2]},\quad \hat Y = \sigma(Z^{[2]}).$
//
// **Backward** (cost: mean binary cross-entropy; $*$ is elementwise):
// $dZ^{[2]} = \hat Y - Y,\quad dW^{[2]} = \tfrac{1}{m}\,dZ^{[2]}A^{[1]T},\quad db^{[2]} = \tfrac{1}{m}\textstyle\sum dZ^{[2]},$
// $dZ^{[1]} = W^{[2]T}dZ^{[2]} * (1 - (A^{[1]})^2),\quad dW^{[1]} = \tfrac{1}{m}\,dZ^{[1]}X^T,\quad db^{[1]} = \tfrac{1}{m}\textstyle\sum dZ^{[1]}.$
//
// Each line is one of the local rules: the output layer is logistic regression ($\hat y - y$ again), the
// product $W^{[2]}A^{[1]}$ swaps (so $A^{[1]}$ receives $W^{[2]T}dZ^{[2]}$), and tanh multiplies by $1 - t^2$.
// The sums over examples run along the columns. The data: two interleaved half moons.

// %% id="cell-06"
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
// gradient, and they would stay identical forever. `randn(...).mul(0.5)` is the result of an
// operation, not a leaf we created with { requiresGrad: true }; requiresGrad_() (the trailing
// underscore means "in place", as in PyTorch) marks that tensor itself as a parameter to
// differentiate with respect to.
const W1 = randn([nH, nX], { dtype: "float64" }).mul(0.5).requiresGrad_();
const b1 = zeros([nH, 1], { dtype: "float64", requiresGrad: true });
const W2 = randn([1, nH], { dtype: "float64" }).mul(0.5).requiresGrad_();
const b2 = zeros([1, 1], { dtype: "float64", requiresGrad: true });

const fwd = forward(W1, b1, W2, b2, X);
cost(fwd.yHat, Y).backward();
const byHand = noGrad(() => backward(W2, X, Y, fwd.A1, fwd.yHat));
const pairs: [string, Tensor, Tensor][] = [["W1", byHand.dW1, W1], ["b1", byHand.db1, b1], ["W2", byHand.dW2, W2], ["b2", byHand.db2, b2]];
for (const [name, mine, param] of pairs) {
  console.log(`d${name} ${JSON.stringify(mine.shape).padEnd(7)} largest difference from autodiff: ${mine.sub(param.grad!).abs().max().item().toExponential(1)}`);
}

// %% [markdown] id="cell-07"
// The hand-derived equations and the library's autodiff agree to rounding error. Autodiff does
// exactly what we did, one node at a time, on a graph it recorded during the forward pass.
//
// ## Training with the hand-written gradients
//
// Gradient descent with the equations above: forward, backward, update, repeat.

// %% id="cell-08"
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

// %% id="cell-09"
// decisionBoundary passes points as rows [k, 2]; the network expects columns.
const netOnRows = (points: Tensor) => forward(p.W1, p.b1, p.W2, p.b2, points.double().T).yHat.T;
plot.decisionBoundary(netOnRows, moons.X, moons.y.reshape(-1), { title: `${nH} tanh units, trained with hand-derived gradients` })

// %% [markdown] id="cell-10"
// ## Numeric gradient checking
//
// How do we know a gradient is right when there is nothing to compare it with? Go back to the
// definition of the derivative. For a small $h$,
//
// $\frac{\partial J}{\partial \theta} \approx \frac{J(\theta + h) - J(\theta - h)}{2h},$
//
// one parameter at a time, the others held fixed. The centred difference is much more accurate than
// $(J(\theta + h) - J(\theta))/h$. It costs two forward passes per parameter, far too slow to train
// with, but perfect for testing. Float64 matters here: in float32 the rounding error of $J$, divided by
// a tiny $2h$, would swamp the result.

// %% id="cell-11"
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

// %% [markdown] id="cell-12"
// To compare whole arrays, the usual measure is the **relative error**
// $\lVert g_\text{hand} - g_\text{numeric}\rVert / (\lVert g_\text{hand}\rVert + \lVert g_\text{numeric}\rVert)$:
// around $10^{-7}$ or less means the gradient is right, $10^{-2}$ or more means a bug. A check is only
// useful if it catches mistakes, so here is a classic one: forgetting the tanh derivative in $dZ^{[1]}$.

// %% id="cell-13"
const norm = (t: Tensor) => t.square().sum().sqrt().item();
const relativeError = (a: Tensor, b: Tensor) => norm(a.sub(b)) / (norm(a) + norm(b));
const dZ1Wrong = noGrad(() => W2.T.matmul(fwd.yHat.sub(Y)));   // missing * (1 - A1²)
const dW1Wrong = dZ1Wrong.matmul(X.T).div(m);
console.log("correct dW1: relative error", relativeError(byHand.dW1, dW1Numeric).toExponential(1));
console.log("buggy dW1:   relative error", relativeError(dW1Wrong, dW1Numeric).toExponential(1));

// %% [markdown] id="cell-14"
// ### `gradcheck`
//
// The library's `gradcheck(f, inputs)` does this for every element of every input that has
// `requiresGrad`, compares with the gradients autodiff computes, and reports the worst mismatch. It is
// how the library tests its own operations, and how you can test a layer you write yourself.

// %% id="cell-15"
const result = gradcheck((W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) => cost(forward(W1, b1, W2, b2, X).yHat, Y), [W1, b1, W2, b2]);
console.log(result.message);
`ok: ${result.ok}, largest error: ${result.maxError.toExponential(2)}`

// %% [markdown] id="jacobians"
// ## Jacobians, and why backpropagation never builds them
//
// For a node $f$ from $\mathbb{R}^n$ to $\mathbb{R}^k$ the local derivative is a $k \times n$ matrix, the
// **Jacobian** $J_{ij} = \partial f_i / \partial x_j$, and the chain rule multiplies the upstream
// gradient by it: $\frac{\partial L}{\partial x} = J^\top \frac{\partial L}{\partial f}$. Most nodes in
// a network have **sparse** Jacobians. An element-wise function such as $a = \tanh(z)$ has a
// diagonal one, $\operatorname{diag}(1 - a_i^2)$: multiplying by it is just an element-wise product
// (the `.mul(A1.square().neg().add(1))` above), and ReLU's copies or zeroes each upstream entry. For
// $Z = WX$, the Jacobian with respect to $X$ has an entry for every pair of elements, but
// multiplying by it comes down to $W^\top \frac{\partial L}{\partial Z}$. So backpropagation applies each
// Jacobian without ever building it.
//
// The same rule gives the gradient with respect to the **input**. It is not needed for training,
// but it shows which pixels or features a prediction depends on, and it is the start of
// adversarial examples and of methods that change an input to fit a loss.

// %% id="jacobians-code"
// The Jacobian of tanh on 4 values, row i from autodiff as the gradient of output i: diagonal.
const zJ = tensor([-1.5, -0.2, 0.4, 2], { dtype: "float64" });
const unit = eye(4, 4, { dtype: "float64" });
const jacobianRows = [0, 1, 2, 3].map((i) => grad((v: Tensor) => v.tanh().mul(unit.slice(0, i, i + 1).reshape(-1)).sum())(zJ)[0]);
console.log("Jacobian of tanh:\n" + stack(jacobianRows).toString());
console.log("1 − tanh(z)²:", zJ.tanh().square().neg().add(1).toString());

// Backpropagation to the input of the 2-layer network: ∂J/∂X = W1ᵀ dZ1 / m, against autodiff.
const dXByHand = noGrad(() => {
  const dZ1 = W2.T.matmul(fwd.yHat.sub(Y)).mul(fwd.A1.square().neg().add(1));
  return W1.T.matmul(dZ1).div(m);
});
const [dXAuto] = grad((inputs: Tensor) => cost(forward(W1.detach(), b1.detach(), W2.detach(), b2.detach(), inputs).yHat, Y))(X);
`∂J/∂X: shape ${dXAuto.shape}, largest difference from the hand formula ${dXAuto.sub(dXByHand).abs().max().item().toExponential(1)}`

// %% [markdown] id="cell-16"
// ## Summary
//
// - Backpropagation is the chain rule on a computation graph: every node multiplies the upstream
//   gradient by its local gradient and passes the result to its inputs.
// - Add distributes, multiply swaps, max routes, a branch adds up; sigmoid multiplies by $s(1 - s)$, tanh by $1 - t^2$.
// - For a two-layer tanh/sigmoid network: $dZ^{[2]} = \hat Y - Y$, $dW^{[2]} = \frac{1}{m}dZ^{[2]}A^{[1]T}$,
//   $dZ^{[1]} = W^{[2]T}dZ^{[2]} * (1 - A^{[1]2})$, $dW^{[1]} = \frac{1}{m}dZ^{[1]}X^T$; biases take the mean of $dZ$.
// - Hand gradients, autodiff and the numeric centred difference agree; a numeric check catches a missing factor at once.
// - `gradcheck` automates the numeric check (use float64).
//
// ## Exercises
//
// 1. Draw the graph of $f = \sigma(w_1x_1 + w_2x_2 + b)$ and compute every gradient by hand for
//    $w = (1, -2)$, $x = (0.5, 1)$, $b = 0.5$. Check with `backward()`.
// 2. What does the max node send back when its inputs are equal? Try it with `maximum` and look at both gradients.
// 3. Replace tanh by ReLU in the hidden layer: which line of the backward equations changes, and how?
// 4. Run the numeric check in float32 (`.float()` everywhere) with $h = 10^{-6}$ and with $h = 10^{-3}$. Explain the results.
// 5. Start the hand-written training from all-zero weights. What happens to the hidden units, and why?
