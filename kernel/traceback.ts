/**
 * Error → Jupyter `error` content, with stack frames pointing at cell lines.
 *
 * Cells run as scripts named `Cell In[N]`; a frame `Cell In[3]:4:10` is in generated code, so
 * its line goes through the cell's line map.
 * Frames inside the kernel itself and Node's internals are dropped: they say nothing about
 * the user's code. Frames in compiled files (the library's `dist/*.js`, local `.ts` modules)
 * are mapped to their TypeScript source through source maps, read only when an error is shown,
 * and a frame repeated many times over (a stack overflow) is shown once, as IPython does.
 */
import * as fs from "fs";
import * as path from "path";
import { SourceMap } from "module";
import type { ErrorContent } from "./messages";

export interface CellInfo {
  source: string;
  lineMap: number[];
  prefixLength: number;
}

const FRAME = /^\s*at (?:(.*?) \()?(Cell In\[\d+\]):(\d+):(\d+)\)?$/;

export function cellFileName(cell: number): string {
  return `Cell In[${cell}]`;
}

/** The cell position (1-based line and column) of a generated position. */
export function mapPosition(info: CellInfo, line: number, column: number): { line: number; column: number } {
  const cellLine = (info.lineMap[line - 1] ?? line - 1) + 1;
  const col = line === 1 ? Math.max(1, column - info.prefixLength) : column;
  return { line: cellLine, column: col };
}

const maps = new Map<string, SourceMap | null>();

/** Records the source map of a file compiled at run time (local `.ts` modules). */
export function registerSourceMap(file: string, mapText: string): void {
  try {
    maps.set(file, new SourceMap(JSON.parse(mapText)));
  } catch {
    maps.set(file, null);
  }
}

function sourceMapOf(file: string): SourceMap | null {
  let m = maps.get(file);
  if (m !== undefined) return m;
  m = null;
  if (file.endsWith(".js")) {
    try {
      m = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, "utf8")));
    } catch {
      m = null;
    }
  }
  maps.set(file, m);
  return m;
}

const FILE_FRAME = /^(\s*at (?:.*? \()?)((?:\/|file:\/\/)[^()]+?):(\d+):(\d+)(\)?)$/;

/** A stack frame in a compiled file, rewritten to the TypeScript source it came from. */
export function mapFrame(raw: string): string {
  const m = FILE_FRAME.exec(raw);
  if (!m) return raw;
  const file = m[2].startsWith("file://") ? new URL(m[2]).pathname : m[2];
  const map = sourceMapOf(file);
  if (!map) return raw;
  const e = map.findEntry(Number(m[3]) - 1, Number(m[4]) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (!e || e.originalSource === undefined || e.originalLine === undefined) return raw;
  let src = e.originalSource.startsWith("file://") ? new URL(e.originalSource).pathname : e.originalSource;
  if (!path.isAbsolute(src)) src = path.resolve(path.dirname(file), src);
  if (src !== file && !fs.existsSync(src)) return raw;
  return `${m[1]}${src}:${e.originalLine + 1}:${(e.originalColumn ?? 0) + 1}${m[5]}`;
}

/** Runs of the same frame (with its source line) shown once, with how many were left out. */
function foldRepeats(lines: string[]): string[] {
  const groups: string[][] = [];
  for (const l of lines) {
    if (/^\s*at /.test(l) || groups.length === 0) groups.push([l]);
    else groups[groups.length - 1].push(l);
  }
  const out: string[] = [];
  for (let i = 0; i < groups.length; ) {
    const key = groups[i].join("\n");
    let j = i + 1;
    while (j < groups.length && groups[j].join("\n") === key) j++;
    out.push(...groups[i]);
    if (j - i > 2) out.push(`    [... skipping ${j - i - 1} similar frames: the frame above repeated]`);
    else if (j - i === 2) out.push(...groups[i + 1]);
    i = j;
  }
  return out;
}

export function formatError(err: unknown, cells: Map<string, CellInfo>, kernelDir: string): ErrorContent {
  let ename: string;
  let evalue: string;
  let stack = "";
  if (err instanceof Error || (err && typeof err === "object" && "message" in err && "stack" in err)) {
    const e = err as Error;
    ename = e.name || e.constructor?.name || "Error";
    evalue = String(e.message);
    stack = typeof e.stack === "string" ? e.stack : "";
  } else {
    ename = err === null ? "null" : typeof err === "object" ? (err as object).constructor?.name ?? "Object" : typeof err;
    ename = `Thrown ${ename}`;
    evalue = typeof err === "string" ? err : safeString(err);
  }
  const traceback = [`${ename}: ${evalue}`];
  for (const raw of stack.split("\n")) {
    if (!/^\s*at /.test(raw)) continue;
    const m = FRAME.exec(raw);
    if (m) {
      const info = cells.get(m[2]);
      if (!info) {
        traceback.push(raw);
        continue;
      }
      // The last generated line only invokes the cell's async wrapper: not the user's code.
      if (Number(m[3]) >= info.lineMap.length) continue;
      const pos = mapPosition(info, Number(m[3]), Number(m[4]));
      const fn = m[1] && !m[1].startsWith("async ") ? m[1] : m[1]?.replace(/^async /, "") ?? "";
      // Lines only: conversion moves code within a line, so generated columns would mislead.
      const where = `${m[2]}, line ${pos.line}`;
      traceback.push(fn && fn !== "<anonymous>" ? `    at ${fn} (${where})` : `    at ${where}`);
      const text = info.source.split("\n")[pos.line - 1];
      if (text !== undefined) traceback.push(`       ${pos.line} | ${text.trim()}`);
      continue;
    }
    if (raw.includes("node:internal") || raw.includes(kernelDir) || /\bat (new )?Promise\b/.test(raw) || raw.includes("node:vm")) continue;
    traceback.push(mapFrame(raw));
  }
  return { ename, evalue, traceback: [traceback[0], ...foldRepeats(traceback.slice(1))] };
}

function safeString(v: unknown): string {
  try {
    return typeof v === "symbol" ? v.toString() : JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
