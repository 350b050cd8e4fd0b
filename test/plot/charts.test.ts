import { describe, expect, it } from "vitest";
import * as vega from "vega";
import * as vl from "vega-lite";
import { Chart, VEGALITE_MIME, VEGALITE_SCHEMA, roundCoordinates } from "../../lib/plot/chart";
import { contour, heatmap, histogram, imageGrid, lineChart, marchingSquares, scatter } from "../../lib/plot/charts";
import { toNumbers } from "../../lib/plot/data";
import { encodePNG } from "../../lib/plot/png";
import { assertNoOverlappingLabels, assertWellFormedSVG, countMarks, decodePNG, pngSize, svgSize } from "./svg";

type Spec = Record<string, any>;

function checkBundle(chart: Chart) {
  const bundle = chart.toMimeBundle();
  expect(Object.keys(bundle).sort()).toEqual([VEGALITE_MIME, "image/png", "image/svg+xml", "text/plain"].sort());
  expect(bundle["text/html"]).toBeUndefined();
  const spec = bundle[VEGALITE_MIME] as Spec;
  expect(spec.$schema).toBe(VEGALITE_SCHEMA);
  const svg = bundle["image/svg+xml"] as string;
  assertWellFormedSVG(svg);
  assertNoOverlappingLabels(svg);
  // The PNG is the SVG drawn at twice its size.
  const s = svgSize(svg), p = pngSize(bundle["image/png"] as string);
  expect(p).toEqual({ width: Math.round(s.width * 2), height: Math.round(s.height * 2) });
  expect(bundle["text/plain"]).toMatch(/^<Chart: /);
  return { spec, svg };
}

describe("Chart", () => {
  it("renders synchronously what vega's own async renderer renders", async () => {
    const charts = [
      lineChart({ a: [1, 2, 3], b: [3, 2, 1] }, { title: "t" }),
      heatmap([[1, 2], [3, 4]]),
      imageGrid([[[0, 1], [1, 0]]], ["x"]),
    ];
    for (const c of charts) {
      const view = new vega.View(vega.parse(vl.compile(c.spec as any).spec), { renderer: "none" });
      const official = await view.toSVG();
      // Gradient ids come from a global counter; everything else must match byte for byte,
      // once vega's coordinates are rounded to hundredths of a pixel as ours are.
      const norm = (s: string) => s.replace(/gradient_\d+/g, "gradient_N");
      expect(norm(c.toSVG())).toBe(norm(roundCoordinates(official)));
    }
  });

  it("renders lazily and caches", () => {
    const c = lineChart([1, 2, 3]);
    expect((c as any).svgCache).toBeNull();
    const a = c.toSVG();
    expect(c.toSVG()).toBe(a);
    expect((c as any).pngCache).toBeNull();
  });

  it("reports an invalid spec with the op name", () => {
    expect(() => new Chart({ mark: "nonsense" }, "bad").toSVG()).toThrow(/plot: invalid Vega-Lite spec/);
  });
});

