/**
 * Charts of what happens inside a network: histograms of each layer's activations, gradients
 * or weights side by side (from `nn.probeLayers`), and learning-rate schedules over time.
 */
import { Chart, VegaLiteSpec } from "./chart";
import type { LayerProbe } from "../nn/layer-probes";
import { valueStats } from "../nn/layer-probes";

export interface LayerHistogramOptions {
  /** Which values to draw (default "activations"). */
  kind?: "activations" | "gradients" | "weights" | "weightGradients";
  /** Bins per layer (default 30). */
  bins?: number;
  /** The same x range for every layer (default true), so a shrinking or growing spread shows. */
  sharedX?: boolean;
  title?: string;
  /** Size of each layer's panel in pixels (default 150 × 110). */
  width?: number;
  height?: number;
  /** Panels per row before the next row starts (default: as many as fit in about 880 pixels, a notebook's width), so a deep network fits. */
  columns?: number;
}

/**
 * One histogram per layer, left to right in layer order (`columns` per row), each titled with the layer and the
 * standard deviation of its values. Counts are shown as a share of the layer's values, so
 * layers of different sizes compare.
 *
 * @example
 * plot.layerHistograms(nn.probeLayers(model, X, { y }), { kind: "gradients", title: "∂loss/∂activations" })
 */
export function layerHistograms(probes: LayerProbe[], options: LayerHistogramOptions = {}): Chart {
  const { kind = "activations", bins = 30, sharedX = true } = options;
  if (!Array.isArray(probes) || probes.length === 0) throw new Error("layerHistograms: probes must be a non-empty array from nn.probeLayers");
  if (!["activations", "gradients", "weights", "weightGradients"].includes(kind)) {
    throw new Error(`layerHistograms: kind must be "activations", "gradients", "weights" or "weightGradients", got "${kind}"`);
  }
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`layerHistograms: bins must be a positive integer, got ${bins}`);
  const chosen = probes.filter((p) => p[kind] !== null);
  if (chosen.length === 0) {
    throw new Error(`layerHistograms: no layer has ${kind}${kind.toLowerCase().includes("gradient") ? " (pass y to nn.probeLayers to get gradients)" : ""}`);
  }
  const finite = (a: Float32Array) => {
    let lo = Infinity, hi = -Infinity;
    for (const v of a) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    return [lo, hi];
  };
  let gLo = Infinity, gHi = -Infinity;
  for (const p of chosen) { const [lo, hi] = finite(p[kind]!); gLo = Math.min(gLo, lo); gHi = Math.max(gHi, hi); }
  const rows: { layer: string; start: number; end: number; share: number }[] = [];
  const names: string[] = [];
  const text: string[] = [];
  for (const p of chosen) {
    const values = p[kind]!;
    const s = valueStats(values);
    const label = `${p.index} ${p.name.replace(/^\d+ /, "").replace(/\(.*$/, "")} · std ${fmt(s.std)}`;
    names.push(label);
    text.push(`${p.name}: mean ${fmt(s.mean)}, std ${fmt(s.std)}, min ${fmt(s.min)}, max ${fmt(s.max)}`);
    let [lo, hi] = sharedX ? [gLo, gHi] : finite(values);
    if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
    const w = (hi - lo) / bins;
    const counts = new Array(bins).fill(0);
    let n = 0;
    for (const v of values) if (Number.isFinite(v)) { counts[Math.min(bins - 1, Math.floor((v - lo) / w))]++; n++; }
    counts.forEach((c, i) => rows.push({ layer: label, start: lo + i * w, end: lo + (i + 1) * w, share: n ? c / n : 0 }));
  }
  const spec: VegaLiteSpec = {
    ...(options.title === undefined ? {} : { title: options.title }),
    data: { values: rows },
    facet: { field: "layer", type: "nominal", sort: names, title: null, header: { labelFontSize: 11 } },
    // A panel takes its width plus about 110 pixels of axis and title.
    columns: options.columns ?? Math.max(1, Math.floor(880 / ((options.width ?? 150) + 110))),
    spec: {
      width: options.width ?? 150,
      height: options.height ?? 110,
      mark: { type: "rect", color: "#4c78a8" },
      encoding: {
        x: { field: "start", type: "quantitative", title: kind, scale: { zero: false, nice: false } },
        x2: { field: "end" },
        y: { field: "share", type: "quantitative", title: "share of values", axis: { format: "%" } },
        y2: { datum: 0 },
      },
    },
    resolve: { scale: { x: sharedX ? "shared" : "independent", y: "independent" } },
  };
  return new Chart(spec, `layer histograms of ${kind}:\n${text.join("\n")}`);
}

function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : v.toPrecision(3);
}

/** Anything with a learning rate per step: an `optim` schedule, or a function of t. */
export type ScheduleLike = { lrAt(t: number): number } | ((t: number) => number);

export interface LrScheduleOptions {
  /** Steps to draw, t = 0 .. steps − 1 (default 100). */
  steps?: number;
  title?: string;
  xLabel?: string;
  logY?: boolean;
  width?: number;
  height?: number;
}

/**
 * Learning rate against step for one or several schedules (their closed forms `lrAt(t)`; the
 * optimizers they wrap are not touched).
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
 * plot.lrSchedules({ step: new optim.StepLR(opt, { stepSize: 30, gamma: 0.5 }), cosine: (t) => 0.05 * (1 + Math.cos(Math.PI * t / 100)) }, { steps: 100 })
 */
export function lrSchedules(schedules: Record<string, ScheduleLike>, options: LrScheduleOptions = {}): Chart {
  const { steps = 100 } = options;
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`lrSchedules: steps must be an integer >= 2, got ${steps}`);
  const entries = Object.entries(schedules ?? {});
  if (entries.length === 0) throw new Error("lrSchedules: give at least one schedule, e.g. { cosine: new optim.CosineAnnealingLR(opt, { tMax: 100 }) }");
  const rows: { schedule: string; t: number; lr: number }[] = [];
  for (const [name, s] of entries) {
    const f = typeof s === "function" ? s : s && typeof s.lrAt === "function" ? (t: number) => s.lrAt(t) : null;
    if (!f) throw new Error(`lrSchedules: schedule "${name}" must be an optim schedule (with lrAt) or a function of the step`);
    for (let t = 0; t < steps; t++) {
      const lr = f(t);
      if (!Number.isFinite(lr)) throw new Error(`lrSchedules: schedule "${name}" gave ${lr} at step ${t}`);
      rows.push({ schedule: name, t, lr });
    }
  }
  const spec: VegaLiteSpec = {
    ...(options.title === undefined ? {} : { title: options.title }),
    width: options.width ?? 420,
    height: options.height ?? 240,
    data: { values: rows },
    mark: { type: "line", strokeWidth: 2 },
    encoding: {
      x: { field: "t", type: "quantitative", title: options.xLabel ?? "step t" },
      y: { field: "lr", type: "quantitative", title: "learning rate", ...(options.logY ? { scale: { type: "log" } } : {}) },
      color: { field: "schedule", type: "nominal", sort: entries.map(([n]) => n), title: "schedule" },
    },
  };
  const last = entries.map(([n]) => `${n}: ${rows.filter((r) => r.schedule === n)[0].lr} → ${rows.filter((r) => r.schedule === n).at(-1)!.lr.toPrecision(3)}`);
  return new Chart(spec, `learning-rate schedules over ${steps} steps: ${last.join("; ")}`);
}
