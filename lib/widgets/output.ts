/**
 * The Output widget (`@jupyter-widgets/output` 1.0): an output area that callbacks write to.
 *
 * ```ts
 * const out = new widgets.Output();
 * button.onClick(() => out.capture(() => { out.clearOutput(); console.log("clicked"); display(chart); }));
 * ```
 *
 * The kernel keeps the outputs (nbformat's `stream` and `display_data` records) and syncs them as
 * the model's `outputs` attribute, which JupyterLab's output widget renders, so capture works the
 * same from a cell, a click handler or a timer, across awaits.
 */
import { mimeBundleOf } from "../display";
import type { CaptureSink } from "./host";
import { getWidgetHost } from "./host";
import { DOMWidget, type DOMWidgetOptions } from "./controls";
import { OUTPUT_MODULE, type State } from "./widget";

type OutputRecord =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string }
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

/** How often, at most, captured output is sent to the front end while it streams in. */
const SYNC_MS = 50;

export class Output extends DOMWidget {
  private records: OutputRecord[] = [];
  private readonly displayIds = new Map<string, OutputRecord>();
  private clearPending = false;
  private lastSync = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly sink: CaptureSink = {
    stream: (name, text) => this.appendStream(name, text),
    display: (data, metadata, id, update) => this.appendBundle(data, metadata, id, update),
    clear: (wait) => this.clearOutput({ wait }),
  };

  constructor(options: DOMWidgetOptions = {}) {
    super({ model: "OutputModel", view: "OutputView", module: OUTPUT_MODULE }, { msg_id: "", outputs: [] }, options as State);
  }

  /** The outputs shown, as nbformat output records. */
  get outputs(): readonly OutputRecord[] {
    return this.records;
  }

  /**
   * Runs `fn` with its `display(...)`, `console.log(...)` and `clearOutput()` going to this
   * widget, including after its awaits (Python's `with out:`). Returns what `fn` returns.
   */
  capture<T>(fn: () => T): T {
    const host = getWidgetHost();
    return host ? host.capture(this.sink, fn) : fn();
  }

  /** Empties the widget; with `wait`, only when the next output arrives (no flicker). */
  clearOutput(options: { wait?: boolean } = {}): void {
    if (options.wait) {
      this.clearPending = true;
      return;
    }
    this.clearPending = false;
    this.records = [];
    this.displayIds.clear();
    this.sync(true);
  }

  appendStdout(text: string): void {
    this.appendStream("stdout", text);
  }

  appendStderr(text: string): void {
    this.appendStream("stderr", text);
  }

  /** Shows a value in the widget (its own MIME bundle, such as a chart's, or its text). */
  appendDisplayData(value: unknown): void {
    const bundle = mimeBundleOf(value) ?? { "text/plain": typeof value === "string" ? value : String(value) };
    this.appendBundle(bundle, {}, undefined, false);
  }

  /** Shows an error as the notebook shows a failed cell's. */
  appendError(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.prepareAppend();
    this.records.push({ output_type: "error", ename: e.name, evalue: e.message, traceback: [`${e.name}: ${e.message}`] });
    this.sync(true);
  }

  private prepareAppend(): void {
    if (!this.clearPending) return;
    this.clearPending = false;
    this.records = [];
    this.displayIds.clear();
  }

  private appendStream(name: "stdout" | "stderr", text: string): void {
    this.prepareAppend();
    const last = this.records[this.records.length - 1];
    if (last && last.output_type === "stream" && last.name === name) last.text += text;
    else this.records.push({ output_type: "stream", name, text });
    this.sync(false);
  }

  private appendBundle(data: Record<string, unknown>, metadata: Record<string, unknown>, id: string | undefined, update: boolean): void {
    if (update) {
      const rec = id ? this.displayIds.get(id) : undefined;
      if (!rec || rec.output_type !== "display_data") return;
      rec.data = data;
      rec.metadata = metadata;
      this.sync(false);
      return;
    }
    this.prepareAppend();
    const rec: OutputRecord = { output_type: "display_data", data, metadata };
    this.records.push(rec);
    if (id) this.displayIds.set(id, rec);
    this.sync(true);
  }

  /** Sends the outputs now, or within SYNC_MS when output streams in fast. */
  private sync(now: boolean): void {
    const elapsed = Date.now() - this.lastSync;
    if (now || elapsed >= SYNC_MS) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.lastSync = Date.now();
      this.set("outputs", JSON.parse(JSON.stringify(this.records)));
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.sync(true), SYNC_MS - elapsed);
    }
  }
}
