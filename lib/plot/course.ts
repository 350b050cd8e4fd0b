/**
 * The plots the lectures call for: activations with their derivatives, classification losses
 * against the margin, the universal approximator's ReLU steps, convolution filters and feature
 * maps, and decision boundaries.
 */
import { Tensor, tensor, noGrad } from "../index";
import * as F from "../nn/functional";
import { Module } from "../nn/module";
import { Chart, VegaLiteSpec } from "./chart";
import { CLASS_COLORS, classOrder, imageGrid, rasterLayer, scatterEncoding, scatterPoints, type ScatterOptions } from "./charts";
import { isTensorLike, toNumbers, toVector } from "./data";

// ---------------------------------------------------------------------------------------------
// plotActivations

/** An activation to plot: its name and the function, written with tensor ops. */
export interface ActivationFn {
  name: string;
  fn: (x: Tensor) => Tensor;
}

/** The activations of the lecture, in the order it discusses them. */
export const ACTIVATIONS: ActivationFn[] = [
  { name: "sigmoid", fn: (x) => x.sigmoid() },
  { name: "tanh", fn: (x) => x.tanh() },
  { name: "ReLU", fn: (x) => x.relu() },
  { name: "leaky ReLU (0.1)", fn: (x) => F.leakyRelu(x, 0.1) },
  { name: "PReLU (a = 0.25)", fn: (x) => F.prelu(x, tensor([0.25])) },
  { name: "ELU", fn: (x) => F.elu(x) },
  { name: "SELU", fn: (x) => F.selu(x) },
  { name: "softplus", fn: (x) => F.softplus(x) },
];

/** Each activation's values and derivative at `xs`; the derivative comes from autodiff. */
export function activationCurves(xs: unknown, activations: ActivationFn[] = ACTIVATIONS) {
  const x0 = toVector(xs, "xs");
  if (x0.length < 2) throw new Error(`plotActivations: xs needs at least 2 points, got ${x0.length}`);
  return activations.map(({ name, fn }) => {
    // A fresh leaf per activation: summing the outputs makes x.grad hold f'(x) at each point,
    // since every output depends on its own input only.
    const x = tensor(x0, { dtype: "float64", requiresGrad: true });
    const y = fn(x);
    y.sum().backward();
    const value = Array.from(y.detach().data() as ArrayLike<number>);
    const derivative = Array.from(x.grad!.data() as ArrayLike<number>);
    return { name, x: x0, value, derivative };
  });
}

/**
 * One panel per activation with the function and its derivative (computed by autodiff).
 *
 * @example
 * plot.plotActivations(arange(-3, 3, 0.1));
 */
export function plotActivations(xs: unknown = evenly(-3, 3, 100), options: { columns?: number; activations?: ActivationFn[] } = {}): Chart {
  const curves = activationCurves(xs, options.activations);
  // One row per activation with its curves as arrays, expanded by the chart's own transforms:
  // a point per row would repeat the activation's name and the curve's label 1,600 times and
  // make the spec five times larger. Values keep the 4 significant digits a 130-pixel panel
  // can show at most.
  const values = curves.map((c) => ({ activation: c.name, x: c.x.map(shown), f: c.value.map(shown), d: c.derivative.map(shown) }));
  const spec: VegaLiteSpec = {
    title: "Activation functions and their derivatives",
    data: { values },
    transform: [
      { flatten: ["x", "f", "d"] },
      { fold: ["f", "d"], as: ["curve", "y"] },
      { calculate: `datum.curve === 'f' ? '${F_LABEL}' : '${DF_LABEL}'`, as: "curve" },
    ],
    facet: { field: "activation", type: "nominal", title: null, sort: curves.map((c) => c.name), header: { labelFontWeight: "bold" } },
    columns: options.columns ?? 4,
    spec: {
      width: 170,
      height: 130,
      mark: { type: "line", strokeWidth: 2 },
      encoding: {
        x: { field: "x", type: "quantitative", title: "x" },
        y: { field: "y", type: "quantitative", title: null },
        color: { field: "curve", type: "nominal", title: null, scale: { range: CLASS_COLORS.slice(0, 2) } },
        strokeDash: { field: "curve", type: "nominal", title: null, scale: { range: [[1, 0], [5, 3]] } },
      },
    },
    resolve: { scale: { y: "independent" } },
    config: { legend: { orient: "top" } },
  };
  return new Chart(spec, `activations with derivatives: ${curves.map((c) => c.name).join(", ")}`);
}

