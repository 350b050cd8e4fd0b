/**
 * The main thread's side of the kernel: runs converted cells with `vm.runInThisContext`,
 * captures output, provides `display`/`input`/`comms`/`help` to cells, loads the prelude,
 * and reports results and errors to the I/O thread through an injected `post` function.
 *
 * User code runs on the main thread so that the preloaded library (native addons included)
 * behaves as in any Node program; the sockets live on the I/O thread, so heartbeats, control
 * messages and interrupts are answered while a cell is busy.
 */
import * as vm from "vm";
import * as v8 from "v8";
import * as path from "path";
import { PACKAGE_ROOT } from "./paths";
import * as fs from "fs";
import { createRequire } from "module";
import { formatWithOptions } from "util";
import { AsyncLocalStorage } from "async_hooks";
import { pathToFileURL } from "url";
import { createDisplay, createTslab, DisplayFn, isDisplayHandle, plainText, Publisher, toBundle } from "./display";
import { CommManager } from "./comm";
import { fullGc } from "./gc";
import * as memory from "./memory";
import { CellInfo, cellFileName, formatError, registerSourceMap } from "./traceback";
import type { ErrorContent, ExecRequest, IoToMain, MainToIo, MimeContent, PreludeInfo } from "./messages";

/** Thrown into a cell that the user interrupted. */
export class KeyboardInterrupt extends Error {
  constructor(message = "the cell was interrupted") {
    super(message);
    this.name = "KeyboardInterrupt";
  }
}

/**
 * Thrown by `process.exit()` and its relatives in a cell: as `sys.exit()` in ipykernel, an
 * error the notebook shows, while the kernel and every variable live on.
 */
export class SystemExit extends Error {
  constructor(readonly code: unknown, call: string) {
    super(`${call} was called: a cell cannot end the kernel, which keeps running with every variable. Restart the kernel (Kernel menu) to start afresh.`);
    this.name = "SystemExit";
  }
}

/** A cell stopped because memory ran out; the kernel and its variables live on. */
export class MemoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MemoryError";
  }
}

const INITIAL_HEAP_LIMIT = v8.getHeapStatistics().heap_size_limit;
/** What the heap limit was derived from, where the launcher set it (kernel/heap-limit.ts). */
const HEAP_LIMIT_FROM = process.env.GRADBOOK_HEAP_LIMIT_FROM;

function heapMemoryError(): MemoryError {
  const used = v8.getHeapStatistics().used_heap_size;
  const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
  return new MemoryError(
    `the JavaScript heap is nearly full (${mib(used)} used of its ${mib(INITIAL_HEAP_LIMIT)} limit${HEAP_LIMIT_FROM ? `, set from ${HEAP_LIMIT_FROM}` : ""}), so the cell was stopped. ` +
      "Variables are kept: drop big arrays you no longer need (x = null), keep data in tensors (their memory is not on this heap), or restart the kernel.",
  );
}

/** The process's own exit, kept before cells get the guarded one (the kernel exits with it). */
export const realExit: (code?: number) => never = process.exit.bind(process) as (code?: number) => never;

const KERNEL_DIR = __dirname;

/** Where output goes while an Output widget captures it (the library's `CaptureSink`). */
interface CaptureSink {
  stream(name: "stdout" | "stderr", text: string): void;
  display(data: Record<string, unknown>, metadata: Record<string, unknown>, displayId: string | undefined, update: boolean): void;
  clear(wait: boolean): void;
}

export interface RuntimeOptions {
  /** Most characters of stream output per cell before the rest is summarised. */
  maxOutputChars?: number;
  /** Prelude module; "none" for no prelude. Defaults to $GRADBOOK_PRELUDE, then the library. */
  prelude?: string;
  /** Capture `process.stdout`/`process.stderr` (off in unit tests that share the process). */
  captureStdio?: boolean;
  /**
   * Shared with the I/O thread: [0] is 1 while a cell's synchronous part runs, when SIGINT
   * (breakOnSigint) stops it cleanly, 2 while the rest of the cell is active, 0 otherwise.
   */
  syncFlag?: Int32Array;
  /**
   * Shared with the I/O thread and the native addon: [0] becomes non-zero when the JS heap
   * nears its limit; the I/O thread then interrupts the cell, which fails with a MemoryError.
   */
  heapFlag?: Int32Array;
  /** Give memory back after a second of idleness (the kernel). */
  trimWhenIdle?: boolean;
  /** Make `process.exit`, `process.reallyExit` and `process.abort` throw `SystemExit` (the kernel). */
  guardExit?: boolean;
}