describe("lineChart", () => {
  it("draws one line per series with the given x values", () => {
    const c = lineChart({ train: [0.9, 0.5, 0.3], validation: [1, 0.6, 0.4] }, { x: [1, 2, 3], title: "Loss", xLabel: "epoch", yLabel: "loss" });
    const { spec, svg } = checkBundle(c);
    expect(spec.mark.type).toBe("line");
    expect(spec.encoding.x).toMatchObject({ field: "x", type: "quantitative", title: "epoch" });
    expect(spec.encoding.color.field).toBe("series");
    expect(spec.data.values).toContainEqual({ x: 2, y: 0.5, series: "train" });
    expect(spec.data.values).toContainEqual({ x: 3, y: 0.4, series: "validation" });
    expect(countMarks(svg, "line", "path")).toBe(2);
    expect(svg).toContain(">Loss</text>");
    expect(svg).toContain(">validation</text>"); // legend
  });

  it("draws markers (training points) over the lines, with their own x values and a legend entry", () => {
    const c = lineChart({ network: [0, 1, 4, 9] }, { x: [0, 1, 2, 3], markers: { x: [0.5, 2.5], y: [0.2, 6], label: "training points" }, points: false });
    const { spec, svg } = checkBundle(c);
    expect(spec.layer).toHaveLength(2);
    expect(spec.layer[1].mark.type).toBe("point");
    expect(spec.layer[1].data.values).toEqual([{ x: 0.5, y: 0.2, series: "training points" }, { x: 2.5, y: 6, series: "training points" }]);
    expect(countMarks(svg, "symbol", "path")).toBeGreaterThanOrEqual(2);
    expect(svg).toContain(">training points</text>");
    expect(c.description).toContain("2 training points points");
    expect(() => lineChart([1, 2], { markers: { x: [1], y: [1, 2] } })).toThrow(/lineChart: markers.x has 1 values but markers.y has 2/);
    expect(() => lineChart({ data: [1, 2] }, { markers: { x: [1], y: [1] } })).toThrow(/markers.label "data" is also the name of a series/);
  });

  it("accepts tensor-like inputs and checks lengths", () => {
    const t = { shape: [3], data: () => new Float32Array([1, 2, 3]) };
    expect(lineChart(t).spec.data).toEqual({ values: [{ x: 0, y: 1, series: "y" }, { x: 1, y: 2, series: "y" }, { x: 2, y: 3, series: "y" }] });
    expect(() => lineChart([1, 2], { x: [1, 2, 3] })).toThrow(/lineChart: options.x has 3 values but series "y" has 2/);
  });
});

describe("scatter", () => {
  it("draws every point, coloured and shaped by class", () => {
    const X = [[0, 0], [1, 1], [2, 0], [0, 2]];
    const { spec, svg } = checkBundle(scatter(X, [0, 1, 1, 2], { title: "three classes" }));
    expect(spec.encoding.color).toMatchObject({ field: "class", type: "nominal" });
    expect(spec.encoding.shape.field).toBe("class");
    expect(spec.data.values[1]).toEqual({ x1: 1, x2: 1, class: "1" });
    expect(countMarks(svg, "symbol", "path")).toBe(4);
    expect(countMarks(svg, "symbol", "path", "legend-symbol")).toBe(3);
  });

  it("keeps the classes in the order given (classNames), else in numeric order, in the legend and the colours", () => {
    const X = [[0, 0], [1, 1], [2, 0]];
    const named = checkBundle(scatter(X, [0, 1, 2], { classNames: ["random", "grid", "fine (zoomed in)"] })).spec;
    expect(named.encoding.color.scale.domain).toEqual(["random", "grid", "fine (zoomed in)"]);
    expect(named.encoding.shape.scale.domain).toEqual(["random", "grid", "fine (zoomed in)"]);
    // The compiled Vega spec colours by that domain order (Vega-Lite's default would be alphabetical).
    const vg = vl.compile(named as any).spec as Spec;
    const colour = vg.scales.find((sc: Spec) => sc.name === "color");
    expect(colour.domain).toEqual(["random", "grid", "fine (zoomed in)"]);
    expect(countMarks(checkBundle(scatter(X, [0, 1, 2], { classNames: ["random", "grid", "fine (zoomed in)"] })).svg, "symbol", "path", "legend-symbol")).toBe(3);
    const many = Array.from({ length: 12 }, (_, i) => [i, i]);
    const numeric = checkBundle(scatter(many, [...Array(12).keys()].reverse())).spec;
    expect(numeric.encoding.color.scale.domain).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]);
  });

  it("names both shapes when X and y disagree", () => {
    expect(() => scatter([[0, 0, 0]], [0])).toThrow("scatter: X must have shape [n, 2], got [1,3]");
    expect(() => scatter([[0, 0], [1, 1]], [0])).toThrow("scatter: X has 2 rows (shape [2,2]) but y has 1 labels");
  });
});

