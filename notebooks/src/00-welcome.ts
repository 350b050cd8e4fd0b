// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="cell-00"
// # 00 · Welcome
//
// This course teaches deep learning by doing: every idea comes with code you run and pictures you
// look at. The notebooks run on the **gradbook** kernel, which executes TypeScript and has the course
// library already loaded: tensors with automatic differentiation, layers, optimizers, data sets and
// plots. No `import` line is needed.
//
// Run a cell with **Shift+Enter**. Cells share their variables, so run them from top to bottom.

// %% [markdown] id="cell-01"
// ## The kernel
//
// A cell's last expression is shown below it. Ordinary TypeScript works as you would expect.

// %% id="cell-02"
const lectures = ["welcome", "activations and losses", "universal approximator"];
lectures.map((name, i) => `${i}: ${name}`).join("\n")

// %% [markdown] id="cell-03"
// ## Tensors
//
// A **tensor** is an n-dimensional array of numbers with a `shape` and a `dtype`. Arithmetic works
// element by element and broadcasts like NumPy; `matmul` multiplies matrices.

// %% id="cell-04"
const X = tensor([[1, 2, 3], [4, 5, 6]]);
console.log("shape", X.shape, "dtype", X.dtype, "device", X.device);
X

// %% id="cell-05"
// Sum of each column, the mean of everything, and X times its transpose (2x3 by 3x2).
console.log(X.sum(0).toString());
console.log(X.mean().item());
X.matmul(X.T)

// %% [markdown] id="cell-06"
// ## Derivatives for free
//
// Mark a tensor with `requiresGrad: true` and every operation on it is recorded. `backward()`
// then fills `.grad` with the derivative of the result with respect to it. For
// $f(w) = \sum_i w_i^2$ the derivative is $2w$:

// %% id="cell-07"
const w = tensor([1, -2, 3], { requiresGrad: true });
const f = w.mul(w).sum();
f.backward();
w.grad

// %% [markdown] id="cell-08"
// ## Pictures
//
// Plot helpers live in the `plot` namespace and return a chart. The notebook draws it; saved
// notebooks keep an SVG and a PNG copy so the picture survives without the kernel.

// %% id="cell-09"
const xs = linspace(-2, 2, 41);
plot.lineChart({ "x²": xs.square(), "x³": xs.pow(3) }, { x: xs, title: "Two polynomials", xLabel: "x", yLabel: "y" })

// %% id="cell-10"
manualSeed(0);
const points = randn([200, 2]);
// Column 0 of each row (slice along axis 1 from 0 to 1), positive or not: a class label 0 or 1.
const labels = points.slice(1, 0, 1).gt(0).int().reshape(-1);
plot.scatter(points, labels, { title: "Points coloured by the sign of x₁" })

// %% [markdown] id="cell-11"
// ## CPU or GPU?
//
// Tensors live on a **device**. `js` is plain JavaScript and always works; `cpu` is a native
// addon with fast matrix products; `cuda` runs on an NVIDIA GPU when one is present. The library
// picks the best available device as the default.

// %% id="cell-12"
console.log("default device:", getDefaultDevice());
for (const device of ["js", "cpu", "cuda"] as const) {
  try {
    const t = tensor([1, 2, 3]).to(device);
    console.log(device.padEnd(5), "available, sum =", t.sum().item());
  } catch (e) {
    console.log(device.padEnd(5), "not available:", (e as Error).message.split("\n")[0]);
  }
}

// %% [markdown] id="cell-13"
// Matrix products dominate deep learning, so they are a good yardstick. A product of two
// $n \times n$ matrices needs about $2n^3$ floating-point operations:

// %% id="cell-14"
const n = 256;
const A = randn([n, n]), B = randn([n, n]);
A.matmul(B); // warm up
const reps = 5;
const t0 = performance.now();
for (let r = 0; r < reps; r++) A.matmul(B).dispose();
const seconds = (performance.now() - t0) / 1000 / reps;
`${getDefaultDevice()}: ${(2 * n ** 3 / seconds / 1e9).toFixed(2)} GFLOP/s for a ${n}x${n} product`

// %% [markdown] id="cell-15"
// ## Summary
//
// - Cells run TypeScript; the course library (`tensor`, `nn`, `optim`, `plot`, ...) is preloaded.
// - Tensors have a shape, a dtype and a device; operations broadcast and `matmul` multiplies.
// - `requiresGrad` plus `backward()` gives derivatives without writing them by hand.
// - Plot helpers return charts that the notebook draws.
//
// ## Exercises
//
// 1. Build a 3×3 identity matrix with `eye(3)` and check that `eye(3).matmul(X.T)` equals `X.T` (3×2).
//    Why does `X.T.matmul(eye(3))` fail, and which identity matrix works on the right?
// 2. For $g(w) = \sum_i \sin(w_i)$, predict `w.grad` before running `backward()`, then check.
// 3. Plot $\tanh(x)$ for $x \in [-4, 4]$ with `plot.lineChart`. Where is it steepest?
// 4. Time the matrix product for $n = 64, 128, 512$. Does the GFLOP/s figure stay the same? Why might small products be slower per operation?
