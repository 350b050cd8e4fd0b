/**
 * The optimizer base: holds the parameters, clears their gradients, and on `step()` updates
 * each parameter in place from its `.grad` (under `noGrad`, so the update is not recorded).
 *
 * Subclasses implement one parameter's update; per-parameter state (momentum buffers,
 * running averages) lives in `state`, created on a parameter's first step. Where the backend
 * has `optimizerStep` (js, cpu and cuda do), the update runs as one fused in-place kernel per
 * parameter: Adam composed from tensor ops makes about thirteen passes over the parameter's
 * memory and as many fresh outputs, which made an Adam training step twice as slow as plain
 * SGD. The composed ops stay as the reference (`fused: false`), tested against the kernels.
 */
import { Tensor, noGrad, tidy } from "../nn/core";
import { makeTensor } from "../tensor";
import type { OptimizerStep } from "../backend";
import { clipGradNorm, clipGradValue } from "./clip";
import { OpError } from "../errors";

/** Something that has parameters (a Module) or the parameters themselves. */
export type Params = Iterable<Tensor> | { parameters(): Tensor[] };

export interface OptimizerOptions {
  /** Learning rate. */
  lr?: number;
  /** Before each step, rescale gradients whose joint L2 norm exceeds this (Keras' clipnorm). */
  clipNorm?: number;
  /** Before each step, clamp every gradient element to [−clipValue, clipValue]. */
  clipValue?: number;
  /**
   * Update each parameter with its backend's fused in-place kernel, one pass over its memory
   * (default true). Parameters it cannot take (a non-contiguous view, a backend without the
   * kernel) use the same update composed from tensor ops, which `fused: false` forces.
   */
  fused?: boolean;
}

/** Marks a tensor as long-lived, so an enclosing `tidy` does not free it. */
export function keep<T extends Tensor>(t: T): T {
  t._kept = true;
  return t;
}

export function checkHyper(opt: string, name: string, value: number, ok: boolean, rule: string): void {
  if (typeof value !== "number" || Number.isNaN(value) || !ok) {
    throw new OpError(opt, `invalid ${name}: ${value} (${rule})`);
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
  /** Whether `step()` uses the backends' fused update where it can (the `fused` option). */
  readonly fused: boolean;

  constructor(params: Params, options: OptimizerOptions, defaultLr: number) {
    this.name = this.constructor.name;
    const list = Symbol.iterator in Object(params) ? [...(params as Iterable<Tensor>)] : (params as { parameters(): Tensor[] }).parameters();
    if (list.length === 0) {
      throw new OpError(this.name, `got an empty parameter list. Pass model.parameters() of a built model: a Dense/Linear without an input size has no weights until its first input (give the first layer inputDim), and a custom Module must hold its layers in fields or register them`);
    }
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new OpError(this.name, `parameter ${i} is not a Tensor`);
      if (!p.requiresGrad) throw new OpError(this.name, `parameter ${i} (shape [${p.shape.join(",")}]) does not require grad (for a model with frozen layers, pass model.trainableParameters())`);
    });
    this.params = list;
    this.lr = options.lr ?? defaultLr;
    checkHyper(this.name, "learning rate", this.lr, this.lr >= 0, "must be >= 0");
    if (options.clipNorm !== undefined) checkHyper(this.name, "clipNorm", options.clipNorm, options.clipNorm > 0, "must be > 0");
    if (options.clipValue !== undefined) checkHyper(this.name, "clipValue", options.clipValue, options.clipValue > 0, "must be > 0");
    this.clipNorm = options.clipNorm;
    this.clipValue = options.clipValue;
    if (options.fused !== undefined && typeof options.fused !== "boolean") {
      throw new OpError(this.name, `invalid fused: ${String(options.fused)} (must be true or false)`);
    }
    this.fused = options.fused ?? true;
  }

  /**
   * Clears every parameter's gradient (PyTorch's zero_grad with set_to_none) through
   * `Tensor.zeroGrad`: a gradient nobody read through `.grad` is freed at once, so the next
   * backward pass reuses its memory instead of waiting for the garbage collector (leaving it to
   * the collector made a training step 2–3× slower); one a student read and may hold stays valid.
   */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    // tidy frees the update's temporaries at once; state, parameters and gradients are kept.
    noGrad(() => tidy(() => {
      if (this.clipValue !== undefined) clipGradValue(this.params, this.clipValue);
      if (this.clipNorm !== undefined) clipGradNorm(this.params, this.clipNorm);
      this.stepCount++;
      for (const p of this.params) {
        const grad = p._gradValue; // not .grad: reading that marks the gradient as held by the user
        if (!grad) continue;
        let s = this.state.get(p);
        if (!s) this.state.set(p, (s = {}));
        this.update(p, grad, s);
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

  /** A zero tensor like p (contiguous, on p's backend), kept across tidy scopes (for state). */
  protected zerosLike(p: Tensor, value = 0): Tensor {
    return keep(makeTensor(p.storage.backend.fill(p.size, value, p.dtype), [...p.shape]));
  }

  /**
   * Whether this parameter's update can run as its backend's fused kernel: the option is on,
   * the backend has one, and p and its gradient are whole contiguous float buffers of one
   * dtype on that backend.
   */
  protected canFuse(p: Tensor, grad: Tensor): boolean {
    const be = p.storage.backend;
    return this.fused && be.optimizerStep !== undefined && grad.storage.backend === be &&
      (p.dtype === "float32" || p.dtype === "float64") && grad.dtype === p.dtype &&
      dense(p) && dense(grad) && grad.storage !== p.storage;
  }

  /**
   * Runs the fused update of one parameter in place (see `OptimizerStep` in lib/backend.ts);
   * `slots` are the kind's state tensors, null where unused. Returns false, doing nothing,
   * when a state tensor is not a whole contiguous buffer like p (the caller then composes).
   */
  protected fusedStep(p: Tensor, grad: Tensor, slots: (Tensor | null)[], step: OptimizerStep): boolean {
    for (const t of slots) {
      if (t !== null && (!dense(t) || t.dtype !== p.dtype || t.storage.backend !== p.storage.backend || t.size !== p.size)) return false;
    }
    p.storage.backend.optimizerStep!(p.storage, grad.storage, slots.map((t) => (t === null ? null : t.storage)), step);
    // In-place writes: a graph that saved p (or a state tensor) must see that it changed.
    p._ref.version++;
    for (const t of slots) if (t !== null) t._ref.version++;
    return true;
  }

  /** Updates one parameter in place. `g` is its gradient; `s` its state. */
  protected abstract update(p: Tensor, g: Tensor, s: Record<string, Tensor>): void;
}

/** A tensor that is its whole storage, in row-major order. */
function dense(t: Tensor): boolean {
  return t.offset === 0 && t.storage.size === t.size && t.isContiguous() && !t.isDisposed;
}