describe("histogram", () => {
  it("bins values into equal-width bars", () => {
    const { spec, svg } = checkBundle(histogram([0, 0.1, 0.2, 0.9, 1], { bins: 2, title: "h" }));
    expect(spec.data.values).toEqual([{ start: 0, end: 0.5, count: 3 }, { start: 0.5, end: 1, count: 2 }]);
    expect(countMarks(svg, "rect", "path")).toBe(2);
  });
  it("rejects bad bins", () => {
    expect(() => histogram([1, 2], { bins: 0 })).toThrow(/histogram: options.bins must be a positive integer, got 0/);
  });
});

describe("heatmap", () => {
  it("draws a cell and a number per entry", () => {
    const { spec, svg } = checkBundle(heatmap([[5, 1], [2, 7]], { xLabels: ["a", "b"], yLabels: ["a", "b"], title: "confusion" }));
    expect(spec.layer[0].mark.type).toBe("rect");
    expect(spec.layer[1].mark.type).toBe("text");
    expect(spec.data.values).toContainEqual({ row: "b", col: "a", value: 2, label: "2" });
    expect(countMarks(svg, "rect", "path")).toBe(4);
    expect(markText(svg)).toEqual(expect.arrayContaining(["5", "1", "2", "7"]));
  });
  it("keeps many long labels readable", () => {
    const labels = Array.from({ length: 30 }, (_, i) => `token_${i}`);
    const c = heatmap(labels.map((_, i) => labels.map((_, j) => Math.exp(-((i - j) ** 2)))), { xLabels: labels, yLabels: labels, title: "attention" });
    const { spec, svg } = checkBundle(c);
    expect(spec.layer).toHaveLength(1); // 900 cells: no numbers in them
    expect(spec.layer[0].encoding.x.axis.labelAngle).toBe(-90);
    // Every label is shown, none overlapping (checkBundle checked the overlap).
    const shown = [...svg.matchAll(/<text[^>]*opacity="1"[^>]*>token_\d+<\/text>/g)].length;
    expect(shown).toBe(60);
  });
  it("names the mismatch", () => {
    expect(() => heatmap([[1, 2]], { xLabels: ["a"] })).toThrow("heatmap: options.xLabels has 1 labels but the matrix has 2 columns (shape [1, 2])");
  });
});

describe("contour", () => {
  it("finds straight contour lines of a plane", () => {
    // z = column index: the level 1.5 crosses every row between columns 1 and 2.
    const segs = marchingSquares([[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]], [1.5]);
    expect(segs).toHaveLength(2);
    for (const s of segs) { expect(s.x1).toBeCloseTo(1.5); expect(s.x2).toBeCloseTo(1.5); }
  });

  it("draws the shading, contour segments and the path on top", () => {
    const path = [[-1, 0.8], [-0.5, 0.2], [0, 0]];
    const c = contour((x, y) => x * x + 4 * y * y, { xRange: [-1, 1], yRange: [-1, 1], resolution: 21, levels: 5, path: { sgd: path }, title: "bowl" });
    const { spec, svg } = checkBundle(c);
    expect(spec.layer.map((l: Spec) => l.mark.type)).toEqual(["image", "point", "rule", "line"]);
    // The shading: a 21x21 raster, darkest (viridis' first colour) at the minimum in the middle.
    const img = decodePNG(spec.layer[0].data.values[0].url);
    expect(img.width % 21).toBe(0);
    const centre = img.pixel(Math.floor(img.width / 2), Math.floor(img.height / 2));
    const corner = img.pixel(0, 0);
    expect(centre[0] + centre[1] + centre[2]).toBeLessThan(corner[0] + corner[1] + corner[2]);
    expect(spec.layer[3].data.values[1]).toEqual({ path: "sgd", step: 1, x: -0.5, y: 0.2 });
    expect(countMarks(svg, "image", "image")).toBe(1);
    expect(countMarks(svg, "rule", "line")).toBe(spec.layer[2].data.values.length);
    expect(spec.layer[2].data.values.length).toBeGreaterThan(20);
    expect(countMarks(svg, "line", "path")).toBe(1);
    expect(countMarks(svg, "symbol", "path")).toBe(3 + 2); // the path's points, and the 2 invisible legend carriers
    expect(svg).toContain(">f(x, y)</text>"); // the colour legend
    expect(svg.length).toBeLessThan(100_000);
  });
});