const F_LABEL = "f(x)";
const DF_LABEL = "f′(x) (autodiff)";

/** A value rounded to 4 significant digits (what a chart panel can show), exact zeros kept. */
function shown(v: number): number {
  return Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(4)) : v;
}

// ---------------------------------------------------------------------------------------------
// plotLossFns

/** The classification losses of the lecture as functions of the margin m = y·score, y ∈ {−1, +1}. */
export const LOSS_FNS: { name: string; fn: (m: number) => number }[] = [
  { name: "0-1 loss", fn: (m) => (m < 0 ? 1 : 0) },
  { name: "hinge", fn: (m) => Math.max(0, 1 - m) },
  { name: "exponential", fn: (m) => Math.exp(-m) },
  { name: "squared", fn: (m) => (1 - m) ** 2 },
  // In bits (log base 2) so that, like the others, it is 1 at the boundary m = 0.
  { name: "cross-entropy", fn: (m) => Math.log1p(Math.exp(-m)) / Math.LN2 },
];

/**
 * The losses against the margin, clipped to a readable range.
 *
 * @example
 * plot.plotLossFns();
 */
export function plotLossFns(options: { margin?: [number, number]; maxLoss?: number; title?: string } = {}): Chart {
  const [lo, hi] = options.margin ?? [-2, 2.5];
  const maxLoss = options.maxLoss ?? 4;
  const values: { m: number; loss: number; fn: string }[] = [];
  // 181 points put the default range's samples on multiples of 0.025 (0, ±0.5, ±1 included).
  const n = 181;
  for (const { name, fn } of LOSS_FNS) {
    for (let k = 0; k < n; k++) {
      const m = round(lo + ((hi - lo) * k) / (n - 1));
      // The 0-1 loss jumps at 0: a point on each side keeps the drawn step vertical.
      if (name.startsWith("accuracy") && k > 0 && lo + ((hi - lo) * (k - 1)) / (n - 1) < 0 && m >= 0) {
        values.push({ m: 0, loss: 1, fn: name });
        values.push({ m: 0, loss: 0, fn: name });
      }
      values.push({ m, loss: round(fn(m)), fn: name });
    }
  }
  const spec: VegaLiteSpec = {
    title: options.title ?? "Classification losses against the margin y·score",
    width: 420,
    height: 280,
    data: { values },
    mark: { type: "line", strokeWidth: 2, clip: true },
    encoding: {
      x: { field: "m", type: "quantitative", title: "margin m = y · score  (m < 0: misclassified)", scale: { domain: [lo, hi], nice: false } },
      y: { field: "loss", type: "quantitative", title: "loss", scale: { domain: [0, maxLoss] } },
      color: { field: "fn", type: "nominal", title: "loss", sort: LOSS_FNS.map((l) => l.name), scale: { range: CLASS_COLORS } },
      order: { field: "m", type: "quantitative" },
    },
  };
  return new Chart(spec, `losses against the margin: ${LOSS_FNS.map((l) => l.name).join(", ")}`);
}

// ---------------------------------------------------------------------------------------------
// NN and plotSteps

/**
 * The universal approximator's building block: one neuron computing max(0, W·x + b).
 * A real module: its `weight` and `bias` are parameters, and it runs on tensors.
 *
 * @example
 * const n = new plot.ReLUNeuron(10, 0);
 * n.call(tensor([[-1], [0.05], [1]])); // [[0], [0.5], [10]]
 */
