/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay.
 */
import type { Tensor } from "../nn/core";
import { Optimizer, checkHyper, keep, type OptimizerOptions, type Params } from "./optimizer";
import { OpError } from "../errors";

export interface SGDOptions extends OptimizerOptions {
  /** β of the velocity v ← β·v + g (default 0: plain SGD). */
  momentum?: number;
  /** Scales the new gradient in the velocity: v ← β·v + (1 − dampening)·g (default 0). */
  dampening?: number;
  /** Step along g + β·v instead of v (look ahead). Needs momentum > 0 and dampening 0. */
  nesterov?: boolean;
  /** L2 penalty folded into the gradient: g ← g + λ·w. */
  weightDecay?: number;
}

/**
 * The algorithm (PyTorch's):
 * ```
 * g ← ∇w + λ·w
 * v ← g at the first step, then β·v + (1 − dampening)·g      (momentum > 0)
 * d ← g + β·v if nesterov, else v (or g without momentum)
 * w ← w − lr·d
 * ```
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: Params, options: SGDOptions = {}) {
    super(params, options, 0.01);
    const { momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options;
    checkHyper("SGD", "momentum value", momentum, momentum >= 0, "must be >= 0");
    checkHyper("SGD", "dampening", dampening, dampening >= 0 && dampening <= 1, "must be in [0, 1]");
    checkHyper("SGD", "weight_decay value", weightDecay, weightDecay >= 0, "must be >= 0");
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new OpError("SGD", "Nesterov momentum requires a momentum > 0 and zero dampening");
    }
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
  }

  protected update(p: Tensor, grad: Tensor, s: Record<string, Tensor>): void {
    if (this.canFuse(p, grad)) {
      const first = this.momentum !== 0 && !s.velocity;
      if (first) s.velocity = this.zerosLike(p);
      const step = {
        kind: "sgd" as const, lr: this.lr, weightDecay: this.weightDecay, momentum: this.momentum,
        dampening: this.dampening, nesterov: this.nesterov, first,
      };
      if (this.fusedStep(p, grad, [s.velocity ?? null], step)) return;
      if (first) { s.velocity.dispose(); delete s.velocity; }
    }
    let g = this.withWeightDecay(p, grad, this.weightDecay);
    if (this.momentum) {
      if (!s.velocity) s.velocity = keep(g.clone());
      else s.velocity.assign(s.velocity.mul(this.momentum).add(g.mul(1 - this.dampening)));
      g = this.nesterov ? g.add(s.velocity.mul(this.momentum)) : s.velocity;
    }
    p.addInPlace(g, -this.lr);
  }
}
