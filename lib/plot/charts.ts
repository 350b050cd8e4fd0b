/**
 * General-purpose charts: lines, scatter plots, histograms, heatmaps, contours and image grids.
 * Each takes plain arrays or Tensors and returns a `Chart`.
 */
import { Chart, VegaLiteSpec } from "./chart";
import { toMatrix, toNumbers, toVector, type NumericInput } from "./data";
import { pngDataURL } from "./png";

/** Options shared by the charts: titles, axis labels and the plot area's size in pixels. */
export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** A categorical palette that stays distinguishable for common colour-vision deficiencies. */
export const CLASS_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d", "#ff9da6", "#bab0ac"];

function titleOf(title: string | undefined) {
  return title === undefined ? {} : { title };
}

// ---------------------------------------------------------------------------------------------
// lineChart

export interface LineChartOptions extends ChartOptions {
  /** Shared x values (default 0, 1, 2, ...). */
  x?: unknown;
  /** Legend title when several series are drawn. */
  legendTitle?: string;
  /** Logarithmic y axis (loss curves spanning decades). */
  logY?: boolean;
  /** Draw a dot on every point (default: when a series has at most 50 points). */
  points?: boolean;
  /**
   * Separate points drawn over the lines, with their own x values (the training examples a
   * fitted curve should pass through); `label` names them in the legend (default "data").
   */
  markers?: { x: unknown; y: unknown; label?: string };
}

/**
 * One or several lines. `series` is one list of numbers or an object of named lists.
 *
 * @example
 * plot.lineChart({ train: [0.9, 0.5, 0.3], validation: [0.95, 0.6, 0.45] },
 *   { title: "Loss", xLabel: "epoch", yLabel: "loss", x: [1, 2, 3] });
 */
export function lineChart(series: unknown, options: LineChartOptions = {}): Chart {
  const named = isSeriesRecord(series) ? (series as Record<string, unknown>) : { y: series };
  const names = Object.keys(named);
  if (names.length === 0) throw new Error("lineChart: series is empty: pass a list of numbers or { name: numbers }");
  const values: { x: number; y: number; series: string }[] = [];
  let longest = 0;
  for (const name of names) {
    const ys = toVector(named[name], `series "${name}"`);
    const xs = options.x === undefined ? ys.map((_, i) => i) : toVector(options.x, "options.x");
    if (xs.length !== ys.length) {
      throw new Error(`lineChart: options.x has ${xs.length} values but series "${name}" has ${ys.length}`);
    }
    longest = Math.max(longest, ys.length);
    ys.forEach((y, i) => { if (Number.isFinite(y)) values.push({ x: xs[i], y, series: name }); });
  }
  const markers = options.markers;
  const multi = names.length > 1 || markers !== undefined;
  const points = options.points ?? longest <= 50;
  const lines: VegaLiteSpec = {
    data: { values },
    mark: { type: "line", point: points, strokeWidth: 2 },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xLabel ?? "x" },
      y: {
        field: "y", type: "quantitative", title: options.yLabel ?? (multi ? "value" : "y"),
        scale: options.logY ? { type: "log" } : { zero: false },
      },
      ...(multi
        ? { color: { field: "series", type: "nominal", title: options.legendTitle ?? "series", sort: [...names, ...(markers ? [markers.label ?? "data"] : [])], scale: { range: CLASS_COLORS } } }
        : {}),
    },
  };
  const frame = { ...titleOf(options.title), width: options.width ?? 400, height: options.height ?? 250 };
  let spec: VegaLiteSpec = { ...frame, ...lines };
  let extra = "";
  if (markers) {
    const label = markers.label ?? "data";
    if (names.includes(label)) throw new Error(`lineChart: markers.label "${label}" is also the name of a series`);
    const mx = toVector(markers.x, "markers.x"), my = toVector(markers.y, "markers.y");
    if (mx.length !== my.length) throw new Error(`lineChart: markers.x has ${mx.length} values but markers.y has ${my.length}`);
    const dots = mx.map((x, i) => ({ x, y: my[i], series: label })).filter((d) => Number.isFinite(d.x) && Number.isFinite(d.y));
    const encoding = lines.encoding as Record<string, unknown>;
    spec = {
      ...frame,
      layer: [lines, { data: { values: dots }, mark: { type: "point", filled: true, size: 45, opacity: 1 }, encoding: { x: encoding.x, y: encoding.y, color: encoding.color } }],
    };
    extra = `, ${dots.length} ${label} points`;
  }
  return new Chart(spec, `line chart${options.title ? ` "${options.title}"` : ""}: ${names.join(", ")} (${longest} points${extra})`);
}

