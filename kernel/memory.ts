/**
 * How much memory the kernel may still use before the system kills it: the least of the
 * machine's MemAvailable, the cgroup's limit minus its usage (v2, else v1) and
 * $GRADBOOK_MEMORY_LIMIT minus the process's resident size. The native addon computes the
 * same for large tensors (native/cpu/alloc.cc); this one watches everything else (JavaScript
 * arrays, typed arrays of the js backend) while a cell runs.
 */
import * as fs from "fs";

export interface Availability {
  bytes: number;
  /** What decided, in words. */
  source: string;
}

function readNumber(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isFinite(n) ? n : null; // "max": no limit
  } catch {
    return null;
  }
}

const MiB = 2 ** 20;

/** Whether any limit short of the whole machine applies (only then is watching worth it). */
export function limited(): boolean {
  return !!process.env.GRADBOOK_MEMORY_LIMIT || readNumber("/sys/fs/cgroup/memory.max") !== null || (readNumber("/sys/fs/cgroup/memory/memory.limit_in_bytes") ?? Infinity) < 2 ** 60;
}

export function available(): Availability {
  let best: Availability = { bytes: Infinity, source: "" };
  const consider = (bytes: number, source: string) => {
    if (bytes < best.bytes) best = { bytes: Math.max(0, bytes), source };
  };
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(fs.readFileSync("/proc/meminfo", "utf8"));
    if (m) consider(Number(m[1]) * 1024, "the machine's available memory");
  } catch {
    // not Linux
  }
  const max2 = readNumber("/sys/fs/cgroup/memory.max");
  const cur2 = readNumber("/sys/fs/cgroup/memory.current");
  if (max2 !== null && cur2 !== null) consider(max2 - cur2, `the container's memory limit (cgroup memory.max ${Math.round(max2 / MiB)} MiB)`);
  else {
    const max1 = readNumber("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    const cur1 = readNumber("/sys/fs/cgroup/memory/memory.usage_in_bytes");
    if (max1 !== null && cur1 !== null && max1 < 2 ** 60) consider(max1 - cur1, `the container's memory limit (cgroup ${Math.round(max1 / MiB)} MiB)`);
  }
  const limit = Number(process.env.GRADBOOK_MEMORY_LIMIT);
  if (limit > 0) consider(limit - process.memoryUsage.rss(), `GRADBOOK_MEMORY_LIMIT (${Math.round(limit / MiB)} MiB)`);
  return best;
}

export function describe(a: Availability): string {
  return Number.isFinite(a.bytes) ? `${Math.round(a.bytes / MiB)} MiB left (${a.source})` : "no limit known";
}
