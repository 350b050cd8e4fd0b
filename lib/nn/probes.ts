/**
 * Probes for backpropagation through time: how strongly does the last output of a
 * recurrent layer depend on the input at each earlier step?
 *
 * For an input x [N, T, D], `gradientNormsThroughTime` computes the gradient of
 * L = Σ h_T (the layer's outputs at the last step, summed) with respect to every input
 * step x_t and returns ‖∂L/∂x_t‖ for t = 0 … T−1. In a tanh RNN the chain of Jacobians
 * ∂h_{t+1}/∂h_t multiplies up, so the norm usually shrinks geometrically as t moves away
 * from T (vanishing) or grows (exploding); an LSTM's additive cell update lets it survive
 * many more steps.
 */
import { Tensor } from "./core";
import { Module } from "./module";
import { grad } from "../autograd";

export interface GradientProbeOptions {
  /** Which output to differentiate: "last" step (default) or the "sum" over all steps. */
  output?: "last" | "sum";
}

/**
 * ‖∂L/∂x_t‖ for every time step t of x [N, T, D], L = sum of the layer's last output.
 *
 * @example
 * const norms = nn.gradientNormsThroughTime(new nn.RNN(4, 16), randn([8, 50, 4]));
 * plot.lineChart(norms, { logY: true, xLabel: "time step", yLabel: "‖∂L/∂xₜ‖" })
 */
export function gradientNormsThroughTime(layer: Module, x: Tensor, options: GradientProbeOptions = {}): number[] {
  const op = "gradientNormsThroughTime";
  if (!(x instanceof Tensor) || x.ndim !== 3) {
    throw new Error(`${op}: x must be a float tensor [N, T, D], got ${x instanceof Tensor ? `shape [${x.shape.join(",")}]` : typeof x}`);
  }
  const mode = options.output ?? "last";
  if (mode !== "last" && mode !== "sum") throw new Error(`${op}: output must be "last" or "sum", got ${JSON.stringify(mode)}`);
  // Only the input's gradient is taken: parameters' .grad stay as they were.
  const [g] = grad((input: Tensor) => {
    let out = layer.call(input) as Tensor;
    if (!(out instanceof Tensor)) throw new Error(`${op}: the layer must return one tensor`);
    // A layer that returns every step [N, T, H] is cut to its last step; [N, H] already is one.
    if (mode === "last" && out.ndim === 3) out = out.slice(1, out.shape[1] - 1, out.shape[1]);
    return out.sum();
  })(x.detach());
  const [N, T, D] = x.shape;
  const v = g.data();
  const norms = new Array<number>(T).fill(0);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += v[(n * T + t) * D + d] ** 2;
      norms[t] += s;
    }
  }
  return norms.map(Math.sqrt);
}