function isSeriesRecord(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) &&
    typeof (v as { data?: unknown }).data !== "function";
}

// ---------------------------------------------------------------------------------------------
// scatter

export interface ScatterOptions extends ChartOptions {
  /** Names of the classes, indexed by label (default: the label itself). */
  classNames?: string[];
  legendTitle?: string;
}

/**
 * Points of a 2-D data set, coloured (and shaped) by class.
 *
 * @example
 * plot.scatter([[0, 0], [1, 1], [0, 1]], [0, 1, 1], { title: "Two classes" });
 */
export function scatter(X: unknown, y?: unknown, options: ScatterOptions = {}): Chart {
  const values = scatterPoints(X, y, options, "scatter");
  const spec: VegaLiteSpec = {
    ...titleOf(options.title),
    width: options.width ?? 350,
    height: options.height ?? 350,
    data: { values },
    mark: { type: "point", filled: true, size: 40, opacity: 0.8 },
    encoding: scatterEncoding(options, y !== undefined, classOrder(values, options)),
  };
  return new Chart(spec, `scatter plot${options.title ? ` "${options.title}"` : ""}: ${values.length} points`);
}

export function scatterPoints(X: unknown, y: unknown, options: ScatterOptions, op: string) {
  const { values, shape } = toNumbers(X, "X");
  if (shape.length !== 2 || shape[1] !== 2) {
    throw new Error(`${op}: X must have shape [n, 2], got [${shape}]`);
  }
  const n = shape[0];
  const labels = y === undefined ? null : toVector(y, "y");
  if (labels && labels.length !== n) {
    throw new Error(`${op}: X has ${n} rows (shape [${shape}]) but y has ${labels.length} labels`);
  }
  const out: { x1: number; x2: number; class: string }[] = [];
  for (let i = 0; i < n; i++) {
    const label = labels ? labels[i] : 0;
    out.push({ x1: values[2 * i], x2: values[2 * i + 1], class: options.classNames?.[label] ?? String(label) });
  }
  return out;
}

/**
 * The order of the classes in the legend and the colours: `classNames`' order, else the labels
 * as numbers (2 before 10), not Vega-Lite's alphabetical default.
 */
export function classOrder(points: readonly { class: string }[], options: ScatterOptions): string[] {
  const present = new Set(points.map((p) => p.class));
  const named = options.classNames?.filter((c) => present.has(c)) ?? [];
  const rest = [...present].filter((c) => !named.includes(c)).sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  return [...named, ...rest];
}

