import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { io, nn, optim, randn, tensor, Tensor } from "../../lib";

// Reference values from torch 1.13 (Debian's python3-torch), same inputs.
const S = tensor([[2, 0.5, -1], [0.1, 0.2, 0.3], [-1, 3, 0.5]]);
const Y = tensor([0, 2, 1], { dtype: "int32" });
const P = tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]]);
const close = (t: Tensor, expected: number[] | number) => {
  const got = Array.from(t.data());
  const want = Array.isArray(expected) ? expected : [expected];
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 5));
};

describe("PyTorch's loss classes", () => {
  it("CrossEntropyLoss on class indices, reductions, and probability targets", () => {
    close(new nn.CrossEntropyLoss({ reduction: "none" }).call(S, Y), [0.24131132662296295, 1.0019428730010986, 0.09567437320947647]);
    close(new nn.CrossEntropyLoss({ reduction: "sum" }).call(S, Y), 1.3389285802841187);
    close(new nn.CrossEntropyLoss().call(S, Y), 1.3389285802841187 / 3);
    close(new nn.CrossEntropyLoss().call(S, P), 1.3896428346633911);
    close(new nn.NLLLoss().call(S.logSoftmax(-1), Y), 0.44630953669548035);
  });
  it("MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss", () => {
    close(new nn.MSELoss({ reduction: "none" }).call(tensor([1, 2, 3]), tensor([1, 4, 0])), [0, 4, 9]);
    close(new nn.L1Loss().call(tensor([1, 2, 3]), tensor([1, 4, 0])), 1.6666666269302368);
    close(new nn.BCELoss({ reduction: "none" }).call(tensor([0.9, 0.2, 0, 1]), tensor([1, 0, 0, 1])), [0.10536054521799088, 0.2231435328722, 0, 0]);
    close(new nn.BCEWithLogitsLoss({ reduction: "none" }).call(tensor([2, -1.5, 0, 30]), tensor([1, 0, 0, 1])), [0.12692804634571075, 0.2014133334159851, 0.6931471824645996, 0]);
  });
  it("errors name the loss and both shapes", () => {
    expect(() => new nn.MSELoss().call(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/MSELoss.*\[2\].*\[3\]/);
    expect(() => new nn.CrossEntropyLoss().call(S, tensor([0, 1], { dtype: "int32" }))).toThrow(/CrossEntropyLoss.*\[3,3\].*\[2\]/);
    expect(() => new nn.CrossEntropyLoss({ reduction: "avg" as never })).toThrow(/reduction must be/);
  });
  it("compile accepts a loss module; accuracy treats its outputs as logits", async () => {
    const X = randn([64, 2]);
    const y = X.sum(1).gt(0).astype("int32");
    const model = new nn.Sequential([new nn.Dense(8, { inputDim: 2, activation: "tanh" }), new nn.Dense(2)]);
    model.compile({ optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }), loss: new nn.CrossEntropyLoss(), metrics: ["accuracy"] });
    const h = await model.fit(X, y, { epochs: 30, batchSize: 16, verbose: 0 });
    expect(h.history.loss[29]).toBeLessThan(h.history.loss[0]);
    expect(h.history.accuracy[29]).toBeGreaterThan(0.9);
  });
});

describe("names Keras and TF.js users reach for", () => {
  it("nn.Conv2D is Conv2d; summary() uses the first layer's inputDim; predict takes arrays", () => {
    expect(nn.Conv2D).toBe(nn.Conv2d);
    const model = new nn.Sequential([new nn.Dense(3, { inputDim: 4 }), new nn.Dense(2)]);
    expect(model.summary().totalParams).toBe(23); // (4+1)*3 + (3+1)*2 parameters
    expect(model.predict([[1, 2, 3, 4]]).shape).toEqual([1, 2]);
  });
  it("dataSync, arraySync and print", () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4]);
    expect(t.arraySync()).toEqual([[1, 2], [3, 4]]);
    const lines: unknown[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(" "));
    try {
      t.print();
    } finally {
      console.log = log;
    }
    expect(lines).toEqual([t.toString()]);
  });
  it("ModelCheckpoint saves the best epoch's weights", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-ckpt-"));
    const file = path.join(dir, "best.safetensors");
    const X = randn([40, 3]);
    const y = X.matmul(tensor([[1], [-2], [0.5]]));
    const model = new nn.Sequential([new nn.Dense(1, { inputDim: 3 })]);
    model.compile({ optimizer: new optim.SGD(model.parameters(), { lr: 0.05 }), loss: "mse" });
    const ckpt = new nn.ModelCheckpoint({ filepath: file, monitor: "loss" });
    const h = await model.fit(X, y, { epochs: 8, batchSize: 40, verbose: 0, callbacks: [ckpt] });
    const losses = h.history.loss;
    expect(ckpt.bestEpoch).toBe(losses.indexOf(Math.min(...losses)));
    const again = new nn.Sequential([new nn.Dense(1, { inputDim: 3 })]);
    io.loadWeights(again, file);
    const w = model.stateDict()["0.weight"] as Tensor;
    expect(Array.from((again.stateDict()["0.weight"] as Tensor).data())).toEqual(Array.from(w.data()));
    expect(() => new nn.ModelCheckpoint({} as never)).toThrow(/filepath/);
  });
});
