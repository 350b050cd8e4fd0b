/**
 * Optimizers with per-parameter adaptive step sizes: Adagrad, RMSProp, Adam and AdamW.
 * Each docstring gives the exact update (PyTorch's, which the tests check step by step).
 */
import type { Tensor } from "../nn/core";
import { Optimizer, checkHyper, type OptimizerOptions, type Params } from "./optimizer";

export interface AdagradOptions extends OptimizerOptions {
  /** Decay of the learning rate per step: lr / (1 + (t − 1)·lrDecay). */
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}

/**
 * Adagrad: divides each step by the root of the sum of all past squared gradients, so
 * steep directions slow down and shallow ones speed up.
 * ```
 * g ← ∇w + λ·w;  G ← G + g²;  w ← w − lr/(1 + (t−1)·lrDecay) · g / (√G + ε)
 * ```
 * @example new optim.Adagrad(model.parameters(), { lr: 0.1 })
 */
export class Adagrad extends Optimizer {
  readonly lrDecay: number;
  readonly weightDecay: number;
  readonly initialAccumulatorValue: number;
  readonly eps: number;

  constructor(params: Params, options: AdagradOptions = {}) {
    super(params, options, 0.01);
    const { lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10 } = options;
    checkHyper("Adagrad", "lr_decay value", lrDecay, lrDecay >= 0, "must be >= 0");
    checkHyper("Adagrad", "weight_decay value", weightDecay, weightDecay >= 0, "must be >= 0");
    checkHyper("Adagrad", "initial_accumulator_value", initialAccumulatorValue, initialAccumulatorValue >= 0, "must be >= 0");
    checkHyper("Adagrad", "epsilon value", eps, eps >= 0, "must be >= 0");
    this.lrDecay = lrDecay;
    this.weightDecay = weightDecay;
    this.initialAccumulatorValue = initialAccumulatorValue;
    this.eps = eps;
  }

  protected update(p: Tensor, grad: Tensor, s: Record<string, Tensor>): void {
    if (!s.sum) s.sum = this.zerosLike(p, this.initialAccumulatorValue);
    const clr = this.lr / (1 + (this.stepCount - 1) * this.lrDecay);
    if (this.canFuse(p, grad) && this.fusedStep(p, grad, [s.sum], { kind: "adagrad", lr: clr, weightDecay: this.weightDecay, eps: this.eps })) return;
    const g = this.withWeightDecay(p, grad, this.weightDecay);
    s.sum.assign(s.sum.add(g.square()));
    p.addInPlace(g.div(s.sum.sqrt().add(this.eps)), -clr);
  }
}

export interface RMSPropOptions extends OptimizerOptions {
  /** Decay of the running average of squared gradients (default 0.99, PyTorch's). */
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  /** Divide by an estimate of the variance (subtracting the mean gradient's square). */
  centered?: boolean;
}

/**
 * RMSProp: Adagrad with an exponentially weighted average instead of a sum, so old
 * gradients are forgotten.
 * ```
 * g ← ∇w + λ·w;  S ← α·S + (1−α)·g²;  d ← √S + ε   (centered: √(S − ḡ²) + ε with ḡ ← α·ḡ + (1−α)·g)
 * momentum > 0: b ← μ·b + g/d;  w ← w − lr·b      else w ← w − lr·g/d
 * ```
 * @example new optim.RMSProp(model.parameters(), { lr: 0.001 })
 */
export class RMSProp extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;

  constructor(params: Params, options: RMSPropOptions = {}) {
    super(params, options, 0.01);
    const { alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = options;
    checkHyper("RMSProp", "alpha value", alpha, alpha >= 0 && alpha <= 1, "must be in [0, 1]");
    checkHyper("RMSProp", "epsilon value", eps, eps >= 0, "must be >= 0");
    checkHyper("RMSProp", "weight_decay value", weightDecay, weightDecay >= 0, "must be >= 0");
    checkHyper("RMSProp", "momentum value", momentum, momentum >= 0, "must be >= 0");
    this.alpha = alpha;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.momentum = momentum;
    this.centered = centered;
  }

  protected update(p: Tensor, grad: Tensor, s: Record<string, Tensor>): void {
    const a = this.alpha;
    if (!s.squareAvg) s.squareAvg = this.zerosLike(p);
    if (this.centered && !s.gradAvg) s.gradAvg = this.zerosLike(p);
    if (this.momentum > 0 && !s.momentumBuffer) s.momentumBuffer = this.zerosLike(p);
    if (this.canFuse(p, grad)) {
      const step = { kind: "rmsprop" as const, lr: this.lr, weightDecay: this.weightDecay, alpha: a, eps: this.eps, momentum: this.momentum, centered: this.centered };
      if (this.fusedStep(p, grad, [s.squareAvg, s.gradAvg ?? null, s.momentumBuffer ?? null], step)) return;
    }
    const g = this.withWeightDecay(p, grad, this.weightDecay);
    s.squareAvg.assign(s.squareAvg.mul(a).add(g.square().mul(1 - a)));
    let avg: Tensor;
    if (this.centered) {
      s.gradAvg.assign(s.gradAvg.mul(a).add(g.mul(1 - a)));
      avg = s.squareAvg.sub(s.gradAvg.square()).sqrt().add(this.eps);
    } else {
      avg = s.squareAvg.sqrt().add(this.eps);
    }
    if (this.momentum > 0) {
      s.momentumBuffer.assign(s.momentumBuffer.mul(this.momentum).add(g.div(avg)));
      p.addInPlace(s.momentumBuffer, -this.lr);
    } else {
      p.addInPlace(g.div(avg), -this.lr);
    }
  }
}

