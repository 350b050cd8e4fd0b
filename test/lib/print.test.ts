import { beforeAll, describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { Engine, setEngine, tensor } from "../../lib";
import { createJsBackend } from "../../lib/backends/js";

beforeAll(() => {
  setEngine(new Engine({ defaultDevice: "js" }));
});

// Expected strings are PyTorch 1.13's repr() of the same tensors (dtype names without "torch.").
describe("printing like PyTorch", () => {
  it("chooses one format for all elements and aligns them", () => {
    expect(String(tensor([[1, 2, 3], [4, 5, 6]]))).toBe("tensor([[1., 2., 3.],\n        [4., 5., 6.]])");
    expect(String(tensor([0.1, -1.25, 3.0]))).toBe("tensor([ 0.1000, -1.2500,  3.0000])");
    expect(String(tensor([1e-5, 1.0, 1000.0]))).toBe("tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])");
    expect(String(tensor([1, -20, 3], { dtype: "int32" }))).toBe("tensor([  1, -20,   3])");
    expect(String(tensor([true, false]))).toBe("tensor([ True, False])");
    expect(String(tensor(3.5))).toBe("tensor(3.5000)");
    expect(String(tensor([NaN, Infinity, -1.5]))).toBe("tensor([    nan,     inf, -1.5000])");
  });

  it("shows dtype, device and autodiff state after the values", () => {
    expect(String(tensor([1, 2], { requiresGrad: true }))).toBe("tensor([1., 2.], requires_grad=True)");
    expect(String(tensor([1, 2], { requiresGrad: true }).mul(2))).toBe("tensor([2., 4.], grad_fn=<MulBackward>)");
    expect(String(tensor([1, 2], { dtype: "float64" }))).toBe("tensor([1., 2.], dtype=float64)");
    expect(String(gb.zeros([0, 3]))).toBe("tensor([], size=(0, 3))");
    const e = new Engine({ defaultDevice: "js", backends: [createJsBackend("cuda")] });
    expect(gb.withEngine(e, () => String(tensor([1], { device: "cuda" })))).toBe("tensor([1.], device='cuda')");
  });

  it("separates blocks of 3-D tensors with blank lines", () => {
    expect(String(gb.arange(24, undefined, 1, { dtype: "float32" }).reshape(2, 3, 4))).toBe(
      "tensor([[[ 0.,  1.,  2.,  3.],\n         [ 4.,  5.,  6.,  7.],\n         [ 8.,  9., 10., 11.]],\n\n" +
      "        [[12., 13., 14., 15.],\n         [16., 17., 18., 19.],\n         [20., 21., 22., 23.]]])");
  });

  it("wraps long rows at 80 columns", () => {
    expect(String(gb.arange(30, undefined, 1, { dtype: "float32" }).div(7))).toBe(
      "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n" +
      "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n" +
      "        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n" +
      "        3.8571, 4.0000, 4.1429])");
  });

  it("summarises large tensors with ...", () => {
    expect(String(gb.arange(2000, undefined, 1, { dtype: "float32" }))).toBe(
      "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])");
    const s = String(gb.arange(1200, undefined, 1, { dtype: "float32" }).reshape(40, 30));
    expect(s.split("\n").slice(0, 3).join("\n")).toBe(
      "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 2.7000e+01, 2.8000e+01,\n" +
      "         2.9000e+01],\n" +
      "        [3.0000e+01, 3.1000e+01, 3.2000e+01,  ..., 5.7000e+01, 5.8000e+01,");
    expect(s).toContain("\n        ...,\n        [1.1100e+03,");
    expect(s.endsWith("1.1990e+03]])")).toBe(true);
  });

  it("gives Jupyter the same text", () => {
    const t = tensor([1, 2]);
    expect(t.toMimeBundle()).toEqual({ "text/plain": "tensor([1., 2.])" });
  });
});
