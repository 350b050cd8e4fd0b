/**
 * The kernel's heap-limit restart (kernel/heap-limit.ts), in child processes that call it as
 * bin/gradbook.js does: restarted only where V8's heap is larger than the memory limit allows,
 * with the same pid (execve from the native addon) or, without the addon, as a child process;
 * output, arguments and the exit status survive the restart either way.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { heapMiBFor } from "../../kernel/heap-limit";

const root = path.join(__dirname, "..", "..");
const heapLimit = path.join(root, "dist", "kernel", "heap-limit.js");
const addonBuilt = fs.existsSync(path.join(root, "build", "Release", "gradbook_native.node"));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-heap-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Stands in for bin/gradbook.js: the restarted process runs the same script, and reports.
const launcher = path.join(tmp, "launcher.js");
fs.writeFileSync(launcher, `
  const first = !process.env.GRADBOOK_HEAP_LIMIT_FROM;
  if (first) process.stderr.write("launcher pid " + process.pid + "\\n");
  if (!require(${JSON.stringify(heapLimit)}).relaunchWithHeapLimit()) {
    console.log(JSON.stringify({
      pid: process.pid,
      heapMiB: require("v8").getHeapStatistics().heap_size_limit / 2 ** 20,
      execArgv: process.execArgv,
      args: process.argv.slice(2),
      from: process.env.GRADBOOK_HEAP_LIMIT_FROM ?? null,
    }));
    process.exitCode = Number(process.argv[3] ?? 0);
  }
`);

function launch(env: Record<string, string | undefined>, args: string[] = ["kernel", "0"]) {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e.GRADBOOK_MEMORY_LIMIT;
  delete e.NODE_OPTIONS;
  delete e.GRADBOOK_HEAP_LIMIT_FROM;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k]; else e[k] = v;
  const r = spawnSync(process.execPath, ["--no-force-async-hooks-checks", launcher, ...args], { encoding: "utf8", env: e, timeout: 60_000 });
  const launcherPid = Number(/launcher pid (\d+)/.exec(r.stderr)?.[1]);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "null");
  return { status: r.status, stderr: r.stderr, launcherPid, ...out };
}

const MiB = 2 ** 20;

describe.skipIf(!fs.existsSync(heapLimit))("the kernel's heap limit", () => {
  it("is half the memory limit, at least 128 MiB", () => {
    expect(heapMiBFor(512 * MiB)).toBe(256);
    expect(heapMiBFor(2048 * MiB)).toBe(1024);
    expect(heapMiBFor(100 * MiB)).toBe(128);
  });

  it("no limit short of the machine: no restart", () => {
    const r = launch({});
    expect(r.status).toBe(0);
    expect(r.from).toBeNull();
    expect(r.pid).toBe(r.launcherPid);
    expect(r.execArgv).toEqual(["--no-force-async-hooks-checks"]);
  });

  it("a heap size set by hand stands (NODE_OPTIONS)", () => {
    const r = launch({ GRADBOOK_MEMORY_LIMIT: String(512 * MiB), NODE_OPTIONS: "--max-old-space-size=300" });
    expect(r.from).toBeNull();
    expect(r.heapMiB).toBeGreaterThan(300);
    expect(r.heapMiB).toBeLessThan(400);
  });

  it.skipIf(!addonBuilt)("a 512 MiB limit restarts Node in place (same pid) with a 256 MiB old space, keeping flags, arguments and the exit status", () => {
    const r = launch({ GRADBOOK_MEMORY_LIMIT: String(512 * MiB) }, ["kernel", "3"]);
    expect(r.status).toBe(3);
    expect(r.pid).toBe(r.launcherPid);
    expect(r.execArgv).toEqual(["--no-force-async-hooks-checks", "--max-old-space-size=256"]);
    expect(r.args).toEqual(["kernel", "3"]);
    expect(r.from).toBe("GRADBOOK_MEMORY_LIMIT (512 MiB)");
    expect(r.heapMiB).toBeLessThan(320);
  });

  it("without the native addon, the kernel runs as a child with the heap limit and its exit status is passed on", () => {
    const r = launch({ GRADBOOK_MEMORY_LIMIT: String(512 * MiB), GRADBOOK_NATIVE_PATH: path.join(tmp, "missing.node") }, ["kernel", "5"]);
    expect(r.status).toBe(5);
    expect(r.pid).not.toBe(r.launcherPid);
    expect(r.execArgv).toEqual(["--no-force-async-hooks-checks", "--max-old-space-size=256"]);
    expect(r.heapMiB).toBeLessThan(320);
  });
});
