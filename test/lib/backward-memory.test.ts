// The lean backward pass and storage lifecycle: intermediate gradients are freed during
// backward, repeated slices accumulate into one buffer, tensors made and disposed inside a
// tidy scope never enter the FinalizationRegistry, and those that leave it still get freed
// by the collector.
import { describe, expect, it } from "vitest";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import * as gb from "../../lib";
import { Engine, tensor, withEngine, type Tensor } from "../../lib";

function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

const tracked = (): Engine => new Engine({ defaultDevice: "js", trackJs: true });

async function collectUntil(e: Engine, done: () => boolean): Promise<void> {
  const gc = collector();
  for (let i = 0; i < 30 && !done(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  void e;
}

describe("backward frees its intermediates", () => {
  it("leaves only the new .grad alive after backward outside tidy", () => {
    withEngine(tracked(), () => {
      const x = tensor([0.5, -1, 2], { requiresGrad: true });
      const loss = x.mul(x).tanh().mul(3).sigmoid().sum();
      const before = gb.memory().js!.tensors;
      loss.backward();
      // One storage more: x.grad. Every gradient of the intermediate nodes was disposed.
      expect(gb.memory().js!.tensors - before).toBe(1);
      const xv = [0.5, -1, 2];
      const expected = xv.map((v) => {
        const t = Math.tanh(v * v), s = 1 / (1 + Math.exp(-3 * t));
        return s * (1 - s) * 3 * (1 - t * t) * 2 * v;
      });
      Array.from(x.grad!.data()).forEach((g, i) => expect(g).toBeCloseTo(expected[i], 5));
    });
  });

  it("gives each leaf its own gradient when one gradient flows to several leaves", () => {
    withEngine(tracked(), () => {
      const a = tensor([1, 2], { requiresGrad: true });
      const b = tensor([3, 4], { requiresGrad: true });
      a.add(b).sum().backward();
      expect(a.grad).not.toBe(b.grad);
      a.grad!.addInPlace(tensor([10, 10]));
      expect(Array.from(b.grad!.data())).toEqual([1, 1]);
      expect(Array.from(a.grad!.data())).toEqual([11, 11]);
      // A second pass accumulates into the existing gradients.
      a.mul(b).sum().backward();
      expect(Array.from(a.grad!.data())).toEqual([14, 15]);
      expect(Array.from(b.grad!.data())).toEqual([2, 3]);
    });
  });

  it("returns gradients through grad() that stay usable after the pass", () => {
    withEngine(tracked(), () => {
      const df = gb.grad((x: Tensor) => x.mul(x).add(x).sum());
      const [g] = df(tensor([1, 2, 3]));
      expect(Array.from(g.data())).toEqual([3, 5, 7]);
    });
  });
});

describe("slice gradients accumulate into one buffer", () => {
  it("sums many (overlapping, strided) slices of one tensor correctly", () => {
    withEngine(tracked(), () => {
      const T = 6;
      const x = tensor(Array.from({ length: T * 2 }, (_, i) => i / 10), { shape: [T, 2], requiresGrad: true });
      let acc = x.slice(0, 0, 4, 2).sum().mul(5);                 // rows 0 and 2, weight 5
      for (let t = 0; t < T; t++) acc = acc.add(x.slice(0, t, t + 1).mul(t + 1).sum());
      acc = acc.add(x.reshape(T * 2).slice(0, 1, 12, 3).sum());    // through a reshape, flat 1, 4, 7, 10
      acc.backward();
      const expected = new Array<number>(T * 2).fill(0);
      for (let t = 0; t < T; t++) { expected[2 * t] += t + 1; expected[2 * t + 1] += t + 1; }
      for (const r of [0, 2]) { expected[2 * r] += 5; expected[2 * r + 1] += 5; }
      for (const k of [1, 4, 7, 10]) expected[k] += 1;
      expect(Array.from(x.grad!.data())).toEqual(expected);
    });
  });

  it("matches the embedding gradient under createGraph (second derivatives)", () => {
    withEngine(tracked(), () => {
      const x = tensor([1, 2, 3, 4], { requiresGrad: true });
      const y = x.slice(0, 0, 2).pow(3).sum().add(x.slice(0, 1, 4).pow(2).sum());
      const [g] = gb.backward(y, { inputs: [x], createGraph: true });
      expect(Array.from(g.data())).toEqual([3, 12 + 4, 6, 8]);
      g.sum().backward();
      expect(Array.from(x.grad!.data())).toEqual([6, 12 + 2, 2, 2]);
    });
  });

  it("runs a recurrent loop over time slices of a projection with the right weight gradient", () => {
    withEngine(tracked(), () => {
      const T = 5, B = 2, H = 3;
      const W = tensor(Array.from({ length: 4 * H }, (_, i) => Math.sin(i)), { shape: [4, H], requiresGrad: true });
      const X = tensor(Array.from({ length: T * B * 4 }, (_, i) => Math.cos(i)), { shape: [T * B, 4] });
      const run = (slices: boolean): Tensor => {
        const P = X.matmul(W).reshape(T, B, H);
        let h = gb.zeros([B, H]);
        for (let t = 0; t < T; t++) {
          const p = slices ? P.slice(0, t, t + 1).reshape(B, H) : X.slice(0, t * B, (t + 1) * B).matmul(W);
          h = p.add(h).tanh();
        }
        return h.sum();
      };
      run(true).backward();
      const viaSlices = Array.from(W.grad!.data());
      W.zeroGrad();
      run(false).backward();
      const direct = Array.from(W.grad!.data());
      viaSlices.forEach((v, i) => expect(v).toBeCloseTo(direct[i], 5));
    });
  });
});

describe("registration for garbage collection", () => {
  it("a tensor that leaves a tidy scope is still freed when collected", async () => {
    const e = tracked();
    withEngine(e, () => {
      for (let i = 0; i < 40; i++) gb.tidy(() => gb.ones([100]).mul(2));
    });
    expect(e.memory().js!.tensors).toBe(40);
    await collectUntil(e, () => e.memory().js!.tensors <= 5);
    expect(e.memory().js!.tensors).toBeLessThanOrEqual(5);
  });

  it("tensors left behind by a throwing tidy are freed when collected", async () => {
    const e = tracked();
    withEngine(e, () => {
      for (let i = 0; i < 40; i++) {
        expect(() => gb.tidy(() => { gb.ones([100]).mul(2); throw new Error("boom"); })).toThrow("boom");
      }
    });
    expect(e.memory().js!.tensors).toBe(80);
    await collectUntil(e, () => e.memory().js!.tensors <= 5);
    expect(e.memory().js!.tensors).toBeLessThanOrEqual(5);
  });

  it("gradients made by backward inside tidy are freed with their tensors once collected", async () => {
    const e = tracked();
    withEngine(e, () => {
      for (let i = 0; i < 20; i++) {
        gb.tidy(() => {
          const x = gb.keep(tensor([1, 2, 3], { requiresGrad: true }));
          x.mul(x).sum().backward();
          return 0;
        });
      }
    });
    // Each x and its .grad survive the scope (x is kept), until collected.
    expect(e.memory().js!.tensors).toBe(40);
    await collectUntil(e, () => e.memory().js!.tensors <= 5);
    expect(e.memory().js!.tensors).toBeLessThanOrEqual(5);
  });
});
