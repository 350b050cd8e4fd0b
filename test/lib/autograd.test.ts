import { beforeAll, describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { Engine, setEngine, tensor, type Tensor } from "../../lib";

beforeAll(() => {
  setEngine(new Engine({ defaultDevice: "js" }));
});

const f64 = { dtype: "float64" as const };

describe("backward", () => {
  it("accumulates into .grad across calls until zeroGrad", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([5, 7, 9]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it("sums gradients of a tensor used on several paths (micrograd's branch rule)", () => {
    const a = tensor(-4, { requiresGrad: true }), b = tensor(2, { requiresGrad: true });
    // micrograd's README example, with PyTorch's values.
    let c = a.add(b);
    let d = a.mul(b).add(b.pow(3));
    c = c.add(c.add(1));
    c = c.add(c.add(1).add(a.neg()));
    d = d.add(d.mul(2).add(b.add(a).relu()));
    d = d.add(d.mul(3).add(b.sub(a).relu()));
    const e = c.sub(d);
    const f = e.pow(2);
    let g = f.div(2);
    g = g.add(tensor(10).div(f));
    expect(g.item()).toBeCloseTo(24.7041, 4);
    g.backward();
    expect(a.grad!.item()).toBeCloseTo(138.8338, 4);
    expect(b.grad!.item()).toBeCloseTo(645.5773, 4);
  });

  it("does not share .grad between leaves that received the same gradient tensor", () => {
    const a = tensor([1], { requiresGrad: true }), b = tensor([2], { requiresGrad: true });
    a.add(b).sum().backward();
    a.grad!.assign(5);
    expect(b.grad!.toArray()).toEqual([1]);
  });

  it("sums gradients over broadcast axes", () => {
    const w = tensor([[1], [2]], { requiresGrad: true });
    const b = tensor([1, 2, 3], { requiresGrad: true });
    w.mul(b).sum().backward();
    expect(w.grad!.toArray()).toEqual([[6], [6]]);
    expect(b.grad!.toArray()).toEqual([3, 3, 3]);
  });

  it("needs a gradient for non-scalar outputs, and a graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/backward: the gradient can only be implied for a one-element output, got shape \[2\]/);
    x.mul(2).backward(tensor([1, 10]));
    expect(x.grad!.toArray()).toEqual([2, 20]);
    expect(() => tensor([1]).sum().backward()).toThrow(/backward: this tensor does not require grad/);
  });

  it("retainGrad keeps the gradient of an intermediate tensor", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    h.square().sum().backward();
    expect(h.grad!.toArray()).toEqual([6, 12]);
    expect(x.grad!.toArray()).toEqual([18, 36]);
  });

  it("handles long chains without recursion limits", () => {
    const x = tensor(1, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1);
    y.backward();
    expect(x.grad!.item()).toBe(1);
  });
});

describe("grad mode", () => {
  it("noGrad records nothing; enableGrad turns it back on", () => {
    const x = tensor([1], { requiresGrad: true });
    const y = gb.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(gb.noGrad(() => gb.isGradEnabled())).toBe(false);
    const z = gb.noGrad(() => gb.enableGrad(() => x.mul(2)));
    expect(z.gradFn).toBe("MulBackward");
    expect(gb.isGradEnabled()).toBe(true);
  });

  it("detach cuts the graph but shares the data", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.storage).toBe(x.storage);
    x.mul(d).sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 2]);
  });

  it("only float tensors can require gradients", () => {
    expect(() => tensor([1], { dtype: "int32", requiresGrad: true })).toThrow(/requiresGrad needs a float dtype, got int32/);
  });
});

