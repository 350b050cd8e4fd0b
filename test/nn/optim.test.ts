/** Optimizer trajectories, schedules and clipping against PyTorch (test/fixtures/nn_optim.json). */
import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "../../lib/index";
import * as optim from "../../lib/optim";
import { expectClose, fixture } from "./helpers";

const F = fixture("nn_optim.json");

/** The fixture's objective: |A·w + b − t|² + 0.1·Σw⁴. */
function objective(w: Tensor, b: Tensor): Tensor {
  const A = tensor([[1, 2, -1], [0.5, -1, 3]]);
  const r = A.matmul(w).add(b).sub(tensor([1, -2]));
  return r.square().sum().add(w.pow(4).sum().mul(0.1));
}

const make: Record<string, (ps: Tensor[], o: any) => optim.Optimizer> = {
  sgd: (ps, o) => new optim.SGD(ps, o),
  sgd_momentum: (ps, o) => new optim.SGD(ps, o),
  sgd_nesterov: (ps, o) => new optim.SGD(ps, o),
  sgd_weight_decay: (ps, o) => new optim.SGD(ps, { lr: o.lr, momentum: o.momentum, weightDecay: o.weight_decay }),
  adagrad: (ps, o) => new optim.Adagrad(ps, o),
  rmsprop: (ps, o) => new optim.RMSProp(ps, o),
  rmsprop_momentum: (ps, o) => new optim.RMSProp(ps, o),
  adam: (ps, o) => new optim.Adam(ps, o),
  adam_weight_decay: (ps, o) => new optim.Adam(ps, { lr: o.lr, betas: o.betas, weightDecay: o.weight_decay }),
  adamw: (ps, o) => new optim.AdamW(ps, { lr: o.lr, weightDecay: o.weight_decay }),
  adam_amsgrad: (ps, o) => new optim.Adam(ps, { lr: o.lr, amsgrad: o.amsgrad }),
  adagrad_decay: (ps, o) => new optim.Adagrad(ps, { lr: o.lr, lrDecay: o.lr_decay, weightDecay: o.weight_decay }),
  rmsprop_centered: (ps, o) => new optim.RMSProp(ps, { lr: o.lr, alpha: o.alpha, centered: o.centered, weightDecay: o.weight_decay }),
};

describe("optimizers follow PyTorch's 10-step trajectories", () => {
  for (const [name, f] of Object.entries<any>(F.optimizers)) {
    it(name, () => {
      const w = tensor(f.init.w, { dtype: "float64" }).requiresGrad_(true);
      const b = tensor(f.init.b, { dtype: "float64" }).requiresGrad_(true);
      const opt = make[name]([w, b], f.options);
      f.trajectory.forEach((want: { w: number[]; b: number[] }, step: number) => {
        opt.zeroGrad();
        objective(w, b).backward();
        opt.step();
        expectClose(w, want.w, `${name} w after step ${step + 1}`, 1e-9, 1e-7);
        expectClose(b, want.b, `${name} b after step ${step + 1}`, 1e-9, 1e-7);
      });
    });
  }

  it("hyperparameters are checked with a message naming the bad one", () => {
    const p = [tensor([1.0]).requiresGrad_(true)];
    expect(() => new optim.SGD(p, { lr: -1 })).toThrow("SGD: invalid learning rate: -1");
    expect(() => new optim.SGD(p, { momentum: -0.5 })).toThrow("SGD: invalid momentum value: -0.5");
    expect(() => new optim.SGD(p, { nesterov: true })).toThrow(/Nesterov momentum requires a momentum > 0/);
    expect(() => new optim.Adam(p, { betas: [1.0, 0.999] })).toThrow("Adam: invalid beta parameter at index 0: 1");
    expect(() => new optim.AdamW(p, { eps: -1 })).toThrow("AdamW: invalid epsilon value: -1");
    expect(() => new optim.RMSProp(p, { alpha: 2 })).toThrow("RMSProp: invalid alpha value: 2");
    expect(() => new optim.Adagrad(p, { weightDecay: -1 })).toThrow("Adagrad: invalid weight_decay value: -1");
    expect(() => new optim.Adam([])).toThrow(/Adam: got an empty parameter list/);
    expect(() => new optim.SGD([tensor([1.0])])).toThrow(/does not require grad/);
  });
});

