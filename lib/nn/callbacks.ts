/**
 * Keras-style training callbacks for `Sequential.fit`.
 *
 * A callback is a plain object with any of the hooks below. Before training starts, `fit`
 * writes `params` (epochs, steps per epoch, samples, batch size, metric names) and `model`
 * onto every callback, as Keras's `set_params`/`set_model` do, then calls the hooks in this
 * order: onTrainBegin, then per epoch onEpochBegin, per batch onBatchBegin/onBatchEnd,
 * onEpochEnd, and finally onTrainEnd. Hooks may be async; `fit` awaits them.
 *
 * Logs are plain numbers keyed by name: `loss`, each metric (`acc`, ...), and on epoch end
 * the validation values prefixed with `val_` (`val_loss`, `val_acc`).
 */
import { OpError } from "../errors";

/** Loss and metric values by name, e.g. `{ loss: 0.31, acc: 0.9, val_loss: 0.35 }`. */
export type Logs = Record<string, number>;

/** What `fit` tells its callbacks about the run before it starts. */
export interface TrainParams {
  epochs: number;
  /** Batches per epoch. */
  steps: number;
  /** Training samples (after any validation split). */
  samples: number;
  batchSize: number;
  verbose: number;
  /** Names the logs will carry: `loss`, metric names, then their `val_` forms. */
  metrics: string[];
}

/**
 * The part of a model a callback may use: stop training, and snapshot/restore weights.
 * `stateDict()` returns detached copies, so a snapshot does not change as training goes on.
 */
export interface CallbackModel {
  stopTraining: boolean;
  stateDict(): Record<string, unknown>;
  loadStateDict(state: Record<string, unknown>): void;
}

/**
 * A training callback. Every hook is optional.
 *
 * @example
 * const cb: Callback = { onEpochEnd: (epoch, logs) => console.log(epoch, logs?.loss) };
 * await model.fit(X, y, { epochs: 3, callbacks: [cb] });
 */
export interface Callback {
  /** Set by `fit` before `onTrainBegin`. */
  params?: TrainParams;
  /** Set by `fit` before `onTrainBegin`. */
  model?: CallbackModel;
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
}

/** Runs a list of callbacks as one; `fit` uses it so each hook is one call. */
export class CallbackList {
  constructor(readonly callbacks: Callback[]) {}

  setup(params: TrainParams, model: CallbackModel): void {
    for (const cb of this.callbacks) {
      cb.params = params;
      cb.model = model;
    }
  }
  async trainBegin(logs?: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onTrainBegin?.(logs);
  }
  async epochBegin(epoch: number, logs?: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onEpochBegin?.(epoch, logs);
  }
  async batchBegin(batch: number, logs?: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onBatchBegin?.(batch, logs);
  }
  async batchEnd(batch: number, logs?: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onBatchEnd?.(batch, logs);
  }
  async epochEnd(epoch: number, logs?: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onEpochEnd?.(epoch, logs);
  }
  async trainEnd(logs?: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onTrainEnd?.(logs);
  }
}

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Log to watch (default `val_loss`, falling back to `loss` when there is no validation). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0: stop at the first one). */
  patience?: number;
  /** `min` for losses, `max` for accuracies; `auto` picks `max` when the name has "acc". */
  mode?: "min" | "max" | "auto";
  /** Put back the weights of the best epoch when training stops (default false). */
  restoreBestWeights?: boolean;
}

/**
 * Stops training once the monitored value has not improved for `patience` epochs.
 *
 * @example
 * const stop = new nn.EarlyStopping({ monitor: "val_loss", patience: 3, restoreBestWeights: true });
 * await model.fit(X, y, { epochs: 100, validationSplit: 0.2, callbacks: [stop] });
 * stop.stoppedEpoch; // the epoch it stopped at, or -1
 */
export class EarlyStopping implements Callback {
  params?: TrainParams;
  model?: CallbackModel;
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: "min" | "max";
  readonly restoreBestWeights: boolean;
  /** Epoch at which training was stopped, -1 while it has not. */
  stoppedEpoch = -1;
  /** Best value seen so far and its epoch. */
  best = Infinity;
  bestEpoch = -1;
  private wait = 0;
  private bestWeights: Record<string, unknown> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    const { monitor = "val_loss", minDelta = 0, patience = 0, mode = "auto", restoreBestWeights = false } = options;
    if (!(patience >= 0) || !Number.isInteger(patience)) {
      throw new OpError("EarlyStopping", `patience must be a non-negative integer, got ${patience}`);
    }
    if (!(minDelta >= 0)) throw new OpError("EarlyStopping", `minDelta must be >= 0, got ${minDelta}`);
    if (!["min", "max", "auto"].includes(mode)) {
      throw new OpError("EarlyStopping", `mode must be "min", "max" or "auto", got ${JSON.stringify(mode)}`);
    }
    this.monitor = monitor;
    this.minDelta = minDelta;
    this.patience = patience;
    this.mode = mode === "auto" ? (/acc/.test(monitor) ? "max" : "min") : mode;
    this.restoreBestWeights = restoreBestWeights;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.bestEpoch = -1;
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    let value = logs[this.monitor];
    if (value === undefined && this.monitor.startsWith("val_")) value = logs[this.monitor.slice(4)];
    if (value === undefined) {
      throw new OpError(
        "EarlyStopping", `monitored log "${this.monitor}" is missing; available: ${Object.keys(logs).join(", ")}`,
      );
    }
    const improved = this.mode === "min" ? value < this.best - this.minDelta : value > this.best + this.minDelta;
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights && this.model) this.bestWeights = this.model.stateDict();
      return;
    }
    this.wait++;
    if (this.wait >= this.patience && this.model) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights && this.model && this.stoppedEpoch >= 0) {
      this.model.loadStateDict(this.bestWeights);
    }
  }
}

/**
 * A callback made from functions, for one-off hooks in a notebook.
 *
 * @example
 * const losses: number[] = [];
 * const cb = new nn.LambdaCallback({ onEpochEnd: (e, logs) => losses.push(logs!.loss) });
 */
export class LambdaCallback implements Callback {
  params?: TrainParams;
  model?: CallbackModel;
  onTrainBegin?: Callback["onTrainBegin"];
  onEpochBegin?: Callback["onEpochBegin"];
  onBatchBegin?: Callback["onBatchBegin"];
  onBatchEnd?: Callback["onBatchEnd"];
  onEpochEnd?: Callback["onEpochEnd"];
  onTrainEnd?: Callback["onTrainEnd"];

  constructor(hooks: Omit<Callback, "params" | "model">) {
    Object.assign(this, hooks);
  }
}
