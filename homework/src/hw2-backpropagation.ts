// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="intro"
// # Homework 2 · Backpropagation for a two-layer network
//
// A network with one hidden layer of $H$ tanh units and a sigmoid output, trained with binary
// cross-entropy. You write the forward pass, then the backward pass by hand with the chain rule,
// and the tests compare your gradients with what autodiff computes. With examples in rows:
//
// $Z_1 = XW_1 + b_1,\quad A_1 = \tanh(Z_1),\quad Z_2 = A_1W_2 + b_2,\quad A_2 = \sigma(Z_2)$
//
// $dZ_2 = \frac{1}{m}(A_2 - Y),\quad dW_2 = A_1^T dZ_2,\quad db_2 = \textstyle\sum_i dZ_2$
//
// $dZ_1 = dZ_2W_2^T \odot (1 - A_1^2),\quad dW_1 = X^T dZ_1,\quad db_1 = \textstyle\sum_i dZ_1$
//
// `await check("q2")` runs a question's tests again; a few more tests are run at grading.

// %% id="setup" nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
interface Params { W1: Tensor; b1: Tensor; W2: Tensor; b2: Tensor }
const xorSet = data.xor({ samples: 120, noise: 0.15, seed: 3 });
const X = xorSet.X.double();
const Y = xorSet.y.double().reshape(-1, 1);
function initParams(n: number, H: number, seed: number): Params {
  manualSeed(seed);
  return { W1: randn([n, H], { dtype: "float64" }).mul(0.5), b1: zeros([H], { dtype: "float64" }), W2: randn([H, 1], { dtype: "float64" }).mul(0.5), b2: zeros([1], { dtype: "float64" }) };
}
// The cost, written with the library's ops; the tests differentiate it with autodiff.
function costOf(X: Tensor, Y: Tensor, p: Params): Tensor {
  const a = X.matmul(p.W1).add(p.b1).tanh().matmul(p.W2).add(p.b2).sigmoid().clip(1e-12, 1 - 1e-12);
  return Y.mul(a.log()).add(Y.neg().add(1).mul(a.neg().add(1).log())).mean().neg();
}
const P0 = initParams(2, 4, 0);

// %% [markdown] id="q1-text"
// ## q1 · Forward pass (2 points)
//
// Return every intermediate value: the backward pass needs them.

// %% id="q1-answer" nbgrader={"grade": false, "grade_id": "q1-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function forward(X: Tensor, p: Params): { Z1: Tensor; A1: Tensor; Z2: Tensor; A2: Tensor } {
  // BEGIN SOLUTION
  const Z1 = X.matmul(p.W1).add(p.b1);
  const A1 = Z1.tanh();
  const Z2 = A1.matmul(p.W2).add(p.b2);
  return { Z1, A1, Z2, A2: Z2.sigmoid() };
  // END SOLUTION
}

// %% id="q1-tests" nbgrader={"grade": true, "grade_id": "q1", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
await tests("q1", { points: 2 }, () => {
  test("shapes", () => {
    const f = forward(X, P0);
    expectShape(f.A1, [X.shape[0], 4], { what: "A1" });
    expectShape(f.A2, [X.shape[0], 1], { what: "A2" });
  });
  test("output values", () => expectClose(forward(X, P0).A2, X.matmul(P0.W1).add(P0.b1).tanh().matmul(P0.W2).add(P0.b2).sigmoid(), { what: "A2" }));
  // BEGIN HIDDEN TESTS
  test("hidden activations", () => expectClose(forward(X, P0).A1, X.matmul(P0.W1).add(P0.b1).tanh(), { what: "A1" }));
  // END HIDDEN TESTS
});

// %% [markdown] id="q2-text"
// ## q2 · Backward pass (4 points)
//
// Compute the four gradients with the equations above, without autodiff. Each has the shape of
// its parameter.

