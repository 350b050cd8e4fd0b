// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="08-convolutions"
// # 08 · Convolutions
//
// A dense layer looks at every pixel with its own weight: it ignores that pixels have neighbours, and a
// 28×28 image already needs 784 weights per unit. A **convolutional layer** slides one small set of
// weights, a **filter**, over the whole image. This notebook computes a convolution by hand, applies
// classic filters to photographs and digits, works out the output size for **padding**, **stride** and
// **dilation**, adds **pooling**, follows the **receptive field** through layers, counts **parameters and
// FLOPs**, writes convolution as one matrix product (**im2col**), trains a small CNN on MNIST and then
// fools it with an **adversarial** image. It ends with the idea behind neural **style transfer**.

// %% [markdown] id="a-convolution-by-hand"
// ## A convolution by hand
//
// Put a 3×3 filter on a 3×3 patch of the image, multiply element by element and add the nine products:
// that is one output value. Slide the filter one pixel to the right and repeat, row by row. The result
// is a **feature map**: how strongly, and where, the pattern of the filter occurs in the image.
//
// The vertical-edge filter below has ones in its left column and minus ones in its right column, so it
// answers strongly where the image is bright on the left and dark on the right. (Deep-learning
// libraries slide the filter without flipping it; mathematicians call that a cross-correlation. Since the
// weights are learned, the difference does not matter.)

// %% id="code-adbaacba"
const image = [
  [10, 10, 10, 0, 0, 0],
  [10, 10, 10, 0, 0, 0],
  [10, 10, 10, 0, 0, 0],
  [10, 10, 10, 0, 0, 0],
  [10, 10, 10, 0, 0, 0],
  [10, 10, 10, 0, 0, 0],
];
const vertical = [[1, 0, -1], [1, 0, -1], [1, 0, -1]];

function convolveByHand(img: number[][], k: number[][]): number[][] {
  const f = k.length, outH = img.length - f + 1, outW = img[0].length - f + 1;
  const out: number[][] = [];
  for (let i = 0; i < outH; i++) {
    const row: number[] = [];
    for (let j = 0; j < outW; j++) {
      let s = 0;
      for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) s += img[i + a][j + b] * k[a][b];
      row.push(s);
    }
    out.push(row);
  }
  return out;
}
const byHand = convolveByHand(image, vertical);
// conv2d wants [batch, channels, height, width] images and [filters, channels, f, f] weights.
const withLibrary = conv2d(tensor([[image]]), tensor([[vertical]]));
console.log("by hand:     ", JSON.stringify(byHand));
console.log("with conv2d: ", JSON.stringify((withLibrary.toArray() as number[][][][])[0][0]));

// %% [markdown] id="classic-filters-on-real-images"
// The 6×6 image became a 4×4 map: 30 where the filter straddles the edge, 0 over the flat parts. Turn the
// image around (dark on the left) and the values become −30: the sign says which way the edge goes, and
// flipping the filter's sign detects the other direction. The horizontal-edge filter is the same filter
// turned by 90°.
//
// ## Classic filters on real images
//
// Four filters every image editor has: vertical and horizontal edges, a blur (the mean of the 3×3
// neighbourhood) and a sharpen filter (the pixel, plus its difference from its four neighbours). The
// photograph comes from `data.loadPhoto` (128×128 reductions of scikit-image's sample photographs, shipped
// with the course); the digit and the garment from MNIST and Fashion-MNIST.

