/**
 * The fused optimizer update (Backend.optimizerStep) against the composed-op update it
 * replaces, for every option combination, over several steps, in float64 and float32; every
 * backend against js; PyTorch's trajectories (test/fixtures/nn_optim.json) on each backend, fused
 * and composed; and the fallbacks (views, a backend without the kernel) and the addon's checks.
 * The CUDA kernels run the same cases through test/cuda (cases.ts, on the emulator and a GPU).
 */
import { describe, expect, it } from "vitest";
import type { Backend, DType, DeviceName, OptimizerStep } from "../../lib/backend";
import { Tensor, tensor } from "../../lib/index";
import { getEngine } from "../../lib/engine";
import * as optim from "../../lib/optim";
import { fixture } from "./helpers";
import { cpu, js } from "../native/common";
import { runAgainst } from "../cuda/cases";

const devices: DeviceName[] = cpu ? ["js", "cpu"] : ["js"];

type Make = (ps: Tensor[], fused: boolean) => optim.Optimizer;

/** Every option combination of every optimizer that has a fused kernel. */
function configs(): [string, Make][] {
  const out: [string, Make][] = [];
  for (const momentum of [0, 0.9]) {
    for (const dampening of momentum ? [0, 0.3] : [0]) {
      for (const nesterov of momentum && !dampening ? [false, true] : [false]) {
        for (const weightDecay of [0, 0.1]) {
          out.push([`SGD momentum ${momentum} dampening ${dampening} nesterov ${nesterov} wd ${weightDecay}`,
            (ps, fused) => new optim.SGD(ps, { lr: 0.05, momentum, dampening, nesterov, weightDecay, fused })]);
        }
      }
    }
  }
  for (const Cls of [optim.Adam, optim.AdamW]) {
    for (const weightDecay of [0, 0.1]) {
      for (const amsgrad of [false, true]) {
        for (const betas of [[0.9, 0.999], [0.8, 0.99]] as [number, number][]) {
          out.push([`${Cls.name} wd ${weightDecay} amsgrad ${amsgrad} betas ${betas}`,
            (ps, fused) => new Cls(ps, { lr: 0.01, weightDecay, amsgrad, betas, fused })]);
        }
      }
    }
  }
  for (const centered of [false, true]) {
    for (const momentum of [0, 0.5]) {
      for (const weightDecay of [0, 0.05]) {
        out.push([`RMSProp centered ${centered} momentum ${momentum} wd ${weightDecay}`,
          (ps, fused) => new optim.RMSProp(ps, { lr: 0.01, alpha: 0.9, centered, momentum, weightDecay, fused })]);
      }
    }
  }
  for (const lrDecay of [0, 0.05]) {
    for (const weightDecay of [0, 0.1]) {
      for (const initialAccumulatorValue of [0, 0.1]) {
        out.push([`Adagrad lrDecay ${lrDecay} wd ${weightDecay} init ${initialAccumulatorValue}`,
          (ps, fused) => new optim.Adagrad(ps, { lr: 0.1, lrDecay, weightDecay, initialAccumulatorValue, fused })]);
      }
    }
  }
  return out;
}

/** Deterministic values in [lo, hi). */
function values(n: number, seed: number, lo = -2, hi = 2): number[] {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + ((hi - lo) * s) / 4294967296);
  }
  return out;
}

const SHAPES = [[7, 5], [13], [1]];
const STEPS = 5;

/** Counts the backend's fused calls while fn runs (so a test knows which path it checked). */
function countFused<T>(be: Backend, fn: () => T): { result: T; calls: number } {
  const orig = be.optimizerStep!;
  let calls = 0;
  (be as { optimizerStep?: Backend["optimizerStep"] }).optimizerStep = (...a) => { calls++; orig.apply(be, a); };
  try {
    return { result: fn(), calls };
  } finally {
    (be as { optimizerStep?: Backend["optimizerStep"] }).optimizerStep = orig;
  }
}

