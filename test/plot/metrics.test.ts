import { describe, expect, it } from "vitest";
import { VEGALITE_MIME } from "../../lib/plot/chart";
import { confusionMatrix, precisionRecallCurve, rocCurve } from "../../lib/plot/metrics";
import { rocCurve as roc, precisionRecallCurve as pr } from "../../lib/metrics/roc";
import { assertNoOverlappingLabels, assertWellFormedSVG } from "./svg";

function check(chart: { toMimeBundle(): Record<string, unknown> }) {
  const b = chart.toMimeBundle();
  expect(b["text/html"]).toBeUndefined();
  assertWellFormedSVG(b["image/svg+xml"] as string);
  assertNoOverlappingLabels(b["image/svg+xml"] as string);
  return { spec: b[VEGALITE_MIME] as any, svg: b["image/svg+xml"] as string };
}

describe("plot.confusionMatrix", () => {
  it("draws true classes as rows and predicted ones as columns, with counts or row fractions", () => {
    const { spec, svg } = check(confusionMatrix([[50, 2], [5, 43]], { labels: ["healthy", "ill"] }));
    expect(spec.layer[0].encoding.x.title).toBe("predicted class");
    expect(spec.layer[0].encoding.y.title).toBe("true class");
    expect(spec.data.values).toContainEqual(expect.objectContaining({ row: "ill", col: "healthy", value: 5, label: "5" }));
    expect(svg).toContain("healthy");
    const norm = check(confusionMatrix([[50, 2], [5, 43]], { normalize: true })).spec;
    expect(norm.data.values).toContainEqual(expect.objectContaining({ row: "1", col: "0", label: "0.10" }));
  });
  it("names a non-square matrix and mismatched labels", () => {
    expect(() => confusionMatrix([[1, 2, 3], [4, 5, 6]])).toThrow(/must be square \[C, C\], got 2 rows of lengths 3/);
    expect(() => confusionMatrix([[1, 2], [3, 4]], { labels: ["a"] })).toThrow(/1 names but the matrix has 2 classes/);
  });
});

describe("plot.rocCurve and plot.precisionRecallCurve", () => {
  const s = [0.1, 0.4, 0.35, 0.8, 0.6, 0.2], t = [0, 0, 1, 1, 1, 0];
  it("puts the AUC in the legend, keeps curve order and draws the diagonal", () => {
    const { spec, svg } = check(rocCurve({ model: roc(s, t) }));
    expect(spec.layer).toHaveLength(2);
    expect(spec.layer[0].encoding.order.field).toBe("order");
    expect(svg).toContain("model (AUC 0.889)");
    const pts = spec.layer[0].data.values.map((v: any) => [v.x, v.y]);
    expect(pts[0]).toEqual([0, 0]);
    expect(pts[pts.length - 1]).toEqual([1, 1]);
  });
  it("plots precision against recall", () => {
    const { spec } = check(precisionRecallCurve({ a: pr(s, t), b: pr(s.map((v) => 1 - v), t) }));
    expect(spec.layer).toHaveLength(1);
    expect(spec.layer[0].encoding.x.title).toBe("recall");
    expect(new Set(spec.layer[0].data.values.map((v: any) => v.series))).toEqual(new Set(["a", "b"]));
    expect(() => rocCurve({})).toThrow(/no curves given/);
  });
});

describe("plot.confusionMatrix layout", () => {
  it("gives a few classes cells wide enough for their names to lie flat", () => {
    const { spec } = check(confusionMatrix([[50, 2], [5, 43]], { labels: ["healthy", "ill"] }));
    expect(spec.width).toBe(180);
    expect(spec.layer[0].encoding.x.axis.labelAngle).toBe(0);
  });
});
