import { afterEach, describe, expect, it } from "vitest";
import { setDisplaySink, type DisplaySink, type MimeBundle } from "../../lib/display";
import { createProgressCallback, curvesChart } from "../../lib/plot/progress";
import { VEGALITE_MIME } from "../../lib/plot/chart";
import type { TrainParams } from "../../lib/nn/callbacks";

/** A display sink that records what a kernel would publish, with the clock time of each. */
class RecordingSink implements DisplaySink {
  events: { kind: "display" | "update"; id: string; bundle: MimeBundle; t: number }[] = [];
  constructor(private clock: () => number) {}
  display(bundle: MimeBundle, options?: { id?: string }) {
    this.events.push({ kind: "display", id: options?.id ?? "", bundle, t: this.clock() });
  }
  update(id: string, bundle: MimeBundle) {
    this.events.push({ kind: "update", id, bundle, t: this.clock() });
  }
}

const params = (epochs: number, steps: number): TrainParams => ({
  epochs, steps, samples: steps * 32, batchSize: 32, verbose: 1, metrics: ["loss", "acc", "val_loss", "val_acc"],
});

/** Drives the callback as `fit` does, advancing the clock `msPerBatch` per batch. */
function train(cb: ReturnType<typeof createProgressCallback>, clock: { t: number }, epochs: number, steps: number, msPerBatch: number) {
  cb.params = params(epochs, steps);
  cb.onTrainBegin!();
  for (let e = 0; e < epochs; e++) {
    cb.onEpochBegin!(e);
    for (let b = 0; b < steps; b++) {
      clock.t += msPerBatch;
      cb.onBatchEnd!(b, { batch: b, size: 32, loss: 1 / (1 + e + b / steps), acc: 0.5 + e / (2 * epochs) });
    }
    cb.onEpochEnd!(e, { loss: 1 / (1 + e), acc: 0.5 + e / (2 * epochs), val_loss: 1.1 / (1 + e), val_acc: 0.45 + e / (2 * epochs) });
  }
  cb.onTrainEnd!();
}

afterEach(() => setDisplaySink(null));

