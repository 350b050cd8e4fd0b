import { describe, expect, it } from "vitest";
import { tensor, noGrad } from "../../lib/index";
import { Conv2d } from "../../lib/nn/conv";
import { Linear } from "../../lib/nn/linear";
import { VEGALITE_MIME } from "../../lib/plot/chart";
import { activationCurves, decisionBoundary, NN, ReLUNeuron, plotActivations, plotFeatureMaps, plotFilters, plotLossFns, plotSteps } from "../../lib/plot/course";
import { assertNoOverlappingLabels, assertWellFormedSVG, countMarks, decodePNG } from "./svg";

type Point = { activation: string; x: number; y: number; curve: string };
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function bundleOf(chart: { toMimeBundle(): Record<string, unknown> }) {
  const b = chart.toMimeBundle();
  expect(b["text/html"]).toBeUndefined();
  assertWellFormedSVG(b["image/svg+xml"] as string);
  assertNoOverlappingLabels(b["image/svg+xml"] as string);
  return { spec: b[VEGALITE_MIME] as any, svg: b["image/svg+xml"] as string };
}

/** The chart's points as the spec's transforms (flatten, fold, labels) make them. */
function activationPoints(spec: any): Point[] {
  expect(spec.transform).toEqual([
    { flatten: ["x", "f", "d"] },
    { fold: ["f", "d"], as: ["curve", "y"] },
    { calculate: "datum.curve === 'f' ? 'f(x)' : 'f′(x) (autodiff)'", as: "curve" },
  ]);
  return (spec.data.values as { activation: string; x: number[]; f: number[]; d: number[] }[]).flatMap((row) =>
    row.x.flatMap((x, i) => [
      { activation: row.activation, x, y: row.f[i], curve: "f(x)" },
      { activation: row.activation, x, y: row.d[i], curve: "f′(x) (autodiff)" },
    ]),
  );
}

describe("plotActivations", () => {
  const xs = [-2, -1, 0, 1, 2];
  const { spec, svg } = bundleOf(plotActivations(xs));
  const points = activationPoints(spec);
  const at = (activation: string, curve: "f" | "d", x: number) =>
    points.find((p) => p.activation === activation && p.x === x && p.curve.startsWith(curve === "f" ? "f(x)" : "f′"))!.y;

  it("has one faceted panel per activation, with the function and its derivative", () => {
    expect(spec.facet.field).toBe("activation");
    expect(spec.facet.sort).toEqual(["sigmoid", "tanh", "ReLU", "leaky ReLU (0.1)", "PReLU (a = 0.25)", "ELU", "SELU", "softplus"]);
    expect(spec.spec.mark.type).toBe("line");
    expect(spec.spec.encoding.color.field).toBe("curve");
    expect(spec.data.values).toHaveLength(8);
    expect(points).toHaveLength(8 * 2 * xs.length);
    expect(countMarks(svg, "line", "path")).toBe(16);
    for (const name of ["sigmoid", "ReLU", "SELU", "softplus"]) expect(svg).toContain(`>${name}</text>`);
  });

  it("has the known values and autodiff derivatives, to the 4 digits a panel can show", () => {
    expect(at("sigmoid", "f", 0)).toBeCloseTo(0.5, 3);
    expect(at("sigmoid", "d", 0)).toBeCloseTo(0.25, 3);
    expect(at("sigmoid", "d", 2)).toBeCloseTo(sigmoid(2) * (1 - sigmoid(2)), 3);
    expect(at("tanh", "d", 1)).toBeCloseTo(1 - Math.tanh(1) ** 2, 3);
    expect(at("ReLU", "f", -1)).toBe(0);
    expect(at("ReLU", "d", -1)).toBe(0);
    expect(at("ReLU", "d", 1)).toBe(1);
    expect(at("leaky ReLU (0.1)", "f", -2)).toBeCloseTo(-0.2, 3);
    expect(at("leaky ReLU (0.1)", "d", -2)).toBeCloseTo(0.1, 3);
    expect(at("PReLU (a = 0.25)", "d", -1)).toBeCloseTo(0.25, 3);
    expect(at("ELU", "f", -1)).toBeCloseTo(Math.exp(-1) - 1, 3);
    expect(at("ELU", "d", -1)).toBeCloseTo(Math.exp(-1), 3);
    expect(at("SELU", "d", 1)).toBeCloseTo(1.0507009873554805, 3);
    expect(at("softplus", "f", 0)).toBeCloseTo(Math.LN2, 3);
    expect(at("softplus", "d", 1)).toBeCloseTo(sigmoid(1), 3);
  });

  it("keeps the spec small: a row per activation, values to 4 significant digits", () => {
    const big = plotActivations();
    const row = (big.spec as any).data.values[0];
    expect(row.x).toHaveLength(100);
    for (const v of [...row.x, ...row.f, ...row.d]) expect(String(Math.abs(v)).replace(/^0\.0*|\./g, "").length).toBeLessThanOrEqual(4);
    // The exact curves stay available for anyone who needs more digits.
    const [sig] = activationCurves([2, 3]);
    expect(sig.derivative[0]).toBeCloseTo(sigmoid(2) * (1 - sigmoid(2)), 12);
    expect(JSON.stringify(big.spec).length).toBeLessThan(25_000);
  });

  it("takes the derivative from the activation itself, whatever it is", () => {
    const [c] = activationCurves([0, 1, 2], [{ name: "cube", fn: (x) => x.pow(3) }]);
    expect(c.derivative).toEqual([0, 3, 12].map((v) => expect.closeTo(v, 9)));
  });

  it("accepts a Tensor and rejects too few points", () => {
    expect(plotActivations(tensor([-1, 0, 1])).spec).toBeTruthy();
    expect(() => plotActivations([0])).toThrow("plotActivations: xs needs at least 2 points, got 1");
  });
});

