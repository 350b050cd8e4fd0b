/** unfold (im2col) against conv2d and PyTorch's layout, gramMatrix, saliency and FGSM. */
import { describe, expect, it } from "vitest";
import { Tensor, conv2d, gradcheck, manualSeed, randn, tensor } from "../../lib/index";
import * as nn from "../../lib/nn";

const close = (a: Tensor, b: Tensor, tol = 1e-4) => {
  expect(a.shape).toEqual(b.shape);
  const x = Array.from(a.data()), y = Array.from(b.data());
  x.forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThan(tol));
};

describe("unfold", () => {
  it("orders a 2×2 patch's values as PyTorch does", () => {
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
    const cols = nn.unfold(x, 2);
    expect(cols.shape).toEqual([1, 4, 4]);
    // columns = patches (top-left, top-right, bottom-left, bottom-right); rows = kernel positions
    expect(cols.toArray()).toEqual([[[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]]);
  });

  it("makes conv2d a matrix product for strides, padding and dilation", () => {
    manualSeed(1);
    for (const o of [{ stride: 1, padding: 0, dilation: 1 }, { stride: 2, padding: 1, dilation: 1 }, { stride: 1, padding: 2, dilation: 2 }]) {
      const x = randn([2, 3, 7, 8]), w = randn([4, 3, 3, 3]);
      const ref = conv2d(x, w, null, o as any);
      const cols = nn.unfold(x, 3, o);
      const out = w.reshape(4, -1).matmul(cols).reshape(ref.shape);
      close(out, ref);
    }
  });

  it("has gradients that match numeric differentiation", () => {
    const x = randn([1, 2, 4, 4], { dtype: "float64", requiresGrad: true });
    const r = gradcheck((t) => nn.unfold(t, 3, { stride: 1, padding: 1 }).square().sum(), [x]);
    expect(r.ok, r.message).toBe(true);
  });

  it("names the argument on bad input", () => {
    expect(() => nn.unfold(randn([3, 4, 4]), 2)).toThrow(/unfold: x must be a tensor of shape \[N, C, H, W\], got \[3,4,4\]/);
    expect(() => nn.unfold(randn([1, 1, 2, 2]), 3)).toThrow(/smaller than the kernel 3×3/);
  });
});

describe("gramMatrix", () => {
  it("is F Fᵀ / (H·W) per image", () => {
    const f = tensor([[[[1, 2]], [[3, 4]]]]); // [1, 2, 1, 2]
    expect(nn.gramMatrix(f).toArray()).toEqual([[[2.5, 5.5], [5.5, 12.5]]]);
  });
});

describe("saliency and FGSM", () => {
  // A linear "model": scores = X·Wᵀ, so ∂score_c/∂X = W[c] exactly.
  const W = tensor([[1, -2, 0.5], [0, 3, -1]]);
  const model = (x: Tensor) => x.reshape(x.shape[0], -1).matmul(W.transpose(0, 1));

  it("inputGradient is the class row of W, saliencyMap its absolute value", () => {
    const X = tensor([[[[0.1, 0.2, 0.3]]], [[[0.3, 0.2, 0.1]]]]);
    expect(nn.inputGradient(model, X, [0, 1]).toArray()).toEqual([[[[1, -2, 0.5]]], [[[0, 3, -1]]]]);
    expect(nn.saliencyMap(model, X, 1).toArray()).toEqual([[[0, 3, 1]], [[0, 3, 1]]]);
  });

  it("fgsm steps each pixel by ε along the sign of the loss gradient and clips to [0, 1]", () => {
    const X = tensor([[[[0.5, 0.5, 0.05]]]]);
    const y = tensor([0], { dtype: "int32" });
    // ∂loss/∂x = −(1 − p0)(W0 − W1), so the step is −ε·sign([1, −5, 1.5])
    const adv = nn.fgsm(model, X, y, 0.1);
    const scores = (x: Tensor) => Array.from(model(x).data());
    const [a0, a1] = scores(adv), [b0, b1] = scores(X);
    expect(a0 - a1).toBeLessThan(b0 - b1);
    Array.from(adv.data()).forEach((v, i) => {
      const d = Math.abs(v - (X.data()[i] as number));
      expect(d <= 0.1 + 1e-6 && v >= 0 && v <= 1).toBe(true);
    });
    close(adv, tensor([[[[0.4, 0.6, 0]]]]), 1e-6);
  });

  it("leaves a module's parameter gradients and mode as they were", () => {
    manualSeed(0);
    const net = new nn.Sequential([new nn.Flatten(), new nn.Dense(2, { inputDim: 3 })]);
    net.train();
    nn.saliencyMap(net, randn([2, 1, 1, 3]));
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    expect(net.training).toBe(true);
  });
});