interface Running {
  id: number;
  interrupt: (e: Error) => void;
  payload: unknown[];
  allowStdin: boolean;
}

/** Coalesces stream writes: one message per burst, flushed at least every 50 ms. */
class StreamBatcher {
  private chunks: { name: "stdout" | "stderr"; text: string }[] = [];
  private pending = 0;
  private firstAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private sent = 0;
  private droppedChars = 0;
  private droppedLines = 0;
  constructor(private readonly post: (m: MainToIo) => void, private readonly limit: number) {}

  write(name: "stdout" | "stderr", text: string): void {
    if (text.length === 0) return;
    if (this.sent + text.length > this.limit) {
      const room = Math.max(0, this.limit - this.sent);
      const dropped = text.slice(room);
      this.droppedChars += dropped.length;
      this.droppedLines += countLines(dropped);
      text = text.slice(0, room);
      if (!text) return;
    }
    this.sent += text.length;
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.name === name) last.text += text;
    else this.chunks.push({ name, text });
    if (this.pending === 0) this.firstAt = Date.now();
    this.pending += text.length;
    // Flushing from inside write() keeps output live during long synchronous loops, when no
    // timer can fire.
    if (this.pending > 256 * 1024 || Date.now() - this.firstAt > 50) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), 10);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    for (const c of this.chunks) this.post({ t: "stream", name: c.name, text: c.text });
    this.chunks = [];
    this.pending = 0;
  }

  /** Flushes and, if output was dropped, says how much. Resets the per-cell budget. */
  endCell(): void {
    this.flush();
    if (this.droppedChars > 0) {
      const mb = (this.droppedChars / 1e6).toFixed(1);
      this.post({
        t: "stream",
        name: "stderr",
        text: `\n[gradbook] output truncated: ${mb} MB (${this.droppedLines} lines) dropped after the first ${(this.limit / 1e6).toFixed(1)} MB. Set GRADBOOK_MAX_OUTPUT to raise the limit.\n`,
      });
    }
    this.sent = 0;
    this.droppedChars = 0;
    this.droppedLines = 0;
  }
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

// TypeScript compiles `import()` to `require()` under CommonJS; ES modules need the real one.
const dynamicImport = new Function("specifier", "return import(specifier)") as (s: string) => Promise<Record<string, unknown>>;

export class Runtime {
  private readonly cells = new Map<string, CellInfo>();
  private running: Running | null = null;
  private readonly streams: StreamBatcher;
  private readonly comms: CommManager;
  readonly display: DisplayFn;
  private readonly tslab: ReturnType<typeof createTslab>;
  private inputSeq = 0;
  private readonly inputs = new Map<number, { resolve: (s: string) => void; reject: (e: Error) => void }>();
  private preludeWarning: string | null = null;
  private library: Record<string, unknown> | null = null;
  /** The Output widget capturing the current callback's output, across its awaits. */
  private readonly capturing = new AsyncLocalStorage<CaptureSink>();
  /** What the library's widgets need from the kernel (its `WidgetHost`). */
  readonly widgetHost = {
    openComm: (target: string, data: unknown, metadata: Record<string, unknown>, buffers: Uint8Array[] = []) => this.comms.open(target, data, metadata, buffers),
    registerTarget: (name: string, handler: (comm: import("./comm").Comm, data: unknown) => void) => this.comms.registerTarget(name, handler),
    capture: <T>(sink: CaptureSink, fn: () => T): T => {
      this.streams.flush();
      return this.capturing.run(sink, fn);
    },
  };
  private trimTimer: NodeJS.Timeout | null = null;
  private trimmedRss = 0;

