// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="09-cnn-architectures"
// # 09 · CNN architectures
//
// Notebook 08 built one small CNN. This one follows the networks that shaped the field: **LeNet**,
// **AlexNet**, **ZFNet** and **VGG**, built layer by layer with `nn.Sequential` and counted with `summary()`
// against the tables in the notes; then the ideas of **GoogLeNet** (1×1 convolutions, the inception block,
// global average pooling), **ResNet** (residual blocks, and why they let much deeper networks train) and
// **MobileNet** (depthwise-separable convolutions). After that we reuse what a network has learned:
// **transfer learning**, **saliency maps**, **localisation and detection** of digits on a larger canvas,
// and **image retrieval**.

// %% [markdown] id="counting-the-cost-of-a-network"
// ## Counting the cost of a network
//
// Recall from notebook 08: a convolution with $K$ filters of $f\times f\times c_{in}$ has $K(ffc_{in}+1)$
// parameters and costs $h_{out} w_{out} K f f c_{in}$ multiply-accumulates (FLOPs, as the notes count
// them); a pooling layer costs $h_{out} w_{out} c f f$ and has no parameters; a dense layer has
// $n^{[l]}(n^{[l-1]}+1)$ parameters and costs $n^{[l]} n^{[l-1]}$. `summary()` applies exactly these
// rules, so each table below is the library's count, which we compare line by line with the notes.
//
// ## LeNet-5 (1998)
//
// Two convolutions with 5×5 filters, each followed by 2×2 average pooling, then three dense layers, on
// 32×32 grey images; tanh activations throughout.

// %% id="code-4982fcfe"
const lenet = new nn.Sequential([
  new nn.Conv2d(1, 6, 5), new nn.Tanh(), new nn.AvgPool2d(2),
  new nn.Conv2d(6, 16, 5), new nn.Tanh(), new nn.AvgPool2d(2),
  new nn.Flatten(),
  new nn.Dense(120, { inputDim: 400, activation: "tanh" }),
  new nn.Dense(84, { inputDim: 120, activation: "tanh" }),
  new nn.Dense(10, { inputDim: 84 }),
], { name: "LeNet-5" });
lenet.summary([1, 32, 32])

// %% [markdown] id="md-f4fa4c8c"
// The notes' table, row by row (parameters, FLOPs), against the summary. A helper flags every row where
// the parameters differ, or the FLOPs by more than the notes' rounding (6%):

// %% id="code-3a719f68"
type NotesRow = [string, number, number];   // layer, parameters, FLOPs
function compareWithNotes(summary: nn.ModelSummary, notes: NotesRow[]) {
  const rows = summary.rows.filter((r) => !["ReLU", "Tanh", "Flatten", "Activation"].includes(r.type));
  if (rows.length !== notes.length) throw new Error(`${summary.title}: ${rows.length} layers with parameters or FLOPs, the notes list ${notes.length}`);
  const slips: string[] = [];
  rows.forEach((r, i) => {
    const [name, params, flops] = notes[i];
    const flopsOk = Math.abs(r.flops - flops) <= 0.06 * flops;   // the notes round to two or three digits
    const mark = r.params !== params || !flopsOk ? "  ← differs" : "";
    if (mark) slips.push(name);
    console.log(`${name.padEnd(8)} params ${nn.formatCount(r.params).padStart(11)} (notes ${nn.formatCount(params).padStart(11)})   FLOPs ${nn.formatFlops(r.flops).padStart(7)} (notes ${nn.formatFlops(flops).padStart(7)})${mark}`);
  });
  console.log(`total: ${nn.formatCount(summary.totalParams)} parameters, ${nn.formatFlops(summary.totalFlops)} FLOPs per image`);
  return slips;
}
const lenetNotes: NotesRow[] = [
  ["conv1", 156, 117e3], ["pool1", 0, 4074], ["conv2", 2416, 240e3], ["pool2", 0, 1.6e3],
  ["fc1", 48120, 48e3], ["fc2", 10164, 10e3], ["output", 850, 840],
];
const lenetSlips = compareWithNotes(lenet.summary([1, 32, 32]), lenetNotes);

// %% [markdown] id="alexnet-2012-zfnet-2013-and-vgg16-2014"
// One slip: the first pooling layer does $14\cdot14\cdot6\cdot2\cdot2 = 4704$ additions; the notes print
// 4074, two digits swapped.
//
// ## AlexNet (2012), ZFNet (2013) and VGG16 (2014)
//
// AlexNet made CNNs the method of choice for images: ReLU activations, overlapping 3×3 max pooling
// with stride 2, 227×227 colour images, 1000 classes. ZFNet is a larger AlexNet with a finer first layer
// (7×7 with stride 2 instead of 11×11 with stride 4). VGG16 replaced the trial-and-error design with two
// rules: every convolution is 3×3 with stride 1 and "same" padding, every pooling 2×2 with stride 2, and
// the number of channels doubles after each pooling.
//
// These networks hold 60 to 140 million parameters. To count them we need not fill them: the
// convolutions get zero weights (skipping random initialisation) and the dense layers are left lazy;
// `summary(shape, { build: false })` counts the parameters a lazy layer would get without allocating it.

// %% id="code-bc736204"
const countOnly = { weightInit: (s: number[]) => zeros(s), biasInit: (s: number[]) => zeros(s) };
const conv = (cIn: number, K: number, f: number, stride = 1, padding: number | "same" = 0) => [new nn.Conv2d(cIn, K, f, { stride, padding, ...countOnly }), new nn.ReLU()];
const pool = (f: number, s: number, padding = 0) => new nn.MaxPool2d(f, { stride: s, padding });
const head = (hidden: number, classes: number) => [new nn.Flatten(), new nn.Dense(hidden, { activation: "relu" }), new nn.Dense(hidden, { activation: "relu" }), new nn.Dense(classes)];

