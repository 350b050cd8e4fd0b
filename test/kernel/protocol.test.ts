import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KernelBackend, Protocol, RunRequest, Sender } from "../../kernel/protocol";
import { History } from "../../kernel/history";
import { makeHeader, Message } from "../../kernel/wire";
import type { ExecDone } from "../../kernel/messages";

interface Sent {
  channel: string;
  type: string;
  content: any;
  parent: string | undefined;
  metadata: Record<string, unknown>;
  buffers: Buffer[];
}

class RecordingSender implements Sender {
  sent: Sent[] = [];
  send(channel: any, msgType: string, content: unknown, parent?: Message | null, opts: { metadata?: Record<string, unknown>; buffers?: Buffer[] } = {}) {
    this.sent.push({ channel, type: msgType, content, parent: parent?.header.msg_id, metadata: opts.metadata ?? {}, buffers: opts.buffers ?? [] });
    return makeHeader(msgType, "k");
  }
}

/** A backend that "runs" cells by looking them up in a table; no TypeScript, no threads. */
class StubBackend implements KernelBackend {
  protocol!: Protocol;
  runs: RunRequest[] = [];
  gate: Promise<void> | null = null;
  async compile(_id: number, source: string) {
    if (source.includes("type error")) return { ok: false as const, error: { ename: "TypeError", evalue: "line 1", traceback: ["TypeError: line 1"] } };
    return { ok: true as const, js: source, lineMap: [0], prefixLength: 0 };
  }
  commit() {}
  async execute(req: RunRequest): Promise<ExecDone> {
    this.runs.push(req);
    if (this.gate) await this.gate;
    if (req.source.startsWith("print ")) this.protocol.output({ t: "stream", name: "stdout", text: req.source.slice(6) });
    if (req.source === "fail") return { t: "done", id: req.id, status: "error", error: { ename: "Error", evalue: "boom", traceback: [] }, userExpressions: {}, payload: [] };
    return { t: "done", id: req.id, status: "ok", result: { data: { "text/plain": `<${req.source}>` }, metadata: {} }, userExpressions: {}, payload: [] };
  }
  async interrupt() {}
  async complete(code: string, pos: number) {
    return { matches: ["abs"], start: pos - 2, end: pos, types: [] };
  }
  async inspect() {
    return { found: true, text: "doc" };
  }
  async isComplete(code: string) {
    return { status: code.endsWith("{") ? "incomplete" : "complete", indent: "  " };
  }
  inputReply() {}
  comms: { kind: string; content: Record<string, unknown>; buffers: Buffer[]; metadata: Record<string, unknown> }[] = [];
  async comm(kind: string, content: Record<string, unknown>, buffers: Buffer[], metadata: Record<string, unknown>) {
    this.comms.push({ kind, content, buffers, metadata });
  }
  async shutdown() {}
}

function request(type: string, content: Record<string, unknown> = {}): Message {
  return { identities: [Buffer.from("id")], header: makeHeader(type, "client"), parent_header: {}, metadata: {}, content, buffers: [] };
}

