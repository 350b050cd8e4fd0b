// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="intro"
// # Homework 1 · Logistic regression by hand
//
// You will write a logistic-regression classifier without `nn`: the sigmoid, the cross-entropy
// cost, its gradient in vectorised form, a gradient-descent loop, and a chart of the cost while it
// trains. Each answer goes where a cell says `// YOUR CODE HERE`; delete the `throw` line below it.
//
// Run the test cell under each answer to see how you are doing, or `await check("q1")` in any
// cell to run a question's tests again. `await check.all()` runs every question whose test cell
// has run. The tests you see are not all of them: a few more are run when your work is graded.
//
// | question | topic | points |
// |---|---|---|
// | q1 | sigmoid | 2 |
// | q2 | binary cross-entropy cost | 2 |
// | q3 | vectorised gradient | 3 |
// | q4 | gradient-descent training loop | 2 |
// | q5 | chart of the cost | 1 |

// %% id="setup" nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
// The data: two clouds of points in the plane with labels 0 and 1 (examples in rows).
const blobSet = data.blobs({ samples: 200, centers: [[-1, -1], [1.5, 1]], std: 1, seed: 7 });
const X = blobSet.X.double();                        // [m, 2]
const y = blobSet.y.double().reshape(-1, 1);         // [m, 1]
const m = X.shape[0];
`${m} examples, ${y.sum().item()} of class 1`

// %% [markdown] id="q1-text"
// ## q1 · The sigmoid (2 points)
//
// $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ maps any real number into $(0, 1)$. Write `logistic` for a
// tensor of any shape, elementwise, with tensor ops only (no loops, no `.data()`), so that it
// stays differentiable. It must give 0 and 1 for very negative and very positive inputs, never NaN.

// %% id="q1-answer" nbgrader={"grade": false, "grade_id": "q1-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function logistic(z: Tensor): Tensor {
  // BEGIN SOLUTION
  return z.neg().exp().add(1).reciprocal();
  // END SOLUTION
}

// %% id="q1-tests" nbgrader={"grade": true, "grade_id": "q1", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
await tests("q1", { points: 2 }, () => {
  test("keeps the shape", () => expectShape(logistic(zeros([3, 2])), [3, 2]));
  test("values", () => expectClose(logistic(tensor([0, 2, -2], { dtype: "float64" })), [0.5, 0.8807970779778823, 0.11920292202211755]));
  // BEGIN HIDDEN TESTS
  test("no NaN for large inputs", () => expectClose(logistic(tensor([-1000, 1000], { dtype: "float64" })), [0, 1]));
  // END HIDDEN TESTS
});

// %% [markdown] id="q2-text"
// ## q2 · The cost (2 points)
//
// For predictions $a^{(i)} = \sigma(z^{(i)})$ and labels $y^{(i)} \in \{0, 1\}$ the cost is the mean
// binary cross-entropy
// $J = -\frac{1}{m}\sum_i \big(y^{(i)}\log a^{(i)} + (1 - y^{(i)})\log(1 - a^{(i)})\big)$.
// Write `cost(a, y)` returning a one-element tensor. Clip `a` to $[10^{-12}, 1 - 10^{-12}]$ first so
// that `log` never sees 0.

// %% id="q2-answer" nbgrader={"grade": false, "grade_id": "q2-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function cost(a: Tensor, y: Tensor): Tensor {
  // BEGIN SOLUTION
  const p = a.clip(1e-12, 1 - 1e-12);
  return y.mul(p.log()).add(y.neg().add(1).mul(p.neg().add(1).log())).mean().neg();
  // END SOLUTION
}

// %% id="q2-tests" nbgrader={"grade": true, "grade_id": "q2", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
await tests("q2", { points: 2 }, () => {
  const a = tensor([[0.9], [0.2], [0.6]], { dtype: "float64" });
  const t = tensor([[1], [0], [1]], { dtype: "float64" });
  test("one number", () => expect(cost(a, t).size, "the number of elements of the cost").toBe(1));
  test("value", () => expectClose(cost(a, t), -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6)) / 3));
  // BEGIN HIDDEN TESTS
  test("finite when a prediction is exactly 0 or 1", () => expect(Number.isFinite(cost(tensor([[0], [1]], { dtype: "float64" }), tensor([[1], [0]], { dtype: "float64" })).item()), "whether the cost is finite").toBe(true));
  // END HIDDEN TESTS
});

// %% [markdown] id="q3-text"
// ## q3 · The gradient, vectorised (3 points)
//
// With $a = \sigma(Xw + b)$ the chain rule collapses to $\frac{\partial J}{\partial z} = \frac{1}{m}(a - y)$,
// so $\frac{\partial J}{\partial w} = \frac{1}{m}X^T(a - y)$ (shape of `w`) and
// $\frac{\partial J}{\partial b} = \frac{1}{m}\sum_i (a^{(i)} - y^{(i)})$ (shape of `b`). Compute both without
// autodiff (no `.backward()`, no `grad`): the tests compare them with central differences.

// %% id="q3-answer" nbgrader={"grade": false, "grade_id": "q3-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function gradients(X: Tensor, y: Tensor, w: Tensor, b: Tensor): { dw: Tensor; db: Tensor } {
  // BEGIN SOLUTION
  const a = logistic(X.matmul(w).add(b));
  const dz = a.sub(y).div(X.shape[0]);
  return { dw: X.T.matmul(dz), db: dz.sum(0) };
  // END SOLUTION
}

