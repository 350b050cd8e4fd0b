/**
 * What the gradbook kernel gives every cell besides the prelude (the library, `dist/lib/index.d.ts`,
 * whose exports are in scope too): `display`, `clearOutput`, `input`, `help`, `comms` and a
 * tslab-compatible `"tslab"` module. The kernel type-checks cells against this file, and the
 * course sources (notebooks/src/*.ts) are checked against it in the tests.
 */
type __GbMimeBundle = Record<string, unknown>;
interface __GbDisplayOptions { id?: string | boolean; metadata?: Record<string, unknown> }
interface __GbDisplayHandle { readonly id: string; update(value: unknown): void; clear(): void }
interface __GbDisplay {
  /** Shows any value: its own MIME bundle (toMimeBundle() or Symbol.for("jupyter.mimebundle")), else text. */
  (value: unknown, options?: __GbDisplayOptions): __GbDisplayHandle;
  html(html: string, options?: __GbDisplayOptions): __GbDisplayHandle;
  markdown(markdown: string, options?: __GbDisplayOptions): __GbDisplayHandle;
  latex(latex: string, options?: __GbDisplayOptions): __GbDisplayHandle;
  svg(svg: string, options?: __GbDisplayOptions): __GbDisplayHandle;
  png(data: Uint8Array | string, options?: __GbDisplayOptions): __GbDisplayHandle;
  jpeg(data: Uint8Array | string, options?: __GbDisplayOptions): __GbDisplayHandle;
  gif(data: Uint8Array | string, options?: __GbDisplayOptions): __GbDisplayHandle;
  pdf(data: Uint8Array | string, options?: __GbDisplayOptions): __GbDisplayHandle;
  json(value: unknown, options?: __GbDisplayOptions): __GbDisplayHandle;
  vegalite(spec: Record<string, unknown>, options?: __GbDisplayOptions): __GbDisplayHandle;
  text(text: string, options?: __GbDisplayOptions): __GbDisplayHandle;
  javascript(code: string, options?: __GbDisplayOptions): __GbDisplayHandle;
  raw(mimeType: string, content: unknown, options?: __GbDisplayOptions): __GbDisplayHandle;
}
/** Shows a value in the notebook. `display.html("<b>hi</b>")`, `display(x, { id: true }).update(y)`. */
declare const display: __GbDisplay;
/** Clears the cell's output; with wait, only when new output arrives. */
declare function clearOutput(wait?: boolean): void;
/** Asks the front end for a line of text: `const name = await input("name? ")`. */
declare function input(prompt?: string, options?: { password?: boolean }): Promise<string>;
/** Pages what a value is: its TypeScript signature and doc comment (else its source or methods). */
declare function help(value: unknown): void;
interface __GbComm {
  readonly id: string;
  readonly targetName: string;
  send(data: unknown, buffers?: Uint8Array[]): void;
  close(data?: unknown): void;
  onMsg(handler: (data: any, buffers: Uint8Array[]) => void): this;
  onClose(handler: (data: any) => void): this;
}
/** Comms with front-end widgets: `comms.registerTarget(name, (comm, data) => ...)`, `comms.open(name, data)`. */
declare const comms: {
  registerTarget(name: string, handler: (comm: __GbComm, data: any) => void): void;
  unregisterTarget(name: string): void;
  open(targetName: string, data?: unknown, metadata?: unknown): __GbComm;
};
declare module "tslab" {
  interface Display {
    html(s: string): void; markdown(s: string): void; latex(s: string): void; svg(s: string): void;
    png(b: Uint8Array): void; jpeg(b: Uint8Array): void; gif(b: Uint8Array): void; pdf(b: Uint8Array): void;
    text(s: string): void; javascript(s: string): void; raw(contentType: string, b: string | Uint8Array): void;
  }
  export const display: Display;
  export function newDisplay(): Display;
  export const versions: { tslab: string; typescript: string; node: string };
  export const isNode: boolean;
  export const isBrowser: boolean;
}
