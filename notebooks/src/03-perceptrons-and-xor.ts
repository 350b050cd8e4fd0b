// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="cell-00"
// # 03 · Perceptrons and XOR
//
// A **perceptron** is a linear classifier drawn as a little network: inputs $x_1, \dots, x_n$ with weights,
// a bias $w_0$, and a step function $g$ that outputs 1 when the weighted sum is positive:
//
// $\text{out}(x) = g\Big(w_0 + \sum_j w_j x_j\Big), \qquad g(s) = \begin{cases} 1 & s > 0 \\ 0 & \text{otherwise.} \end{cases}$
//
// This notebook chooses perceptron weights by hand for AND and OR, shows why no weights exist for XOR,
// and then builds XOR from three perceptrons in two layers.

// %% id="cell-01"
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
  console.log(` ${X.get(i, 0)}  ${X.get(i, 1)} |  ${yAnd.get(i, 0)}   ${yOr.get(i, 0)}   ${y.get(i, 0)}`);
}

// %% [markdown] id="cell-02"
// ## AND and OR by hand
//
// For AND the sum $w_0 + w_1x_1 + w_2x_2$ must be positive only when both inputs are 1. With $w_1 = w_2 = 1$
// the sum of the inputs is 0, 1 or 2, so any bias between $-2$ and $-1$ works: take $(w_0, w_1, w_2) = (-1.5, 1, 1)$.
// For OR one active input must be enough: $(-0.5, 1, 1)$.

// %% id="cell-03"
const and = perceptron(-1.5, 1, 1), or = perceptron(-0.5, 1, 1);
console.log("AND:", and(X).reshape(-1).toArray(), " expected", yAnd.reshape(-1).toArray());
console.log("OR: ", or(X).reshape(-1).toArray(), " expected", yOr.reshape(-1).toArray());

// %% id="cell-04"
plot.decisionBoundary(and, X, yAnd.reshape(-1), { title: "AND: the line x₁ + x₂ = 1.5" })

// %% id="cell-05"
plot.decisionBoundary(or, X, yOr.reshape(-1), { title: "OR: the line x₁ + x₂ = 0.5" })

// %% [markdown] id="perceptron-sliders-md"
// ### Try it yourself
//
// Pick a gate and move the three weights: the shaded regions are what the perceptron answers, the
// line between them is $w_0 + w_1x_1 + w_2x_2 = 0$, and the line printed above the chart counts the
// corners it gets wrong. Find weights with no mistake for AND and for OR, then try XOR.

// %% id="perceptron-sliders"
const gates: Record<string, number[]> = { AND: Array.from(yAnd.data()), OR: Array.from(yOr.data()), XOR: Array.from(y.data()) };
const corners = X.toArray() as number[][];
// How many of the four corners the perceptron (w0, w1, w2) puts on the wrong side for a gate.
function mistakes(gate: string, w0: number, w1: number, w2: number): number {
  return corners.filter(([a, b], i) => (w0 + w1 * a + w2 * b > 0 ? 1 : 0) !== gates[gate][i]).length;
}
const perceptronExplorer = widgets.interactive(({ gate, w1, w2, w0 }) => {
  const wrong = mistakes(gate, w0, w1, w2);
  console.log(`${gate}: ${wrong} of 4 points misclassified`);
  return plot.decisionBoundary(perceptron(w0, w1, w2), X, tensor(gates[gate]), {
    title: `${gate} with w₀ = ${w0}, w₁ = ${w1}, w₂ = ${w2}: ${wrong} wrong`, resolution: 60,
  });
}, { gate: ["AND", "OR", "XOR"], w1: [-3, 3, 0.25], w2: [-3, 3, 0.25], w0: [-3, 3, 0.25] });
perceptronExplorer

// %% [markdown] id="cell-06"
// Each perceptron cuts the plane with the straight line $w_0 + w_1x_1 + w_2x_2 = 0$. Data that some
// line separates perfectly is called **linearly separable**.
//
// ## XOR is not linearly separable
//
// XOR is 1 when exactly one input is 1. Suppose weights existed. The four rows demand
// $w_0 \le 0$ (from 0,0), $w_0 + w_2 > 0$ and $w_0 + w_1 > 0$ (from 0,1 and 1,0), and $w_0 + w_1 + w_2 \le 0$
// (from 1,1). Adding the middle two gives $2w_0 + w_1 + w_2 > 0$, so $w_0 + w_1 + w_2 > -w_0 \ge 0$, which
// contradicts the last one. No line works.
//
// We can also let the computer look: try every weight triple on a grid and count correct rows.

// %% id="cell-07"
const values = linspace(-3, 3, 25).toArray() as number[];
const yXor = Array.from(y.data());
let best = 0, tried = 0;
for (const w0 of values) for (const w1 of values) for (const w2 of values) {
  const inputs = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const correct = inputs.filter(([a, b], i) => (w0 + w1 * a + w2 * b > 0 ? 1 : 0) === yXor[i]).length;
  best = Math.max(best, correct);
  tried++;
}
`${tried} weight triples tried; the best gets ${best} of 4 rows right`

// %% [markdown] id="cell-08"
// Training does not help either. Logistic regression, the smooth cousin of the perceptron, trained on
// noisy samples around the four corners, stays near chance:

