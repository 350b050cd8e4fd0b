// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="14-gpus-and-scale"
// # 14 · GPUs and scale
//
// Every network in this course is, underneath, a long list of matrix products and elementwise
// operations. How fast they run decides how big a model you can train and how many ideas you can try
// in a day. This notebook explains why graphics processors (GPUs) help so much, using one idea,
// **arithmetic intensity**, and measures on this machine's CPU what that idea predicts: matrix products
// of growing size, training steps with growing batches, and the memory a batch costs. Where a CUDA GPU is
// present, the same measurements run on it.

// %% [markdown] id="which-devices-are-here"
// ## Which devices are here?
//
// The library has three backends: `js` (plain TypeScript, always there), `cpu` (native code with SIMD
// and threads) and `cuda` (an NVIDIA GPU, loaded at run time). `deviceAvailable` says whether a device
// can be used, and why not when it cannot.

// %% id="code-e03344f6"
const cudaStatus = deviceAvailable("cuda");
const hasGpu = cudaStatus.available;
console.log("default device:", getDefaultDevice());
for (const device of ["js", "cpu", "cuda"] as const) {
  const a = deviceAvailable(device);
  console.log(`${device.padEnd(5)} ${a.available ? "available" : "NOT available: " + (a.reason ?? "").split("\n")[0]}`);
}
console.log(hasGpu
  ? `\nA GPU is present (${cuda.deviceName()}): the timings below also run on "cuda".`
  : "\nNo CUDA GPU on this machine: every timing below is measured on the CPU only.");

// %% [markdown] id="arithmetic-intensity"
// ## Arithmetic intensity
//
// A processor can be limited by two things: how many arithmetic operations it can do per second (its
// **peak FLOP rate**), and how many bytes per second it can move between memory and the arithmetic
// units (its **memory bandwidth**). Which limit applies depends on the operation's **arithmetic
// intensity**: floating-point operations per byte moved.
//
// - Adding two vectors of $n$ float32 numbers reads $8n$ bytes, writes $4n$ and does $n$ additions:
//   $1/12$ of an operation per byte, whatever $n$ is. Elementwise operations are always
//   **memory-bound**: the arithmetic units wait for data.
// - Multiplying two $n \times n$ matrices does $2n^3$ operations (a multiply and an add for each of
//   $n$ terms of $n^2$ outputs) on $3 \cdot 4n^2$ bytes: $n/6$ operations per byte. The intensity
//   grows with $n$, so a large matrix product is **compute-bound**: each number fetched is reused $n$
//   times.
//
// The attainable speed is $\min(\text{peak}, \text{intensity} \times \text{bandwidth})$, the "roofline".

// %% id="code-fdd4f3b1"
const sizes = [16, 32, 64, 128, 256, 512];
const intensity = sizes.map((n) => (2 * n ** 3) / (3 * 4 * n * n));
console.log("n      FLOPs       bytes     FLOPs/byte");
sizes.forEach((n, i) => console.log(`${String(n).padEnd(6)} ${(2 * n ** 3).toExponential(2).padEnd(11)} ${(12 * n * n).toExponential(2).padEnd(9)} ${intensity[i].toFixed(1)}`));

// %% [markdown] id="measuring-the-cpu"
// A GPU has thousands of simple arithmetic units instead of a CPU's few dozen wide ones, and memory
// with several times a CPU's bandwidth. Both rooflines are higher, and the compute roof much more so.
// Two consequences follow from the formula alone, on any GPU:
//
// 1. Small operations gain little. At low intensity both devices are bandwidth-bound, and each GPU
//    operation also pays a fixed launch cost (microseconds) that a tiny product cannot hide.
// 2. The gain grows with size until the GPU reaches its own compute roof, at a much higher intensity
//    (a larger $n$) than the CPU does. Deep learning is dominated by large matrix products and
//    convolutions (which are matrix products in disguise, lecture 08), so it sits in the region where
//    GPUs win by the largest factor.
//
// ## Measuring the CPU
//
// `timeIt` runs an operation repeatedly for about 100 ms and returns the best time of one run, so a
// busy moment of the machine does not count. Reading one number of the result (`item`) makes sure the
// work has really finished, which matters on a GPU where launches return before the work is done.

