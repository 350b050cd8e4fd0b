// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="intro"
// # Homework 4 · Adam, by hand
//
// Adam keeps two running averages per parameter: of the gradient (the first moment $m$, momentum)
// and of its square (the second moment $v$, as RMSProp). Both start at 0, so early on they are too
// small; dividing by $1 - \beta^t$ corrects that bias. At step $t = 1, 2, \dots$ with gradient $g$:
//
// $m \leftarrow \beta_1 m + (1 - \beta_1) g,\qquad v \leftarrow \beta_2 v + (1 - \beta_2) g^2$
//
// $\hat m = m / (1 - \beta_1^t),\qquad \hat v = v / (1 - \beta_2^t),\qquad w \leftarrow w - \alpha\, \hat m / (\sqrt{\hat v} + \epsilon)$
//
// You write one step, then a whole run on a curved valley, and compare the path with `optim.Adam`'s.

// %% id="setup" nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
interface AdamState { m: Tensor; v: Tensor; t: number }
interface AdamHyper { lr: number; beta1: number; beta2: number; eps: number }
const hyper: AdamHyper = { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
// A long, narrow valley: the minimum is at (1, 1).
function valley(p: Tensor): Tensor {
  const [a, b] = [p.slice(0, 0, 1), p.slice(0, 1, 2)];
  return a.sub(1).square().add(b.sub(a.square()).square().mul(10)).sum();
}
function gradAt(f: (p: Tensor) => Tensor, p: Tensor): Tensor {
  const q = p.detach().requiresGrad_(true);
  f(q).backward();
  return q.grad!;
}

// %% [markdown] id="q1-text"
// ## q1 · One step (3 points)
//
// `adamStep` returns the new parameter and the new state (`t` one higher); it must not change its
// arguments. Hint: on the very first step, bias correction makes the update exactly
// $\alpha\, g / (|g| + \epsilon)$, about $\alpha$ per coordinate whatever the gradient's size.

// %% id="q1-answer" nbgrader={"grade": false, "grade_id": "q1-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function adamStep(p: Tensor, g: Tensor, s: AdamState, h: AdamHyper): { p: Tensor; state: AdamState } {
  // BEGIN SOLUTION
  const t = s.t + 1;
  const m = s.m.mul(h.beta1).add(g.mul(1 - h.beta1));
  const v = s.v.mul(h.beta2).add(g.square().mul(1 - h.beta2));
  const mHat = m.div(1 - h.beta1 ** t);
  const vHat = v.div(1 - h.beta2 ** t);
  return { p: p.sub(mHat.div(vHat.sqrt().add(h.eps)).mul(h.lr)), state: { m, v, t } };
  // END SOLUTION
}

// %% id="q1-tests" nbgrader={"grade": true, "grade_id": "q1", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
await tests("q1", { points: 3 }, () => {
  const p = tensor([1, -2, 3], { dtype: "float64" });
  const g = tensor([0.001, -50, 2], { dtype: "float64" });
  const s0: AdamState = { m: zeros([3], { dtype: "float64" }), v: zeros([3], { dtype: "float64" }), t: 0 };
  test("the first step moves each coordinate by lr", () => expectClose(adamStep(p, g, s0, hyper).p, [1 - 0.05, -2 + 0.05, 3 - 0.05], { rtol: 1e-6 }));
  test("the state after one step", () => {
    const { state } = adamStep(p, g, s0, hyper);
    expect(state.t, "state.t").toBe(1);
    expectClose(state.m, g.mul(0.1), { what: "m" });
    expectClose(state.v, g.square().mul(0.001), { what: "v" });
  });
  // BEGIN HIDDEN TESTS
  test("the second step", () => {
    const one = adamStep(p, g, s0, hyper);
    const two = adamStep(one.p, g.mul(-1), one.state, hyper);
    const m = g.mul(0.1 * 0.9).sub(g.mul(0.1)), v = g.square().mul(0.001 * 0.999 + 0.001);
    const want = one.p.sub(m.div(1 - 0.81).div(v.div(1 - 0.999 ** 2).sqrt().add(1e-8)).mul(0.05));
    expectClose(two.p, want, { what: "p after two steps" });
  }, { weight: 2 });
  // END HIDDEN TESTS
});

