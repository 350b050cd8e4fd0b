/**
 * The widget models of ipywidgets 8 (`@jupyter-widgets/controls` 2.0, `base` 2.0), with their
 * attribute names and defaults from its model specification, so JupyterLab's widget manager
 * renders them as it renders ipywidgets'.
 *
 * ```ts
 * const lr = new widgets.FloatLogSlider({ value: 0.01, min: -4, max: 0, description: "lr" });
 * lr.observe(({ new: v }) => console.log("lr is now", v), "value");
 * display(lr);
 * ```
 */
import { BASE_MODULE, defineAttributes, type State, Widget, WidgetError } from "./widget";

type Ref = Widget | null;

// ---------------------------------------------------------------------------------------------
// Layout and styles

const LAYOUT_KEYS = [
  "align_content", "align_items", "align_self", "border_bottom", "border_left", "border_right", "border_top",
  "bottom", "display", "flex", "flex_flow", "grid_area", "grid_auto_columns", "grid_auto_flow", "grid_auto_rows",
  "grid_column", "grid_gap", "grid_row", "grid_template_areas", "grid_template_columns", "grid_template_rows",
  "height", "justify_content", "justify_items", "left", "margin", "max_height", "max_width", "min_height",
  "min_width", "object_fit", "object_position", "order", "overflow", "padding", "right", "top", "visibility", "width",
] as const;

export type LayoutOptions = Partial<Record<(typeof LAYOUT_KEYS)[number], string | null>>;
export interface Layout extends Required<LayoutOptions> {}

/** CSS layout of a widget (`new widgets.Layout({ width: "300px" })`), shared or per widget. */
export class Layout extends Widget {
  constructor(options: LayoutOptions = {}) {
    super({ model: "LayoutModel", view: "LayoutView", module: BASE_MODULE }, Object.fromEntries(LAYOUT_KEYS.map((k) => [k, null])), options as State);
  }
}
defineAttributes(Layout, [...LAYOUT_KEYS]);

/** The style attributes of each style model (ipywidgets 8). */
const STYLES: Record<string, State> = {
  DescriptionStyle: { description_width: "" },
  SliderStyle: { description_width: "", handle_color: null },
  ButtonStyle: { button_color: null, font_family: null, font_size: null, font_style: null, font_variant: null, font_weight: null, text_color: null, text_decoration: null },
  CheckboxStyle: { background: null, description_width: "" },
  TextStyle: { background: null, description_width: "", font_size: null, text_color: null },
  LabelStyle: { background: null, description_width: "", font_family: null, font_size: null, font_style: null, font_variant: null, font_weight: null, text_color: null, text_decoration: null },
  HTMLStyle: { background: null, description_width: "", font_size: null, text_color: null },
  ToggleButtonsStyle: { button_width: "", description_width: "", font_weight: "" },
  ToggleButtonStyle: { description_width: "", font_family: null, font_size: null, font_style: null, font_variant: null, font_weight: null, text_color: null, text_decoration: null },
  ProgressStyle: { bar_color: null, description_width: "" },
};