  constructor(private readonly post: (m: MainToIo) => void, private readonly options: RuntimeOptions = {}) {
    const limit = options.maxOutputChars ?? (Number(process.env.GRADBOOK_MAX_OUTPUT) || 5_000_000);
    this.streams = new StreamBatcher(post, limit);
    const publisher: Publisher = {
      display: (data, metadata, displayId, update) => {
        this.streams.flush();
        const sink = this.capturing.getStore();
        if (sink) return sink.display(data, metadata, displayId, update);
        post({ t: "display", content: { data, metadata, transient: displayId ? { display_id: displayId } : {} }, update });
      },
      clearOutput: (wait) => {
        const sink = this.capturing.getStore();
        if (sink) return sink.clear(wait);
        this.streams.flush();
        post({ t: "clear_output", wait });
      },
    };
    this.display = createDisplay(publisher);
    this.tslab = createTslab(publisher, this.display, { tslab: "gradbook", typescript: "5.9", node: process.version });
    this.comms = new CommManager({
      open: (comm_id, target_name, data, metadata, buffers) => post({ t: "comm_open", comm_id, target_name, data, metadata, buffers }),
      send: (comm_id, data, metadata, buffers) => post({ t: "comm_msg", comm_id, data, metadata, buffers }),
      close: (comm_id, data) => post({ t: "comm_close", comm_id, data }),
    });
    this.installGlobals(publisher);
    if (options.captureStdio !== false) this.captureStdio();
    if (options.guardExit) guardExit();
  }

  /** Asks the native addon, where it loads, to flag a JS heap near its limit (see heapFlag). */
  watchHeapLimit(): void {
    const flag = this.options.heapFlag;
    if (!flag) return;
    // Without the addon, a full heap ends the kernel as in any Node program.
    nativeAddon()?.watchHeapLimit?.(flag);
  }

  /** After a cell or a comm message: trim memory once the kernel has been idle a while. */
  private scheduleTrim(): void {
    if (!this.options.trimWhenIdle) return;
    if (this.trimTimer) clearTimeout(this.trimTimer);
    this.trimTimer = setTimeout(() => this.trim(), TRIM_AFTER_IDLE_MS);
    this.trimTimer.unref();
  }

  /**
   * Gives memory back once idle, when the resident size grew since the last time: a full
   * collection on both threads (garbage tensors hold native memory until collected; large
   * messages are parsed on the I/O thread), then the native cache and malloc's free pages.
   */
  private trim(): void {
    this.trimTimer = null;
    if (this.running) return;
    if (process.memoryUsage.rss() < this.trimmedRss + TRIM_GROWTH_BYTES) return;
    this.post({ t: "gc" });
    fullGc()?.();
    // Finalizers of collected native storages run after the collection.
    setImmediate(() => {
      nativeAddon()?.emptyCache();
      this.trimmedRss = process.memoryUsage.rss();
    });
  }

  /** The MemoryError to report if memory ran out since last asked (then resets the flag). */
  private takeHeapFull(): MemoryError | null {
    const flag = this.options.heapFlag;
    const code = flag ? Atomics.load(flag, 0) : 0;
    if (!flag || code === 0) return null;
    Atomics.store(flag, 0, 0);
    if (code === 3) {
      return new MemoryError(
        `the kernel is close to its memory limit (${memory.describe(memory.available())}), so the cell was stopped before the system killed the kernel. ` +
          "Variables are kept: drop what you no longer need (x = null, t.dispose()) or restart the kernel.",
      );
    }
    return heapMemoryError();
  }

  /** Sends every output still batched (before the process exits). */
  flushOutput(): void {
    this.streams.flush();
  }

  /** Loads the prelude (every export becomes a global) and installs the library's display sink. */
  loadPrelude(): PreludeInfo {
    const spec = this.options.prelude ?? process.env.GRADBOOK_PRELUDE ?? path.join(PACKAGE_ROOT, "dist", "lib", "index.js");
    if (spec === "" || spec === "none") return { module: null, names: [] };
    let resolved: string;
    try {
      resolved = require.resolve(spec, { paths: [process.cwd(), PACKAGE_ROOT] });
      const mod = require(resolved) as Record<string, unknown>;
      const names: string[] = [];
      for (const name of Object.keys(mod)) {
        if (name === "default" || name === "__esModule" || name in globalThis) continue;
        (globalThis as Record<string, unknown>)[name] = mod[name];
        names.push(name);
      }
      this.library = mod;
      this.installDisplaySink(resolved);
      return { module: resolved.replace(/\.(c?js|ts)$/, ""), names };
    } catch (e) {
      const reason = (e as Error).message.split("\n")[0];
      this.preludeWarning = `[gradbook] the prelude ${spec} failed to load (${reason}); cells run without it. Import what you need explicitly, or fix the build (npm run build).\n`;
      return { module: null, names: [], error: reason };
    }
  }