describe("createProgressCallback in a notebook", () => {
  it("shows a bar and curves, updates them in place within the rate bound, and ends with the final state", () => {
    const clock = { t: 0 };
    const sink = new RecordingSink(() => clock.t);
    setDisplaySink(sink);
    const cb = createProgressCallback({ verbose: 1, now: () => clock.t });
    // 5 epochs of 100 batches of 10 ms: 5 s of training.
    train(cb, clock, 5, 100, 10);

    const displays = sink.events.filter((e) => e.kind === "display");
    expect(displays.map((d) => d.id)).toHaveLength(2);
    const [barId, curvesId] = displays.map((d) => d.id);
    expect(barId).toMatch(/-progress$/);
    expect(curvesId).toMatch(/-curves$/);

    for (const [id, interval] of [[barId, 250], [curvesId, 1000]] as const) {
      const events = sink.events.filter((e) => e.id === id);
      // Every update but the final flush keeps the interval from the one before.
      for (let i = 1; i < events.length - 1; i++) expect(events[i].t - events[i - 1].t).toBeGreaterThanOrEqual(interval);
      expect(events.length).toBeLessThanOrEqual(Math.floor(5000 / interval) + 2);
      expect(events.length).toBeGreaterThanOrEqual(3);
    }
    for (const e of sink.events) expect(e.bundle["text/html"]).toBeUndefined();

    const bar = sink.events.filter((e) => e.id === barId);
    expect(bar[0].bundle["text/plain"]).toMatch(/^Epoch 1\/5  \[█?░+\]  1\/100  ETA [\d.]+s  loss 1\.0000  acc 0\.5000$/);
    const final = bar[bar.length - 1].bundle["text/plain"] as string;
    expect(final.split("\n")).toHaveLength(6);
    expect(final).toContain("Epoch 5/5  1.0s  loss 0.2000  acc 0.9000  val_loss 0.2200  val_acc 0.8500");
    expect(final).toMatch(/Done: 5 epochs in 5\.0s$/);

    const curves = sink.events.filter((e) => e.id === curvesId);
    const last = curves[curves.length - 1].bundle;
    expect(Object.keys(last).sort()).toEqual([VEGALITE_MIME, "image/png", "image/svg+xml", "text/plain"].sort());
    const spec = last[VEGALITE_MIME] as any;
    expect(spec.hconcat.map((p: any) => p.title)).toEqual(["Loss", "Accuracy"]);
    const values = spec.data.values as { x: number; value: number; metric: string; split: string }[];
    expect(values).toContainEqual({ x: 5, value: 0.2, metric: "loss", split: "training" });
    expect(values.find((v) => v.x === 5 && v.metric === "loss" && v.split === "validation")!.value).toBeCloseTo(0.22, 12);
    expect(values.filter((v) => v.split === "validation" && v.metric === "acc")).toHaveLength(5);
    expect(cb.history).toHaveLength(5);
  });

  it("coalesces fast epochs instead of flooding the front end", () => {
    const clock = { t: 0 };
    const sink = new RecordingSink(() => clock.t);
    const cb = createProgressCallback({ verbose: 1, now: () => clock.t, sink });
    // 200 epochs of 2 batches of 1 ms: 0.4 s in all.
    train(cb, clock, 200, 2, 1);
    const bar = sink.events.filter((e) => e.id.endsWith("-progress"));
    expect(bar.length).toBeLessThanOrEqual(Math.floor(400 / 250) + 2);
    expect(bar[bar.length - 1].bundle["text/plain"]).toContain("Epoch 200/200");
    expect(bar[bar.length - 1].bundle["text/plain"]).toContain("... 180 earlier epochs");
  });

  it("updates only at epoch ends with verbose 2", () => {
    const clock = { t: 0 };
    const sink = new RecordingSink(() => clock.t);
    const cb = createProgressCallback({ verbose: 2, now: () => clock.t, sink });
    train(cb, clock, 3, 100, 10); // 1 s per epoch
    const bar = sink.events.filter((e) => e.id.endsWith("-progress"));
    expect(bar.map((e) => e.t)).toEqual([1000, 2000, 3000, 3000]);
    expect(bar.every((e) => !String(e.bundle["text/plain"]).includes("ETA"))).toBe(true);
  });

  it("shows nothing with verbose 0", () => {
    const clock = { t: 0 };
    const sink = new RecordingSink(() => clock.t);
    setDisplaySink(sink);
    const written: string[] = [];
    const cb = createProgressCallback({ verbose: 0, now: () => clock.t, out: { write: (s) => written.push(s) } });
    train(cb, clock, 2, 10, 10);
    expect(sink.events).toHaveLength(0);
    expect(written).toHaveLength(0);
  });
});

describe("createProgressCallback outside a notebook", () => {
  it("prints one plain line per epoch", () => {
    const clock = { t: 0 };
    const written: string[] = [];
    const cb = createProgressCallback({ verbose: 1, now: () => clock.t, out: { write: (s) => written.push(s) } });
    train(cb, clock, 3, 10, 10);
    expect(written).toEqual([
      "Epoch 1/3  0.1s  loss 1.0000  acc 0.5000  val_loss 1.1000  val_acc 0.4500\n",
      "Epoch 2/3  0.1s  loss 0.5000  acc 0.6667  val_loss 0.5500  val_acc 0.6167\n",
      "Epoch 3/3  0.1s  loss 0.3333  acc 0.8333  val_loss 0.3667  val_acc 0.7833\n",
    ]);
  });

  it("redraws one line on a terminal, at a bounded rate", () => {
    const clock = { t: 0 };
    const written: string[] = [];
    const cb = createProgressCallback({ verbose: 1, now: () => clock.t, out: { write: (s) => written.push(s), isTTY: true } });
    train(cb, clock, 1, 100, 10); // 1 s
    const redraws = written.filter((s) => s.startsWith("\rEpoch 1/1  ["));
    expect(redraws.length).toBeGreaterThanOrEqual(3);
    expect(redraws.length).toBeLessThanOrEqual(5);
    expect(written[written.length - 1]).toMatch(/^\rEpoch 1\/1  1\.0s  loss/);
  });

  it("rejects a bad verbose", () => {
    expect(() => createProgressCallback({ verbose: -1 })).toThrow("createProgressCallback: options.verbose must be 0, 1 or 2, got -1");
  });
});

