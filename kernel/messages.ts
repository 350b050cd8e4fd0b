/**
 * Messages between the kernel's threads. The I/O thread owns the sockets and the protocol;
 * the main thread runs user code (so native addons and `vm.runInThisContext` behave as in a
 * plain Node program); the language thread owns TypeScript (conversion, checking, completion).
 */
import type { RunRequest } from "./protocol";

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface MimeContent {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** A protocol run request, as posted to the main thread. */
export interface ExecRequest extends RunRequest {
  t: "exec";
}

export type IoToMain =
  | ExecRequest
  | { t: "interrupt"; seq: number }
  | { t: "input_reply"; seq: number; value: string | null; error?: string }
  | { t: "comm_open"; comm_id: string; target_name: string; data: unknown; metadata: unknown; buffers: Uint8Array[] }
  | { t: "comm_msg"; comm_id: string; data: unknown; metadata: unknown; buffers: Uint8Array[] }
  | { t: "comm_close"; comm_id: string; data: unknown }
  | { t: "shutdown" }
  | { t: "trim" };

export interface ExecDone {
  t: "done";
  id: number;
  status: "ok" | "error";
  result?: MimeContent;
  error?: ErrorContent;
  userExpressions: Record<string, unknown>;
  payload: unknown[];
}

export type MainToIo =
  | { t: "ready"; prelude: PreludeInfo }
  | { t: "stream"; name: "stdout" | "stderr"; text: string }
  | { t: "display"; content: MimeContent & { transient?: { display_id?: string } }; update: boolean }
  | { t: "clear_output"; wait: boolean }
  | ExecDone
  | { t: "async_error"; error: ErrorContent }
  | { t: "input_request"; seq: number; prompt: string; password: boolean }
  | { t: "comm_open"; comm_id: string; target_name: string; data: unknown; metadata: unknown; buffers?: Uint8Array[] }
  | { t: "comm_msg"; comm_id: string; data: unknown; metadata: unknown; buffers: Uint8Array[] }
  | { t: "comm_close"; comm_id: string; data: unknown }
  | { t: "comm_handled" }
  | { t: "shutdown_ack" }
  | { t: "gc" }
  | { t: "interrupt_ack"; seq: number; running: boolean };

export interface PreludeInfo {
  /** Module the prelude's names come from, as resolved (for the type checker), or null. */
  module: string | null;
  /** Names made global. */
  names: string[];
  /** Why the prelude did not load, if it did not. */
  error?: string;
}

/** What a language thread started after a release is told: everything that ran before. */
export interface LangRestore {
  prelude: PreludeInfo | null;
  /** Cells that ran, in order, with the numbers they were checked under. */
  cells: { cell: number; source: string }[];
  /** Whether cells had come to need all of `@types/node`. */
  nodeFull: boolean;
}

export type IoToLang =
  | { t: "prelude"; info: PreludeInfo }
  | { t: "release" }
  | { t: "compile"; seq: number; cell: number; source: string; check: boolean }
  | { t: "commit"; cell: number; ok: boolean }
  | { t: "complete"; seq: number; code: string; pos: number }
  | { t: "inspect"; seq: number; code: string; pos: number; detail: number }
  | { t: "is_complete"; seq: number; code: string };

/** A request that gets a reply, before the link numbers it. */
export type LangRequest = Extract<IoToLang, { seq: number }> extends infer R ? (R extends { seq: number } ? Omit<R, "seq"> : never) : never;

export type LangToIo =
  | { t: "compiled"; seq: number; ok: true; js: string; lineMap: number[]; prefixLength: number; declared: string[]; nodeFull: boolean }
  | { t: "compiled"; seq: number; ok: false; error: ErrorContent }
  | { t: "completed"; seq: number; matches: string[]; start: number; end: number; types: { text: string; type: string; start: number; end: number; signature: string }[] }
  | { t: "inspected"; seq: number; found: boolean; text: string }
  | { t: "is_complete"; seq: number; status: "complete" | "incomplete" | "invalid"; indent: string };
