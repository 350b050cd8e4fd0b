/**
 * The I/O thread's link to the language thread (TypeScript, see lang-worker.ts).
 *
 * That thread holds most of an idle kernel's memory: TypeScript's code and the parsed standard
 * library, Node's and the library's declarations are about 90 of an idle kernel's 150 MB. A
 * read-along session keeps one kernel per lecture it opened, and on Binder all of them share
 * 2 GB. So once the kernel has been idle for `GRADBOOK_CHECKER_IDLE_S` seconds (default 120;
 * 0 keeps the thread for good) with no request for the thread, it ends, and the next request
 * starts a new one. The new thread is told the prelude and every cell that ran so far: their
 * declarations come back without being checked again, so the next cell is checked against
 * exactly what it would have been. The price is the first check after a release, which waits
 * for TypeScript to start again (about a second).
 */
import { MessageChannel, MessagePort, Worker } from "worker_threads";
import * as path from "path";
import { log, logWorkerOutput } from "./log";
import type { IoToLang, LangRequest, LangToIo, LangRestore, PreludeInfo } from "./messages";

/** How long the kernel stays idle before the language thread ends ($GRADBOOK_CHECKER_IDLE_S). */
export function checkerIdleMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.GRADBOOK_CHECKER_IDLE_S;
  if (raw === undefined || raw === "") return 120_000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s < 0) {
    log(`GRADBOOK_CHECKER_IDLE_S=${raw} is not a number of seconds; using 120`);
    return 120_000;
  }
  return s * 1000;
}

/** Young generation of the language thread: parsing grows it to its maximum and it stays there. */
export const LANG_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 8 };

type Request = IoToLang & { seq: number };

export class LangLink {
  private port: MessagePort | null;
  private seq = 0;
  private readonly waiters = new Map<number, (m: LangToIo) => void>();
  private prelude: PreludeInfo | null = null;
  /** Sources of cells checked and about to run, by cell number. */
  private readonly checked = new Map<number, string>();
  /** Cells that ran, in order: what a new thread must be told. */
  private readonly committed: { cell: number; source: string }[] = [];
  private nodeFull = false;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Cells running on the main thread: the kernel is not idle while one runs. */
  private running = 0;
  private releases = 0;

  /**
   * @param port the first language thread's port (started by the main thread at once)
   * @param onReleased called after a thread ended, so its memory can be given back
   */
  constructor(
    port: MessagePort,
    private readonly options: { cwd: string; idleMs?: number; onReleased?: () => void },
  ) {
    this.port = null;
    this.attach(port);
    this.touch();
  }

  /** How many times the thread was released (for tests, through the kernel's log). */
  get releaseCount(): number {
    return this.releases;
  }

  /** Whether a language thread is running now. */
  get alive(): boolean {
    return this.port !== null;
  }

  private attach(port: MessagePort): void {
    this.port = port;
    port.on("message", (m: LangToIo) => {
      if (m.t === "compiled" && m.ok && m.nodeFull) this.nodeFull = true;
      const w = this.waiters.get(m.seq);
      this.waiters.delete(m.seq);
      w?.(m);
      this.touch();
    });
  }

  /** A request with a reply. Starts a thread if the last one was released. */
  ask<T extends LangToIo>(m: LangRequest): Promise<T> {
    const req = { ...m, seq: ++this.seq } as Request;
    return new Promise((resolve) => {
      this.waiters.set(req.seq, (r: LangToIo) => {
        if (req.t === "compile" && r.t === "compiled") {
          if (r.ok) this.checked.set(req.cell, req.source);
          else this.checked.delete(req.cell);
        }
        resolve(r as T);
      });
      this.ensure().postMessage(req);
      this.touch();
    });
  }

  /** The prelude the main thread loaded: every thread, this one and later ones, needs it. */
  setPrelude(info: PreludeInfo): void {
    this.prelude = info;
    this.port?.postMessage({ t: "prelude", info } satisfies IoToLang);
  }

  /** After a cell ran (or threw midway): its declarations count from now on. */
  commit(cell: number, ok: boolean): void {
    const source = this.checked.get(cell);
    this.checked.delete(cell);
    if (source !== undefined) this.committed.push({ cell, source });
    // A released thread learns of the cell with the rest when it starts again.
    this.port?.postMessage({ t: "commit", cell, ok } satisfies IoToLang);
    this.touch();
  }

  /** A cell starts (true) or ends (false) on the main thread. */
  busy(on: boolean): void {
    this.running = Math.max(0, this.running + (on ? 1 : -1));
    this.touch();
  }

  /** Restarts the idle countdown. */
  private touch(): void {
    const idleMs = this.options.idleMs ?? checkerIdleMs();
    if (idleMs <= 0 || !this.port) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.releaseIfIdle(), idleMs);
    this.idleTimer.unref();
  }

  private releaseIfIdle(): void {
    this.idleTimer = null;
    if (!this.port) return;
    if (this.waiters.size > 0 || this.running > 0) return this.touch();
    const port = this.port;
    this.port = null;
    // The thread ends itself on this message; what it held goes with its heap.
    port.postMessage({ t: "release" } satisfies IoToLang);
    port.removeAllListeners("message");
    port.unref();
    this.releases++;
    log(`the type checker was idle; it was released (${this.committed.length} cells' declarations kept)`);
    setTimeout(() => this.options.onReleased?.(), 200).unref();
  }

  /** The current thread's port, starting a thread told everything so far if there is none. */
  private ensure(): MessagePort {
    if (this.port) return this.port;
    const { port1, port2 } = new MessageChannel();
    const restore: LangRestore = { prelude: this.prelude, cells: this.committed.slice(), nodeFull: this.nodeFull };
    const worker = new Worker(path.join(__dirname, "lang-worker.js"), {
      workerData: { port: port2, cwd: this.options.cwd, restore },
      transferList: [port2],
      stdout: true,
      stderr: true,
      resourceLimits: LANG_RESOURCE_LIMITS,
    });
    logWorkerOutput(worker);
    worker.on("error", (e) => log(`language thread failed: ${e.stack ?? e}`));
    worker.unref();
    log(`the type checker starts again (${restore.cells.length} cells to restore)`);
    this.attach(port1);
    return port1;
  }
}
