/**
 * Error → Jupyter `error` content, with stack frames pointing at cell lines.
 *
 * Cells run as scripts named `Cell In[N]`; a frame `Cell In[3]:4:10` is in generated code, so
 * its line goes through the cell's line map.
 * Frames inside the kernel itself and Node's internals are dropped: they say nothing about
 * the user's code.
 */
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
    traceback.push(raw);
  }
  return { ename, evalue, traceback };
}

function safeString(v: unknown): string {
  try {
    return typeof v === "symbol" ? v.toString() : JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
