/**
 * Training progress for `fit`.
 *
 * In a notebook (a display sink is installed) it shows two live displays updated in place with
 * `update_display_data`: a text progress bar (epoch, batch, ETA, loss, metrics; one summary line
 * per finished epoch) and a chart of the loss and metric curves (training and validation).
 * Outside a notebook it prints a plain text line per epoch (and redraws one line on a terminal).
 *
 * Updates are rate-bounded: a display is never updated twice within its interval (bar: 0.25 s,
 * curves: 1 s). An epoch's end that falls inside the interval is not dropped but deferred: the
 * latest state goes out with the next callback after the interval has passed, and the final
 * state is always sent when training ends. No timers are used, so nothing is ever published
 * after `fit` has returned (or thrown, e.g. on an interrupt).
 */
import type { Callback, Logs, TrainParams } from "../nn/callbacks";
import { getDisplaySink, type DisplaySink, type MimeBundle } from "../display";
import { Chart, VegaLiteSpec } from "./chart";
import { CLASS_COLORS } from "./charts";

export interface ProgressOptions {
  /**
   * 0: silent; 1 (default): live bar and curves updated during each epoch (a redrawn line on a
   * terminal); 2: updated at epoch ends only (one line per epoch on a terminal).
   */
  verbose: number;
  /** Minimum milliseconds between two updates of the progress bar (default 250). */
  barInterval?: number;
  /** Minimum milliseconds between two updates of the curves chart (default 1000). */
  chartInterval?: number;
  /** Show the curves chart in a notebook (default true). */
  curves?: boolean;
  /** The sink to publish to (default: the one the kernel installed, see `getDisplaySink`). */
  sink?: DisplaySink | null;
  /** Where plain text goes outside a notebook (default process.stdout). */
  out?: { write(s: string): unknown; isTTY?: boolean };
  /** The clock in milliseconds (default Date.now); tests pass their own. */
  now?: () => number;
}

/** The callback `fit` adds by default; it is also usable on its own (see the example). */
export interface ProgressCallback extends Callback {
  /** Epoch-end logs recorded so far, one entry per epoch. */
  readonly history: Logs[];
  /** How many display updates were published (bar and curves together). */
  readonly updates: number;
}

let displayCounter = 0;

/**
 * Creates the progress callback `fit` uses (its `verbose` option is passed through).
 *
 * @example
 * const cb = createProgressCallback({ verbose: 1 });
 * cb.params = { epochs: 1, steps: 2, samples: 64, batchSize: 32, verbose: 1, metrics: ["loss"] };
 * cb.onTrainBegin!(); cb.onEpochBegin!(0);
 * cb.onBatchEnd!(0, { loss: 0.7 }); cb.onBatchEnd!(1, { loss: 0.5 });
 * cb.onEpochEnd!(0, { loss: 0.6 }); cb.onTrainEnd!();
 */
