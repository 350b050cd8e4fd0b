/**
 * Starts a kernel for a connection file: the I/O thread (so kernel_info is answered within a
 * fraction of a second), the language thread (TypeScript, needed by the first cell), then the
 * prelude on the main thread, all in parallel.
 */
import { Worker, MessageChannel } from "worker_threads";
import * as fs from "fs";
import * as path from "path";
import { realExit, Runtime } from "./runtime";
import { log, logWorkerOutput } from "./log";
import { LANG_RESOURCE_LIMITS } from "./lang-link";
import { setRuntimeFlags } from "./gc";
import type { IoToMain, MainToIo } from "./messages";

function typescriptVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(require.resolve("typescript/package.json"), "utf8")).version;
  } catch {
    return "5";
  }
}

export function runKernel(connectionFile: string): void {
  let conn: unknown;
  try {
    conn = JSON.parse(fs.readFileSync(connectionFile, "utf8"));
  } catch (e) {
    log(`cannot read the connection file ${connectionFile}: ${(e as Error).message}`);
    process.exit(2);
  }
  // Before any thread loads code: every code cache in this process is made and checked under
  // the same flags (see gc.ts).
  setRuntimeFlags();
  const { port1, port2 } = new MessageChannel();
  // [0]: a cell's synchronous part runs; [1]: the JS heap is near its limit (see runtime.ts).
  const syncFlag = new Int32Array(new SharedArrayBuffer(8));
  const heapFlag = new Int32Array(syncFlag.buffer, 4, 1);
  const io = new Worker(path.join(__dirname, "io-worker.js"), {
    workerData: { conn, langPort: port1, tsVersion: typescriptVersion(), syncFlag },
    transferList: [port1],
    stdout: true,
    stderr: true,
  });
  logWorkerOutput(io);
  const runtime = new Runtime((m: MainToIo) => io.postMessage(m), { syncFlag, heapFlag, guardExit: true, trimWhenIdle: true });
  // Whatever ends the process, output still batched goes first.
  const exit = (code: number) => {
    runtime.flushOutput();
    realExit(code);
  };
  let lang: Worker | null = null;
  const startLanguage = () => {
    if (lang) return;
    lang = new Worker(path.join(__dirname, "lang-worker.js"), {
      workerData: { port: port2, cwd: process.cwd() },
      transferList: [port2],
      stdout: true,
      stderr: true,
      // Parsing the standard library grows the young generation to its maximum and it stays
      // there; a smaller one costs no measurable speed and saves about 20 MiB.
      resourceLimits: LANG_RESOURCE_LIMITS,
    });
    logWorkerOutput(lang);
    lang.on("error", (e) => log(`language thread failed: ${e.stack ?? e}`));
    lang.unref();
  };
  // The type checker takes seconds to warm up and the first cell waits for it: start it now,
  // beside the I/O thread, rather than after the sockets are up.
  startLanguage();
  io.on("message", (m: IoToMain | { t: "listening" } | { t: "exit" }) => {
    if (m.t === "listening") return;
    if (m.t === "exit") exit(0);
    else runtime.handle(m);
  });
  io.on("error", (e) => {
    log(`I/O thread failed: ${e.stack ?? e}`);
    realExit(1);
  });
  io.on("exit", (code) => realExit(code));

  process.on("uncaughtException", (e) => runtime.reportAsync(e));
  process.on("unhandledRejection", (e) => runtime.reportAsync(e));
  // SIGINT (interrupt_mode "signal", or Ctrl-C in a terminal): the same as an interrupt_request.
  process.on("SIGINT", () => runtime.handle({ t: "interrupt", seq: -1 }));

  const prelude = runtime.loadPrelude();
  runtime.watchHeapLimit();
  if (prelude.error) log(`prelude: ${prelude.error}`);
  io.postMessage({ t: "ready", prelude } satisfies MainToIo);
}