export class ReLUNeuron extends Module {
  constructor(W: number, b: number) {
    super();
    this.name = "NN";
    if (!Number.isFinite(W) || !Number.isFinite(b)) throw new Error(`NN: W and b must be finite numbers, got W=${W}, b=${b}`);
    this.registerParameter("weight", tensor([[W]]));
    this.registerParameter("bias", tensor([b]));
  }

  get W(): number { return this.param("weight").item(); }
  get b(): number { return this.param("bias").item(); }

  /** x: shape [n, 1] (or [n]); returns max(0, x·Wᵀ + b) with the same shape. */
  forward(x: Tensor): Tensor {
    const flat = x.ndim === 1;
    const x2 = flat ? x.reshape(-1, 1) : x;
    if (x2.ndim !== 2 || x2.shape[1] !== 1) throw new Error(`NN: input must have shape [n, 1] or [n], got [${x.shape}]`);
    const y = x2.matmul(this.param("weight").T).add(this.param("bias")).relu();
    return flat ? y.reshape(-1) : y;
  }
}

/** `NN(W, b)` as the lecture writes it (no `new` needed; `new NN(W, b)` works too). */
export interface NNFactory {
  (W: number, b: number): ReLUNeuron;
  new (W: number, b: number): ReLUNeuron;
}

/**
 * Makes a one-neuron ReLU network max(0, W·x + b) (a `ReLUNeuron` module).
 *
 * @example
 * plot.plotSteps([plot.NN(1, 0), plot.NN(10, 0), plot.NN(100, 0), plot.NN(1000, 0)]);
 */
export const NN = function NN(W: number, b: number) {
  // Called with or without `new`, it returns the module; a returned object replaces `this`.
  return new ReLUNeuron(W, b);
} as unknown as NNFactory;

/**
 * Left: each neuron's output max(0, W·x + b), showing how a larger W makes it steeper and b moves
 * the corner. Right: the step each makes with a second neuron, max(0, W·x + b) − max(0, W·x + b − 1),
 * which rises from 0 to 1 over a width of 1/W.
 *
 * @example
 * plot.plotSteps([plot.NN(1, 0), plot.NN(10, 0), plot.NN(100, 0), plot.NN(1000, 0)]);
 */
export function plotSteps(nets: ReLUNeuron[], options: { xRange?: [number, number]; points?: number } = {}): Chart {
  if (!Array.isArray(nets) || nets.length === 0) throw new Error("plotSteps: pass a non-empty list of NN(W, b) modules");
  nets.forEach((n, i) => {
    if (!(n instanceof ReLUNeuron)) throw new Error(`plotSteps: nets[${i}] must be an NN(W, b), got ${typeof n}`);
  });
  const corners = nets.map((n) => -n.b / n.W);
  let [x0, x1] = options.xRange ?? [Math.min(0, ...corners), Math.max(0, ...corners)];
  if (!options.xRange) {
    const pad = Math.max(1, (x1 - x0) * 0.5);
    x0 -= pad;
    x1 += pad;
  }
  const npts = options.points ?? 201;
  // Sample densely, plus each ramp's two ends so steep ramps are drawn exactly.
  const xsSet = new Set<number>();
  for (let k = 0; k < npts; k++) xsSet.add(x0 + ((x1 - x0) * k) / (npts - 1));
  for (const n of nets) for (const c of [-n.b / n.W, (1 - n.b) / n.W]) if (c > x0 && c < x1) xsSet.add(c);
  const xs = [...xsSet].sort((a, b) => a - b);
  const X = tensor(xs.map((v) => [v]), { dtype: "float64" });
  const yMax = (x1 - x0) * Math.min(...nets.map((n) => Math.abs(n.W)));
  const relu: { x: number; y: number; net: string }[] = [];
  const step: { x: number; y: number; net: string }[] = [];
  noGrad(() => {
    for (const n of nets) {
      const label = `W=${n.W}, b=${n.b}`;
      const y1 = toVector(n.call(X), "NN output");
      const y2 = toVector(new ReLUNeuron(n.W, n.b - 1).call(X), "NN output");
      xs.forEach((x, i) => {
        relu.push({ x: round(x), y: round(Math.min(y1[i], yMax * 1.05)), net: label });
        step.push({ x: round(x), y: round(y1[i] - y2[i]), net: label });
      });
    }
  });
  const names = nets.map((n) => `W=${n.W}, b=${n.b}`);
  const color = { field: "net", type: "nominal", title: "neuron", sort: names, scale: { range: CLASS_COLORS } };
  const panel = (title: string, values: unknown[], yTitle: string, yDomain: number[]) => ({
    title,
    width: 300,
    height: 220,
    data: { values },
    mark: { type: "line", strokeWidth: 2, clip: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: "x", scale: { domain: [x0, x1], nice: false } },
      y: { field: "y", type: "quantitative", title: yTitle, scale: { domain: yDomain } },
      color,
      order: { field: "x", type: "quantitative" },
    },
  });
  const spec: VegaLiteSpec = {
    hconcat: [
      panel("One ReLU neuron: max(0, W·x + b)", relu, "output", [0, yMax]),
      panel("Two neurons make a step", step, "relu(W·x+b) − relu(W·x+b−1)", [0, 1.1]),
    ],
  };
  return new Chart(spec, `ReLU steps for ${names.join("; ")}`);
}

