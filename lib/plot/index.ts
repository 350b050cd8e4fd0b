/**
 * The `plot` namespace: chart helpers that return a `Chart` (Vega-Lite v5 spec with SVG, PNG
 * and text renderings; see docs/plots.md), and the live training progress `fit` shows.
 *
 * @example
 * const c = plot.lineChart([3, 1, 0.5], { title: "Loss", xLabel: "epoch", yLabel: "loss" });
 * c.toMimeBundle(); // { "application/vnd.vegalite.v5+json": ..., "image/svg+xml": ..., "image/png": ..., "text/plain": ... }
 */
export { Chart, VEGALITE_MIME, VEGALITE_SCHEMA, renderSVG, renderPNG, type VegaLiteSpec } from "./chart";
export { toNumbers, toVector, toMatrix, type NumericInput } from "./data";
export { encodePNG, pngDataURL } from "./png";
export {
  lineChart, scatter, histogram, heatmap, contour, imageGrid, marchingSquares, CLASS_COLORS,
  type ChartOptions, type LineChartOptions, type ScatterOptions, type HistogramOptions,
  type HeatmapOptions, type ContourOptions, type ImageGridOptions,
} from "./charts";
export {
  plotActivations, activationCurves, ACTIVATIONS, plotLossFns, LOSS_FNS, NN, ReLUNeuron, plotSteps,
  plotFilters, plotFeatureMaps, decisionBoundary, type ActivationFn, type DecisionBoundaryOptions, type NNFactory,
} from "./course";
export { createProgressCallback, curvesChart, type ProgressCallback, type ProgressOptions } from "./progress";
export { confusionMatrix, rocCurve, precisionRecallCurve, type ConfusionMatrixOptions, type CurvesOptions } from "./metrics";
