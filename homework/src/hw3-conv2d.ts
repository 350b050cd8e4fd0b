// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="intro"
// # Homework 3 · The convolution, twice
//
// A 2-D convolution layer slides $C_{out}$ filters of size $C_{in} \times k_H \times k_W$ over an input
// of shape $[N, C_{in}, H, W]$. With padding $p$ and stride $s$ the output is $[N, C_{out}, H_{out}, W_{out}]$,
// $H_{out} = \lfloor (H + 2p - k_H)/s \rfloor + 1$ (and the same for $W$), and
//
// $\text{out}[n, o, i, j] = b[o] + \sum_{c, u, v} x_{pad}[n, c, i s + u, j s + v]\; w[o, c, u, v].$
//
// (Deep-learning libraries compute this cross-correlation and call it convolution; the filter is
// not flipped.) You write it first with loops, then as one matrix product with **im2col**, and
// check both against the library's `conv2d`.

// %% id="setup" nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
manualSeed(5);
const x = randn([2, 3, 6, 5], { dtype: "float64" });
const w = randn([4, 3, 3, 3], { dtype: "float64" });
const b = randn([4], { dtype: "float64" });
function outSize(n: number, k: number, stride: number, padding: number): number {
  return Math.floor((n + 2 * padding - k) / stride) + 1;
}

// %% [markdown] id="q1-text"
// ## q1 · With loops (3 points)
//
// Read the values with `x.data()` (a flat row-major copy: element $[n, c, i, j]$ is at
// $((nC + c)H + i)W + j$), compute the output in a `Float64Array`, and return it as a tensor
// of the right shape. Positions that fall in the padding read 0.

// %% id="q1-answer" nbgrader={"grade": false, "grade_id": "q1-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function conv2dLoops(x: Tensor, w: Tensor, b: Tensor, stride = 1, padding = 0): Tensor {
  // BEGIN SOLUTION
  const [N, C, H, W] = x.shape;
  const [O, , kH, kW] = w.shape;
  const Ho = outSize(H, kH, stride, padding), Wo = outSize(W, kW, stride, padding);
  const xd = x.data(), wd = w.data(), bd = b.data();
  const out = new Float64Array(N * O * Ho * Wo);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          let s = bd[o];
          for (let c = 0; c < C; c++)
            for (let u = 0; u < kH; u++)
              for (let v = 0; v < kW; v++) {
                const r = i * stride + u - padding, q = j * stride + v - padding;
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                s += xd[((n * C + c) * H + r) * W + q] * wd[((o * C + c) * kH + u) * kW + v];
              }
          out[((n * O + o) * Ho + i) * Wo + j] = s;
        }
  return tensor(out, { dtype: "float64" }).reshape(N, O, Ho, Wo);
  // END SOLUTION
}

// %% id="q1-tests" nbgrader={"grade": true, "grade_id": "q1", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
await tests("q1", { points: 3 }, () => {
  test("output shape", () => expectShape(conv2dLoops(x, w, b), [2, 4, 4, 3]));
  test("values (stride 1, no padding)", () => expectClose(conv2dLoops(x, w, b), conv2d(x, w, b)));
  // BEGIN HIDDEN TESTS
  test("stride 2 and padding 1", () => expectClose(conv2dLoops(x, w, b, 2, 1), conv2d(x, w, b, { stride: 2, padding: 1 })));
  // END HIDDEN TESTS
});

// %% [markdown] id="q2-text"
// ## q2 · im2col (2 points)
//
// im2col lays every receptive field out as one row: for each $(n, i, j)$ of the output, in that
// order, the row holds the $C \cdot k_H \cdot k_W$ input values the filter sees, ordered $(c, u, v)$ (as
// the filter's own values are). The result is $[N H_{out} W_{out},\; C k_H k_W]$.

