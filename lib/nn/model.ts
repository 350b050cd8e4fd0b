/**
 * Keras' high-level training API on top of `Module`: `compile`, `fit`, `evaluate`,
 * `predict` and `summary`. `Sequential` (in sequential.ts) is the usual way in; a custom
 * `Model` subclass with its own `forward` gets the same methods.
 *
 * `fit` runs the same loop a lecture writes by hand (forward, loss, zeroGrad, backward,
 * step) and awaits the event loop between batches, so a kernel interrupt lands between two
 * batches and the weights stay as the last finished step left them.
 */
import { Tensor, concat, indexSelect, noGrad, tensor, tidy } from "./core";
import { Module, type Shape } from "./module";
import { getLoss, type LossFn, type LossModule } from "./losses";
import { CallbackList, type Callback, type Logs, type TrainParams } from "./callbacks";
import { Optimizer, getOptimizer } from "../optim";
import { Rng } from "../data/random";
import * as metricsLib from "../metrics";
import { createProgressCallback } from "../plot/progress";
import { summarize, type ModelSummary } from "./summary";
import { OpError } from "../errors";

/** A metric: a name (for the logs) and a function of predictions and targets. */
export type Metric = string | { name: string; fn: (yHat: Tensor, y: Tensor) => number };

export interface CompileOptions {
  /** An optimizer, or a name ("sgd", "adam", ...) created with default settings at `fit`. */
  optimizer: Optimizer | string;
  /** A loss function or a name ("mse", "binaryCrossentropy", "sparseCategoricalCrossentropyFromLogits", ...). */
  loss: LossFn | string | LossModule;
  /** "accuracy" (alias "acc"), "mse", "mae", or `{ name, fn }`. */
  metrics?: Metric[];
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Hold out this fraction of the samples (the last ones, before shuffling) for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  /** Shuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0), so runs are reproducible. */
  seed?: number;
  callbacks?: Callback[];
  /**
   * Applied to each training batch's inputs before the forward pass (data augmentation such as
   * `data.randomShift()`); validation data is left as it is.
   */
  transform?: (x: Tensor) => Tensor;
  /** 0 silent; 1 (default) live progress; 2 one line per epoch. */
  verbose?: number;
}

/** What `fit` returns: every epoch's logs, by name (`history.loss[epoch]`). */
export class History implements Callback {
  readonly history: Record<string, number[]> = {};
  readonly epoch: number[] = [];
  params?: TrainParams;
  onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
  toString(): string {
    const keys = Object.keys(this.history);
    return `History(${this.epoch.length} epochs: ${keys.map((k) => `${k} ${this.history[k].at(-1)?.toFixed(4)}`).join(", ")})`;
  }
}

/** The argument-free form `fit` yields with between batches. */
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The process event that stops every running `fit` after its current batch. The kernel emits
 * it when the user interrupts a cell (`process.emit("gradbook:interrupt")`); plain scripts can
 * call {@link interruptTraining}.
 */
export const INTERRUPT_EVENT = "gradbook:interrupt";

/**
 * Stops every running `fit` after its current batch; each rejects with a KeyboardInterrupt
 * error and its model keeps the weights of the last finished batch.
 * @example setTimeout(() => nn.interruptTraining(), 5000);
 */
export function interruptTraining(): void {
  process.emit(INTERRUPT_EVENT as any);
}

/** A Module with Keras' training API: `compile`, `fit`, `evaluate`, `predict` and `summary`. `Sequential` is one; subclass it for a custom forward that keeps `fit`. */
export abstract class Model extends Module {
  /** Set by a callback (EarlyStopping) to end `fit` after the current batch. */
  stopTraining = false;
  optimizer: Optimizer | null = null;
  private optimizerName: string | null = null;
  private lossFn: LossFn | null = null;
  private lossName = "";
  private metricList: { name: string; fn: (yHat: Tensor, y: Tensor) => number }[] = [];
  /** Input shape without the batch axis, when known (needed by `summary`). */
  inputShape: Shape | null = null;

  /**
   * Sets the optimizer, loss and metrics used by `fit` and `evaluate`.
   *
   * @example
   * model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
   */
  compile(options: CompileOptions): this {
    if (!options || options.loss === undefined || options.optimizer === undefined) {
      throw new OpError("compile", "needs { optimizer, loss } (and optionally metrics)");
    }
    this.lossFn = getLoss(options.loss);
    this.lossName = typeof options.loss === "string" ? options.loss : options.loss.name || "loss";
    // A logits loss module decides accuracy's threshold like the "...FromLogits" names do.
    if (typeof options.loss === "object" && /WithLogits|CrossEntropyLoss/.test(options.loss.name ?? "")) this.lossName += "FromLogits";
    if (typeof options.optimizer === "string") {
      getOptimizerCheck(options.optimizer);
      this.optimizerName = options.optimizer;
      this.optimizer = null;
    } else if (options.optimizer instanceof Optimizer) {
      this.optimizer = options.optimizer;
      this.optimizerName = null;
    } else {
      throw new OpError("compile", `optimizer must be an Optimizer or a name like "adam", got ${typeof options.optimizer}`);
    }
    this.metricList = (options.metrics ?? []).map((m) => this.resolveMetric(m));
    return this;
  }

