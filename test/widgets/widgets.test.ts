/**
 * The widget messages the kernel's main thread sends and answers, against the widget messaging
 * protocol 2.1 (ipywidgets' packages/schema/messages.md) and ipywidgets 8's model
 * specification. The widgets run on the kernel's real Runtime and CommManager; the frames
 * checked are the ones the I/O thread turns into comm_open / comm_msg.
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
type Msg = Extract<MainToIo, { t: "comm_msg" }>;
const opens = () => posted.filter((m): m is Open => m.t === "comm_open");
const msgs = (id?: string) => posted.filter((m): m is Msg => m.t === "comm_msg" && (!id || m.comm_id === id));
const fromFrontEnd = (comm_id: string, data: unknown) => runtime.handle({ t: "comm_msg", comm_id, data, metadata: {}, buffers: [] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("widget protocol 2.1", () => {
  it("opens a jupyter.widget comm per model, layout and style first, with version 2.1.0 in the metadata", () => {
    posted.length = 0;
    const s = new widgets.FloatSlider({ value: 0.5, min: 0, max: 1, step: 0.01, description: "lr" });
    const [layout, style, slider] = opens();
    expect(opens()).toHaveLength(3);
    for (const o of opens()) {
      expect(o.target_name).toBe("jupyter.widget");
      expect(o.metadata).toEqual({ version: "2.1.0" });
      expect((o.data as { buffer_paths: unknown }).buffer_paths).toEqual([]);
    }
    const st = (o: Open) => (o.data as { state: Record<string, unknown> }).state;
    expect(st(layout)).toMatchObject({ _model_name: "LayoutModel", _model_module: "@jupyter-widgets/base", _model_module_version: "2.0.0", _view_name: "LayoutView", width: null });
    expect(st(style)).toMatchObject({ _model_name: "SliderStyleModel", _model_module: "@jupyter-widgets/controls", _view_name: "StyleView", _view_module: "@jupyter-widgets/base", description_width: "", handle_color: null });
    expect(st(slider)).toEqual({
      _model_module: "@jupyter-widgets/controls", _model_module_version: "2.0.0", _model_name: "FloatSliderModel",
      _view_module: "@jupyter-widgets/controls", _view_module_version: "2.0.0", _view_name: "FloatSliderView",
      _dom_classes: [], layout: `IPY_MODEL_${layout.comm_id}`, style: `IPY_MODEL_${style.comm_id}`, tabbable: null, tooltip: null,
      description: "lr", description_allow_html: false, value: 0.5, min: 0, max: 1, step: 0.01, orientation: "horizontal",
      readout: true, readout_format: ".2f", continuous_update: true, disabled: false, behavior: "drag-tap",
    });
    expect(s.modelId).toBe(slider.comm_id);
    expect(s.toMimeBundle()).toEqual({
      "text/plain": 'FloatSlider(description="lr", value=0.5, min=0, max=1)',
      "application/vnd.jupyter.widget-view+json": { version_major: 2, version_minor: 0, model_id: slider.comm_id },
    });
  });

  it("sends kernel-side changes as update messages and tells observers; unchanged values send nothing", () => {
    const s = new widgets.IntSlider({ min: 0, max: 10, value: 3 });
    const changes: unknown[] = [];
    s.observe((c) => changes.push([c.name, c.old, c.new, c.owner === s, c.type]), "value");
    posted.length = 0;
    s.value = 7;
    s.value = 7;
    s.value = 12.4; // clamped to max, as ipywidgets' bounded traits do
    s.max = 5; // pulls the value inside the new bound
    expect(msgs(s.modelId).map((m) => m.data)).toEqual([
      { method: "update", state: { value: 7 }, buffer_paths: [] },
      { method: "update", state: { value: 10 }, buffer_paths: [] },
      { method: "update", state: { max: 5 }, buffer_paths: [] },
      { method: "update", state: { value: 5 }, buffer_paths: [] },
    ]);
    expect(changes).toEqual([["value", 3, 7, true, "change"], ["value", 7, 10, true, "change"], ["value", 10, 5, true, "change"]]);
    expect(() => new widgets.IntSlider({ min: 5, max: 1 })).toThrow(/widgets.IntSlider: min \(5\) is above max \(1\)/);
    expect(() => new widgets.IntSlider({ valu: 1 } as never)).toThrow(/unknown option "valu"/);
  });

  it("echoes a front end's update first, applies it without sending it back, then sends what observers change", () => {
    const s = new widgets.FloatSlider({ min: 0, max: 1 });
    const label = new widgets.Label({ value: "" });
    s.observe(({ new: v }) => (label.value = `lr = ${v}`), "value");
    posted.length = 0;
    fromFrontEnd(s.modelId, { method: "update", state: { value: 0.25 }, buffer_paths: [] });
    expect(s.value).toBe(0.25);
    expect(posted.filter((m) => m.t === "comm_msg").map((m) => [(m as Msg).comm_id, (m as Msg).data])).toEqual([
      [s.modelId, { method: "echo_update", state: { value: 0.25 }, buffer_paths: [] }],
      [label.modelId, { method: "update", state: { value: "lr = 0.25" }, buffer_paths: [] }],
    ]);
    expect(posted[posted.length - 1]).toEqual({ t: "comm_handled" });
    // A value the kernel corrects (outside the bounds) goes back to the front end.
    posted.length = 0;
    fromFrontEnd(s.modelId, { method: "update", state: { value: 3 }, buffer_paths: [] });
    expect(msgs(s.modelId).map((m) => m.data)).toEqual([
      { method: "echo_update", state: { value: 3 }, buffer_paths: [] },
      { method: "update", state: { value: 1 }, buffer_paths: [] },
    ]);
  });

  it("answers request_state with the whole state, and request_states on jupyter.widget.control with every widget", () => {
    const c = new widgets.Checkbox({ value: true, description: "bias" });
    posted.length = 0;
    fromFrontEnd(c.modelId, { method: "request_state" });
    expect(msgs(c.modelId)[0].data).toEqual({ method: "update", state: c.fullState(), buffer_paths: [] });
    expect(c.fullState()).toMatchObject({ _model_name: "CheckboxModel", value: true, indent: true, description: "bias" });

    runtime.handle({ t: "comm_open", comm_id: "ctl-1", target_name: "jupyter.widget.control", data: {}, metadata: { version: "2.1.0" }, buffers: [] });
    expect(posted.some((m) => m.t === "comm_close" && m.comm_id === "ctl-1")).toBe(false);
    posted.length = 0;
    fromFrontEnd("ctl-1", { method: "request_states" });
    const reply = msgs("ctl-1")[0].data as { method: string; states: Record<string, Record<string, unknown>>; buffer_paths: unknown };
    expect(reply.method).toBe("update_states");
    expect(reply.buffer_paths).toEqual([]);
    expect(reply.states[c.modelId]).toEqual({ model_name: "CheckboxModel", model_module: "@jupyter-widgets/controls", model_module_version: "2.0.0", state: c.fullState() });
    expect(Object.keys(reply.states)).toEqual([...widgets.liveWidgets().keys()]);
    // A closed widget is no longer reported.
    c.close();
    expect(posted.some((m) => m.t === "comm_close" && m.comm_id === c.modelId)).toBe(true);
    expect(widgets.liveWidgets().has(c.modelId)).toBe(false);
  });

  it("runs a Button's click handlers on its custom click message", () => {
    const b = new widgets.Button({ description: "train", button_style: "primary" });
    let clicks = 0;
    b.onClick((btn) => {
      expect(btn).toBe(b);
      clicks++;
    });
    fromFrontEnd(b.modelId, { method: "custom", content: { event: "click" } });
    fromFrontEnd(b.modelId, { method: "custom", content: { event: "click" } });
    expect(clicks).toBe(2);
    expect(b.fullState()).toMatchObject({ _model_name: "ButtonModel", _view_name: "ButtonView", description: "train", button_style: "primary", icon: "" });
    const style = widgets.liveWidgets().get(String(b.fullState().style).slice(10))!;
    expect(style.fullState()._model_name).toBe("ButtonStyleModel");
  });

  it("syncs a Dropdown's index; value and label follow it", () => {
    const d = new widgets.Dropdown({ options: ["relu", "tanh", "sigmoid"], value: "tanh", description: "activation" });
    expect(d.fullState()).toMatchObject({ _model_name: "DropdownModel", _options_labels: ["relu", "tanh", "sigmoid"], index: 1 });
    expect("value" in d.fullState()).toBe(false);
    const seen: unknown[] = [];
    d.observe(({ name, new: v }) => seen.push([name, v]), "value");
    fromFrontEnd(d.modelId, { method: "update", state: { index: 2 }, buffer_paths: [] });
    expect([d.value, d.label, seen]).toEqual(["sigmoid", "sigmoid", [["value", "sigmoid"]]]);
    posted.length = 0;
    d.value = "relu";
    expect(msgs(d.modelId).map((m) => m.data)).toEqual([{ method: "update", state: { index: 0 }, buffer_paths: [] }]);
    expect(() => (d.value = "gelu")).toThrow(/value "gelu" is not one of the options \(relu, tanh, sigmoid\)/);
    const t = new widgets.ToggleButtons<number>({ options: [["small", 4], ["large", 64]], value: 64 });
    expect([t.index, t.value, t.fullState()._options_labels]).toEqual([1, 64, ["small", "large"]]);
  });

  it("builds boxes, links and layouts from references", () => {
    const play = new widgets.Play({ min: 0, max: 50, interval: 200 });
    const s = new widgets.IntSlider({ max: 50 });
    const link = widgets.jslink([play, "value"], [s, "value"]);
    expect(link.fullState()).toMatchObject({ _model_name: "LinkModel", _view_name: null, source: [`IPY_MODEL_${play.modelId}`, "value"], target: [`IPY_MODEL_${s.modelId}`, "value"] });
    expect(link.toMimeBundle()).toEqual({ "text/plain": expect.any(String) });
    const box = new widgets.HBox([play, s], { layout: { width: "400px" } });
    expect(box.fullState()).toMatchObject({ _model_name: "HBoxModel", _view_name: "HBoxView", children: [`IPY_MODEL_${play.modelId}`, `IPY_MODEL_${s.modelId}`], box_style: "" });
    expect(box.layout.width).toBe("400px");
    const grid = new widgets.GridBox([new widgets.HTML("<b>a</b>"), new widgets.Text({ value: "b" })], { layout: { grid_template_columns: "repeat(2, 1fr)" } });
    expect(grid.fullState()._model_name).toBe("GridBoxModel");
    expect(() => widgets.jslink([play, "value"], [s, "nope"])).toThrow(/has no attribute "nope"/);
    const log = new widgets.FloatLogSlider({ value: 0.01, min: -4, max: 0 });
    expect(log.fullState()).toMatchObject({ _model_name: "FloatLogSliderModel", base: 10, value: 0.01, readout_format: ".3g" });
    log.value = 5;
    expect(log.value).toBe(1);
    // Kernel-side link (both ways).
    const a = new widgets.IntSlider({ value: 1 });
    const b = new widgets.IntSlider({ value: 2 });
    const unlink = widgets.link([a, "value"], [b, "value"]);
    expect(b.value).toBe(1);
    b.value = 9;
    expect(a.value).toBe(9);
    unlink();
    b.value = 3;
    expect(a.value).toBe(9);
  });
});

describe("Output widget", () => {
  it("captures display and clearOutput, across awaits, into its outputs attribute", async () => {
    const out = new widgets.Output();
    expect(out.fullState()).toMatchObject({ _model_name: "OutputModel", _model_module: "@jupyter-widgets/output", _model_module_version: "1.0.0", _view_name: "OutputView", outputs: [], msg_id: "" });
    posted.length = 0;
    await out.capture(async () => {
      runtime.display.markdown("**one**");
      await sleep(5);
      const h = runtime.display({ toMimeBundle: () => ({ "text/plain": "chart v1" }) }, { id: true });
      h.update({ toMimeBundle: () => ({ "text/plain": "chart v2" }) });
    });
    // Nothing reached the cell's own output.
    expect(posted.filter((m) => m.t === "display")).toEqual([]);
    expect(out.outputs).toEqual([
      { output_type: "display_data", data: { "text/markdown": "**one**", "text/plain": "**one**" }, metadata: {} },
      { output_type: "display_data", data: { "text/plain": "chart v2" }, metadata: {} },
    ].map((o, i) => (i === 0 ? { ...o, data: expect.objectContaining({ "text/markdown": "**one**" }) } : o)));
    await sleep(80);
    const last = msgs(out.modelId).at(-1)!.data as { state: { outputs: unknown[] } };
    expect(last.state.outputs).toEqual(JSON.parse(JSON.stringify(out.outputs)));
    // Outside capture, output goes to the cell again.
    runtime.display.text("cell");
    expect(posted.filter((m) => m.t === "display")).toHaveLength(1);
    out.capture(() => runtime.display.text("x"));
    out.clearOutput({ wait: true });
    expect(out.outputs).toHaveLength(3);
    out.appendStdout("a");
    out.appendStdout("b");
    out.appendStderr("!");
    expect(out.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "ab" }, { output_type: "stream", name: "stderr", text: "!" }]);
    out.clearOutput();
    expect(out.outputs).toEqual([]);
  });
});

describe("interact", () => {
  it("builds controls from abbreviations and re-runs the function, throttled, when one moves", async () => {
    const calls: unknown[] = [];
    const w = widgets.interactive(
      ({ lr, hidden, activation, bias }) => {
        calls.push({ lr, hidden, activation, bias });
        return { toMimeBundle: () => ({ "text/plain": `run ${calls.length}` }) };
      },
      { lr: [1e-4, 1, "log"], hidden: [1, 16, 1], activation: ["relu", "tanh"], bias: true },
      { throttle: 30 },
    );
    await w.idle;
    const { lr, hidden, activation, bias } = w.controls;
    expect([lr.fullState()._model_name, lr.fullState().min, lr.fullState().max, lr.value]).toEqual(["FloatLogSliderModel", -4, 0, 0.01]);
    expect([hidden.fullState()._model_name, hidden.value, hidden.fullState().step]).toEqual(["IntSliderModel", 8, 1]);
    expect([activation.fullState()._model_name, activation.value]).toEqual(["DropdownModel", "relu"]);
    expect(bias.fullState()._model_name).toBe("CheckboxModel");
    expect(w.fullState().children).toEqual([lr, hidden, activation, bias, w.out].map((c) => `IPY_MODEL_${c.modelId}`));
    expect(calls).toEqual([{ lr: 0.01, hidden: 8, activation: "relu", bias: true }]);
    expect(w.out.outputs).toEqual([{ output_type: "display_data", data: { "text/plain": "run 1" }, metadata: {} }]);
    // Where widgets are not rendered (classic Notebook, nbconvert), the text names the values.
    expect(String(w)).toBe('interactive(lr=0.01, hidden=8, activation="relu", bias=true)');
    w.out.appendStdout("printed by the function\n");
    expect(w.toMimeBundle()["text/plain"]).toBe('interactive(lr=0.01, hidden=8, activation="relu", bias=true)\nprinted by the function');
    w.out.clearOutput();
    w.out.appendDisplayData({ toMimeBundle: () => ({ "text/plain": "run 1" }) });

    // Three quick moves: one run straight away, one more with the last values.
    fromFrontEnd(hidden.modelId, { method: "update", state: { value: 2 }, buffer_paths: [] });
    fromFrontEnd(hidden.modelId, { method: "update", state: { value: 3 }, buffer_paths: [] });
    fromFrontEnd(activation.modelId, { method: "update", state: { index: 1 }, buffer_paths: [] });
    await sleep(80);
    await w.idle;
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(calls.at(-1)).toEqual({ lr: 0.01, hidden: 3, activation: "tanh", bias: true });
    expect(w.out.outputs).toEqual([{ output_type: "display_data", data: { "text/plain": `run ${calls.length}` }, metadata: {} }]);
  });

  it("shows the function's error in the output and says what an abbreviation cannot be", async () => {
    const w = widgets.interactive(({ n }) => {
      if (n > 1) throw new RangeError(`n too big: ${n}`);
    }, { n: [0, 4] });
    await w.idle;
    expect(w.out.outputs).toEqual([{ output_type: "error", ename: "RangeError", evalue: "n too big: 2", traceback: ["RangeError: n too big: 2"] }]);
    expect(() => widgets.interactive(() => 0, { x: [1, 0] })).toThrow(/"x": min \(1\) must be below max \(0\)/);
    expect(() => widgets.interactive(() => 0, { x: [0, 1, "lin"] } as never)).toThrow(/the third entry is a step or "log"/);
    expect(() => widgets.interactive(() => 0, { x: [0, 1, "log"] })).toThrow(/a log range needs min > 0/);
  });
});

describe("without a kernel", () => {
  it("keeps state locally, still observes, and displays as text", () => {
    const prev = widgets.setWidgetHost(null);
    try {
      const s = new widgets.IntSlider({ value: 2 });
      let seen = 0;
      s.observe(() => seen++);
      s.value = 4;
      expect([s.value, seen]).toEqual([4, 1]);
      expect(s.toMimeBundle()).toEqual({ "text/plain": "IntSlider(description=\"\", value=4, min=0, max=100)".replace('description="", ', "") });
    } finally {
      widgets.setWidgetHost(prev);
    }
  });
});
