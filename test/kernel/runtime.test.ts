import { describe, expect, it } from "vitest";
import { Runtime } from "../../kernel/runtime";
import { convertCell } from "../../kernel/convert";
import type { ExecDone, MainToIo } from "../../kernel/messages";

const posted: MainToIo[] = [];
const runtime = new Runtime((m) => posted.push(m), { captureStdio: false, prelude: "none" });
let nextId = 0;

function start(source: string, opts: { allowStdin?: boolean; userExpressions?: Record<string, string> } = {}): { id: number; done: Promise<ExecDone> } {
  const c = convertCell(source);
  const id = ++nextId;
  runtime.handle({ t: "exec", id, cell: id, source, js: c.js, lineMap: c.lineMap, prefixLength: c.prefixLength, silent: false, userExpressions: opts.userExpressions ?? {}, allowStdin: opts.allowStdin ?? true });
  const done = new Promise<ExecDone>((resolve) => {
    const poll = () => {
      const d = posted.find((m): m is ExecDone => m.t === "done" && m.id === id);
      if (d) resolve(d);
      else setTimeout(poll, 2);
    };
    poll();
  });
  return { id, done };
}

const exec = (source: string, opts = {}) => start(source, opts).done;

describe("runtime", () => {
  it("returns results as MIME bundles, using a value's own bundle", async () => {
    expect((await exec("6 * 7")).result?.data["text/plain"]).toBe("42");
    const d = await exec('({ toMimeBundle() { return { "text/html": "<b>x</b>" } } })');
    expect(d.result?.data["text/html"]).toBe("<b>x</b>");
    expect(d.result?.data["text/plain"]).toBeDefined();
    const s = await exec('({ [Symbol.for("jupyter.mimebundle")]: () => ({ "text/markdown": "*m*" }) })');
    expect(s.result?.data["text/markdown"]).toBe("*m*");
    expect((await exec("let rtNothing = 1")).result).toBeUndefined();
  });

  it("reports errors with frames on cell lines", async () => {
    const d = await exec("let rtA: number = 1\nfunction rtBoom() {\n  throw new RangeError('bad ' + rtA)\n}\nrtBoom()");
    expect(d.status).toBe("error");
    expect(d.error).toMatchObject({ ename: "RangeError", evalue: "bad 1" });
    const tb = d.error!.traceback.join("\n");
    expect(tb).toMatch(/at rtBoom \(Cell In\[\d+\], line 3\)/);
    expect(tb).toMatch(/at Cell In\[\d+\], line 5\n\s+5 \| rtBoom\(\)/);
    expect(tb).not.toMatch(/dist\/kernel|node:internal/);
    const thrown = await exec('throw "plain string"');
    expect(thrown.error).toMatchObject({ ename: "Thrown string", evalue: "plain string" });
  });

  it("publishes display_data and update_display_data with a display id", async () => {
    posted.length = 0;
    await exec('const rtH = display.html("<i>one</i>", { id: "rt-d" })\nrtH.update("<i>two</i>")\ndisplay.markdown("**m**")');
    const displays = posted.filter((m) => m.t === "display") as Extract<MainToIo, { t: "display" }>[];
    expect(displays.map((d) => [d.update, d.content.data["text/html"] ?? d.content.data["text/markdown"], d.content.transient?.display_id])).toEqual([
      [false, "<i>one</i>", "rt-d"],
      [true, "<i>two</i>", "rt-d"],
      [false, "**m**", undefined],
    ]);
  });

  it("interrupts an awaited promise that never settles and keeps variables", async () => {
    await exec("const rtKeep = 'kept'");
    const { done } = start("await new Promise(() => {})");
    await new Promise((r) => setTimeout(r, 50));
    runtime.handle({ t: "interrupt", seq: 1 });
    const d = await done;
    expect(d.error?.ename).toBe("KeyboardInterrupt");
    expect(posted.some((m) => m.t === "interrupt_ack" && m.seq === 1 && m.running)).toBe(true);
    expect((await exec("rtKeep")).result?.data["text/plain"]).toBe("'kept'");
  });

  it("asks for input through the I/O thread and resumes with the reply", async () => {
    const { done } = start('const rtName = await input("name? ")\n"hi " + rtName');
    let req: Extract<MainToIo, { t: "input_request" }> | undefined;
    while (!req) {
      await new Promise((r) => setTimeout(r, 5));
      req = posted.find((m): m is Extract<MainToIo, { t: "input_request" }> => m.t === "input_request" && m.prompt === "name? ");
    }
    runtime.handle({ t: "input_reply", seq: req.seq, value: "ada" });
    expect((await done).result?.data["text/plain"]).toBe("'hi ada'");
    const refused = await exec('await input("x")', { allowStdin: false });
    expect(refused.error?.evalue).toMatch(/allow_stdin is false/);
  });

  it("evaluates user_expressions after the cell", async () => {
    const d = await exec("const rtU = 5", { userExpressions: { a: "rtU * 2", b: "rtNope.x" } });
    expect(d.userExpressions.a).toMatchObject({ status: "ok", data: { "text/plain": "10" } });
    expect(d.userExpressions.b).toMatchObject({ status: "error", ename: "ReferenceError" });
  });

  it("routes comms both ways and closes comms with no target", async () => {
    posted.length = 0;
    await exec('comms.registerTarget("rt-echo", (comm, data) => comm.onMsg((d) => comm.send({ echo: d, first: data })))');
    runtime.handle({ t: "comm_open", comm_id: "c9", target_name: "rt-echo", data: { hello: 1 }, metadata: {}, buffers: [] });
    runtime.handle({ t: "comm_msg", comm_id: "c9", data: { n: 2 }, metadata: {}, buffers: [] });
    expect(posted.find((m) => m.t === "comm_msg")).toMatchObject({ comm_id: "c9", data: { echo: { n: 2 }, first: { hello: 1 } } });
    runtime.handle({ t: "comm_open", comm_id: "c10", target_name: "nobody", data: {}, metadata: {}, buffers: [] });
    expect(posted.find((m) => m.t === "comm_close")).toMatchObject({ comm_id: "c10" });
    const opened = await exec('const rtC = comms.open("rt-front", { x: 1 })\nrtC.id');
    expect(posted.find((m) => m.t === "comm_open")).toMatchObject({ target_name: "rt-front", data: { x: 1 }, comm_id: opened.result?.data["text/plain"]?.toString().replace(/'/g, "") });
  });

  it("reports errors thrown in callbacks after the cell ended", async () => {
    posted.length = 0;
    runtime.reportAsync(new Error("late"));
    expect(posted.find((m) => m.t === "async_error")).toMatchObject({ error: { ename: "Error", evalue: "late" } });
  });

  it("serves tslab's display API to `import * as tslab from \"tslab\"`", async () => {
    posted.length = 0;
    await exec('import * as tslab from "tslab"\ntslab.display.html("<p>t</p>")\nconst rtNd = tslab.newDisplay()\nrtNd.text("a")\nrtNd.text("b")');
    const displays = posted.filter((m) => m.t === "display") as Extract<MainToIo, { t: "display" }>[];
    expect(displays[0].content.data["text/html"]).toBe("<p>t</p>");
    expect(displays.slice(1).map((d) => [d.update, d.content.data["text/plain"]])).toEqual([
      [false, "a"],
      [true, "b"],
    ]);
    expect(displays[1].content.transient?.display_id).toBe(displays[2].content.transient?.display_id);
  });
});
