/**
 * Kernel benchmark: gradbook against ipykernel and tslab (and IJavascript or Deno's kernel where
 * installed), in the same run, as a Jupyter client would see them.
 *
 *   npm run bench:kernel            (after `npx tsc -p tsconfig.build.json`)
 *   node dist/bench/kernel.js --quick   (fewer repetitions)
 *   node dist/bench/kernel.js --only gradbook,ipykernel
 *
 * Measures cold start (spawn → kernel_info_reply), send-to-idle of `1+1` (median and p90 over
 * 200), of cells a student types (new text every time, so nothing is cached: an expression,
 * and a three-line cell declaring a variable, 100 of each), the overhead of a cell awaiting a
 * 100 ms timer, a cell printing 10,000 lines (all before idle?), 100 display_data in one
 * cell, completion latency (median, p90 over 30), interrupt latency of a busy loop, and peak
 * memory (VmHWM of the kernel process).
 */
import { spawn, ChildProcess, execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { randomUUID } from "crypto";
import * as zmq from "zeromq";
import { decode, encode, makeHeader, Message, Signer } from "../kernel/wire";
import { PACKAGE_ROOT } from "../kernel/paths";

interface Peer {
  name: string;
  argv: (cf: string) => string[];
  code: {
    onePlusOne: string;
    /** The i-th of a series of different expression cells. */
    unique: (i: number) => string;
    /** The i-th of a series of different cells declaring a variable. */
    declaration: (i: number) => string;
    /** A cell awaiting a 100 ms timer (setup first, where the language needs it). */
    awaitSetup?: string;
    await100: string;
    lines: string;
    displays: string;
    completeSetup?: string;
    complete: string;
    busyLoop: string;
  };
}

const TS_CODE: Peer["code"] = {
  onePlusOne: "1+1",
  unique: (i) => `${i} * 2 + 1`,
  declaration: (i) => `let total${i} = 0\nfor (let j = 0; j < 10; j++) total${i} += j * ${i}\ntotal${i}`,
  await100: "await new Promise((r) => setTimeout(r, 100))",
  lines: 'for (let i = 0; i < 10000; i++) console.log("line " + i)',
  displays: 'for (let i = 0; i < 100; i++) display.html("<b>" + i + "</b>")',
  complete: "Math.ab",
  busyLoop: "while (true) {}",
};

function peers(): Peer[] {
  const list: Peer[] = [
    {
      name: "gradbook",
      argv: (cf) => [process.execPath, "--no-force-async-hooks-checks", path.join(PACKAGE_ROOT, "bin", "gradbook.js"), "kernel", cf],
      code: TS_CODE,
    },
    {
      name: "ipykernel",
      argv: (cf) => ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", cf],
      code: {
        onePlusOne: "1+1",
        unique: (i) => `${i} * 2 + 1`,
        declaration: (i) => `total${i} = 0\nfor j in range(10): total${i} += j * ${i}\ntotal${i}`,
        awaitSetup: "import asyncio",
        await100: "await asyncio.sleep(0.1)",
        lines: 'for i in range(10000): print("line", i)',
        displays: "from IPython.display import display, HTML\nfor i in range(100): display(HTML(f'<b>{i}</b>'))",
        completeSetup: "import math",
        complete: "math.fa",
        busyLoop: "while True: pass",
      },
    },
  ];
  const tslab = path.join(PACKAGE_ROOT, "node_modules", ".bin", "tslab");
  if (fs.existsSync(tslab)) {
    list.push({
      name: "tslab",
      argv: (cf) => [tslab, "kernel", "--config-path", cf],
      code: { ...TS_CODE, displays: 'import * as tslab from "tslab"\nfor (let i = 0; i < 100; i++) tslab.display.html("<b>" + i + "</b>")' },
    });
  }
  const which = (cmd: string) => {
    try {
      return execFileSync("which", [cmd], { encoding: "utf8" }).trim() || null;
    } catch {
      return null;
    }
  };
  const deno = which("deno");
  if (deno) {
    list.push({
      name: "deno",
      argv: (cf) => [deno, "jupyter", "--kernel", "--conn", cf],
      code: { ...TS_CODE, displays: 'for (let i = 0; i < 100; i++) await Deno.jupyter.display({ "text/html": "<b>" + i + "</b>" }, { raw: true })' },
    });
  }
  const ijs = which("ijskernel");
  if (ijs) {
    list.push({
      name: "ijavascript",
      argv: (cf) => [ijs, cf],
      code: { ...TS_CODE, displays: 'for (let i = 0; i < 100; i++) $$.html("<b>" + i + "</b>")' },
    });
  }
  return list;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

type Waiter = { pred: (m: Message) => boolean; resolve: (m: Message) => void };

/** A minimal Jupyter client: shell, control and iopub. */
class Client {
  readonly signer: Signer;
  readonly session = randomUUID();
  private shell = new zmq.Dealer({ linger: 0 });
  private control = new zmq.Dealer({ linger: 0 });
  private iopub = new zmq.Subscriber({ linger: 0 });
  private shellWaiters: Waiter[] = [];
  iopubLog: { msg: Message; at: number }[] = [];
  private iopubWaiters: Waiter[] = [];
  private closed = false;

  constructor(readonly conn: Record<string, any>) {
    this.signer = new Signer(conn.key);
    const addr = (p: number) => `tcp://127.0.0.1:${p}`;
    this.shell.connect(addr(conn.shell_port));
    this.control.connect(addr(conn.control_port));
    this.iopub.connect(addr(conn.iopub_port));
    this.iopub.subscribe();
    void this.loop(this.shell, () => this.shellWaiters, false);
    void this.loop(this.iopub, () => this.iopubWaiters, true);
    void this.loop(this.control, () => this.shellWaiters, false);
  }

  private async loop(sock: zmq.Dealer | zmq.Subscriber, waiters: () => Waiter[], log: boolean): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await sock.receive();
      } catch {
        return;
      }
      const r = decode(frames, this.signer);
      if (!r.ok) continue;
      if (log) this.iopubLog.push({ msg: r.msg, at: performance.now() });
      const ws = waiters();
      const i = ws.findIndex((w) => w.pred(r.msg));
      if (i >= 0) ws.splice(i, 1)[0].resolve(r.msg);
    }
  }

  send(type: string, content: unknown, channel: "shell" | "control" = "shell"): string {
    const header = makeHeader(type, this.session);
    const msg: Message = { identities: [], header, parent_header: {}, metadata: {}, content, buffers: [] };
    void (channel === "shell" ? this.shell : this.control).send(encode(msg, this.signer));
    return header.msg_id;
  }

  reply(msgId: string, timeoutMs: number): Promise<Message> {
    return this.wait(this.shellWaiters, (m) => m.parent_header.msg_id === msgId, timeoutMs);
  }

  idle(msgId: string, timeoutMs: number): Promise<Message> {
    const seen = this.iopubLog.find((e) => e.msg.parent_header.msg_id === msgId && e.msg.header.msg_type === "status" && e.msg.content.execution_state === "idle");
    if (seen) return Promise.resolve(seen.msg);
    return this.wait(this.iopubWaiters, (m) => m.parent_header.msg_id === msgId && m.header.msg_type === "status" && m.content.execution_state === "idle", timeoutMs);
  }

  private wait(list: Waiter[], pred: (m: Message) => boolean, timeoutMs: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const w: Waiter = { pred, resolve: (m) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        const i = list.indexOf(w);
        if (i >= 0) list.splice(i, 1);
        reject(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      list.push(w);
    });
  }

  async execute(code: string, timeoutMs = 30_000): Promise<{ ms: number; reply: Message }> {
    const t0 = performance.now();
    const id = this.send("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const [reply] = await Promise.all([this.reply(id, timeoutMs), this.idle(id, timeoutMs)]);
    return { ms: performance.now() - t0, reply };
  }

  close(): void {
    this.closed = true;
    this.shell.close();
    this.control.close();
    this.iopub.close();
  }
}