// ---------------------------------------------------------------------------------------------
// plotFilters, plotFeatureMaps

interface Callable { call?(x: Tensor): unknown; forward?(x: Tensor): unknown; children?(): unknown[] }

/**
 * Runs `fn` with a module in evaluation mode (dropout off, batch norm on running statistics), as
 * a plot shows what the trained model computes, then restores the mode it was in.
 */
function inEval<T>(m: unknown, fn: () => T): T {
  const mod = m as { training?: unknown; eval?: () => unknown; train?: (flag?: boolean) => unknown };
  if (typeof mod?.training !== "boolean" || typeof mod.eval !== "function" || typeof mod.train !== "function") return fn();
  const was = mod.training;
  mod.eval();
  try {
    return fn();
  } finally {
    mod.train(was);
  }
}

function run(m: unknown, x: Tensor, what: string): Tensor {
  const out = typeof m === "function" ? (m as (x: Tensor) => unknown)(x)
    : typeof (m as Callable).call === "function" ? (m as Callable).call!(x)
    : typeof (m as Callable).forward === "function" ? (m as Callable).forward!(x)
    : undefined;
  if (!isTensorLike(out)) throw new Error(`${what}: the layer or model must be a module or function returning a Tensor`);
  return out as Tensor;
}

/**
 * A conv layer's filters as a grid: one image per (output filter, input channel), blue for
 * negative and red for positive weights.
 *
 * @example
 * plot.plotFilters(new nn.Conv2d(1, 8, 3));
 */
export function plotFilters(convLayer: unknown, options: { maxFilters?: number; title?: string } = {}): Chart {
  const w = (convLayer as { weight?: unknown })?.weight ?? convLayer;
  const { values, shape } = toNumbers(w, "convLayer.weight");
  if (shape.length !== 4) throw new Error(`plotFilters: expected a conv layer (weight of shape [out, in, kh, kw]), got shape [${shape}]`);
  const [k, c, kh, kw] = shape;
  const nk = Math.min(k, options.maxFilters ?? 16), nc = Math.min(c, 8);
  const images: number[][][] = [], labels: string[] = [];
  for (let i = 0; i < nk; i++) {
    for (let j = 0; j < nc; j++) {
      const off = (i * c + j) * kh * kw;
      images.push(range(0, kh).map((r) => values.slice(off + r * kw, off + (r + 1) * kw)));
      labels.push(c > 1 ? `f${i} c${j}` : `filter ${i}`);
    }
  }
  return imageGrid(images, labels, {
    title: options.title ?? `Filters (${k}×${c}×${kh}×${kw}${k > nk || c > nc ? `, first ${nk}×${nc} shown` : ""})${c > 1 ? ": f = filter, c = input channel" : ""}`,
    columns: c > 1 ? nc : Math.min(8, nk),
    colormap: "diverging",
    size: 48,
  });
}