export function createProgressCallback(options: ProgressOptions): ProgressCallback {
  const verbose = options?.verbose ?? 1;
  if (typeof verbose !== "number" || !(verbose >= 0)) {
    throw new Error(`createProgressCallback: options.verbose must be 0, 1 or 2, got ${String(verbose)}`);
  }
  const now = options.now ?? Date.now;
  const barInterval = options.barInterval ?? 250;
  const chartInterval = options.chartInterval ?? 1000;
  const out = options.out ?? process.stdout;

  let sink: DisplaySink | null = null;
  let epochs = 0, steps = 0;
  let epoch = 0, batch = -1;
  let trainStart = 0, epochStart = 0;
  let batchLogs: Logs = {};
  const running = { sums: {} as Record<string, number>, count: 0 };
  const history: Logs[] = [];
  const epochLines: string[] = [];
  const trainPoints: { x: number; logs: Logs }[] = [];
  let updates = 0;

  const ids = { bar: "", curves: "" };
  const bar = { shown: false, last: -Infinity, dirty: false };
  const curves = { shown: false, last: -Infinity, dirty: false };

  const p = (): Partial<TrainParams> => cb.params ?? {};

  function barText(final: boolean): string {
    const lines = epochLines.slice(-20);
    if (epochLines.length > 20) lines.unshift(`... ${epochLines.length - 20} earlier epochs`);
    if (!final && batch >= 0 && history.length <= epoch) lines.push(currentLine());
    if (final) lines.push(`Done: ${history.length} epoch${history.length === 1 ? "" : "s"} in ${seconds(now() - trainStart)}`);
    return lines.join("\n");
  }

  function currentLine(): string {
    const done = batch + 1;
    const elapsed = now() - epochStart;
    const eta = steps > 0 && done > 0 ? (elapsed / done) * (steps - done) : NaN;
    return [
      `Epoch ${epoch + 1}/${epochs || "?"}`,
      progressBar(done, steps),
      `${done}/${steps || "?"}`,
      Number.isFinite(eta) ? `ETA ${seconds(eta)}` : "",
      formatLogs(batchLogs),
    ].filter(Boolean).join("  ");
  }

  function publishBar(force: boolean, final = false): void {
    if (!sink) return;
    const t = now();
    if (!force && t - bar.last < barInterval) { bar.dirty = true; return; }
    const bundle: MimeBundle = { "text/plain": barText(final) };
    if (!bar.shown) { sink.display(bundle, { id: ids.bar }); bar.shown = true; } else { sink.update(ids.bar, bundle); updates++; }
    // The interval counts from when the message went out, not from when rendering began.
    bar.last = now();
    bar.dirty = false;
  }

  function publishCurves(force: boolean): void {
    if (!sink || options.curves === false) return;
    const t = now();
    if (!force && t - curves.last < chartInterval) { curves.dirty = true; return; }
    if (trainPoints.length === 0) return;
    const bundle = curvesChart(trainPoints, history, p().metrics).toMimeBundle();
    if (!curves.shown) { sink.display(bundle, { id: ids.curves }); curves.shown = true; } else { sink.update(ids.curves, bundle); updates++; }
    curves.last = now();
    curves.dirty = false;
  }

  /** Sends deferred updates whose interval has now passed. */
  function flushDue(): void {
    const t = now();
    if (bar.dirty && t - bar.last >= barInterval) publishBar(true);
    if (curves.dirty && t - curves.last >= chartInterval) publishCurves(true);
  }

  const cb: ProgressCallback = {
    get history() { return history; },
    get updates() { return updates; },
    onTrainBegin() {
      if (verbose <= 0) return;
      sink = options.sink === undefined ? getDisplaySink() : options.sink;
      epochs = p().epochs ?? 0;
      steps = p().steps ?? 0;
      trainStart = now();
      const id = `gradbook-fit-${process.pid}-${++displayCounter}`;
      ids.bar = `${id}-progress`;
      ids.curves = `${id}-curves`;
    },
    onEpochBegin(e) {
      if (verbose <= 0) return;
      epoch = e;
      batch = -1;
      batchLogs = {};
      running.sums = {};
      running.count = 0;
      epochStart = now();
    },
    onBatchEnd(b, logs) {
      if (verbose <= 0) return;
      batch = b;
      batchLogs = runningMean(running, logs ?? {});
      if (sink && verbose === 1) {
        // The first bar goes out at once so the student sees training has started.
        publishBar(!bar.shown);
        if (steps > 0 && now() - curves.last >= chartInterval && Object.keys(batchLogs).length > 0) {
          trainPoints.push({ x: epoch + (b + 1) / steps, logs: batchLogs });
          publishCurves(false);
        }
        flushDue();
      } else if (verbose === 1 && out.isTTY && now() - bar.last >= barInterval) {
        out.write("\r" + currentLine() + "\x1b[K");
        bar.last = now();
      }
    },
    onEpochEnd(e, logs) {
      if (verbose <= 0) return;
      const l = metricsOnly(logs ?? {});
      history[e] = l;
      const line = `Epoch ${e + 1}/${epochs || "?"}  ${seconds(now() - epochStart)}  ${formatLogs(l)}`;
      epochLines.push(line);
      // The points drawn during the epoch were running means of part of it (the first one is one
      // batch's loss): once the epoch's mean is known it replaces them, so finished epochs are
      // plotted as epoch means only, like the validation curve, and the chart kept in the
      // notebook shows one point per epoch.
      while (trainPoints.length > 0 && trainPoints[trainPoints.length - 1].x > e) trainPoints.pop();
      trainPoints.push({ x: e + 1, logs: l });
      if (sink) {
        publishBar(false);
        publishCurves(!curves.shown);
        flushDue();
      } else {
        out.write((verbose === 1 && out.isTTY ? "\r" : "") + line + (verbose === 1 && out.isTTY ? "\x1b[K" : "") + "\n");
      }
    },
    onTrainEnd() {
      if (verbose <= 0 || !sink) return;
      // The final state always goes out, whatever the rate limit deferred.
      publishBar(true, true);
      if (curves.dirty || !curves.shown) publishCurves(true);
    },
  };
  return cb;
}

