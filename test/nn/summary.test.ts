/**
 * summary() against the course notes' tables (lecture "CNN architectures",
 * shared/lectures/003_*.txt): LeNet-5 and AlexNet, parameters per layer and FLOPs counted as
 * the notes do (multiply-accumulates of conv/dense layers, f·f per output of pooling).
 */
import { describe, expect, it } from "vitest";
import * as nn from "../../lib/nn";

/** LeNet-5 as in the notes' table (activations omitted there; they add no rows that count). */
const lenet = () =>
  new nn.Sequential([
    new nn.Conv2d(1, 6, 5),
    new nn.AvgPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.AvgPool2d(2),
    new nn.Flatten(),
    new nn.Linear(400, 120),
    new nn.Linear(120, 84),
    new nn.Linear(84, 10),
  ]);

const alexnet = () =>
  new nn.Sequential([
    new nn.Conv2d(3, 96, 11, { stride: 4 }),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(96, 256, 5, { padding: "same" }),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(256, 384, 3, { padding: "same" }),
    new nn.Conv2d(384, 384, 3, { padding: "same" }),
    new nn.Conv2d(384, 256, 3, { padding: "same" }),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Flatten(),
    new nn.Linear(9216, 4096),
    new nn.Linear(4096, 4096),
    new nn.Linear(4096, 1000),
  ]);

/** The notes print LeNet's FLOPs in thousands, truncated: "117k" for 117,600, "1.6k", "840". */
function notesK(n: number): string {
  if (n < 1000) return String(n);
  return n < 10000 ? `${(n / 1000).toFixed(1)}k` : `${Math.floor(n / 1000)}k`;
}

describe("summary reproduces the course notes", () => {
  it("LeNet-5: output volumes, parameters and FLOPs per layer", () => {
    const s = lenet().summary([1, 32, 32]);
    expect(s.rows.map((r) => r.outputShape)).toEqual([
      [6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 5, 5], [400], [120], [84], [10],
    ]);
    // The notes: 6*(5*5*1+1)=156, 16*(5*5*6+1)=2416, 120*(400+1)=48,120, 84*(120+1)=10,164, 10*(84+1)=850.
    expect(s.rows.map((r) => r.params)).toEqual([156, 0, 2416, 0, 0, 48120, 10164, 850]);
    // Exact counts from the notes' formulas.
    expect(s.rows.map((r) => r.flops)).toEqual([117600, 4704, 240000, 1600, 0, 48000, 10080, 840]);
    // As the notes print them (thousands truncated): 117k, 240k, 1.6k, 48k, 10k, 840. For the
    // first pooling layer the notes print "4074", a transposition of the 4,704 that their
    // formula h_out·w_out·c_out·f·f = 14·14·6·2·2 gives; we report 4,704 (4.7k).
    expect(s.rows.map((r) => notesK(r.flops))).toEqual(["117k", "4.7k", "240k", "1.6k", "0", "48k", "10k", "840"]);
    expect(s.totalParams).toBe(61706);
  });

  it("AlexNet: output volumes, parameters and Mflops per layer", () => {
    const s = alexnet().summary([3, 227, 227]);
    expect(s.rows.map((r) => r.outputShape)).toEqual([
      [96, 55, 55], [96, 27, 27], [256, 27, 27], [256, 13, 13], [384, 13, 13], [384, 13, 13],
      [256, 13, 13], [256, 6, 6], [9216], [4096], [4096], [1000],
    ]);
    // The notes' table: 614,656 / 885,120 / 1,327,488 / 884,992 / 37,752,832 / 16,781,312 /
    // 4,097,000. Their conv1 entry "34,857" does not follow their own formula
    // K(f·f·c_in + 1) = 96·(11·11·3 + 1) = 34,944, which is what we report.
    expect(s.rows.map((r) => r.params)).toEqual([
      34944, 0, 614656, 0, 885120, 1327488, 884992, 0, 0, 37752832, 16781312, 4097000,
    ]);
    const mflops = s.rows.map((r) => r.flops / 1e6);
    // Notes (Mflops): 105, 0.6, 448, 0.4, 150, 224, 150, 0.08, –, 38, 17, 4.
    const notes = [105, 0.6, 448, 0.4, 150, 224, 150, 0.08, 0, 38, 17, 4];
    mflops.forEach((m, i) => {
      const digits = notes[i] < 1 ? (notes[i] < 0.1 ? 2 : 1) : 0;
      expect(Number(m.toFixed(digits)), `layer ${i}: ${m} Mflops`).toBe(notes[i]);
    });
    expect(s.rows[0].flops).toBe(55 * 55 * 96 * 11 * 11 * 3);
    expect(s.totalParams).toBe(62378344);
  });

  it("renders a text table and an HTML table with totals", () => {
    const s = lenet().summary([1, 32, 32]);
    const text = s.toString();
    expect(text).toContain("Total params: 61,706");
    expect(text).toMatch(/0 Conv2d\(1 → 6, 5×5, stride 1×1\)\s+\[N, 6, 28, 28\]\s+156\s+117,600/);
    const html = s.toMimeBundle()["text/html"];
    expect(html).toContain("<table>");
    expect(html).toContain("<td style=\"text-align:right\">48,120</td>");
    expect(s.toMimeBundle()["text/plain"]).toBe(text);
  });

  it("counts recurrent, depthwise and residual layers and needs an input shape", () => {
    const rnn = new nn.Sequential([new nn.LSTM(8, 16, { returnSequences: false }), new nn.Dense(4, { inputDim: 16 })]);
    const s = rnn.summary([10, 8]);
    expect(s.rows[0].params).toBe(4 * 16 * (8 + 16) + 2 * 4 * 16);
    expect(s.rows[0].flops).toBe(10 * 4 * 16 * (8 + 16));
    expect(s.rows[0].outputShape).toEqual([16]);
    const dw = new nn.Sequential([new nn.Conv2d(32, 32, 3, { groups: 32, padding: 1 }), new nn.Conv2d(32, 64, 1)]);
    const d = dw.summary([32, 8, 8]);
    expect(d.rows.map((r) => r.flops)).toEqual([8 * 8 * 32 * 9, 8 * 8 * 64 * 32]);
    const res = new nn.Sequential([new nn.ResidualBlock(4, { outChannels: 8, stride: 2 }), new nn.GlobalAvgPool2d()]);
    const r = res.summary([4, 8, 8]);
    expect(r.rows[0].outputShape).toEqual([8, 4, 4]);
    expect(r.rows[1].outputShape).toEqual([8]);
    expect(r.rows[0].flops).toBe(4 * 4 * 8 * 9 * 4 + 4 * 4 * 8 * 9 * 8 + 4 * 4 * 8 * 4);
    expect(() => new nn.Sequential([new nn.Conv2d(1, 2, 3)]).summary()).toThrow(/summary: the input shape is unknown/);
    // Keras: a first Dense/Linear that knows its input size is enough.
    expect(new nn.Sequential([new nn.Linear(2, 2)]).summary().totalParams).toBe(6);
  });
});