const alexnet = new nn.Sequential([
  ...conv(3, 96, 11, 4), pool(3, 2),
  ...conv(96, 256, 5, 1, "same"), pool(3, 2),
  ...conv(256, 384, 3, 1, "same"), ...conv(384, 384, 3, 1, "same"), ...conv(384, 256, 3, 1, "same"), pool(3, 2),
  ...head(4096, 1000),
], { name: "AlexNet" });
const alexSummary = alexnet.summary([3, 227, 227], { build: false });
const alexSlips = compareWithNotes(alexSummary, [
  ["conv1", 34857, 105e6], ["pool1", 0, 0.6e6], ["conv2", 614656, 448e6], ["pool2", 0, 0.4e6],
  ["conv3", 885120, 150e6], ["conv4", 1327488, 224e6], ["conv5", 884992, 150e6], ["pool3", 0, 0.08e6],
  ["fc1", 37752832, 38e6], ["fc2", 16781312, 17e6], ["output", 4097000, 4e6],
]);

// %% [markdown] id="md-37061002"
// AlexNet's first layer has $96\,(11\cdot11\cdot3+1) = 96\cdot364 = 34{,}944$ parameters, not the notes'
// 34,857; every other row agrees. Almost all of the computation sits in the convolutions, almost all of
// the parameters (94%) in the dense layers.

// %% id="code-f7dca0d7"
const zfnet = new nn.Sequential([
  ...conv(3, 96, 7, 2, 1), pool(3, 2, 1),
  ...conv(96, 256, 5, 2), pool(3, 2, 1),
  ...conv(256, 512, 3, 1, "same"), ...conv(512, 1024, 3, 1, "same"), ...conv(1024, 512, 3, 1, "same"), pool(3, 2),
  ...head(4096, 1000),
], { name: "ZFNet" });
const zfSummary = zfnet.summary([3, 224, 224], { build: false });
const zfSlips = compareWithNotes(zfSummary, [
  ["conv1", 14208, 170.8e6], ["pool1", 0, 2.6e6], ["conv2", 614656, 415.3e6], ["pool2", 0, 0.09e6],
  ["conv3", 1180160, 199.4e6], ["conv4", 4719616, 797.4e6], ["conv5", 4719616, 797.4e6], ["pool3", 0, 0.17e6],
  ["fc1", 75515904, 75.5e6], ["fc2", 16781312, 16.8e6], ["output", 4097000, 4.1e6],
]);
console.log("output shapes:", zfSummary.rows.filter((r) => r.type !== "ReLU").slice(0, 8).map((r) => r.outputShape.join("×")).join("  "));

// %% [markdown] id="md-08b5123e"
// The notes' ZFNet table needs three repairs to be consistent:
//
// - **shapes**: its output sizes (110, 55, 26, 13) come out only with padding 1 in the first convolution and
//   the two first poolings, and **stride 2** in the second convolution; the table says stride 1 and "same",
//   which would keep 55×55;
// - **pool2**: $13\cdot13\cdot256\cdot9 = 389{,}376$ comparisons, 0.39 M rather than 0.09 M;
// - **conv5**: $512\,(3\cdot3\cdot1024+1) = 4{,}719{,}104$ parameters; the notes copy conv4's 4,719,616;
// - **fc1**: $4096\,(18{,}432+1) = 75{,}501{,}568$, not 75,515,904.
//
// (The bullet list above that table also says conv5 grows from 384 filters; AlexNet's conv5 has 256.)

// %% id="code-977286df"
const vggStage = (cIn: number, cOut: number, n: number) => [
  ...Array.from({ length: n }, (_, i) => conv(i === 0 ? cIn : cOut, cOut, 3, 1, "same")).flat(), pool(2, 2),
];
const vgg16 = new nn.Sequential([
  ...vggStage(3, 64, 2), ...vggStage(64, 128, 2), ...vggStage(128, 256, 3), ...vggStage(256, 512, 3), ...vggStage(512, 512, 3),
  ...head(4096, 1000),
], { name: "VGG16" });
const vggSummary = vgg16.summary([3, 224, 224], { build: false });
const vggConvFlops = vggSummary.rows.filter((r) => r.type === "Conv2d").map((r) => r.flops);
console.log(`VGG16: ${vggSummary.rows.filter((r) => r.type === "Conv2d" || r.type === "Dense").length} layers with weights, ` +
  `${nn.formatCount(vggSummary.totalParams)} parameters, ${nn.formatFlops(vggSummary.totalFlops)} FLOPs per image`);
console.log("FLOPs of the 13 convolutions:", vggConvFlops.map(nn.formatFlops).join(" "));

// %% [markdown] id="md-bbd8b939"
// Two VGG facts are visible in these numbers. After each pooling the map has a quarter of the positions
// and twice the channels, and $h w \cdot c_{out} \cdot 9 c_{in}$ then stays the same: the second
// convolution of each of the first four stages costs 1.85 G (the first of a stage, whose $c_{in}$ is
// half, 0.92 G). The fifth stage keeps 512 channels, so it costs a quarter as much. And two stacked 3×3 layers see a 5×5 region, like one 5×5 layer, with
// $2\cdot 9c^2 = 18c^2$ weights instead of $25c^2$, and a ReLU between them.
//
// The notes' comparison table, against our counts (top-5 error on ImageNet from the notes):
//
// | network | parameters (notes) | ours | GFLOPs (notes) | ours | top-5 error |
// |---|---|---|---|---|---|
// | AlexNet | 62 M | see below | 1 | see below | 16.4% |
// | ZFNet | 108 M | | 2.47 | | 11.7% |
// | VGG16 | 138 M | | 13.6 | | 7.3% |
// | GoogLeNet | 6.8 M | | 1.5 | | 6.7% |
// | ResNet152 | ~60 M | | 11.3 | | 3.57% |