// %% id="code-7e5ebf2b"
const filters = tensor([
  [[[1, 0, -1], [1, 0, -1], [1, 0, -1]]],              // vertical edges
  [[[1, 1, 1], [0, 0, 0], [-1, -1, -1]]],              // horizontal edges
  [[[1, 1, 1], [1, 1, 1], [1, 1, 1]]].map((r) => r.map((c) => c.map((v) => v / 9))), // blur
  [[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]],             // sharpen
]);                                                    // [4 filters, 1 channel, 3, 3]
const filterNames = ["vertical edges", "horizontal edges", "blur", "sharpen"];
const camera = data.loadPhoto("camera");               // [1, 128, 128], values in [0, 1]
const digit = data.loadMnist({ split: "test", limit: 1 }).X;                    // [1, 1, 28, 28]
const garment = data.fashionMnistAvailable() ? data.loadFashionMnist({ split: "test", limit: 1 }).X : digit;
plot.plotFilters(filters, { title: "Four hand-made 3×3 filters (blue negative, red positive)" })

// %% id="code-0f584446"
function applyFilters(img: Tensor): Tensor {
  const x = img.ndim === 3 ? img.reshape(1, ...img.shape) : img;
  return conv2d(x, filters, null, { padding: "same" }).reshape(4, x.shape[2], x.shape[3]);
}
const cameraMaps = applyFilters(camera);
plot.imageGrid(concat([camera, cameraMaps.abs()], 0), ["photograph", ...filterNames.map((n) => `|${n}|`)],
  { title: "A photograph and the size of its four filter responses", columns: 5, size: 128, normalize: true })

// %% id="code-f07ec996"
plot.imageGrid(concat([digit.reshape(1, 28, 28), applyFilters(digit), garment.reshape(1, 28, 28), applyFilters(garment)], 0),
  ["digit", "vertical", "horizontal", "blur", "sharpen", "garment", "vertical", "horizontal", "blur", "sharpen"],
  { title: "The same filters on a digit and a garment (grey = 0)", columns: 5, size: 80, normalize: true })

// %% [markdown] id="padding-stride-and-dilation"
// The edge maps light up along the outlines in one direction only: the tripod's legs and the man's back
// in the vertical map, the horizon and the shoulders in the horizontal one. The blurred image is smoother and the
// sharpened one crisper. Each map keeps *where* its feature is.
//
// A convolutional layer does exactly this with many filters at once, but it **learns** their values
// from data instead of taking them from a textbook. Each filter also looks across all input channels: a
// filter on an RGB image is 3×3×3, and a filter in a deeper layer combines the feature maps of the layer below.
// With $K$ filters of size $f\times f$ over $c_{in}$ channels the weights form one $[K, c_{in}, f, f]$
// tensor, with one bias per filter.
//
// ## Padding, stride and dilation
//
// A valid convolution shrinks the image by $f-1$ pixels, and pixels at the border take part in fewer
// outputs than those in the middle. **Padding** adds $p$ rings of zeros first; $p = (f-1)/2$ keeps the size
// ("same" padding; it only works out evenly for odd $f$). A **stride** $s$ moves the filter $s$ pixels at a
// time, which downsamples. A **dilation** $d$ spreads the filter's taps $d$ pixels apart, so a 3×3 filter
// covers a $(2d+1)\times(2d+1)$ area with nine weights. Together:
//
// $$h_{out} = \left\lfloor \frac{h + 2p - d\,(f-1) - 1}{s} \right\rfloor + 1$$
//
// With $d = 1$ this is the notes' $\frac{h + 2p - f}{s} + 1$, rounded down when the stride does not divide
// evenly. Each row of the table below is checked against the shape `conv2d` actually returns:

// %% id="code-3d76b046"
function outSize(h: number, f: number, p: number, s: number, d: number) {
  return Math.floor((h + 2 * p - d * (f - 1) - 1) / s) + 1;
}
const cases: [number, number, number, number, number][] = [
  // h, f, p, s, d
  [28, 3, 0, 1, 1], [28, 3, 1, 1, 1], [28, 5, 2, 1, 1], [28, 3, 1, 2, 1], [28, 5, 0, 2, 1], [227, 11, 0, 4, 1], [28, 3, 2, 1, 2],
];
const sizeRows = cases.map(([h, f, p, s, d]) => {
  const got = conv2d(zeros([1, 1, h, h]), zeros([1, 1, f, f]), null, { padding: p, stride: s, dilation: d }).shape[2];
  return { h, f, p, s, d, formula: outSize(h, f, p, s, d), conv2d: got };
});
console.log("  h   f  p  s  d   formula  conv2d");
for (const r of sizeRows) console.log([r.h, r.f, r.p, r.s, r.d].map((v) => String(v).padStart(3)).join("") + String(r.formula).padStart(9) + String(r.conv2d).padStart(8));
if (sizeRows.some((r) => r.formula !== r.conv2d)) throw new Error("the output-size formula disagrees with conv2d");