  private installDisplaySink(preludePath: string): void {
    const candidates = [path.join(path.dirname(preludePath), "display.js"), path.join(PACKAGE_ROOT, "dist", "lib", "display.js")];
    for (const file of candidates) {
      if (!fs.existsSync(file)) continue;
      const lib = require(file) as { setDisplaySink?: (s: unknown) => void };
      lib.setDisplaySink?.({
        display: (bundle: Record<string, unknown>, opts?: { id?: string; metadata?: Record<string, unknown> }) =>
          this.publishBundle(bundle, opts?.metadata ?? {}, opts?.id, false),
        update: (id: string, bundle: Record<string, unknown>, metadata?: Record<string, unknown>) => this.publishBundle(bundle, metadata ?? {}, id, true),
      });
      const widgets = path.join(path.dirname(file), "widgets", "host.js");
      if (fs.existsSync(widgets)) (require(widgets) as { setWidgetHost?: (h: unknown) => void }).setWidgetHost?.(this.widgetHost);
      return;
    }
  }

  private publishBundle(data: Record<string, unknown>, metadata: Record<string, unknown>, id: string | undefined, update: boolean): void {
    const sink = this.capturing.getStore();
    if (sink) return sink.display(data, metadata, id, update);
    this.streams.flush();
    this.post({ t: "display", content: { data, metadata, transient: id ? { display_id: id } : {} }, update });
  }

