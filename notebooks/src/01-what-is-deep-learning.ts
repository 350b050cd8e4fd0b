// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="cell-00"
// # 01 · What is deep learning?
//
// Most programs are rules somebody wrote down. **Machine learning** turns that around: we show the
// computer examples of inputs with the answers we want, and it builds an approximate function that
// reproduces them and, we hope, gives sensible answers for inputs it has never seen. **Deep
// learning** is machine learning with neural networks made of many trainable layers.
//
// This notebook places deep learning among its relatives, retells a little of its history in code,
// and ends with the idea the whole course rests on: each layer of a network re-describes its input,
// and a good description makes the task easy.

// %% [markdown] id="cell-01"
// ## Vocabulary
//
// | term | meaning |
// |---|---|
// | artificial intelligence | any technique that makes a computer behave intelligently |
// | machine learning | building an approximate function from example data rather than from explicit rules |
// | neural network | machine learning with a network of simple trainable units (neurons) |
// | deep learning | neural networks with many layers, usually trained on large data sets |
// | supervised learning | every example comes with the expected output (a **label**) |
// | unsupervised learning | only inputs are given; the system finds structure among them |
// | reinforcement learning | only a goal is given; the system learns by trial and error |
//
// Machine learning pays off when plenty of good data exists, the desired output is clear and
// checkable, and nobody can write the input-to-output relationship down. If a formula or an
// algorithm is already known (a projectile's trajectory, sorting a list), use it. And a trained network
// gives answers, not reasons: it does not explain, plan or justify.

// %% [markdown] id="cell-02"
// ## Rules versus examples
//
// Converting Celsius to Fahrenheit has a known rule, $F = 1.8\,C + 32$. Suppose we did not know it
// and only had a dozen noisy thermometer readings. A single linear neuron, $\hat y = wx + b$, can
// recover the rule from the examples alone.

// %% id="cell-03"
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
`final mean squared error: ${history.history.loss[numEpochs - 1].toFixed(3)}`

// %% id="cell-04"
plot.lineChart(history.history.loss, { title: "Learning the rule from 12 examples", xLabel: "epoch", yLabel: "mean squared error", logY: true, points: false })

// %% [markdown] id="cell-05"
// The result is close to the rule but not equal to it: the readings are noisy and there are only twelve
// of them. That is machine learning in miniature: an approximation, as good as the examples allow.
//
// ## A short history in code
//
// **1943: the threshold neuron.** The first artificial neuron (McCulloch and Pitts) fires when at
// least $N$ of its inputs are active. With binary inputs, a threshold of 1 gives OR and a threshold
// of 2 (out of two inputs) gives AND.

// %% id="cell-06"
const truthTable = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const fires = (inputs: Tensor, threshold: number) => inputs.sum(1).ge(threshold).int();
console.log("inputs        ", truthTable.toArray());
console.log("threshold 1 (OR) ", fires(truthTable, 1).toArray());
console.log("threshold 2 (AND)", fires(truthTable, 2).toArray());

// %% [markdown] id="cell-07"
// **1957: the linear threshold unit (LTU) and the perceptron.** The LTU gives each input a weight and
// passes the weighted sum through a step: $\text{out} = 1$ if $w \cdot x + b > 0$, else 0. Rosenblatt's
// **perceptron** is a layer of such units, and it *learns*: after each mistake it nudges the weights
// towards the right answer, $w \leftarrow w + (y - \text{out})\,x$ and $b \leftarrow b + (y - \text{out})$.
// Weights that lead to correct outputs are reinforced. Here it is on two clouds of points:

// %% id="cell-08"
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

// %% id="cell-09"
const ltu = (inputs: Tensor) => inputs.matmul(tensor([[w[0]], [w[1]]])).add(b).gt(0).float();
plot.decisionBoundary(ltu, points, labels, { title: "A perceptron's decision boundary is a straight line" })