/**
 * The feature maps a conv layer (or a model's conv part) makes from one image: one grayscale
 * image per channel, each stretched to its own range. For a model whose output is not a
 * feature map (e.g. a classifier), the last 4-D activation of its children is shown.
 *
 * @example
 * plot.plotFeatureMaps(conv, X.slice(0, 0, 1)); // X: [n, 1, 28, 28]
 */
export function plotFeatureMaps(convLayerOrModel: unknown, image: unknown, options: { maxMaps?: number; columns?: number; title?: string } = {}): Chart {
  if (!isTensorLike(image)) toNumbers(image, "image"); // a clear error for ragged or non-numeric input
  const img = isTensorLike(image) ? (image as Tensor) : tensor(image as number[][]);
  const s = img.shape;
  const x = s.length === 2 ? img.reshape(1, 1, s[0], s[1]) : s.length === 3 ? img.reshape(1, s[0], s[1], s[2]) : img;
  if (x.ndim !== 4 || x.shape[0] !== 1) throw new Error(`plotFeatureMaps: image must have shape [h, w], [c, h, w] or [1, c, h, w], got [${s}]`);
  const maps = noGrad(() => inEval(convLayerOrModel, () => {
    let out = run(convLayerOrModel, x, "plotFeatureMaps");
    const children = (convLayerOrModel as Callable).children?.();
    if (out.ndim !== 4 && Array.isArray(children) && children.length > 0) {
      let h: Tensor = x;
      let last: Tensor | null = null;
      for (const child of children) {
        h = run(child, h, "plotFeatureMaps");
        if (h.ndim === 4) last = h;
      }
      if (last) out = last;
    }
    return out;
  }));
  if (maps.ndim !== 4) throw new Error(`plotFeatureMaps: the layer's output must be feature maps [1, channels, h, w], got [${maps.shape}]`);
  const [, k, h, w] = maps.shape;
  const n = Math.min(k, options.maxMaps ?? 32);
  const all = toNumbers(maps, "feature maps").values;
  const images = range(0, n).map((i) => range(0, h).map((r) => all.slice(i * h * w + r * w, i * h * w + (r + 1) * w)));
  return imageGrid(images, range(0, n).map((i) => `channel ${i}`), {
    title: options.title ?? `Feature maps (${k} channels of ${h}×${w}${k > n ? `, first ${n} shown` : ""})`,
    columns: options.columns ?? Math.min(8, n),
    normalize: true,
    size: Math.max(64, Math.min(96, h * 2)),
  });
}

// ---------------------------------------------------------------------------------------------
// decisionBoundary

export interface DecisionBoundaryOptions extends ScatterOptions {
  /** Grid cells per axis (default 100). */
  resolution?: number;
  /** For a single output: the class-1 threshold (default 0.5 for outputs in [0, 1], else 0). */
  threshold?: number;
}

/**
 * The regions a classifier assigns to each class over the plane, with the data on top.
 * `model` is a module or a function from X of shape [n, 2] to scores: [n] or [n, 1] for two
 * classes (thresholded), or [n, classes] (argmax).
 *
 * @example
 * plot.decisionBoundary(model, X, y, { title: "XOR after training" });
 */