describe("batch logs", () => {
  it("shows running means over the epoch and ignores batch and size", () => {
    const clock = { t: 0 };
    const sink = new RecordingSink(() => clock.t);
    const cb = createProgressCallback({ verbose: 1, now: () => clock.t, sink, barInterval: 0 });
    cb.params = params(1, 3);
    cb.onTrainBegin!();
    cb.onEpochBegin!(0);
    cb.onBatchEnd!(0, { batch: 0, size: 30, loss: 1 });
    cb.onBatchEnd!(1, { batch: 1, size: 10, loss: 3 });
    const bar = sink.events.filter((e) => e.id.endsWith("-progress"));
    expect(bar[bar.length - 1].bundle["text/plain"]).toMatch(/2\/3  ETA [\d.]+s  loss 1\.5000$/);
    expect(bar.every((e) => !String(e.bundle["text/plain"]).includes("size"))).toBe(true);
  });
});

describe("curvesChart", () => {
  it("puts training and validation of each quantity in one panel", () => {
    const c = curvesChart([{ x: 1, logs: { loss: 0.5 } }], [{ loss: 0.5, val_loss: 0.6 }], ["loss", "val_loss"]);
    expect((c.spec as any).hconcat).toHaveLength(1);
    expect((c.spec as any).data.values).toEqual([
      { x: 1, value: 0.5, metric: "loss", split: "training" },
      { x: 1, value: 0.6, metric: "loss", split: "validation" },
    ]);
    expect(c.toSVG()).toContain(">validation</text>");
  });
  it("lists only the splits it has", () => {
    const c = curvesChart([{ x: 1, logs: { loss: 0.5 } }], [{ loss: 0.5 }], ["loss"]);
    expect((c.spec as any).hconcat[0].encoding.color.scale.domain).toEqual(["training"]);
    expect(c.toSVG()).not.toContain(">validation</text>");
  });
});

describe("curvesChart axes", () => {
  it("draws accuracy on a fixed [0, 1] axis and losses on a fitted one", () => {
    const c = curvesChart([{ x: 1, logs: { loss: 0.7, accuracy: 0.52 } }, { x: 2, logs: { loss: 0.3, accuracy: 0.97 } }], [{ loss: 0.7, accuracy: 0.52 }, { loss: 0.3, accuracy: 0.97 }], ["loss", "accuracy"]);
    const panels = (c.spec as any).hconcat;
    expect(panels.map((p: any) => p.encoding.y.title)).toEqual(["loss", "accuracy"]);
    expect(panels[1].encoding.y.scale).toEqual({ domain: [0, 1], clamp: true });
    expect(panels[0].encoding.y.scale).toEqual({ zero: false });
  });
});

describe("the curves kept after training", () => {
  it("hold one training point per epoch (the epoch mean), not the running means drawn during it", () => {
    const clock = { t: 0 };
    const sink = new RecordingSink(() => clock.t);
    setDisplaySink(sink);
    const cb = createProgressCallback({ verbose: 1, now: () => clock.t });
    train(cb, clock, 3, 100, 50); // 5 s per epoch: several live points inside each epoch
    const curves = sink.events.filter((e) => e.id.endsWith("-curves"));
    // While an epoch runs, its partial points are shown...
    const live = curves.find((e) => {
      const vals = (e.bundle[VEGALITE_MIME] as { data: { values: { x: number }[] } }).data.values;
      return vals.some((v) => !Number.isInteger(v.x));
    });
    expect(live).toBeDefined();
    // ...and the final chart has x = 1, 2, 3 only, with the epoch-end values.
    const values = (curves[curves.length - 1].bundle[VEGALITE_MIME] as { data: { values: { x: number; value: number; metric: string; split: string }[] } }).data.values;
    const trainingLoss = values.filter((v) => v.metric === "loss" && v.split === "training");
    expect(trainingLoss.map((v) => v.x)).toEqual([1, 2, 3]);
    expect(trainingLoss.map((v) => v.value)).toEqual([1, 1 / 2, 1 / 3]);
  });
});