// %% id="q3-tests" nbgrader={"grade": true, "grade_id": "q3", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
await tests("q3", { points: 3 }, () => {
  const w = tensor([[0.3], [-0.2]], { dtype: "float64" });
  const b = tensor([0.1], { dtype: "float64" });
  const J = (w: Tensor, b: Tensor) => {
    const a = X.matmul(w).add(b).sigmoid().clip(1e-12, 1 - 1e-12);
    return y.mul(a.log()).add(y.neg().add(1).mul(a.neg().add(1).log())).mean().neg();
  };
  test("shapes", () => {
    const g = gradients(X, y, w, b);
    expectShape(g.dw, [2, 1], { what: "dw" });
    expectShape(g.db, [1], { what: "db" });
  });
  test("dw against central differences", () => expectGradClose((w) => J(w, b), [w], { grads: [gradients(X, y, w, b).dw], what: "dw" }), { weight: 2 });
  // BEGIN HIDDEN TESTS
  test("db against central differences", () => expectGradClose((b) => J(w, b), [b], { grads: [gradients(X, y, w, b).db], what: "db" }), { weight: 2 });
  test("no autodiff used", () => expect(gradients(X, y, w, b).dw.requiresGrad, "whether dw is part of an autodiff graph").toBe(false), { weight: 1 });
  // END HIDDEN TESTS
});

// %% [markdown] id="q4-text"
// ## q4 · Training (2 points)
//
// Gradient descent repeats $w \leftarrow w - \alpha\,\frac{\partial J}{\partial w}$ and
// $b \leftarrow b - \alpha\,\frac{\partial J}{\partial b}$. Start from `w = zeros([n, 1])` and `b = zeros([1])`
// (float64), run `iterations` steps with learning rate `lr`, and record the cost **before** each step
// in `costs` (so `costs[0]` is $\log 2$).

// %% id="q4-answer" nbgrader={"grade": false, "grade_id": "q4-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function train(X: Tensor, y: Tensor, lr: number, iterations: number): { w: Tensor; b: Tensor; costs: number[] } {
  // BEGIN SOLUTION
  let w = zeros([X.shape[1], 1], { dtype: "float64" });
  let b = zeros([1], { dtype: "float64" });
  const costs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    costs.push(cost(logistic(X.matmul(w).add(b)), y).item());
    const g = gradients(X, y, w, b);
    w = w.sub(g.dw.mul(lr));
    b = b.sub(g.db.mul(lr));
  }
  return { w, b, costs };
  // END SOLUTION
}

// %% id="q4-tests" nbgrader={"grade": true, "grade_id": "q4", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
await tests("q4", { points: 2 }, () => {
  const run = train(X, y, 0.5, 100);
  test("one cost per iteration, starting at log 2", () => {
    expect(run.costs.length, "costs.length").toBe(100);
    expectClose(run.costs[0], Math.log(2), { what: "costs[0]" });
  });
  test("the cost goes down", () => expect(run.costs[99], "the last cost").toBeLessThan(run.costs[0] - 0.2));
  // BEGIN HIDDEN TESTS
  test("same weights as the reference", () => {
    let w = zeros([2, 1], { dtype: "float64" }), b = zeros([1], { dtype: "float64" });
    for (let i = 0; i < 100; i++) {
      const dz = X.matmul(w).add(b).sigmoid().sub(y).div(m);
      w = w.sub(X.T.matmul(dz).mul(0.5));
      b = b.sub(dz.sum(0).mul(0.5));
    }
    expectClose(run.w, w, { atol: 1e-6, what: "w after 100 steps" });
  }, { weight: 2 });
  // END HIDDEN TESTS
});

// %% [markdown] id="q5-text"
// ## q5 · The cost curve (1 point)
//
// Write `costChart(costs)` returning `plot.lineChart` of the costs against the iteration number,
// titled "Cost", with the x axis labelled "iteration". The cell after it shows your chart for a
// learning rate of 0.5 and of 0.05: which one is still falling after 100 steps?

// %% id="q5-answer" nbgrader={"grade": false, "grade_id": "q5-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function costChart(costs: number[]): plot.Chart {
  // BEGIN SOLUTION
  return plot.lineChart(costs, { title: "Cost", xLabel: "iteration", yLabel: "J" });
  // END SOLUTION
}

// %% id="q5-tests" nbgrader={"grade": true, "grade_id": "q5", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
await tests("q5", { points: 1 }, () => {
  const costs = [0.69, 0.5, 0.4, 0.35];
  test("a line chart of the costs", () => {
    const c = costChart(costs);
    expect(c, "the chart").toBeInstanceOf(plot.Chart);
    const ys = (c.spec.data as { values: { y: number }[] }).values.map((v) => v.y);
    expectClose(ys, costs, { what: "the chart's y values" });
  });
  test("title and axis", () => {
    const c = costChart(costs);
    expect(c.description.includes('"Cost"'), 'whether the title is "Cost"').toBe(true);
    expect((c.spec.encoding as { x: { title: string } }).x.title, "the x axis title").toBe("iteration");
  });
});

// %% id="chart" nbgrader={"grade": false, "grade_id": "chart", "locked": true, "schema_version": 3, "solution": false, "task": false}
const fast = train(X, y, 0.5, 100), slow = train(X, y, 0.05, 100);
display(costChart(fast.costs));
costChart(slow.costs)
