/**
 * Every layer's forward output and gradients against PyTorch on the same weights and
 * inputs (test/fixtures/nn_layers.json, from scripts/gen_nn_fixtures.py).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tensor, deviceAvailable, getDefaultDevice, noGrad, setDefaultDevice, tensor, manualSeed, type DeviceName } from "../../lib/index";
import * as nn from "../../lib/nn";
import { expectClose, fixture, leaf } from "./helpers";

const F = fixture("nn_layers.json");

/** Loads the fixture's weights, runs forward and backward with its dy, compares everything. */
function check(name: string, layer: nn.Module, opts: { train?: boolean } = {}): void {
  const f = F[name];
  if (f.params && Object.keys(f.params).length) layer.loadStateDict(f.params);
  layer.train(opts.train ?? true);
  const x = leaf(f.input);
  const out = layer.call(x) as Tensor;
  expectClose(out, f.output, `${name} output`);
  out.mul(tensor(f.dy)).sum().backward();
  if (f.inputGrad) expectClose(x.grad, f.inputGrad, `${name} input grad`);
  const params = Object.fromEntries(layer.namedParameters());
  expect(Object.keys(params).sort(), `${name} parameter names`).toEqual(Object.keys(f.grads).sort());
  for (const [k, g] of Object.entries(f.grads)) expectClose(params[k].grad, g, `${name} grad of ${k}`);
}

/** The reference js backend always; the native cpu backend too where it is built. */
const DEVICES: DeviceName[] = deviceAvailable("cpu").available ? ["js", "cpu"] : ["js"];

