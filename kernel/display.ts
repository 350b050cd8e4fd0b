/**
 * The display API cells use: `display(value)`, `display.html(...)`, updatable handles,
 * `clearOutput()`, and the same calls under tslab's names.
 *
 * Everything goes through a `Publisher` handed in by the runtime; nothing here knows about
 * threads or sockets.
 */
import { inspect } from "util";
import { randomUUID } from "crypto";

export type MimeBundle = Record<string, unknown>;

export interface Publisher {
  display(data: MimeBundle, metadata: Record<string, unknown>, displayId: string | undefined, update: boolean): void;
  clearOutput(wait: boolean): void;
}

const MIME_SYMBOL = Symbol.for("jupyter.mimebundle");

/**
 * The MIME bundle of any value: its own (`toMimeBundle()` or `Symbol.for("jupyter.mimebundle")`),
 * else `text/plain` from `util.inspect` (strings shown as they are).
 */
export function toBundle(value: unknown): MimeBundle {
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    const v = value as Record<string | symbol, unknown>;
    const fn = typeof v[MIME_SYMBOL] === "function" ? v[MIME_SYMBOL] : typeof v.toMimeBundle === "function" ? v.toMimeBundle : null;
    if (fn) {
      const b = (fn as () => MimeBundle).call(value);
      if (b && typeof b === "object") return "text/plain" in b ? b : { ...b, "text/plain": plainText(value) };
    }
  }
  return { "text/plain": typeof value === "string" ? value : plainText(value) };
}

/** How a value prints as a result: like Node's REPL. */
export function plainText(value: unknown): string {
  return inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 });
}

function base64(data: Uint8Array | ArrayBuffer | string): string {
  if (typeof data === "string") return data;
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString("base64");
}

export interface DisplayOptions {
  /** Makes the display updatable: a string id, or `true` for a fresh one. */
  id?: string | boolean;
  metadata?: Record<string, unknown>;
}

/** A display that can be replaced in place (`update_display_data`). */
export interface DisplayHandle {
  readonly id: string;
  /** Replaces the shown content with `value` (shown the way the handle's first call did). */
  update(value: unknown): void;
  /** Empties the display, keeping its place. */
  clear(): void;
}

type Converter = (value: any) => MimeBundle;

const converters = {
  html: (s: string) => ({ "text/html": s, "text/plain": stripTags(s) }),
  markdown: (s: string) => ({ "text/markdown": s, "text/plain": s }),
  latex: (s: string) => ({ "text/latex": s, "text/plain": s }),
  svg: (s: string) => ({ "image/svg+xml": s, "text/plain": "<svg image>" }),
  png: (d: Uint8Array | string) => ({ "image/png": base64(d), "text/plain": "<PNG image>" }),
  jpeg: (d: Uint8Array | string) => ({ "image/jpeg": base64(d), "text/plain": "<JPEG image>" }),
  gif: (d: Uint8Array | string) => ({ "image/gif": base64(d), "text/plain": "<GIF image>" }),
  pdf: (d: Uint8Array | string) => ({ "application/pdf": base64(d), "text/plain": "<PDF document>" }),
  json: (o: unknown) => ({ "application/json": o, "text/plain": plainText(o) }),
  vegalite: (spec: Record<string, unknown>) => ({
    "application/vnd.vegalite.v5+json": { $schema: "https://vega.github.io/schema/vega-lite/v5.json", ...spec },
    "text/plain": "<Vega-Lite chart>",
  }),
  text: (s: string) => ({ "text/plain": String(s) }),
  javascript: (s: string) => ({ "application/javascript": s, "text/plain": "<JavaScript>" }),
} satisfies Record<string, Converter>;

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, "").slice(0, 1000);
}

export type DisplayFn = ((value: unknown, options?: DisplayOptions) => DisplayHandle) & {
  [K in keyof typeof converters]: (value: Parameters<(typeof converters)[K]>[0], options?: DisplayOptions) => DisplayHandle;
} & {
  /** Shows `content` under an explicit MIME type. */
  raw(mimeType: string, content: unknown, options?: DisplayOptions): DisplayHandle;
};

/** Builds the `display` function bound to a publisher. */
export function createDisplay(pub: Publisher): DisplayFn {
  const show = (convert: Converter, value: unknown, options: DisplayOptions = {}): DisplayHandle => {
    const id = options.id === true ? randomUUID() : typeof options.id === "string" ? options.id : undefined;
    const metadata = options.metadata ?? {};
    pub.display(convert(value), metadata, id, false);
    return makeHandle(pub, convert, id ?? randomUUID(), metadata, id !== undefined);
  };
  const display = ((value: unknown, options?: DisplayOptions) => show(toBundle, value, options)) as DisplayFn;
  for (const [name, convert] of Object.entries(converters)) {
    (display as unknown as Record<string, unknown>)[name] = (value: unknown, options?: DisplayOptions) => show(convert as Converter, value, options);
  }
  display.raw = (mimeType, content, options) => show((c) => ({ [mimeType]: c, "text/plain": `<${mimeType}>` }), content, options);
  return display;
}

const HANDLE = Symbol("gradbook.displayHandle");

/** Display handles are what `display()` returns; as a cell's last value they show nothing. */
export function isDisplayHandle(value: unknown): boolean {
  return typeof value === "object" && value !== null && HANDLE in value;
}

function makeHandle(pub: Publisher, convert: Converter, id: string, metadata: Record<string, unknown>, updatable: boolean): DisplayHandle & { [HANDLE]: true } {
  return {
    [HANDLE]: true as const,
    id,
    update(value: unknown) {
      if (!updatable) throw new Error(`display handle: this display was shown without { id }, so it cannot be updated; use display(value, { id: true })`);
      pub.display(convert(value), metadata, id, true);
    },
    clear() {
      if (!updatable) throw new Error(`display handle: this display was shown without { id }, so it cannot be cleared; use display(value, { id: true })`);
      pub.display({ "text/plain": "" }, {}, id, true);
    },
  };
}

/**
 * tslab's module surface (`import * as tslab from "tslab"`), so tslab notebooks run unchanged.
 * `newDisplay()` returns a display whose every call replaces the previous content.
 */
export function createTslab(pub: Publisher, display: DisplayFn, versions: Record<string, string>) {
  const methods = ["html", "markdown", "latex", "svg", "png", "jpeg", "gif", "pdf", "text", "javascript"] as const;
  const newDisplay = () => {
    const id = randomUUID();
    let shown = false;
    const via = (convert: Converter) => (value: unknown) => {
      pub.display(convert(value), {}, id, shown);
      shown = true;
    };
    const d: Record<string, unknown> = {};
    for (const m of methods) d[m] = via(converters[m] as Converter);
    d.raw = (mimeType: string, content: unknown) => via((c) => ({ [mimeType]: c }))(content);
    return d;
  };
  const shared: Record<string, unknown> = {};
  for (const m of methods) shared[m] = (v: unknown) => void display[m](v as never);
  shared.raw = (mimeType: string, content: unknown) => void display.raw(mimeType, content);
  return { display: shared, newDisplay, versions, isNode: true, isBrowser: false };
}
