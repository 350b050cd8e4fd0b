/**
 * How the library shows things without knowing about Jupyter.
 *
 * A value displays richly when it has a `toMimeBundle()` method (or the well-known symbol
 * `MIME_BUNDLE`) returning a MIME bundle such as `{ "text/plain": "...", "image/svg+xml": "..." }`.
 * Live views (training progress, curves) need to publish and later update a display; they ask
 * the *current display sink*. The kernel installs one per session with `setDisplaySink`;
 * outside a notebook there is none, and live views fall back to plain text on stdout.
 */

export type MimeBundle = Record<string, unknown>;

/** The well-known symbol a value may use instead of a `toMimeBundle` method. */
export const MIME_BUNDLE: unique symbol = Symbol.for("jupyter.mimebundle") as never;

export interface DisplaySink {
  /** Shows a bundle; with an id, the display can later be updated in place. */
  display(bundle: MimeBundle, options?: { id?: string; metadata?: Record<string, unknown> }): void;
  /** Replaces the content of an earlier display with that id (update_display_data). */
  update(id: string, bundle: MimeBundle, metadata?: Record<string, unknown>): void;
}

let sink: DisplaySink | null = null;

/** Installs (or with null removes) the sink live views publish to. Returns the previous one. */
export function setDisplaySink(next: DisplaySink | null): DisplaySink | null {
  const prev = sink;
  sink = next;
  return prev;
}

/** The sink installed by the kernel, or null outside a notebook. */
export function getDisplaySink(): DisplaySink | null {
  return sink;
}

/** The MIME bundle of a value, if it defines one. */
export function mimeBundleOf(value: unknown): MimeBundle | null {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return null;
  const v = value as { toMimeBundle?: () => MimeBundle; [MIME_BUNDLE]?: () => MimeBundle };
  if (typeof v[MIME_BUNDLE] === "function") return v[MIME_BUNDLE]!();
  if (typeof v.toMimeBundle === "function") return v.toMimeBundle();
  return null;
}
