/**
 * One gradbook kernel for grading: spawned as a child process with its own connection file and
 * spoken to over ZeroMQ (the `zeromq` package the kernel itself uses, and the kernel's own wire
 * code), so grading needs no Python and one grader process drives many kernels at once.
 *
 * It survives what a submission does to its kernel: a cell that runs past its time limit is
 * interrupted (and the kernel killed if the interrupt does not land), a kernel that exits or
 * crashes is noticed at once (the child's exit event), and one that grows past its memory limit
 * is killed by a watchdog reading its resident set size.
 */
import { spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { randomBytes, randomUUID } from "crypto";
import * as zmq from "zeromq";
import { decode, encode, makeHeader, Message, Signer } from "../wire";
import { PACKAGE_ROOT } from "../paths";

export interface KernelOptions {
  /** Working directory of the kernel (the submission's folder copy). */
  cwd: string;
  /** Resident memory limit in bytes; the kernel is killed past it. */
  memoryLimit?: number;
  /** Milliseconds to wait for the kernel to answer kernel_info. */
  startTimeoutMs?: number;
  env?: Record<string, string>;
}

export interface CellOutcome {
  status: "ok" | "error" | "timeout" | "died";
  /** The error's name and message (error status), or what happened to the kernel. */
  error?: { ename: string; evalue: string };
  /** Text output (streams, plain text of results/displays), capped. */
  text: string;
  /** Characters of output not kept. */
  droppedChars: number;
  /** Every `application/vnd.gradbook.results+json` payload the cell displayed. */
  results: unknown[];
  /** Why the kernel died, when it did. */
  death?: string;
  ms: number;
}

// The compiled preload (tests import this file from its TypeScript source).
const PARENT_WATCH = path.join(PACKAGE_ROOT, "dist", "kernel", "grading", "parent-watch.js");
const RESULTS_MIME = "application/vnd.gradbook.results+json";
const TEXT_CAP = 20_000;
const V8_FLAGS = ["--expose-gc", "--harmony-weak-refs-with-cleanup-some"];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function rssBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

type Listener = (m: Message) => void;

export class GradingKernel {
  private child: ChildProcess | null = null;
  private shell: zmq.Dealer | null = null;
  private control: zmq.Dealer | null = null;
  private iopub: zmq.Subscriber | null = null;
  private signer!: Signer;
  private readonly session = randomUUID();
  private listeners = new Set<Listener>();
  private deathListeners = new Set<(why: string) => void>();
  private dir: string | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private stderrTail = "";
  /** Set once the kernel process is gone; says why. */
  dead: string | null = null;
  peakRss = 0;

  constructor(private readonly opts: KernelOptions) {}

  async start(): Promise<void> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-grade-"));
    const ports = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
    const key = randomBytes(16).toString("hex");
    const conn = {
      transport: "tcp", ip: "127.0.0.1", signature_scheme: "hmac-sha256", key,
      shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4],
      kernel_name: "gradbook",
    };
    const cf = path.join(this.dir, "kernel.json");
    fs.writeFileSync(cf, JSON.stringify(conn));
    this.signer = new Signer(key);
    const heapMb = this.opts.memoryLimit ? Math.max(256, Math.floor(this.opts.memoryLimit / 2 ** 20)) : null;
    // The flags the kernel would otherwise turn on at run time (kernel/gc.ts, lib/engine.ts):
    // V8 accepts a code cache only under the flags it was made with, and a flag set after the
    // start changes them between loading TypeScript's cache and writing it, so every kernel
    // would compile TypeScript again (about 0.3 s of each start).
    const argv = [...V8_FLAGS, ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), ...(fs.existsSync(PARENT_WATCH) ? ["-r", PARENT_WATCH] : []), path.join(PACKAGE_ROOT, "bin", "gradbook.js"), "kernel", cf];
    this.child = spawn(process.execPath, argv, {
      cwd: this.opts.cwd,
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        GRADBOOK_HISTORY: path.join(this.dir, "history.jsonl"),
        JPY_PARENT_PID: String(process.pid),
        GRADBOOK_GRADER_PID: String(process.pid),
        ...this.opts.env,
      },
      detached: true, // its own process group: killing it takes its children too
    });
    this.child.stderr!.on("data", (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2000);
    });
    this.child.on("exit", (code, signal) => {
      const why =
        this.dead ??
        (signal ? `the kernel was killed by ${signal}${/heap|memory/i.test(this.stderrTail) ? " (out of memory)" : ""}` : `the kernel exited with code ${code}${/heap out of memory|Allocation failed/i.test(this.stderrTail) ? " (out of memory)" : ""}`);
      this.dead = why;
      this.stopWatchdog();
      for (const l of this.deathListeners) l(why);
    });
    if (this.opts.memoryLimit) {
      const limit = this.opts.memoryLimit;
      this.watchdog = setInterval(() => {
        const pid = this.child?.pid;
        if (!pid || this.dead) return;
        const rss = rssBytes(pid);
        if (rss === null) return;
        this.peakRss = Math.max(this.peakRss, rss);
        if (rss > limit) {
          this.dead = `the kernel went over its memory limit of ${(limit / 2 ** 20).toFixed(0)} MiB and was stopped`;
          this.kill();
        }
      }, 50);
      this.watchdog.unref();
    }
    const addr = (p: number) => `tcp://127.0.0.1:${p}`;
    this.shell = new zmq.Dealer({ linger: 0 });
    this.control = new zmq.Dealer({ linger: 0 });
    this.iopub = new zmq.Subscriber({ linger: 0 });
    this.shell.connect(addr(conn.shell_port));
    this.control.connect(addr(conn.control_port));
    this.iopub.connect(addr(conn.iopub_port));
    this.iopub.subscribe();
    void this.loop(this.shell);
    void this.loop(this.control);
    void this.loop(this.iopub);
    // kernel_info until answered: the first may be sent before the kernel's sockets are bound,
    // and iopub needs a moment to connect (a message sent before is lost).
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 60_000);
    for (;;) {
      if (this.dead) throw new Error(`the kernel did not start: ${this.dead}${this.stderrTail ? `\n${this.stderrTail}` : ""}`);
      if (Date.now() > deadline) throw new Error("the kernel did not answer kernel_info in time");
      const id = this.send("kernel_info_request", {}, "shell");
      const got = await this.waitFor((m) => m.parent_header.msg_id === id && m.header.msg_type === "status" && m.content.execution_state === "idle", 500);
      if (got) return;
    }
  }

  private async loop(sock: zmq.Dealer | zmq.Subscriber): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await sock.receive();
      } catch {
        return;
      }
      const r = decode(frames, this.signer);
      if (!r.ok) continue;
      for (const l of [...this.listeners]) l(r.msg);
    }
  }

  private send(type: string, content: unknown, channel: "shell" | "control"): string {
    const header = makeHeader(type, this.session);
    const msg: Message = { identities: [], header, parent_header: {}, metadata: {}, content, buffers: [] };
    const sock = channel === "shell" ? this.shell : this.control;
    void sock?.send(encode(msg, this.signer)).catch(() => undefined);
    return header.msg_id;
  }

  private waitFor(pred: (m: Message) => boolean, ms: number): Promise<Message | null> {
    return new Promise((resolve) => {
      const done = (m: Message | null) => {
        clearTimeout(timer);
        this.listeners.delete(l);
        this.deathListeners.delete(d);
        resolve(m);
      };
      const l: Listener = (m) => pred(m) && done(m);
      const d = () => done(null);
      const timer = setTimeout(() => done(null), ms);
      this.listeners.add(l);
      this.deathListeners.add(d);
    });
  }

  /** Runs one cell; never throws. */
  async execute(code: string, timeoutMs: number): Promise<CellOutcome> {
    const t0 = Date.now();
    const out: CellOutcome = { status: "ok", text: "", droppedChars: 0, results: [], ms: 0 };
    if (this.dead) return { ...out, status: "died", death: this.dead, error: { ename: "KernelDied", evalue: this.dead } };
    const addText = (s: string) => {
      const room = TEXT_CAP - out.text.length;
      if (s.length <= room) out.text += s;
      else {
        out.text += s.slice(0, Math.max(0, room));
        out.droppedChars += s.length - Math.max(0, room);
      }
    };
    let id = "";
    const finished = new Promise<"idle" | "died">((resolve) => {
      let idle = false, replied = false;
      const l: Listener = (m) => {
        if (m.parent_header.msg_id !== id) return;
        const t = m.header.msg_type;
        const c = m.content;
        if (t === "stream") addText(String(c.text));
        else if (t === "display_data" || t === "execute_result" || t === "update_display_data") {
          if (c.data?.[RESULTS_MIME]) out.results.push(c.data[RESULTS_MIME]);
          if (typeof c.data?.["text/plain"] === "string") addText(c.data["text/plain"] + "\n");
        } else if (t === "error") {
          out.status = "error";
          out.error = { ename: String(c.ename), evalue: String(c.evalue) };
          addText((Array.isArray(c.traceback) ? c.traceback.join("\n") : `${c.ename}: ${c.evalue}`).replace(/\x1b\[[0-9;]*m/g, "") + "\n");
        } else if (t === "execute_reply") {
          replied = true;
          if (c.status === "error" && out.status === "ok") {
            out.status = "error";
            out.error = { ename: String(c.ename ?? "Error"), evalue: String(c.evalue ?? "") };
          }
        } else if (t === "status" && c.execution_state === "idle") idle = true;
        if (idle && replied) {
          this.listeners.delete(l);
          this.deathListeners.delete(d);
          resolve("idle");
        }
      };
      const d = () => {
        this.listeners.delete(l);
        resolve("died");
      };
      this.listeners.add(l);
      this.deathListeners.add(d);
    });
    id = this.send("execute_request", { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: false }, "shell");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
    let how = await Promise.race([finished, timeout]);
    if (how === "timeout") {
      // Interrupt, as a person at the notebook would; kill if that does not land within 3 s.
      this.send("interrupt_request", {}, "control");
      const again = await Promise.race([finished, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 3000))]);
      if (again !== "died") {
        out.status = "timeout";
        out.error = { ename: "TimeoutError", evalue: `the cell ran past its time limit of ${(timeoutMs / 1000).toFixed(0)} s and was stopped` };
        if (again === "timeout") {
          this.dead = `the kernel did not answer an interrupt after the cell's time limit of ${(timeoutMs / 1000).toFixed(0)} s`;
          this.kill();
        }
      } else how = "died";
    }
    clearTimeout(timer);
    if (how === "died") {
      out.status = "died";
      out.death = this.dead ?? "the kernel died";
      out.error = { ename: "KernelDied", evalue: out.death };
    }
    out.ms = Date.now() - t0;
    return out;
  }

  /** Stops the kernel process group at once. */
  kill(): void {
    const pid = this.child?.pid;
    if (pid && this.child!.exitCode === null && this.child!.signalCode === null) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone already */
        }
      }
    }
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  /** Shuts the kernel down (kills it: grading never needs a clean shutdown) and cleans up. */
  async close(): Promise<void> {
    this.stopWatchdog();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      this.dead ??= "closed";
      this.kill();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    }
    for (const s of [this.shell, this.control, this.iopub]) s?.close();
    this.shell = this.control = this.iopub = null;
    this.listeners.clear();
    this.deathListeners.clear();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