  private installGlobals(publisher: Publisher): void {
    const g = globalThis as Record<string, unknown>;
    const cellRequire = () => createRequire(path.join(process.cwd(), "__cell__.ts"));
    const kernelRequire = createRequire(path.join(PACKAGE_ROOT, "package.json"));
    registerTypeScriptFiles();
    const gb = {
      import: async (spec: string): Promise<unknown> => {
        if (spec === "tslab") return this.tslab;
        if (spec === "gradbook" && this.library) return this.library;
        let resolved: string | null = null;
        let firstError: unknown = null;
        for (const req of [cellRequire(), kernelRequire]) {
          try {
            resolved = req.resolve(spec);
            return req(resolved);
          } catch (e) {
            const code = (e as { code?: string }).code;
            if (code === "ERR_REQUIRE_ESM" && resolved) return dynamicImport(pathToFileURL(resolved).href);
            firstError ??= e;
            if (code !== "MODULE_NOT_FOUND" && code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
          }
        }
        // Packages that export only an `import` condition cannot be resolved by require.
        try {
          return await dynamicImport(spec);
        } catch {
          throw firstError;
        }
      },
      interop: (m: unknown): unknown => {
        if (m && typeof m === "object" && ("__esModule" in m || Object.prototype.toString.call(m) === "[object Module]")) return m;
        return Object.assign(Object.create(null), m as object, { default: m });
      },
    };
    Object.defineProperty(g, "__gb", { value: gb, enumerable: false, configurable: true });
    // Scripts have no module scope, so no `require` of their own; the type checker promises one.
    if (typeof g.require !== "function") g.require = cellRequire();
    g.display = this.display;
    g.clearOutput = (wait = false) => publisher.clearOutput(wait);
    g.comms = this.comms;
    g.input = (prompt = "", options: { password?: boolean } = {}) => this.input(String(prompt), !!options.password);
    g.help = (value: unknown, expression?: string) => this.help(value, expression);
  }

  private captureStdio(): void {
    // console.log through Node's Console costs twice a direct format-and-write; cells print a lot.
    const format = (args: unknown[]) => formatWithOptions({}, ...args) + "\n";
    console.log = console.info = console.debug = (...args: unknown[]) => this.write("stdout", format(args));
    console.error = console.warn = (...args: unknown[]) => this.write("stderr", format(args));
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      (stream as unknown as { write: unknown }).write = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
        this.write(name, text);
        const done = typeof encoding === "function" ? encoding : cb;
        if (typeof done === "function") process.nextTick(done as () => void);
        return true;
      };
    }
  }

  /** Stream output: to the capturing Output widget if there is one, else to the cell. */
  private write(name: "stdout" | "stderr", text: string): void {
    const sink = this.capturing.getStore();
    if (sink) sink.stream(name, text);
    else this.streams.write(name, text);
  }

  /** Handles one message from the I/O thread. */
  handle(msg: IoToMain): void {
    switch (msg.t) {
      case "exec":
        void this.execute(msg);
        break;
      case "interrupt": {
        const running = this.running !== null;
        const memoryError = this.takeHeapFull();
        if (this.running) this.running.interrupt(memoryError ?? new KeyboardInterrupt());
        // Long-running library loops (nn's fit) listen for this and stop between two batches,
        // so training does not go on in the background after the cell was interrupted.
        process.emit("gradbook:interrupt" as never);
        for (const [seq, p] of this.inputs) {
          p.reject(new KeyboardInterrupt());
          this.inputs.delete(seq);
        }
        this.post({ t: "interrupt_ack", seq: msg.seq, running });
        break;
      }
      case "input_reply": {
        const p = this.inputs.get(msg.seq);
        this.inputs.delete(msg.seq);
        if (!p) break;
        if (msg.error !== undefined) p.reject(new Error(msg.error));
        else p.resolve(msg.value ?? "");
        break;
      }
      case "comm_open":
        this.guard(() => {
          if (!this.comms.remoteOpen(msg.comm_id, msg.target_name, msg.data)) this.post({ t: "comm_close", comm_id: msg.comm_id, data: {} });
        });
        break;
      case "comm_msg":
        this.guard(() => this.comms.remoteMsg(msg.comm_id, msg.data, msg.buffers));
        break;
      case "comm_close":
        this.guard(() => this.comms.remoteClose(msg.comm_id, msg.data));
        break;
      case "trim":
        // The type checker was released (lang-link.ts): give its pages back now.
        this.trimmedRss = 0;
        if (!this.running) this.trim();
        break;
      case "shutdown":
        this.streams.flush();
        this.post({ t: "shutdown_ack" });
        break;
    }
  }

  /** Runs a comm callback; its errors go to the notebook, and the I/O thread learns it is done. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.reportAsync(e);
    }
    this.streams.flush();
    this.post({ t: "comm_handled" });
    this.scheduleTrim();
  }

  /** Reports an error raised outside any cell's own flow (callbacks, timers, comms). */
  reportAsync(err: unknown): void {
    this.streams.flush();
    this.post({ t: "async_error", error: formatError(err, this.cells, KERNEL_DIR) });
  }

  private input(prompt: string, password: boolean): Promise<string> {
    if (!this.running) return Promise.reject(new Error("input: can only ask for input while a cell runs"));
    if (!this.running.allowStdin) return Promise.reject(new Error("input: this front end does not support input requests (allow_stdin is false)"));
    this.streams.flush();
    const seq = ++this.inputSeq;
    return new Promise((resolve, reject) => {
      this.inputs.set(seq, { resolve, reject });
      this.post({ t: "input_request", seq, prompt, password });
    });
  }

  /**
   * The pager's text for a value. Cells name the expression (the converter adds it), and the
   * protocol replaces this text with TypeScript's signature and doc comment for it where the
   * language service knows them; this is what is left where it does not.
   */
  private help(value: unknown, expression?: string): void {
    let text: string;
    if (typeof value === "function") {
      const src = Function.prototype.toString.call(value);
      text = src.length > 4000 ? src.slice(0, 4000) + "\n…" : src;
      const statics = Object.getOwnPropertyNames(value).filter((n) => !["length", "name", "prototype", "arguments", "caller"].includes(n));
      const proto = (value as { prototype?: object }).prototype;
      const methods = proto ? Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor") : [];
      if (methods.length) text += `\n\nmethods: ${methods.join(", ")}`;
      if (statics.length) text += `\nstatic: ${statics.join(", ")}`;
    } else {
      text = plainText(value);
      if (value && typeof value === "object") {
        const proto = Object.getPrototypeOf(value);
        const methods = proto && proto !== Object.prototype ? Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor") : [];
        if (methods.length) text += `\n\nmethods: ${methods.join(", ")}`;
      }
    }
    const payload: Record<string, unknown> = { source: "page", data: { "text/plain": text }, start: 0 };
    if (typeof expression === "string" && expression) payload.inspect = expression;
    if (this.running) this.running.payload.push(payload);
    else this.display.text(text);
  }

  private async execute(req: ExecRequest): Promise<void> {
    const filename = cellFileName(req.cell);
    this.cells.set(filename, { source: req.source, lineMap: req.lineMap, prefixLength: req.prefixLength });
    let interrupt!: (e: Error) => void;
    const interrupted = new Promise<never>((_, reject) => (interrupt = reject));
    const running: Running = { id: req.id, interrupt, payload: [], allowStdin: req.allowStdin };
    this.running = running;
    if (this.preludeWarning) {
      this.streams.write("stderr", this.preludeWarning);
      this.preludeWarning = null;
    }
    let status: "ok" | "error" = "ok";
    let result: MimeContent | undefined;
    let error: ErrorContent | undefined;
    const userExpressions: Record<string, unknown> = {};
    try {
      // The script starts from its own macrotask: if an interrupt has to terminate it, only
      // the user's frames are on the stack, never the kernel's.
      const started = new Promise<{ value: Promise<unknown> }>((resolve, reject) =>
        setImmediate(() => {
          const flag = this.options.syncFlag;
          if (flag) Atomics.store(flag, 0, 1);
          try {
            const value = vm.runInThisContext(req.js, { filename, breakOnSigint: true }) as Promise<unknown>;
            resolve({ value });
          } catch (e) {
            reject(e);
          } finally {
            if (flag) Atomics.store(flag, 0, 2);
          }
        }),
      );
      const { value: cellPromise } = await Promise.race([started, interrupted]);
      cellPromise.catch(() => undefined); // its failure is reported below, or was interrupted
      const value = await Promise.race([cellPromise, interrupted]);
      // Results print like the REPL prints them: a string result shows its quotes.
      if (value !== undefined && !req.silent && !isDisplayHandle(value)) result = { data: typeof value === "string" ? { "text/plain": plainText(value) } : toBundle(value), metadata: {} };
      for (const [key, expr] of Object.entries(req.userExpressions ?? {})) {
        try {
          const v = vm.runInThisContext(String(expr), { filename: "user_expression" });
          userExpressions[key] = { status: "ok", data: toBundle(v), metadata: {} };
        } catch (e) {
          userExpressions[key] = { status: "error", ...formatError(e, this.cells, KERNEL_DIR) };
        }
      }
    } catch (e) {
      status = "error";
      let err = (e as { code?: string })?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" ? new KeyboardInterrupt() : e;
      if (err instanceof KeyboardInterrupt) err = this.takeHeapFull() ?? err;
      error = err instanceof KeyboardInterrupt || err instanceof MemoryError ? { ename: err.name, evalue: err.message, traceback: [`${err.name}: ${err.message}`] } : formatError(err, this.cells, KERNEL_DIR);
    } finally {
      if (this.options.syncFlag) Atomics.store(this.options.syncFlag, 0, 0);
      this.running = null;
      for (const [seq, p] of this.inputs) {
        p.reject(new Error("input: the cell has ended"));
        this.inputs.delete(seq);
      }
    }
    this.streams.endCell();
    this.post({ t: "done", id: req.id, status, result, error, userExpressions, payload: running.payload });
    this.scheduleTrim();
  }
}

