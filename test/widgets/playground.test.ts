/**
 * The decision-boundary playground driven as JupyterLab drives it: the front end's comm messages
 * (a toggle pressed, a slider moved, a drop-down changed) go through the kernel's real Runtime,
 * and what comes back is read from the Output widgets' synced state.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Runtime } from "../../kernel/runtime";
import type { MainToIo } from "../../kernel/messages";
import * as widgets from "../../lib/widgets";

const posted: MainToIo[] = [];
const runtime = new Runtime((m) => posted.push(m), { captureStdio: false, prelude: "none" });
widgets.setWidgetHost(runtime.widgetHost);
afterAll(() => widgets.setWidgetHost(null));

type Open = Extract<MainToIo, { t: "comm_open" }>;
const VL = "application/vnd.vegalite.v5+json";
const fromFrontEnd = (w: widgets.Widget, state: Record<string, unknown>) =>
  runtime.handle({ t: "comm_msg", comm_id: w.modelId, data: { method: "update", state, buffer_paths: [] }, metadata: {}, buffers: [] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: string, cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
};
/** The spec an Output widget shows (its one display_data's Vega-Lite). */
const specIn = (out: widgets.Output) => {
  expect(out.outputs).toHaveLength(1);
  const rec = out.outputs[0] as { output_type: string; data: Record<string, any> };
  expect(rec.output_type).toBe("display_data");
  expect(Object.keys(rec.data).sort()).toEqual([VL, "text/plain"]);
  return rec.data[VL];
};

