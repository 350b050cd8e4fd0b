/**
 * Weight penalties attachable to layers (`new nn.Dense(64, { kernelRegularizer: nn.l2(1e-4) })`).
 *
 * A regularizer maps a parameter to a scalar penalty. `Module.regularizationLoss()` sums the
 * penalties of a model; `fit` adds that sum to the loss, so the gradient of the penalty
 * (2·λ·w for L2, λ·sign(w) for L1) flows into the update.
 */
import type { Tensor } from "./core";
import { OpError } from "../errors";

export type Regularizer = (w: Tensor) => Tensor;

function checkFactor(name: string, arg: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0)) throw new OpError(name, `${arg} must be a finite number >= 0, got ${v}`);
}

/**
 * L1 penalty λ·Σ|w| (drives weights to exactly zero).
 *
 * @example
 * const layer = new nn.Dense(10, { inputDim: 4, kernelRegularizer: nn.l1(0.01) });
 */
export function l1(lambda = 0.01): Regularizer {
  checkFactor("l1", "lambda", lambda);
  return (w) => w.abs().sum().mul(lambda);
}

/**
 * L2 penalty λ·Σw² (weight decay; Keras' `l2`).
 *
 * @example
 * const layer = new nn.Dense(10, { inputDim: 4, kernelRegularizer: nn.l2(1e-4) });
 */
export function l2(lambda = 0.01): Regularizer {
  checkFactor("l2", "lambda", lambda);
  return (w) => w.square().sum().mul(lambda);
}

/**
 * Elastic net: l1·Σ|w| + l2·Σw².
 *
 * @example
 * const reg = nn.elasticNet({ l1: 0.001, l2: 0.01 });
 */
export function elasticNet(options: { l1?: number; l2?: number } = {}): Regularizer {
  const { l1: a = 0.01, l2: b = 0.01 } = options;
  checkFactor("elasticNet", "l1", a);
  checkFactor("elasticNet", "l2", b);
  return (w) => w.abs().sum().mul(a).add(w.square().sum().mul(b));
}