// %% id="code-0a605474"
for (const [name, s, notesParams, notesG] of [["AlexNet", alexSummary, 62, 1], ["ZFNet", zfSummary, 108, 2.47], ["VGG16", vggSummary, 138, 13.6]] as const) {
  console.log(`${name.padEnd(8)} ${(s.totalParams / 1e6).toFixed(1).padStart(6)} M parameters (notes ${notesParams}),  ${(s.totalFlops / 1e9).toFixed(2).padStart(6)} G FLOPs (notes ${notesG})`);
}
// Done counting: free the zero weights (about 130 MB).
for (const net of [alexnet, zfnet, vgg16]) dispose(net.parameters());

// %% [markdown] id="1-1-convolutions-and-the-inception-block"
// The parameter counts agree. For VGG16 our 15.5 G multiply-accumulates differ from the table's 13.6:
// published figures count differently (some count only part of the layers, some count a
// multiply-accumulate as two operations), so compare FLOPs within one counting rule only.
//
// ## 1×1 convolutions and the inception block
//
// Pooling shrinks height and width; a **1×1 convolution** changes the number of channels. Each of its
// filters is a weighted sum across all feature maps at one position, the same dense layer applied at
// every pixel:

// %% id="code-611e536f"
manualSeed(0);
const squeeze = new nn.Conv2d(64, 16, 1);
const maps = randn([1, 64, 5, 5]);
const viaConv = squeeze.call(maps);
// the same as a matrix product at each pixel: [16, 64] · [64, 25] + bias
const viaMatmul = squeeze.weight.reshape(16, 64).matmul(maps.reshape(64, 25)).add(squeeze.bias!.reshape(16, 1)).reshape(1, 16, 5, 5);
console.log("largest difference:", viaConv.sub(viaMatmul).abs().max().item().toExponential(1), "  parameters:", squeeze.numParameters(), "= 16 × (64 + 1)");

// %% [markdown] id="md-66c350ad"
// GoogLeNet's **inception block** runs filters of several sizes side by side (1×1, 3×3, 5×5 and a 3×3 max
// pooling) and stacks their outputs along the channels, so the network does not have to choose a filter size.
// Done naively, the 5×5 filters on a deep volume are costly; a 1×1 convolution first reduces the channels.
// Here is GoogLeNet's block "3a" (input 28×28×192), with and without those reductions:

// %% id="code-9813d8fe"
class Inception extends nn.Module {
  readonly branches: nn.Sequential[];
  constructor(cIn: number, c1: number, r3: number, c3: number, r5: number, c5: number, cPool: number, reduce = true) {
    super();
    const seq = (layers: nn.Module[]) => new nn.Sequential(layers);
    const cv = (i: number, o: number, f: number) => [new nn.Conv2d(i, o, f, { padding: "same" }), new nn.ReLU()];
    this.branches = [
      seq(cv(cIn, c1, 1)),
      seq(reduce ? [...cv(cIn, r3, 1), ...cv(r3, c3, 3)] : cv(cIn, c3, 3)),
      seq(reduce ? [...cv(cIn, r5, 1), ...cv(r5, c5, 5)] : cv(cIn, c5, 5)),
      seq(reduce ? [new nn.MaxPool2d(3, { stride: 1, padding: 1 }), ...cv(cIn, cPool, 1)] : [new nn.MaxPool2d(3, { stride: 1, padding: 1 })]),
    ];
    this.branches.forEach((b, i) => this.registerModule(`branch${i + 1}`, b));
  }
  forward(x: Tensor): Tensor {
    return concat(this.branches.map((b) => b.call(x) as Tensor), 1);
  }
  override outputShape(s: number[]): number[] {
    const outs = this.branches.map((b) => b.outputShape(s));
    return [outs.reduce((a, o) => a + o[0], 0), outs[0][1], outs[0][2]];
  }
  override flops(s: number[]): number {
    return this.branches.reduce((a, b) => a + b.flops(s, b.outputShape(s)), 0);
  }
}
const block3a = new Inception(192, 64, 96, 128, 16, 32, 32);
const naive3a = new Inception(192, 64, 0, 128, 0, 32, 0, false);
console.log("output of block 3a:", (block3a.call(zeros([1, 192, 28, 28])) as Tensor).shape);
for (const [name, b] of [["with 1×1 reductions", block3a], ["naive", naive3a]] as const) {
  const out = b.outputShape([192, 28, 28]);
  console.log(`${name.padEnd(20)} ${out.join("×").padEnd(10)} ${nn.formatCount(b.numParameters()).padStart(9)} parameters  ${nn.formatFlops(b.flops([192, 28, 28])).padStart(7)} FLOPs`);
}

// %% [markdown] id="md-f5d8aa1d"
// The reductions cut the cost by more than half and also keep the output at 256 channels instead of
// 416 (the naive pooling branch passes all 192 input channels through).
//
// **Global average pooling** ends GoogLeNet and ResNet: instead of flattening the last volume into a huge
// vector for a dense layer, each feature map is averaged to one number. It has no parameters and does not
// care where in the image a feature was. On VGG's last volume (7×7×512):

// %% id="code-c3c9e79d"
const flatHead = new nn.Sequential([new nn.Flatten(), new nn.Dense(1000)]).summary([512, 7, 7], { build: false });
const gapHead = new nn.Sequential([new nn.GlobalAvgPool2d(), new nn.Flatten(), new nn.Dense(1000)]).summary([512, 7, 7], { build: false });
console.log(`flatten + dense: ${nn.formatCount(flatHead.totalParams)} parameters;  global average pooling + dense: ${nn.formatCount(gapHead.totalParams)}`);

// %% [markdown] id="depthwise-separable-convolutions-mobilen"
// ## Depthwise-separable convolutions (MobileNet)
//
// A standard convolution filters and mixes channels in one step. MobileNet splits it in two: a
// **depthwise** convolution filters each channel on its own with one $f\times f$ filter (`groups` equal to
// the number of channels), then a **pointwise** 1×1 convolution mixes the channels. For $c_{in}$ channels,
// $K$ filters and an $h\times w$ output, the FLOPs go from $hwKf^2c_{in}$ to $hwc_{in}f^2 + hwKc_{in}$, a
// ratio of $\frac{1}{K} + \frac{1}{f^2}$:

