/**
 * The language thread: owns TypeScript (loading it and the declarations a first check needs
 * takes about half a second even from the code cache, so it lives apart from the thread
 * answering the front end).
 * Answers conversion/type-check, completion, inspection and is_complete requests.
 */
import { parentPort, workerData } from "worker_threads";
import type { MessagePort } from "worker_threads";
import type { IoToLang, LangRestore, LangToIo } from "./messages";
import { log } from "./log";
import { CachedLoad, requireWithCodeCache } from "./code-cache";

const port: MessagePort = (workerData as { port: MessagePort }).port;
// TypeScript from V8's code cache: compiling its 9 MB is otherwise a quarter of the first
// cell's wait. `./language` then gets the same instance from require's cache.
const typescript = process.env.GRADBOOK_CODE_CACHE === "0" ? null : loadTypeScript();
const { CellLanguage, isComplete, warmUp, defaultPreludeModule } = require("./language") as typeof import("./language");
const data = workerData as { cwd?: string; restore?: LangRestore };
const lang = new CellLanguage({ cwd: data.cwd });
// A thread started after an idle one was released: the session so far, without new checks.
let preludeSet = false;
if (data.restore) {
  lang.restore(data.restore);
  preludeSet = data.restore.prelude !== null;
}
// Parsing lib.d.ts and Node's declarations is most of the first check; do it before anyone
// waits. The code cache is written a little later, after the first cells were answered, and
// holds the functions that warm-up and those cells compiled.
setImmediate(() => {
  if (!data.restore) warmUp(lang, defaultPreludeModule());
  if (typescript && typescript.cache !== "hit") {
    setTimeout(() => {
      const saved = typescript.save();
      log(`TypeScript's code cache was ${typescript.cache}; ${saved ? `wrote ${saved}` : "could not write it"}`);
    }, 2000);
  }
});

function loadTypeScript(): CachedLoad<unknown> | null {
  try {
    return requireWithCodeCache("typescript");
  } catch (e) {
    log(`TypeScript's code cache is unusable (${(e as Error).message}); compiling it`);
    return null;
  }
}
const waiting: IoToLang[] = [];

function reply(m: LangToIo): void {
  port.postMessage(m);
}

function handle(m: IoToLang): void {
  switch (m.t) {
    case "prelude":
      lang.setPrelude(m.info);
      preludeSet = true;
      for (const w of waiting.splice(0)) handle(w);
      break;
    case "compile": {
      // Cells are checked against the prelude's declarations, so wait for it.
      if (!preludeSet) {
        waiting.push(m);
        break;
      }
      try {
        const r = lang.compile(m.cell, m.source);
        if (r.ok) reply({ t: "compiled", seq: m.seq, ok: true, js: r.converted.js, lineMap: r.converted.lineMap, prefixLength: r.converted.prefixLength, declared: r.converted.declared, nodeFull: lang.fullNodeTypes });
        else reply({ t: "compiled", seq: m.seq, ok: false, error: r.error });
      } catch (e) {
        log(`compile failed: ${(e as Error).stack}`);
        reply({ t: "compiled", seq: m.seq, ok: false, error: { ename: "KernelError", evalue: `the cell could not be converted: ${(e as Error).message}`, traceback: [] } });
      }
      break;
    }
    case "commit":
      // A cell that threw midway may still have declared names, as in a REPL.
      lang.commit(m.cell);
      break;
    case "complete":
      try {
        reply({ t: "completed", seq: m.seq, ...lang.complete(m.code, m.pos) });
      } catch (e) {
        log(`complete failed: ${(e as Error).message}`);
        reply({ t: "completed", seq: m.seq, matches: [], start: m.pos, end: m.pos, types: [] });
      }
      break;
    case "inspect":
      try {
        reply({ t: "inspected", seq: m.seq, ...lang.inspect(m.code, m.pos, m.detail) });
      } catch (e) {
        log(`inspect failed: ${(e as Error).message}`);
        reply({ t: "inspected", seq: m.seq, found: false, text: "" });
      }
      break;
    case "is_complete":
      reply({ t: "is_complete", seq: m.seq, ...isComplete(m.code) });
      break;
    case "release":
      // Ends this thread only (in a worker, process.exit stops the thread); its heap goes with it.
      port.close();
      process.exit(0);
  }
}

port.on("message", (m: IoToLang) => handle(m));
parentPort?.postMessage({ t: "lang_ready" });