  private resolveMetric(m: Metric): { name: string; fn: (yHat: Tensor, y: Tensor) => number } {
    if (typeof m !== "string") return m;
    const threshold = /FromLogits/i.test(this.lossName) ? 0 : 0.5;
    switch (m) {
      case "accuracy":
      case "acc":
        return { name: m, fn: (yHat, y) => metricsLib.accuracy(yHat, y, isBinary(yHat) ? { threshold } : {}) };
      case "mse":
        return { name: m, fn: (yHat, y) => metricsLib.meanSquaredError(yHat, y) };
      case "mae":
        return { name: m, fn: (yHat, y) => metricsLib.meanAbsoluteError(yHat, y) };
      default:
        throw new OpError("compile", `unknown metric "${m}"; known: accuracy, acc, mse, mae, or { name, fn }`);
    }
  }

  private ensureReady(op: string, X: Tensor): void {
    if (!this.lossFn) throw new OpError(op, `call model.compile({ optimizer, loss }) first`);
    if (!this.inputShape) this.inputShape = X.shape.slice(1);
    // Build lazily sized layers (Dense without inputDim) with one sample before creating the optimizer.
    if (this.parameters().length === 0 || this.needsBuild()) {
      noGrad(() => {
        const was = this.training;
        this.eval();
        this.forward(X.slice(0, 0, 1));
        this.train(was);
      });
    }
    if (!this.optimizer && this.optimizerName) this.optimizer = getOptimizer(this.optimizerName, this.trainableParameters());
    const held = new Set(this.optimizer!.params);
    const missing = this.namedParameters().filter(([, p]) => p.requiresGrad && !held.has(p));
    if (missing.length) {
      throw new OpError(
        op, `the optimizer does not update ${missing.map(([n]) => n).join(", ")}: it was made before those ` +
          `parameters existed (a Dense layer without inputDim is built on its first input). Give every Dense an ` +
          `inputDim, run the model once before creating the optimizer, or pass the optimizer by name.`,
      );
    }
  }

  private needsBuild(): boolean {
    return this.modules().some((m) => (m as { built?: boolean }).built === false);
  }