// %% [markdown] id="pooling"
// The sixth row is AlexNet's first layer: 11×11 filters with stride 4 take a 227×227 image to 55×55.
//
// ## Pooling
//
// A **pooling** layer shrinks each channel on its own: it takes the maximum (max pooling, the usual choice)
// or the mean (average pooling) of each $f\times f$ window, moving by a stride $s$, usually $s = f$. It has
// **no parameters** and leaves the number of channels alone. The output size follows the same formula,
// $\lfloor (h-f)/s \rfloor + 1$ without padding; the notes write $(h-f)/s$ and drop the $+1$ (for
// $h = 28$, $f = s = 2$ that would give 13 instead of 14). Max pooling keeps the strongest response in each
// window and so tolerates small shifts of a feature.

// %% id="code-53ef8693"
const grid = tensor([[[[1, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]]]]);
console.log("input\n" + grid.reshape(4, 4).toString());
console.log("max pooling 2×2\n" + maxPool2d(grid, 2).reshape(2, 2).toString());
console.log("average pooling 2×2\n" + avgPool2d(grid, 2).reshape(2, 2).toString());
console.log("a 28×28 map after 2×2 max pooling:", maxPool2d(zeros([1, 1, 28, 28]), 2).shape);

// %% [markdown] id="the-receptive-field-grows-with-depth"
// ## The receptive field grows with depth
//
// One output of a 3×3 convolution sees a 3×3 patch of its input. An output of a second 3×3 layer sees
// 3×3 outputs of the first, and so 5×5 pixels; a third layer sees 7×7: the **receptive field** grows by
// $f-1$ per layer (and by more after a stride, which multiplies the step of every later layer). We can
// *draw* it with autodiff: the gradient of one output pixel with respect to the input image is nonzero
// exactly on the pixels that output depends on.

// %% id="code-56778f7e"
function receptiveField(layers: number, dilation = 1): Tensor {
  const x = zeros([1, 1, 17, 17]).requiresGrad_(true);
  const ones3 = ones([1, 1, 3, 3]);
  let h: Tensor = x;
  for (let l = 0; l < layers; l++) h = conv2d(h, ones3, null, { padding: dilation, dilation });
  h.index(0, 0, 8, 8).backward();                   // the centre output
  return x.grad!.reshape(17, 17);
}
const fields = [1, 2, 3, 4].map((L) => receptiveField(L));
const widths = fields.map((g) => g.gt(0).float().sum(0).gt(0).float().sum().item());
console.log("receptive field width after 1, 2, 3, 4 layers:", widths, " (2L + 1 =", [1, 2, 3, 4].map((L) => 2 * L + 1), ")");
plot.imageGrid(stack([...fields, receptiveField(2, 2)]), ["1 layer", "2 layers", "3 layers", "4 layers", "2, dilation 2"],
  { title: "Input pixels that one output depends on (brighter: through more paths)", columns: 5, size: 102, normalize: true })