// %% id="code-e05a273b"
const cIn = 64, K = 128, f = 3;
const standard = new nn.Sequential([new nn.Conv2d(cIn, K, f, { padding: "same" })]);
const separable = new nn.Sequential([new nn.Conv2d(cIn, cIn, f, { padding: "same", groups: cIn }), new nn.Conv2d(cIn, K, 1)]);
const stdSummary = standard.summary([cIn, 56, 56]), sepSummary = separable.summary([cIn, 56, 56]);
console.log(`standard 3×3:        ${nn.formatCount(stdSummary.totalParams).padStart(7)} parameters, ${nn.formatFlops(stdSummary.totalFlops)} FLOPs`);
console.log(`depthwise + 1×1:     ${nn.formatCount(sepSummary.totalParams).padStart(7)} parameters, ${nn.formatFlops(sepSummary.totalFlops)} FLOPs`);
const flopRatio = sepSummary.totalFlops / stdSummary.totalFlops;
console.log(`FLOP ratio ${flopRatio.toFixed(4)}; 1/K + 1/f² = ${(1 / K + 1 / f ** 2).toFixed(4)}`);
separable.summary([cIn, 56, 56])

// %% [markdown] id="residual-blocks-why-deeper-networks-can-"
// ## Residual blocks: why deeper networks can train
//
// Adding layers should never hurt: the extra layers could learn the identity. In practice a plain deep
// network trains *worse*, on the training set itself: it is an optimisation problem. ResNet's answer is a
// shortcut around every pair of layers,
//
// $$a^{[l+2]} = \mathrm{ReLU}\big(W^{[l+2]} a^{[l+1]} + b^{[l+2]} + a^{[l]}\big),$$
//
// so a block whose weights are near zero is the identity, the signal passes unchanged, and the gradient has
// a direct path back through every shortcut. The notes write the block for dense layers; here are two
// networks of 21 hidden dense layers of 32 units each on 2,000 flattened digits, with the same
// initialisation and optimizer, one plain and one with a shortcut around every pair of layers:

