import { describe, expect, it } from "vitest";
import { nn, optim, randn, tensor } from "../../lib";

describe("zeroGrad frees what only autograd held, never what a student holds", () => {
  it("a gradient never read through .grad is freed by the optimizer's zeroGrad", () => {
    const layer = new nn.Linear(3, 2);
    const opt = new optim.SGD(layer.parameters(), { lr: 0.1 });
    layer.call(randn([4, 3])).sum().backward();
    opt.step();
    const internal = layer.parameters().map((p) => p._gradValue!);
    opt.zeroGrad();
    expect(internal.every((g) => g.isDisposed)).toBe(true);
    expect(layer.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it("a gradient read through .grad stays valid after zeroGrad (PyTorch's set_to_none)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(x).sum().backward();
    const g = x.grad!;
    new optim.SGD([x], { lr: 0.1 }).zeroGrad();
    expect(x.grad).toBe(null);
    expect(g.isDisposed).toBe(false);
    expect(Array.from(g.data())).toEqual([2, 4]);
  });

  it("Module.zeroGrad and Tensor.zeroGrad follow the same rule", () => {
    const layer = new nn.Linear(2, 1);
    layer.call(randn([3, 2])).sum().backward();
    const kept = layer.parameters()[0].grad!;
    const unread = layer.parameters()[1]._gradValue!;
    layer.zeroGrad();
    expect(kept.isDisposed).toBe(false);
    expect(unread.isDisposed).toBe(true);
  });
});
