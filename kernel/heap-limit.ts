/**
 * V8's heap limit from the memory limit. V8 sizes its heap from the machine's memory, or from
 * the process's own cgroup where Node finds one, but not from a limit set on a parent cgroup
 * (a job in a systemd slice, a test's nested cgroup) or from $GRADBOOK_MEMORY_LIMIT. A heap
 * allowed to grow past the memory limit ends in the out-of-memory killer, with no message in
 * the cell; a heap limit under it ends in V8's near-heap-limit callback, which the kernel turns
 * into a MemoryError while every variable survives (kernel/runtime.ts).
 *
 * So `gradbook kernel` starts Node again with --max-old-space-size when the heap V8 chose is
 * larger than the memory limit allows, and only then: the check reads a few small files, where
 * a second start of Node costs tens of milliseconds. The restart keeps the pid (execve, from the
 * native addon), so the Jupyter client that started the kernel still signals and waits on it.
 */
import { spawn } from "child_process";
import * as v8 from "v8";
import { memoryLimit, type MemoryFigure } from "../lib/memory-limit";

const MiB = 2 ** 20;

/** Set in the restarted kernel: where its heap limit came from (and a guard against restarting twice). */
export const HEAP_SOURCE_ENV = "GRADBOOK_HEAP_LIMIT_FROM";

/**
 * The old-space size (MiB) for a memory limit: half of it, as V8 itself chooses for a process
 * whose cgroup it sees, leaving the rest for native tensors, the kernel's other threads and
 * the code; at least 128 MiB.
 */
export function heapMiBFor(limitBytes: number): number {
  return Math.max(128, Math.floor(limitBytes / MiB / 2));
}

/** Whether the heap size was chosen by hand (a flag to node or in NODE_OPTIONS): that choice stands. */
function explicitHeapFlag(): boolean {
  const flag = /--max[-_]old[-_]space[-_]size/;
  return process.execArgv.some((a) => flag.test(a)) || flag.test(process.env.NODE_OPTIONS ?? "");
}

export interface HeapPlan {
  /** The old-space size to restart with, in MiB. */
  heapMiB: number;
  /** V8's heap limit now, in MiB. */
  currentMiB: number;
  limit: MemoryFigure;
}

/**
 * The heap limit to restart with, or null when the current one fits: no limit short of the
 * machine applies, the size was set by hand, this is the restarted process, or V8 already chose
 * a heap within a quarter of the one wanted (Node read the cgroup itself).
 */
export function heapPlan(): HeapPlan | null {
  if (process.env[HEAP_SOURCE_ENV] !== undefined || explicitHeapFlag()) return null;
  const limit = memoryLimit();
  if (limit.source.startsWith("the machine's")) return null;
  const heapMiB = heapMiBFor(limit.bytes);
  const currentMiB = v8.getHeapStatistics().heap_size_limit / MiB;
  if (currentMiB <= heapMiB * 1.25) return null;
  return { heapMiB, currentMiB, limit };
}

/**
 * Restarts this process with the heap limit `heapPlan` chose, if it chose one; returns false
 * when the current process should go on. With the native addon the restart replaces the
 * process (same pid); without it, a child process runs the kernel and this one forwards
 * signals to it and exits with its status.
 */
export function relaunchWithHeapLimit(): boolean {
  let plan: HeapPlan | null;
  try {
    plan = heapPlan();
  } catch {
    return false; // the limit could not be read: V8's own heap limit stays
  }
  if (plan === null) return false;
  const args = [...process.execArgv, `--max-old-space-size=${plan.heapMiB}`, ...process.argv.slice(1)];
  const env = { ...process.env, [HEAP_SOURCE_ENV]: plan.limit.source };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadAddon } = require("../lib/backends/native/addon") as typeof import("../lib/backends/native/addon");
    const addon = loadAddon();
    if (addon.execve) addon.execve(process.execPath, [process.execPath, ...args], Object.entries(env).map(([k, v]) => `${k}=${v}`));
  } catch {
    // no addon (or execve refused): fall back to a child process
  }
  const child = spawn(process.execPath, args, { stdio: "inherit", env });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const) {
    process.on(sig, () => child.kill(sig));
  }
  child.on("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
  return true;
}
