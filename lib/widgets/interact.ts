/**
 * `interact`: controls built from short descriptions, and a function re-run when they change
 * (ipywidgets' `interact`/`interactive`).
 *
 * ```ts
 * widgets.interact(({ lr, hidden, activation }) => train(lr, hidden, activation),
 *   { lr: [1e-4, 1, "log"], hidden: [1, 16, 1], activation: ["relu", "tanh"] });
 * ```
 *
 * | description | control |
 * |---|---|
 * | `[min, max]`, `[min, max, step]` of integers | IntSlider (value at the middle step, rounded down) |
 * | the same with a fraction anywhere | FloatSlider (step (max − min) / 100 unless given) |
 * | `[min, max, "log"]` | FloatLogSlider from min to max (base 10) |
 * | an array of strings | Dropdown |
 * | `true` / `false` | Checkbox |
 * | a number `v` | slider from −v to 3v (v > 0), as ipywidgets |
 * | a string | Text |
 * | a widget with a `value` | that widget |
 */
import { Checkbox, Dropdown, FloatLogSlider, FloatSlider, IntSlider, Text, VBox } from "./controls";
import { Output } from "./output";
import { getDisplaySink } from "../display";
import { Widget, WidgetError } from "./widget";

type ValueWidget<V> = Widget & { value: V };

export type Abbreviation =
  | boolean
  | number
  | string
  | readonly [number, number]
  | readonly [number, number, number]
  | readonly [number, number, "log"]
  | readonly string[]
  | ValueWidget<unknown>;

/** The value a control built from an abbreviation gives the function. */
export type ValueOf<A> = A extends ValueWidget<infer V>
  ? V
  : A extends boolean
    ? boolean
    : A extends readonly [number, number, ...unknown[]]
      ? number
      : A extends number
        ? number
        : A extends readonly (infer S)[]
          ? S
          : A extends string
            ? string
            : never;

export type Values<S> = { [K in keyof S]: ValueOf<S[K]> };

export interface InteractOptions {
  /** Least milliseconds between two runs while a control moves (the last change always runs). */
  throttle?: number;
}

function labelOf(name: string): string {
  return name;
}

/** The control for one abbreviation. */
export function widgetFrom(name: string, abbrev: Abbreviation): ValueWidget<unknown> {
  const description = labelOf(name);
  if (abbrev instanceof Widget) {
    if (!("value" in abbrev.fullState()) && !("index" in abbrev.fullState())) throw new WidgetError("interact", `the widget given for "${name}" has no value`);
    return abbrev;
  }
  if (typeof abbrev === "boolean") return new Checkbox({ value: abbrev, description });
  if (typeof abbrev === "string") return new Text({ value: abbrev, description });
  if (typeof abbrev === "number") {
    const [min, max] = abbrev > 0 ? [-abbrev, 3 * abbrev] : abbrev < 0 ? [3 * abbrev, -abbrev] : [0, 1];
    return Number.isInteger(abbrev) ? new IntSlider({ value: abbrev, min, max, description }) : new FloatSlider({ value: abbrev, min, max, step: (max - min) / 100, description });
  }
  if (Array.isArray(abbrev) && abbrev.length > 0 && abbrev.every((a) => typeof a === "string")) {
    return new Dropdown({ options: abbrev as string[], description }) as unknown as ValueWidget<unknown>;
  }
  if (Array.isArray(abbrev) && (abbrev.length === 2 || abbrev.length === 3) && typeof abbrev[0] === "number" && typeof abbrev[1] === "number") {
    const [min, max, third] = abbrev as [number, number, number | string | undefined];
    if (!(min < max)) throw new WidgetError("interact", `"${name}": min (${min}) must be below max (${max})`);
    if (third === "log") {
      if (!(min > 0)) throw new WidgetError("interact", `"${name}": a log range needs min > 0, got ${min}`);
      const lo = Math.log10(min);
      const hi = Math.log10(max);
      return new FloatLogSlider({ min: lo, max: hi, step: (hi - lo) / 40, value: Math.pow(10, (lo + hi) / 2), description });
    }
    if (third !== undefined && typeof third !== "number") throw new WidgetError("interact", `"${name}": the third entry is a step or "log", got ${JSON.stringify(third)}`);
    const ints = [min, max, third ?? 1].every(Number.isInteger);
    const step = third ?? 1;
    // The middle step, rounded down (ipywidgets' choice).
    if (ints) return new IntSlider({ min, max, step, value: min + Math.floor((max - min) / 2 / step) * step, description });
    return new FloatSlider({ min, max, step: third ?? (max - min) / 100, value: (min + max) / 2, description });
  }
  throw new WidgetError("interact", `cannot make a control for "${name}" from ${JSON.stringify(abbrev)}; give [min, max], [min, max, step], [min, max, "log"], a list of strings, a boolean, a number, a string or a widget`);
}

