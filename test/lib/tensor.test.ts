import { beforeAll, describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { Engine, setEngine, tensor, type Tensor } from "../../lib";
import { createJsBackend } from "../../lib/backends/js";

beforeAll(() => {
  setEngine(new Engine({ defaultDevice: "js" }));
});

describe("creation", () => {
  it("infers shape and dtype from nested arrays, booleans and typed arrays", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.device).toBe("js");
    expect(tensor([true, false]).dtype).toBe("bool");
    expect(tensor(new Float64Array([1, 2])).dtype).toBe("float64");
    expect(tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(tensor(3.5).shape).toEqual([]);
    expect(tensor([1.7, -1.7], { dtype: "int32" }).toArray()).toEqual([1, -1]);
    expect(tensor([0, 0.5, 2], { dtype: "bool" }).toArray()).toEqual([false, true, true]);
    expect(tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] }).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tensor([new Float32Array([1, 2]), new Float32Array([3, 4])]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensor([]).shape).toEqual([0]);
  });

  it("copies a tensor argument instead of sharing it", () => {
    const a = tensor([1, 2]);
    const b = tensor(a);
    b.assign(7);
    expect(a.toArray()).toEqual([1, 2]);
  });

  it("rejects ragged nested arrays with the position", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array: expected 2 elements at \[1\], got 1/);
  });

  it("fills, ranges and identities", () => {
    expect(gb.zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(gb.full([2], 7, { dtype: "int32" }).toArray()).toEqual([7, 7]);
    expect(gb.arange(4).dtype).toBe("int32");
    expect(gb.arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(gb.arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(gb.arange(0, 1, 0.25).dtype).toBe("float32");
    expect(gb.arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(gb.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(gb.eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(gb.onesLike(gb.zeros([2], { dtype: "float64" })).dtype).toBe("float64");
  });
});

describe("views", () => {
  const base = (): Tensor => gb.arange(24, undefined, 1, { dtype: "float32" }).reshape(2, 3, 4);

  it("reshape, transpose, permute, slice and expand share the storage", () => {
    const x = base();
    for (const v of [x.reshape(6, 4), x.transpose(0, 2), x.permute(2, 0, 1), x.slice(2, 1, 3), x.index(1), x.unsqueeze(0).expand(5, 2, 3, 4)]) {
      expect(v.storage).toBe(x.storage);
    }
    expect(x.transpose(0, 2).isContiguous()).toBe(false);
    expect(x.transpose(0, 2).contiguous().storage).not.toBe(x.storage);
  });

  it("reads through strides correctly", () => {
    const x = base();
    expect(x.transpose(1, 2).get(1, 3, 2)).toBe(x.get(1, 2, 3));
    expect(x.slice(2, 1, 4, 2).toArray()).toEqual([[[1, 3], [5, 7], [9, 11]], [[13, 15], [17, 19], [21, 23]]]);
    expect(x.index(-1, [1, 3], 0).toArray()).toEqual([16, 20]);
    expect(x.index(0, null).shape).toEqual([1, 3, 4]);
    expect(tensor([1, 2, 3]).expand(2, 3).toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect((x.transpose(0, 1).reshape(-1).toArray() as number[]).slice(0, 6)).toEqual([0, 1, 2, 3, 12, 13]);
  });

  it("copies batched transposes (the tiled path) exactly", () => {
    const y = gb.randn([3, 40, 37]);
    const t = y.transpose(1, 2).contiguous().toArray() as number[][][];
    const src = y.toArray() as number[][][];
    let same = true;
    for (let b = 0; b < 3; b++) for (let i = 0; i < 37; i++) for (let j = 0; j < 40; j++) if (t[b][i][j] !== src[b][j][i]) same = false;
    expect(same).toBe(true);
    expect(gb.arange(6).reshape(2, 3).T.contiguous().toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  it("ops on strided views give the same values as on contiguous copies", () => {
    const x = gb.randn([3, 4, 5]);
    const v = x.permute(2, 0, 1).slice(1, 1, 3);
    const c = v.contiguous();
    expect(v.exp().add(1).toArray()).toEqual(c.exp().add(1).toArray());
    expect(v.sum(1).toArray()).toEqual(c.sum(1).toArray());
    expect(gb.matmul(v, v.mT).toArray()).toEqual(gb.matmul(c, c.mT).toArray());
  });
});

describe("element access and in-place updates", () => {
  it("item, get, toArray and data", () => {
    const t = tensor([[1, 2], [3, 4]], { dtype: "int32" });
    expect(t.get(1, 0)).toBe(3);
    expect(t.get(-1, -1)).toBe(4);
    expect(t.sum().item()).toBe(10);
    expect(Array.from(t.data())).toEqual([1, 2, 3, 4]);
    expect(t.data()).toBeInstanceOf(Int32Array);
    expect(tensor([true]).toArray()).toEqual([true]);
  });

  it("assign and addInPlace write through views, and refuse tracked tensors", () => {
    const w = gb.zeros([2, 3]);
    w.slice(1, 1, 2).assign(5);
    expect(w.toArray()).toEqual([[0, 5, 0], [0, 5, 0]]);
    w.addInPlace(tensor([1, 2, 3]), 2);
    expect(w.toArray()).toEqual([[2, 9, 6], [2, 9, 6]]);
    const p = gb.ones([2], { requiresGrad: true });
    expect(() => p.addInPlace(1)).toThrow(/addInPlace: cannot modify a tensor that requires grad while grad mode is on/);
    gb.noGrad(() => p.addInPlace(p.mul(-0.5)));
    expect(p.toArray()).toEqual([0.5, 0.5]);
    expect(() => w.assign(tensor([1, 2]))).toThrow(/assign: cannot broadcast shapes \[2,3\] and \[2\]/);
  });
});

describe("dtypes", () => {
  it("promotes like PyTorch", () => {
    const i = tensor([1, 2], { dtype: "int32" });
    expect(i.add(1).dtype).toBe("int32");
    expect(i.add(0.5).dtype).toBe("float32");
    expect(i.div(2).toArray()).toEqual([0.5, 1]);
    expect(i.add(tensor([1, 1], { dtype: "float64" })).dtype).toBe("float64");
    expect(tensor([1], { dtype: "float32" }).mul(3).dtype).toBe("float32");
    expect(i.gt(1).dtype).toBe("bool");
    expect(i.exp().dtype).toBe("float32");
    expect(tensor([true, true]).sum().toArray()).toBe(2);
  });

  it("float64 keeps double precision", () => {
    const x = tensor([1 + 1e-12], { dtype: "float64" });
    expect(x.sub(1).item()).toBe(1 + 1e-12 - 1);
    expect(tensor([1 + 1e-12]).sub(1).item()).toBe(0);
  });
});

describe("devices", () => {
  it("copies between devices, routes gradients back, and refuses to mix them", () => {
    const e = new Engine({ defaultDevice: "js", backends: [createJsBackend("cpu")] });
    gb.withEngine(e, () => {
      const a = tensor([1, 2, 3], { requiresGrad: true });
      const b = a.to("cpu");
      expect(b.device).toBe("cpu");
      expect(b.toArray()).toEqual([1, 2, 3]);
      b.mul(b).sum().backward();
      expect(a.grad!.device).toBe("js");
      expect(a.grad!.toArray()).toEqual([2, 4, 6]);
      expect(() => a.add(b)).toThrow('add: argument a is on device "js" but b is on device "cpu"; move one with .to("js") or .to("cpu")');
      expect(() => gb.matmul(a.reshape(1, 3), b.reshape(3, 1))).toThrow(/matmul: argument a is on device "js" but b is on device "cpu"/);
    });
  });

  it("explains why an unavailable device cannot be used", () => {
    const e = new Engine({ defaultDevice: "js" });
    const avail = e.availability("cuda");
    if (!avail.available) {
      expect(avail.reason!.length).toBeGreaterThan(0);
      expect(() => gb.withEngine(e, () => tensor([1], { device: "cuda" }))).toThrow(/device "cuda" is unavailable: /);
    }
    expect(() => gb.withEngine(e, () => tensor([1], { device: "tpu" as never }))).toThrow(/unknown device "tpu"/);
  });

  it("GRADBOOK_DEVICE=js forces the default device", () => {
    const prev = process.env.GRADBOOK_DEVICE;
    process.env.GRADBOOK_DEVICE = "js";
    try {
      expect(new Engine().getDefaultDevice()).toBe("js");
    } finally {
      if (prev === undefined) delete process.env.GRADBOOK_DEVICE;
      else process.env.GRADBOOK_DEVICE = prev;
    }
  });
});

describe("js matmul kernel", () => {
  function naive(a: number[][], b: number[][]): number[][] {
    return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
  }

  it("matches a naive product across block edges, with transposed operands", () => {
    // Sizes cross the 4x4 micro-tile, the 64-row and 256-deep blocks and a 512-column panel.
    for (const [m, k, n] of [[5, 3, 7], [67, 260, 9], [3, 300, 517]]) {
      const a = gb.randn([m, k], { dtype: "float64" }), b = gb.randn([k, n], { dtype: "float64" });
      const want = naive(a.toArray() as number[][], b.toArray() as number[][]);
      const check = (got: Tensor): void => {
        const g = got.toArray() as number[][];
        let err = 0;
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) err = Math.max(err, Math.abs(g[i][j] - want[i][j]));
        expect(err).toBeLessThan(1e-9);
      };
      check(gb.matmul(a, b));
      check(gb.matmul(a.mT.contiguous().mT, b));
      check(gb.matmul(a, b.mT.contiguous().mT));
      check(gb.matmul(a.mT.contiguous().mT, b.mT.contiguous().mT));
    }
  });
});
