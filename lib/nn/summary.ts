/**
 * Keras-style model summary: one row per layer with its output shape, parameter count and
 * FLOPs, and totals.
 *
 * FLOPs follow the course notes' definition (lecture "CNN architectures", "Computational
 * resource analysis"): one FLOP per multiply-accumulate in dense and convolution layers
 * (bias additions and activations are not counted) and one per element of each pooling
 * window; everything else counts 0. Figures are per sample.
 */
import type { Module, Shape } from "./module";
import { Linear } from "./linear";

export interface SummaryRow {
  /** Position in the model ("0", "1", ...). */
  name: string;
  /** The layer's one-line description, e.g. `Conv2d(1 → 6, 5×5, stride 1×1)`. */
  layer: string;
  /** Layer class name. */
  type: string;
  /** Output shape without the batch axis. */
  outputShape: Shape;
  params: number;
  trainableParams: number;
  flops: number;
}

export interface ModelSummary {
  title: string;
  inputShape: Shape;
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  totalFlops: number;
  toString(): string;
  toMimeBundle(): Record<string, string>;
}

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** FLOPs in the notes' style: 840, 4.7k, 117.6k, 448.0M, 1.1G. */
export function formatFlops(n: number): string {
  if (n < 1e3) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)}M`;
  return `${(n / 1e9).toFixed(2)}G`;
}

const shapeText = (s: Shape) => `[N, ${s.join(", ")}]`;

/**
 * Builds the summary of `layers` applied in order to inputs of `inputShape`. Lazy dense layers
 * (no `inputDim`) are built on the way, as Keras builds a model for its summary; with
 * `build: false` they stay unbuilt and their rows count the parameters they would get, which
 * lets a table describe a network too large to allocate (VGG16's dense layers alone hold 124M).
 */
export function summarize(layers: Module[], inputShape: Shape, title = "Model", options: { build?: boolean } = {}): ModelSummary {
  const rows: SummaryRow[] = [];
  let shape = inputShape;
  layers.forEach((layer, i) => {
    if (options.build === false && layer instanceof Linear && !layer.built) {
      const inF = shape[shape.length - 1], batchRows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const out = [...shape.slice(0, -1), layer.outFeatures];
      const params = layer.outFeatures * (inF + (layer.hasBias ? 1 : 0));
      rows.push({
        name: String(i), layer: layer.describe().replace("?", String(inF)), type: layer.constructor.name, outputShape: out,
        params, trainableParams: params, flops: batchRows * inF * layer.outFeatures,
      });
      shape = out;
      return;
    }
    const out = layer.outputShape(shape);
    const ps = layer.parameters();
    const params = ps.reduce((a, p) => a + p.size, 0);
    rows.push({
      name: String(i),
      layer: layer.describe(),
      type: layer.constructor.name,
      outputShape: out,
      params,
      trainableParams: ps.filter((p) => p.requiresGrad).reduce((a, p) => a + p.size, 0),
      flops: layer.flops(shape, out),
    });
    shape = out;
  });
  const totalParams = rows.reduce((a, r) => a + r.params, 0);
  const trainableParams = rows.reduce((a, r) => a + r.trainableParams, 0);
  const totalFlops = rows.reduce((a, r) => a + r.flops, 0);
  return {
    title,
    inputShape,
    rows,
    totalParams,
    trainableParams,
    totalFlops,
    toString: () => renderText(title, inputShape, rows, totalParams, trainableParams, totalFlops),
    toMimeBundle: () => ({
      "text/plain": renderText(title, inputShape, rows, totalParams, trainableParams, totalFlops),
      "text/html": renderHtml(title, inputShape, rows, totalParams, trainableParams, totalFlops),
    }),
  };
}

function renderText(title: string, input: Shape, rows: SummaryRow[], total: number, trainable: number, flops: number): string {
  const header = ["Layer", "Output shape", "Params", "FLOPs (MACs)"];
  const body = rows.map((r) => [`${r.name} ${r.layer}`, shapeText(r.outputShape), formatCount(r.params), formatCount(r.flops)]);
  const all = [header, ["input", shapeText(input), "", ""], ...body];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((v, c) => (c >= 2 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join("   ");
  const rule = "-".repeat(widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1));
  return [
    `${title}`,
    rule,
    line(header),
    rule.replace(/-/g, "="),
    ...all.slice(1).map(line),
    rule.replace(/-/g, "="),
    `Total params: ${formatCount(total)}`,
    `Trainable params: ${formatCount(trainable)}`,
    `Non-trainable params: ${formatCount(total - trainable)}`,
    `Total FLOPs (MACs) per sample: ${formatCount(flops)} (${formatFlops(flops)})`,
  ].join("\n");
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function renderHtml(title: string, input: Shape, rows: SummaryRow[], total: number, trainable: number, flops: number): string {
  const td = (v: string, right = false) => `<td style="text-align:${right ? "right" : "left"}">${esc(v)}</td>`;
  const tr = rows
    .map((r) => `<tr>${td(`${r.name} ${r.layer}`)}${td(shapeText(r.outputShape))}${td(formatCount(r.params), true)}${td(formatCount(r.flops), true)}</tr>`)
    .join("");
  return (
    `<table><caption>${esc(title)}</caption>` +
    `<thead><tr><th>Layer</th><th>Output shape</th><th>Params</th><th>FLOPs (MACs)</th></tr></thead>` +
    `<tbody><tr>${td("input")}${td(shapeText(input))}${td("", true)}${td("", true)}</tr>${tr}</tbody>` +
    `<tfoot><tr><th>Total</th><td></td>${td(formatCount(total), true)}${td(formatCount(flops), true)}</tr>` +
    `<tr><td colspan="4">Trainable params: ${formatCount(trainable)}; FLOPs per sample: ${formatFlops(flops)}</td></tr></tfoot></table>`
  );
}
