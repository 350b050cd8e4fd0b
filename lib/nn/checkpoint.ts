/**
 * `ModelCheckpoint`: Keras' callback that saves the model's weights (as safetensors, loadable by
 * `io.loadWeights` and by PyTorch's `load_state_dict`) after an epoch, by default only when the
 * monitored log improved, so the file always holds the best weights seen.
 */
import type { Callback, CallbackModel, Logs } from "./callbacks";
import { saveWeights } from "../io/safetensors";

export interface ModelCheckpointOptions {
  /** Where to write; `{epoch}` is replaced by the epoch number (1-based, as Keras prints it). */
  filepath: string;
  /** Log to watch (default "val_loss"; falls back to "loss" when there is no validation). */
  monitor?: string;
  /** "min", "max", or "auto" (max for names containing "acc"). */
  mode?: "min" | "max" | "auto";
  /** Save only when the monitored value improved (default true); false saves every epoch. */
  saveBestOnly?: boolean;
  /** Print a line when saving. */
  verbose?: boolean;
}

/**
 * Saves the model's weights (safetensors) after each epoch whose monitored log improved (or every epoch with `saveBestOnly: false`).
 *
 * @example
 * const checkpoint = new nn.ModelCheckpoint({ filepath: "best.safetensors", monitor: "val_accuracy" });
 * await model.fit(X, y, { epochs: 20, validationSplit: 0.2, callbacks: [checkpoint] });
 * io.loadWeights(model, "best.safetensors"); // the best epoch's weights
 */
export class ModelCheckpoint implements Callback {
  model?: CallbackModel;
  readonly filepath: string;
  readonly monitor: string;
  readonly mode: "min" | "max";
  readonly saveBestOnly: boolean;
  readonly verbose: boolean;
  /** Best monitored value so far, and the epoch (0-based) it was seen at; -1 before any. */
  best = NaN;
  bestEpoch = -1;
  /** Every file written, in order. */
  readonly saved: string[] = [];

  constructor(options: ModelCheckpointOptions) {
    if (!options || typeof options.filepath !== "string" || options.filepath === "") {
      throw new Error(`ModelCheckpoint: needs { filepath: "name.safetensors" }`);
    }
    const { monitor = "val_loss", mode = "auto", saveBestOnly = true, verbose = false } = options;
    if (!["min", "max", "auto"].includes(mode)) {
      throw new Error(`ModelCheckpoint: mode must be "min", "max" or "auto", got ${JSON.stringify(mode)}`);
    }
    this.filepath = options.filepath;
    this.monitor = monitor;
    this.mode = mode === "auto" ? (/acc/.test(monitor) ? "max" : "min") : mode;
    this.saveBestOnly = saveBestOnly;
    this.verbose = verbose;
  }

  onTrainBegin(): void {
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.bestEpoch = -1;
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (!this.model) return;
    let value = logs[this.monitor];
    if (value === undefined && this.monitor.startsWith("val_")) value = logs[this.monitor.slice(4)];
    if (value === undefined) {
      throw new Error(`ModelCheckpoint: monitored log "${this.monitor}" is missing; available: ${Object.keys(logs).join(", ")}`);
    }
    const improved = this.mode === "min" ? value < this.best : value > this.best;
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
    }
    if (this.saveBestOnly && !improved) return;
    const file = this.filepath.replace(/\{epoch\}/g, String(epoch + 1));
    saveWeights(this.model as unknown as Parameters<typeof saveWeights>[0], file);
    this.saved.push(file);
    if (this.verbose) console.log(`ModelCheckpoint: epoch ${epoch + 1}: ${this.monitor} = ${value.toPrecision(4)}, saved ${file}`);
  }
}