export function decisionBoundary(model: unknown, X: unknown, y: unknown, options: DecisionBoundaryOptions = {}): Chart {
  const points = scatterPoints(X, y, options, "decisionBoundary");
  const xs = points.map((p) => p.x1), ys = points.map((p) => p.x2);
  const pad = (a: number[]) => { const lo = Math.min(...a), hi = Math.max(...a), d = (hi - lo) * 0.1 || 1; return [lo - d, hi + d]; };
  const [x0, x1] = pad(xs), [y0, y1] = pad(ys);
  const n = options.resolution ?? 100;
  const grid: number[][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) grid.push([x0 + ((x1 - x0) * (j + 0.5)) / n, y0 + ((y1 - y0) * (i + 0.5)) / n]);
  const dtype = isTensorLike(X) ? ((X as Tensor).dtype as "float32") : "float32";
  const scores = noGrad(() => inEval(model, () => run(model, tensor(grid, { dtype }), "decisionBoundary")));
  const sv = toNumbers(scores, "model output").values;
  const cols = scores.ndim === 2 ? scores.shape[1] : 1;
  if (sv.length !== grid.length * cols) {
    throw new Error(`decisionBoundary: model output has shape [${scores.shape}] for input [${grid.length}, 2]; expected [${grid.length}], [${grid.length}, 1] or [${grid.length}, classes]`);
  }
  let classes: number[];
  if (cols === 1) {
    const t = options.threshold ?? (sv.every((v) => v >= 0 && v <= 1) ? 0.5 : 0);
    classes = sv.map((v) => (v > t ? 1 : 0));
  } else {
    classes = range(0, grid.length).map((r) => { let best = 0; for (let c = 1; c < cols; c++) if (sv[r * cols + c] > sv[r * cols + best]) best = c; return best; });
  }
  // The regions are one embedded image in the class colours, faded towards white so the points
  // stand out; a rectangle per grid cell would make the SVG hundreds of kilobytes.
  const names = classOrder(points, options);
  const rgb: number[] = [];
  for (let i = n - 1; i >= 0; i--) {
    for (let j = 0; j < n; j++) {
      const name = options.classNames?.[classes[i * n + j]] ?? String(classes[i * n + j]);
      const idx = names.indexOf(name);
      const base = idx >= 0 ? hexRGB(CLASS_COLORS[idx % CLASS_COLORS.length]) : [200, 200, 200];
      rgb.push(...base.map((c) => Math.round(255 - (255 - c) * 0.3)));
    }
  }
  const width = options.width ?? 350, height = options.height ?? 350;
  const enc = scatterEncoding(options, true, names);
  const spec: VegaLiteSpec = {
    title: options.title ?? "Decision boundary",
    width,
    height,
    layer: [
      rasterLayer(rgb, n, n, [x0, x1], [y0, y1], width, height, {
        x: { scale: { domain: [x0, x1], nice: false, zero: false }, title: options.xLabel ?? "x₁", axis: { grid: false } },
        y: { scale: { domain: [y0, y1], nice: false, zero: false }, title: options.yLabel ?? "x₂", axis: { grid: false } },
      }),
      {
        data: { values: points },
        mark: { type: "point", filled: true, size: 40, opacity: 0.9, stroke: "black", strokeWidth: 0.5 },
        // Colour alone tells the classes here (it matches the shaded regions): inside a layered
        // chart Vega-Lite would not merge a shape legend with the colour legend, leaving two.
        encoding: { x: enc.x, y: enc.y, color: { ...(enc.color as object), sort: names } },
      },
    ],
  };
  return new Chart(spec, `decision boundary: ${points.length} points, ${new Set(classes).size} predicted classes on a ${n}x${n} grid`);
}

// ---------------------------------------------------------------------------------------------

/** n evenly spaced points; 100 points over [-3, 3] do not land on the kinks at exactly 0. */
function evenly(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => round(a + ((b - a) * i) / (n - 1)));
}

function hexRGB(hex: string): number[] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function range(a: number, b: number, step = 1): number[] {
  const out: number[] = [];
  for (let v = a; step > 0 ? v < b : v > b; v += step) out.push(round(v));
  return out;
}

/** Rounds away binary noise (0.30000000000000004) so specs are small and tests exact. */
function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1e9) / 1e9 : v;
}
