/**
 * The optimizer base: holds the parameters, clears their gradients, and on `step()` updates
 * each parameter in place from its `.grad` (under `noGrad`, so the update is not recorded).
 *
 * Subclasses implement one parameter's update; per-parameter state (momentum buffers,
 * running averages) lives in `state`, created on a parameter's first step.
 */
import { Tensor, noGrad, tidy } from "../nn/core";
import { clipGradNorm, clipGradValue } from "./clip";

/** Something that has parameters (a Module) or the parameters themselves. */
export type Params = Iterable<Tensor> | { parameters(): Tensor[] };

export interface OptimizerOptions {
  /** Learning rate. */
  lr?: number;
  /** Before each step, rescale gradients whose joint L2 norm exceeds this (Keras' clipnorm). */
  clipNorm?: number;
  /** Before each step, clamp every gradient element to [−clipValue, clipValue]. */
  clipValue?: number;
}

/** Marks a tensor as long-lived, so an enclosing `tidy` does not free it. */
export function keep<T extends Tensor>(t: T): T {
  t._kept = true;
  return t;
}

export function checkHyper(opt: string, name: string, value: number, ok: boolean, rule: string): void {
  if (typeof value !== "number" || Number.isNaN(value) || !ok) {
    throw new Error(`${opt}: invalid ${name}: ${value} (${rule})`);
  }
}

/** Base of the optimizers: holds the parameters (or parameter groups with their own options), `zeroGrad()` and `step()`. */
export abstract class Optimizer {
  readonly params: Tensor[];
  /** Current learning rate; schedules change it between steps. */
  lr: number;
  /** Steps taken so far. */
  stepCount = 0;
  readonly clipNorm?: number;
  readonly clipValue?: number;
  protected readonly state = new Map<Tensor, Record<string, Tensor>>();
  readonly name: string;

  constructor(params: Params, options: OptimizerOptions, defaultLr: number) {
    this.name = this.constructor.name;
    const list = Symbol.iterator in Object(params) ? [...(params as Iterable<Tensor>)] : (params as { parameters(): Tensor[] }).parameters();
    if (list.length === 0) {
      throw new Error(`${this.name}: got an empty parameter list. Pass model.parameters() of a built model: a Dense/Linear without an input size has no weights until its first input (give the first layer inputDim), and a custom Module must hold its layers in fields or register them`);
    }
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(`${this.name}: parameter ${i} is not a Tensor`);
      if (!p.requiresGrad) throw new Error(`${this.name}: parameter ${i} (shape [${p.shape.join(",")}]) does not require grad (for a model with frozen layers, pass model.trainableParameters())`);
    });
    this.params = list;
    this.lr = options.lr ?? defaultLr;
    checkHyper(this.name, "learning rate", this.lr, this.lr >= 0, "must be >= 0");
    if (options.clipNorm !== undefined) checkHyper(this.name, "clipNorm", options.clipNorm, options.clipNorm > 0, "must be > 0");
    if (options.clipValue !== undefined) checkHyper(this.name, "clipValue", options.clipValue, options.clipValue > 0, "must be > 0");
    this.clipNorm = options.clipNorm;
    this.clipValue = options.clipValue;
  }

  /** Clears every parameter's gradient (PyTorch's zero_grad with set_to_none). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    // tidy frees the update's temporaries at once; state, parameters and gradients are kept.
    noGrad(() => tidy(() => {
      if (this.clipValue !== undefined) clipGradValue(this.params, this.clipValue);
      if (this.clipNorm !== undefined) clipGradNorm(this.params, this.clipNorm);
      this.stepCount++;
      for (const p of this.params) {
        if (!p.grad) continue;
        let s = this.state.get(p);
        if (!s) this.state.set(p, (s = {}));
        this.update(p, p.grad, s);
      }
    }));
  }

  /**
   * PyTorch's (coupled) weight decay: λ·p folded into the gradient before the update rule.
   * AdamW's decoupled form shrinks the weights directly instead.
   */
  protected withWeightDecay(p: Tensor, grad: Tensor, weightDecay: number): Tensor {
    return weightDecay ? grad.add(p.mul(weightDecay)) : grad;
  }

  /** A zero tensor like p, kept across tidy scopes (for state). */
  protected zerosLike(p: Tensor): Tensor {
    return keep(p.detach().mul(0));
  }

  /** Updates one parameter in place. `g` is its gradient; `s` its state. */
  protected abstract update(p: Tensor, g: Tensor, s: Record<string, Tensor>): void;
}
