/**
 * The chart object every plot helper returns: a Vega-Lite v5 spec plus renderings made in Node.
 *
 * Jupyter front ends pick the richest MIME type they understand: JupyterLab draws the Vega-Lite
 * spec, classic Notebook and static viewers (nbconvert, GitHub) fall back to the SVG or PNG.
 * No `text/html` is ever emitted, because JupyterLab ranks HTML above Vega-Lite.
 *
 * vega, vega-lite and resvg are loaded on first render, not at import: the kernel preloads this
 * library into every session and its cold start must stay fast.
 */
import type { MimeBundle } from "../display";
import { encodeChartPNG } from "./png";

/** The `$schema` of every spec: JupyterLab 4 registers Vega-Lite v3 to v5 only. */
export const VEGALITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
/** The MIME type of the spec in a bundle. */
export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";

/** A Vega-Lite v5 specification (a plain JSON object). */
export type VegaLiteSpec = Record<string, unknown>;

/** Fonts available on Debian (fonts-dejavu-core) so the SVG and PNG agree on text widths. */
const FONT = "DejaVu Sans, Verdana, sans-serif";

/** House style applied to every chart: readable font sizes, no clipping of long titles. */
export const BASE_CONFIG = {
  font: FONT,
  title: { fontSize: 14, anchor: "start", offset: 8 },
  axis: { labelFontSize: 11, titleFontSize: 12, labelOverlap: true, grid: true, gridOpacity: 0.5 },
  // vega measures text in Node by estimate (0.8 em a character), so the default limits cut
  // labels that fit; these allow typical series names in full.
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: "#ddd" },
};

/**
 * A chart: the spec, and MIME renderings computed on first use and cached.
 *
 * @example
 * const c = new Chart({ mark: "line", data: { values: [{ x: 0, y: 1 }] },
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } }, "a line");
 * c.toSVG().startsWith("<svg"); // true
 * c.toMimeBundle()["application/vnd.vegalite.v5+json"]; // the spec
 */
export class Chart {
  /** The Vega-Lite v5 specification (with `$schema` and the house `config`). */
  readonly spec: VegaLiteSpec;
  /** A one-line text description, shown where no rich output is possible. */
  readonly description: string;
  private svgCache: string | null = null;
  private pngCache: string | null = null;

  constructor(spec: VegaLiteSpec, description: string) {
    const config = mergeConfig(BASE_CONFIG, (spec.config ?? {}) as Record<string, unknown>);
    this.spec = { $schema: VEGALITE_SCHEMA, ...spec, config };
    this.description = description;
  }

  /** The chart rendered to an SVG document by vega's headless renderer (cached). */
  toSVG(): string {
    if (this.svgCache === null) this.svgCache = renderSVG(this.spec);
    return this.svgCache;
  }

  /** The chart rendered to PNG (base64, twice the SVG's pixel size for sharp text; cached). */
  toPNG(): string {
    if (this.pngCache === null) this.pngCache = renderPNG(this.toSVG());
    return this.pngCache;
  }

  /** The MIME bundle Jupyter displays: Vega-Lite spec, SVG, PNG and plain text; never HTML. */
  toMimeBundle(): MimeBundle {
    return {
      [VEGALITE_MIME]: this.spec,
      "image/svg+xml": this.toSVG(),
      "image/png": this.toPNG(),
      "text/plain": this.toString(),
    };
  }

  toString(): string {
    return `<Chart: ${this.description}>`;
  }
}