// %% id="cell-09"
const cloud = data.xor({ samples: 200, noise: 0.15, seed: 0 });
manualSeed(0);
const linear = new nn.Sequential([new nn.Dense(1, { inputDim: 2, activation: "sigmoid" })]);
linear.compile({ optimizer: new optim.Adam(linear.parameters(), { lr: 0.05 }), loss: "binaryCrossentropy", metrics: ["accuracy"] });
const linearHistory = await linear.fit(cloud.X, cloud.y, { epochs: 100, batchSize: 200, verbose: 0 });
console.log("accuracy of one logistic unit on XOR:", linearHistory.history.accuracy[99].toFixed(3));
plot.decisionBoundary(linear, cloud.X, cloud.y.reshape(-1), { title: "One unit: one straight line, wrong on half the plane" })

// %% [markdown] id="cell-10"
// ## XOR from two layers
//
// XOR can be spelled with AND, OR and NOT: $x_1 \text{ XOR } x_2 = (x_1 \text{ AND NOT } x_2) \text{ OR } (\text{NOT } x_1 \text{ AND } x_2)$.
// Each bracket is linearly separable, and so is the OR of the two. So three perceptrons in two layers do it:
//
// - $v_1 = g(-0.5 + x_1 - x_2)$: on only for the input (1, 0),
// - $v_2 = g(-0.5 - x_1 + x_2)$: on only for (0, 1),
// - $\hat y = g(-0.5 + v_1 + v_2)$: the OR of the two.
//
// As matrices: a hidden layer with $W^{[1]} = \begin{pmatrix} 1 & -1 \\ -1 & 1 \end{pmatrix}$ (one column per unit) and
// $b^{[1]} = (-0.5, -0.5)$, and an output layer with $W^{[2]} = (1, 1)^T$, $b^{[2]} = -0.5$.

// %% id="cell-11"
const W1 = tensor([[1, -1], [-1, 1]]), b1 = tensor([-0.5, -0.5]);
const W2 = tensor([[1], [1]]), b2 = tensor([-0.5]);
const hiddenLayer = (inputs: Tensor) => step(inputs.matmul(W1).add(b1));
const xorNet = (inputs: Tensor) => step(hiddenLayer(inputs).matmul(W2).add(b2));
console.log("hidden v1 v2:", hiddenLayer(X).toArray());
console.log("yHat:", xorNet(X).reshape(-1).toArray(), " y:", y.reshape(-1).toArray());

// %% id="cell-12"
plot.decisionBoundary(xorNet, cloud.X, cloud.y.reshape(-1), { title: "Two layers: a band between two lines" })

// %% [markdown] id="cell-13"
// The hidden layer moves the four corners to new positions $(v_1, v_2)$: (0, 0) and (1, 1) both land on
// (0, 0), while (1, 0) and (0, 1) land on (1, 0) and (0, 1). In that new space the classes *are*
// linearly separable, and the output perceptron only has to draw one line:

// %% id="cell-14"
plot.scatter(hiddenLayer(cloud.X), cloud.y.reshape(-1), { title: "The cloud as the hidden layer sees it", xLabel: "v₁", yLabel: "v₂" })

// %% [markdown] id="cell-15"
// ## Learning the weights instead
//
// Step functions have zero derivative everywhere, so gradient descent cannot tune them. Replace them by
// smooth activations (tanh in the hidden layer, sigmoid at the output) and the same two-layer shape can
// learn XOR from the noisy samples:

// %% id="cell-16"
manualSeed(1);
const model = new nn.Sequential([
  new nn.Dense(4, { inputDim: 2, activation: "tanh" }),
  new nn.Dense(1, { inputDim: 4, activation: "sigmoid" }),
]);
const lr = 0.05, numEpochs = 200;
model.compile({ optimizer: new optim.Adam(model.parameters(), { lr }), loss: "binaryCrossentropy", metrics: ["accuracy"] });
const history = await model.fit(cloud.X, cloud.y, { epochs: numEpochs, batchSize: 50 });
`accuracy after training: ${history.history.accuracy[numEpochs - 1].toFixed(3)}`

// %% id="cell-17"
plot.decisionBoundary(model, cloud.X, cloud.y.reshape(-1), { title: "A learned two-layer network on XOR" })

// %% [markdown] id="cell-18"
// ## Summary
//
// - A perceptron computes a step of a weighted sum; its decision boundary is a straight line.
// - AND is $(-1.5, 1, 1)$ and OR is $(-0.5, 1, 1)$; many other weights work too.
// - XOR is not linearly separable: four inequalities contradict each other, and a grid search finds at
//   most 3 of 4 rows right. A single trained logistic unit fails too.
// - Two layers solve it: the hidden layer re-maps the inputs so that one line separates the classes.
// - With smooth activations in place of steps, gradient descent learns such weights by itself.
//
// ## Exercises
//
// 1. Find perceptron weights for NAND ("not both"). Combine NAND, OR and AND into another XOR network.
// 2. Which of the 16 boolean functions of two inputs are linearly separable? Adapt the grid search to count them.
// 3. Build XNOR (1 when the inputs agree) by changing only the output layer of `xorNet`.
// 4. Train the learned network with 2 hidden units instead of 4, with several seeds. Does it always succeed?
// 5. Draw the hidden representation of the *learned* network (the first layer's outputs) for the cloud. Is it like the hand-built one?
// 6. With the sliders at $w_1 = w_2 = 1$, find every bias $w_0$ for which the perceptron computes AND,
//    and every one for OR. Compare with the argument at the top of the notebook.
