/**
 * Charts for judging a classifier: the confusion matrix and ROC / precision-recall curves.
 */
import { Chart, type VegaLiteSpec } from "./chart";
import { CLASS_COLORS, heatmap, type ChartOptions } from "./charts";
import { toMatrix, toVector } from "./data";

export interface ConfusionMatrixOptions extends ChartOptions {
  /** Class names, in class order (default 0, 1, ...). */
  labels?: (string | number)[];
  /** Show each row as fractions of its true class (recall on the diagonal) instead of counts. */
  normalize?: boolean;
}

/**
 * A confusion matrix (rows: true class, columns: predicted class) as an annotated heatmap.
 *
 * @example
 * plot.confusionMatrix(metrics.confusionMatrix(yHat, y), { labels: ["healthy", "ill"] })
 */
export function confusionMatrix(matrix: unknown, options: ConfusionMatrixOptions = {}): Chart {
  const m = toMatrix(matrix, "matrix");
  if (m.length === 0 || m.some((r) => r.length !== m.length)) {
    throw new Error(`confusionMatrix: the matrix must be square [C, C], got ${m.length} rows of lengths ${[...new Set(m.map((r) => r.length))].join("/")}`);
  }
  const labels = options.labels ?? m.map((_, i) => i);
  if (labels.length !== m.length) {
    throw new Error(`confusionMatrix: options.labels has ${labels.length} names but the matrix has ${m.length} classes`);
  }
  const values = options.normalize
    ? m.map((r) => { const s = r.reduce((a, b) => a + b, 0); return r.map((v) => (s === 0 ? 0 : v / s)); })
    : m;
  return heatmap(values, {
    title: options.title ?? "Confusion matrix",
    xLabel: options.xLabel ?? "predicted class",
    yLabel: options.yLabel ?? "true class",
    xLabels: labels,
    yLabels: labels,
    colorTitle: options.normalize ? "fraction of row" : "count",
    digits: options.normalize ? 2 : 0,
    // Roomy cells for the usual few classes, so that class names fit under their column.
    width: options.width ?? (m.length <= 6 ? 90 * m.length : undefined),
    height: options.height ?? (m.length <= 6 ? 60 * m.length : undefined),
  });
}

interface Curve {
  x: unknown;
  y: unknown;
}

export interface CurvesOptions extends ChartOptions {
  /** Draw the diagonal y = x (a classifier that guesses), default true for ROC curves. */
  diagonal?: boolean;
}

/**
 * ROC curves (true positive rate against false positive rate), one per named result of
 * `metrics.rocCurve`, with their AUC in the legend and the guessing diagonal.
 *
 * @example plot.rocCurve({ model: metrics.rocCurve(probs, y) })
 */
export function rocCurve(curves: Record<string, { fpr: unknown; tpr: unknown; auc?: number }>, options: CurvesOptions = {}): Chart {
  const named: Record<string, Curve> = {};
  for (const [name, c] of Object.entries(curves)) {
    named[c.auc === undefined ? name : `${name} (AUC ${c.auc.toFixed(3)})`] = { x: c.fpr, y: c.tpr };
  }
  return curvesChart("rocCurve", named, {
    title: "ROC curve", xLabel: "false positive rate", yLabel: "true positive rate (recall)", diagonal: true, ...options,
  });
}

/**
 * Precision against recall, one curve per named result of `metrics.precisionRecallCurve`.
 * @example plot.precisionRecallCurve({ model: metrics.precisionRecallCurve(probs, y) })
 */
export function precisionRecallCurve(curves: Record<string, { precision: unknown; recall: unknown }>, options: CurvesOptions = {}): Chart {
  const named: Record<string, Curve> = {};
  for (const [name, c] of Object.entries(curves)) named[name] = { x: c.recall, y: c.precision };
  return curvesChart("precisionRecallCurve", named, { title: "Precision and recall", xLabel: "recall", yLabel: "precision", ...options });
}

function curvesChart(op: string, curves: Record<string, Curve>, options: CurvesOptions): Chart {
  const names = Object.keys(curves);
  if (names.length === 0) throw new Error(`${op}: no curves given: pass { name: curve }`);
  const values: { x: number; y: number; series: string; order: number }[] = [];
  for (const name of names) {
    const xs = toVector(curves[name].x, `${name} x`), ys = toVector(curves[name].y, `${name} y`);
    if (xs.length !== ys.length) throw new Error(`${op}: curve "${name}" has ${xs.length} x values but ${ys.length} y values`);
    xs.forEach((x, i) => values.push({ x, y: ys[i], series: name, order: i }));
  }
  const axis = (field: string, title: string) => ({ field, type: "quantitative", title, scale: { domain: [0, 1] } });
  const layers: VegaLiteSpec[] = [
    {
      data: { values },
      // `order` keeps the points in curve order: a ROC curve may rise vertically at one x.
      mark: { type: "line", strokeWidth: 2, interpolate: "linear" },
      encoding: {
        x: axis("x", options.xLabel ?? "x"),
        y: axis("y", options.yLabel ?? "y"),
        order: { field: "order", type: "quantitative" },
        color: { field: "series", type: "nominal", title: null, sort: names, scale: { range: CLASS_COLORS }, legend: { orient: "bottom-right", labelLimit: 300 } },
      },
    },
  ];
  if (options.diagonal) {
    layers.push({
      data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
      mark: { type: "line", strokeDash: [4, 4], color: "#999", strokeWidth: 1 },
      encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
    });
  }
  const spec: VegaLiteSpec = {
    ...(options.title === undefined ? {} : { title: options.title }),
    width: options.width ?? 320,
    height: options.height ?? 320,
    layer: layers,
  };
  return new Chart(spec, `${op}: ${names.join(", ")}`);
}