const TRIM_AFTER_IDLE_MS = 1000;
const TRIM_GROWTH_BYTES = 32 * 2 ** 20;

let addon: { watchHeapLimit?(f: Int32Array): void; emptyCache(): void } | null | undefined;

/** The library's native addon, where it builds. */
function nativeAddon(): typeof addon {
  if (addon === undefined) {
    try {
      const loader = require(path.join(PACKAGE_ROOT, "dist", "lib", "backends", "native", "addon.js")) as { loadAddon(): NonNullable<typeof addon> };
      addon = loader.loadAddon();
    } catch {
      addon = null;
    }
  }
  return addon;
}

function guardExit(): void {
  const p = process as unknown as Record<string, unknown>;
  p.exit = (code?: unknown) => {
    throw new SystemExit(code, `process.exit(${code === undefined ? "" : String(code)})`);
  };
  p.reallyExit = (code?: unknown) => {
    throw new SystemExit(code, `process.reallyExit(${code === undefined ? "" : String(code)})`);
  };
  p.abort = () => {
    throw new SystemExit(134, "process.abort()");
  };
}

let tsHookRegistered = false;

/** Lets cells import local `.ts` files; TypeScript is loaded on first use only. */
function registerTypeScriptFiles(): void {
  if (tsHookRegistered) return;
  tsHookRegistered = true;
  const exts = require.extensions as unknown as Record<string, (m: { _compile(code: string, file: string): void }, file: string) => void>;
  if (exts[".ts"]) return;
  exts[".ts"] = (module, filename) => {
    const ts = require("typescript") as typeof import("typescript");
    const out = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: true },
    });
    // Tracebacks map this file's frames through the map (see traceback.ts).
    if (out.sourceMapText) registerSourceMap(filename, out.sourceMapText);
    module._compile(out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"), filename);
  };
}