function setup(history = new History(null)) {
  const sender = new RecordingSender();
  const backend = new StubBackend();
  const protocol = new Protocol(sender, backend, { history, languageVersion: "5.9.3" });
  backend.protocol = protocol;
  return { sender, backend, protocol };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe("protocol", () => {
  it("answers kernel_info on shell and control, wrapped in busy/idle", async () => {
    const { sender, protocol } = setup();
    const req = request("kernel_info_request");
    protocol.receive(req, "control");
    await settle();
    expect(sender.sent.map((s) => `${s.channel}:${s.type}`)).toEqual(["iopub:status", "control:kernel_info_reply", "iopub:status"]);
    expect(sender.sent[0].content.execution_state).toBe("busy");
    expect(sender.sent[2].content.execution_state).toBe("idle");
    const info = sender.sent[1].content;
    expect(info.language_info).toMatchObject({ name: "typescript", file_extension: ".ts", version: "5.9.3" });
    expect(info.protocol_version).toBe("5.3");
    expect(sender.sent.every((s) => s.parent === req.header.msg_id)).toBe(true);
  });

  it("publishes execute_input, output, execute_result and the reply before idle", async () => {
    const { sender, protocol } = setup();
    protocol.receive(request("execute_request", { code: "print hi" }), "shell");
    await settle();
    expect(sender.sent.map((s) => s.type)).toEqual(["status", "execute_input", "stream", "execute_result", "execute_reply", "status"]);
    expect(sender.sent[1].content).toEqual({ code: "print hi", execution_count: 1 });
    expect(sender.sent[4].content).toMatchObject({ status: "ok", execution_count: 1 });
    expect(sender.sent[5].content.execution_state).toBe("idle");
  });

  it("counts only executions that store history", async () => {
    const { sender, protocol } = setup();
    protocol.receive(request("execute_request", { code: "a" }), "shell");
    protocol.receive(request("execute_request", { code: "b", silent: true }), "shell");
    protocol.receive(request("execute_request", { code: "c", store_history: false }), "shell");
    protocol.receive(request("execute_request", { code: "d" }), "shell");
    await settle();
    const replies = sender.sent.filter((s) => s.type === "execute_reply").map((s) => s.content.execution_count);
    expect(replies).toEqual([1, 1, 1, 2]);
    // silent: no execute_input and no execute_result
    expect(sender.sent.filter((s) => s.type === "execute_input").map((s) => s.content.code)).toEqual(["a", "c", "d"]);
    expect(sender.sent.filter((s) => s.type === "execute_result").length).toBe(3);
  });

  it("reports type errors without running and aborts only the executes queued behind an error", async () => {
    const { sender, backend, protocol } = setup();
    let open!: () => void;
    backend.gate = new Promise((r) => (open = r));
    protocol.receive(request("execute_request", { code: "fail" }), "shell");
    protocol.receive(request("execute_request", { code: "queued" }), "shell");
    protocol.receive(request("kernel_info_request"), "shell");
    await settle();
    backend.gate = null;
    open();
    await settle();
    protocol.receive(request("execute_request", { code: "later" }), "shell");
    await settle();
    const replies = sender.sent.filter((s) => s.type === "execute_reply").map((s) => s.content.status);
    expect(replies).toEqual(["error", "aborted", "ok"]);
    expect(sender.sent.some((s) => s.type === "kernel_info_reply")).toBe(true);
    expect(backend.runs.map((r) => r.source)).toEqual(["fail", "later"]);
    protocol.receive(request("execute_request", { code: "type error" }), "shell");
    await settle();
    expect(backend.runs.length).toBe(2);
    const err = sender.sent.filter((s) => s.type === "error").pop()!;
    expect(err.content.ename).toBe("TypeError");
  });

  it("stops a cell that is interrupted while it is being checked", async () => {
    const { sender, backend, protocol } = setup();
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const compile = backend.compile.bind(backend);
    backend.compile = async (id, source) => {
      await slow;
      return compile(id, source);
    };
    protocol.receive(request("execute_request", { code: "never runs" }), "shell");
    await settle();
    protocol.receive(request("interrupt_request"), "control");
    await settle();
    release();
    await settle();
    expect(backend.runs).toEqual([]);
    expect(sender.sent.find((s) => s.type === "execute_reply")!.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(sender.sent.some((s) => s.type === "interrupt_reply")).toBe(true);
  });

  it("does not abort queued cells when stop_on_error is false", async () => {
    const { sender, protocol } = setup();
    protocol.receive(request("execute_request", { code: "fail", stop_on_error: false }), "shell");
    protocol.receive(request("execute_request", { code: "next" }), "shell");
    await settle();
    expect(sender.sent.filter((s) => s.type === "execute_reply").map((s) => s.content.status)).toEqual(["error", "ok"]);
  });

  it("answers complete, inspect, is_complete and comm_info", async () => {
    const { sender, protocol } = setup();
    protocol.receive(request("complete_request", { code: "Math.ab", cursor_pos: 7 }), "shell");
    protocol.receive(request("inspect_request", { code: "Math", cursor_pos: 4, detail_level: 0 }), "shell");
    protocol.receive(request("is_complete_request", { code: "function f() {" }), "shell");
    protocol.receive(request("comm_open", { comm_id: "c1", target_name: "t", data: {} }), "shell");
    protocol.receive(request("comm_info_request", {}), "shell");
    await settle();
    const by = (t: string) => sender.sent.find((s) => s.type === t)!.content;
    expect(by("complete_reply")).toMatchObject({ status: "ok", matches: ["abs"], cursor_start: 5, cursor_end: 7 });
    expect(by("inspect_reply")).toMatchObject({ status: "ok", found: true, data: { "text/plain": "doc" } });
    expect(by("is_complete_reply")).toEqual({ status: "incomplete", indent: "  " });
    expect(by("comm_info_reply")).toEqual({ status: "ok", comms: { c1: { target_name: "t" } } });
  });

  it("sends a kernel-opened comm's metadata in the message's metadata field, not its content", async () => {
    // The widget manager reads the widget protocol version from msg.metadata.version
    // (messaging spec, "Opening a comm"; ipywidgets' jupyterlab-manager rejects the widget otherwise).
    const { sender, protocol } = setup();
    protocol.output({ t: "comm_open", comm_id: "w1", target_name: "jupyter.widget", data: { state: { value: 1 }, buffer_paths: [] }, metadata: { version: "2.1.0" }, buffers: [new Uint8Array([1, 2])] });
    const open = sender.sent.find((s) => s.type === "comm_open")!;
    expect(open.channel).toBe("iopub");
    expect(open.content).toEqual({ comm_id: "w1", target_name: "jupyter.widget", data: { state: { value: 1 }, buffer_paths: [] } });
    expect(open.metadata).toEqual({ version: "2.1.0" });
    expect(open.buffers.map((b) => [...b])).toEqual([[1, 2]]);
    protocol.output({ t: "comm_msg", comm_id: "w1", data: { method: "update", state: { value: 2 } }, metadata: { version: "2.1.0" }, buffers: [] });
    const msg = sender.sent.find((s) => s.type === "comm_msg")!;
    expect(msg.content).toEqual({ comm_id: "w1", data: { method: "update", state: { value: 2 } } });
    expect(msg.metadata).toEqual({ version: "2.1.0" });
  });

  it("hands a front end's comm metadata and buffers to the backend", async () => {
    const { backend, protocol } = setup();
    const m = request("comm_open", { comm_id: "c2", target_name: "jupyter.widget.control", data: {} });
    m.metadata = { version: "2.1.0" };
    protocol.receive(m, "shell");
    const u = request("comm_msg", { comm_id: "c2", data: { method: "request_states" } });
    u.buffers = [Buffer.from([7])];
    protocol.receive(u, "shell");
    await settle();
    expect(backend.comms.map((c) => [c.kind, c.metadata, c.buffers.length])).toEqual([["comm_open", { version: "2.1.0" }, 0], ["comm_msg", {}, 1]]);
  });

  it("ignores unknown message types without replying or crashing", async () => {
    const { sender, protocol } = setup();
    protocol.receive(request("no_such_request"), "shell");
    protocol.receive(request("kernel_info_request"), "shell");
    await settle();
    expect(sender.sent.map((s) => s.type)).toEqual(["status", "kernel_info_reply", "status"]);
  });

  it("sends output from callbacks after a cell under that cell's parent", async () => {
    const { sender, protocol } = setup();
    const req = request("execute_request", { code: "x" });
    protocol.receive(req, "shell");
    await settle();
    protocol.output({ t: "stream", name: "stderr", text: "late" });
    const late = sender.sent[sender.sent.length - 1];
    expect(late).toMatchObject({ type: "stream", parent: req.header.msg_id });
  });

  it("keeps history across kernel sessions in its file", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gb-hist-")), "history.jsonl");
    const h1 = new History(file);
    const first = setup(h1);
    first.protocol.receive(request("execute_request", { code: "a1" }), "shell");
    first.protocol.receive(request("execute_request", { code: "a2" }), "shell");
    await settle();
    await h1.flushed();
    const h2 = new History(file);
    expect(h2.session).toBe(2);
    const second = setup(h2);
    second.protocol.receive(request("execute_request", { code: "b1" }), "shell");
    second.protocol.receive(request("history_request", { hist_access_type: "tail", n: 3, output: true }), "shell");
    second.protocol.receive(request("history_request", { hist_access_type: "range", session: 1, start: 2, stop: 3 }), "shell");
    second.protocol.receive(request("history_request", { hist_access_type: "search", pattern: "a*", n: 1 }), "shell");
    await settle();
    const replies = second.sender.sent.filter((s) => s.type === "history_reply").map((s) => s.content.history);
    expect(replies[0]).toEqual([
      [1, 1, ["a1", "<a1>"]],
      [1, 2, ["a2", "<a2>"]],
      [2, 1, ["b1", "<b1>"]],
    ]);
    expect(replies[1]).toEqual([[1, 2, "a2"]]);
    expect(replies[2]).toEqual([[1, 2, "a2"]]);
  });

  it("gives kernels sharing a history file distinct sessions, and keeps the file private", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gb-hist-")), "history.jsonl");
    const a = new History(file);
    const b = new History(file); // started before a wrote any cell
    expect([a.session, b.session]).toEqual([1, 2]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.chmodSync(file, 0o644); // as earlier versions wrote it
    expect(new History(file).session).toBe(3);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("says once why history is not saved", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-hist-"));
    fs.writeFileSync(path.join(dir, "file"), "");
    const h = new History(path.join(dir, "file", "history.jsonl"));
    expect(h.takeProblem()).toMatch(/not saved: cannot write .*GRADBOOK_HISTORY/);
    expect(h.takeProblem()).toBeNull();
  });

  it("answers a signed request it could not read with an error reply", () => {
    const { sender, protocol } = setup();
    const req = request("execute_request");
    protocol.rejected(req.header, req.identities, "shell", "content of execute_request is not a JSON object");
    protocol.rejected(request("comm_msg").header, [], "shell", "bad"); // not a request: no reply
    expect(sender.sent.map((s) => `${s.channel}:${s.type}`)).toEqual(["shell:execute_reply"]);
    expect(sender.sent[0].parent).toBe(req.header.msg_id);
    expect(sender.sent[0].content).toMatchObject({ status: "error", ename: "ProtocolError", execution_count: 0 });
    expect(sender.sent[0].content.evalue).toMatch(/not a JSON object/);
  });

  it("pages TypeScript's text for help(x), else what the runtime found", async () => {
    const { sender, backend, protocol } = setup();
    backend.execute = async (req: RunRequest): Promise<ExecDone> => ({
      t: "done",
      id: req.id,
      status: "ok",
      userExpressions: {},
      payload: [
        { source: "page", data: { "text/plain": "function () { [js] }" }, start: 0, inspect: "twice" },
        { source: "page", data: { "text/plain": "42" }, start: 0 },
      ],
    });
    backend.inspect = async () => ({ found: true, text: "function twice(x: number): number" });
    protocol.receive(request("execute_request", { code: "help(twice); help(42)" }), "shell");
    await settle();
    const reply = sender.sent.find((s) => s.type === "execute_reply")!;
    expect(reply.content.payload).toEqual([
      { source: "page", data: { "text/plain": "function twice(x: number): number" }, start: 0 },
      { source: "page", data: { "text/plain": "42" }, start: 0 },
    ]);
  });
});
