/**
 * The kernel side of a Jupyter widget (widget messaging protocol 2.1, ipywidgets 8 models): a
 * state synchronised with the front end's model over a `jupyter.widget` comm.
 *
 * - Creating a widget opens its comm with the whole state (`comm_open`, metadata
 *   `{ version: "2.1.0" }`); references to other widgets travel as `"IPY_MODEL_<id>"`.
 * - Setting an attribute sends `{ method: "update", state }` and tells the observers.
 * - An update from the front end is echoed to every front end (`echo_update`), applied, and
 *   observed; `request_state` is answered with the whole state; `custom` messages go to
 *   `onCustom` handlers (a Button's clicks).
 * - A `jupyter.widget.control` target answers `request_states` with every live widget, which is
 *   how a reloaded page gets its widgets back.
 */
import { randomUUID } from "crypto";
import { getWidgetHost, type HostComm } from "./host";

export const PROTOCOL_VERSION = "2.1.0";
export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";
export const BASE_MODULE = "@jupyter-widgets/base";
export const CONTROLS_MODULE = "@jupyter-widgets/controls";
export const OUTPUT_MODULE = "@jupyter-widgets/output";
const VERSIONS: Record<string, string> = { [BASE_MODULE]: "2.0.0", [CONTROLS_MODULE]: "2.0.0", [OUTPUT_MODULE]: "1.0.0" };

export type State = Record<string, unknown>;

/** What an observer is told: ipywidgets' change dictionary. */
export interface Change<T = unknown> {
  name: string;
  old: T;
  new: T;
  owner: Widget;
  type: "change";
}

export type Observer<T = unknown> = (change: Change<T>) => void;

/** The model a class stands for: names as in ipywidgets' model specification. */
export interface ModelSpec {
  model: string;
  view: string | null;
  module?: string;
  viewModule?: string;
}

const live = new Map<string, Widget>();
let controlRegistered = false;

/** Every widget that is open, by model id (its comm id). */
export function liveWidgets(): ReadonlyMap<string, Widget> {
  return live;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  return JSON.stringify(serialize(a)) === JSON.stringify(serialize(b));
}

/** Widgets inside a value become "IPY_MODEL_<id>" references (the protocol's JSON form). */
export function serialize(value: unknown): unknown {
  if (value instanceof Widget) return `IPY_MODEL_${value.modelId}`;
  if (Array.isArray(value)) return value.map(serialize);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: State = {};
    for (const [k, v] of Object.entries(value)) out[k] = serialize(v);
    return out;
  }
  return value;
}

/** The inverse of `serialize`, for state the front end sends. */
export function deserialize(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith("IPY_MODEL_")) return live.get(value.slice(10)) ?? value;
  if (Array.isArray(value)) return value.map(deserialize);
  return value;
}

/** A value of an argument that the widget cannot take: names the widget, the attribute and the value. */
export class WidgetError extends Error {
  constructor(widget: string, message: string) {
    super(`widgets.${widget}: ${message}`);
    this.name = "WidgetError";
  }
}

/**
 * The base of every widget. Attributes are read and written as properties (`slider.value = 3`);
 * `set(name, value)` does the same by name.
 */
export class Widget {
  /** The model id: the id of the widget's comm, or a local id when there is no kernel. */
  readonly modelId: string;
  protected readonly state: State = {};
  private comm: HostComm | null = null;
  private readonly observers: { fn: Observer<any>; names: Set<string> | null }[] = [];
  private readonly customHandlers: ((content: any, buffers: Uint8Array[]) => void)[] = [];
  /** Attributes being applied from the front end, with the values it sent: not sent back. */
  private locked: State | null = null;
  private held: Set<string> | null = null;
  private closed = false;
  /** True while the base constructor runs (subclass fields do not exist yet). */
  protected constructing = true;