// %% id="code-27aab158"
function timeIt(f: () => Tensor, budgetMs = 100): number {
  f().sum().item();                                     // warm-up: caches, threads, compiled kernels
  let best = Infinity, total = 0;
  for (let runs = 0; total < budgetMs || runs < 3; runs++) {
    const t = performance.now();
    tidy(() => { f().reshape([-1]).slice(0, 0, 1).item(); });
    const dt = performance.now() - t;
    best = Math.min(best, dt);
    total += dt;
  }
  return best;
}

function matmulRates(device: "cpu" | "js" | "cuda", ns: number[]) {
  return ns.map((n) => {
    const A = randn([n, n]).to(device), B = randn([n, n]).to(device);
    const ms = timeIt(() => A.matmul(B));
    return (2 * n ** 3) / (ms / 1000) / 1e9;           // GFLOP/s
  });
}
const cpuDevice: "cpu" | "js" = deviceAvailable("cpu").available ? "cpu" : "js";
const matmulGflops: Record<string, number[]> = { [`${cpuDevice} (this machine)`]: matmulRates(cpuDevice, sizes) };
if (hasGpu) matmulGflops["cuda (this machine)"] = matmulRates("cuda", sizes);

// Elementwise addition of n×n matrices, for comparison: bandwidth-bound at every size.
const addGflops = sizes.map((n) => {
  const A = randn([n, n]).to(cpuDevice), B = randn([n, n]).to(cpuDevice);
  return (n * n) / (timeIt(() => A.add(B)) / 1000) / 1e9;
});
matmulGflops[`${cpuDevice}: elementwise add`] = addGflops;
sizes.forEach((n, i) => console.log(`n = ${String(n).padEnd(4)} matmul ${matmulGflops[`${cpuDevice} (this machine)`][i].toFixed(1).padStart(7)} GFLOP/s   add ${addGflops[i].toFixed(2).padStart(6)} GFLOP/s`));
plot.lineChart(matmulGflops, { x: sizes, logY: true, title: "Measured speed of n×n float32 operations", xLabel: "matrix size n", yLabel: "GFLOP/s (log scale)", legendTitle: "operation" })

// %% [markdown] id="figures-measured-elsewhere"
// The matrix product gets faster per operation as $n$ grows, then levels off near the CPU's compute
// roof; elementwise addition stays far below it at every size, because it does one operation per
// twelve bytes. (Your numbers depend on the machine and on what else it is doing; the shape is what
// to look at.)
//
// ### Figures measured elsewhere
//
// The chart above has a `cuda` line only where this notebook runs next to a GPU. The project has
// not yet recorded GPU timings from another machine, so none are shown here rather than invented;
// `npm run bench:gpu` (see docs/cuda.md) is how they will be measured and compared with PyTorch on
// the same GPU, and this section is the place to show them, labelled with the GPU and date they come
// from. From the roofline argument, such a chart should show the GPU line *below or near* the CPU for
// $n \lesssim 64$ (launch cost and low intensity) and far above it for $n$ in the hundreds and more.

// %% id="code-095a6fc6"
const measuredElsewhere: { device: string; date: string; n: number[]; gflops: number[] }[] = [];   // none recorded yet
console.log(measuredElsewhere.length === 0
  ? "Figures measured elsewhere: none recorded yet (see the text above)."
  : measuredElsewhere.map((m) => `${m.device} (${m.date}), measured elsewhere`).join("\n"));

// %% [markdown] id="batch-size"
// ## Batch size
//
// One training step of a small MLP (784 → 256 → 10, the MNIST shape from lecture 07) on batches of
// growing size. With a batch of one, every layer is a matrix-vector product: each weight is fetched
// from memory and used once (intensity about 0.5 FLOP per byte). With a batch of $B$ rows, each
// fetched weight is used $B$ times. Time per step grows much more slowly than $B$, so the number of
// examples processed per second rises, until the products become compute-bound.

// %% id="code-0465eb3f"
function makeMlp() {
  manualSeed(0);
  return new nn.Sequential([new nn.Dense(256, { inputDim: 784, activation: "relu" }), new nn.Dense(10, { inputDim: 256 })]);
}
const batchSizes = [1, 4, 16, 64, 256, 1024];
const mlp = makeMlp();