  /**
   * Trains for `epochs` passes over (X, y) in minibatches; returns the history of losses and
   * metrics per epoch (and `val_` ones when there is validation data).
   *
   * @example
   * const history = await model.fit(X, y, { epochs: 10, batchSize: 64, validationSplit: 0.1 });
   * history.history.loss; // one value per epoch
   */
  async fit(X: Tensor, y: Tensor, options: FitOptions = {}): Promise<History> {
    const { epochs = 1, batchSize = 32, validationSplit, shuffle = true, seed = 0, callbacks = [], verbose = 1, transform } = options;
    if (transform !== undefined && typeof transform !== "function") throw new OpError("fit", `transform must be a function of the input batch, got ${typeof transform}`);
    checkXY("fit", X, y);
    if (!Number.isInteger(epochs) || epochs < 0) throw new OpError("fit", `epochs must be an integer >= 0, got ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new OpError("fit", `batchSize must be a positive integer, got ${batchSize}`);
    let Xt = X;
    let yt = y;
    let val = options.validationData ?? null;
    if (validationSplit !== undefined) {
      if (!(validationSplit > 0 && validationSplit < 1)) throw new OpError("fit", `validationSplit must be in (0, 1), got ${validationSplit}`);
      if (val) throw new OpError("fit", "give validationSplit or validationData, not both");
      const nVal = Math.floor(X.shape[0] * validationSplit);
      const nTrain = X.shape[0] - nVal;
      if (nVal < 1 || nTrain < 1) throw new OpError("fit", `validationSplit ${validationSplit} of ${X.shape[0]} samples leaves an empty split`);
      Xt = X.slice(0, 0, nTrain);
      yt = y.slice(0, 0, nTrain);
      val = [X.slice(0, nTrain, X.shape[0]), y.slice(0, nTrain, y.shape[0])];
    }
    if (val) checkXY("fit (validationData)", val[0], val[1]);
    this.ensureReady("fit", Xt);
    const n = Xt.shape[0];
    const steps = Math.ceil(n / batchSize);
    const names = ["loss", ...this.metricList.map((m) => m.name)];
    const history = new History();
    const all: Callback[] = [history, ...callbacks];
    if (verbose !== 0) all.push(createProgressCallback({ verbose }));
    const cbs = new CallbackList(all);
    cbs.setup(
      { epochs, steps, samples: n, batchSize, verbose, metrics: val ? [...names, ...names.map((k) => `val_${k}`)] : names },
      this,
    );
    const rng = new Rng(seed);
    const wasTraining = this.training;
    this.stopTraining = false;
    let logs: Logs = {};
    let interrupted: { epoch: number; batch: number } | null = null;
    let position = { epoch: 0, batch: -1 };
    const onInterrupt = () => {
      interrupted = { ...position };
      this.stopTraining = true;
    };
    process.on(INTERRUPT_EVENT, onInterrupt);
    try {
      await cbs.trainBegin();
      for (let epoch = 0; epoch < epochs && !this.stopTraining; epoch++) {
        await cbs.epochBegin(epoch);
        this.train();
        const perm = shuffle ? rng.permutation(n) : null;
        const sums: Record<string, number> = {};
        let seen = 0;
        for (let b = 0; b < steps; b++) {
          const start = b * batchSize;
          const end = Math.min(n, start + batchSize);
          await cbs.batchBegin(b, { batch: b, size: end - start });
          // The batch's copies are freed at once, not left to the garbage collector.
          const xb = batchOf(Xt, perm, start, end), yb = batchOf(yt, perm, start, end);
          const xin = transform ? transform(xb) : xb;
          let batchLogs: Logs;
          try {
            batchLogs = this.trainStep(xin, yb);
          } finally {
            if (xin !== xb) xin.dispose();
            xb.dispose();
            yb.dispose();
          }
          for (const k of names) sums[k] = (sums[k] ?? 0) + batchLogs[k] * (end - start);
          seen += end - start;
          position = { epoch, batch: b };
          await cbs.batchEnd(b, { batch: b, size: end - start, ...batchLogs });
          await nextTick();
          if (this.stopTraining) break;
        }
        if (interrupted) break;
        logs = {};
        for (const k of names) logs[k] = sums[k] / seen;
        if (val) {
          const v = this.evaluate(val[0], val[1], { batchSize: Math.max(batchSize, 256) });
          for (const [k, x] of Object.entries(v)) logs[`val_${k}`] = x;
        }
        await cbs.epochEnd(epoch, logs);
      }
      await cbs.trainEnd(logs);
    } finally {
      process.off(INTERRUPT_EVENT, onInterrupt);
      this.train(wasTraining);
    }
    if (interrupted) {
      const { epoch, batch } = interrupted;
      const err = new OpError(
        "fit", `interrupted after batch ${batch + 1} of epoch ${epoch + 1}; the model keeps the weights of that batch`,
      );
      err.name = "KeyboardInterrupt";
      throw err;
    }
    return history;
  }

  /** One optimization step on a batch; returns the batch's loss and metrics. */
  trainStep(xb: Tensor, yb: Tensor): Logs {
    const lossFn = this.lossFn!;
    const opt = this.optimizer!;
    const logs: Logs = tidy(() => {
      const yHat = this.forward(xb);
      let loss = lossFn(yHat, yb);
      const reg = this.regularizationLoss();
      if (reg) loss = loss.add(reg);
      opt.zeroGrad();
      loss.backward();
      const out: Logs = { loss: loss.item() };
      noGrad(() => {
        for (const m of this.metricList) out[m.name] = m.fn(yHat.detach(), yb);
      });
      return out;
    });
    if (!Number.isFinite(logs.loss)) {
      throw new OpError("fit", `the loss became ${logs.loss}; lower the learning rate or check the inputs for NaN`);
    }
    opt.step();
    return logs;
  }

  /**
   * Loss and metrics on (X, y) in inference mode (no dropout, running batch-norm statistics).
   * @example model.evaluate(XTest, yTest) // { loss: 0.08, accuracy: 0.975 }
   */
  evaluate(X: Tensor, y: Tensor, options: { batchSize?: number } = {}): Logs {
    checkXY("evaluate", X, y);
    if (!this.lossFn) throw new OpError("evaluate", "call model.compile({ optimizer, loss }) first");
    const yHat = this.predict(X, options);
    return noGrad(() =>
      tidy(() => {
        let loss = this.lossFn!(yHat, y);
        const reg = this.regularizationLoss();
        if (reg) loss = loss.add(reg);
        const logs: Logs = { loss: loss.item() };
        for (const m of this.metricList) logs[m.name] = m.fn(yHat, y);
        return logs;
      }),
    );
  }

  /**
   * Outputs for X in inference mode, computed in batches. X may be a tensor or nested arrays
   * of numbers (made a float32 tensor on the model's device).
   * @example const probs = model.predict(XTest);
   * @example model.predict([[0.5, -1.2]]) // one sample
   */
  predict(input: Tensor | number[] | number[][] | number[][][] | number[][][][], options: { batchSize?: number } = {}): Tensor {
    const { batchSize = 256 } = options;
    const X = Array.isArray(input) ? tensor(input as number[][]).to(this.device ?? "js") : input;
    if (!(X instanceof Tensor)) throw new OpError("predict", `X must be a Tensor or an array of numbers, got ${X === null ? "null" : typeof X}`);
    if (X.ndim < 1 || X.shape[0] === 0) throw new OpError("predict", `X [${X.shape.join(",")}] has no samples on axis 0`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new OpError("predict", `batchSize must be a positive integer, got ${batchSize}`);
    const was = this.training;
    this.eval();
    try {
      return noGrad(() => {
        const parts: Tensor[] = [];
        for (let s = 0; s < X.shape[0]; s += batchSize) {
          // tidy frees each batch's intermediate activations at once instead of at garbage collection
          parts.push(tidy(() => this.forward(X.slice(0, s, Math.min(X.shape[0], s + batchSize)))));
        }
        return parts.length === 1 ? parts[0] : concat(parts, 0);
      });
    } finally {
      this.train(was);
    }
  }

  /**
   * A table of layers with output shape, parameter count and FLOPs (multiply-accumulates,
   * counted as the course notes do), with totals. `inputShape` excludes the batch axis and
   * defaults to the one seen by `fit` or given to the constructor.
   *
   * Lazy dense layers are built for the summary unless `build: false`, which counts their
   * parameters without allocating them.
   *
   * @example
   * lenet.summary([1, 32, 32]).toString();
   */
  summary(inputShape?: Shape, options: { build?: boolean } = {}): ModelSummary {
    const shape = inputShape ?? this.inputShape ?? this.firstLayerInputShape();
    if (!shape) throw new OpError("summary", `the input shape is unknown; pass it, e.g. model.summary([1, 28, 28]), or give the first layer an inputDim`);
    return summarize(this.summaryLayers(), shape, this.name, options);
  }

  /** [inFeatures] of a first Dense/Linear built with its input size (Keras' `inputDim`), else undefined. */
  private firstLayerInputShape(): Shape | undefined {
    const first = this.summaryLayers()[0] as (Module & { inFeatures?: number }) | undefined;
    return first && typeof first.inFeatures === "number" && first.inFeatures > 0 ? [first.inFeatures] : undefined;
  }

  /** The layers `summary` lists, applied in order (Sequential: its layers). */
  protected summaryLayers(): Module[] {
    return this.children();
  }
}

function getOptimizerCheck(name: string): void {
  const known = ["sgd", "adagrad", "rmsprop", "adam", "adamw"];
  if (!known.includes(name.toLowerCase())) throw new OpError("compile", `unknown optimizer "${name}"; known: ${known.join(", ")}`);
}

function isBinary(yHat: Tensor): boolean {
  return yHat.ndim === 1 || (yHat.ndim === 2 && yHat.shape[1] === 1);
}

function checkXY(op: string, X: Tensor, y: Tensor): void {
  if (!(X instanceof Tensor) || !(y instanceof Tensor)) throw new OpError(op, `X and y must be Tensors`);
  if (X.ndim < 1 || y.ndim < 1 || X.shape[0] !== y.shape[0]) {
    throw new OpError(op, `X [${X.shape.join(",")}] and y [${y.shape.join(",")}] must have the same number of samples (axis 0)`);
  }
  if (X.shape[0] === 0) throw new OpError(op, `X [${X.shape.join(",")}] has no samples`);
}

/**
 * Samples perm[start..end) of t (or rows start..end unshuffled). The shuffled batch is built from
 * one-row views copied side by side: indexSelect's gather would expand the index to the batch's
 * full shape and check every entry of it, which cost about as much as LeNet's forward pass
 * (issue 18). The order is perm's, so the batches are the same as indexSelect's.
 */
function batchOf(t: Tensor, perm: Int32Array | null, start: number, end: number): Tensor {
  if (!perm) return t.slice(0, start, end);
  const index = tensor(perm.subarray(start, end), { dtype: "int32", device: t.device });
  const out = indexSelect(t, 0, index);
  index.dispose();
  return out;
}