  constructor(spec: ModelSpec, defaults: State, options: State = {}) {
    const module = spec.module ?? CONTROLS_MODULE;
    const viewModule = spec.viewModule ?? module;
    Object.assign(this.state, {
      _model_module: module,
      _model_module_version: VERSIONS[module],
      _model_name: spec.model,
      _view_module: viewModule,
      _view_module_version: VERSIONS[viewModule],
      _view_name: spec.view,
    });
    for (const [k, v] of Object.entries(defaults)) this.state[k] = v;
    const known = new Set(Object.keys(defaults));
    for (const [k, v] of Object.entries(options)) {
      if (v === undefined) continue;
      if (!known.has(k) && !this.acceptsOption(k)) throw new WidgetError(this.className(), `unknown option "${k}"; it takes ${[...known].filter((n) => !n.startsWith("_")).join(", ")}`);
      if (known.has(k)) this.state[k] = this.validate(k, v);
    }
    this.prepare(options);
    const host = getWidgetHost();
    if (host) {
      if (!controlRegistered) {
        controlRegistered = true;
        host.registerTarget("jupyter.widget.control", (comm) => {
          comm.onMsg((data) => {
            if (data?.method !== "request_states") return;
            const states: State = {};
            // Each entry names its model beside the state, as ipywidgets' manager state does
            // and as the widget manager reads it.
            for (const [id, w] of live) {
              const state = w.fullState();
              states[id] = { model_name: state._model_name, model_module: state._model_module, model_module_version: state._model_module_version, state };
            }
            comm.send({ method: "update_states", states, buffer_paths: [] });
          });
        });
      }
      this.comm = host.openComm("jupyter.widget", { state: this.fullState(), buffer_paths: [] }, { version: PROTOCOL_VERSION });
      this.modelId = this.comm.id;
      this.comm.onMsg((data) => this.receive(data));
      this.comm.onClose(() => this.forget());
    } else {
      this.modelId = randomUUID().replace(/-/g, "");
    }
    live.set(this.modelId, this);
    this.constructing = false;
  }

  /** Options a subclass takes beyond its synced attributes (a Dropdown's `options`, `value`). */
  protected acceptsOption(_name: string): boolean {
    return false;
  }

  /** Called once the options are in, before the comm opens: derived attributes go here. */
  protected prepare(_options: State): void {}

  /** Checks or coerces a value before it is stored (sliders clamp, int sliders round). */
  protected validate(_name: string, value: unknown): unknown {
    return value;
  }

  protected className(): string {
    return String(this.state._model_name).replace(/Model$/, "");
  }

  /** The whole synced state, in the protocol's JSON form. */
  fullState(): State {
    return serialize(this.state) as State;
  }

  /** An attribute's value. */
  get(name: string): unknown {
    return this.state[name];
  }

  /** Sets an attribute: the front end is updated and the observers are told. */
  set(name: string, value: unknown): void {
    if (!(name in this.state)) throw new WidgetError(this.className(), `no attribute "${name}"`);
    const next = this.validate(name, value);
    const old = this.state[name];
    if (sameValue(old, next)) return;
    this.state[name] = next;
    if (this.held) this.held.add(name);
    else if (!(this.locked && name in this.locked && sameValue(this.locked[name], next))) this.sendState([name]);
    this.notify(name, old, next);
  }

  /** Sets several attributes and sends them to the front end in one message. */
  setState(values: State): void {
    this.holdSync(() => {
      for (const [k, v] of Object.entries(values)) this.set(k, v);
    });
  }

  /** Runs `fn`, sending every attribute it changes in one update at the end. */
  holdSync<T>(fn: () => T): T {
    if (this.held) return fn();
    this.held = new Set();
    try {
      return fn();
    } finally {
      const names = [...this.held].filter((n) => !(this.locked && n in this.locked && sameValue(this.locked[n], this.state[n])));
      this.held = null;
      if (names.length) this.sendState(names);
    }
  }

  /**
   * Calls `handler` with `{ name, old, new, owner, type }` when an attribute changes, from the
   * kernel or the front end; `names` limits it to some attributes (ipywidgets' `observe`).
   */
  observe<T = any>(handler: Observer<T>, names?: string | string[]): this {
    this.observers.push({ fn: handler, names: names === undefined ? null : new Set(Array.isArray(names) ? names : [names]) });
    return this;
  }