describe("learning-rate schedules", () => {
  const opt = () => new optim.SGD([tensor([0.0]).requiresGrad_(true)], { lr: 0.1 });
  const run = (s: optim.LRScheduler, n = 12) => {
    const lrs: number[] = [];
    for (let i = 0; i < n; i++) {
      lrs.push(s.optimizer.lr);
      s.step();
    }
    return lrs;
  };
  const close = (got: number[], want: number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 10));

  it("StepLR matches PyTorch", () => close(run(new optim.StepLR(opt(), { stepSize: 3, gamma: 0.5 })), F.schedules.step.lrs));
  it("ExponentialLR matches PyTorch, and k gives α₀e^(−kt)", () => {
    close(run(new optim.ExponentialLR(opt(), { gamma: 0.9 })), F.schedules.exponential.lrs);
    const s = new optim.ExponentialLR(opt(), { k: 0.5 });
    s.step();
    s.step();
    expect(s.lr).toBeCloseTo(0.1 * Math.exp(-1), 12);
  });
  it("CosineAnnealingLR matches PyTorch", () => close(run(new optim.CosineAnnealingLR(opt(), { tMax: 10 })), F.schedules.cosine.lrs));
  it("LinearLR matches PyTorch (α₀(1 − t/T))", () => close(run(new optim.LinearLR(opt(), { totalIters: 10 })), F.schedules.linear.lrs));
  it("inverse square root and 1/t follow the notes' formulas", () => {
    close(run(new optim.InverseSqrtLR(opt()), 4), [0.1, 0.1 / Math.SQRT2, 0.1 / Math.sqrt(3), 0.05]);
    close(run(new optim.InverseTimeLR(opt(), { k: 0.5 }), 3), [0.1, 0.1 / 1.5, 0.05]);
  });
  it("ReduceLROnPlateau matches PyTorch", () => {
    const f = F.schedules.plateau;
    const s = new optim.ReduceLROnPlateau(opt(), { factor: 0.5, patience: 1 });
    close(f.metrics.map((m: number) => s.step(m)), f.lrs);
  });
  it("schedule arguments are checked", () => {
    expect(() => new optim.StepLR(opt(), { stepSize: 0 })).toThrow("StepLR: invalid stepSize: 0");
    expect(() => new optim.ExponentialLR(opt(), {})).toThrow(/exactly one of gamma/);
  });
});

describe("gradient clipping", () => {
  const setup = (grads: number[][]) =>
    grads.map((g) => {
      const p = tensor(g.map(() => 0)).requiresGrad_(true);
      p.grad = tensor(g);
      return p;
    });
  const flatGrads = (f: any) => f.grads.map((g: any) => g.flat());

  it("clipGradNorm rescales to maxNorm and returns the norm (PyTorch)", () => {
    const f = F.clipNorm;
    const ps = setup(flatGrads(f));
    expect(optim.clipGradNorm(ps, f.maxNorm)).toBeCloseTo(f.totalNorm, 5);
    ps.forEach((p, i) => expectClose(p.grad, f.clipped[i].flat(), `clipped grad ${i}`, 1e-6));
  });

  it("clipGradValue clamps elements (PyTorch)", () => {
    const f = F.clipValue;
    const ps = setup(flatGrads(f));
    optim.clipGradValue(ps, f.clipValue);
    ps.forEach((p, i) => expectClose(p.grad, f.clipped[i].flat(), `clipped grad ${i}`, 1e-6));
  });

  it("an optimizer's clipNorm option clips before stepping", () => {
    const p = tensor([0.0, 0.0]).requiresGrad_(true);
    const opt = new optim.SGD([p], { lr: 1, clipNorm: 1 });
    p.grad = tensor([3, 4]);
    opt.step();
    expectClose(p, [-0.6, -0.8], "clipped step", 1e-5);
  });
});
