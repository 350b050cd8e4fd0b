import { describe, expect, it } from "vitest";
import { arange, manualSeed, randn, tensor } from "../../lib/index";
import * as data from "../../lib/data";
import * as nn from "../../lib/nn";
import * as optim from "../../lib/optim";

const img = (n: number, h: number, w: number) => arange(n * h * w).reshape(n, h, w).float().add(1);

describe("image transforms", () => {
  it("randomShift moves whole images by at most maxShift pixels, filling with 0", () => {
    const x = img(50, 5, 6);
    const out = data.randomShift({ maxShift: 1, seed: 3 })(x);
    expect(out.shape).toEqual([50, 5, 6]);
    const src = x.data(), got = out.data();
    const shifts = new Set<string>();
    for (let s = 0; s < 50; s++) {
      // Find the shift that reproduces the sample exactly.
      let found = "";
      for (let dy = -1; dy <= 1 && !found; dy++) for (let dx = -1; dx <= 1 && !found; dx++) {
        let ok = true;
        for (let r = 0; r < 5 && ok; r++) for (let c = 0; c < 6 && ok; c++) {
          const sr = r - dy, sc = c - dx;
          const want = sr >= 0 && sr < 5 && sc >= 0 && sc < 6 ? src[s * 30 + sr * 6 + sc] : 0;
          ok = got[s * 30 + r * 6 + c] === want;
        }
        if (ok) found = `${dy},${dx}`;
      }
      expect(found).not.toBe("");
      shifts.add(found);
    }
    expect(shifts.size).toBe(9); // every shift in [-1, 1]² occurs in 50 draws
  });

  it("randomShift with maxShift 0 is the identity; the same seed repeats the draw", () => {
    const x = img(4, 3, 3);
    expect(Array.from(data.randomShift({ maxShift: 0 })(x).data())).toEqual(Array.from(x.data()));
    const a = data.randomShift({ maxShift: 2, seed: 7 })(x).data(), b = data.randomShift({ maxShift: 2, seed: 7 })(x).data();
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it("works on flat images with imageShape and moves all channels together", () => {
    const x = img(2, 2 * 4, 4).reshape(2, 32); // 2 samples of 2 channels of 4x4
    const out = data.randomShift({ maxShift: 1, imageShape: [4, 4], seed: 1 })(x);
    expect(out.shape).toEqual([2, 32]);
    const o = out.reshape(2, 2, 4, 4), src = x.reshape(2, 2, 4, 4);
    // The channel difference is constant (16) wherever neither channel was filled.
    const d = o.slice(1, 1, 2).sub(o.slice(1, 0, 1)).data(), a = o.slice(1, 0, 1).data();
    for (let i = 0; i < d.length; i++) if (a[i] !== 0) expect(d[i]).toBe(16);
    expect(src.shape).toEqual([2, 2, 4, 4]);
    expect(() => data.randomShift({ imageShape: [5, 5] })(x)).toThrow(/not a multiple of imageShape \[5, 5\]/);
    expect(() => data.randomShift()(tensor([1, 2, 3]))).toThrow(/pass imageShape/);
  });

  it("randomFlip with p = 1 mirrors left-right (and upside down), with p = 0 changes nothing", () => {
    const x = tensor([[[1, 2, 3], [4, 5, 6]]]);
    expect(data.randomFlip({ p: 1 })(x).toArray()).toEqual([[[3, 2, 1], [6, 5, 4]]]);
    expect(data.randomFlip({ p: 1, horizontal: false, vertical: true })(x).toArray()).toEqual([[[4, 5, 6], [1, 2, 3]]]);
    expect(data.randomFlip({ p: 0 })(x).toArray()).toEqual(x.toArray());
    expect(() => data.randomFlip({ p: 2 })).toThrow(/p must be a probability/);
  });

  it("gaussianNoise has the asked spread and clips to [0, 1]", () => {
    const x = tensor(new Float32Array(20000).fill(0.5), { shape: [2, 100, 100] });
    const out = data.gaussianNoise({ std: 0.1, seed: 2 })(x);
    const d = out.sub(x);
    expect(d.mean().item()).toBeCloseTo(0, 2);
    expect(Math.sqrt(d.square().mean().item())).toBeCloseTo(0.1, 2);
    const wide = data.gaussianNoise({ std: 2 })(x).data();
    expect(Math.min(...wide)).toBe(0);
    expect(Math.max(...wide)).toBe(1);
    expect(data.gaussianNoise({ std: 2, clip: null })(x).max().item()).toBeGreaterThan(1);
  });

  it("compose applies left to right; outputs never require grad", () => {
    const x = tensor([[[1, 2], [3, 4]]], { requiresGrad: true });
    const t = data.compose(data.randomFlip({ p: 1 }), (z) => z.mul(10));
    expect(t(x).toArray()).toEqual([[[20, 10], [40, 30]]]);
    expect(data.randomFlip({ p: 1 })(x).requiresGrad).toBe(false);
    expect(() => data.compose(data.randomFlip(), 3 as any)).toThrow(/transform 1 is not a function/);
  });

  it("DataLoader and fit apply a transform to the input batches only", async () => {
    const X = img(8, 2, 2), y = arange(8).float().reshape(8, 1);
    const seen: number[] = [];
    const loader = new data.DataLoader([X, y], { batchSize: 4, transform: (xb) => { seen.push(xb.shape[0]); return xb.mul(0); } });
    for (const [xb, yb] of loader) {
      expect(xb.sum().item()).toBe(0);
      expect(yb.sum().item()).toBeGreaterThan(0);
    }
    expect(seen).toEqual([4, 4]);
    manualSeed(0);
    const model = new nn.Sequential([new nn.Flatten(), new nn.Dense(1, { inputDim: 4 })]);
    model.compile({ optimizer: new optim.SGD(model.parameters(), { lr: 0.01 }), loss: "mse" });
    let calls = 0;
    await model.fit(X, y, { epochs: 2, batchSize: 4, verbose: 0, transform: (xb) => { calls++; return xb; } });
    expect(calls).toBe(4);
    await expect(model.fit(X, y, { epochs: 1, verbose: 0, transform: 5 as any })).rejects.toThrow(/transform must be a function/);
  });
});

describe("kFold", () => {
  it("covers every sample once for validation, in folds of nearly equal size", () => {
    const folds = data.kFoldIndices(10, 3, { shuffle: false });
    expect(folds.map((f) => Array.from(f.val))).toEqual([[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(Array.from(folds[1].train)).toEqual([0, 1, 2, 3, 7, 8, 9]);
    const shuffled = data.kFoldIndices(23, 5, { seed: 4 });
    const all = shuffled.flatMap((f) => Array.from(f.val)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 23 }, (_, i) => i));
    for (const f of shuffled) expect(new Set([...f.train, ...f.val]).size).toBe(23);
    expect(() => data.kFoldIndices(5, 6)).toThrow(/k must be an integer in \[2, 5\]/);
  });

  it("splits X and y consistently", () => {
    const X = randn([12, 3]), y = arange(12).reshape(12, 1).float();
    for (const f of data.kFold(X, y, 4, { seed: 1 })) {
      expect(f.XTrain.shape).toEqual([9, 3]);
      expect(f.XVal.shape).toEqual([3, 3]);
      const idx = Array.from(f.yVal.data());
      expect(Array.from(f.XVal.data())).toEqual(idx.flatMap((i) => Array.from(X.slice(0, i, i + 1).data())));
    }
    expect(() => data.kFold(X, y.slice(0, 0, 5), 2)).toThrow(/same number of samples/);
  });
});
