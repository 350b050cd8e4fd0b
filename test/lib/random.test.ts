import { beforeAll, describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { Engine, setEngine } from "../../lib";

beforeAll(() => {
  setEngine(new Engine({ defaultDevice: "js" }));
});

describe("random generator", () => {
  it("the same seed gives the same tensors", () => {
    gb.manualSeed(42);
    const a = [gb.rand([5]).toArray(), gb.randn([2, 3]).toArray(), gb.randint(0, 10, [6]).toArray(), gb.randperm(6).toArray()];
    gb.manualSeed(42);
    const b = [gb.rand([5]).toArray(), gb.randn([2, 3]).toArray(), gb.randint(0, 10, [6]).toArray(), gb.randperm(6).toArray()];
    expect(b).toEqual(a);
    gb.manualSeed(43);
    expect(gb.rand([5]).toArray()).not.toEqual(a[0]);
  });

  it("draws from the right distributions", () => {
    gb.manualSeed(0);
    const n = gb.randn([20000], { dtype: "float64" });
    expect(Math.abs(n.mean().item())).toBeLessThan(0.03);
    expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.03);
    const u = gb.rand([20000], { dtype: "float64" });
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    expect(u.max().item()).toBeLessThan(1);
    expect(Math.abs(u.mean().item() - 0.5)).toBeLessThan(0.01);
    const r = gb.randint(-2, 3, [5000]);
    expect(r.dtype).toBe("int32");
    expect([r.min().item(), r.max().item()]).toEqual([-2, 2]);
    expect((gb.randperm(50).sort().values.toArray() as number[])).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("dropout zeroes about p of the elements and rescales the rest", () => {
    gb.manualSeed(1);
    const x = gb.ones([10000]);
    const y = gb.dropout(x, 0.3, true);
    const kept = y.ne(0).sum().item();
    expect(Math.abs(kept / 10000 - 0.7)).toBeLessThan(0.02);
    expect(y.max().item()).toBeCloseTo(1 / 0.7, 5);
    expect(gb.dropout(x, 0.3, false)).toBe(x);
    const g = gb.ones([4], { requiresGrad: true });
    gb.dropout(g, 0.5).sum().backward();
    expect((g.grad!.toArray() as number[]).every((v) => v === 0 || v === 2)).toBe(true);
  });
});
