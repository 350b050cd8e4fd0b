/**
 * Learning-rate schedules. A schedule wraps an optimizer, sets its `lr` for step t = 0 on
 * creation, and moves it on each `step()` (call it once per epoch, or per batch if you
 * count t in batches). With α₀ the optimizer's initial rate, t the number of `step()` calls:
 *
 * | schedule            | αₜ                                        |
 * |---------------------|-------------------------------------------|
 * | StepLR              | α₀·γ^⌊t/stepSize⌋                          |
 * | ExponentialLR       | α₀·γᵗ = α₀·e^(−kt) with γ = e^(−k)          |
 * | LinearLR            | α₀·(s + (e − s)·min(t, T)/T); s=1, e=0: α₀(1 − t/T) |
 * | CosineAnnealingLR   | η + (α₀ − η)·(1 + cos(πt/T))/2              |
 * | InverseSqrtLR       | α₀/√(t + 1)   (the notes' α₀/√t with t counted from 1) |
 * | InverseTimeLR (1/t) | α₀/(1 + k·t)                               |
 * | ReduceLROnPlateau   | ×factor after `patience` epochs without improvement |
 */
import type { Optimizer } from "./optimizer";
import { checkHyper } from "./optimizer";
import { OpError } from "../errors";

/** Base of the closed-form schedules. */
export abstract class LRScheduler {
  readonly baseLr: number;
  /** Number of `step()` calls so far. */
  t = 0;

  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }

  /** Learning rate at step t. */
  abstract lrAt(t: number): number;

  /** Advances t and sets the optimizer's learning rate. Returns the new rate. */
  step(): number {
    this.t++;
    this.optimizer.lr = this.lrAt(this.t);
    return this.optimizer.lr;
  }

  /** The current learning rate. */
  get lr(): number {
    return this.optimizer.lr;
  }

  protected init(): void {
    this.optimizer.lr = this.lrAt(0);
  }
}

/**
 * Multiplies the rate by γ every `stepSize` steps.
 * @example const sched = new optim.StepLR(opt, { stepSize: 10, gamma: 0.5 });
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    const { stepSize, gamma = 0.1 } = options;
    checkHyper("StepLR", "stepSize", stepSize, Number.isInteger(stepSize) && stepSize >= 1, "must be a positive integer");
    checkHyper("StepLR", "gamma", gamma, gamma > 0, "must be > 0");
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.init();
  }
  lrAt(t: number): number {
    return this.baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/**
 * α₀·γᵗ. Give `gamma`, or `k` for the notes' α₀·e^(−kt).
 * @example new optim.ExponentialLR(opt, { gamma: 0.95 })
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { gamma?: number; k?: number }) {
    super(optimizer);
    if ((options.gamma === undefined) === (options.k === undefined)) {
      throw new OpError("ExponentialLR", "give exactly one of gamma (αₜ = α₀·γᵗ) or k (αₜ = α₀·e^(−kt))");
    }
    const gamma = options.gamma ?? Math.exp(-(options.k as number));
    checkHyper("ExponentialLR", options.gamma !== undefined ? "gamma" : "k", options.gamma ?? (options.k as number), gamma > 0 && Number.isFinite(gamma), "gives a non-positive or infinite factor");
    this.gamma = gamma;
    this.init();
  }
  lrAt(t: number): number {
    return this.baseLr * this.gamma ** t;
  }
}

/**
 * Linear change of the factor from `startFactor` to `endFactor` over `totalIters` steps
 * (PyTorch's LinearLR); the defaults give the notes' α₀(1 − t/T).
 * @example new optim.LinearLR(opt, { totalIters: numEpochs })
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: Optimizer, options: { totalIters: number; startFactor?: number; endFactor?: number }) {
    super(optimizer);
    const { totalIters, startFactor = 1, endFactor = 0 } = options;
    checkHyper("LinearLR", "totalIters", totalIters, Number.isInteger(totalIters) && totalIters >= 1, "must be a positive integer");
    checkHyper("LinearLR", "startFactor", startFactor, startFactor >= 0 && startFactor <= 1, "must be in [0, 1]");
    checkHyper("LinearLR", "endFactor", endFactor, endFactor >= 0 && endFactor <= 1, "must be in [0, 1]");
    this.totalIters = totalIters;
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.init();
  }
  lrAt(t: number): number {
    const f = this.startFactor + ((this.endFactor - this.startFactor) * Math.min(t, this.totalIters)) / this.totalIters;
    return this.baseLr * f;
  }
}

/**
 * Cosine from α₀ down to `etaMin` over `tMax` steps (and back up after, as PyTorch's).
 * @example new optim.CosineAnnealingLR(opt, { tMax: numEpochs })
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    const { tMax, etaMin = 0 } = options;
    checkHyper("CosineAnnealingLR", "tMax", tMax, Number.isInteger(tMax) && tMax >= 1, "must be a positive integer");
    checkHyper("CosineAnnealingLR", "etaMin", etaMin, etaMin >= 0, "must be >= 0");
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.init();
  }
  lrAt(t: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}

/**
 * α₀/√(t + 1): the notes' inverse square-root decay, with t counted from 1 at the start.
 * @example new optim.InverseSqrtLR(opt)
 */