// %% id="q2-answer" nbgrader={"grade": false, "grade_id": "q2-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function backprop(X: Tensor, Y: Tensor, p: Params): { dW1: Tensor; db1: Tensor; dW2: Tensor; db2: Tensor } {
  // BEGIN SOLUTION
  const { A1, A2 } = forward(X, p);
  const dZ2 = A2.sub(Y).div(X.shape[0]);
  const dZ1 = dZ2.matmul(p.W2.T).mul(A1.square().neg().add(1));
  return { dW1: X.T.matmul(dZ1), db1: dZ1.sum(0), dW2: A1.T.matmul(dZ2), db2: dZ2.sum(0) };
  // END SOLUTION
}

// %% id="q2-tests" nbgrader={"grade": true, "grade_id": "q2", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
await tests("q2", { points: 4 }, () => {
  // Autodiff's gradients of the same cost.
  const leaves = { W1: P0.W1.detach().requiresGrad_(true), b1: P0.b1.detach().requiresGrad_(true), W2: P0.W2.detach().requiresGrad_(true), b2: P0.b2.detach().requiresGrad_(true) };
  costOf(X, Y, leaves).backward();
  const g = () => backprop(X, Y, P0);
  test("shapes", () => {
    const r = g();
    expectShape(r.dW1, [2, 4], { what: "dW1" });
    expectShape(r.db1, [4], { what: "db1" });
    expectShape(r.dW2, [4, 1], { what: "dW2" });
    expectShape(r.db2, [1], { what: "db2" });
  });
  test("output layer: dW2 and db2", () => {
    expectClose(g().dW2, leaves.W2.grad, { what: "dW2" });
    expectClose(g().db2, leaves.b2.grad, { what: "db2" });
  });
  // BEGIN HIDDEN TESTS
  test("hidden layer: dW1 and db1", () => {
    expectClose(g().dW1, leaves.W1.grad, { what: "dW1" });
    expectClose(g().db1, leaves.b1.grad, { what: "db1" });
  }, { weight: 2 });
  // END HIDDEN TESTS
});

// %% [markdown] id="q3-text"
// ## q3 · Training, and its chart (2 points)
//
// Train with plain gradient descent ($p \leftarrow p - \alpha\,dp$ for all four) from `initParams(2, 8, 1)`
// for `steps` steps, recording the cost before each step. Return the costs and a `plot.lineChart` of
// them titled "Training cost". XOR cannot be solved by a line; with 8 hidden units the cost should
// fall well below $\log 2$.

// %% id="q3-answer" nbgrader={"grade": false, "grade_id": "q3-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function trainNet(X: Tensor, Y: Tensor, lr: number, steps: number): { costs: number[]; chart: plot.Chart; params: Params } {
  // BEGIN SOLUTION
  let p = initParams(2, 8, 1);
  const costs: number[] = [];
  for (let s = 0; s < steps; s++) {
    costs.push(costOf(X, Y, p).item());
    const g = backprop(X, Y, p);
    p = { W1: p.W1.sub(g.dW1.mul(lr)), b1: p.b1.sub(g.db1.mul(lr)), W2: p.W2.sub(g.dW2.mul(lr)), b2: p.b2.sub(g.db2.mul(lr)) };
  }
  return { costs, params: p, chart: plot.lineChart(costs, { title: "Training cost", xLabel: "step", yLabel: "cost" }) };
  // END SOLUTION
}

// %% id="q3-tests" nbgrader={"grade": true, "grade_id": "q3", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
await tests("q3", { points: 2 }, () => {
  const run = trainNet(X, Y, 1.0, 300);
  test("the cost falls", () => {
    expect(run.costs.length, "costs.length").toBe(300);
    expect(run.costs[299], "the last cost").toBeLessThan(0.45);
  });
  test("the chart shows the costs", () => {
    expect(run.chart, "chart").toBeInstanceOf(plot.Chart);
    expectClose((run.chart.spec.data as { values: { y: number }[] }).values.map((v) => v.y), run.costs, { what: "the chart's values" });
  });
});

// %% id="chart" nbgrader={"grade": false, "grade_id": "chart", "locked": true, "schema_version": 3, "solution": false, "task": false}
trainNet(X, Y, 1.0, 300).chart
