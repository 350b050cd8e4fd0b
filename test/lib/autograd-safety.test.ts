/**
 * Autodiff never returns a silently wrong gradient: in-place edits of saved tensors, a second
 * backward through a released graph, accumulation after createGraph, option objects and
 * zeroGrad behave as in PyTorch 1.13 (expected values computed with it).
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { Engine, noGrad, setEngine, tensor } from "../../lib";

beforeAll(() => {
  setEngine(new Engine({ defaultDevice: "js" }));
});

const close = (a: unknown, b: number[][] | number[], digits = 4): void => {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const x = flat(a), y = flat(b);
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(v).toBeCloseTo(y[i], digits));
};

describe("in-place edits of tensors a backward needs", () => {
  it("refuses a changed output saved by exp (PyTorch raises too)", () => {
    const x = tensor([0, 1], { requiresGrad: true });
    const y = x.exp();
    noGrad(() => y.addInPlace(10));
    expect(() => y.sum().backward()).toThrow(/backward: one of the tensors needed for the gradient has been modified by an in-place operation: its output \(shape \[2\], float32\) of ExpBackward is at version 1; expected version 0/);
    expect(x.grad).toBeNull();
  });

  it("refuses a changed input saved by square", () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.square();
    noGrad(() => x.addInPlace(1));
    expect(() => y.sum().backward()).toThrow(/its input 0 \(shape \[1\], float32\) of PowBackward is at version 1; expected version 0/);
  });

  it("sees writes through a view of the saved tensor (one counter per storage)", () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const y = x.mul(x);
    noGrad(() => x.slice(0, 1, 2).assign(7));
    expect(() => y.sum().backward()).toThrow(/MulBackward is at version 1/);
  });

  it("lets ops that read nothing through, as PyTorch does (add, reshape, sum)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.add(1).reshape([2, 1]).sum();
    noGrad(() => x.addInPlace(5));
    y.backward();
    expect(x.grad!.toArray()).toEqual([1, 1]);
  });

  it("accepts writes made before the op ran (an optimizer step between iterations)", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.mul(w).sum().backward();
    noGrad(() => w.addInPlace(w.grad!, -0.5));
    w.zeroGrad();
    w.mul(w).sum().backward();
    expect(w.grad!.toArray()).toEqual([0, 0]);
  });
});

describe("a released graph", () => {
  it("raises on a second backward instead of doubling the gradients", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward: trying to backward through the graph a second time \(through SumBackward\).*retainGraph: true/);
    expect(x.grad!.toArray()).toEqual([2, 4]);
  });

  it("also through a shared part of the graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.exp();
    h.sum().backward();
    expect(() => h.mul(2).sum().backward()).toThrow(/second time \(through ExpBackward\)/);
  });

  it("keeps the graph with retainGraph, and createGraph implies it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
    const z = x.pow(3).sum();
    z.backward({ createGraph: true });
    z.backward();
    close(x.grad!.toArray(), [4 + 6, 8 + 24]);
  });

  it("gradcheck still runs one backward per output element", () => {
    const x = gb.randn([3], { dtype: "float64", requiresGrad: true });
    expect(gb.gradcheck((a: gb.Tensor) => a.sin().mul(a), [x]).ok).toBe(true);
  });
});

describe("accumulation after createGraph", () => {
  it("adds a plain backward's gradient to one made with createGraph (PyTorch: [5, 16])", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.pow(3).sum().backward(null, { createGraph: true });
    expect(x.grad!.requiresGrad).toBe(true);
    x.square().sum().backward();
    expect(x.grad!.toArray()).toEqual([5, 16]);
  });

  it("never writes into a gradient that has a graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.pow(3).sum().backward({ createGraph: true });
    const first = x.grad!;
    x.square().sum().backward();
    expect(first.toArray()).toEqual([3, 12]);
  });
});

describe("backward's options", () => {
  it("accepts PyTorch's keyword habit: backward({ createGraph: true })", () => {
    const x = tensor([3], { requiresGrad: true });
    x.pow(3).sum().backward({ createGraph: true });
    expect(x.grad!.toArray()).toEqual([27]);
    expect(x.grad!.requiresGrad).toBe(true);
  });

  it("names an unknown option and the right spelling", () => {
    const x = tensor([3], { requiresGrad: true });
    expect(() => x.mul(2).sum().backward({ create_graph: true } as never)).toThrow(/backward: unknown option "create_graph" \(did you mean createGraph\?\)/);
    expect(() => x.mul(2).sum().backward([1] as never)).toThrow(/backward: grad must be a Tensor \(or null\), got an array/);
  });

  it("takes the gradient inside the options object too", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(2).backward({ grad: tensor([1, 10]) });
    expect(x.grad!.toArray()).toEqual([2, 20]);
  });
});

describe("zeroGrad", () => {
  it("sets .grad to null and leaves the old gradient usable (PyTorch's set_to_none)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    const old = x.grad!;
    x.zeroGrad();
    expect(x.grad).toBeNull();
    expect(old.isDisposed).toBe(false);
    expect(old.toArray()).toEqual([3, 3]);
    x.mul(2).sum().backward();
    expect(old.toArray()).toEqual([3, 3]);
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });
});

describe("std at zero spread", () => {
  it("has gradient 0 where the spread is 0 (PyTorch: 0), not NaN", () => {
    const x = tensor([3, 3], { requiresGrad: true });
    x.std().backward();
    expect(x.grad!.toArray()).toEqual([0, 0]);
  });

  it("keeps a standardised constant row finite, matching PyTorch", () => {
    const x = tensor([[1, 1, 1], [1, 2, 4]], { dtype: "float64", requiresGrad: true });
    const y = x.sub(x.mean(1, true)).div(x.std(1, true).add(1e-5));
    y.mul(tensor([1, 2, 3], { dtype: "float64" })).sum().backward();
    // PyTorch 1.13, float64.
    const g = x.grad!.toArray() as number[][];
    expect(g[0][0]).toBeCloseTo(-1e5, 6);
    expect(g[0][1]).toBeCloseTo(0, 6);
    expect(g[0][2]).toBeCloseTo(1e5, 6);
    close(g[1], [-9.3525e-2, 1.4028e-1, -4.6756e-2]);
  });

  it("differentiates twice where the spread is not 0", () => {
    const x = tensor([1, 2, 4], { dtype: "float64", requiresGrad: true });
    const r = gb.gradcheck((a: gb.Tensor) => gb.grad((b: gb.Tensor) => b.std())(a)[0], [x]);
    expect(r.ok).toBe(true);
  });
});
