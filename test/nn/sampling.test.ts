import { describe, expect, it } from "vitest";
import { tensor, Generator } from "../../lib/index";
import { entropy, sampleWithTemperature, softmaxWithTemperature } from "../../lib/nn/sampling";

describe("softmaxWithTemperature", () => {
  it("is the softmax at τ = 1 and of z/τ otherwise", () => {
    const z = [2, 1, -0.5];
    for (const tau of [1, 0.5, 3]) {
      const e = z.map((v) => Math.exp(v / tau));
      const s = e.reduce((a, b) => a + b, 0);
      const p = softmaxWithTemperature(tensor(z), tau);
      p.forEach((v, i) => expect(v).toBeCloseTo(e[i] / s, 12));
    }
  });
  it("is one-hot at τ = 0 and stays finite for huge logits", () => {
    expect(Array.from(softmaxWithTemperature([1, 5, 5, 2], 0))).toEqual([0, 1, 0, 0]);
    const p = softmaxWithTemperature([1000, 999], 0.01);
    expect(p[0]).toBeCloseTo(1, 12);
    expect(Number.isFinite(p[1])).toBe(true);
  });
  it("names bad temperatures and shapes", () => {
    expect(() => softmaxWithTemperature([1, 2], -1)).toThrow(/temperature must be a finite number ≥ 0, got -1/);
    expect(() => softmaxWithTemperature([1, 2], NaN)).toThrow(/temperature/);
    expect(() => softmaxWithTemperature(tensor([[1, 2]]), 1)).toThrow(/one vector \[C\], got shape \[1,2\]/);
    expect(() => softmaxWithTemperature([], 1)).toThrow(/empty/);
  });
});

describe("entropy", () => {
  it("is 0 for a certain outcome and log C for uniform", () => {
    expect(entropy([0, 1, 0])).toBe(0);
    expect(entropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(Math.log(4), 12);
    expect(entropy(tensor([0.5, 0.5]))).toBeCloseTo(Math.LN2, 6);
  });
  it("rises with the temperature", () => {
    const z = [3, 1, 0.2, -1];
    const h = [0.25, 0.5, 1, 2, 4].map((t) => entropy(softmaxWithTemperature(z, t)));
    for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThan(h[i - 1]);
  });
  it("rejects non-distributions", () => {
    expect(() => entropy([0.5, 0.6])).toThrow(/sum to 1/);
    expect(() => entropy([-0.1, 1.1])).toThrow(/≥ 0, got -0.1 at index 0/);
  });
});

describe("sampleWithTemperature", () => {
  it("draws classes with the tempered frequencies", () => {
    const z = [Math.log(1), Math.log(2), Math.log(7)]; // p = 0.1, 0.2, 0.7 at τ = 1
    const gen = new Generator(1);
    for (const [tau, p] of [[1, [0.1, 0.2, 0.7]], [0.5, [1 / 54, 4 / 54, 49 / 54]]] as const) {
      const counts = [0, 0, 0];
      const n = 20000;
      for (let i = 0; i < n; i++) counts[sampleWithTemperature(z, { temperature: tau, generator: gen })]++;
      counts.forEach((c, i) => expect(Math.abs(c / n - p[i])).toBeLessThan(0.015));
    }
  });
  it("is greedy at τ = 0 and reproducible with a seeded generator", () => {
    expect(sampleWithTemperature([0.1, 3, 2], { temperature: 0 })).toBe(1);
    const a = Array.from({ length: 20 }, ((g) => () => sampleWithTemperature([0, 0, 0, 0], { generator: g }))(new Generator(7)));
    const b = Array.from({ length: 20 }, ((g) => () => sampleWithTemperature([0, 0, 0, 0], { generator: g }))(new Generator(7)));
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});