/** Controls, an output area, and the function re-run on every change. */
export class Interactive<S extends Record<string, Abbreviation>> extends VBox {
  readonly controls: { [K in keyof S]: ValueWidget<ValueOf<S[K]>> };
  readonly out: Output;
  private running = false;
  private again = false;
  private lastRun = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly throttle: number;
  /** Settles when the runs queued so far are done (for tests and chained code). */
  idle: Promise<void> = Promise.resolve();

  constructor(private readonly fn: (values: Values<S>) => unknown, spec: S, options: InteractOptions = {}) {
    const controls = {} as { [K in keyof S]: ValueWidget<ValueOf<S[K]>> };
    for (const [k, a] of Object.entries(spec)) (controls as Record<string, ValueWidget<unknown>>)[k] = widgetFrom(k, a);
    const out = new Output();
    super([...Object.values(controls), out], {});
    this.controls = controls;
    this.out = out;
    this.throttle = options.throttle ?? 100;
    for (const c of Object.values(controls)) c.observe(() => this.schedule(), c.fullState().index !== undefined && !("value" in c.fullState()) ? "index" : "value");
    this.update();
  }

  /** The controls' current values. */
  get kwargs(): Values<S> {
    const v: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(this.controls)) v[k] = c.value;
    return v as Values<S>;
  }

  /** The text shown where widgets are not rendered: the controls' values and the last run's printed lines. */
  override toString(): string {
    const values = Object.entries(this.kwargs as Record<string, unknown>).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ");
    const printed = this.out.outputs.flatMap((o) => (o.output_type === "stream" ? [o.text.trimEnd()] : [])).join("\n");
    return `interactive(${values})${printed ? `\n${printed}` : ""}`;
  }

  /** Runs the function now with the current values (after a run in progress, if any). */
  update(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) {
      this.again = true;
      return this.idle;
    }
    this.running = true;
    this.lastRun = Date.now();
    this.idle = this.runOnce().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        return this.update();
      }
    });
    return this.idle;
  }

  private schedule(): void {
    const wait = this.throttle - (Date.now() - this.lastRun);
    if (this.running) this.again = true;
    else if (wait <= 0) void this.update();
    else if (!this.timer) this.timer = setTimeout(() => void this.update(), wait);
  }

  private async runOnce(): Promise<void> {
    this.out.clearOutput({ wait: true });
    try {
      await this.out.capture(async () => {
        const result = await this.fn(this.kwargs);
        if (result !== undefined) this.out.appendDisplayData(result);
      });
    } catch (e) {
      this.out.appendError(e);
    }
  }
}

/** Builds the controls and output of `interact` without showing them. */
export function interactive<const S extends Record<string, Abbreviation>>(fn: (values: Values<S>) => unknown, spec: S, options: InteractOptions = {}): Interactive<S> {
  return new Interactive(fn, spec, options);
}

/** Shows controls for `spec` and re-runs `fn` with their values whenever one changes. */
export function interact<const S extends Record<string, Abbreviation>>(fn: (values: Values<S>) => unknown, spec: S, options: InteractOptions = {}): Interactive<S> {
  const w = new Interactive(fn, spec, options);
  getDisplaySink()?.display(w.toMimeBundle());
  return w;
}