interface Run { params: number[][]; state: number[][] }

/**
 * STEPS updates from fixed parameters and gradients (the same on every path, so float32
 * trajectories cannot drift apart through their gradients); returns every parameter and
 * every state tensor after each step.
 */
function run(make: Make, device: DeviceName, dtype: DType, fused: boolean): Run & { calls: number } {
  const ps = SHAPES.map((s, i) => tensor(values(s.reduce((a, b) => a * b, 1), 10 + i), { dtype, device }).reshape(s).detach().requiresGrad_(true));
  const opt = make(ps, fused);
  const out: Run = { params: [], state: [] };
  const { calls } = countFused(getEngine().backend(device), () => {
    for (let step = 0; step < STEPS; step++) {
      ps.forEach((p, i) => { p.grad = tensor(values(p.size, 100 * step + i, -3, 3), { dtype, device }).reshape(p.shape); });
      opt.step();
      for (const p of ps) out.params.push(Array.from(p.data()));
      for (const p of ps) {
        const s = (opt as unknown as { state: Map<Tensor, Record<string, Tensor>> }).state.get(p)!;
        for (const k of Object.keys(s).sort()) out.state.push([...Array.from(s[k].data())]);
      }
    }
  });
  return { ...out, calls };
}

function expectNear(got: number[][], want: number[][], what: string, rtol: number, atol: number): void {
  expect(got.length, `${what}: count`).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    for (let i = 0; i < want[k].length; i++) {
      const g = got[k][i], w = want[k][i];
      const ok = Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= atol + rtol * Math.abs(w);
      if (!ok) expect.fail(`${what}: tensor ${k} element ${i} is ${g}, expected ${w}`);
    }
  }
}

const TOL: Record<string, [number, number]> = { float64: [1e-13, 1e-14], float32: [2e-5, 2e-6] };

describe("the fused update equals the composed ops it replaces", () => {
  for (const device of devices) {
    for (const dtype of ["float64", "float32"] as DType[]) {
      it(`${device} ${dtype}: every optimizer and option combination, ${STEPS} steps`, () => {
        const [rtol, atol] = TOL[dtype];
        for (const [name, make] of configs()) {
          const fused = run(make, device, dtype, true);
          const composed = run(make, device, dtype, false);
          expect(fused.calls, `${name}: fused kernel calls`).toBe(STEPS * SHAPES.length);
          expect(composed.calls, `${name}: fused: false must not call the kernel`).toBe(0);
          expectNear(fused.params, composed.params, `${device} ${dtype} ${name} parameters`, rtol, atol);
          expectNear(fused.state, composed.state, `${device} ${dtype} ${name} state`, rtol, atol);
        }
      });
    }
  }

  it("float64 on js is the composed ops to the last bit", () => {
    for (const [name, make] of configs()) {
      const fused = run(make, "js", "float64", true), composed = run(make, "js", "float64", false);
      expect(fused.params, name).toEqual(composed.params);
      expect(fused.state, name).toEqual(composed.state);
    }
  });
});