describe("widgets.Playground", () => {
  it("opens its controls as ipywidgets models and shows the untrained boundary and an empty loss curve", () => {
    posted.length = 0;
    const pg = new widgets.Playground({ dataset: "xor", hiddenLayers: 1, units: 3, activation: "relu", lr: 0.1 });
    const models = new Map(posted.filter((m): m is Open => m.t === "comm_open").map((o) => [o.comm_id, (o.data as { state: Record<string, unknown> }).state._model_name]));
    expect(models.get(pg.dataset.modelId)).toBe("DropdownModel");
    expect(models.get(pg.hiddenLayers.modelId)).toBe("IntSliderModel");
    expect(models.get(pg.units.modelId)).toBe("IntSliderModel");
    expect(models.get(pg.lr.modelId)).toBe("FloatLogSliderModel");
    expect(models.get(pg.train.modelId)).toBe("ToggleButtonModel");
    expect(models.get(pg.reset.modelId)).toBe("ButtonModel");
    expect(models.get(pg.boundaryOut.modelId)).toBe("OutputModel");
    expect(pg.train.fullState()).toMatchObject({ value: false, description: "train", icon: "play" });
    // ipywidgets 8's ToggleButton and its own style model.
    const trainStyle = String(pg.train.fullState().style).replace("IPY_MODEL_", "");
    expect(models.get(trainStyle)).toBe("ToggleButtonStyleModel");
    expect(pg.dataset.fullState()._options_labels).toEqual(["xor", "circles", "spirals", "moons"]);
    expect([pg.X.shape, pg.y.shape]).toEqual([[200, 2], [200, 1]]);
    // Dense(3, relu) then the output logit: 2·3 + 3 + 3·1 + 1 parameters.
    expect(pg.model.parameters().reduce((n, p) => n + p.size, 0)).toBe(13);
    expect(pg.epoch).toBe(0);
    expect(specIn(pg.boundaryOut).title).toBe("xor: 1 × 3 relu, epoch 0");
    expect(specIn(pg.lossOut)).toMatchObject({ title: "training loss", data: { values: [] } });
    expect(pg.status.value).toBe("epoch 0, untrained");
    expect(String(pg)).toBe("Playground(xor, 1 × 3 relu, lr 0.10; epoch 0, untrained)");
    expect(() => new widgets.Playground({ units: 40 })).toThrow(/widgets.Playground: units must be an integer from 1 to 16, got 40/);
    expect(() => new widgets.Playground({ lr: 5 })).toThrow(/widgets.Playground: lr must be from 0.001 to 1, got 5/);
    pg.close();
  });

  it("trains while the toggle is pressed in the front end, redraws as it goes, and stops when it is released", async () => {
    const pg = new widgets.Playground({ dataset: "circles", hiddenLayers: 2, units: 6, lr: 0.05, frameMs: 0 });
    const frames0 = pg.frames;
    fromFrontEnd(pg.train, { value: true });
    expect(pg.playing).toBe(true);
    expect(pg.train.fullState()).toMatchObject({ description: "pause", icon: "pause" });
    // The loop yields between steps: this test's own timers run while it trains.
    await until("20 steps", () => pg.epoch >= 20);
    expect(pg.frames - frames0).toBeGreaterThanOrEqual(3);
    expect(specIn(pg.boundaryOut).title).toMatch(/^circles: 2 × 6 tanh, epoch \d+$/);
    const lossValues = specIn(pg.lossOut).data.values;
    expect(lossValues.length).toBeGreaterThan(3);
    // The learning rate slider changes the running optimizer, without a restart.
    fromFrontEnd(pg.lr, { value: 0.2 });
    expect(pg.optimizer.lr).toBeCloseTo(0.2);
    fromFrontEnd(pg.train, { value: false });
    await until("the pause", () => !pg.playing);
    const stoppedAt = pg.epoch;
    await sleep(100);
    expect(pg.epoch).toBe(stoppedAt);
    expect(pg.train.fullState()).toMatchObject({ value: false, description: "train", icon: "play" });
    expect(pg.losses[pg.epoch - 1]).toBeLessThan(pg.losses[0]);
    expect(pg.status.value).toMatch(new RegExp(`^epoch ${stoppedAt}, loss \\d\\.\\d{4}, accuracy \\d\\.\\d{3}$`));
    // Closing it while it trains stops the training too.
    fromFrontEnd(pg.train, { value: true });
    expect(pg.playing).toBe(true);
    pg.close();
    await until("the stop after close", () => !pg.playing);
  });

  it("starts a fresh network when the data set or the architecture changes, even mid-training", async () => {
    const pg = new widgets.Playground({ dataset: "moons", hiddenLayers: 1, units: 2, frameMs: 0 });
    const first = pg.model;
    fromFrontEnd(pg.train, { value: true });
    await until("10 steps", () => pg.epoch >= 10);
    fromFrontEnd(pg.units, { value: 5 });
    expect(pg.model).not.toBe(first);
    expect(pg.epoch).toBeLessThan(3);
    expect(pg.model.parameters().map((p) => p.shape)).toEqual([[5, 2], [5], [1, 5], [1]]);
    await until("training on the new network", () => pg.epoch >= 5);
    fromFrontEnd(pg.dataset, { index: 2 });
    expect(pg.dataset.value).toBe("spirals");
    expect(pg.epoch).toBeLessThan(3);
    expect(specIn(pg.boundaryOut).title).toMatch(/^spirals: /);
    await pg.pause();
    expect(pg.playing).toBe(false);
    // The same settings start from the same weights: reset is reproducible.
    fromFrontEnd(pg.hiddenLayers, { value: 0 });
    const w0 = Array.from(pg.model.parameters()[0].data());
    runtime.handle({ t: "comm_msg", comm_id: pg.reset.modelId, data: { method: "custom", content: { event: "click" } }, metadata: {}, buffers: [] });
    expect(Array.from(pg.model.parameters()[0].data())).toEqual(w0);
    expect(String(pg)).toMatch(/^Playground\(spirals, no hidden layer, /);
    pg.close();
  });

  it("shows a failure of the training loop in its status line and releases the toggle", async () => {
    const pg = new widgets.Playground({ dataset: "moons", frameMs: 0 });
    await pg.run(3);
    const call = pg.model.call.bind(pg.model);
    let calls = 0;
    pg.model.call = ((x: never) => {
      if (++calls > 2) throw new RangeError("the network broke");
      return call(x);
    }) as typeof pg.model.call;
    fromFrontEnd(pg.train, { value: true });
    await until("the failure", () => !pg.playing);
    expect(pg.status.value).toBe("training stopped: the network broke");
    expect(pg.train.fullState()).toMatchObject({ value: false, description: "train" });
    // One step (first call) and the status line's accuracy (second) went through; the redraw's
    // boundary (third) failed, before the loop's first return to the event loop.
    expect(pg.epoch).toBe(4);
    pg.close();
  });

  it("learns XOR with a hidden layer, and a network without one cannot (run() from code)", async () => {
    const deep = new widgets.Playground({ dataset: "xor", hiddenLayers: 1, units: 4, activation: "tanh", lr: 0.05 });
    await deep.run(150);
    expect(deep.epoch).toBe(150);
    expect(deep.playing).toBe(false);
    expect(deep.train.value).toBe(false);
    expect(deep.accuracy()).toBeGreaterThanOrEqual(0.95);
    const flat = new widgets.Playground({ dataset: "xor", hiddenLayers: 0, lr: 0.05 });
    await flat.run(150);
    expect(flat.accuracy()).toBeLessThan(0.8);
    await expect(flat.run(-1)).rejects.toThrow(/run: steps must be >= 0, got -1/);
    deep.close();
    flat.close();
  });
});