// Milliseconds per training step (forward, loss, backward, SGD update) for each batch size, on one device.
function stepTimes(device: "cpu" | "js" | "cuda") {
  const net = device === cpuDevice ? mlp : makeMlp().to(device);
  const optimizer = new optim.SGD(net.parameters(), { lr: 0.01 });
  return batchSizes.map((B) => {
    const X = randn([B, 784]).to(device), y = randint(0, 10, [B]).to(device);
    return timeIt(() => {
      const loss = nn.sparseCategoricalCrossEntropy(net.call(X) as Tensor, y, { fromLogits: true });
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      return loss;
    }, 60);
  });
}
const throughput: Record<string, number[]> = {};
const devices: ("cpu" | "js" | "cuda")[] = hasGpu ? [cpuDevice, "cuda"] : [cpuDevice];
for (const device of devices) {
  const stepMs = stepTimes(device);
  throughput[`${device} (this machine)`] = batchSizes.map((B, i) => B / (stepMs[i] / 1000));
  batchSizes.forEach((B, i) => console.log(`${device.padEnd(5)} batch ${String(B).padEnd(5)} ${stepMs[i].toFixed(2).padStart(7)} ms per step   ${Math.round(B / (stepMs[i] / 1000)).toString().padStart(8)} examples/s`));
}
const examplesPerSecond = throughput[`${cpuDevice} (this machine)`];
plot.lineChart(throughput, { x: batchSizes, logY: true, title: "Training throughput of a 784-256-10 MLP", xLabel: "batch size", yLabel: "examples per second (log scale)", legendTitle: "device" })

// %% [markdown] id="memory-per-batch-size"
// The throughput rises by orders of magnitude from batch 1 to the hundreds and then flattens. On a GPU
// the rise continues to much larger batches, since there are far more arithmetic units to keep busy.
// That is the practical advice of the notes: pick a batch as big as fits in memory (powers of two
// often suit the hardware), and then tune the learning rate for it. The limit is memory, next.
//
// ## Memory per batch size
//
// Training has to hold three things in the device's memory at once:
//
// - the **parameters**, their **gradients**, and the optimizer's state (Adam keeps two more numbers per
//   parameter),
// - the **activations** of every layer for the current batch, kept from the forward pass because the
//   backward pass needs them,
// - the **training data** of the batch itself.
//
// The first is fixed; the other two grow linearly with the batch size. If they do not fit, training
// either fails or, where memory spills over, becomes dramatically slower. The library counts the bytes
// of live tensors per device (`memory()`), so we can measure what a forward pass keeps alive for the
// backward pass:

// %% id="code-ed3223fa"
const memoryBatchSizes = [32, 64, 128, 256, 512];
function bytesLive() {
  return Object.values(memory()).reduce((s, m) => s + (m?.bytes ?? 0), 0);
}
const activationBytes = memoryBatchSizes.map((B) => {
  const X = randn([B, 784]), y = randint(0, 10, [B]);
  return tidy(() => {
    const before = bytesLive();
    const loss = nn.sparseCategoricalCrossEntropy(mlp.call(X) as Tensor, y, { fromLogits: true });
    const held = bytesLive() - before;             // what the graph holds for backward
    loss.backward();
    return held;
  });
});
mlp.zeroGrad();
const parameterBytes = mlp.numParameters() * 4;
memoryBatchSizes.forEach((B, i) => console.log(`batch ${String(B).padEnd(4)} activations held for backward: ${(activationBytes[i] / 1024).toFixed(0).padStart(6)} KiB`));
console.log(`parameters: ${(parameterBytes / 1024).toFixed(0)} KiB, the same again for gradients, twice more for Adam's moments`);
const perExample = (activationBytes[activationBytes.length - 1] - activationBytes[0]) / (memoryBatchSizes[memoryBatchSizes.length - 1] - memoryBatchSizes[0]);
console.log(`growth: ${perExample.toFixed(0)} bytes per example (${(perExample / 4).toFixed(0)} float32 numbers)`);
plot.lineChart({ "activations (measured)": activationBytes.map((b) => b / 1024), "parameters + gradients + Adam state": memoryBatchSizes.map(() => (4 * parameterBytes) / 1024) }, {
  x: memoryBatchSizes, title: "Training memory of the MLP against batch size", xLabel: "batch size", yLabel: "KiB", legendTitle: "memory",
})