describe.skipIf(!cpu)("every backend's fused update against js", () => {
  for (const dtype of ["float64", "float32"] as DType[]) {
    it(`cpu ${dtype}`, () => {
      const [rtol, atol] = TOL[dtype];
      for (const [name, make] of configs()) {
        const want = run(make, "js", dtype, true), got = run(make, "cpu", dtype, true);
        expect(got.calls, name).toBe(STEPS * SHAPES.length);
        expectNear(got.params, want.params, `cpu ${dtype} ${name} parameters`, rtol, atol);
        expectNear(got.state, want.state, `cpu ${dtype} ${name} state`, rtol, atol);
      }
    });
  }

  it("the backend cases (test/cuda/cases.ts, which the CUDA kernels run too) match js on cpu", () => {
    const results = runAgainst(cpu!, js, /^optimizerStep/);
    expect(results.length).toBe(36);
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
  });

  it("a parameter large enough for the thread pool matches js (float32, 100,000 elements)", () => {
    const n = 100_000;
    const mk = (device: DeviceName) => {
      const p = tensor(values(n, 1), { device }).requiresGrad_(true);
      const opt = new optim.Adam([p], { lr: 0.01, amsgrad: true, weightDecay: 0.01 });
      for (let s = 0; s < 3; s++) { p.grad = tensor(values(n, 2 + s, -3, 3), { device }); opt.step(); }
      return Array.from(p.data());
    };
    expectNear([mk("cpu")], [mk("js")], "Adam over 100,000 elements", 2e-5, 2e-6);
  });

  it("the addon refuses mismatched buffers with a message instead of writing past one", () => {
    const be = cpu!;
    const step: OptimizerStep = { kind: "adam", lr: 0.1, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const p = be.fill(10, 1, "float32"), g = be.fill(9, 1, "float32"), m = be.fill(10, 0, "float32"), v = be.fill(10, 0, "float32");
    expect(() => be.optimizerStep!(p, g, [m, v, null], step)).toThrow(/optimizerStep: the gradient has 9 elements/);
    const g64 = be.fill(10, 1, "float64");
    expect(() => be.optimizerStep!(p, g64, [m, v, null], step)).toThrow(/optimizerStep: the gradient .* dtype code 1/);
    expect(() => be.optimizerStep!(p, be.fill(10, 1, "float32"), [m, null, null], step)).toThrow(/a state buffer the update needs is missing/);
  });
});

describe("PyTorch's trajectories (nn_optim.json) on every backend, fused and composed", () => {
  const F = fixture("nn_optim.json");
  const make: Record<string, (ps: Tensor[], o: any, fused: boolean) => optim.Optimizer> = {
    sgd: (ps, o, fused) => new optim.SGD(ps, { ...o, fused }),
    sgd_momentum: (ps, o, fused) => new optim.SGD(ps, { ...o, fused }),
    sgd_nesterov: (ps, o, fused) => new optim.SGD(ps, { ...o, fused }),
    sgd_weight_decay: (ps, o, fused) => new optim.SGD(ps, { lr: o.lr, momentum: o.momentum, weightDecay: o.weight_decay, fused }),
    adagrad: (ps, o, fused) => new optim.Adagrad(ps, { ...o, fused }),
    rmsprop: (ps, o, fused) => new optim.RMSProp(ps, { ...o, fused }),
    rmsprop_momentum: (ps, o, fused) => new optim.RMSProp(ps, { ...o, fused }),
    adam: (ps, o, fused) => new optim.Adam(ps, { ...o, fused }),
    adam_weight_decay: (ps, o, fused) => new optim.Adam(ps, { lr: o.lr, betas: o.betas, weightDecay: o.weight_decay, fused }),
    adamw: (ps, o, fused) => new optim.AdamW(ps, { lr: o.lr, weightDecay: o.weight_decay, fused }),
    adam_amsgrad: (ps, o, fused) => new optim.Adam(ps, { lr: o.lr, amsgrad: o.amsgrad, fused }),
    adagrad_decay: (ps, o, fused) => new optim.Adagrad(ps, { lr: o.lr, lrDecay: o.lr_decay, weightDecay: o.weight_decay, fused }),
    rmsprop_centered: (ps, o, fused) => new optim.RMSProp(ps, { lr: o.lr, alpha: o.alpha, centered: o.centered, weightDecay: o.weight_decay, fused }),
  };
  for (const device of devices) {
    for (const fused of [true, false]) {
      it(`${device}, fused ${fused}`, () => {
        const opts = { dtype: "float64" as const, device };
        const A = tensor([[1, 2, -1], [0.5, -1, 3]], opts), t = tensor([1, -2], opts);
        for (const [name, f] of Object.entries<any>(F.optimizers)) {
          const w = tensor(f.init.w, opts).requiresGrad_(true), b = tensor(f.init.b, opts).requiresGrad_(true);
          const opt = make[name]([w, b], f.options, fused);
          const { calls } = countFused(getEngine().backend(device), () => {
            f.trajectory.forEach((want: { w: number[]; b: number[] }, step: number) => {
              opt.zeroGrad();
              const r = A.matmul(w).add(b).sub(t);
              r.square().sum().add(w.pow(4).sum().mul(0.1)).backward();
              opt.step();
              expectNear([Array.from(w.data()), Array.from(b.data())], [want.w.flat(), want.b.flat()], `${name} step ${step + 1}`, 1e-7, 1e-9);
            });
          });
          expect(calls, name).toBe(fused ? 2 * f.trajectory.length : 0);
        }
      });
    }
  }
});

describe("where the fused kernel does not apply, the composed update runs", () => {
  it("a non-contiguous parameter (a transposed view) steps like its contiguous copy", () => {
    for (const device of devices) {
      const base = tensor(values(12, 3), { dtype: "float64", device }).reshape([3, 4]);
      const view = base.T.detach().requiresGrad_(true);
      const copy = base.T.contiguous().detach().requiresGrad_(true);
      expect(view.isContiguous()).toBe(false);
      const opts = { lr: 0.01, amsgrad: true };
      const o1 = new optim.Adam([view], opts), o2 = new optim.Adam([copy], opts);
      const { calls } = countFused(getEngine().backend(device), () => {
        for (let s = 0; s < 3; s++) {
          const g = tensor(values(12, 7 + s), { dtype: "float64", device }).reshape([4, 3]);
          view.grad = g;
          o1.step();
          copy.grad = g.clone();
          o2.step();
        }
      });
      expect(calls).toBe(3); // only the contiguous copy went through the kernel
      expectNear([Array.from(view.data())], [Array.from(copy.data())], `${device} view vs copy`, 1e-13, 1e-14);
      // The view wrote through to its base.
      expectNear([Array.from(base.T.data())], [Array.from(view.data())], `${device} base`, 0, 0);
    }
  });

  it("a backend without the kernel (a js backend under another name) composes the update", () => {
    const be = getEngine().backend("js");
    const saved = be.optimizerStep;
    (be as { optimizerStep?: unknown }).optimizerStep = undefined;
    try {
      const p = tensor([1, 2, 3], { dtype: "float64" }).requiresGrad_(true);
      const q = tensor([1, 2, 3], { dtype: "float64" }).requiresGrad_(true);
      const o1 = new optim.RMSProp([p], { lr: 0.1, momentum: 0.5, centered: true });
      const o2 = new optim.RMSProp([q], { lr: 0.1, momentum: 0.5, centered: true });
      p.grad = tensor([0.5, -1, 2], { dtype: "float64" });
      o1.step();
      (be as { optimizerStep?: unknown }).optimizerStep = saved;
      q.grad = tensor([0.5, -1, 2], { dtype: "float64" });
      o2.step();
      expect(Array.from(p.data())).toEqual(Array.from(q.data()));
    } finally {
      (be as { optimizerStep?: unknown }).optimizerStep = saved;
    }
  });

  it("an in-place step bumps the parameter's version, so a graph that saved it refuses to backpropagate", () => {
    for (const device of devices) {
      const p = tensor([1, 2], { device }).requiresGrad_(true);
      const y = p.mul(p).sum(); // saves p
      const opt = new optim.SGD([p], { lr: 0.1 });
      p.grad = tensor([1, 1], { device });
      opt.step();
      expect(() => y.backward()).toThrow(/modified by an in-place operation/);
    }
  });

  it("fused must be a boolean", () => {
    const p = [tensor([1.0]).requiresGrad_(true)];
    expect(() => new optim.Adam(p, { fused: "yes" as unknown as boolean })).toThrow("Adam: invalid fused: yes (must be true or false)");
  });
});
