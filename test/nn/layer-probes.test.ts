import { describe, expect, it } from "vitest";
import { manualSeed, randn, tensor, Tensor } from "../../lib/index";
import * as nn from "../../lib/nn";
import * as plot from "../../lib/plot";
import * as optim from "../../lib/optim";

function net() {
  manualSeed(1);
  return new nn.Sequential([
    new nn.Dense(5, { inputDim: 3, activation: "tanh" }),
    new nn.Dense(2, { inputDim: 5 }),
  ]);
}

describe("probeLayers", () => {
  it("records each layer's outputs and the gradients autodiff gives, leaving .grad alone", () => {
    const model = net();
    const X = randn([4, 3]), y = randn([4, 2]);
    const probes = nn.probeLayers(model, X, { y, loss: "mse" });
    expect(probes.map((p) => p.name)).toEqual(["0 Dense(3 → 5, tanh)", "1 Dense(5 → 2)"]);
    const h = model.children()[0].call(X) as Tensor;
    expect(Array.from(probes[0].activations)).toEqual(Array.from(h.data()));
    expect(Array.from(probes[1].activations).map((v) => +v.toFixed(5))).toEqual(Array.from(model.call(X).data() as Float32Array).map((v) => +v.toFixed(5)));
    // d mse / d yHat = 2 (yHat − y) / numel
    const expected = (model.call(X) as Tensor).sub(y).mul(2 / 8).data();
    probes[1].gradients!.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 5));
    const loss = nn.mseLoss(model.call(X), y);
    loss.backward();
    const w0 = model.parameters()[0];
    probes[0].weightGradients!.forEach((g, i) => expect(g).toBeCloseTo(w0.grad!.data()[i], 5));
    model.zeroGrad();
    nn.probeLayers(model, X, { y });
    expect(w0.grad === null || w0.grad.abs().sum().item() === 0).toBe(true);
  });

  it("without targets reports no gradients; keeps the model's mode; rejects a model without layers", () => {
    const model = net().eval();
    const probes = nn.probeLayers(model, randn([2, 3]), { training: true });
    expect(probes[0].gradients).toBeNull();
    expect(probes[0].weights!.length).toBe(15);
    expect(model.training).toBe(false);
    expect(() => nn.probeLayers(new nn.Linear(2, 2), randn([1, 2]))).toThrow(/has no layers to probe/);
  });

  it("valueStats", () => {
    expect(nn.valueStats([0, 0, 2, -2])).toEqual({ mean: 0, std: Math.SQRT2, min: -2, max: 2, zeros: 0.5 });
    expect(nn.valueStats([1e-4, 1], 1e-3).zeros).toBe(0.5);
  });

  it("layerHistograms draws one panel per layer and says each spread", () => {
    const model = net();
    const chart = plot.layerHistograms(nn.probeLayers(model, randn([16, 3]), { y: randn([16, 2]) }), { kind: "gradients", bins: 10 });
    const bundle = chart.toMimeBundle();
    expect((bundle["image/svg+xml"] as string).startsWith("<svg")).toBe(true);
    expect(bundle["text/plain"]).toMatch(/0 Dense\(3 → 5, tanh\): mean .* std/);
    const spec = bundle["application/vnd.vegalite.v5+json"] as any;
    expect(spec.data.values.length).toBe(20);
    expect(() => plot.layerHistograms(nn.probeLayers(model, randn([2, 3])), { kind: "gradients" })).toThrow(/pass y to nn.probeLayers/);
  });
});

describe("DropConnect", () => {
  it("zeroes weights, not units, in training; is the wrapped layer at evaluation", () => {
    manualSeed(0);
    const inner = new nn.Dense(400, { inputDim: 50 });
    const layer = new nn.DropConnect(inner, 0.5);
    expect(layer.parameters().length).toBe(2);
    const x = tensor(new Float32Array(50).fill(1), { shape: [1, 50] });
    const train = layer.call(x) as Tensor, evalOut = layer.eval().call(x) as Tensor;
    expect(Array.from(evalOut.data())).toEqual(Array.from(inner.call(x).data()));
    // Units are not dropped: almost no output is exactly the bias alone (0 here).
    const zeros = Array.from(train.data()).filter((v) => v === 0).length;
    expect(zeros).toBe(0);
    expect(Array.from(train.data())).not.toEqual(Array.from(evalOut.data()));
    // Inverted scaling keeps the mean output: the average over outputs is close.
    expect(train.mean().item()).toBeCloseTo(evalOut.mean().item(), 0);
    expect(() => new nn.DropConnect(new nn.ReLU() as any)).toThrow(/must be an nn.Linear or nn.Dense/);
    expect(() => new nn.DropConnect(inner, 1)).toThrow(/p must be in \[0, 1\)/);
  });

  it("trains inside a Sequential with fit", async () => {
    manualSeed(0);
    const model = new nn.Sequential([new nn.DropConnect(new nn.Dense(8, { inputDim: 2, activation: "relu" }), 0.3), new nn.Dense(1, { inputDim: 8 })]);
    model.compile({ optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }), loss: "mse" });
    const X = randn([64, 2]), y = X.sum(1, true);
    const h = await model.fit(X, y, { epochs: 30, batchSize: 16, verbose: 0 });
    expect(h.history.loss[29]).toBeLessThan(h.history.loss[0]);
    expect(model.summary([2]).toString()).toMatch(/DropConnect/);
  });
});

describe("lrSchedules", () => {
  it("draws lrAt(t) of schedules and functions", () => {
    const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
    const chart = plot.lrSchedules({ step: new optim.StepLR(opt, { stepSize: 5, gamma: 0.5 }), half: (t) => 0.05 }, { steps: 10 });
    const spec = chart.toMimeBundle()["application/vnd.vegalite.v5+json"] as any;
    const step = spec.data.values.filter((r: any) => r.schedule === "step").map((r: any) => r.lr);
    expect(step).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05]);
    expect(opt.lr).toBe(0.1);
    expect(() => plot.lrSchedules({ bad: 3 as any })).toThrow(/schedule "bad" must be/);
  });
});
