/**
 * Training end to end: Keras-style fit on XOR, callbacks and early stopping, the
 * hand-written PyTorch-style loop with a DataLoader, and a character-level LSTM on the
 * shipped corpus.
 */
import { describe, expect, it } from "vitest";
import { Tensor, manualSeed, noGrad, tensor } from "../../lib/index";
import * as nn from "../../lib/nn";
import * as optim from "../../lib/optim";
import * as data from "../../lib/data";
import * as metrics from "../../lib/metrics";

function xorModel(): nn.Sequential {
  manualSeed(0);
  return new nn.Sequential([new nn.Dense(8, { inputDim: 2, activation: "tanh" }), new nn.Dense(1, { inputDim: 8, activation: "sigmoid" })]);
}

describe("fit (Keras style)", () => {
  it("learns XOR to 100% accuracy", async () => {
    const { X, y } = data.xor();
    const model = xorModel();
    model.compile({ optimizer: new optim.Adam(model.parameters(), { lr: 0.1 }), loss: "binaryCrossentropy", metrics: ["accuracy"] });
    const history = await model.fit(X, y, { epochs: 300, batchSize: 4, verbose: 0 });
    expect(history.history.loss.length).toBe(300);
    expect(history.history.loss[299]).toBeLessThan(0.1);
    expect(history.history.accuracy[299]).toBe(1);
    expect(metrics.accuracy(model.predict(X), y)).toBe(1);
    const ev = model.evaluate(X, y);
    expect(ev.accuracy).toBe(1);
    const again = await model.fit(X, y, { epochs: 1, batchSize: 4, validationData: [X, y], verbose: 0 });
    expect(again.history.val_accuracy).toEqual([1]);
    expect(again.history.val_loss[0]).toBeLessThan(0.1);
    expect(ev.loss).toBeCloseTo(history.history.loss[299], 1);
  });

  it("runs callbacks in Keras' order with params, validation logs and per-batch hooks", async () => {
    const { X, y } = data.moons({ samples: 40, seed: 1 });
    const model = xorModel();
    model.compile({ optimizer: "sgd", loss: "binaryCrossentropy", metrics: ["acc"] });
    const events: string[] = [];
    let params: nn.TrainParams | undefined;
    const cb = new nn.LambdaCallback({
      onTrainBegin: () => void events.push("trainBegin"),
      onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
      onBatchBegin: (b) => void events.push(`batchBegin ${b}`),
      onBatchEnd: (b, logs) => void events.push(`batchEnd ${b} ${typeof logs?.loss}`),
      onEpochEnd: (e, logs) => void events.push(`epochEnd ${e} ${Object.keys(logs ?? {}).join(",")}`),
      onTrainEnd: () => void events.push("trainEnd"),
    });
    const probe: nn.Callback = { onTrainBegin() { params = this.params; } };
    await model.fit(X, y, { epochs: 2, batchSize: 16, validationSplit: 0.2, callbacks: [cb, probe], verbose: 0 });
    expect(params).toMatchObject({ epochs: 2, steps: 2, samples: 32, batchSize: 16 });
    expect(events).toEqual([
      "trainBegin",
      "epochBegin 0", "batchBegin 0", "batchEnd 0 number", "batchBegin 1", "batchEnd 1 number",
      "epochEnd 0 loss,acc,val_loss,val_acc",
      "epochBegin 1", "batchBegin 0", "batchEnd 0 number", "batchBegin 1", "batchEnd 1 number",
      "epochEnd 1 loss,acc,val_loss,val_acc",
      "trainEnd",
    ]);
  });

  it("yields to the event loop between batches; a stop between batches keeps the weights of the last step", async () => {
    const { X, y } = data.xor({ samples: 64, seed: 2 });
    const model = xorModel();
    model.compile({ optimizer: "adam", loss: "binaryCrossentropy" });
    let ticks = 0;
    let batches = 0;
    let snapshot: Record<string, Tensor> = {};
    const timer = setInterval(() => ticks++, 0);
    const stopper: nn.Callback = {
      onBatchEnd() {
        batches++;
        if (batches === 3) {
          snapshot = model.stateDict();
          model.stopTraining = true; // what an interrupt handler does between two batches
        }
      },
    };
    await model.fit(X, y, { epochs: 5, batchSize: 8, callbacks: [stopper], verbose: 0 });
    clearInterval(timer);
    expect(batches).toBe(3);
    expect(ticks).toBeGreaterThan(0);
    const now = model.stateDict();
    for (const k of Object.keys(now)) expect(Array.from(now[k].data())).toEqual(Array.from(snapshot[k].data()));
  });

  it("an interrupt stops fit after the current batch, rejects, and keeps that batch's weights", async () => {
    const { X, y } = data.xor({ samples: 64, seed: 2 });
    const model = xorModel();
    model.compile({ optimizer: "adam", loss: "binaryCrossentropy" });
    let batches = 0;
    let snapshot: Record<string, Tensor> = {};
    const spy: nn.Callback = {
      onBatchEnd() {
        batches++;
        snapshot = model.stateDict();
      },
    };
    const run = model.fit(X, y, { epochs: 100, batchSize: 8, callbacks: [spy], verbose: 0 });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    nn.interruptTraining(); // what the kernel does on an interrupt_request
    await expect(run).rejects.toThrow(/fit: interrupted after batch \d+ of epoch 1; the model keeps the weights of that batch/);
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(8);
    const now = model.stateDict();
    for (const k of Object.keys(now)) expect(Array.from(now[k].data())).toEqual(Array.from(snapshot[k].data()));
    // The listener is gone: a later fit is not affected by the earlier interrupt.
    const h = await model.fit(X, y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(h.epoch).toEqual([0]);
  });

  it("EarlyStopping stops after `patience` epochs without improvement and restores the best weights", async () => {
    const { X, y } = data.xor({ samples: 32, seed: 3 });
    const model = xorModel();
    // A learning rate this large makes the loss bounce, so there is a best epoch to go back to.
    model.compile({ optimizer: new optim.SGD(model.parameters(), { lr: 40 }), loss: "mse" });
    const stop = new nn.EarlyStopping({ monitor: "loss", patience: 2, restoreBestWeights: true });
    let bestWeights: Record<string, Tensor> = {};
    const watcher: nn.Callback = {
      onEpochEnd: (e) => {
        if (e === stop.bestEpoch) bestWeights = model.stateDict();
      },
    };
    const h = await model.fit(X, y, { epochs: 50, batchSize: 32, shuffle: false, callbacks: [stop, watcher], verbose: 0 });
    expect(stop.stoppedEpoch).toBeGreaterThan(-1);
    expect(h.epoch.length).toBe(stop.stoppedEpoch + 1);
    expect(stop.stoppedEpoch - stop.bestEpoch).toBe(2);
    const now = model.stateDict();
    for (const k of Object.keys(now)) expect(Array.from(now[k].data())).toEqual(Array.from(bestWeights[k].data()));
    expect(() => new nn.EarlyStopping({ patience: -1 })).toThrow(/EarlyStopping: patience must be a non-negative integer/);
  });

  it("checks its inputs and its compile step", async () => {
    const model = xorModel();
    await expect(model.fit(tensor([[1, 2]]), tensor([[1]]))).rejects.toThrow(/fit: call model.compile/);
    model.compile({ optimizer: "adam", loss: "mse" });
    await expect(model.fit(tensor([[1, 2], [3, 4]]), tensor([[1]]), { verbose: 0 })).rejects.toThrow(
      /fit: X \[2,2\] and y \[1,1\] must have the same number of samples/,
    );
    expect(() => model.compile({ optimizer: "adamm", loss: "mse" })).toThrow(/unknown optimizer "adamm"/);
    expect(() => model.compile({ optimizer: "adam", loss: "mse", metrics: ["f2"] })).toThrow(/unknown metric "f2"/);
  });

  it("builds lazily sized Dense layers on the first fit", async () => {
    manualSeed(4);
    const model = new nn.Sequential([new nn.Dense(4, { activation: "relu" }), new nn.Dense(1)]);
    model.compile({ optimizer: "adam", loss: "mse" });
    const { X, y } = data.noisySine({ samples: 16 });
    await model.fit(X, y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(model.numParameters()).toBe(1 * 4 + 4 + 4 + 1);
    expect(model.summary().rows[0].outputShape).toEqual([4]);
    // With the first layer's inputDim known, Sequential builds the rest as they are added (as
    // Keras does), so an optimizer made right away sees every parameter.
    const eager = new nn.Sequential([new nn.Dense(4, { inputDim: 1, activation: "relu" }), new nn.Dense(3), new nn.Dense(1)]);
    expect(eager.numParameters()).toBe(1 * 4 + 4 + 4 * 3 + 3 + 3 + 1);
    eager.compile({ optimizer: new optim.SGD(eager.parameters(), { lr: 0.01 }), loss: "mse" });
    await eager.fit(X, y, { epochs: 1, verbose: 0 });
    // An optimizer made before lazy layers were built would silently skip them: refuse it.
    const lazy = new nn.Sequential([new nn.Dense(4), new nn.Linear(4, 1)]);
    lazy.compile({ optimizer: new optim.SGD(lazy.parameters()), loss: "mse" });
    await expect(lazy.fit(X, y, { verbose: 0 })).rejects.toThrow(/fit: the optimizer does not update 0\.weight, 0\.bias:/);
  });
});

describe("the hand-written loop (PyTorch style)", () => {
  it("DataLoader batches, shuffles with a seed and drops the last batch on request", () => {
    const X = tensor(Array.from({ length: 10 }, (_, i) => [i]));
    const y = tensor(Array.from({ length: 10 }, (_, i) => i), { dtype: "int32" });
    const ids = (loader: data.DataLoader) => [...loader].map(([xb, yb]) => {
      expect(Array.from(xb.reshape([-1]).data())).toEqual(Array.from(yb.data()));
      return Array.from(yb.data());
    });
    const plain = new data.DataLoader([X, y], { batchSize: 4 });
    expect(plain.length).toBe(3);
    expect(ids(plain)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    const shuffled = new data.DataLoader(new data.TensorDataset(X, y), { batchSize: 4, shuffle: true, seed: 7 });
    const e1 = ids(shuffled);
    const e2 = ids(shuffled);
    expect(e1.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e2); // a new order every epoch
    expect(ids(new data.DataLoader([X, y], { batchSize: 4, shuffle: true, seed: 7 }))).toEqual(e1); // same seed, same order
    const dropped = new data.DataLoader([X, y], { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect(ids(dropped).map((b) => b.length)).toEqual([4, 4]);
    expect(() => new data.TensorDataset(X, tensor([1, 2]))).toThrow(/TensorDataset: tensor 1 has shape \[2\] but tensor 0 has 10 samples/);
  });

  it("zeroGrad / backward / step fits a noisy sine", () => {
    manualSeed(5);
    const { X, y } = data.noisySine({ samples: 128, noise: 0.05, seed: 5 });
    const model = new nn.Sequential([new nn.Linear(1, 32), new nn.Tanh(), new nn.Linear(32, 1)]);
    const opt = new optim.Adam(model.parameters(), { lr: 0.02 });
    const loader = new data.DataLoader([X, y], { batchSize: 32, shuffle: true, seed: 0 });
    const lossOf = () => noGrad(() => nn.mseLoss(model.call(X), y).item());
    const before = lossOf();
    for (let epoch = 0; epoch < 60; epoch++) {
      for (const [xb, yb] of loader) {
        const loss = nn.mseLoss(model.call(xb), yb);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
    }
    expect(lossOf()).toBeLessThan(Math.min(0.05, before / 5));
  });

  it("a character-level LSTM's loss falls on the shipped corpus", async () => {
    manualSeed(6);
    const text = data.loadCorpus();
    const { X, y, vocab } = data.charSequences(text, { seqLength: 16, stride: 16 });
    const V = vocab.size;
    const model = new nn.Sequential([new nn.Embedding(V, 16), new nn.LSTM(16, 48), new nn.Linear(48, V)]);
    const loss = (yHat: Tensor, target: Tensor) =>
      nn.sparseCategoricalCrossEntropy(yHat.reshape([-1, V]), target.reshape([-1]), { fromLogits: true });
    model.compile({ optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }), loss });
    const n = 64;
    const Xs = X.slice(0, 0, n);
    const ys = y.slice(0, 0, n);
    const h = await model.fit(Xs, ys, { epochs: 6, batchSize: 32, verbose: 0 });
    const first = h.history.loss[0];
    const last = h.history.loss[h.history.loss.length - 1];
    expect(first).toBeGreaterThan(2.5); // about ln(V) at the start
    expect(last).toBeLessThan(first * 0.8);
    // Greedy sampling produces characters of the vocabulary.
    const logits = model.predict(Xs.slice(0, 0, 1));
    expect(vocab.decode(logits.argmax(-1).reshape([-1])).length).toBe(16);
  });
});