// %% [markdown] id="parameters-and-flops"
// The brightness shows how many paths lead from a pixel to the output: the centre counts most. Dilation
// (last panel) widens the field without adding weights. Deep networks stack many small filters, so a
// late layer "sees" a large part of the image while every filter stays small.
//
// ## Parameters and FLOPs
//
// From the notes, for a layer of $K$ filters of size $f\times f$ on $c_{in}$ channels, with output
// $h_{out}\times w_{out}\times K$:
//
// - parameters: $K\,(f\cdot f\cdot c_{in} + 1)$ (the $+1$ is each filter's bias); a pooling layer has none;
// - FLOPs: each output is a dot product of $f\cdot f\cdot c_{in}$ numbers, one multiply-accumulate (MAC)
//   each, so $h_{out}\, w_{out}\, K\, f\, f\, c_{in}$; a pooling layer does $h_{out}\, w_{out}\, c\, f\, f$
//   comparisons or additions.
//
// The library's `summary()` counts the same way; here both for the CNN trained below:

// %% id="code-5e561b44"
function makeCnn(seed: number) {
  manualSeed(seed);
  return new nn.Sequential([
    new nn.Conv2d(1, 8, 3, { padding: "same" }), new nn.ReLU(), new nn.MaxPool2d(2),   // 28×28×8 → 14×14×8
    new nn.Conv2d(8, 16, 3, { padding: "same" }), new nn.ReLU(), new nn.MaxPool2d(2),  // 14×14×16 → 7×7×16
    new nn.Flatten(), new nn.Dense(10, { inputDim: 16 * 7 * 7 }),
  ]);
}
const convParams = (K: number, f: number, cIn: number) => K * (f * f * cIn + 1);
const convFlops = (hOut: number, wOut: number, K: number, f: number, cIn: number) => hOut * wOut * K * f * f * cIn;
const byFormula = {
  conv1: { params: convParams(8, 3, 1), flops: convFlops(28, 28, 8, 3, 1) },
  pool1: { params: 0, flops: 14 * 14 * 8 * 2 * 2 },
  conv2: { params: convParams(16, 3, 8), flops: convFlops(14, 14, 16, 3, 8) },
  pool2: { params: 0, flops: 7 * 7 * 16 * 2 * 2 },
  dense: { params: 10 * (784 + 1), flops: 10 * 784 },
};
for (const [name, r] of Object.entries(byFormula)) console.log(`${name.padEnd(6)} parameters ${String(r.params).padStart(5)}   FLOPs ${String(r.flops).padStart(7)}`);
const cnnSummary = makeCnn(0).summary([1, 28, 28]);
cnnSummary

// %% [markdown] id="convolution-as-one-matrix-product-im2col"
// The first layer has 80 parameters and the second 1,168, yet the second costs 226k MACs per image: a
// convolution is cheap in parameters (they are shared across positions) but not in computation (it is
// applied at every position). The final dense layer is the other way round.
//
// ## Convolution as one matrix product: im2col
//
// Libraries rarely run the four nested loops. **im2col** copies every $f\times f\times c_{in}$ patch of the
// input into a column of a matrix ($[c_{in} f f,\ h_{out} w_{out}]$); the filters, reshaped with
// `w.reshape(K, -1)`, are the rows of a $[K,\ c_{in} f f]$ matrix; their product is every output at once,
// $[K,\ h_{out} w_{out}]$, and a reshape gives the feature maps. It costs memory (each pixel is copied
// up to $f^2$ times) but a matrix product is the most optimised routine on any hardware. (The notes call the
// filter row $(1, ffK)$; it is $(1, ffc_{in})$, one row per filter.) `nn.unfold` is im2col:

// %% id="code-485ae10d"
const batch = data.loadMnist({ split: "test", limit: 64 }).X;       // [64, 1, 28, 28]
manualSeed(1);
const w8 = randn([8, 1, 3, 3]);

function convLoops(x: Tensor, w: Tensor): Float32Array {
  const [n, , h, wd] = x.shape, [K, , f] = w.shape, oh = h - f + 1, ow = wd - f + 1;
  const xs = x.data() as Float32Array, ws = w.data() as Float32Array, out = new Float32Array(n * K * oh * ow);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) for (let r = 0; r < oh; r++) for (let c = 0; c < ow; c++) {
    let s = 0;
    for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) s += xs[i * h * wd + (r + a) * wd + c + b] * ws[k * f * f + a * f + b];
    out[((i * K + k) * oh + r) * ow + c] = s;
  }
  return out;
}
const convIm2col = (x: Tensor, w: Tensor) => w.reshape(8, -1).matmul(nn.unfold(x, 3)).reshape(64, 8, 26, 26);