export class InverseSqrtLR extends LRScheduler {
  constructor(optimizer: Optimizer) {
    super(optimizer);
    this.init();
  }
  lrAt(t: number): number {
    return this.baseLr / Math.sqrt(t + 1);
  }
}

/**
 * 1/t decay α₀/(1 + k·t).
 * @example new optim.InverseTimeLR(opt, { k: 0.5 })
 */
export class InverseTimeLR extends LRScheduler {
  readonly k: number;
  constructor(optimizer: Optimizer, options: { k: number }) {
    super(optimizer);
    checkHyper("InverseTimeLR", "k", options.k, options.k >= 0, "must be >= 0");
    this.k = options.k;
    this.init();
  }
  lrAt(t: number): number {
    return this.baseLr / (1 + this.k * t);
  }
}

export interface PlateauOptions {
  /** "min" for a loss (default), "max" for an accuracy. */
  mode?: "min" | "max";
  /** New rate = rate × factor (default 0.1). */
  factor?: number;
  /** Epochs without improvement to tolerate before reducing (default 10). */
  patience?: number;
  /** Relative improvement that counts (default 1e-4). */
  threshold?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of the rate (default 0). */
  minLr?: number;
}

/**
 * Reduces the rate when a monitored value stops improving (PyTorch's ReduceLROnPlateau,
 * relative threshold). Call `step(valLoss)` once per epoch.
 * @example
 * const sched = new optim.ReduceLROnPlateau(opt, { factor: 0.5, patience: 2 });
 * sched.step(history.val_loss.at(-1));
 */
export class ReduceLROnPlateau {
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly cooldown: number;
  readonly minLr: number;
  best: number;
  numBadEpochs = 0;
  private cooldownCounter = 0;

  constructor(readonly optimizer: Optimizer, options: PlateauOptions = {}) {
    const { mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, cooldown = 0, minLr = 0 } = options;
    if (mode !== "min" && mode !== "max") throw new OpError("ReduceLROnPlateau", `mode must be "min" or "max", got ${JSON.stringify(mode)}`);
    checkHyper("ReduceLROnPlateau", "factor", factor, factor > 0 && factor < 1, "must be in (0, 1)");
    checkHyper("ReduceLROnPlateau", "patience", patience, Number.isInteger(patience) && patience >= 0, "must be an integer >= 0");
    checkHyper("ReduceLROnPlateau", "threshold", threshold, threshold >= 0, "must be >= 0");
    checkHyper("ReduceLROnPlateau", "cooldown", cooldown, Number.isInteger(cooldown) && cooldown >= 0, "must be an integer >= 0");
    checkHyper("ReduceLROnPlateau", "minLr", minLr, minLr >= 0, "must be >= 0");
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.cooldown = cooldown;
    this.minLr = minLr;
    this.best = mode === "min" ? Infinity : -Infinity;
  }

  /** Feeds this epoch's value; returns the (possibly reduced) learning rate. */
  step(value: number): number {
    if (!Number.isFinite(value)) throw new OpError("ReduceLROnPlateau", `step needs a finite value, got ${value}`);
    const better = this.mode === "min" ? value < this.best * (1 - this.threshold) : value > this.best * (1 + this.threshold);
    if (better) {
      this.best = value;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      const old = this.optimizer.lr;
      const next = Math.max(old * this.factor, this.minLr);
      if (old - next > 1e-8) this.optimizer.lr = next;
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    return this.optimizer.lr;
  }
}