// %% id="q2-answer" nbgrader={"grade": false, "grade_id": "q2-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function im2col(x: Tensor, kH: number, kW: number, stride = 1, padding = 0): Tensor {
  // BEGIN SOLUTION
  const [N, C, H, W] = x.shape;
  const Ho = outSize(H, kH, stride, padding), Wo = outSize(W, kW, stride, padding);
  const xd = x.data();
  const K = C * kH * kW;
  const cols = new Float64Array(N * Ho * Wo * K);
  let row = 0;
  for (let n = 0; n < N; n++)
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Wo; j++, row++)
        for (let c = 0; c < C; c++)
          for (let u = 0; u < kH; u++)
            for (let v = 0; v < kW; v++) {
              const r = i * stride + u - padding, q = j * stride + v - padding;
              if (r >= 0 && r < H && q >= 0 && q < W) cols[row * K + (c * kH + u) * kW + v] = xd[((n * C + c) * H + r) * W + q];
            }
  return tensor(cols, { dtype: "float64" }).reshape(N * Ho * Wo, K);
  // END SOLUTION
}

// %% id="q2-tests" nbgrader={"grade": true, "grade_id": "q2", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
await tests("q2", { points: 2 }, () => {
  const small = arange(0, 9, 1, { dtype: "float64" }).reshape(1, 1, 3, 3);
  test("shape", () => expectShape(im2col(x, 3, 3), [2 * 4 * 3, 27]));
  test("rows of a 3×3 image with a 2×2 filter", () => expectClose(im2col(small, 2, 2), [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]));
  // BEGIN HIDDEN TESTS
  test("padding reads zeros", () => expectClose(im2col(small, 2, 2, 2, 1), [[0, 0, 0, 0], [0, 0, 1, 2], [0, 3, 0, 6], [4, 5, 7, 8]]));
  // END HIDDEN TESTS
});

// %% [markdown] id="q3-text"
// ## q3 · Convolution as one matrix product (2 points)
//
// Multiply the im2col matrix by the filters reshaped to $[C_{out}, C k_H k_W]$ (transposed), add the
// bias, and move the axes back to $[N, C_{out}, H_{out}, W_{out}]$ with `reshape` and `permute`.
// This is how most libraries run a convolution on a CPU: all the work is one SGEMM.

// %% id="q3-answer" nbgrader={"grade": false, "grade_id": "q3-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function conv2dIm2col(x: Tensor, w: Tensor, b: Tensor, stride = 1, padding = 0): Tensor {
  // BEGIN SOLUTION
  const [N, , H, W] = x.shape;
  const [O, , kH, kW] = w.shape;
  const Ho = outSize(H, kH, stride, padding), Wo = outSize(W, kW, stride, padding);
  const y = im2col(x, kH, kW, stride, padding).matmul(w.reshape(O, -1).T).add(b);
  return y.reshape(N, Ho, Wo, O).permute(0, 3, 1, 2);
  // END SOLUTION
}

// %% id="q3-tests" nbgrader={"grade": true, "grade_id": "q3", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
await tests("q3", { points: 2 }, () => {
  test("against conv2d", () => expectClose(conv2dIm2col(x, w, b), conv2d(x, w, b)));
  // BEGIN HIDDEN TESTS
  test("stride 2 and padding 1, against conv2d", () => expectClose(conv2dIm2col(x, w, b, 2, 1), conv2d(x, w, b, { stride: 2, padding: 1 })));
  // END HIDDEN TESTS
});

// %% [markdown] id="q4-text"
// ## q4 · An edge detector, as a picture (1 point)
//
// Write `edgeFilter()` returning a $[1, 1, 3, 3]$ float64 filter that responds to vertical edges
// (left column $-1, -2, -1$, middle 0, right $1, 2, 1$: the Sobel filter). The cell after it applies it
// to an image of a bright square and draws the feature map as a heatmap: the left and right sides of
// the square light up with opposite signs.

// %% id="q4-answer" nbgrader={"grade": false, "grade_id": "q4-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function edgeFilter(): Tensor {
  // BEGIN SOLUTION
  return tensor([[[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]], { dtype: "float64" });
  // END SOLUTION
}

// %% id="q4-tests" nbgrader={"grade": true, "grade_id": "q4", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
await tests("q4", { points: 1 }, () => {
  test("the Sobel filter", () => expectClose(edgeFilter(), [[[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]]));
});

// %% id="chart" nbgrader={"grade": false, "grade_id": "chart", "locked": true, "schema_version": 3, "solution": false, "task": false}
const squareImage = pad(ones([1, 1, 6, 6], { dtype: "float64" }), [3, 3, 3, 3]);
const edges = conv2dLoops(squareImage, edgeFilter(), zeros([1], { dtype: "float64" }), 1, 1);
plot.heatmap(edges.reshape(12, 12), { title: "Vertical edges of a square" })