function timeMs(fn: () => unknown, reps = 5) {
  fn();
  const t = performance.now();
  for (let r = 0; r < reps; r++) tidy(() => { fn(); });
  return (performance.now() - t) / reps;
}
console.log("columns of one image:", nn.unfold(batch.slice(0, 0, 1), 3).shape, "(9 values per patch, 26·26 = 676 patches)");
const loopOut = convLoops(batch, w8), colOut = convIm2col(batch, w8).data(), libOut = conv2d(batch, w8).data();
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
console.log(`largest difference: loops vs im2col ${maxDiff(loopOut, colOut).toExponential(1)}, loops vs conv2d ${maxDiff(loopOut, libOut).toExponential(1)}`);
const tLoops = timeMs(() => convLoops(batch, w8)), tCols = timeMs(() => convIm2col(batch, w8)), tLib = timeMs(() => conv2d(batch, w8));
console.log(`64 digits, 8 filters of 3×3: loops ${tLoops.toFixed(1)} ms, im2col + matmul ${tCols.toFixed(1)} ms, conv2d ${tLib.toFixed(1)} ms`);
console.log(`conv2d is ${(tLoops / tLib).toFixed(1)}× faster than the loops here (backend: ${getDefaultDevice()})`);

// %% [markdown] id="backpropagation-through-a-convolution"
// Our im2col is built from tensor slices, so it also pays for copying; the library's `conv2d` runs native
// code. The timings depend on the machine; the three results agree to rounding.
//
// ## Backpropagation through a convolution
//
// Each weight of a filter touches every output, so its gradient sums over all positions:
// $\partial J/\partial w = x * \partial J/\partial v$, the input convolved with the upstream gradient.
// The notes work an example with a 3×3 input and a 2×2 filter; its four Jacobian slices
// $\partial v/\partial w_{ij}$ are the 2×2 windows of the input. Autodiff gives:

// %% id="code-983b1111"
const xSmall = tensor([[[[2, -3, 4], [1, -1, 2], [-1, 2, 3]]]]);
const wSmall = tensor([[[[0.5, -1], [2, 1]]]]).requiresGrad_(true);   // any values: dJ/dw does not depend on w
const upstream = tensor([[[[3, -2], [1, -1]]]]);                          // dJ/dv
const v = conv2d(xSmall, wSmall);
v.backward(upstream);
console.log("dJ/dw from autodiff:       ", JSON.stringify((wSmall.grad!.toArray() as number[][][][])[0][0]));
console.log("x convolved with dJ/dv:   ", JSON.stringify(convolveByHand([[2, -3, 4], [1, -1, 2], [-1, 2, 3]], [[3, -2], [1, -1]])));

// %% [markdown] id="a-small-cnn-on-mnist"
// The notes print $\begin{bmatrix}12 & -20\\ 2 & -8\end{bmatrix}$. Three entries agree, but the first is
// $2\cdot3 + (-3)(-2) + 1\cdot1 + (-1)(-1) = 14$, not 12; the notes also repeat the slice of $w_{12}$ in the
// place of $w_{22}$ in their last matrix. The gradient with respect to the input is the upstream gradient,
// padded by $f-1$, convolved with the filter turned by 180°; max pooling routes its gradient to the input
// that was the maximum, like `max` in notebook 04.
//
// ## A small CNN on MNIST
//
// The network above: two convolution + ReLU + max-pooling stages, then one dense layer. The same 5,000
// training digits and 1,000 test digits as the MLP of notebook 07, which we train again with its
// recipe (784-128-64-10, Adam, 6 epochs) to compare on equal terms. The images keep their shape
// [1, 28, 28]: no flattening before the convolutions.

