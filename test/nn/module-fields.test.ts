import { describe, expect, it } from "vitest";
import { nn, optim, randn, tensor, Tensor } from "../../lib";

class Net extends nn.Module {
  fc1 = new nn.Linear(4, 8);
  fc2 = new nn.Linear(8, 3);
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.fc1.call(x).relu());
  }
}

describe("Module registers what subclasses assign to fields (PyTorch's __setattr__)", () => {
  it("child modules as fields", () => {
    const net = new Net();
    expect(net.numParameters()).toBe(4 * 8 + 8 + 8 * 3 + 3);
    expect(net.namedParameters().map(([n]) => n)).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    expect(Object.keys(net.stateDict())).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
  });

  it("trains with an optimizer made from its parameters", () => {
    const net = new Net();
    const X = randn([16, 4]);
    const y = tensor(Array.from({ length: 16 }, (_, i) => i % 3), { dtype: "int32" });
    const opt = new optim.Adam(net.parameters(), { lr: 0.05 });
    const lossAt = () => new nn.CrossEntropyLoss().call(net.call(X), y).item();
    const before = lossAt();
    for (let i = 0; i < 30; i++) {
      opt.zeroGrad();
      new nn.CrossEntropyLoss().call(net.call(X), y).backward();
      opt.step();
    }
    expect(lossAt()).toBeLessThan(before);
  });

  it("arrays of modules, tensor parameters, reassignment, private fields", () => {
    class Deep extends nn.Module {
      blocks = [new nn.Linear(2, 2), new nn.Linear(2, 2)];
      scale = tensor([1.5], { requiresGrad: true });
      _cache = new nn.Linear(2, 2); // private: not registered
      constant = tensor([2]); // no grad: not a parameter
      forward(x: Tensor): Tensor {
        return this.blocks.reduce((h, b) => b.call(h), x).mul(this.scale);
      }
    }
    const d = new Deep();
    expect(d.namedParameters().map(([n]) => n)).toEqual(["scale", "blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias"]);
    const net = new Net();
    net.fc2 = new nn.Linear(8, 5);
    expect(net.numParameters()).toBe(4 * 8 + 8 + 8 * 5 + 5);
  });

  it("a module registered by hand is not counted twice", () => {
    const seq = new nn.Sequential([new nn.Linear(2, 3)]);
    expect(seq.numParameters()).toBe(9);
  });
});