describe("imageGrid", () => {
  it("embeds each image as a PNG with its caption", () => {
    const imgs = [0, 1, 2].map((k) => [[k / 2, 0], [0, 1]]);
    const { spec, svg } = checkBundle(imageGrid(imgs, ["zero", "one", "two"], { columns: 2 }));
    expect(countMarks(svg, "image", "image")).toBe(3);
    expect(markText(svg)).toEqual(["zero", "one", "two"]);
    const url: string = spec.data.values[2].url;
    expect(url.startsWith("data:image/png;base64,")).toBe(true);
    // 2x2 pixels upscaled by whole pixels to the displayed size (56): 28x per pixel.
    expect(pngSize(url.split(",")[1])).toEqual({ width: 56, height: 56 });
    expect(svg).toContain(url);
  });
  it("checks the shape", () => {
    expect(() => imageGrid([1, 2, 3])).toThrow("imageGrid: images must have shape [n, h, w], [n, 1, h, w] or [n, 3, h, w], got [3]");
    expect(() => imageGrid([[[1]]], ["a", "b"])).toThrow("imageGrid: 1 images but 2 labels");
  });
});

describe("encodePNG", () => {
  it("writes pixels a decoder reads back", () => {
    const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
    const img = decodePNG(encodePNG(2, 2, rgb, 3).toString("base64"));
    expect([img.width, img.height, img.channels]).toEqual([2, 2, 3]);
    expect([img.pixel(0, 0), img.pixel(1, 0), img.pixel(0, 1), img.pixel(1, 1)]).toEqual([[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]);
    expect(decodePNG(encodePNG(3, 1, [0, 127.6, 300]).toString("base64")).pixel(2, 0)).toEqual([255]);
    expect(() => encodePNG(2, 2, [1, 2, 3])).toThrow("encodePNG: expected 2x2x1 = 4 pixels, got 3");
  });
});

describe("the label-overlap check", () => {
  it("catches labels drawn on top of each other", () => {
    const label = (x: number, text: string) => `<text text-anchor="middle" transform="translate(${x},16)" font-size="11px" opacity="1">${text}</text>`;
    const svg = (a: number, b: number) => `<svg><g class="mark-text role-axis-label" role="x">${label(a, "token_1")}${label(b, "token_2")}</g></svg>`;
    expect(() => assertNoOverlappingLabels(svg(10, 40))).toThrow('axis labels "token_1" and "token_2" overlap');
    expect(() => assertNoOverlappingLabels(svg(10, 70))).not.toThrow();
  });
});

describe("toNumbers", () => {
  it("flattens nested arrays and reports ragged ones", () => {
    expect(toNumbers([[1, 2], [3, 4]])).toEqual({ values: [1, 2, 3, 4], shape: [2, 2] });
    expect(() => toNumbers([[1, 2], [3]], "X")).toThrow("plot: X is ragged: X[0] has shape [2] but X[1] has shape [1]");
  });
});

/** The texts of the chart's own text marks (not axes or legends). */
function markText(svg: string): string[] {
  const out: string[] = [];
  const re = /<g class="mark-text role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g;
  for (let m = re.exec(svg); m; m = re.exec(svg)) for (const t of m[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)) out.push(t[1]);
  return out;
}