// %% id="code-78267da7"
const train = data.loadMnist({ split: "train", limit: 5000 });
const test = data.loadMnist({ split: "test", limit: 1000 });
const X = train.X, y = train.y;                                  // [5000, 1, 28, 28] and [5000]
const lr = 0.003, numEpochs = 6;
const model = makeCnn(0);
model.compile({ optimizer: new optim.Adam(model.parameters(), { lr }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
const tCnn = performance.now();
const history = await model.fit(X, y, { epochs: numEpochs, batchSize: 64, validationSplit: 0.1 });
const cnnSeconds = (performance.now() - tCnn) / 1000;
const cnnTest = model.evaluate(test.X, test.y);
`CNN test accuracy ${cnnTest.accuracy.toFixed(3)} (${model.numParameters()} parameters, ${cnnSeconds.toFixed(1)} s)`

// %% id="code-3ad99e73"
manualSeed(0);
const mlp = new nn.Sequential([
  new nn.Flatten(),
  new nn.Dense(128, { inputDim: 784, activation: "relu" }),
  new nn.Dense(64, { inputDim: 128, activation: "relu" }),
  new nn.Dense(10, { inputDim: 64 }),
]);
mlp.compile({ optimizer: new optim.Adam(mlp.parameters(), { lr: 0.001 }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
await mlp.fit(X, y, { epochs: 6, batchSize: 64, validationSplit: 0.1, verbose: 0 });
const mlpTest = mlp.evaluate(test.X, test.y);
console.log(`MLP (07's recipe): test accuracy ${mlpTest.accuracy.toFixed(3)} with ${mlp.numParameters()} parameters`);
console.log(`CNN:               test accuracy ${cnnTest.accuracy.toFixed(3)} with ${model.numParameters()} parameters`);

// %% [markdown] id="md-da22f664"
// With a twelfth of the MLP's parameters, the CNN makes fewer mistakes on the same test digits: it does
// not have to learn the same stroke detector separately for every position. Now its learned first-layer
// filters, and the feature maps they make from a test digit and from the photograph:

// %% id="code-555cbe9a"
plot.plotFilters(model.layers[0], { title: "The 8 learned 3×3 filters of the first layer" })

// %% id="code-8c313aa6"
plot.plotFeatureMaps(model.layers[0], test.X.slice(0, 0, 1), { title: `First-layer feature maps of a test digit (a ${test.y.get(0)})` })

// %% id="code-0d289bcf"
plot.plotFeatureMaps(model.layers[0], camera, { title: "The same learned filters on the photograph" })

// %% [markdown] id="adversarial-inputs"
// Several learned filters look like the edge detectors we wrote by hand, in different directions; others
// respond to the strokes' bright interior. The second layer's maps combine them (exercise 3).
//
// ## Adversarial inputs
//
// Backpropagation gives the gradient of the loss with respect to anything in the computation, the input
// pixels included. The **fast gradient sign method** moves every pixel by a small $\varepsilon$ in the
// direction that raises the loss of the true label, $x' = x + \varepsilon\,\mathrm{sign}(\nabla_x J)$,
// clipped to the pixel range. The change is faint and spread over the whole image, yet it often
// changes the answer, and over the whole test set it costs most of the accuracy:

// %% id="code-584fd828"
const nShow = 8;
const Xclean = test.X.slice(0, 0, nShow), yClean = test.y.slice(0, 0, nShow);
const epsilon = 0.2;
const Xadv = nn.fgsm(model, Xclean, yClean, epsilon);
const predClean = Array.from(model.predict(Xclean).argmax(1).data());
const predAdv = Array.from(model.predict(Xadv).argmax(1).data());
const flipped = predAdv.filter((p, i) => p !== predClean[i]).length;
const advAccuracy = model.evaluate(nn.fgsm(model, test.X, test.y, epsilon), test.y).accuracy;
console.log(`ε = ${epsilon}: ${flipped} of the ${nShow} predictions below changed`);
console.log(`test accuracy: ${cnnTest.accuracy.toFixed(3)} on the clean digits, ${advAccuracy.toFixed(3)} on their FGSM versions`);
plot.imageGrid(concat([Xclean, Xadv.sub(Xclean).add(0.5), Xadv], 0).reshape(-1, 28, 28),
  [...predClean.map((p) => `says ${p}`), ...predClean.map(() => "change"), ...predAdv.map((p, i) => (p === predClean[i] ? `says ${p}` : `says ${p} (!)`))],
  { title: `Rows: clean digits, the FGSM change (ε = ${epsilon}, grey = 0) and the adversarial digits`, columns: nShow, size: 72 })

// %% [markdown] id="md-c325a338"
// The notes' version aims at a chosen class: pick an image and a target class, and climb the gradient of
// that class's log-probability with respect to the pixels, step by step. Here a test digit is pushed to
// be read as a 3, with at most 0.02 change per pixel per step:

// %% id="code-8678be75"
const target = 3;
const source = test.X.slice(0, 1, 2);                                   // the second test digit
let xT = source.clone();
const probs = (img: Tensor) => model.predict(img).softmax(1);
const steps: number[] = [];
for (let step = 0; step < 30; step++) {
  const g = tidy(() => nn.inputGradient((t: Tensor) => (model.call(t) as Tensor).logSoftmax(1), xT, target));
  xT = noGrad(() => xT.add(g.sign().mul(0.02)).clip(0, 1));
  steps.push(probs(xT).index(0, target).item());
  if (probs(xT).argmax(1).item() === target) break;
}
const startClass = probs(source).argmax(1).item(), endClass = probs(xT).argmax(1).item();
console.log(`label ${test.y.get(1)}, predicted ${startClass} before; after ${steps.length} steps predicted ${endClass} with p(${target}) = ${steps[steps.length - 1].toFixed(2)}`);
console.log(`largest pixel change: ${xT.sub(source).abs().max().item().toFixed(2)}`);
plot.imageGrid(concat([source, xT], 0).reshape(-1, 28, 28), [`predicted ${startClass}`, `predicted ${endClass}`], { title: `Pushed towards a ${target}`, size: 112 })

// %% [markdown] id="style-as-statistics-of-feature-maps"
// To us the digit has not changed. Adversarial examples show that a network's decision can hinge on
// patterns we do not see, which matters wherever a classifier faces someone who wants to fool it.
//
// ## Style as statistics of feature maps
//
// Neural style transfer builds an image that has the *content* of one picture and the *style* of another.
// Content is the feature maps of a deep layer: where things are. Style is which features occur
// **together**, wherever they are: the **Gram matrix** of a layer's maps,
// $G_{cd} = \frac{1}{hw}\sum_{\text{positions}} F_c F_d$, a $c\times c$ matrix without any position in it.
// Starting from the content image, gradient descent on the *pixels* lowers
//
// $$J = \lVert F(x) - F(\text{content}) \rVert^2 + \beta \sum_{\text{layers}} \lVert G(x) - G(\text{style}) \rVert^2.$$
//
// At our scale the network is the small MNIST CNN, frozen (its weights are not what we train now), the
// content a digit and the style a patch of the brick-wall photograph.

// %% id="code-0995fc77"
model.freeze();
const brick = avgPool2d(data.loadPhoto("brick").reshape(1, 1, 128, 128), 2).slice(2, 10, 38).slice(3, 10, 38);   // [1, 1, 28, 28]
const content = test.X.slice(0, 0, 1);
const features = (img: Tensor) => nn.captureActivations(model, img, ["1", "4"]);      // after the two ReLUs
const styleGrams = noGrad(() => { const f = features(brick); return [nn.gramMatrix(f["1"]), nn.gramMatrix(f["4"])]; });
const contentMaps = noGrad(() => features(content)["4"]);
const beta = 20;
function styleLoss(img: Tensor) {
  const f = features(img);
  return nn.gramMatrix(f["1"]).sub(styleGrams[0]).square().sum().add(nn.gramMatrix(f["4"]).sub(styleGrams[1]).square().sum());
}
const pixels = content.clone().requiresGrad_(true);
const styleOptimizer = new optim.Adam([pixels], { lr: 0.02 });
const styleCurve: number[] = [];
for (let step = 0; step < 150; step++) {
  tidy(() => {
    const f = features(pixels);
    const s = nn.gramMatrix(f["1"]).sub(styleGrams[0]).square().sum().add(nn.gramMatrix(f["4"]).sub(styleGrams[1]).square().sum());
    const loss = f["4"].sub(contentMaps).square().mean().add(s.mul(beta));
    styleOptimizer.zeroGrad();
    loss.backward();
    styleCurve.push(s.item());
  });
  styleOptimizer.step();
  noGrad(() => pixels.assign(pixels.clip(0, 1)));
}
const styleStart = noGrad(() => styleLoss(content).item()), styleEnd = noGrad(() => styleLoss(pixels).item());
console.log(`style loss: content image ${styleStart.toFixed(3)}, after 150 steps ${styleEnd.toFixed(3)}`);
display(plot.imageGrid(concat([content, brick, pixels.detach()], 0).reshape(-1, 28, 28), ["content", "style", "result"], { title: "A digit in the style of a brick wall (28×28)", size: 112 }));
plot.lineChart(styleCurve, { title: "Style loss while the pixels are optimised", xLabel: "step", yLabel: "style loss", logY: true, points: false })

// %% [markdown] id="summary"
// The digit keeps its place and shape (the content term) and takes on the wall's short horizontal and
// vertical strokes (the Gram term). Real style transfer does the same with a large network trained on
// photographs and with several layers, at hundreds of pixels a side.
//
// ## Summary
//
// - A convolution slides a small filter over the image; each output is the dot product of the filter
//   with one patch. The output is a feature map: where, and how strongly, the filter's pattern occurs.
// - Hand-made filters find edges, blur and sharpen; a convolutional layer learns its filters and looks
//   across all input channels. It has $K(f f c_{in}+1)$ parameters and costs
//   $h_{out} w_{out} K f f c_{in}$ multiply-accumulates.
// - Output size: $\lfloor (h + 2p - d(f-1) - 1)/s \rfloor + 1$; "same" padding is $p = (f-1)/2$.
//   Pooling shrinks each channel with no parameters.
// - Stacking 3×3 layers grows the receptive field by 2 per layer; strides and dilation grow it faster.
// - im2col turns convolution into one matrix product; backpropagation through a convolution is again a
//   convolution.
// - A small CNN beats a larger MLP on MNIST. Its input gradient makes adversarial images that change its
//   answer, and the Gram matrices of its feature maps describe style.
//
// ## Exercises
//
// 1. Apply the vertical-edge filter to `image` flipped left to right. What are the values, and why?
// 2. Design a 3×3 filter for diagonal edges and apply it to the photograph with `applyFilters`' recipe.
// 3. Show the second layer's feature maps: `plot.plotFeatureMaps(new nn.Sequential(model.layers.slice(0, 4)), test.X.slice(0, 0, 1))`.
//    How many are there, and of what size?
// 4. Compute by hand the parameters and FLOPs of `new nn.Conv2d(3, 32, 5, { stride: 2 })` on 64×64 RGB images, then check with `summary`.
// 5. Find the smallest ε (try 0.02, 0.05, 0.1) for which FGSM changes at least half of the 8 predictions.
//    Does `model.evaluate(nn.fgsm(model, test.X, test.y, ε), test.y)` fall as fast?
// 6. In the style section, set `beta` to 0 and then to 1000. What happens to the result?
