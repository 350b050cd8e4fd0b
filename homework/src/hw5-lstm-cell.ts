// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="intro"
// # Homework 5 · An LSTM cell
//
// An LSTM carries two states through time: the hidden state $h$ (what it outputs) and the cell
// state $c$ (its memory). At each step four gates are computed from the input $x_t$ and the previous
// $h$, with the weights of all four stacked in one matrix, in the order $i, f, g, o$:
//
// $[\,i; f; g; o\,] = x_t W_{ih}^T + b_{ih} + h W_{hh}^T + b_{hh}$, then
// $i, f, o \leftarrow \sigma(\cdot)$ and $g \leftarrow \tanh(\cdot)$;
//
// $c' = f \odot c + i \odot g,\qquad h' = o \odot \tanh(c').$
//
// The forget gate $f$ decides how much memory to keep, the input gate $i$ how much of the new
// candidate $g$ to write, the output gate $o$ how much of the memory to show. You write the cell and
// the loop over time, and compare with `nn.LSTM`, whose parameters you reuse.

// %% id="setup" nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
interface LSTMParams { Wih: Tensor; Whh: Tensor; bih: Tensor; bhh: Tensor }
manualSeed(11);
const lstm = new nn.LSTM(3, 5);
const named = Object.fromEntries(lstm.namedParameters());
const P: LSTMParams = { Wih: named.weight_ih_l0.detach(), Whh: named.weight_hh_l0.detach(), bih: named.bias_ih_l0.detach(), bhh: named.bias_hh_l0.detach() };
const xs = randn([2, 7, 3]);   // [N, T, input]

// %% [markdown] id="q1-text"
// ## q1 · One step (4 points)
//
// `x` is $[N, I]$, `h` and `c` are $[N, H]$. Split the $[N, 4H]$ pre-activations into the four gates
// with `chunk(4, 1)`.

// %% id="q1-answer" nbgrader={"grade": false, "grade_id": "q1-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function lstmCell(x: Tensor, h: Tensor, c: Tensor, p: LSTMParams): { h: Tensor; c: Tensor } {
  // BEGIN SOLUTION
  const [i, f, g, o] = x.matmul(p.Wih.T).add(p.bih).add(h.matmul(p.Whh.T)).add(p.bhh).chunk(4, 1);
  const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  return { h: o.sigmoid().mul(c2.tanh()), c: c2 };
  // END SOLUTION
}

// %% id="q1-tests" nbgrader={"grade": true, "grade_id": "q1", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
await tests("q1", { points: 4 }, () => {
  const x0 = xs.slice(1, 0, 1).reshape(2, 3);
  const z = zeros([2, 5]);
  test("shapes", () => {
    const r = lstmCell(x0, z, z, P);
    expectShape(r.h, [2, 5], { what: "h" });
    expectShape(r.c, [2, 5], { what: "c" });
  });
  test("first step from zero state, against nn.LSTM", () => {
    const ref = lstm.forwardWithState(xs.slice(1, 0, 1));
    const r = lstmCell(x0, z, z, P);
    expectClose(r.h, ref.h.reshape(2, 5), { what: "h" });
    expectClose(r.c, ref.c!.reshape(2, 5), { what: "c" });
  }, { weight: 2 });
  // BEGIN HIDDEN TESTS
  test("a step from a non-zero state, against nn.LSTM", () => {
    const h0 = randn([2, 5]), c0 = randn([2, 5]);
    const ref = lstm.forwardWithState(xs.slice(1, 0, 1), { h: h0.reshape(1, 2, 5), c: c0.reshape(1, 2, 5) });
    const r = lstmCell(x0, h0, c0, P);
    expectClose(r.h, ref.h.reshape(2, 5), { what: "h" });
    expectClose(r.c, ref.c!.reshape(2, 5), { what: "c" });
  }, { weight: 2 });
  // END HIDDEN TESTS
});

// %% [markdown] id="q2-text"
// ## q2 · Through time (3 points)
//
// Run the cell over the $T$ steps of `x` $[N, T, I]$ from zero states and return every step's $h$
// stacked as $[N, T, H]$, with the final $h$ and $c$ ($[N, H]$ each).

// %% id="q2-answer" nbgrader={"grade": false, "grade_id": "q2-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function lstmForward(x: Tensor, p: LSTMParams): { output: Tensor; h: Tensor; c: Tensor } {
  // BEGIN SOLUTION
  const [N, T] = x.shape;
  const H = p.Whh.shape[1];
  let h = zeros([N, H]), c = zeros([N, H]);
  const hs: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    ({ h, c } = lstmCell(x.slice(1, t, t + 1).reshape(N, -1), h, c, p));
    hs.push(h);
  }
  return { output: stack(hs, 1), h, c };
  // END SOLUTION
}

// %% id="q2-tests" nbgrader={"grade": true, "grade_id": "q2", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
await tests("q2", { points: 3 }, () => {
  const ref = lstm.forwardWithState(xs);
  test("every step's output, against nn.LSTM", () => expectClose(lstmForward(xs, P).output, ref.output), { weight: 2 });
  // BEGIN HIDDEN TESTS
  test("final cell state, against nn.LSTM", () => expectClose(lstmForward(xs, P).c, ref.c!.reshape(2, 5), { what: "c" }));
  // END HIDDEN TESTS
});

// %% [markdown] id="q3-text"
// ## q3 · Memory, drawn (1 point)
//
// Feed one sequence of 30 steps (`x` $[1, 30, 3]$) and return a `plot.lineChart` of unit 0 of the
// cell state $c$ over time, titled "Cell state". The cell after it draws it for an input that is 1 for
// five steps and 0 after: watch how slowly the memory fades.

// %% id="q3-answer" nbgrader={"grade": false, "grade_id": "q3-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function cellStateChart(x: Tensor, p: LSTMParams): plot.Chart {
  // BEGIN SOLUTION
  const T = x.shape[1];
  let h = zeros([1, p.Whh.shape[1]]), c = zeros([1, p.Whh.shape[1]]);
  const c0: number[] = [];
  for (let t = 0; t < T; t++) {
    ({ h, c } = lstmCell(x.slice(1, t, t + 1).reshape(1, -1), h, c, p));
    c0.push(c.get(0, 0));
  }
  return plot.lineChart(c0, { title: "Cell state", xLabel: "step", yLabel: "c[0]" });
  // END SOLUTION
}

// %% id="q3-tests" nbgrader={"grade": true, "grade_id": "q3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
await tests("q3", { points: 1 }, () => {
  test("unit 0 of c at every step", () => {
    const x = randn([1, 30, 3]);
    const vals = (cellStateChart(x, P).spec.data as { values: { y: number }[] }).values.map((v) => v.y);
    const ref = lstm.forwardWithState(x.slice(1, 0, 30));
    expect(vals.length, "the number of points").toBe(30);
    expectClose(vals[29], ref.c!.get(0, 0, 0), { what: "the last point" });
  });
});

// %% id="chart" nbgrader={"grade": false, "grade_id": "chart", "locked": true, "schema_version": 3, "solution": false, "task": false}
const pulse = concat([ones([1, 5, 3]), zeros([1, 25, 3])], 1);
cellStateChart(pulse, P)
