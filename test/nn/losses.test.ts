/** Losses against PyTorch (value and gradient), and their input checks. */
import { describe, expect, it } from "vitest";
import { tensor } from "../../lib/index";
import * as nn from "../../lib/nn";
import { expectClose, fixture, leaf } from "./helpers";

const F = fixture("nn_losses.json");

const cases: [string, (p: any, t: any) => any, boolean?][] = [
  ["mse", nn.mseLoss],
  ["mae", nn.maeLoss],
  ["bce", (p, t) => nn.binaryCrossEntropy(p, t)],
  ["bceLogits", (p, t) => nn.binaryCrossEntropy(p, t, { fromLogits: true })],
  ["cce", (p, t) => nn.categoricalCrossEntropy(p, t)],
  ["cceLogits", (p, t) => nn.categoricalCrossEntropy(p, t, { fromLogits: true })],
  ["sparseCce", (p, t) => nn.sparseCategoricalCrossEntropy(p, t.astype("int32"))],
  ["sparseCceLogits", (p, t) => nn.sparseCategoricalCrossEntropy(p, t.astype("int32"), { fromLogits: true })],
  ["hinge", nn.hingeLoss],
  ["exponential", nn.exponentialLoss],
];

describe("losses match PyTorch", () => {
  for (const [name, fn] of cases) {
    it(name, () => {
      const f = F[name];
      const p = leaf(f.pred);
      const loss = fn(p, tensor(f.target));
      expect(loss.shape).toEqual([]);
      expect(loss.item()).toBeCloseTo(f.value, 4);
      loss.backward();
      expectClose(p.grad, f.grad, `${name} gradient`, 1e-5);
    });
  }

  it("getLoss resolves Keras names, and unknown names are an error listing the known ones", () => {
    const f = F.sparseCceLogits;
    const loss = nn.getLoss("sparseCategoricalCrossentropyFromLogits")(tensor(f.pred), tensor(f.target).astype("int32"));
    expect(loss.item()).toBeCloseTo(f.value, 4);
    expect(nn.getLoss("mse")).toBe(nn.mseLoss);
    expect(() => nn.getLoss("msee")).toThrow(/unknown loss "msee"; known: mse/);
  });

  it("hinge and exponential accept 0/1 targets as -1/+1", () => {
    const s = tensor([2, -0.5, 0.3]);
    expect(nn.hingeLoss(s, tensor([1, 0, 1])).item()).toBeCloseTo(nn.hingeLoss(s, tensor([1, -1, 1])).item(), 6);
    expect(nn.exponentialLoss(tensor([0]), tensor([1])).item()).toBeCloseTo(1, 6);
    expect(() => nn.hingeLoss(s, tensor([1, 2, 1]))).toThrow(/hingeLoss: targets must be/);
  });

  it("binary cross-entropy stays finite at p = 0 and 1", () => {
    expect(Number.isFinite(nn.binaryCrossEntropy(tensor([0, 1]), tensor([1, 0])).item())).toBe(true);
  });

  it("shape mismatches name the loss and both shapes", () => {
    expect(() => nn.mseLoss(tensor([[1, 2]]), tensor([1, 2]))).toThrow(/mseLoss: prediction shape \[1,2\] and target shape \[2\] differ/);
    expect(() => nn.sparseCategoricalCrossEntropy(tensor([[1, 2]]), tensor([1, 0], { dtype: "int32" }))).toThrow(
      /sparseCategoricalCrossEntropy: expected predictions \[N, C\] and labels \[N\], got \[1,2\] and \[2\]/,
    );
  });
});

describe("losses on saturated probabilities", () => {
  // A sigmoid output of exactly 0 or 1 (float32 saturates near |x| = 17) must not turn the
  // gradient into NaN: PyTorch clamps the log at −100 and its gradient stays finite.
  it("binary and categorical cross-entropy keep finite gradients at p = 0 and p = 1", () => {
    const p = tensor([1, 0.5, 0, 1], { requiresGrad: true });
    const loss = nn.binaryCrossEntropy(p, tensor([1, 1, 0, 0]));
    // the last pair (p = 1, y = 0) is clamped: −log(e^−100) = 100
    expect(loss.item()).toBeCloseTo((0 + Math.log(2) + 0 + 100) / 4, 4);
    loss.backward();
    const g = Array.from(p.grad!.data());
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g[1]).toBeCloseTo(-1 / 0.5 / 4, 6);

    const q = tensor([[1, 0, 0], [0.5, 0.5, 0]], { requiresGrad: true });
    const cce = nn.categoricalCrossEntropy(q, tensor([[1, 0, 0], [0, 1, 0]]));
    cce.backward();
    expect(Array.from(q.grad!.data()).every(Number.isFinite)).toBe(true);
    expect(cce.item()).toBeCloseTo(Math.log(2) / 2, 5);

    const logits = tensor([40], { requiresGrad: true });
    nn.binaryCrossEntropy(logits.sigmoid(), tensor([1])).backward();
    expect(Number.isFinite(logits.grad!.item())).toBe(true);
  });
});