// %% [markdown] id="precision-float64-float32-and-less"
// Each example costs the same number of bytes: about the widths of the layers' outputs it passes
// through (the 256 hidden values before and after the ReLU, the 10 scores and what the loss keeps of
// them), times four bytes. The batch's input itself (784 numbers per example) comes on top; it was
// created before the measurement, so it is not counted here. For this small
// MLP the parameters, gradients and Adam state dominate up to a batch of about a thousand; for a
// large CNN the activations of one image are megabytes, and they dominate at any useful batch size. That is why the batch size is set
// by the GPU's memory.
//
// ## Precision: float64, float32, and less
//
// Every float32 number takes 4 bytes, a float64 8. Halving the bytes halves the memory traffic and
// doubles what fits, and SIMD units process twice as many narrower numbers per instruction. The library
// has float64 and float32, so the effect can be measured:

// %% id="code-9641613a"
const precisionN = 256;
const precisionMs: Record<string, number> = {};
for (const dtype of ["float64", "float32"] as const) {
  const A = randn([precisionN, precisionN], { dtype }), B = randn([precisionN, precisionN], { dtype });
  precisionMs[dtype] = timeIt(() => A.matmul(B));
}
console.log(`${precisionN}×${precisionN} matmul: float64 ${precisionMs.float64.toFixed(2)} ms, float32 ${precisionMs.float32.toFixed(2)} ms (${(precisionMs.float64 / precisionMs.float32).toFixed(1)}× faster in float32)`);

// %% [markdown] id="md-54512283"
// In principle the gain is about 2×. On the `cpu` backend it is much larger, because only the float32
// matrix product has the tuned, vectorised kernel; float64 takes a plain loop meant for checking
// gradients, not for speed (`native/cpu/gemm.cc`). Either way float32 is the working precision of deep
// learning: its 7 significant digits are plenty for weights that gradient descent only ever nudges.

// %% [markdown] id="beyond-one-device"
// Modern GPUs go one step further with **mixed precision**: weights and activations in 16-bit floats
// (float16 or bfloat16, 2 bytes), products computed on dedicated matrix units, and sums accumulated in
// float32 so that rounding errors do not pile up. A master copy of the weights stays in float32, and the
// loss is multiplied by a large factor before backward ("loss scaling") so that small float16
// gradients do not round to zero. This library has no 16-bit type, so mixed precision is described
// here rather than shown. On the cuda backend, `cuda.setAllowTF32(true)` lets float32 matrix products
// use the GPU's TF32 tensor cores, which round the inputs to a 10-bit mantissa: a smaller step of the
// same trade.
//
// ## Beyond one device
//
// When a model or its data outgrows one GPU, the work is split: **data parallelism** gives each GPU a
// copy of the model and a slice of the batch, and averages the gradients after each step (the effective
// batch is the sum of the slices); **model parallelism** splits the layers themselves across devices.
// Both trade arithmetic for communication, so the same roofline thinking applies to the links between
// devices.
//
// ## Summary
//
// - An operation's arithmetic intensity (FLOPs per byte) decides whether it is limited by memory
//   bandwidth or by compute: elementwise operations always by bandwidth, an $n \times n$ matrix
//   product ($n/6$ FLOP per byte) by compute once $n$ is large.
// - GPUs raise both limits, compute most; deep learning's large matrix products are where they win,
//   while tiny operations gain little.
// - Larger batches reuse each weight more and raise throughput, until memory runs out.
// - Training memory = parameters + gradients + optimizer state (fixed) + activations and data (linear in
//   the batch size), measured above with `memory()`.
// - Narrower numbers halve memory and traffic: float32 over float64 here; float16 with float32
//   accumulation (mixed precision) on GPUs.
// - This machine has no GPU unless the first cell said otherwise; no GPU figures have been measured
//   elsewhere yet, so none are shown.
//
// ## Exercises
//
// 1. Extend `sizes` to 1024. Does the CPU's GFLOP/s keep rising, level off, or drop? Estimate its
//    compute roof from the chart.
// 2. Time `A.matmul(B)` for $A$ of shape $[n, n]$ and $B$ of shape $[n, 1]$ (a matrix-vector
//    product). Compute its arithmetic intensity and explain the GFLOP/s you measure.
// 3. Predict the activation bytes per example of a 784 → 512 → 512 → 10 MLP, then measure it as above.
// 4. Time `A.exp()` against `A.add(B)` for a large $A$. Both are elementwise; is `exp` still
//    memory-bound?
// 5. If you have an NVIDIA GPU, run this notebook there and compare the `cuda` and `cpu` lines: at which
//    $n$ do they cross?
