/**
 * The I/O thread: sockets (transport) and the protocol. It stays responsive while the main
 * thread runs a cell, so heartbeats, kernel_info, completion and interrupts are answered at
 * once. Interrupting a cell that hogs the main thread uses the inspector's
 * `Runtime.terminateExecution`, which stops the running JavaScript without losing state.
 */
import { parentPort, workerData } from "worker_threads";
import type { MessagePort } from "worker_threads";
import * as inspector from "inspector";
import { ConnectionInfo, Transport } from "./transport";
import { Protocol, KernelBackend, Compiled } from "./protocol";
import { History } from "./history";
import { log } from "./log";
import { fullGc } from "./gc";
import { LangLink } from "./lang-link";
import * as memory from "./memory";
import type { ExecDone, IoToMain, LangRequest, LangToIo, MainToIo } from "./messages";

interface IoWorkerData {
  conn: ConnectionInfo;
  langPort: MessagePort;
  tsVersion: string;
  syncFlag: Int32Array;
}

async function start(): Promise<void> {
  const data = workerData as IoWorkerData;
  const main = parentPort!;
  const toMain = (m: IoToMain) => main.postMessage(m);
  const lang = new LangLink(data.langPort, { cwd: process.cwd(), onReleased: () => toMain({ t: "trim" }) });
  const askLang = <T extends LangToIo>(m: LangRequest): Promise<T> => lang.ask<T>(m);

  const execWaiters = new Map<number, (d: ExecDone) => void>();
  const ackWaiters = new Map<number, () => void>();
  const commWaiters: (() => void)[] = [];
  const shutdownWaiters: (() => void)[] = [];
  let interruptSeq = 0;
  let session: inspector.Session | null = null;
  try {
    session = new inspector.Session();
    session.connectToMainThread();
  } catch (e) {
    log(`inspector unavailable, busy loops cannot be interrupted: ${(e as Error).message}`);
  }

  const backend: KernelBackend = {
    async compile(id, source): Promise<Compiled> {
      const r = await askLang<Extract<LangToIo, { t: "compiled" }>>({ t: "compile", cell: id, source, check: true });
      return r.ok ? { ok: true, js: r.js, lineMap: r.lineMap, prefixLength: r.prefixLength } : { ok: false, error: r.error };
    },
    commit(id, ok) {
      lang.commit(id, ok);
    },
    execute(req) {
      lang.busy(true);
      return new Promise<ExecDone>((resolve) => {
        execWaiters.set(req.id, resolve);
        toMain({ t: "exec", ...req });
      }).finally(() => lang.busy(false));
    },
    async interrupt() {
      // Ask the main thread: one that is awaiting answers within milliseconds. One that does
      // not is running JavaScript: SIGINT stops a cell's synchronous part; anything else
      // (code resumed after an await) is terminated. Then ask again.
      for (let attempt = 0; attempt < 10; attempt++) {
        // A cell in its synchronous part cannot answer; stop it at once, cleanly.
        if (Atomics.load(data.syncFlag, 0) === 1) process.kill(process.pid, "SIGINT");
        const seq = ++interruptSeq;
        const acked = new Promise<boolean>((resolve) => {
          // No cell active (0): the main thread is most likely idle or collecting garbage (a
          // full heap), and terminating it then would stop the next cell instead; only a
          // callback spinning after its cell ended keeps it from answering for long.
          const wait = Atomics.load(data.syncFlag, 0) === 0 ? 1000 : 150;
          const timer = setTimeout(() => {
            ackWaiters.delete(seq);
            resolve(false);
          }, wait);
          ackWaiters.set(seq, () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        toMain({ t: "interrupt", seq });
        if (await acked) return;
        if (Atomics.load(data.syncFlag, 0) === 1) {
          // Inside vm.runInThisContext with breakOnSigint: SIGINT makes it throw, cleanly.
          process.kill(process.pid, "SIGINT");
        } else {
          // Code resumed after an `await` (a timer, a promise job): only termination stops it.
          session?.post("Runtime.terminateExecution", (err) => err && log(`terminateExecution: ${err.message}`));
        }
      }
      log("interrupt: the main thread did not respond");
    },
    async complete(code, pos) {
      const r = await askLang<Extract<LangToIo, { t: "completed" }>>({ t: "complete", code, pos });
      return r;
    },
    async inspect(code, pos, detail) {
      return askLang<Extract<LangToIo, { t: "inspected" }>>({ t: "inspect", code, pos, detail });
    },
    async isComplete(code) {
      return askLang<Extract<LangToIo, { t: "is_complete" }>>({ t: "is_complete", code });
    },
    inputReply(seq, value, error) {
      toMain({ t: "input_reply", seq, value, error });
    },
    comm(kind, content, buffers, metadata) {
      return new Promise((resolve) => {
        commWaiters.push(resolve);
        const c = content as { comm_id: string; target_name?: string; data?: unknown };
        if (kind === "comm_open") toMain({ t: "comm_open", comm_id: c.comm_id, target_name: String(c.target_name), data: c.data ?? {}, metadata: metadata ?? {}, buffers });
        else if (kind === "comm_msg") toMain({ t: "comm_msg", comm_id: c.comm_id, data: c.data ?? {}, metadata: metadata ?? {}, buffers });
        else toMain({ t: "comm_close", comm_id: c.comm_id, data: c.data ?? {} });
      });
    },
    async shutdown() {
      // The main thread sends what output it still holds, then acknowledges; one stuck in a
      // busy cell cannot, and the shutdown goes on without it.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        shutdownWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
        toMain({ t: "shutdown" });
      });
    },
  };

  const transport = await Transport.bind(data.conn);
  const protocol = new Protocol(transport, backend, {
    history: new History(),
    languageVersion: data.tsVersion,
    onShutdown: async () => {
      await transport.flush();
      // An attached inspector session would make Node wait for it on exit.
      session?.disconnect();
      transport.close();
      main.postMessage({ t: "exit" });
      // A main thread stuck in a busy cell never reads that message.
      setTimeout(() => process.kill(process.pid, "SIGTERM"), 1000);
    },
  });

  main.on("message", (m: MainToIo | { t: "lang_prelude" }) => {
    switch (m.t) {
      case "done":
        execWaiters.get(m.id)?.(m);
        execWaiters.delete(m.id);
        break;
      case "interrupt_ack":
        // seq -1: a SIGINT reached the main thread; no cell ran, but one may be being checked.
        if (m.seq === -1 && !m.running) protocol.cancelCompiling();
        ackWaiters.get(m.seq)?.();
        ackWaiters.delete(m.seq);
        break;
      case "comm_handled":
        commWaiters.shift()?.();
        break;
      case "gc":
        fullGc()?.();
        break;
      case "shutdown_ack":
        for (const w of shutdownWaiters.splice(0)) w();
        break;
      case "ready":
        lang.setPrelude(m.prelude);
        break;
      default:
        protocol.output(m as MainToIo);
    }
  });
  watchHeap(data.syncFlag, () => backend.interrupt());
  transport.listen(
    (msg, ch) => protocol.receive(msg, ch),
    (header, identities, ch, reason) => protocol.rejected(header, identities, ch, reason),
  );
  main.postMessage({ t: "listening" });
  watchParent();
}

/**
 * Two watches while a cell runs, both ending in an interrupt that the main thread reports as a
 * MemoryError instead of a KeyboardInterrupt (syncFlag[1] says which):
 * - the native addon sets the flag to 1 when the main thread's JS heap nears V8's limit; the
 *   main thread may be too busy filling it to notice;
 * - where a limit short of the machine applies (a cgroup, GRADBOOK_MEMORY_LIMIT), memory
 *   outside the heap (typed arrays, buffers) is watched too: when what is left falls under
 *   MEMORY_RESERVE and the cell itself used it up, the flag becomes 3. A cell that starts with
 *   little left (to free memory) is not stopped for it.
 */
function watchHeap(syncFlag: Int32Array, interrupt: () => Promise<void>): void {
  if (syncFlag.length < 2) return;
  const watchSystem = memory.limited();
  let busy = false;
  let atStart: number | null = null;
  const stop = (code: number) => {
    busy = true;
    Atomics.store(syncFlag, 1, code);
    void interrupt().finally(() => (busy = false));
  };
  const timer = setInterval(() => {
    if (busy) return;
    if (Atomics.load(syncFlag, 1) === 1) return stop(2); // 2: being handled, not to interrupt again
    if (!watchSystem) return;
    if (Atomics.load(syncFlag, 0) === 0) {
      atStart = null;
      return;
    }
    const left = memory.available().bytes;
    atStart ??= left;
    if (left < MEMORY_RESERVE && left < atStart - MEMORY_RESERVE / 2) stop(3);
  }, 20);
  timer.unref();
}

const MEMORY_RESERVE = 96 * 2 ** 20;

/**
 * Jupyter clients name themselves in JPY_PARENT_PID; like ipykernel, exit when that process
 * is gone, so a crashed front end leaves no kernel behind. Polled here, not on the main
 * thread, because a busy cell must not stop the watch.
 */
function watchParent(): void {
  const pid = Number(process.env.JPY_PARENT_PID);
  if (!Number.isInteger(pid) || pid <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as { code?: string }).code === "ESRCH") {
        log(`parent process ${pid} is gone; exiting`);
        process.kill(process.pid, "SIGTERM");
      }
    }
  }, 2000);
  timer.unref();
}

start().catch((e) => {
  log(`the I/O thread failed to start: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