// %% [markdown] id="cell-10"
// A single LTU always splits the plane with a straight line, so it fails on any problem where no line
// separates the classes (notebook 03 shows this with XOR). Stacking layers of units, with **hidden
// layers** between input and output, gives the **multi-layer perceptron**: the first deep networks.
// Training those became practical with backpropagation (notebook 04) and, decades later, with large
// data sets and GPUs.
//
// ## Layers as representations
//
// Two rings of points, one inside the other, cannot be split by a line in the input plane:

// %% id="cell-11"
const rings = data.circles({ samples: 200, noise: 0.08, factor: 0.4, seed: 1 });
plot.scatter(rings.X, rings.y.reshape(-1), { title: "Two rings: no straight line separates them" })

// %% [markdown] id="cell-12"
// We train a small network whose last hidden layer has only **two** units, so we can draw what that
// layer computes. The output unit is a logistic regression on those two numbers: it can only draw a
// straight line in the hidden layer's plane. For the network to succeed, the earlier layers must
// therefore move the points so that a line separates them there.

// %% id="cell-13"
manualSeed(2);
const encoder = new nn.Sequential([
  new nn.Dense(8, { inputDim: 2, activation: "tanh" }),
  new nn.Dense(2, { inputDim: 8, activation: "tanh" }),
]);
const net = new nn.Sequential([encoder, new nn.Dense(1, { inputDim: 2, activation: "sigmoid" })]);
net.compile({ optimizer: new optim.Adam(net.parameters(), { lr: 0.05 }), loss: "binaryCrossentropy", metrics: ["accuracy"] });
const ringHistory = await net.fit(rings.X, rings.y, { epochs: 150, batchSize: 50 });
`training accuracy: ${ringHistory.history.accuracy[149].toFixed(3)}`

// %% id="cell-14"
plot.decisionBoundary(net, rings.X, rings.y.reshape(-1), { title: "In the input space the boundary is curved" })

// %% [markdown] id="no-grad-and-casts"
// Two small things in the next cell. `noGrad(() => ...)` runs the function without recording the
// operations for differentiation: we only want to look at the hidden layer's outputs, not train
// through them, so there is no graph to keep. `encoder.call(...)` is typed to return a tensor or a
// list of tensors (some layers have several outputs); `as Tensor` tells TypeScript that here it is
// one tensor. It changes nothing at run time.

// %% id="cell-15"
const hidden = noGrad(() => encoder.call(rings.X) as Tensor);
plot.scatter(hidden, rings.y.reshape(-1), { title: "The same points as the last hidden layer sees them", xLabel: "hidden unit 1", yLabel: "hidden unit 2" })

// %% [markdown] id="cell-16"
// In the hidden layer's coordinates the two rings lie apart, and a straight line does separate them.
// No one told the network which features to compute: training found a **representation** in which
// the task is simple. Deep networks repeat this many times, each layer building on the previous
// one's description. For images this replaces the hand-crafted features (edge and corner detectors)
// that computer vision used to design by hand.
//
// ## Summary
//
// - Machine learning builds approximate functions from examples; deep learning does it with
//   many-layered neural networks. Use it when data is plentiful, the goal is clear and no rule is known.
// - Supervised learning uses labelled examples; unsupervised learning has only inputs;
//   reinforcement learning has only a goal.
// - History: threshold neurons (1943) compute logic; the LTU and the perceptron (1957) add weights and
//   a learning rule; multi-layer perceptrons add hidden layers.
// - A single LTU draws a straight line; hidden layers learn representations in which a straight line is enough.
//
// ## Exercises
//
// 1. Give the Celsius readings more noise (`mul(5)`) or fewer samples. How far is the learned rule from 1.8 and 32?
// 2. Remove the division by 10 in the first example and train again with `lr = 0.1`. What happens, and why?
// 3. Build NOT with a threshold neuron. (Hint: an inhibitory input that stops the neuron from firing.)
// 4. Move the two blob centres closer together (`[-0.5, 0]` and `[0.5, 0]`). Does the perceptron's mistake count still reach 0?
// 5. Give the ring network's second hidden layer a single unit. Can it still separate the rings? Look at `hidden` as a histogram.