function peakMemoryMiB(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

interface Result {
  coldStartS?: number;
  firstCellS?: number;
  onePlusOneMedianMs?: number;
  onePlusOneP90Ms?: number;
  uniqueMedianMs?: number;
  uniqueP90Ms?: number;
  declarationMedianMs?: number;
  declarationP90Ms?: number;
  awaitOverheadMs?: number;
  linesS?: number | string;
  linesBeforeIdle?: number;
  displaysS?: number | string;
  displaysBeforeIdle?: number;
  completeMedianMs?: number;
  completeP90Ms?: number;
  interruptMs?: number | string;
  peakMiB?: number | null;
  error?: string;
}

async function measure(peer: Peer, reps: number): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-bench-"));
  const conn = {
    transport: "tcp",
    ip: "127.0.0.1",
    shell_port: await freePort(),
    iopub_port: await freePort(),
    stdin_port: await freePort(),
    control_port: await freePort(),
    hb_port: await freePort(),
    key: randomUUID(),
    signature_scheme: "hmac-sha256",
    kernel_name: peer.name,
  };
  const cf = path.join(dir, "connection.json");
  fs.writeFileSync(cf, JSON.stringify(conn));
  const argv = peer.argv(cf);
  const res: Result = {};
  const client = new Client(conn);
  const t0 = performance.now();
  const child: ChildProcess = spawn(argv[0], argv.slice(1), {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, GRADBOOK_HISTORY: path.join(dir, "history.jsonl"), GRADBOOK_QUIET: "1", OMP_WAIT_POLICY: "PASSIVE" },
    cwd: dir,
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d.toString()));
  try {
    // Ask until answered: some kernels drop requests that arrive before they listen.
    let info: Message | null = null;
    while (!info && performance.now() - t0 < 30_000) {
      const id = client.send("kernel_info_request", {});
      info = await client.reply(id, 50).catch(() => null);
    }
    if (!info) throw new Error("no kernel_info_reply within 30 s");
    res.coldStartS = (performance.now() - t0) / 1000;
    // Ready to run code: the prelude loaded and (gradbook) the type checker warm.
    const first = client.send("execute_request", { code: peer.code.onePlusOne, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    await client.reply(first, 60_000);
    res.firstCellS = (performance.now() - t0) / 1000;
    // IOPub subscriptions take a moment to reach the publisher.
    for (let i = 0; i < 15; i++) {
      try {
        await client.execute(peer.code.onePlusOne, 2000);
        break;
      } catch {
        // not subscribed yet
      }
    }
    try {
      for (let i = 0; i < 5; i++) await client.execute(peer.code.onePlusOne);
      const times: number[] = [];
      for (let i = 0; i < reps; i++) times.push((await client.execute(peer.code.onePlusOne)).ms);
      res.onePlusOneMedianMs = quantile(times, 0.5);
      res.onePlusOneP90Ms = quantile(times, 0.9);
    } catch (e) {
      res.error = `1+1: ${(e as Error).message}`;
    }

    // Cells a student types: new text each time. Numbered from the start of the series, so a
    // second run of the benchmark against the same kernel would not repeat one either.
    try {
      const series = reps === 200 ? 100 : 40;
      const u: number[] = [];
      const d: number[] = [];
      for (let i = 0; i < series; i++) {
        u.push((await client.execute(peer.code.unique(1000 + i))).ms);
        d.push((await client.execute(peer.code.declaration(i))).ms);
      }
      res.uniqueMedianMs = quantile(u, 0.5);
      res.uniqueP90Ms = quantile(u, 0.9);
      res.declarationMedianMs = quantile(d, 0.5);
      res.declarationP90Ms = quantile(d, 0.9);
      if (peer.code.awaitSetup) await client.execute(peer.code.awaitSetup);
      const w: number[] = [];
      for (let i = 0; i < 7; i++) w.push((await client.execute(peer.code.await100)).ms - 100);
      res.awaitOverheadMs = quantile(w.slice(1), 0.5);
    } catch (e) {
      res.error = `${res.error ? res.error + "; " : ""}unique cells: ${(e as Error).message}`;
    }

    const countStreams = async (code: string, count: (m: Message) => number) => {
      const before = client.iopubLog.length;
      try {
        const r = await client.execute(code, 30_000);
        const idleAt = client.iopubLog.findIndex((e, i) => i >= before && e.msg.parent_header.msg_id === r.reply.parent_header.msg_id && e.msg.header.msg_type === "status" && e.msg.content.execution_state === "idle");
        let n = 0;
        for (let i = before; i < idleAt; i++) n += count(client.iopubLog[i].msg);
        return { s: r.ms / 1000, before: n };
      } catch (e) {
        return { s: `timeout (${(e as Error).message})`, before: NaN };
      }
    };
    const lines = await countStreams(peer.code.lines, (m) => (m.header.msg_type === "stream" ? (m.content.text.match(/\n/g) ?? []).length : 0));
    res.linesS = lines.s;
    res.linesBeforeIdle = lines.before;
    const displays = await countStreams(peer.code.displays, (m) => (m.header.msg_type === "display_data" ? 1 : 0));
    res.displaysS = displays.s;
    res.displaysBeforeIdle = displays.before;

    if (peer.code.completeSetup) await client.execute(peer.code.completeSetup);
    const ctimes: number[] = [];
    try {
      for (let i = 0; i < 31; i++) {
        const c0 = performance.now();
        const id = client.send("complete_request", { code: peer.code.complete, cursor_pos: peer.code.complete.length });
        await client.reply(id, 30_000);
        if (i > 0) ctimes.push(performance.now() - c0); // the first may load the language service
      }
      res.completeMedianMs = quantile(ctimes, 0.5);
      res.completeP90Ms = quantile(ctimes, 0.9);
    } catch (e) {
      res.error = `${res.error ? res.error + "; " : ""}completion: ${(e as Error).message}`;
    }
    // Interrupt latency: interrupt_request (control) → execute_reply of a busy loop.
    try {
      const loopId = client.send("execute_request", { code: peer.code.busyLoop, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
      await new Promise((r) => setTimeout(r, 500));
      const i0 = performance.now();
      client.send("interrupt_request", {}, "control");
      await client.reply(loopId, 10_000);
      res.interruptMs = performance.now() - i0;
    } catch (e) {
      res.interruptMs = `no reply (${(e as Error).message})`;
    }
    res.peakMiB = peakMemoryMiB(child.pid!);
  } catch (e) {
    res.error = `${res.error ? res.error + "; " : ""}${(e as Error).message}${stderr ? `; stderr: ${stderr.slice(-300)}` : ""}`;
    res.peakMiB = peakMemoryMiB(child.pid!);
  } finally {
    try {
      client.send("shutdown_request", { restart: false }, "control");
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      child.kill("SIGKILL");
      client.close();
    }
  }
  return res;
}

function fmt(v: unknown, digits = 2): string {
  if (typeof v === "number") return Number.isFinite(v) ? v.toFixed(digits) : String(v);
  return v === undefined || v === null ? "–" : String(v);
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const reps = quick ? 50 : 200;
  const results = new Map<string, Result>();
  const only = process.argv.indexOf("--only");
  const wanted = only >= 0 ? new Set(process.argv[only + 1].split(",")) : null;
  for (const peer of peers().filter((p) => !wanted || wanted.has(p.name))) {
    process.stdout.write(`measuring ${peer.name}…\n`);
    results.set(peer.name, await measure(peer, reps));
  }
  const rows: [string, keyof Result, number, boolean][] = [
    ["cold start to kernel_info_reply (s)", "coldStartS", 3, true],
    ["spawn to first 1+1 execute_reply (s)", "firstCellS", 3, true],
    [`send-to-idle 1+1 median (ms, n=${reps})`, "onePlusOneMedianMs", 2, true],
    [`send-to-idle 1+1 p90 (ms)`, "onePlusOneP90Ms", 2, true],
    ["send-to-idle, new expression cells, median (ms)", "uniqueMedianMs", 2, true],
    ["  p90 (ms)", "uniqueP90Ms", 2, true],
    ["send-to-idle, new declaration cells, median (ms)", "declarationMedianMs", 2, true],
    ["  p90 (ms)", "declarationP90Ms", 2, true],
    ["await of a 100 ms timer: overhead, median (ms)", "awaitOverheadMs", 2, true],
    ["10,000 printed lines (s)", "linesS", 3, true],
    ["  lines received before idle", "linesBeforeIdle", 0, false],
    ["100 display_data in one cell (s)", "displaysS", 3, true],
    ["  display_data before idle", "displaysBeforeIdle", 0, false],
    ["completion median (ms, n=30)", "completeMedianMs", 2, true],
    ["completion p90 (ms)", "completeP90Ms", 2, true],
    ["interrupt of while(true) to execute_reply (ms)", "interruptMs", 0, true],
    ["peak memory (MiB)", "peakMiB", 0, true],
  ];
  const names = [...results.keys()];
  const g = results.get("gradbook") ?? {};
  const header = ["", ...names, ...names.filter((n) => n !== "gradbook").map((n) => `gradbook/${n}`)];
  const table: string[][] = [header];
  for (const [label, key, digits, ratio] of rows) {
    const row = [label, ...names.map((n) => fmt(results.get(n)![key], digits))];
    for (const n of names.filter((x) => x !== "gradbook")) {
      const a = g[key];
      const b = results.get(n)![key];
      row.push(ratio && typeof a === "number" && typeof b === "number" && b > 0 ? `${(a / b).toFixed(2)}×` : "–");
    }
    table.push(row);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) process.stdout.write(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ") + "\n");
  for (const [n, r] of results) if (r.error) process.stdout.write(`${n}: ${r.error}\n`);
  process.stdout.write(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