describe.each(DEVICES)("layers match PyTorch (forward and gradients) on %s", (device) => {
  let previous: DeviceName;
  beforeAll(() => {
    previous = getDefaultDevice();
    setDefaultDevice(device);
  });
  afterAll(() => setDefaultDevice(previous));

  it("Linear", () => check("linear", new nn.Linear(4, 3)));
  it("Dense has Linear's layout", () => check("linear", new nn.Dense(3, { inputDim: 4 })));
  it("Conv2d with padding", () => check("conv2d", new nn.Conv2d(2, 3, 3, { padding: 1 })));
  it("Conv2d with stride 2", () => check("conv2d_stride2", new nn.Conv2d(2, 4, 3, { stride: 2 })));
  it("Conv2d grouped (depthwise multiplier 2)", () => check("conv2d_depthwise", new nn.Conv2d(2, 4, 3, { padding: 1, groups: 2 })));
  it("Conv2d 1×1", () => check("conv2d_1x1", new nn.Conv2d(3, 2, 1)));
  it("Conv2d 'same' with stride 2 pads the extra row/column at the end", () =>
    check("conv2d_same_stride2", new nn.Conv2d(2, 3, 3, { stride: 2, padding: "same" })));
  it("Conv2d 'same' with an even kernel", () => check("conv2d_same_even", new nn.Conv2d(2, 2, 4, { padding: "same" })));
  it("MaxPool2d", () => check("maxpool2d", new nn.MaxPool2d(2)));
  it("AvgPool2d", () => check("avgpool2d", new nn.AvgPool2d(2)));
  it("GlobalAvgPool2d", () => check("globalavgpool2d", new nn.GlobalAvgPool2d()));
  it("Flatten", () => check("flatten", new nn.Flatten()));
  it("ReLU", () => check("relu", new nn.ReLU()));
  it("LeakyReLU", () => check("leakyrelu", new nn.LeakyReLU(0.1)));
  it("PReLU learns its slope", () => check("prelu", new nn.PReLU(4)));
  it("ELU", () => check("elu", new nn.ELU(1)));
  it("SELU", () => check("selu", new nn.SELU()));
  it("Softplus", () => check("softplus", new nn.Softplus()));
  it("Sigmoid", () => check("sigmoid", new nn.Sigmoid()));
  it("Tanh", () => check("tanh", new nn.Tanh()));
  it("Softmax", () => check("softmax", new nn.Softmax(-1)));

  for (const [name, make] of [
    ["batchnorm1d", () => new nn.BatchNorm1d(3)],
    ["batchnorm2d", () => new nn.BatchNorm2d(2)],
  ] as const) {
    it(`${name}: batch statistics in training, running statistics in eval`, () => {
      const layer = make();
      check(name, layer);
      const f = F[name];
      expectClose(layer.runningMean, f.runningMean, `${name} running mean`);
      expectClose(layer.runningVar, f.runningVar, `${name} running var`);
      layer.eval();
      expectClose(noGrad(() => layer.call(tensor(f.evalInput))), f.evalOutput, `${name} eval output`);
    });
  }

  it("Embedding (gradient accumulates on repeated ids)", () => {
    const f = F.embedding;
    const emb = new nn.Embedding(5, 3);
    emb.loadStateDict(f.params);
    const out = emb.call(tensor(f.input, { dtype: "int32" })) as Tensor;
    expectClose(out, f.output, "embedding output");
    out.mul(tensor(f.dy)).sum().backward();
    expectClose(emb.weight.grad, f.grads.weight, "embedding grad");
    expect(() => emb.call(tensor([[7]], { dtype: "int32" }))).toThrow(/Embedding: id 7 is out of range \[0, 5\)/);
  });

  const recurrent: [string, () => nn.RNN | nn.GRU | nn.LSTM][] = [
    ["rnn", () => new nn.RNN(3, 5)],
    ["rnn_2layer_bidir", () => new nn.RNN(3, 4, { numLayers: 2, bidirectional: true })],
    ["gru", () => new nn.GRU(3, 5)],
    ["gru_bidir", () => new nn.GRU(3, 4, { bidirectional: true })],
    ["lstm", () => new nn.LSTM(3, 5)],
    ["lstm_2layer_bidir", () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true })],
  ];
  for (const [name, make] of recurrent) {
    it(`${name}: outputs, final states and BPTT gradients`, () => {
      const f = F[name];
      const layer = make();
      layer.loadStateDict(f.params);
      const x = leaf(f.input);
      const r = layer.forwardWithState(x);
      expectClose(r.output, f.output, `${name} output`);
      expectClose(r.h, f.h, `${name} h`);
      let loss = r.output.mul(tensor(f.dy)).sum().add(r.h.mul(tensor(f.dh)).sum());
      if (f.c) {
        expectClose(r.c, f.c, `${name} c`);
        loss = loss.add(r.c!.mul(tensor(f.dc)).sum());
      }
      loss.backward();
      expectClose(x.grad, f.inputGrad, `${name} input grad`);
      const params = Object.fromEntries(layer.namedParameters());
      expect(Object.keys(params).sort()).toEqual(Object.keys(f.grads).sort());
      for (const [k, g] of Object.entries(f.grads)) expectClose(params[k].grad, g, `${name} grad of ${k}`);
    });
  }

  it("recurrent layers return the last state when returnSequences is false", () => {
    const f = F.lstm_2layer_bidir;
    const layer = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, returnSequences: false });
    layer.loadStateDict(f.params);
    const last = layer.call(tensor(f.input)) as Tensor;
    expect(last.shape).toEqual([2, 8]);
    // Forward direction of the top layer = its output at the last step; backward = at step 0.
    const fwd = (f.output as number[][][]).map((seq) => seq[seq.length - 1].slice(0, 4));
    const bwd = (f.output as number[][][]).map((seq) => seq[0].slice(4));
    expectClose(last, fwd.map((r, i) => [...r, ...bwd[i]]), "last state");
  });

  it("dot-product attention: context, weights and gradients", () => {
    const f = F.attention_dot;
    const attn = new nn.Attention({ kind: "dot" });
    const [q, k, v] = [leaf(f.query), leaf(f.key), leaf(f.value)];
    const { output, weights } = attn.forward(q, k, v);
    expectClose(output, f.output, "dot output");
    expectClose(weights, f.weights, "dot weights");
    output.mul(tensor(f.dy)).sum().backward();
    expectClose(q.grad, f.grads.query, "dot dq");
    expectClose(k.grad, f.grads.key, "dot dk");
    expectClose(v.grad, f.grads.value, "dot dv");
  });

  it("additive attention: context, weights and gradients of inputs and parameters", () => {
    const f = F.attention_additive;
    const attn = new nn.Attention({ kind: "additive", queryDim: 4, keyDim: 4, units: 7 });
    attn.loadStateDict(f.params);
    const [q, k, v] = [leaf(f.query), leaf(f.key), leaf(f.value)];
    const { output, weights } = attn.forward(q, k, v);
    expectClose(output, f.output, "additive output");
    expectClose(weights, f.weights, "additive weights");
    output.mul(tensor(f.dy)).sum().backward();
    expectClose(q.grad, f.grads.query, "additive dq");
    expectClose(k.grad, f.grads.key, "additive dk");
    expectClose(v.grad, f.grads.value, "additive dv");
    const p = Object.fromEntries(attn.namedParameters());
    for (const n of ["queryWeight", "keyWeight", "scoreWeight"]) expectClose(p[n].grad, f.grads[n], `additive grad of ${n}`);
  });

  it("ResidualBlock matches a PyTorch basic block", () => check("residual", new nn.ResidualBlock(2)));
});