/** A widget's style (`slider.style.set("handle_color", "red")`); the kind depends on the widget. */
export class Style extends Widget {
  constructor(kind: keyof typeof STYLES | string, options: State = {}) {
    const defaults = STYLES[kind];
    if (!defaults) throw new WidgetError("Style", `unknown style "${kind}"; one of ${Object.keys(STYLES).join(", ")}`);
    super({ model: `${kind}Model`, view: "StyleView", viewModule: BASE_MODULE }, defaults, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Bases

export interface DOMWidgetOptions {
  layout?: Layout | LayoutOptions;
  tooltip?: string | null;
  tabbable?: boolean | null;
  _dom_classes?: string[];
}

/** A widget with a view: a layout, CSS classes, a tooltip. */
export class DOMWidget extends Widget {
  declare layout: Layout;
  declare tooltip: string | null;
  declare tabbable: boolean | null;
  constructor(spec: { model: string; view: string; module?: string }, defaults: State, options: State, hasStyle = false) {
    super(spec, { _dom_classes: [], layout: null, tabbable: null, tooltip: null, ...(hasStyle ? { style: null } : {}), ...defaults }, options);
  }

  protected override validate(name: string, value: unknown): unknown {
    if (name === "layout" && !(value instanceof Layout)) return new Layout((value ?? {}) as LayoutOptions);
    if (name === "style" && !(value instanceof Style)) return new Style(this.styleKindOf(), (value ?? {}) as State);
    return value;
  }

  protected override prepare(options: State): void {
    if (!(this.state.layout instanceof Layout)) this.state.layout = new Layout();
    if ("style" in this.state && !(this.state.style instanceof Style)) this.state.style = new Style(this.styleKindOf(), (options.style ?? {}) as State);
  }

  private styleKindOf(): string {
    return STYLE_OF[String(this.state._model_name)] ?? "DescriptionStyle";
  }

  /** Adds a CSS class to the widget's views. */
  addClass(name: string): this {
    const classes = this.get("_dom_classes") as string[];
    if (!classes.includes(name)) this.set("_dom_classes", [...classes, name]);
    return this;
  }

  removeClass(name: string): this {
    this.set("_dom_classes", (this.get("_dom_classes") as string[]).filter((c) => c !== name));
    return this;
  }
}
defineAttributes(DOMWidget, ["layout", "tooltip", "tabbable"]);

/** Which style model each control uses (ipywidgets 8). */
const STYLE_OF: Record<string, string> = {
  FloatSliderModel: "SliderStyle", IntSliderModel: "SliderStyle", FloatLogSliderModel: "SliderStyle",
  ButtonModel: "ButtonStyle", CheckboxModel: "CheckboxStyle", TextModel: "TextStyle", LabelModel: "LabelStyle",
  HTMLModel: "HTMLStyle", ToggleButtonsModel: "ToggleButtonsStyle", ToggleButtonModel: "ToggleButtonStyle", FloatProgressModel: "ProgressStyle", IntProgressModel: "ProgressStyle",
};

export interface DescriptionOptions extends DOMWidgetOptions {
  description?: string;
  description_allow_html?: boolean;
  style?: Style | State;
}

const DESCRIPTION = { description: "", description_allow_html: false };

function controlSpec(name: string) {
  return { model: `${name}Model`, view: `${name}View` };
}

function describe(spec: { model: string; view: string }, defaults: State, options: State) {
  return [spec, { ...DESCRIPTION, ...defaults }, options, true] as const;
}

// ---------------------------------------------------------------------------------------------
// Sliders

export interface SliderOptions<T> extends DescriptionOptions {
  value?: T;
  min?: number;
  max?: number;
  step?: number;
  orientation?: "horizontal" | "vertical";
  readout?: boolean;
  readout_format?: string;
  continuous_update?: boolean;
  disabled?: boolean;
  behavior?: "drag-tap" | "drag-snap" | "tap" | "drag" | "snap";
}

const SLIDER_KEYS = ["value", "min", "max", "step", "orientation", "readout", "readout_format", "continuous_update", "disabled", "behavior", "description", "description_allow_html", "style"];

function sliderDefaults(min: number, max: number, step: number, value: number, readoutFormat: string): State {
  return { value, min, max, step, orientation: "horizontal", readout: true, readout_format: readoutFormat, continuous_update: true, disabled: false, behavior: "drag-tap" };
}

function checkNumber(widget: string, name: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) throw new WidgetError(widget, `${name} must be a number, got ${JSON.stringify(value)}`);
  return value;
}

/** Clamps a slider's value into [min, max], as ipywidgets' bounded traits do. */
abstract class BoundedNumber extends DOMWidget {
  protected override validate(name: string, value: unknown): unknown {
    if (["value", "min", "max", "step"].includes(name)) {
      let v = checkNumber(this.className(), name, value);
      if (this.isInt()) v = Math.round(v);
      // While the options are read the bounds may not be in yet; prepare() clamps then.
      if (name === "value" && !this.constructing) v = this.clamp(v);
      return v;
    }
    return super.validate(name, value);
  }

  override set(name: string, value: unknown): void {
    super.set(name, value);
    // A new bound pulls the value inside it.
    if ((name === "min" || name === "max") && "value" in this.state) super.set("value", this.state.value);
  }

  protected override prepare(options: State): void {
    super.prepare(options);
    if (Number(this.state.min) > Number(this.state.max)) throw new WidgetError(this.className(), `min (${this.state.min}) is above max (${this.state.max})`);
    this.state.value = this.clamp(Number(this.state.value));
  }

  private clamp(v: number): number {
    return Math.min(Math.max(v, this.lower()), this.upper());
  }

  protected isInt(): boolean {
    return false;
  }

  protected lower(): number {
    return Number(this.state.min);
  }

  protected upper(): number {
    return Number(this.state.max);
  }
}

export interface FloatSlider extends Required<Omit<SliderOptions<number>, "layout" | "style">> {}
/** A slider over real numbers (default 0 to 100, step 0.1). */
export class FloatSlider extends BoundedNumber {
  declare style: Style;
  constructor(options: SliderOptions<number> = {}) {
    super(...describe(controlSpec("FloatSlider"), sliderDefaults(0, 100, 0.1, 0, ".2f"), options as State));
  }
}
defineAttributes(FloatSlider, [...SLIDER_KEYS]);

export interface IntSlider extends Required<Omit<SliderOptions<number>, "layout" | "style">> {}
/** A slider over integers (default 0 to 100, step 1). */
export class IntSlider extends BoundedNumber {
  declare style: Style;
  constructor(options: SliderOptions<number> = {}) {
    super(...describe(controlSpec("IntSlider"), sliderDefaults(0, 100, 1, 0, "d"), options as State));
  }

  protected override isInt(): boolean {
    return true;
  }
}
defineAttributes(IntSlider, [...SLIDER_KEYS]);

export interface FloatLogSliderOptions extends SliderOptions<number> {
  /** The base of the exponent; `min`, `max` and `step` are exponents. */
  base?: number;
}
export interface FloatLogSlider extends Required<Omit<FloatLogSliderOptions, "layout" | "style">> {}
/**
 * A slider over a log scale: its value runs from `base ** min` to `base ** max`
 * (default 10⁰ to 10⁴), `step` is in exponents.
 */
export class FloatLogSlider extends BoundedNumber {
  declare style: Style;
  constructor(options: FloatLogSliderOptions = {}) {
    super(...describe(controlSpec("FloatLogSlider"), { ...sliderDefaults(0, 4, 0.1, 1, ".3g"), base: 10 }, options as State));
  }

  protected override lower(): number {
    return Math.pow(Number(this.state.base), Number(this.state.min));
  }

  protected override upper(): number {
    return Math.pow(Number(this.state.base), Number(this.state.max));
  }
}
defineAttributes(FloatLogSlider, [...SLIDER_KEYS, "base"]);

export interface FloatProgressOptions extends DescriptionOptions {
  value?: number;
  min?: number;
  max?: number;
  bar_style?: "success" | "info" | "warning" | "danger" | "";
  orientation?: "horizontal" | "vertical";
}
export interface FloatProgress extends Required<Omit<FloatProgressOptions, "layout" | "style">> {}
/** A progress bar (default 0 to 100). */
export class FloatProgress extends BoundedNumber {
  constructor(options: FloatProgressOptions = {}) {
    super(...describe({ model: "FloatProgressModel", view: "ProgressView" }, { value: 0, min: 0, max: 100, bar_style: "", orientation: "horizontal" }, options as State));
  }
}
defineAttributes(FloatProgress, ["value", "min", "max", "bar_style", "orientation", "description"]);

export interface PlayOptions extends DescriptionOptions {
  value?: number;
  min?: number;
  max?: number;
  step?: number;
  /** Milliseconds between steps. */
  interval?: number;
  playing?: boolean;
  repeat?: boolean;
  show_repeat?: boolean;
  disabled?: boolean;
}
export interface Play extends Required<Omit<PlayOptions, "layout" | "style">> {}
/** A play/pause button that steps its integer value every `interval` ms (animations). */
export class Play extends BoundedNumber {
  constructor(options: PlayOptions = {}) {
    super(...describe(controlSpec("Play"), { value: 0, min: 0, max: 100, step: 1, interval: 100, playing: false, repeat: false, show_repeat: true, disabled: false }, options as State));
  }

  protected override isInt(): boolean {
    return true;
  }
}
defineAttributes(Play, ["value", "min", "max", "step", "interval", "playing", "repeat", "show_repeat", "disabled", "description"]);

// ---------------------------------------------------------------------------------------------
// Selections

export type OptionList<T> = readonly T[] | readonly (readonly [string, T])[];

export interface SelectionOptions<T> extends DescriptionOptions {
  /** Labels, or [label, value] pairs. */
  options?: OptionList<T>;
  value?: T;
  index?: number | null;
  disabled?: boolean;
}

/** Dropdown and ToggleButtons: the front end syncs `index`; `value` and `label` follow it. */
abstract class Selection<T> extends DOMWidget {
  // Set from the base constructor (prepare), so no initialisers: they would run after it.
  private declare labels: string[];
  private declare values: T[];

  protected override acceptsOption(name: string): boolean {
    return name === "options" || name === "value";
  }

  protected override prepare(options: State): void {
    super.prepare(options);
    this.setOptionsLocal((options.options ?? []) as OptionList<T>);
    if (options.value !== undefined) this.state.index = this.indexOf(options.value as T);
    else if (options.index === undefined) this.state.index = this.labels.length ? 0 : null;
  }

  private setOptionsLocal(options: OptionList<T>): void {
    const pairs = (options as readonly unknown[]).map((o) => (Array.isArray(o) && o.length === 2 && typeof o[0] === "string" ? (o as [string, T]) : ([String(o), o as T] as [string, T])));
    this.labels = pairs.map((p) => p[0]);
    this.values = pairs.map((p) => p[1]);
    this.state._options_labels = this.labels;
  }

  private indexOf(value: T): number {
    const i = this.values.findIndex((v) => v === value);
    if (i < 0) throw new WidgetError(this.className(), `value ${JSON.stringify(value)} is not one of the options (${this.labels.join(", ")})`);
    return i;
  }

  protected override validate(name: string, value: unknown): unknown {
    if (name === "index" && value !== null) {
      const i = checkNumber(this.className(), "index", value);
      if (!Number.isInteger(i) || i < 0 || i >= this.labels.length) throw new WidgetError(this.className(), `index ${i} is out of range for ${this.labels.length} options`);
    }
    return super.validate(name, value);
  }

  /** The options' labels, in order. */
  get options(): OptionList<T> {
    return this.labels as unknown as OptionList<T>;
  }

  /** Replaces the options; the selection moves to the first one. */
  set options(options: OptionList<T>) {
    this.holdSync(() => {
      this.setOptionsLocal(options);
      this.set("_options_labels", [...this.labels]);
      this.set("index", this.labels.length ? 0 : null);
    });
  }

  /** The selected option's value (null when nothing is selected). */
  get value(): T {
    const i = this.state.index as number | null;
    return (i === null ? null : this.values[i]) as T;
  }

  set value(v: T) {
    this.set("index", this.indexOf(v));
  }

  /** The selected option's label. */
  get label(): string | null {
    const i = this.state.index as number | null;
    return i === null ? null : this.labels[i];
  }

  /** Observers of "value" and "label" are told when the index changes, as in ipywidgets. */
  override observe<V = any>(handler: (change: import("./widget").Change<V>) => void, names?: string | string[]): this {
    const list = names === undefined ? undefined : Array.isArray(names) ? names : [names];
    if (!list || list.includes("index")) super.observe(handler as never, list && list.filter((n) => n === "index"));
    for (const derived of ["value", "label"] as const) {
      if (list && !list.includes(derived)) continue;
      super.observe((c) => {
        const pick = (i: unknown) => (i === null ? null : derived === "value" ? this.values[i as number] : this.labels[i as number]);
        handler({ ...c, name: derived, old: pick(c.old) as V, new: pick(c.new) as V });
      }, "index");
    }
    return this;
  }
}

export interface Dropdown<T = string> {
  index: number | null;
  description: string;
  disabled: boolean;
}
/** A drop-down list: `new widgets.Dropdown({ options: ["relu", "tanh"], value: "relu" })`. */
export class Dropdown<T = string> extends Selection<T> {
  constructor(options: SelectionOptions<T> = {}) {
    super(...describe(controlSpec("Dropdown"), { _options_labels: [], index: null, disabled: false }, options as State));
  }
}
defineAttributes(Dropdown, ["index", "description", "disabled"]);

export interface ToggleButtonsOptions<T> extends SelectionOptions<T> {
  tooltips?: string[];
  icons?: string[];
  button_style?: "primary" | "success" | "info" | "warning" | "danger" | "";
}
export interface ToggleButtons<T = string> {
  index: number | null;
  description: string;
  disabled: boolean;
  tooltips: string[];
  icons: string[];
  button_style: string;
}
/** A row of buttons of which one is selected. */
export class ToggleButtons<T = string> extends Selection<T> {
  constructor(options: ToggleButtonsOptions<T> = {}) {
    super(...describe(controlSpec("ToggleButtons"), { _options_labels: [], index: null, disabled: false, tooltips: [], icons: [], button_style: "" }, options as State));
  }
}
defineAttributes(ToggleButtons, ["index", "description", "disabled", "tooltips", "icons", "button_style"]);

// ---------------------------------------------------------------------------------------------
// Buttons, text, labels

export interface CheckboxOptions extends DescriptionOptions {
  value?: boolean;
  disabled?: boolean;
  indent?: boolean;
}
export interface Checkbox extends Required<Omit<CheckboxOptions, "layout" | "style">> {}
/** A check box with a boolean value. */
export class Checkbox extends DOMWidget {
  constructor(options: CheckboxOptions = {}) {
    super(...describe(controlSpec("Checkbox"), { value: false, disabled: false, indent: true }, options as State));
  }
}
defineAttributes(Checkbox, ["value", "disabled", "indent", "description"]);

export interface ButtonOptions extends DOMWidgetOptions {
  description?: string;
  disabled?: boolean;
  icon?: string;
  button_style?: "primary" | "success" | "info" | "warning" | "danger" | "";
  style?: Style | State;
}
export interface Button extends Required<Omit<ButtonOptions, "layout" | "style">> {}
/** A button: `new widgets.Button({ description: "train" }).onClick(() => ...)`. */
export class Button extends DOMWidget {
  private readonly clickHandlers: ((b: Button) => void)[] = [];
  constructor(options: ButtonOptions = {}) {
    super(controlSpec("Button"), { description: "", disabled: false, icon: "", button_style: "" }, options as State, true);
    this.onCustom((content) => {
      if (content?.event === "click") this.click();
    });
  }

  /** Calls `handler` on every click (ipywidgets' `on_click`). */
  onClick(handler: (button: Button) => void): this {
    this.clickHandlers.push(handler);
    return this;
  }

  /** Runs the click handlers, as a click in the browser does. */
  click(): void {
    for (const h of [...this.clickHandlers]) h(this);
  }
}
defineAttributes(Button, ["description", "disabled", "icon", "button_style"]);

export interface ToggleButtonOptions extends DescriptionOptions {
  value?: boolean;
  disabled?: boolean;
  icon?: string;
  button_style?: "primary" | "success" | "info" | "warning" | "danger" | "";
}
export interface ToggleButton extends Required<Omit<ToggleButtonOptions, "layout" | "style">> {}
/**
 * A button that stays pressed: its boolean `value` flips on every click (a train/pause switch).
 *
 * @example
 * const run = new widgets.ToggleButton({ description: "train", icon: "play" });
 * run.observe(({ new: on }) => console.log(on ? "training" : "paused"), "value");
 */
export class ToggleButton extends DOMWidget {
  constructor(options: ToggleButtonOptions = {}) {
    super(...describe(controlSpec("ToggleButton"), { value: false, disabled: false, icon: "", button_style: "" }, options as State));
  }
}
defineAttributes(ToggleButton, ["value", "disabled", "icon", "button_style", "description"]);

export interface TextOptions extends DescriptionOptions {
  value?: string;
  placeholder?: string;
  disabled?: boolean;
  continuous_update?: boolean;
}
export interface Text extends Required<Omit<TextOptions, "layout" | "style">> {}
/** A one-line text box. */
export class Text extends DOMWidget {
  private readonly submitHandlers: ((t: Text) => void)[] = [];
  constructor(options: TextOptions = {}) {
    super(...describe(controlSpec("Text"), { value: "", placeholder: "\u200b", disabled: false, continuous_update: true }, options as State));
    this.onCustom((content) => {
      if (content?.event === "submit") for (const h of [...this.submitHandlers]) h(this);
    });
  }

  /** Calls `handler` when the user presses Enter in the box (ipywidgets' `on_submit`). */
  onSubmit(handler: (text: Text) => void): this {
    this.submitHandlers.push(handler);
    return this;
  }
}
defineAttributes(Text, ["value", "placeholder", "disabled", "continuous_update", "description"]);

export interface LabelOptions extends DescriptionOptions {
  value?: string;
  placeholder?: string;
}
export interface Label extends Required<Omit<LabelOptions, "layout" | "style">> {}
/** Plain text (a label for other controls, a status line). */
export class Label extends DOMWidget {
  constructor(options: LabelOptions | string = {}) {
    super(...describe(controlSpec("Label"), { value: "", placeholder: "\u200b" }, (typeof options === "string" ? { value: options } : options) as State));
  }
}
defineAttributes(Label, ["value", "placeholder", "description"]);

export interface HTML extends Required<Omit<LabelOptions, "layout" | "style">> {}
/** HTML content (`new widgets.HTML("<b>loss</b> 0.3")`). */
export class HTML extends DOMWidget {
  constructor(options: LabelOptions | string = {}) {
    super(...describe(controlSpec("HTML"), { value: "", placeholder: "\u200b" }, (typeof options === "string" ? { value: options } : options) as State));
  }
}
defineAttributes(HTML, ["value", "placeholder", "description"]);

// ---------------------------------------------------------------------------------------------
// Boxes

export interface BoxOptions extends DOMWidgetOptions {
  box_style?: "success" | "info" | "warning" | "danger" | "";
}

abstract class Box extends DOMWidget {
  declare children: readonly Ref[];
  declare box_style: string;
  constructor(name: string, children: readonly Widget[], options: BoxOptions) {
    super(controlSpec(name), { children: [], box_style: "" }, { ...options, children } as State);
  }

  protected override validate(name: string, value: unknown): unknown {
    if (name === "children") {
      if (!Array.isArray(value) || value.some((c) => !(c instanceof Widget))) throw new WidgetError(this.className(), "children must be an array of widgets");
      return [...value];
    }
    return super.validate(name, value);
  }
}
defineAttributes(Box, ["children", "box_style"]);

/** Widgets side by side. */
export class HBox extends Box {
  constructor(children: readonly Widget[] = [], options: BoxOptions = {}) {
    super("HBox", children, options);
  }
}

/** Widgets one below the other. */
export class VBox extends Box {
  constructor(children: readonly Widget[] = [], options: BoxOptions = {}) {
    super("VBox", children, options);
  }
}

/** Widgets on a CSS grid: set `layout: { grid_template_columns: "repeat(2, 1fr)" }`. */
export class GridBox extends Box {
  constructor(children: readonly Widget[] = [], options: BoxOptions = {}) {
    super("GridBox", children, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Links

type End = readonly [Widget, string];

/** A link kept by the front end, so it works without a round trip to the kernel. */
export class Link extends Widget {
  constructor(source: End, target: End, directional = false) {
    for (const [w, name] of [source, target]) if (!(name in w.fullState())) throw new WidgetError(directional ? "jsdlink" : "jslink", `${w.toString()} has no attribute "${name}"`);
    super({ model: directional ? "DirectionalLinkModel" : "LinkModel", view: null }, { source: [...source], target: [...target] });
  }

  /** Removes the link. */
  unlink(): void {
    this.close();
  }
}

/** Keeps two attributes equal in the browser: `widgets.jslink([play, "value"], [slider, "value"])`. */
export function jslink(source: End, target: End): Link {
  return new Link(source, target);
}

/** Copies `source`'s attribute to `target`'s in the browser, one way. */
export function jsdlink(source: End, target: End): Link {
  return new Link(source, target, true);
}

/** Keeps two attributes equal in the kernel (both ways); returns a function that unlinks them. */
export function link(source: End, target: End): () => void {
  const [a, an] = source;
  const [b, bn] = target;
  b.set(bn, a.get(an));
  const fwd = (c: { new: unknown }) => b.set(bn, c.new);
  const back = (c: { new: unknown }) => a.set(an, c.new);
  a.observe(fwd, an);
  b.observe(back, bn);
  return () => {
    a.unobserve(fwd, an);
    b.unobserve(back, bn);
  };
}

/** Copies `source`'s attribute to `target`'s in the kernel, through `transform` if given. */
export function dlink(source: End, target: End, transform: (v: any) => unknown = (v) => v): () => void {
  const [a, an] = source;
  const [b, bn] = target;
  b.set(bn, transform(a.get(an)));
  const fwd = (c: { new: unknown }) => b.set(bn, transform(c.new));
  a.observe(fwd, an);
  return () => a.unobserve(fwd, an);
}