export function scatterEncoding(options: ScatterOptions, colored: boolean, order?: string[]) {
  return {
    x: { field: "x1", type: "quantitative", title: options.xLabel ?? "x₁", scale: { zero: false } },
    y: { field: "x2", type: "quantitative", title: options.yLabel ?? "x₂", scale: { zero: false } },
    ...(colored
      ? {
        color: { field: "class", type: "nominal", title: options.legendTitle ?? "class", scale: { ...(order ? { domain: order } : {}), range: CLASS_COLORS } },
        shape: { field: "class", type: "nominal", title: options.legendTitle ?? "class", ...(order ? { scale: { domain: order } } : {}) },
      }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// histogram

export interface HistogramOptions extends ChartOptions {
  /** Number of equal-width bins (default 30). */
  bins?: number;
}

/**
 * A histogram of values (weights, activations, gradients), binned here so the spec stays small
 * even for a million values.
 *
 * @example
 * plot.histogram(randn([1000]), { title: "Initial weights", bins: 40 });
 */
export function histogram(values: unknown, options: HistogramOptions = {}): Chart {
  const xs = toNumbers(values, "values").values.filter(Number.isFinite);
  const bins = options.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: options.bins must be a positive integer, got ${bins}`);
  if (xs.length === 0) throw new Error("histogram: values is empty (or has no finite value)");
  let lo = Infinity, hi = -Infinity;
  for (const v of xs) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  const width = (hi - lo) / bins;
  const counts = new Array(bins).fill(0);
  for (const v of xs) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  const data = counts.map((count, i) => ({ start: lo + i * width, end: lo + (i + 1) * width, count }));
  const spec: VegaLiteSpec = {
    ...titleOf(options.title),
    width: options.width ?? 400,
    height: options.height ?? 220,
    data: { values: data },
    mark: { type: "rect", color: "#4c78a8", stroke: "white", strokeWidth: 0.5 },
    encoding: {
      x: { field: "start", type: "quantitative", title: options.xLabel ?? "value", scale: { zero: false } },
      x2: { field: "end" },
      y: { field: "count", type: "quantitative", title: options.yLabel ?? "count" },
      y2: { datum: 0 },
    },
  };
  return new Chart(spec, `histogram${options.title ? ` "${options.title}"` : ""}: ${xs.length} values in ${bins} bins`);
}

// ---------------------------------------------------------------------------------------------
// heatmap

export interface HeatmapOptions extends ChartOptions {
  xLabels?: (string | number)[];
  yLabels?: (string | number)[];
  /** Write each cell's value in it (default: when there are at most 400 cells). */
  annotate?: boolean;
  /** A Vega color scheme (default "blues"). */
  scheme?: string;
  colorTitle?: string;
  /** Digits after the point in annotations (default: 0 for integers, else 2). */
  digits?: number;
}

/**
 * A matrix as coloured cells, e.g. a confusion matrix or attention weights.
 *
 * @example
 * plot.heatmap([[50, 2], [5, 43]], { title: "Confusion matrix", xLabel: "predicted", yLabel: "true",
 *   xLabels: ["cat", "dog"], yLabels: ["cat", "dog"] });
 */
export function heatmap(matrix: unknown, options: HeatmapOptions = {}): Chart {
  const rows = toMatrix(matrix, "matrix");
  const nr = rows.length, nc = rows[0]?.length ?? 0;
  if (nr === 0 || nc === 0) throw new Error("heatmap: matrix is empty");
  const xl = (options.xLabels ?? range(nc)).map(String);
  const yl = (options.yLabels ?? range(nr)).map(String);
  if (xl.length !== nc) throw new Error(`heatmap: options.xLabels has ${xl.length} labels but the matrix has ${nc} columns (shape [${nr}, ${nc}])`);
  if (yl.length !== nr) throw new Error(`heatmap: options.yLabels has ${yl.length} labels but the matrix has ${nr} rows (shape [${nr}, ${nc}])`);
  const all = rows.flat();
  const integers = all.every(Number.isInteger);
  const digits = options.digits ?? (integers ? 0 : 2);
  const values = rows.flatMap((r, i) => r.map((v, j) => ({ row: yl[i], col: xl[j], value: v, label: v.toFixed(digits) })));
  const max = Math.max(...all), min = Math.min(...all);
  const annotate = options.annotate ?? nr * nc <= 400;
  const cell = Math.max(12, Math.min(48, Math.floor(400 / Math.max(nr, nc))));
  // Column labels lie flat when they fit their cell (as wide as options.width makes it), and turn
  // vertical when they do not.
  const longest = Math.max(...xl.map((l) => l.length));
  const labelAngle = longest * 7 > (options.width ?? cell * nc) / nc ? -90 : 0;
  const base = {
    x: { field: "col", type: "ordinal", sort: xl, title: options.xLabel ?? "column", axis: { labelAngle, grid: false, labelLimit: 80 } },
    y: { field: "row", type: "ordinal", sort: yl, title: options.yLabel ?? "row", axis: { grid: false, labelLimit: 80 } },
  };
  const layers: VegaLiteSpec[] = [
    {
      mark: { type: "rect" },
      encoding: { ...base, color: { field: "value", type: "quantitative", title: options.colorTitle ?? "value", scale: { scheme: options.scheme ?? "blues" } } },
    },
  ];
  if (annotate) {
    layers.push({
      mark: { type: "text", fontSize: cell >= 30 ? 12 : 9 },
      encoding: {
        ...base,
        text: { field: "label", type: "nominal" },
        // White text on the dark upper half of the colour scale keeps the numbers readable.
        color: { condition: { test: `datum.value > ${(min + max) / 2}`, value: "white" }, value: "black" },
      },
    });
  }
  const spec: VegaLiteSpec = {
    ...titleOf(options.title),
    width: options.width ?? cell * nc,
    height: options.height ?? cell * nr,
    data: { values },
    layer: layers,
  };
  return new Chart(spec, `heatmap${options.title ? ` "${options.title}"` : ""}: ${nr}x${nc}`);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

// ---------------------------------------------------------------------------------------------
// contour

export interface ContourOptions extends ChartOptions {
  /** x extent of the grid, [min, max] (default [-1, 1]). */
  xRange?: [number, number];
  yRange?: [number, number];
  /** Grid points per axis when `f` is a function (default 60). */
  resolution?: number;
  /** Number of contour levels (default 10), or the levels themselves. */
  levels?: number | number[];
  /** A path drawn on top, e.g. an optimizer's trajectory: [[x, y], ...] or { name: [[x, y], ...] }. */
  path?: unknown;
  /** Space the levels logarithmically (for valley-shaped losses; needs f > 0). */
  logLevels?: boolean;
  zLabel?: string;
}

/**
 * Contour lines of f(x, y) over a shaded grid, with optional paths on top (optimizer
 * trajectories). `f` is a function or a grid of values `z[row = y index][col = x index]`.
 *
 * @example
 * plot.contour((x, y) => x * x + 10 * y * y, { xRange: [-2, 2], yRange: [-1, 1],
 *   path: { sgd: [[-2, 1], [-1.6, 0.2], [-1.2, 0.1]] }, title: "SGD on an elongated bowl" });
 */
export function contour(f: ((x: number, y: number) => number) | NumericInput, options: ContourOptions = {}): Chart {
  const [x0, x1] = options.xRange ?? [-1, 1];
  const [y0, y1] = options.yRange ?? [-1, 1];
  if (!(x1 > x0) || !(y1 > y0)) throw new Error(`contour: xRange and yRange must be increasing, got [${x0}, ${x1}] and [${y0}, ${y1}]`);
  let z: number[][];
  if (typeof f === "function") {
    const n = options.resolution ?? 60;
    z = range(n).map((i) => range(n).map((j) => (f as (x: number, y: number) => number)(x0 + ((x1 - x0) * j) / (n - 1), y0 + ((y1 - y0) * i) / (n - 1))));
  } else {
    z = toMatrix(f, "f");
  }
  const ny = z.length, nx = z[0].length;
  if (nx < 2 || ny < 2) throw new Error(`contour: the grid must be at least 2x2, got ${ny}x${nx}`);
  const flat = z.flat().filter(Number.isFinite);
  const zmin = Math.min(...flat), zmax = Math.max(...flat);
  const log = (options.logLevels ?? false) && zmin > 0;
  const levels = contourLevels(options.levels ?? 10, zmin, zmax, log);
  const width = options.width ?? 380, height = options.height ?? 320;
  const segments = marchingSquares(z, levels).map((sg) => ({
    x: tidy(x0 + ((x1 - x0) * sg.x1) / (nx - 1)), y: tidy(y0 + ((y1 - y0) * sg.y1) / (ny - 1)),
    x2: tidy(x0 + ((x1 - x0) * sg.x2) / (nx - 1)), y2: tidy(y0 + ((y1 - y0) * sg.y2) / (ny - 1)),
  }));
  // The shading is one embedded image, coloured with vega's own viridis so it matches the legend;
  // a rectangle per grid cell would make the SVG hundreds of kilobytes.
  const viridis = colorScheme("viridis");
  const tOf = (v: number) => (log ? (Math.log(v) - Math.log(zmin)) / (Math.log(zmax) - Math.log(zmin)) : (v - zmin) / (zmax - zmin || 1));
  const rgb: number[] = [];
  for (let r = ny - 1; r >= 0; r--) for (let j = 0; j < nx; j++) rgb.push(...(Number.isFinite(z[r][j]) ? viridis(tOf(z[r][j])) : [255, 255, 255]));
  const scaleX = { domain: [x0, x1], nice: false, zero: false };
  const scaleY = { domain: [y0, y1], nice: false, zero: false };
  const layers: VegaLiteSpec[] = [
    rasterLayer(rgb, nx, ny, [x0, x1], [y0, y1], width, height, {
      x: { scale: scaleX, title: options.xLabel ?? "x", axis: { grid: false } },
      y: { scale: scaleY, title: options.yLabel ?? "y", axis: { grid: false } },
    }),
    {
      // Invisible: carries the colour scale so the legend shows what the shades mean.
      data: { values: [{ z: zmin }, { z: zmax }] },
      mark: { type: "point", opacity: 0, aria: false },
      encoding: {
        x: { datum: x0, type: "quantitative" },
        y: { datum: y0, type: "quantitative" },
        color: { field: "z", type: "quantitative", title: options.zLabel ?? "f(x, y)", scale: { scheme: "viridis", ...(log ? { type: "log" } : {}) } },
      },
    },
    {
      data: { values: segments },
      mark: { type: "rule", color: "white", strokeWidth: 1, opacity: 0.8, aria: false },
      encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, x2: { field: "x2" }, y2: { field: "y2" } },
    },
  ];
  const paths = pathPoints(options.path);
  if (paths.length > 0) {
    const names = [...new Set(paths.map((p) => p.path))];
    const pathColor = { field: "path", type: "nominal", title: "path", sort: names, scale: { range: ["#e45756", "#f58518", "#ffffff", "#ff9da6", "#eeca3b", "#72b7b2"] } };
    layers.push({
      data: { values: paths },
      mark: { type: "line", strokeWidth: 2.5, strokeJoin: "round", point: { filled: true, size: 30 } },
      encoding: {
        x: { field: "x", type: "quantitative" },
        y: { field: "y", type: "quantitative" },
        order: { field: "step", type: "quantitative" },
        color: pathColor,
      },
    });
  }
  const spec: VegaLiteSpec = {
    ...titleOf(options.title),
    width,
    height,
    layer: layers,
    resolve: { scale: { color: "independent" }, legend: { color: "independent" } },
  };
  return new Chart(spec, `contour plot${options.title ? ` "${options.title}"` : ""}: ${ny}x${nx} grid, ${levels.length} levels, ${paths.length} path points`);
}

/** Rounds coordinates to 6 significant digits: plenty for a plot, and a third of the JSON. */
function tidy(v: number): number {
  return Number(v.toPrecision(6));
}

/** A vega colour scheme as t in [0, 1] → [r, g, b] (vega is loaded lazily by the renderer too). */
export function colorScheme(name: string): (t: number) => [number, number, number] {
  const interp = require("vega").scheme(name) as ((t: number) => string) | undefined;
  if (typeof interp !== "function") throw new Error(`plot: unknown colour scheme "${name}"`);
  return (t) => parseColor(interp(Math.min(1, Math.max(0, t))));
}

function parseColor(c: string): [number, number, number] {
  const m = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(c);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  const h = /^#([0-9a-f]{6})$/i.exec(c);
  if (h) return [0, 2, 4].map((i) => parseInt(h[1].slice(i, i + 2), 16)) as [number, number, number];
  throw new Error(`plot: cannot parse colour ${c}`);
}

/**
 * A layer showing an RGB raster (`rgb` row-major, first row at the top = largest y) stretched over
 * the data rectangle [x0, x1] × [y0, y1]: an image mark placed at the top-left corner, sized to
 * the plot area, upscaled by whole pixels so viewers do not blur it.
 */
export function rasterLayer(
  rgb: number[], w: number, h: number, [x0, x1]: number[], [y0, y1]: number[], width: number, height: number,
  axes: { x: Record<string, unknown>; y: Record<string, unknown> },
): VegaLiteSpec {
  const k = Math.max(1, Math.ceil(Math.max(width / w, height / h)));
  const url = pngDataURL(w * k, h * k, upscale(rgb, 3, h, w, k), 3);
  return {
    data: { values: [{ x: x0, y: y1, url }] },
    mark: { type: "image", width, height, align: "left", baseline: "top", aspect: false, aria: false },
    encoding: {
      x: { field: "x", type: "quantitative", ...axes.x },
      y: { field: "y", type: "quantitative", ...axes.y },
      url: { field: "url", type: "nominal" },
    },
  };
}

function contourLevels(levels: number | number[], lo: number, hi: number, log: boolean): number[] {
  if (Array.isArray(levels)) return levels;
  if (!Number.isInteger(levels) || levels < 1) throw new Error(`contour: options.levels must be a positive integer or a list, got ${levels}`);
  if (log && lo > 0) {
    const a = Math.log(lo), b = Math.log(hi);
    return range(levels).map((k) => Math.exp(a + ((b - a) * (k + 1)) / (levels + 1)));
  }
  return range(levels).map((k) => lo + ((hi - lo) * (k + 1)) / (levels + 1));
}

/** Contour segments in grid coordinates (x = column, y = row), one list per level. */
export function marchingSquares(z: number[][], levels: number[]) {
  const out: { x1: number; y1: number; x2: number; y2: number; level: number }[] = [];
  for (const t of levels) {
    for (let i = 0; i + 1 < z.length; i++) {
      for (let j = 0; j + 1 < z[i].length; j++) {
        // Corners counter-clockwise from the bottom left; an edge crossing is interpolated.
        const c = [[j, i, z[i][j]], [j + 1, i, z[i][j + 1]], [j + 1, i + 1, z[i + 1][j + 1]], [j, i + 1, z[i + 1][j]]];
        const pts: [number, number][] = [];
        for (let k = 0; k < 4; k++) {
          const [xa, ya, va] = c[k], [xb, yb, vb] = c[(k + 1) % 4];
          if ((va < t) !== (vb < t)) {
            const s = (t - va) / (vb - va);
            pts.push([xa + s * (xb - xa), ya + s * (yb - ya)]);
          }
        }
        // Two crossings: one segment; four (a saddle): pair them in order around the cell.
        for (let k = 0; k + 1 < pts.length; k += 2) {
          out.push({ x1: pts[k][0], y1: pts[k][1], x2: pts[k + 1][0], y2: pts[k + 1][1], level: t });
        }
      }
    }
  }
  return out;
}

function pathPoints(path: unknown): { path: string; step: number; x: number; y: number }[] {
  if (path === undefined || path === null) return [];
  const named = isSeriesRecord(path) ? (path as Record<string, unknown>) : { path };
  const out: { path: string; step: number; x: number; y: number }[] = [];
  for (const [name, p] of Object.entries(named)) {
    const { values, shape } = toNumbers(p, `path "${name}"`);
    if (shape.length !== 2 || shape[1] !== 2) throw new Error(`contour: path "${name}" must have shape [steps, 2], got [${shape}]`);
    for (let k = 0; k < shape[0]; k++) out.push({ path: name, step: k, x: values[2 * k], y: values[2 * k + 1] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// imageGrid

export interface ImageGridOptions {
  title?: string;
  /** Images per row (default: up to 8). */
  columns?: number;
  /** Displayed size of each image in pixels (default 56). */
  size?: number;
  /**
   * How values become colours: "gray" (default), or "diverging" (blue below 0, white at 0, red
   * above, symmetric around 0: for filters and gradients). Images are upscaled by whole pixels
   * so small ones (3x3 filters) stay crisp instead of being smoothed by the viewer.
   */
  colormap?: "gray" | "diverging";
  /** Stretch each image to the full range (default: only when values are outside [0, 255]). */
  normalize?: boolean;
}

/**
 * A grid of images with optional captions. `images` has shape [n, h, w] (gray), [n, 1, h, w]
 * or [n, 3, h, w] (RGB). Values in [0, 1] or [0, 255] are shown as they are; anything else is
 * stretched per image to the full range.
 *
 * @example
 * plot.imageGrid(X.slice(0, 0, 16).reshape(16, 28, 28), y.slice(0, 0, 16), { columns: 8 });
 */
export function imageGrid(images: unknown, labels?: unknown, options: ImageGridOptions = {}): Chart {
  const { values, shape } = toNumbers(images, "images");
  let n: number, h: number, w: number, ch: 1 | 3;
  if (shape.length === 3) [n, h, w, ch] = [shape[0], shape[1], shape[2], 1];
  else if (shape.length === 4 && (shape[1] === 1 || shape[1] === 3)) [n, ch, h, w] = [shape[0], shape[1] as 1 | 3, shape[2], shape[3]];
  else throw new Error(`imageGrid: images must have shape [n, h, w], [n, 1, h, w] or [n, 3, h, w], got [${shape}]`);
  const caption = labels === undefined ? null : captions(labels, n);
  const size = options.size ?? 56;
  const columns = Math.max(1, Math.min(options.columns ?? 8, n));
  const rows = Math.ceil(n / columns);
  const gap = 8, captionH = caption ? 16 : 0;
  const per = h * w * ch;
  const data = range(n).map((k) => {
    const img = values.slice(k * per, (k + 1) * per);
    const up = Math.max(1, Math.ceil(size / Math.max(h, w)));
    const px = upscale(toPixels(img, ch, h, w, options), options.colormap === "diverging" ? 3 : ch, h, w, up);
    const col = k % columns, row = Math.floor(k / columns);
    return {
      index: k,
      url: pngDataURL(w * up, h * up, px, options.colormap === "diverging" ? 3 : ch),
      px: col * (size + gap),
      py: row * (size + gap + captionH),
      cx: col * (size + gap) + size / 2,
      cy: row * (size + gap + captionH) + size + 3,
      caption: caption ? fit(caption[k], size + gap) : "",
    };
  });
  const layers: VegaLiteSpec[] = [
    {
      mark: { type: "image", width: size, height: size, align: "left", baseline: "top", aspect: false, aria: false },
      encoding: {
        x: { field: "px", type: "quantitative", scale: null },
        y: { field: "py", type: "quantitative", scale: null },
        url: { field: "url", type: "nominal" },
      },
    },
  ];
  if (caption) {
    layers.push({
      mark: { type: "text", baseline: "top", align: "center", fontSize: 11 },
      encoding: {
        x: { field: "cx", type: "quantitative", scale: null },
        y: { field: "cy", type: "quantitative", scale: null },
        text: { field: "caption", type: "nominal" },
      },
    });
  }
  const spec: VegaLiteSpec = {
    ...titleOf(options.title),
    width: columns * (size + gap) - gap,
    height: rows * (size + gap + captionH) - gap,
    data: { values: data },
    layer: layers,
    config: { view: { stroke: null } },
  };
  return new Chart(spec, `image grid${options.title ? ` "${options.title}"` : ""}: ${n} images of ${h}x${w}${ch === 3 ? "x3" : ""}`);
}

/**
 * Shortens a caption to the width of its column. vega's own `limit` would do it, but without a
 * canvas in Node it estimates 0.8 em per character and cuts most captions; DejaVu Sans at 11 px
 * averages under 7 px per character.
 */
function fit(text: string, width: number): string {
  const max = Math.max(2, Math.floor(width / 7));
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

function captions(labels: unknown, n: number): string[] {
  const list = Array.isArray(labels) && labels.some((l) => typeof l === "string")
    ? (labels as unknown[]).map(String)
    : toVector(labels, "labels").map(String);
  if (list.length !== n) throw new Error(`imageGrid: ${n} images but ${list.length} labels`);
  return list;
}

/** Converts one CHW (or HW) image to interleaved 0..255 pixels (RGB for the diverging map). */
function toPixels(img: number[], ch: 1 | 3, h: number, w: number, options: ImageGridOptions): number[] {
  let lo = Infinity, hi = -Infinity;
  for (const v of img) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (options.colormap === "diverging") {
    if (ch !== 1) throw new Error("imageGrid: the diverging colormap needs one channel per image");
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return img.flatMap((v) => diverging(v / m));
  }
  let scale: (v: number) => number;
  if (options.normalize || lo < 0 || hi > 255) scale = (v) => (hi > lo ? ((v - lo) / (hi - lo)) * 255 : 128);
  else if (hi <= 1) scale = (v) => v * 255;
  else scale = (v) => v;
  if (ch === 1) return img.map(scale);
  const out = new Array(h * w * 3);
  for (let p = 0; p < h * w; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = scale(img[c * h * w + p]);
  return out;
}

/** t in [-1, 1] to RGB: blue (-1), white (0), red (+1). */
function diverging(t: number): number[] {
  const a = Math.min(1, Math.abs(t));
  const [r, g, b] = t < 0 ? [33, 102, 172] : [178, 24, 43];
  return [255 + (r - 255) * a, 255 + (g - 255) * a, 255 + (b - 255) * a];
}

/** Repeats every pixel `k` times in both directions (nearest-neighbour upscaling). */
function upscale(px: number[], ch: number, h: number, w: number, k: number): number[] {
  if (k === 1) return px;
  const W = w * k, out = new Array(h * k * W * ch);
  for (let y = 0; y < h * k; y++) {
    for (let x = 0; x < W; x++) {
      const src = (Math.floor(y / k) * w + Math.floor(x / k)) * ch, dst = (y * W + x) * ch;
      for (let c = 0; c < ch; c++) out[dst + c] = px[src + c];
    }
  }
  return out;
}