const PANEL_TITLES: Record<string, string> = { loss: "Loss", acc: "Accuracy", accuracy: "Accuracy", mae: "Mean absolute error", mse: "Mean squared error" };

const BOUNDED = new Set(["acc", "accuracy", "binaryAccuracy", "categoricalAccuracy", "sparseCategoricalAccuracy"]);

/** The loss/metric curves: one panel per quantity, training and validation lines in each. */
export function curvesChart(points: { x: number; logs: Logs }[], history: Logs[], metrics?: string[]): Chart {
  const names = new Set<string>();
  for (const m of metrics ?? []) names.add(m.replace(/^val_/, ""));
  for (const pt of points) for (const k of Object.keys(pt.logs)) names.add(k.replace(/^val_/, ""));
  const values: { x: number; value: number; metric: string; split: string }[] = [];
  for (const pt of points) {
    for (const [k, v] of Object.entries(pt.logs)) {
      if (!k.startsWith("val_") && Number.isFinite(v)) values.push({ x: pt.x, value: v, metric: k, split: "training" });
    }
  }
  history.forEach((logs, e) => {
    for (const [k, v] of Object.entries(logs ?? {})) {
      if (k.startsWith("val_") && Number.isFinite(v)) values.push({ x: e + 1, value: v, metric: k.slice(4), split: "validation" });
    }
  });
  const panels = [...names].filter((n) => values.some((v) => v.metric === n));
  const splits = ["training", "validation"].filter((sp) => values.some((v) => v.split === sp));
  // Dots help while there are few epochs; over hundreds they only blur the line.
  const dots = points.length <= 60;
  const spec: VegaLiteSpec = {
    data: { values },
    hconcat: panels.map((m) => ({
      title: PANEL_TITLES[m] ?? m,
      width: 260,
      height: 180,
      transform: [{ filter: { field: "metric", equal: m } }],
      mark: { type: "line", point: dots ? { size: 20 } : false, strokeWidth: 2 },
      encoding: {
        x: { field: "x", type: "quantitative", title: "epoch", scale: { domainMin: 0 } },
        // Accuracy lives in [0, 1]: a fixed axis keeps every point of the line inside the panel
        // and makes panels of different runs comparable.
        y: { field: "value", type: "quantitative", title: m, scale: BOUNDED.has(m) ? { domain: [0, 1], clamp: true } : { zero: false } },
        color: { field: "split", type: "nominal", title: "data", sort: splits, scale: { domain: splits, range: CLASS_COLORS.slice(0, splits.length) } },
      },
    })),
  };
  const last = history[history.length - 1];
  return new Chart(spec, `training curves: ${panels.join(", ")}${last ? ` (epoch ${history.length}: ${formatLogs(last)})` : ""}`);
}

/** Keras passes `batch` and `size` along with the values in batch logs; they are not metrics. */
function metricsOnly(logs: Logs): Logs {
  const out: Logs = {};
  for (const [k, v] of Object.entries(logs)) if (k !== "batch" && k !== "size" && typeof v === "number") out[k] = v;
  return out;
}

/**
 * Folds one batch's logs into the epoch's running means (weighted by batch size when given), so
 * the bar shows the same kind of number the epoch line will: the mean over the epoch so far.
 */
function runningMean(acc: { sums: Record<string, number>; count: number }, logs: Logs): Logs {
  const size = typeof logs.size === "number" && logs.size > 0 ? logs.size : 1;
  acc.count += size;
  const out: Logs = {};
  for (const [k, v] of Object.entries(metricsOnly(logs))) {
    acc.sums[k] = (acc.sums[k] ?? 0) + v * size;
    out[k] = acc.sums[k] / acc.count;
  }
  return out;
}

function progressBar(done: number, total: number, width = 20): string {
  if (!(total > 0)) return "";
  const filled = Math.round((Math.min(done, total) / total) * width);
  return "[" + "█".repeat(filled) + "░".repeat(width - filled) + "]";
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs).map(([k, v]) => `${k} ${formatNumber(v)}`).join("  ");
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  // Fixed decimals keep the columns of successive epoch lines aligned.
  return v === 0 || Math.abs(v) >= 1e-3 ? v.toFixed(4) : v.toExponential(2);
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60).toString().padStart(2, "0")}s`;
}