describe("plotLossFns", () => {
  const { spec, svg } = bundleOf(plotLossFns());
  const at = (fn: string, m: number) => (spec.data.values as { m: number; loss: number; fn: string }[]).find((p) => p.fn === fn && p.m === m)!.loss;
  it("draws the five losses against the margin", () => {
    expect(spec.encoding.x.field).toBe("m");
    expect(spec.encoding.color.sort).toEqual(["0-1 loss", "hinge", "exponential", "squared", "cross-entropy"]);
    expect(countMarks(svg, "line", "path")).toBe(5);
  });
  it("has the known values", () => {
    for (const fn of ["hinge", "exponential", "squared", "cross-entropy"]) expect(at(fn, 0)).toBeCloseTo(1, 9);
    expect(at("hinge", 1)).toBe(0);
    expect(at("hinge", -1)).toBe(2);
    expect(at("squared", 2)).toBe(1);
    expect(at("exponential", -1)).toBeCloseTo(Math.E, 6);
    expect(at("0-1 loss", -0.5)).toBe(1);
    expect(at("0-1 loss", 0.5)).toBe(0);
  });
});

describe("NN and plotSteps", () => {
  it("NN is a real one-neuron ReLU module", () => {
    const n = NN(10, 0);
    expect(n).toBeInstanceOf(ReLUNeuron);
    expect(new NN(10, 0)).toBeInstanceOf(ReLUNeuron);
    expect(n.namedParameters().map(([name]) => name)).toEqual(["weight", "bias"]);
    const x = tensor([[-1], [0.05], [1]]);
    expect(n.call(x).toArray()).toEqual([[0], [0.5], [10]].map((r) => [expect.closeTo(r[0], 5)]));
    n.call(x).sum().backward();
    const [w, b] = n.parameters();
    expect(w.grad!.item()).toBeCloseTo(1.05, 5); // d/dW of sum(relu(Wx)) = sum of x where active
    expect(b.grad!.item()).toBe(2);
    expect(() => NN(10, 0).call(tensor([[1, 2]]))).toThrow("NN: input must have shape [n, 1] or [n], got [1,2]");
    expect(() => plotSteps([{ W: 1, b: 0 } as never])).toThrow("plotSteps: nets[0] must be an NN(W, b), got object");
  });

  it("draws each neuron and the step it makes", () => {
    const nets = [NN(1, 0), NN(10, 0), NN(100, 0), NN(1000, 0)];
    const { spec, svg } = bundleOf(plotSteps(nets));
    expect(spec.hconcat).toHaveLength(2);
    expect(countMarks(svg, "line", "path")).toBe(8);
    const step = spec.hconcat[1].data.values as { x: number; y: number; net: string }[];
    const s = (net: string, x: number) => step.filter((p) => p.net === net && Math.abs(p.x - x) < 1e-9)[0]?.y;
    expect(s("W=1000, b=0", 0.5)).toBe(1);
    expect(s("W=1000, b=0", -0.5)).toBe(0);
    expect(s("W=1, b=0", 0.5)).toBeCloseTo(0.5, 9); // ramp of width 1/W = 1
    // Ramp ends are sampled exactly: the W=1000 step reaches 1 at x = 0.001.
    expect(s("W=1000, b=0", 0.001)).toBeCloseTo(1, 6);
  });

  it("moves the corner with the bias", () => {
    const { spec } = bundleOf(plotSteps([new NN(1, 0), new NN(1, 10), new NN(1, 20), new NN(1, 30)]));
    const dom = spec.hconcat[0].encoding.x.scale.domain as number[];
    expect(dom[0]).toBeLessThan(-30);
    const ramp = spec.hconcat[0].data.values as { x: number; y: number; net: string }[];
    expect(ramp.find((p) => p.net === "W=1, b=20" && p.x === -20)!.y).toBe(0);
    expect(ramp.find((p) => p.net === "W=1, b=20" && p.x === -19)!.y).toBe(1);
  });
});