// %% [markdown] id="q2-text"
// ## q2 · A whole run, against `optim.Adam` (3 points)
//
// Starting at `p0`, take `steps` steps on `f` (use `gradAt(f, p)` for the gradient) and return the
// path: the position before the first step, then after each step (`steps + 1` tensors).

// %% id="q2-answer" nbgrader={"grade": false, "grade_id": "q2-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function adamPath(f: (p: Tensor) => Tensor, p0: Tensor, steps: number, h: AdamHyper): Tensor[] {
  // BEGIN SOLUTION
  let p = p0;
  let state: AdamState = { m: zerosLike(p0), v: zerosLike(p0), t: 0 };
  const path = [p];
  for (let i = 0; i < steps; i++) {
    const r = adamStep(p, gradAt(f, p), state, h);
    p = r.p;
    state = r.state;
    path.push(p);
  }
  return path;
  // END SOLUTION
}

// %% id="q2-tests" nbgrader={"grade": true, "grade_id": "q2", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
await tests("q2", { points: 3 }, () => {
  const p0 = tensor([-1, 2], { dtype: "float64" });
  const reference = (steps: number) => {
    const q = p0.clone().requiresGrad_(true);
    const opt = new optim.Adam([q], { lr: hyper.lr, betas: [hyper.beta1, hyper.beta2], eps: hyper.eps });
    const out = [q.detach().clone()];
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      valley(q).backward();
      opt.step();
      out.push(q.detach().clone());
    }
    return out;
  };
  test("length of the path", () => expect(adamPath(valley, p0, 10, hyper).length, "the path's length").toBe(11));
  test("the first 10 steps match optim.Adam", () => expectClose(stack(adamPath(valley, p0, 10, hyper)), stack(reference(10))));
  // BEGIN HIDDEN TESTS
  test("300 steps match optim.Adam", () => expectClose(stack(adamPath(valley, p0, 300, hyper)), stack(reference(300)), { atol: 1e-6, rtol: 1e-5 }));
  // END HIDDEN TESTS
});

// %% [markdown] id="q3-text"
// ## q3 · The path, drawn (1 point)
//
// Return a `plot.lineChart` with one series per coordinate (named "a" and "b"), x axis "step".
// Watch the second coordinate overshoot and settle: momentum at work.

// %% id="q3-answer" nbgrader={"grade": false, "grade_id": "q3-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
function pathChart(path: Tensor[]): plot.Chart {
  // BEGIN SOLUTION
  return plot.lineChart({ a: path.map((p) => p.get(0)), b: path.map((p) => p.get(1)) }, { title: "Adam's path", xLabel: "step", yLabel: "value" });
  // END SOLUTION
}

// %% id="q3-tests" nbgrader={"grade": true, "grade_id": "q3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
await tests("q3", { points: 1 }, () => {
  test("two series over the steps", () => {
    const path = [tensor([0, 1]), tensor([0.5, 0.8]), tensor([1, 1])];
    const c = pathChart(path);
    const vals = (c.spec.data as { values: { x: number; y: number; series: string }[] }).values;
    expectClose(vals.filter((v) => v.series === "a").map((v) => v.y), [0, 0.5, 1], { what: "series a" });
    expectClose(vals.filter((v) => v.series === "b").map((v) => v.y), [1, 0.8, 1], { what: "series b" });
  });
});

// %% id="chart" nbgrader={"grade": false, "grade_id": "chart", "locked": true, "schema_version": 3, "solution": false, "task": false}
pathChart(adamPath(valley, tensor([-1, 2], { dtype: "float64" }), 300, hyper))
