/**
 * The Jupyter protocol: one handler per message type, named after it.
 *
 * Knows nothing of sockets or threads: messages come in through `receive`, go out through a
 * `Sender`, and the work is done by a `KernelBackend` (in the kernel, proxies to the main and
 * language threads; in tests, a stub). Every request is wrapped in busy/idle; shell requests
 * run one at a time in arrival order; control requests (interrupt, shutdown, kernel_info)
 * are answered at once, even while a cell runs.
 */
import type { Header, Message } from "./wire";
import type { Channel } from "./transport";
import type { ErrorContent, ExecDone, MainToIo } from "./messages";
import { History } from "./history";
import { log } from "./log";

export interface Sender {
  send(channel: Channel, msgType: string, content: unknown, parent?: Message | null, opts?: { metadata?: Record<string, unknown>; identities?: Buffer[]; buffers?: Buffer[] }): Header;
}

export type Compiled = { ok: true; js: string; lineMap: number[]; prefixLength: number } | { ok: false; error: ErrorContent };

export interface RunRequest {
  id: number;
  cell: number;
  source: string;
  js: string;
  lineMap: number[];
  prefixLength: number;
  silent: boolean;
  userExpressions: Record<string, string>;
  allowStdin: boolean;
}

/** What the protocol needs done. Outputs produced meanwhile arrive through `Protocol.output`. */
export interface KernelBackend {
  compile(id: number, source: string): Promise<Compiled>;
  commit(id: number, ok: boolean): void;
  execute(req: RunRequest): Promise<ExecDone>;
  interrupt(): Promise<void>;
  complete(code: string, pos: number): Promise<{ matches: string[]; start: number; end: number; types: unknown[] }>;
  inspect(code: string, pos: number, detail: number): Promise<{ found: boolean; text: string }>;
  isComplete(code: string): Promise<{ status: string; indent: string }>;
  inputReply(seq: number, value: string | null, error?: string): void;
  comm(kind: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>, buffers: Buffer[], metadata: Record<string, unknown>): Promise<void>;
  shutdown(restart: boolean): Promise<void>;
}

export interface ProtocolOptions {
  history?: History;
  languageVersion?: string;
  /** Called after a shutdown_reply went out. */
  onShutdown?: (restart: boolean) => void;
}