  /** Stops calling `handler` (for `names`, or for every attribute). */
  unobserve(handler: Observer<any>, names?: string | string[]): this {
    const drop = names === undefined ? null : new Set(Array.isArray(names) ? names : [names]);
    for (let i = this.observers.length - 1; i >= 0; i--) {
      const o = this.observers[i];
      if (o.fn !== handler) continue;
      if (!drop || !o.names) this.observers.splice(i, 1);
      else {
        for (const n of drop) o.names.delete(n);
        if (o.names.size === 0) this.observers.splice(i, 1);
      }
    }
    return this;
  }

  /** Calls `handler` with the content of every custom message from the front end. */
  onCustom(handler: (content: any, buffers: Uint8Array[]) => void): this {
    this.customHandlers.push(handler);
    return this;
  }

  /** Sends a custom message to the front-end model (ipywidgets' `Widget.send`). */
  send(content: unknown, buffers: Uint8Array[] = []): void {
    this.comm?.send({ method: "custom", content }, buffers);
  }

  /** Closes the widget: the front end drops the model and its views. */
  close(): void {
    if (this.closed) return;
    this.comm?.close();
    this.forget();
  }

  /** Shown as the widget's view where the front end has the widget manager; as text elsewhere. */
  toMimeBundle(): Record<string, unknown> {
    const text = this.toString();
    if (!this.comm || this.closed || this.state._view_name === null) return { "text/plain": text };
    return { "text/plain": text, [WIDGET_VIEW_MIME]: { version_major: 2, version_minor: 0, model_id: this.modelId } };
  }

  toString(): string {
    const shown = ["description", "value", "min", "max", "children"].filter((k) => k in this.state && this.state[k] !== "");
    const parts = shown.map((k) => `${k}=${k === "children" ? `[${(this.state[k] as unknown[]).length}]` : JSON.stringify(serialize(this.state[k]))}`);
    return `${this.className()}(${parts.join(", ")})`;
  }

  private sendState(names: string[]): void {
    if (!this.comm || this.closed) return;
    const state: State = {};
    for (const n of names) state[n] = serialize(this.state[n]);
    this.comm.send({ method: "update", state, buffer_paths: [] });
  }

  private notify(name: string, old: unknown, next: unknown): void {
    const change: Change = { name, old, new: next, owner: this, type: "change" };
    for (const o of [...this.observers]) if (!o.names || o.names.has(name)) o.fn(change);
  }

  private receive(data: any): void {
    switch (data?.method) {
      case "update": {
        const incoming = (data.state ?? {}) as State;
        const names = Object.keys(incoming).filter((n) => n in this.state);
        // Echoed first, as ipywidgets 8 does, so every front end learns the order of changes.
        if (names.length && this.comm) {
          const echo: State = {};
          for (const n of names) echo[n] = incoming[n];
          this.comm.send({ method: "echo_update", state: echo, buffer_paths: [] });
        }
        const prev = this.locked;
        this.locked = incoming;
        try {
          this.holdSync(() => {
            for (const n of names) this.set(n, deserialize(incoming[n]));
          });
        } finally {
          this.locked = prev;
        }
        break;
      }
      case "request_state":
        this.comm?.send({ method: "update", state: this.fullState(), buffer_paths: [] });
        break;
      case "custom":
        for (const h of [...this.customHandlers]) h(data.content, []);
        break;
      default:
        break;
    }
  }

  private forget(): void {
    this.closed = true;
    live.delete(this.modelId);
  }
}

/**
 * Makes each attribute a property of the class's instances (`w.value`, `w.value = 3`), so
 * widget classes read like ipywidgets' traits.
 */
export function defineAttributes(cls: { prototype: object }, names: string[]): void {
  for (const name of names) {
    if (Object.prototype.hasOwnProperty.call(cls.prototype, name)) continue;
    Object.defineProperty(cls.prototype, name, {
      get(this: Widget) {
        return this.get(name);
      },
      set(this: Widget, v: unknown) {
        this.set(name, v);
      },
      configurable: true,
    });
  }
}