function mergeConfig(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeConfig(b, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The subset of vega's runtime used here; its published typings omit the headless renderer. */
interface VegaRuntime {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, opts: { renderer: string }) => VegaView;
  SVGStringRenderer: new (loader: unknown) => {
    initialize(el: null, w: number, h: number, origin: number[], scale?: number): {
      background(color: unknown): { render(scene: unknown): { svg(): string } };
    };
  };
}
interface VegaView {
  run(): VegaView;
  loader(): unknown;
  padding(): { left: number; right: number; top: number; bottom: number };
  background(): unknown;
  _viewWidth: number;
  _viewHeight: number;
  _origin: number[];
  _scenegraph: { root: unknown };
}

let vegaModules: { vega: VegaRuntime; vl: { compile(spec: unknown): { spec: unknown } } } | null = null;

function loadVega() {
  // Loaded lazily (see the file comment); require keeps it synchronous.
  if (!vegaModules) vegaModules = { vega: require("vega"), vl: require("vega-lite") };
  return vegaModules;
}

/** Compiles a Vega-Lite spec to Vega, throwing an error that names the chart on a bad spec. */
export function compileVegaLite(spec: VegaLiteSpec): unknown {
  const { vl } = loadVega();
  try {
    return vl.compile(spec).spec;
  } catch (e) {
    throw new Error(`plot: invalid Vega-Lite spec: ${(e as Error).message}`);
  }
}

/**
 * Renders a Vega-Lite spec to SVG synchronously.
 *
 * `View.toSVG()` is async only because it awaits pending data loads and images; charts here carry
 * their data inline, so the dataflow runs to completion in `run()` and the headless SVG renderer
 * draws the scenegraph at once. This keeps `toMimeBundle()` synchronous, as display hooks expect.
 * The sizes below are the ones vega's own `renderHeadless` uses (test/plot checks they agree).
 */
export function renderSVG(spec: VegaLiteSpec): string {
  const { vega } = loadVega();
  // vega tags the data objects it ingests; a JSON copy keeps the chart's own spec clean.
  const view = new vega.View(vega.parse(compileVegaLite(JSON.parse(JSON.stringify(spec)))), { renderer: "none" }).run();
  const pad = view.padding();
  const width = Math.max(0, view._viewWidth + pad.left + pad.right);
  const height = Math.max(0, view._viewHeight + pad.top + pad.bottom);
  const origin = [pad.left + view._origin[0], pad.top + view._origin[1]];
  fillImages(view._scenegraph.root);
  const renderer = new vega.SVGStringRenderer(view.loader());
  const svg = renderer.initialize(null, width, height, origin, 1).background(view.background()).render(view._scenegraph.root).svg();
  if (typeof svg !== "string" || !svg.startsWith("<svg")) throw new Error("plot: the SVG renderer produced no output");
  return roundCoordinates(svg);
}

/**
 * Rounds the numbers of geometric attributes (path data, transforms, positions, sizes) to
 * hundredths of a pixel: vega writes them with up to 17 digits (56.666666666666664). Text
 * (titles, labels) and descriptions (aria-label, with the data's values) are left as they are.
 */
export function roundCoordinates(svg: string): string {
  return svg.replace(/ (d|transform|x|y|x1|x2|y1|y2|cx|cy|r|width|height|points)="([^"]*)"/g, (attr, name: string, value: string) =>
    /\d\.\d{3}/.test(value) ? ` ${name}="${value.replace(/-?\d+\.\d{3,}(?:e-?\d+)?/g, (num) => String(Math.round(Number(num) * 100) / 100))}"` : attr,
  );
}

/**
 * Image marks normally load their URL asynchronously before the renderer can write `href`. Our
 * image URLs are inline data URLs, so the loaded state is set directly on each item, exactly as
 * vega's loader would set it in Node (where it keeps the URL as the image's source).
 */
function fillImages(node: unknown): void {
  const n = node as { marktype?: string; items?: unknown[]; url?: string; image?: unknown; width?: number; height?: number };
  if (!n || typeof n !== "object") return;
  if (n.marktype === "image" && Array.isArray(n.items)) {
    for (const it of n.items as (typeof n)[]) {
      if (typeof it.url === "string" && it.url.startsWith("data:")) {
        it.image = { complete: true, src: it.url, url: it.url, width: it.width ?? 0, height: it.height ?? 0 };
      }
    }
    return;
  }
  if (Array.isArray(n.items)) for (const child of n.items) fillImages(child);
}

let Resvg: (new (svg: string, opts: unknown) => { render(): { width: number; height: number; pixels: Buffer } }) | null = null;

/** Renders an SVG document to a base64 PNG with resvg and the system fonts, palette-encoded where that is faithful (png.ts). */
export function renderPNG(svg: string, zoom = 2): string {
  if (!Resvg) Resvg = require("@resvg/resvg-js").Resvg;
  const r = new Resvg!(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
    fitTo: { mode: "zoom", value: zoom },
    background: "white",
  });
  const img = r.render();
  return encodeChartPNG(img.width, img.height, img.pixels).toString("base64");
}