export interface AdamOptions extends OptimizerOptions {
  /** Decays of the first and second moment averages (default [0.9, 0.999]). */
  betas?: [number, number];
  eps?: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay of the weights. */
  weightDecay?: number;
  /** Use the maximum of past second moments (Reddi et al. 2018). */
  amsgrad?: boolean;
}

/**
 * Adam: momentum (first moment m) plus RMSProp (second moment v), both bias-corrected so
 * the first steps are not too small.
 * ```
 * g ← ∇w + λ·w
 * m ← β₁·m + (1−β₁)·g;   v ← β₂·v + (1−β₂)·g²
 * m̂ = m / (1 − β₁ᵗ);     v̂ = v / (1 − β₂ᵗ)      (amsgrad: v̂ uses max over steps of v)
 * w ← w − lr · m̂ / (√v̂ + ε)
 * ```
 * @example new optim.Adam(model.parameters(), { lr: 1e-3 })
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  /** AdamW decays the weights directly instead of through the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: Params, options: AdamOptions = {}, defaults: { weightDecay: number } = { weightDecay: 0 }) {
    super(params, options, 0.001);
    const { betas = [0.9, 0.999], eps = 1e-8, weightDecay = defaults.weightDecay, amsgrad = false } = options;
    const [b1, b2] = betas;
    checkHyper(this.name, "epsilon value", eps, eps >= 0, "must be >= 0");
    checkHyper(this.name, "beta parameter at index 0", b1, b1 >= 0 && b1 < 1, "must be in [0, 1)");
    checkHyper(this.name, "beta parameter at index 1", b2, b2 >= 0 && b2 < 1, "must be in [0, 1)");
    checkHyper(this.name, "weight_decay value", weightDecay, weightDecay >= 0, "must be >= 0");
    this.beta1 = b1;
    this.beta2 = b2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.amsgrad = amsgrad;
  }

  protected update(p: Tensor, grad: Tensor, s: Record<string, Tensor>): void {
    const { beta1: b1, beta2: b2 } = this;
    if (!s.m) {
      s.m = this.zerosLike(p);
      s.v = this.zerosLike(p);
      if (this.amsgrad) s.vMax = this.zerosLike(p);
    }
    const t = this.stepCount;
    const bc1 = 1 - b1 ** t;
    const bc2 = 1 - b2 ** t;
    // m̂/(√v̂ + ε) = (√bc2/bc1)·m/(√v + ε√bc2): the bias corrections become two scalars.
    const sq = Math.sqrt(bc2);
    const decay = this.decoupled && this.weightDecay ? 1 - this.lr * this.weightDecay : 1;
    if (this.canFuse(p, grad)) {
      const step = {
        kind: "adam" as const, lr: (this.lr * sq) / bc1, weightDecay: this.decoupled ? 0 : this.weightDecay, decay,
        beta1: b1, beta2: b2, eps: this.eps * sq, amsgrad: this.amsgrad,
      };
      if (this.fusedStep(p, grad, [s.m, s.v, s.vMax ?? null], step)) return;
    }
    if (decay !== 1) p.assign(p.mul(decay));
    const g = this.decoupled ? grad : this.withWeightDecay(p, grad, this.weightDecay);
    // m += (1−β₁)(g − m) is β₁m + (1−β₁)g in two ops instead of four (likewise v): each op is
    // a pass over the parameter's memory, and the update is memory-bound.
    s.m.addInPlace(g.sub(s.m), 1 - b1);
    s.v.addInPlace(g.square().sub(s.v), 1 - b2);
    let v = s.v;
    if (this.amsgrad) {
      s.vMax.assign(s.vMax.maximum(s.v));
      v = s.vMax;
    }
    p.addInPlace(s.m.div(v.sqrt().add(this.eps * sq)), (-this.lr * sq) / bc1);
  }
}

/**
 * AdamW (Loshchilov and Hutter 2019): Adam with decoupled weight decay
 * w ← w·(1 − lr·λ) before the Adam step (default λ = 0.01, PyTorch's).
 * @example new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 })
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(params: Params, options: AdamOptions = {}) {
    super(params, options, { weightDecay: 0.01 });
  }
}