export const KERNEL_INFO = {
  protocol_version: "5.3",
  implementation: "gradbook",
  implementation_version: "0.1.0",
  banner: "gradbook: TypeScript with tensors, autodiff and plots (tensor(...), nn, optim, plot preloaded)",
  help_links: [{ text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/" }],
  debugger: false,
};

export class Protocol {
  private executionCount = 0;
  private nextId = 0;
  private readonly queue: { msg: Message; channel: Channel }[] = [];
  private processing = false;
  /** Parent of outputs: the request being handled, else the last execute (late callbacks). */
  private active: Message | null = null;
  private lastExecute: Message | null = null;
  private runningExecute: Message | null = null;
  private compiling: { cancelled: boolean } | null = null;
  private readonly comms = new Map<string, string>();
  private inputWaiter: { seq: number; parent: Message } | null = null;
  private readonly history: History;
  private shuttingDown = false;

  constructor(private readonly sender: Sender, private readonly backend: KernelBackend, private readonly options: ProtocolOptions = {}) {
    this.history = options.history ?? new History(null);
  }

  get kernelInfo() {
    return {
      status: "ok",
      ...KERNEL_INFO,
      language_info: {
        name: "typescript",
        version: this.options.languageVersion ?? "5.9",
        mimetype: "text/typescript",
        file_extension: ".ts",
        pygments_lexer: "typescript",
        codemirror_mode: { name: "javascript", typescript: true },
      },
    };
  }

  /** Entry point for every verified incoming message. */
  receive(msg: Message, channel: Channel): void {
    if (this.shuttingDown && channel !== "control") return;
    if (channel === "stdin") return this.stdinReply(msg);
    if (channel === "control") {
      void this.dispatch(msg, channel);
      return;
    }
    this.queue.push({ msg, channel });
    if (!this.processing) void this.drain();
  }

  /**
   * A signed request that could not be read (bad JSON, content not an object, too large): its
   * sender gets an error reply at once instead of waiting for one that never comes.
   */
  rejected(header: Header, identities: Buffer[], channel: Channel, reason: string): void {
    const type = header.msg_type;
    if (channel === "stdin" || !type.endsWith("_request")) return;
    const parent: Message = { identities, header, parent_header: {}, metadata: {}, content: {}, buffers: [] };
    const content: Record<string, unknown> = { status: "error", ename: "ProtocolError", evalue: `the kernel could not read this ${type}: ${reason}`, traceback: [] };
    if (type === "execute_request") content.execution_count = this.executionCount;
    this.sender.send(channel, type.replace(/_request$/, "_reply"), content, parent);
  }

  private async drain(): Promise<void> {
    this.processing = true;
    while (this.queue.length > 0) {
      const { msg, channel } = this.queue.shift()!;
      await this.dispatch(msg, channel);
    }
    this.processing = false;
  }

  private async dispatch(msg: Message, channel: Channel): Promise<void> {
    const type = msg.header.msg_type;
    const handler = this.handlers[type];
    if (!handler) {
      log(`unknown message type ${JSON.stringify(type)} on ${channel}; ignored`);
      return;
    }
    this.sender.send("iopub", "status", { execution_state: "busy" }, msg);
    const isShell = channel === "shell";
    if (isShell) this.active = msg;
    try {
      await handler.call(this, msg, channel);
    } catch (e) {
      log(`${type} failed: ${(e as Error).stack ?? e}`);
      if (type.endsWith("_request")) {
        this.sender.send(channel, type.replace(/_request$/, "_reply"), { status: "error", ename: "KernelError", evalue: String((e as Error).message ?? e), traceback: [] }, msg);
      }
    } finally {
      if (isShell) this.active = null;
      this.sender.send("iopub", "status", { execution_state: "idle" }, msg);
    }
  }

  private readonly handlers: Record<string, (this: Protocol, msg: Message, channel: Channel) => Promise<void> | void> = {
    kernel_info_request(msg, channel) {
      this.sender.send(channel, "kernel_info_reply", this.kernelInfo, msg);
    },
    execute_request(msg, channel) {
      return this.executeRequest(msg, channel);
    },
    async complete_request(msg, channel) {
      const { code, cursor_pos } = msg.content as { code: string; cursor_pos: number };
      const r = await this.backend.complete(String(code ?? ""), Number(cursor_pos ?? String(code ?? "").length));
      this.sender.send(channel, "complete_reply", { status: "ok", matches: r.matches, cursor_start: r.start, cursor_end: r.end, metadata: { _jupyter_types_experimental: r.types } }, msg);
    },
    async inspect_request(msg, channel) {
      const { code, cursor_pos, detail_level } = msg.content as { code: string; cursor_pos: number; detail_level?: number };
      const r = await this.backend.inspect(String(code ?? ""), Number(cursor_pos ?? 0), Number(detail_level ?? 0));
      this.sender.send(channel, "inspect_reply", { status: "ok", found: r.found, data: r.found ? { "text/plain": r.text } : {}, metadata: {} }, msg);
    },
    async is_complete_request(msg, channel) {
      const r = await this.backend.isComplete(String((msg.content as { code?: string }).code ?? ""));
      const content: Record<string, unknown> = { status: r.status };
      if (r.status === "incomplete") content.indent = r.indent;
      this.sender.send(channel, "is_complete_reply", content, msg);
    },
    history_request(msg, channel) {
      const c = msg.content as { hist_access_type?: string; output?: boolean; n?: number; session?: number; start?: number; stop?: number; pattern?: string; unique?: boolean };
      const output = !!c.output;
      let history: unknown[] = [];
      if (c.hist_access_type === "tail") history = this.history.tail(Number(c.n ?? 10), output);
      else if (c.hist_access_type === "range") history = this.history.range(Number(c.session ?? 0), Number(c.start ?? 0), c.stop == null ? null : Number(c.stop), output);
      else if (c.hist_access_type === "search") history = this.history.search(String(c.pattern ?? "*"), c.n == null ? null : Number(c.n), !!c.unique, output);
      this.sender.send(channel, "history_reply", { status: "ok", history }, msg);
    },
    comm_info_request(msg, channel) {
      const target = (msg.content as { target_name?: string }).target_name;
      const comms: Record<string, { target_name: string }> = {};
      for (const [id, name] of this.comms) if (!target || target === name) comms[id] = { target_name: name };
      this.sender.send(channel, "comm_info_reply", { status: "ok", comms }, msg);
    },
    async comm_open(msg) {
      const c = msg.content as { comm_id: string; target_name: string };
      this.comms.set(c.comm_id, c.target_name);
      await this.backend.comm("comm_open", msg.content, msg.buffers, msg.metadata);
    },
    async comm_msg(msg) {
      await this.backend.comm("comm_msg", msg.content, msg.buffers, msg.metadata);
    },
    async comm_close(msg) {
      this.comms.delete((msg.content as { comm_id: string }).comm_id);
      await this.backend.comm("comm_close", msg.content, msg.buffers, msg.metadata);
    },
    async interrupt_request(msg, channel) {
      this.cancelCompiling();
      await this.backend.interrupt();
      this.sender.send(channel, "interrupt_reply", { status: "ok" }, msg);
    },
    async shutdown_request(msg, channel) {
      const restart = !!(msg.content as { restart?: boolean }).restart;
      this.shuttingDown = true;
      await this.backend.shutdown(restart);
      await this.history.flushed();
      this.sender.send(channel, "shutdown_reply", { status: "ok", restart }, msg);
      this.options.onShutdown?.(restart);
    },
  };

  private async executeRequest(msg: Message, channel: Channel): Promise<void> {
    const c = msg.content as { code?: string; silent?: boolean; store_history?: boolean; user_expressions?: Record<string, string>; allow_stdin?: boolean; stop_on_error?: boolean };
    const code = String(c.code ?? "");
    const silent = !!c.silent;
    const storeHistory = silent ? false : c.store_history !== false;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    const id = ++this.nextId;
    if (!silent) this.sender.send("iopub", "execute_input", { code, execution_count: count }, msg);
    if (storeHistory) this.history.add(count, code);
    const historyProblem = this.history.takeProblem();
    if (historyProblem) this.sender.send("iopub", "stream", { name: "stderr", text: historyProblem }, msg);
    this.lastExecute = msg;
    let error: ErrorContent | undefined;
    let done: ExecDone | undefined;
    this.compiling = { cancelled: false };
    const compiling = this.compiling;
    let compiled: Compiled;
    try {
      compiled = await this.backend.compile(id, code);
    } finally {
      this.compiling = null;
    }
    if (compiling.cancelled) error = { ename: "KeyboardInterrupt", evalue: "interrupted before the cell started", traceback: ["KeyboardInterrupt: interrupted before the cell started"] };
    else if (!compiled.ok) error = compiled.error;
    else {
      this.runningExecute = msg;
      try {
        done = await this.backend.execute({
          id,
          cell: count,
          source: code,
          js: compiled.js,
          lineMap: compiled.lineMap,
          prefixLength: compiled.prefixLength,
          silent,
          userExpressions: c.user_expressions ?? {},
          allowStdin: c.allow_stdin !== false && msg.identities.length > 0,
        });
      } finally {
        this.runningExecute = null;
      }
      if (done.result && !silent) {
        this.sender.send("iopub", "execute_result", { execution_count: count, data: done.result.data, metadata: done.result.metadata }, msg);
        if (storeHistory) this.history.setOutput(count, String(done.result.data["text/plain"] ?? ""));
      }
      if (done.status === "error") error = done.error;
      this.backend.commit(id, done.status === "ok");
      await this.typedHelp(done.payload);
    }
    if (error) {
      this.sender.send("iopub", "error", error, msg);
      this.sender.send(channel, "execute_reply", { status: "error", execution_count: count, ...error }, msg, { metadata: { status: "error" } });
      if (c.stop_on_error !== false) this.abortQueued();
    } else {
      this.sender.send(channel, "execute_reply", { status: "ok", execution_count: count, user_expressions: done?.userExpressions ?? {}, payload: done?.payload ?? [] }, msg, { metadata: { status: "ok" } });
    }
  }

  /** `help(x)` pages: TypeScript's signature and doc comment of `x`, where it knows them. */
  private async typedHelp(payload: unknown[]): Promise<void> {
    for (const p of payload as { source?: string; data?: Record<string, unknown>; inspect?: unknown }[]) {
      if (p.source !== "page" || typeof p.inspect !== "string") continue;
      const expr = p.inspect;
      delete p.inspect;
      try {
        const r = await this.backend.inspect(expr, expr.length, 1);
        if (r.found) p.data = { "text/plain": r.text };
      } catch (e) {
        log(`help: inspecting ${expr} failed: ${(e as Error).message}`);
      }
    }
  }

  /**
   * An interrupt that arrives while a cell is being checked (the first cell waits for the type
   * checker to warm up) stops that cell from starting; the main thread has nothing to stop yet.
   */
  cancelCompiling(): void {
    if (this.compiling) this.compiling.cancelled = true;
  }

  /** Aborts the executes already queued behind a failed one; later arrivals run normally. */
  private abortQueued(): void {
    const keep: typeof this.queue = [];
    for (const item of this.queue.splice(0)) {
      if (item.msg.header.msg_type !== "execute_request") {
        keep.push(item);
        continue;
      }
      this.sender.send("iopub", "status", { execution_state: "busy" }, item.msg);
      this.sender.send(item.channel, "execute_reply", { status: "aborted", execution_count: this.executionCount }, item.msg, { metadata: { status: "aborted" } });
      this.sender.send("iopub", "status", { execution_state: "idle" }, item.msg);
    }
    this.queue.push(...keep);
  }

  /** Outputs from the running code (or from callbacks after it), sent under the right parent. */
  output(m: MainToIo): void {
    const parent = this.runningExecute ?? this.active ?? this.lastExecute;
    switch (m.t) {
      case "stream":
        this.sender.send("iopub", "stream", { name: m.name, text: m.text }, parent);
        break;
      case "display":
        this.sender.send("iopub", m.update ? "update_display_data" : "display_data", m.content, parent);
        break;
      case "clear_output":
        this.sender.send("iopub", "clear_output", { wait: m.wait }, parent);
        break;
      case "async_error":
        this.sender.send("iopub", "error", m.error, parent);
        break;
      case "comm_open":
        this.comms.set(m.comm_id, m.target_name);
        // The protocol puts metadata in the message's metadata field, not in content: the widget
        // manager reads the widget protocol version from there.
        this.sender.send("iopub", "comm_open", { comm_id: m.comm_id, target_name: m.target_name, data: m.data }, parent, { metadata: (m.metadata ?? {}) as Record<string, unknown>, buffers: (m.buffers ?? []).map((b) => Buffer.from(b)) });
        break;
      case "comm_msg":
        this.sender.send("iopub", "comm_msg", { comm_id: m.comm_id, data: m.data }, parent, { metadata: (m.metadata ?? {}) as Record<string, unknown>, buffers: m.buffers.map((b) => Buffer.from(b)) });
        break;
      case "comm_close":
        this.comms.delete(m.comm_id);
        this.sender.send("iopub", "comm_close", { comm_id: m.comm_id, data: m.data }, parent);
        break;
      case "input_request": {
        const req = this.runningExecute;
        if (!req) {
          this.backend.inputReply(m.seq, null, "input: no cell is running");
          break;
        }
        this.inputWaiter = { seq: m.seq, parent: req };
        this.sender.send("stdin", "input_request", { prompt: m.prompt, password: m.password }, req);
        break;
      }
      default:
        break;
    }
  }

  private stdinReply(msg: Message): void {
    if (msg.header.msg_type !== "input_reply") {
      log(`unexpected ${msg.header.msg_type} on stdin; ignored`);
      return;
    }
    const w = this.inputWaiter;
    if (!w) {
      log("input_reply with no pending input_request; ignored");
      return;
    }
    this.inputWaiter = null;
    this.backend.inputReply(w.seq, String((msg.content as { value?: string }).value ?? ""));
  }
}