// %% id="code-94121c5d"
class ResidualDense extends nn.Module {
  readonly first: nn.Linear;
  readonly second: nn.Linear;
  constructor(width: number) {
    super();
    this.first = this.registerModule("first", new nn.Linear(width, width));
    this.second = this.registerModule("second", new nn.Linear(width, width));
  }
  forward(a: Tensor): Tensor {
    return (this.second.call((this.first.call(a) as Tensor).relu()) as Tensor).add(a).relu();   // ReLU(z + a)
  }
}
function deepNet(residual: boolean) {
  manualSeed(0);
  const layers: nn.Module[] = [new nn.Linear(784, 32), new nn.ReLU()];
  for (let i = 0; i < 10; i++) {
    if (residual) layers.push(new ResidualDense(32));
    else layers.push(new nn.Linear(32, 32), new nn.ReLU(), new nn.Linear(32, 32), new nn.ReLU());
  }
  layers.push(new nn.Linear(32, 10));
  return new nn.Sequential(layers);
}
const flat = data.loadMnist({ split: "train", limit: 2000, flatten: true });
const flatTest = data.loadMnist({ split: "test", limit: 1000, flatten: true });
const lr = 0.05, numEpochs = 6;
const depthCurves: Record<string, number[]> = {};
const depthAccuracy: Record<string, number> = {};
for (const residual of [false, true]) {
  const net = deepNet(residual);
  net.compile({ optimizer: new optim.SGD(net.parameters(), { lr, momentum: 0.9 }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
  const name = residual ? "residual (10 blocks)" : "plain (21 layers)";
  depthCurves[name] = (await net.fit(flat.X, flat.y, { epochs: numEpochs, batchSize: 64, verbose: 0 })).history.loss;
  depthAccuracy[name] = net.evaluate(flatTest.X, flatTest.y).accuracy;
}
console.log("test accuracy:", JSON.stringify(depthAccuracy));
plot.lineChart(depthCurves, { x: Array.from({ length: numEpochs }, (_, i) => i + 1), title: "Same depth, same initialisation: only the shortcuts differ", xLabel: "epoch", yLabel: "training loss" })

// %% [markdown] id="md-909da3c0"
// The plain network stays at $\ln 10 \approx 2.30$, the loss of guessing uniformly among ten classes: each
// layer shrinks the signal, and after twenty of them neither the activations nor the gradients carry
// anything. The residual network, with the very same layers, trains at once. (Batch normalisation, in
// notebook 10, is the other half of how very deep networks train.) The library's `nn.ResidualBlock` is
// ResNet's convolutional block: two 3×3 convolutions with batch normalisation, and a 1×1 convolution on the
// shortcut when the shape changes:

// %% id="code-9ffd9e91"
new nn.Sequential([new nn.ResidualBlock(64), new nn.ResidualBlock(64, { outChannels: 128, stride: 2 })]).summary([64, 56, 56])

// %% [markdown] id="transfer-learning"
// ## Transfer learning
//
// Training from scratch needs a lot of labelled data. But the first layers of a CNN learn edges and strokes
// that are useful for many image tasks. **Transfer learning** takes a network trained on a large data set,
// **freezes** its convolutional layers (no gradient, no update) and trains only a new output layer on the
// small data set of the new task.
//
// The course ships weights it trained itself: `nn.loadPretrained("fashion-cnn")` is the CNN of
// `nn.fashionCnn()` (16 and 32 filters of 3×3) trained on 20,000 Fashion-MNIST garments by
// `scripts/make_pretrained.js`. The new task: digits, from only 200 labelled examples.

// %% id="code-0cbdc340"
const fewDigits = data.loadMnist({ split: "train", limit: 200 });
const test = data.loadMnist({ split: "test", limit: 1000 });
const valDigits = data.loadMnist({ split: "test", limit: 500 });   // accuracy measured after each epoch
const pretrained = nn.loadPretrained("fashion-cnn");
const features = new nn.Sequential(pretrained.layers.slice(0, 7));   // conv, relu, pool, conv, relu, pool, flatten
features.freeze();
function transferModel() {
  manualSeed(1);
  return new nn.Sequential([...features.layers, new nn.Dense(10, { inputDim: 32 * 7 * 7 })]);
}
const model = transferModel();
model.compile({ optimizer: new optim.Adam(model.trainableParameters(), { lr: 0.003 }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
model.summary([1, 28, 28])

// %% id="code-44a27eb1"
const transferEpochs = 6;
const transferHistory = await model.fit(fewDigits.X, fewDigits.y, { epochs: transferEpochs, batchSize: 20, validationData: [valDigits.X, valDigits.y], verbose: 0 });
manualSeed(1);
const scratch = nn.fashionCnn();
scratch.compile({ optimizer: new optim.Adam(scratch.parameters(), { lr: 0.003 }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
const scratchHistory = await scratch.fit(fewDigits.X, fewDigits.y, { epochs: transferEpochs, batchSize: 20, validationData: [valDigits.X, valDigits.y], verbose: 0 });
const transferAcc = transferHistory.history.val_accuracy, scratchAcc = scratchHistory.history.val_accuracy;
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
console.log(`test accuracy after ${transferEpochs} epochs: transfer ${transferAcc[transferEpochs - 1].toFixed(3)}, from scratch ${scratchAcc[transferEpochs - 1].toFixed(3)}`);
console.log(`trained parameters: transfer ${model.trainableParameters().reduce((a, p) => a + p.size, 0)}, from scratch ${scratch.numParameters()}`);
plot.lineChart({ "transfer (frozen features)": transferAcc, "from scratch": scratchAcc },
  { x: Array.from({ length: transferEpochs }, (_, i) => i + 1), title: "200 labelled digits: accuracy on 500 test digits while training", xLabel: "epoch", yLabel: "test accuracy" })

// %% [markdown] id="saliency-maps"
// Features learned on garments help with digits: the transferred network is ahead at every epoch and ends
// at least level, while training under a fifth as many parameters. The gap is modest here because digits
// are easy and the source task is small; with networks trained on millions of photographs the gain on small
// data sets is large. With more data, one can also unfreeze the last convolution and fine-tune it with a
// small learning rate (exercise 4).
//
// ## Saliency maps
//
// Which pixels did the network look at? The gradient of the class score with respect to the input says how
// much each pixel would move the score: `nn.saliencyMap` takes its absolute value (the largest over colour
// channels). We first train the same architecture on 3,000 digits, the classifier for the rest of the
// notebook:

// %% id="code-89430625"
const digits = data.loadMnist({ split: "train", limit: 3000 });
manualSeed(2);
const classifier = nn.fashionCnn();
classifier.compile({ optimizer: new optim.Adam(classifier.parameters(), { lr: 0.003 }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
await classifier.fit(digits.X, digits.y, { epochs: 2, batchSize: 64, verbose: 0 });
const classifierAccuracy = classifier.evaluate(test.X, test.y).accuracy;
const shown = test.X.slice(0, 0, 8);
const saliency = nn.saliencyMap(classifier, shown, test.y.slice(0, 0, 8));
console.log(`classifier test accuracy ${classifierAccuracy.toFixed(3)}; saliency maps ${saliency.shape}`);
plot.imageGrid(concat([shown.reshape(8, 28, 28), saliency], 0), [...Array.from(test.y.slice(0, 0, 8).data()).map((d) => `digit ${d}`), ...Array(8).fill("saliency")],
  { title: "Test digits and |∂ score / ∂ pixel| for their class", columns: 8, size: 72, normalize: true })

// %% [markdown] id="md-bf9cb65d"
// The bright pixels lie mostly on and beside the strokes (with some noise elsewhere), where adding or removing ink would change which
// digit it is (the gap that tells a 7 from a 9). A check that the map means something: blank the 40 most
// salient pixels of each digit and, for comparison, 40 random pixels of its ink. The class score drops
// clearly more in the first case.

// %% id="code-296a3a12"
const nProbe = 32, blank = 40;
const probe = test.X.slice(0, 0, nProbe), probeY = test.y.slice(0, 0, nProbe);
const sal = nn.saliencyMap(classifier, probe, probeY).reshape(nProbe, 784).data();
const px = probe.reshape(nProbe, 784).data();
const rng = new data.Rng(0);
const maskSalient = new Float32Array(nProbe * 784).fill(1), maskRandom = new Float32Array(nProbe * 784).fill(1);
for (let i = 0; i < nProbe; i++) {
  const order = Array.from({ length: 784 }, (_, k) => k).sort((a, b) => sal[i * 784 + b] - sal[i * 784 + a]);
  order.slice(0, blank).forEach((k) => { maskSalient[i * 784 + k] = 0; });
  const ink = Array.from({ length: 784 }, (_, k) => k).filter((k) => px[i * 784 + k] > 0.1);
  for (let j = 0; j < blank && ink.length; j++) maskRandom[i * 784 + ink.splice(rng.int(ink.length), 1)[0]] = 0;
}
const classScore = (x: Tensor) => meanOf(Array.from(classifier.predict(x).gather(1, probeY.reshape(-1, 1)).data()));
const asMask = (m: Float32Array) => tensor(m, { shape: [nProbe, 1, 28, 28] });
const scoreClean = classScore(probe), scoreSalient = classScore(probe.mul(asMask(maskSalient))), scoreRandom = classScore(probe.mul(asMask(maskRandom)));
console.log(`mean class score: clean ${scoreClean.toFixed(2)}, 40 salient pixels blanked ${scoreSalient.toFixed(2)}, 40 random ink pixels blanked ${scoreRandom.toFixed(2)}`);

// %% [markdown] id="localisation-and-detection"
// ## Localisation and detection
//
// A classifier says *what*; **localisation** also says *where*, with a bounding box $(b_x, b_y, b_w, b_h)$
// or its corners. We make the data: `data.digitCanvas` pastes MNIST digits at random places on a larger
// black canvas and records each digit's class and tight box. How good a predicted box is, is measured by
// the **intersection over union** with the true box: 1 for a perfect box, 0 when they do not touch.

// %% id="code-9c119bae"
console.log("IoU of identical boxes", data.iou([0, 0, 10, 10], [0, 0, 10, 10]),
  "; shifted by half", data.iou([0, 0, 10, 10], [5, 0, 15, 10]).toFixed(3), "(= 50 / 150)",
  "; disjoint", data.iou([0, 0, 10, 10], [20, 20, 30, 30]));
const canvasSize = 40;
const trainCanvas = data.digitCanvas({ count: 800, size: canvasSize, seed: 0 });
const testCanvas = data.digitCanvas({ count: 200, size: canvasSize, split: "test", seed: 1 });

// Paints boxes as coloured outlines on grey images [n, 1, h, w] → RGB [n, 3, h, w].
function drawBoxes(images: Tensor, boxesPerImage: number[][][], colors: [number, number, number][]) {
  const [n, , h, w] = images.shape, src = images.data(), out = new Float32Array(n * 3 * h * w);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) for (let p = 0; p < h * w; p++) out[(i * 3 + c) * h * w + p] = src[i * h * w + p];
  boxesPerImage.forEach((boxes, i) => boxes.forEach((b, j) => {
    const [x1, y1, x2, y2] = b.map((v) => Math.max(0, Math.min(w - 1, Math.round(v))));
    const col = colors[j % colors.length];
    const paint = (x: number, y: number) => { for (let c = 0; c < 3; c++) out[(i * 3 + c) * h * w + y * w + x] = col[c]; };
    for (let x = x1; x <= x2; x++) { paint(x, y1); paint(x, y2); }
    for (let y = y1; y <= y2; y++) { paint(x1, y); paint(x2, y); }
  }));
  return tensor(out, { shape: [n, 3, h, w] });
}
plot.imageGrid(drawBoxes(trainCanvas.X.slice(0, 0, 8), trainCanvas.boxes.slice(0, 8), [[1, 0.2, 0.2]]), trainCanvas.labels.slice(0, 8).map((l) => `digit ${l[0]}`),
  { title: `Training canvases (${canvasSize}×${canvasSize}) with their boxes`, columns: 8, size: 80 })

// %% [markdown] id="md-08573747"
// The localiser is a CNN classifier with 4 more outputs: 10 class scores and a box $(b_x, b_y, b_w, b_h)$
// (centre, width and height divided by the canvas size, squashed into [0, 1] by a sigmoid). Its cost is the
// notes' sum: cross-entropy for the class plus the mean squared error of the box (weighted by 30 here, so
// that both terms matter from the start). The targets are packed as one [N, 5] tensor: the class, then the box.

// %% id="code-d869cf21"
manualSeed(3);
const localiser = new nn.Sequential([
  new nn.Conv2d(1, 8, 3, { padding: "same" }), new nn.ReLU(), new nn.MaxPool2d(2),    // 20×20
  new nn.Conv2d(8, 16, 3, { padding: "same" }), new nn.ReLU(), new nn.MaxPool2d(2),   // 10×10
  new nn.Conv2d(16, 32, 3, { padding: "same" }), new nn.ReLU(), new nn.MaxPool2d(2),  // 5×5
  new nn.Flatten(), new nn.Dense(64, { inputDim: 32 * 5 * 5, activation: "relu" }), new nn.Dense(14, { inputDim: 64 }),
]);
// corners [x1, y1, x2, y2] ⇄ centre and size [bx, by, bw, bh], for [N, 4] tensors
const col = (b: Tensor, j: number) => b.slice(1, j, j + 1);
const toCentre = (b: Tensor) => concat([col(b, 0).add(col(b, 2)).div(2), col(b, 1).add(col(b, 3)).div(2), col(b, 2).sub(col(b, 0)), col(b, 3).sub(col(b, 1))], 1);
const toCorners = (b: Tensor) => concat([col(b, 0).sub(col(b, 2).div(2)), col(b, 1).sub(col(b, 3).div(2)), col(b, 0).add(col(b, 2).div(2)), col(b, 1).add(col(b, 3).div(2))], 1);
function localisationLoss(yHat: Tensor, target: Tensor) {
  const classLoss = nn.sparseCategoricalCrossEntropy(yHat.slice(1, 0, 10), target.slice(1, 0, 1).reshape(-1).astype("int32"), { fromLogits: true });
  const boxLoss = yHat.slice(1, 10, 14).sigmoid().sub(target.slice(1, 1, 5)).square().mean();
  return classLoss.add(boxLoss.mul(30));
}
const packTargets = (c: data.DigitCanvas) => concat([c.y.float().reshape(-1, 1), toCentre(c.box)], 1);
localiser.compile({ optimizer: new optim.Adam(localiser.parameters(), { lr: 0.003 }), loss: localisationLoss });
const locHistory = await localiser.fit(trainCanvas.X, packTargets(trainCanvas), { epochs: 8, batchSize: 32 });
`final training loss ${locHistory.history.loss[7].toFixed(3)}`

// %% id="code-9020a1a5"
const locOut = localiser.predict(testCanvas.X);
const predBoxes = toCorners(locOut.slice(1, 10, 14).sigmoid()).mul(canvasSize).toArray() as number[][];
const predClasses = Array.from(locOut.slice(1, 0, 10).argmax(1).data());
const ious = predBoxes.map((b, i) => data.iou(b, testCanvas.boxes[i][0]));
const meanIou = meanOf(ious);
// Baseline: always predict the average training box.
const avgBox = Array.from(trainCanvas.box.mean(0).mul(canvasSize).data());
const baselineIou = meanOf(testCanvas.boxes.map((b) => data.iou(avgBox, b[0])));
const locAccuracy = meanOf(predClasses.map((p, i) => (p === testCanvas.labels[i][0] ? 1 : 0)));
console.log(`test canvases: class accuracy ${locAccuracy.toFixed(3)}, mean IoU ${meanIou.toFixed(3)} (always the average box: ${baselineIou.toFixed(3)}); IoU > 0.5 for ${(100 * meanOf(ious.map((v) => (v > 0.5 ? 1 : 0)))).toFixed(0)}%`);
plot.imageGrid(drawBoxes(testCanvas.X.slice(0, 0, 8), testCanvas.boxes.slice(0, 8).map((b, i) => [b[0], predBoxes[i]]), [[0.2, 1, 0.2], [1, 0.2, 0.2]]),
  predClasses.slice(0, 8).map((p, i) => `${p}, IoU ${ious[i].toFixed(2)}`),
  { title: "Test canvases: true box (green) and predicted box (red)", columns: 8, size: 80 })

// %% [markdown] id="md-2182ba53"
// **Detection** finds any number of objects. The blunt way slides a classifier over every window: an
// $H\times W$ image has $(H-b_h+1)(W-b_w+1)$ windows of one size $b_h\times b_w$, and summed over all sizes
// far too many to classify one by one:

// %% id="code-f2190df1"
const H = 84, W = 84;
let allWindows = 0;
for (let bh = 1; bh <= H; bh++) for (let bw = 1; bw <= W; bw++) allWindows += data.slidingWindowCount(H, W, bh, bw);
console.log(`${H}×${W} canvas: ${data.slidingWindowCount(H, W, 28, 28)} windows of 28×28 at stride 1, ${data.slidingWindowCount(H, W, 28, 28, 4)} at stride 4, ${allWindows.toLocaleString("en-US")} of all sizes`);

// %% [markdown] id="md-7e99a920"
// Two ideas make it feasible. **R-CNN** first proposes a few thousand likely regions with a cheap algorithm
// and classifies only those (Fast R-CNN classifies them all in one pass over shared feature maps, Faster
// R-CNN learns the proposals with a CNN too). **YOLO** runs the sliding window *as a convolution*: a dense
// layer on a 7×7×32 volume is the same as a convolution with 10 filters of 7×7×32. On a larger image that
// convolution slides by itself, and one pass gives a whole grid of predictions, one per window. Our
// classifier (trained on 28×28 digits) turned fully convolutional:

// %% id="code-b5ec2ac6"
const dense = classifier.layers[7] as nn.Dense;
const denseAsConv = new nn.Conv2d(32, 10, 7);
noGrad(() => {
  denseAsConv.weight.assign(dense.weight.reshape(10, 32, 7, 7));      // Flatten's order is channel, row, column
  denseAsConv.bias!.assign(dense.bias!);
});
const fcn = new nn.Sequential([...classifier.layers.slice(0, 6), denseAsConv]);
const scene = data.digitCanvas({ count: 1, size: H, digits: 3, split: "test", offset: 500, seed: 4 });
const grid = fcn.predict(scene.X);                                      // [1, 10, 15, 15]: windows at stride 4
// Cell (r, c) sees the window whose top-left corner is (4r, 4c). With "same" padding a crop is not exactly
// its window: the crop is padded with zeros, while on the canvas its border sees the pixels around it (and
// the second convolution sees ReLU(bias) there, not 0). At a window with a blank ring around it the two
// agree closely.
const sceneImg = scene.X.reshape(H, W);
const inkIn = (y0: number, x0: number, size: number) => sceneImg.slice(0, Math.max(0, y0), Math.min(H, y0 + size)).slice(1, Math.max(0, x0), Math.min(W, x0 + size)).sum().item();
let cell = [-1, -1];
for (let r = 1; r < 14 && cell[0] < 0; r++) for (let c = 1; c < 14 && cell[0] < 0; c++) {
  const inside = inkIn(4 * r, 4 * c, 28);
  if (inside > 20 && inkIn(4 * r - 4, 4 * c - 4, 36) === inside) cell = [r, c];
}
const [cr, cc] = cell;
const crop = scene.X.slice(2, 4 * cr, 4 * cr + 28).slice(3, 4 * cc, 4 * cc + 28);
const viaCrop = classifier.predict(crop), viaGrid = grid.slice(2, cr, cr + 1).slice(3, cc, cc + 1).reshape(1, 10);
const gridMatchesCrop = viaCrop.sub(viaGrid).abs().max().item();
const sameClass = viaCrop.argmax(1).item() === viaGrid.argmax(1).item();
console.log(`grid of predictions ${grid.shape}; cell (${cr}, ${cc}) vs classifying its crop: largest difference of the 10 scores ${gridMatchesCrop.toFixed(3)} (scores up to ${viaCrop.abs().max().item().toFixed(1)}); same class: ${sameClass}`);

// %% id="code-757ecfa8"
const probsGrid = grid.softmax(1);
const conf = probsGrid.max(1).reshape(-1).data(), cls = probsGrid.argmax(1).reshape(-1).data();
const side = grid.shape[2];
// A classifier must name a digit even for a window that holds only part of one. A real detector learns an
// "object" score for that; as a crude stand-in we score each window by its confidence times the share of
// its ink that lies in its central 14×14 square.
const inkWindow = avgPool2d(scene.X, 28, { stride: 4 }).mul(28 * 28).reshape(-1).data();
const inkCentre = avgPool2d(scene.X.slice(2, 7, H).slice(3, 7, W), 14, { stride: 4 }).slice(2, 0, side).slice(3, 0, side).mul(14 * 14).reshape(-1).data();
const candidates: number[][] = [], scores: number[] = [], candClass: number[] = [];
for (let k = 0; k < side * side; k++) {
  const centred = inkWindow[k] > 20 ? inkCentre[k] / inkWindow[k] : 0;
  if (conf[k] > 0.7 && centred > 0.45) {
    const r = Math.floor(k / side), c = k % side;
    candidates.push([4 * c, 4 * r, 4 * c + 28, 4 * r + 28]);
    scores.push(conf[k] * centred);
    candClass.push(cls[k]);
  }
}
const kept = data.nms(candidates, scores, 0.2);
console.log(`${candidates.length} confident windows, ${kept.length} after non-maximum suppression: classes ${kept.map((k) => candClass[k]).join(", ")}; true digits ${scene.labels[0].join(", ")}`);
plot.imageGrid(drawBoxes(concat([scene.X, scene.X], 0), [candidates, kept.map((k) => candidates[k])], [[1, 0.3, 0.3], [0.3, 1, 0.3], [0.3, 0.6, 1]]),
  [`${candidates.length} confident windows`, `after NMS: ${kept.map((k) => candClass[k]).join(", ")}`], { title: "Sliding windows in one convolutional pass", size: 252 })

// %% [markdown] id="image-retrieval"
// Overlapping windows around the same digit all fire; **non-maximum suppression** keeps the best-scored
// and drops those that overlap it by more than an IoU of 0.2. What remains marks where the digits are; the
// classes it gives them are only as good as a classifier that never saw a digit off-centre or cut by the
// window's edge. Windows of one fixed size at stride 4 fit a
// digit only roughly: YOLO therefore predicts a box correction for each grid cell (a localiser at every
// position), and several boxes of preset shapes per cell (**anchor boxes**) so that neighbouring objects
// can be told apart.
//
// ## Image retrieval
//
// The last volume of a trained CNN, flattened, is a **signature** of the image. Images whose signatures are
// close, in Euclidean distance, look alike to the network. Store the signatures of a collection once; for a
// query, return the nearest ones:

// %% id="code-67ec87f4"
const collection = test.X.slice(0, 100, 1000), collectionY = Array.from(test.y.slice(0, 100, 1000).data());
const signatureNet = new nn.Sequential(classifier.layers.slice(0, 7));        // up to the flattened 7×7×32 volume
const signatures = signatureNet.predict(collection);                         // [900, 1568]
function nearest(query: Tensor, k: number) {
  return tidy(() => {                                                        // frees the [900, 1568] differences at once
    const q = signatureNet.predict(query);                                   // [1, 1568]
    const d = signatures.sub(q).square().sum(1);
    return Array.from(d.topk(k, 0, false).indices.data());
  });
}
const queries = [0, 1, 2, 3, 4, 7];
const rows: Tensor[] = [], captions: string[] = [];
for (const qi of queries) {
  const hits = nearest(test.X.slice(0, qi, qi + 1), 5);
  rows.push(test.X.slice(0, qi, qi + 1), ...hits.map((h) => collection.slice(0, h, h + 1)));
  captions.push(`query (${test.y.get(qi)})`, ...hits.map((h) => `${collectionY[h]}`));
}
// precision@5 over 50 queries: the share of returned images with the query's label
let same = 0;
for (let qi = 0; qi < 50; qi++) same += nearest(test.X.slice(0, qi, qi + 1), 5).filter((h) => collectionY[h] === test.y.get(qi)).length;
const precisionAt5 = same / 250;
console.log(`precision@5 over 50 queries: ${precisionAt5.toFixed(3)}`);
plot.imageGrid(concat(rows, 0).reshape(-1, 28, 28), captions, { title: "Each row: a query and its 5 nearest signatures among 900 test digits", columns: 6, size: 64 })

// %% [markdown] id="summary"
// ## Summary
//
// - `summary()` counts parameters $K(ffc_{in}+1)$ and FLOPs $h_{out}w_{out}Kffc_{in}$ per layer; LeNet,
//   AlexNet, ZFNet and VGG16 match the notes' tables once their slips are mended (LeNet's pool 4704, AlexNet's
//   conv1 34,944, ZFNet's strides, pool2, conv5 and fc1).
// - In AlexNet-style networks the dense layers hold the parameters and the convolutions the computation.
//   VGG's rules (3×3 everywhere, channels doubling as the map halves) keep the cost per layer constant.
// - 1×1 convolutions mix channels and shrink them; the inception block runs several filter sizes side by
//   side; global average pooling replaces huge dense layers; depthwise-separable convolutions cut the FLOPs
//   by $1/K + 1/f^2$.
// - Residual shortcuts let a 21-layer network train where the plain one does not learn at all.
// - Transfer learning reuses frozen features (`freeze()`, `trainableParameters()`) and helps when labels are few.
// - Saliency maps are input gradients; localisation adds a box regression to a classifier, IoU scores boxes,
//   a convolutional classifier slides over an image in one pass, and NMS removes duplicate detections.
// - A network's last volume is a signature for image retrieval.
//
// ## Exercises
//
// 1. Build VGG19 (stages of 2, 2, 4, 4 and 4 convolutions) and count its parameters and FLOPs with `summary(…, { build: false })`.
// 2. Replace the stride-2 second convolution of ZFNet with the notes' stride 1 and "same" padding. What output
//    shapes and parameter counts does `summary` give?
// 3. Give the plain deep network 5 hidden layers instead of 21. Does it train now? Where is the limit?
// 4. Unfreeze the last convolution of the transferred model (`features.layers[3].unfreeze()`), make a new optimizer
//    over `model.trainableParameters()` with lr 0.0005 and train 4 more epochs. Does the test accuracy improve?
// 5. Train the localiser on canvases with `size: 56`. How do the IoU and the training time change?
// 6. Use global average pooling of the last conv volume (32 numbers) as the retrieval signature. Is precision@5 better or worse?