describe("layer behaviour", () => {
  it("Dropout is inverted: zeros about p of the inputs, scales the rest by 1/(1-p), identity in eval", () => {
    manualSeed(3);
    const d = new nn.Dropout(0.25);
    const y = d.call(tensor(new Float32Array(4000).fill(1))) as Tensor;
    const v = Array.from(y.data() as Float32Array);
    const zeros = v.filter((a) => a === 0).length / v.length;
    expect(zeros).toBeGreaterThan(0.2);
    expect(zeros).toBeLessThan(0.3);
    for (const a of v) expect(a === 0 || Math.abs(a - 1 / 0.75) < 1e-6).toBe(true);
    d.eval();
    expect(Array.from((d.call(tensor([1, 2, 3])) as Tensor).data())).toEqual([1, 2, 3]);
  });

  it("shape errors name the layer and both shapes", () => {
    expect(() => new nn.Linear(4, 3).call(tensor([[1, 2, 3]]))).toThrow(/Linear: input features: expected \[\.\.\., 4\], got shape \[1,3\]/);
    expect(() => new nn.Conv2d(3, 8, 3).call(tensor(new Float32Array(2 * 1 * 5 * 5), { shape: [2, 1, 5, 5] }))).toThrow(
      /Conv2d: input: expected \[N, 3, H, W\], got shape \[2,1,5,5\]/,
    );
    expect(() => new nn.LSTM(3, 4).call(tensor(new Float32Array(10), { shape: [2, 5] }))).toThrow(/LSTM: input: expected \[N, T, 3\], got shape \[2,5\]/);
    const model = new nn.Sequential([new nn.Linear(2, 3), new nn.Linear(4, 1)]);
    expect(() => model.call(tensor([[1, 2]]))).toThrow(/Sequential layer 1 .*Linear: input features: expected \[\.\.\., 4\], got shape \[1,3\]/);
  });

  it("state dicts use PyTorch's names and round-trip through loadStateDict", () => {
    const model = new nn.Sequential([new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.Flatten(), new nn.Linear(8, 2)]);
    expect(Object.keys(model.stateDict())).toEqual([
      "0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "1.running_mean", "1.running_var",
    ]);
    const copy = new nn.Sequential([new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.Flatten(), new nn.Linear(8, 2)]);
    copy.loadStateDict(model.stateDict());
    const x = tensor(new Float32Array(2 * 16).map((_, i) => Math.sin(i)), { shape: [2, 1, 4, 4] });
    model.eval();
    copy.eval();
    expect(Array.from(copy.call(x).data())).toEqual(Array.from(model.call(x).data()));
    expect(() => copy.loadStateDict({ "0.weight": model.stateDict()["0.weight"] })).toThrow(/missing \[0\.bias/);
    expect(() => copy.loadStateDict({ ...model.stateDict(), "3.weight": tensor([[1, 2]]) })).toThrow(
      /"3\.weight" has shape \[1,2\] but .* expects \[2,8\]/,
    );
  });

  it("to(device) moves parameters and buffers, train()/eval() reach every sub-module", () => {
    const model = new nn.Sequential([new nn.Linear(2, 3), new nn.BatchNorm1d(3), new nn.Dropout(0.5)]);
    const x = tensor([[1, 2], [3, -1]]);
    model.eval();
    const before = model.call(x).toArray();
    model.to("js");
    expect(model.parameters().every((p) => p.device === "js" && p.requiresGrad)).toBe(true);
    expect(model.namedBuffers().every(([, b]) => b.device === "js")).toBe(true);
    expect(model.call(x.to("js")).toArray()).toEqual(before);
    expect(model.modules().every((m) => !m.training)).toBe(true);
    model.train();
    expect(model.modules().every((m) => m.training)).toBe(true);
    expect(model.numParameters()).toBe(2 * 3 + 3 + 3 + 3);
    expect(model.toString()).toContain("(1): BatchNorm1d(3)");
  });

  it("regularizers add their penalty to regularizationLoss", () => {
    const layer = new nn.Dense(2, { inputDim: 2, kernelRegularizer: nn.l2(0.5), kernelInitializer: nn.init.constant(2) });
    const model = new nn.Sequential([layer]);
    // 0.5 * (4 weights of value 2)² = 0.5 * 16 = 8
    expect(model.regularizationLoss()!.item()).toBeCloseTo(8, 5);
    const l1 = new nn.Sequential([new nn.Dense(2, { inputDim: 2, kernelRegularizer: nn.l1(0.1), kernelInitializer: nn.init.constant(-3) })]);
    expect(l1.regularizationLoss()!.item()).toBeCloseTo(1.2, 5);
    const en = nn.elasticNet({ l1: 1, l2: 1 })(tensor([1, -2]));
    expect(en.item()).toBeCloseTo(3 + 5, 5);
  });

  it("initializers are seeded and have the documented spread", () => {
    const a = nn.init.heNormal([200, 100], { seed: 5 });
    const b = nn.init.heNormal([200, 100], { seed: 5 });
    expect(Array.from(a.data())).toEqual(Array.from(b.data()));
    const std = (t: Tensor) => Math.sqrt(t.square().mean().item());
    expect(std(a)).toBeCloseTo(Math.sqrt(2 / 100), 2);
    expect(std(nn.init.xavierNormal([200, 100], { seed: 1 }))).toBeCloseTo(Math.sqrt(2 / 300), 2);
    const u = nn.init.xavierUniform([200, 100], { seed: 2 });
    expect(u.abs().max().item()).toBeLessThanOrEqual(Math.sqrt(6 / 300));
    expect(nn.init.heUniform([50, 10], { seed: 2 }).abs().max().item()).toBeLessThanOrEqual(Math.sqrt(6 / 10));
    expect(Array.from(nn.init.zeros([3]).data())).toEqual([0, 0, 0]);
    expect(Array.from(nn.init.constant(0.5)([2]).data())).toEqual([0.5, 0.5]);
    const n = nn.init.normal({ mean: 3, std: 0.1 })([1000], { seed: 0 });
    expect(n.mean().item()).toBeCloseTo(3, 1);
    const un = nn.init.uniform({ low: 2, high: 3 })([1000], { seed: 0 });
    expect(un.min().item()).toBeGreaterThanOrEqual(2);
    expect(un.max().item()).toBeLessThan(3);
    manualSeed(11);
    const m1 = new nn.Linear(3, 3).weight.data();
    manualSeed(11);
    expect(Array.from(new nn.Linear(3, 3).weight.data())).toEqual(Array.from(m1));
  });
});
