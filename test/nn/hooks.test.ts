/** Forward hooks, captureActivations, freezing (requiresGrad / trainable) and summary's trainable count. */
import { describe, expect, it } from "vitest";
import { Tensor, manualSeed, randn, tensor } from "../../lib/index";
import * as nn from "../../lib/nn";
import * as optim from "../../lib/optim";

function small() {
  manualSeed(0);
  return new nn.Sequential([new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Dense(3, { inputDim: 4 * 6 * 6 })]);
}

describe("forward hooks", () => {
  it("see each layer's input and output inside Sequential, and stop after remove()", () => {
    const model = small();
    const seen: number[][] = [];
    const h = model.layers[0].registerForwardHook((_m, inputs, out) => { seen.push([...(inputs[0] as Tensor).shape, ...(out as Tensor).shape]); });
    model.call(randn([2, 1, 6, 6]));
    expect(seen).toEqual([[2, 1, 6, 6, 2, 4, 6, 6]]);
    h.remove();
    model.call(randn([2, 1, 6, 6]));
    expect(seen.length).toBe(1);
  });

  it("can replace the output", () => {
    const model = small();
    const h = model.layers[1].registerForwardHook((_m, _in, out) => (out as Tensor).mul(0));
    const out = model.call(randn([1, 1, 6, 6])) as Tensor;
    const bias = Array.from(model.layers[3].parameters()[1].data());
    Array.from(out.data()).forEach((v, i) => expect(v).toBeCloseTo(bias[i], 5));
    h.remove();
  });

  it("captureActivations returns the named layers' outputs equal to running them by hand", () => {
    const model = small();
    const x = randn([1, 1, 6, 6]);
    const acts = nn.captureActivations(model, x);
    expect(Object.keys(acts)).toEqual(["0", "1", "2", "3"]);
    const byHand = (model.layers[0].call(x) as Tensor).relu();
    expect(Array.from(acts["1"].data())).toEqual(Array.from(byHand.data()));
    expect(() => nn.captureActivations(model, x, ["9"])).toThrow(/has no sub-module "9"/);
  });
});

describe("freezing", () => {
  it("freeze() stops gradients and training of those parameters only", () => {
    const model = small();
    model.layers[0].freeze();
    expect(model.layers[0].trainable).toBe(false);
    expect(model.trainableParameters().length).toBe(2);
    const before = Array.from(model.layers[0].parameters()[0].data());
    const dense = Array.from(model.layers[3].parameters()[0].data());
    const opt = new optim.SGD(model.trainableParameters(), { lr: 0.1 });
    const loss = nn.sparseCategoricalCrossEntropy(model.call(randn([4, 1, 6, 6])) as Tensor, tensor([0, 1, 2, 0], { dtype: "int32" }), { fromLogits: true });
    loss.backward();
    expect(model.layers[0].parameters()[0].grad).toBeNull();
    opt.step();
    expect(Array.from(model.layers[0].parameters()[0].data())).toEqual(before);
    expect(Array.from(model.layers[3].parameters()[0].data())).not.toEqual(dense);
    model.layers[0].trainable = true;
    expect(model.trainableParameters().length).toBe(4);
  });

  it("an optimizer given a frozen parameter says to pass trainableParameters()", () => {
    const model = small().freeze();
    expect(() => new optim.SGD(model.parameters(), { lr: 0.1 })).toThrow(/trainableParameters/);
  });

  it("summary counts frozen parameters as non-trainable, and fit trains with frozen layers", async () => {
    const model = small();
    model.layers[0].freeze();
    const s = model.summary([1, 6, 6]) as unknown as nn.ModelSummary;
    expect(s.totalParams).toBe(4 * 10 + 3 * 145);
    expect(s.trainableParams).toBe(3 * 145);
    expect(s.toString()).toMatch(/Non-trainable params: 40/);
    model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropyFromLogits" });
    const w0 = Array.from(model.layers[0].parameters()[0].data());
    await model.fit(randn([8, 1, 6, 6]), tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: "int32" }), { epochs: 2, batchSize: 4, verbose: 0 });
    expect(Array.from(model.layers[0].parameters()[0].data())).toEqual(w0);
  });
});

describe("summary of lazy layers", () => {
  it("with build: false counts the parameters and FLOPs a lazy Dense would get, without building it", () => {
    const model = new nn.Sequential([new nn.Flatten(), new nn.Dense(100), new nn.Dense(10, { useBias: false })]);
    const s = model.summary([3, 8, 8], { build: false });
    expect(s.rows.map((r) => r.params)).toEqual([0, 100 * 193, 10 * 100]);
    expect(s.rows.map((r) => r.flops)).toEqual([0, 192 * 100, 1000]);
    expect((model.layers[1] as nn.Dense).built).toBe(false);
    const built = model.summary([3, 8, 8]);
    expect(built.totalParams).toBe(s.totalParams);
    expect((model.layers[1] as nn.Dense).built).toBe(true);
  });
});