describe("filters, feature maps, decision boundary", () => {
  it("plots one image per filter and one per feature map", () => {
    const conv = new Conv2d(1, 4, 3);
    const { svg } = bundleOf(plotFilters(conv));
    expect(countMarks(svg, "image", "image")).toBe(4);
    const image = tensor(Array.from({ length: 64 }, (_, i) => (i % 8) / 8)).reshape(1, 8, 8);
    const maps = bundleOf(plotFeatureMaps(conv, image));
    expect(countMarks(maps.svg, "image", "image")).toBe(4);
    expect(maps.svg).toContain(">channel 3</text>");
    // A plain nested array works as the image too, and gives the same maps.
    const fromArray = plotFeatureMaps(conv, image.reshape(8, 8).toArray() as number[][]);
    expect(fromArray.spec).toEqual(plotFeatureMaps(conv, image).spec);
    expect(() => plotFilters(tensor([1, 2]))).toThrow("plotFilters: expected a conv layer (weight of shape [out, in, kh, kw]), got shape [2]");
  });

  it("colours the plane by the model's predicted class", () => {
    const model = new Linear(2, 1);
    noGrad(() => {
      model.parameters()[0].assign(tensor([[1, 0]]));
      model.parameters()[1].assign(tensor([0]));
    });
    const X = [[-1, -1], [-1, 1], [1, -1], [1, 1]];
    const { spec, svg } = bundleOf(decisionBoundary(model, X, [0, 0, 1, 1], { resolution: 10 }));
    expect(spec.layer.map((l: any) => l.mark.type)).toEqual(["image", "point"]);
    // The regions: left half tinted with class 0's colour (#4c78a8, blue), right half class 1's (#f58518, orange).
    const img = decodePNG(spec.layer[0].data.values[0].url);
    const left = img.pixel(2, Math.floor(img.height / 2)), right = img.pixel(img.width - 3, 5);
    expect(left[2]).toBeGreaterThan(left[0]);
    expect(right[0]).toBeGreaterThan(right[2]);
    expect(countMarks(svg, "image", "image")).toBe(1);
    expect(countMarks(svg, "symbol", "path")).toBe(4);
    expect(svg.match(/role-legend-title/g)).toHaveLength(1); // one legend for the classes
    expect(model.training).toBe(true); // evaluated in eval mode, then put back
  });
});
