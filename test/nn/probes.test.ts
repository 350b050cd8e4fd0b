import { describe, expect, it } from "vitest";
import { manualSeed, randn, tensor, noGrad } from "../../lib/index";
import { RNN, LSTM } from "../../lib/nn/recurrent";
import { Linear } from "../../lib/nn/linear";
import { gradientNormsThroughTime } from "../../lib/nn/probes";

describe("gradientNormsThroughTime", () => {
  it("matches the gradient of a one-unit linear RNN, w^(T-1-t)·u", () => {
    // h_t = tanh(u x_t + w h_{t-1}) with tiny inputs is almost linear: ∂h_T/∂x_t ≈ u·w^(T-1-t).
    const rnn = new RNN(1, 1, { bias: false });
    noGrad(() => {
      rnn.parameters()[0].assign(tensor([[0.5]]));
      rnn.parameters()[1].assign(tensor([[0.8]]));
    });
    const x = tensor([[[1e-4], [1e-4], [1e-4], [1e-4], [1e-4]]]);
    const norms = gradientNormsThroughTime(rnn, x);
    norms.forEach((n, t) => expect(n).toBeCloseTo(0.5 * 0.8 ** (4 - t), 4));
  });
  it("sums squared gradients over the batch and handles [N, H] outputs", () => {
    manualSeed(0);
    const x = randn([3, 6, 2]);
    const last = new RNN(2, 4, { returnSequences: false });
    const seq = new RNN(2, 4);
    for (let i = 0; i < 4; i++) noGrad(() => seq.parameters()[i].assign(last.parameters()[i]));
    const a = gradientNormsThroughTime(last, x), b = gradientNormsThroughTime(seq, x);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
    expect(a).toHaveLength(6);
  });
  it("shows vanishing in a tanh RNN and survival in an LSTM with forget bias 1", () => {
    manualSeed(0);
    const x = randn([8, 40, 4]);
    const rnn = new RNN(4, 32);
    const lstm = new LSTM(4, 32);
    const b = lstm.parameters().find((p, i) => i === 2)!; // bias_ih_l0
    const v = Float32Array.from(b.data());
    for (let i = 32; i < 64; i++) v[i] += 1;
    noGrad(() => b.assign(tensor(v)));
    const r = gradientNormsThroughTime(rnn, x), l = gradientNormsThroughTime(lstm, x);
    expect(r[0] / r[39]).toBeLessThan(1e-6);
    expect(l[0] / l[39]).toBeGreaterThan(1e-5);
  });
  it("leaves the parameters' gradients alone", () => {
    const rnn = new RNN(2, 3);
    gradientNormsThroughTime(rnn, randn([2, 4, 2]));
    for (const p of rnn.parameters()) expect(p.grad).toBeNull();
  });
  it("names bad inputs", () => {
    expect(() => gradientNormsThroughTime(new RNN(2, 3), randn([4, 2]))).toThrow(/x must be a float tensor \[N, T, D\], got shape \[4,2\]/);
    expect(() => gradientNormsThroughTime(new Linear(2, 3), randn([1, 4, 2]), { output: "first" as never })).toThrow(/output must be "last" or "sum"/);
  });
});