describe("functional grad and higher-order gradients", () => {
  it("grad and valueAndGrad leave .grad alone", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const { value, grads } = gb.valueAndGrad((x: Tensor) => x.pow(2).sum())(x);
    expect(value.item()).toBe(14);
    expect(grads[0].toArray()).toEqual([2, 4, 6]);
    expect(x.grad).toBeNull();
    expect(gb.grad((a: Tensor, b: Tensor) => a.mul(b).sum())(tensor([2]), tensor([5])).map((g) => g.item())).toEqual([5, 2]);
  });

  it("nests grad for second and third derivatives", () => {
    const f = (x: Tensor): Tensor => x.pow(3).sum();
    const df = gb.grad(f);
    const d2f = gb.grad((x: Tensor) => df(x)[0].sum());
    const d3f = gb.grad((x: Tensor) => d2f(x)[0].sum());
    const x = tensor([2, -1]);
    expect(df(x)[0].toArray()).toEqual([12, 3]);
    expect(d2f(x)[0].toArray()).toEqual([12, -6]);
    expect(d3f(x)[0].toArray()).toEqual([6, 6]);
  });

  it("backward with createGraph gives a differentiable .grad", () => {
    const x = tensor([0.5, -1], { ...f64, requiresGrad: true });
    x.tanh().sum().backward(null, { createGraph: true });
    const g = x.grad!;
    expect(g.gradFn).not.toBeNull();
    const [h] = gb.backward(g.sum(), { inputs: [x] });
    // d²/dx² tanh x = -2 tanh x (1 - tanh² x)
    const want = [0.5, -1].map((v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2));
    (h.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
  });

  // Second derivatives checked numerically: gradcheck of the gradient function itself.
  const secondOrder: [string, (x: Tensor, w: Tensor) => Tensor][] = [
    ["elementwise", (x, w) => x.mul(w).sigmoid().add(x.exp().mul(w.sin())).sub(x.div(w.square().add(1))).sum()],
    ["unary chain", (x, w) => x.tanh().mul(w.log1p().abs()).add(x.sqrt().rsqrt().mul(w.cos())).sum()],
    ["broadcasting", (x, w) => x.reshape(2, 3).mul(w.slice(0, 0, 3)).pow(2).mean().add(x.reshape(2, 3).mul(w.slice(0, 3, 4)).sum())],
    ["matmul", (x, w) => gb.matmul(x.reshape(2, 3), w.reshape(3, 2)).tanh().sum().add(gb.matmul(w.slice(0, 0, 3), x.reshape(2, 3).mT).square().sum())],
    ["softmax and logsumexp", (x, w) => x.reshape(2, 3).softmax(-1).mul(w.reshape(2, 3)).sum().add(x.reshape(3, 2).logsumexp(0).sum())],
    ["reductions", (x, w) => x.mul(w).var().add(x.reshape(2, 3).max(1).sum()).add(x.mul(w).prod())],
  ];
  for (const [name, f] of secondOrder) {
    it(`second derivatives pass gradcheck: ${name}`, () => {
      gb.manualSeed(3);
      const x = gb.rand([6], f64).add(0.5).requiresGrad_();
      const w = gb.rand([6], f64).add(0.5).requiresGrad_();
      const gradF = (x: Tensor, w: Tensor): Tensor => gb.concat(gb.grad(f)(x, w));
      const r = gb.gradcheck(gradF, [x, w]);
      expect(r.message).toMatch(/passed/);
    });
  }

  it("second derivatives pass gradcheck: conv2d and pooling", () => {
    gb.manualSeed(4);
    const x = gb.randn([1, 2, 5, 5], { ...f64, requiresGrad: true });
    const w = gb.randn([2, 2, 3, 3], { ...f64, requiresGrad: true });
    const f = (x: Tensor, w: Tensor): Tensor => gb.maxPool2d(gb.conv2d(x, w, null, { padding: 1 }), 2).square().sum()
      .add(gb.avgPool2d(gb.conv2d(x, w, null, { stride: 2 }), 2).square().sum());
    const r = gb.gradcheck((x: Tensor, w: Tensor) => gb.concat(gb.grad(f)(x, w).map((g) => g.reshape(-1))), [x, w]);
    expect(r.message).toMatch(/passed/);
  });
});

describe("gradcheck", () => {
  it("reports a wrong gradient with the worst entry", () => {
    // sign has no gradient, but |x| * sign(x) = x has gradient 1: the analytic result is wrong on purpose.
    const x = tensor([0.3, -0.7], { ...f64, requiresGrad: true });
    const r = gb.gradcheck((x: Tensor) => x.mul(x.detach().sign()).abs(), [x]);
    expect(r.ok).toBe(true);
    const bad = gb.gradcheck((x: Tensor) => x.mul(x.detach()).add(x.detach().square()), [x]);
    expect(bad.ok).toBe(false);
    expect(bad.details[0]).toMatchObject({ input: 0 });
    expect(bad.message).toMatch(/gradcheck failed: 2 Jacobian entries differ/);
  });

  it("insists on float64 inputs", () => {
    expect(() => gb.gradcheck((x: Tensor) => x.sum(), [tensor([1], { requiresGrad: true })])).toThrow(/gradcheck: input 0 is float32; central differences need float64/);
  });
});
