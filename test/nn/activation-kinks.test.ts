import { describe, expect, it } from "vitest";
import { grad, nn, tensor } from "../../lib";

// At x = 0 the composed activations must take PyTorch's one-sided derivatives, not the
// tie-splitting gradients of relu/abs/minimum they might be built from.
describe("activation derivatives at 0", () => {
  const d = (f: (x: any) => any, x: number[]) =>
    Array.from(grad((t: any) => f(t).sum())(tensor(x, { dtype: "float64" }))[0].data());

  it("softplus'(0) = sigmoid(0) = 0.5, and stays finite far out", () => {
    const g = d(nn.functional.softplus, [0, -1, 2, 80, -80]);
    expect(g[0]).toBe(0.5);
    expect(g[1]).toBeCloseTo(1 / (1 + Math.E), 12);
    expect(g[2]).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    expect(g[3]).toBe(1);
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it("elu'(0) = alpha and selu'(0) = scale * alpha, as in PyTorch", () => {
    expect(d((x) => nn.functional.elu(x, 0.7), [0])[0]).toBeCloseTo(0.7, 12);
    expect(d(nn.functional.selu, [0])[0]).toBeCloseTo(1.0507009873554805 * 1.6732632423543772, 9);
  });
});
