/**
 * PyTorch 1.13's semantics where a student would notice a difference: dtype promotion with
 * 0-d tensors, bool arithmetic, integer powers and sums, unbatched convolution, nn errors and
 * summary descriptions. Expected values and dtypes come from PyTorch.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { Engine, OpError, nn, setEngine, tensor } from "../../lib";

beforeAll(() => {
  setEngine(new Engine({ defaultDevice: "js" }));
});

describe("dtype promotion with 0-d tensors", () => {
  it("a 0-d tensor of the same category does not widen the result (float32[2] + float64 0-d → float32)", () => {
    expect(tensor([1, 2]).add(tensor(1, { dtype: "float64" })).dtype).toBe("float32");
    expect(tensor([1, 2]).mul(tensor(3, { dtype: "int32" })).dtype).toBe("float32");
    expect(gb.where(tensor([true]), tensor([1]), tensor(2, { dtype: "float64" })).dtype).toBe("float32");
  });

  it("a 0-d tensor of a higher category decides (int32[2] + float64 0-d → float64)", () => {
    const i = tensor([2, 3], { dtype: "int32" });
    expect(i.add(tensor(1.5, { dtype: "float64" })).dtype).toBe("float64");
    expect(i.add(tensor(1.5)).dtype).toBe("float32");
    expect(tensor([true, false]).add(tensor(1, { dtype: "int32" })).dtype).toBe("int32");
    expect(i.add(tensor(true)).dtype).toBe("int32");
  });

  it("two 0-d tensors, or two dimensioned ones, promote as usual", () => {
    expect(tensor(1).add(tensor(1, { dtype: "float64" })).dtype).toBe("float64");
    expect(tensor([1]).add(tensor([1], { dtype: "float64" })).dtype).toBe("float64");
  });
});

describe("bool arithmetic", () => {
  const b = () => tensor([true, false]), c = () => tensor([true, true]);
  it("add is or, mul is and, maximum/minimum stay bool", () => {
    const s = b().add(c());
    expect(s.dtype).toBe("bool");
    expect(s.toArray()).toEqual([true, true]);
    expect(b().mul(c()).toArray()).toEqual([true, false]);
    expect(gb.maximum(b(), c()).dtype).toBe("bool");
    expect(gb.minimum(b(), c()).toArray()).toEqual([true, false]);
    expect(b().add(tensor(true)).dtype).toBe("bool");
  });
  it("a number, true division and sums leave bool as PyTorch does", () => {
    expect(b().add(1).dtype).toBe("int32");
    expect(b().div(c()).dtype).toBe("float32");
    expect(b().sum().dtype).toBe("int32");
  });
  it("refuses subtraction and pow of two bools, naming a fix", () => {
    expect(() => b().sub(c())).toThrow(/sub: subtracting two bool tensors is not supported .*a\.ne\(b\)/);
    expect(() => b().pow(c())).toThrow(/pow: pow is not defined for bool tensors/);
  });
});

describe("integer powers and totals", () => {
  it("refuses integers to negative integer powers (PyTorch raises)", () => {
    const i = tensor([2, 3], { dtype: "int32" });
    expect(() => i.pow(-1)).toThrow(/pow: integers to negative integer powers are not allowed \(exponent -1\); use a float base, e\.g\. x\.float\(\)\.pow\(-1\)/);
    expect(() => i.pow(tensor([-1, 1], { dtype: "int32" }))).toThrow(/negative integer powers/);
    expect(i.pow(2).toArray()).toEqual([4, 9]);
    expect(i.pow(tensor([0, 1], { dtype: "int32" })).toArray()).toEqual([1, 3]);
    expect(i.float().pow(-1).toArray()).toEqual([0.5, 1 / 3].map(Math.fround));
  });

  it("int32 sums no longer wrap at 2^31: exact, or an error that says so", () => {
    const big = tensor([2 ** 30, 2 ** 30], { dtype: "int32" });
    expect(() => big.sum()).toThrow(/sum: the int32 sum of shape \[2\] overflows int32: a total of 2147483648 is outside ±2147483647 .*x\.double\(\)\.sum/);
    expect(() => big.cumsum(0)).toThrow(/cumsum: the int32 cumsum of shape \[2\] overflows int32/);
    expect(() => tensor([65536, 65536], { dtype: "int32" }).prod()).toThrow(/prod: .*overflows int32/);
    expect(big.double().sum().item()).toBe(2 ** 31);
    const ok = tensor([2 ** 30, 2 ** 30 - 1, -5], { dtype: "int32" });
    expect(ok.sum().item()).toBe(2 ** 31 - 6);
    expect(ok.sum().dtype).toBe("int32");
    expect(tensor([[1, 2], [3, 4]], { dtype: "int32" }).cumsum(1).toArray()).toEqual([[1, 3], [3, 7]]);
    expect(tensor([2, 3], { dtype: "int32" }).prod().item()).toBe(6);
  });
});

describe("unbatched images", () => {
  it("conv2d takes [C, H, W] like PyTorch and returns [Cout, H', W']", () => {
    const x = gb.randn([2, 5, 5], { dtype: "float64" });
    const w = gb.randn([3, 2, 3, 3], { dtype: "float64" });
    const b = gb.randn([3], { dtype: "float64" });
    const y = gb.conv2d(x, w, b, { padding: 1 });
    expect(y.shape).toEqual([3, 5, 5]);
    const batched = gb.conv2d(x.unsqueeze(0), w, b, { padding: 1 }).squeeze(0);
    expect(y.sub(batched).abs().max().item()).toBe(0);
    expect(() => gb.conv2d(gb.randn([5, 5]), w)).toThrow(/conv2d: x must be 4-D \[N, C, H, W\] or 3-D \[C, H, W\], got shape \[5,5\]/);
  });

  it("pooling takes [C, H, W] too", () => {
    const x = gb.randn([2, 4, 4]);
    expect(gb.maxPool2d(x, 2).shape).toEqual([2, 2, 2]);
    expect(gb.avgPool2d(x, 2).shape).toEqual([2, 2, 2]);
  });

  it("unbatched conv2d differentiates", () => {
    const x = gb.randn([1, 4, 4], { dtype: "float64", requiresGrad: true });
    const w = gb.randn([2, 1, 3, 3], { dtype: "float64", requiresGrad: true });
    expect(gb.gradcheck((a: gb.Tensor, k: gb.Tensor) => gb.conv2d(a, k), [x, w]).ok).toBe(true);
  });
});

describe("nn errors and summaries", () => {
  it("layer, loss, model and optimizer errors are OpErrors naming the op", () => {
    const cases: [() => unknown, RegExp][] = [
      [() => new nn.Dense(0), /^Dense: outFeatures must be a positive integer/],
      [() => new nn.Conv2d(3, 4, 3, { groups: 2 }), /^Conv2d: inChannels \(3\)/],
      [() => nn.getLoss("nope" as never), /^compile: unknown loss "nope"/],
      [() => new gb.optim.SGD([gb.randn([2], { requiresGrad: true })], { lr: -1 }), /^SGD: invalid learning rate: -1/],
      [() => new nn.Sequential([]).compile({} as never), /^compile: needs \{ optimizer, loss \}/],
    ];
    for (const [f, re] of cases) {
      let err: unknown = null;
      try { f(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(OpError);
      expect((err as Error).message).toMatch(re);
    }
  });

  it("summary shows a convolution's padding, so pad 0 and pad 1 read differently", () => {
    expect(new nn.Conv2d(3, 96, 7, { stride: 2 }).describe()).toBe("Conv2d(3 → 96, 7×7, stride 2×2, pad 0×0)");
    expect(new nn.Conv2d(3, 96, 7, { stride: 2, padding: 1 }).describe()).toBe("Conv2d(3 → 96, 7×7, stride 2×2, pad 1×1)");
    expect(new nn.Conv2d(3, 8, 3, { padding: "same", dilation: 2 }).describe()).toBe("Conv2d(3 → 8, 3×3, stride 1×1, pad same, dilation 2×2)");
    expect(new nn.MaxPool2d(3, { stride: 2, padding: 1 }).describe()).toBe("MaxPool2d(3×3, stride 2×2, pad 1×1)");
    expect(new nn.MaxPool2d(2).describe()).toBe("MaxPool2d(2×2, stride 2×2)");
  });
});
