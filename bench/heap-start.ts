/**
 * What the kernel's heap-limit restart costs at start-up (kernel/heap-limit.ts): spawn to
 * kernel_info_reply and to the first `1+1` execute_reply of `gradbook kernel`, interleaved
 * over rounds, in three set-ups:
 *   - no limit: the check reads a few files and the kernel goes on (no restart);
 *   - GRADBOOK_MEMORY_LIMIT=512 MiB: V8's default heap is larger, so Node is started again
 *     with --max-old-space-size (execve, same pid);
 *   - the same limit with NODE_OPTIONS=--max-old-space-size=256: the same heap, set by hand,
 *     so no restart. Its ratio to the restarted set-up is the restart's cost.
 *
 * Run: node dist/bench/heap-start.js [rounds]   (after `npx tsc -p tsconfig.build.json`)
 */
import { spawn } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as zmq from "zeromq";
import { decode, encode, makeHeader, type Message, Signer } from "../kernel/wire";
import { PACKAGE_ROOT } from "../kernel/paths";
import { heapPlan } from "../kernel/heap-limit";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Seconds from spawn to kernel_info_reply and to the first execute_reply. */
async function start(env: Record<string, string | undefined>): Promise<{ info: number; first: number; pidKept: boolean }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-heapstart-"));
  const ports = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
  const conn = { transport: "tcp", ip: "127.0.0.1", shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4], key: randomUUID(), signature_scheme: "hmac-sha256" };
  const cf = path.join(dir, "connection.json");
  fs.writeFileSync(cf, JSON.stringify(conn));
  const signer = new Signer(conn.key);
  const shell = new zmq.Dealer({ linger: 0 });
  shell.connect(`tcp://127.0.0.1:${conn.shell_port}`);
  const session = randomUUID();
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--no-force-async-hooks-checks", path.join(PACKAGE_ROOT, "bin", "gradbook.js"), "kernel", cf], {
    stdio: ["ignore", "ignore", "ignore"],
    env: { ...process.env, GRADBOOK_HISTORY: path.join(dir, "history.jsonl"), GRADBOOK_QUIET: "1", ...env } as NodeJS.ProcessEnv,
    cwd: dir,
  });
  // One receive at a time on a socket: a loop hands every reply to whoever waits for its id.
  const waiting = new Map<string, (m: Message) => void>();
  let open = true;
  void (async () => {
    while (open) {
      let frames: Buffer[];
      try {
        frames = await shell.receive();
      } catch {
        return;
      }
      const r = decode(frames, signer);
      if (r.ok) waiting.get(r.msg.parent_header.msg_id as string)?.(r.msg);
    }
  })();
  const request = async (type: string, content: unknown, timeoutMs: number): Promise<Message | null> => {
    const header = makeHeader(type, session);
    const got = new Promise<Message | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      waiting.set(header.msg_id, (m) => (clearTimeout(timer), resolve(m)));
    });
    await shell.send(encode({ identities: [], header, parent_header: {}, metadata: {}, content, buffers: [] }, signer));
    const m = await got;
    waiting.delete(header.msg_id);
    return m;
  };
  try {
    let info: Message | null = null;
    while (!info && performance.now() - t0 < 30_000) info = await request("kernel_info_request", {}, 50);
    if (!info) throw new Error("no kernel_info_reply within 30 s");
    const tInfo = (performance.now() - t0) / 1000;
    const reply = await request("execute_request", { code: "1+1", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, 60_000);
    if (!reply) throw new Error("no execute_reply within 60 s");
    const tFirst = (performance.now() - t0) / 1000;
    // The restarted kernel keeps the pid that was spawned (execve), so clients still reach it.
    const pidKept = fs.existsSync(`/proc/${child.pid}`) && fs.readFileSync(`/proc/${child.pid}/cmdline`, "utf8").includes("kernel");
    return { info: tInfo, first: tFirst, pidKept };
  } finally {
    child.kill("SIGKILL");
    open = false;
    shell.close();
    await new Promise((r) => child.once("exit", r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  const limit = String(512 * 2 ** 20);
  const setups: [string, Record<string, string | undefined>][] = [
    ["no limit (no restart)", { GRADBOOK_MEMORY_LIMIT: undefined, NODE_OPTIONS: undefined }],
    ["512 MiB limit, restarted with a heap limit", { GRADBOOK_MEMORY_LIMIT: limit, NODE_OPTIONS: undefined }],
    ["512 MiB limit, heap set by hand (no restart)", { GRADBOOK_MEMORY_LIMIT: limit, NODE_OPTIONS: "--max-old-space-size=256" }],
  ];
  const saved = process.env.GRADBOOK_MEMORY_LIMIT;
  process.env.GRADBOOK_MEMORY_LIMIT = limit;
  const plan = heapPlan();
  if (saved === undefined) delete process.env.GRADBOOK_MEMORY_LIMIT;
  else process.env.GRADBOOK_MEMORY_LIMIT = saved;
  console.log(plan ? `with a 512 MiB limit the kernel restarts with --max-old-space-size=${plan.heapMiB} (V8 chose ${Math.round(plan.currentMiB)} MiB)` : "with a 512 MiB limit no restart is needed on this machine");
  const t = performance.now();
  for (let i = 0; i < 1000; i++) heapPlan();
  console.log(`the check itself (heapPlan): ${((performance.now() - t) / 1000).toFixed(3)} ms a call`);
  const info = new Map<string, number[]>(), first = new Map<string, number[]>();
  await start({}); // warm the disk cache and the TypeScript code cache
  for (let r = 0; r < rounds; r++) {
    for (const [name, env] of setups) {
      const s = await start(env);
      if (!s.pidKept) throw new Error(`${name}: the spawned pid is not the kernel any more`);
      (info.get(name) ?? info.set(name, []).get(name)!).push(s.info);
      (first.get(name) ?? first.set(name, []).get(name)!).push(s.first);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`median of ${rounds} interleaved starts (s):`);
  for (const [name] of setups) console.log(`  ${name.padEnd(48)} kernel_info_reply ${median(info.get(name)!).toFixed(3)}  first 1+1 ${median(first.get(name)!).toFixed(3)}`);
  const a = setups[1][0], b = setups[2][0];
  console.log(`restart cost: kernel_info_reply ${((median(info.get(a)!) - median(info.get(b)!)) * 1000).toFixed(0)} ms (${(median(info.get(a)!) / median(info.get(b)!)).toFixed(2)}×), ` +
    `first cell ${((median(first.get(a)!) - median(first.get(b)!)) * 1000).toFixed(0)} ms (${(median(first.get(a)!) / median(first.get(b)!)).toFixed(2)}×)`);
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
