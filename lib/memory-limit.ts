/**
 * The memory this process may use, read in one place: the machine's memory, the memory cgroup
 * the process is in (cgroup v1's memory controller or the v2 unified hierarchy, every level up
 * to the mount's root, so a limit set on a parent applies too) and $GRADBOOK_MEMORY_LIMIT.
 * The engine's collection budget, the kernel's memory watch, the kernel's V8 heap limit and the
 * native allocator's check (given the files found here when the addon loads) all use it.
 *
 * The process's own cgroup is found from /proc/self/cgroup and /proc/self/mountinfo, not
 * assumed to be the mount's root: that is right inside a container (which sees its own cgroup
 * as the root) but wrong for a process in a child cgroup on a host (a systemd slice or scope,
 * a batch job, a test's cgroup), whose limit is further down.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** One cgroup level with a memory limit: its limit and the file holding its current usage. */
export interface CgroupLevel {
  /** The cgroup's directory, e.g. /sys/fs/cgroup/memory/user.slice/job-1. */
  dir: string;
  /** 1 or 2. */
  version: 1 | 2;
  /** The file with the limit (memory.max or memory.limit_in_bytes). */
  limitFile: string;
  /** The file with the usage of the cgroup and its descendants (memory.current or memory.usage_in_bytes). */
  usageFile: string;
}

/** A figure in bytes and what decided it, in words. */
export interface MemoryFigure {
  bytes: number;
  source: string;
}

/** Where to read from; tests point it at a made-up tree. */
export interface MemoryFiles {
  /** /proc/self/cgroup */
  cgroup?: string;
  /** /proc/self/mountinfo */
  mountinfo?: string;
}

const MiB = 2 ** 20;
/** cgroup v1 writes "no limit" as a huge page-aligned number (2^63 - 4096 on 64-bit). */
const V1_UNLIMITED = 2 ** 60;

function read(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** A limit or usage file's number; null for "max", a missing file or garbage. */
export function readBytes(file: string): number | null {
  const s = read(file);
  if (s === null) return null;
  const n = Number(s.trim());
  return s.trim() !== "" && Number.isFinite(n) && n >= 0 ? n : null;
}

interface Mount {
  /** The cgroup path the mount shows at its mount point ("/" on a host, the container's own cgroup inside one). */
  root: string;
  point: string;
  version: 1 | 2;
}

/** Unescapes mountinfo's octal escapes (\040 for a space). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The v1 memory mount and the v2 mount, from /proc/self/mountinfo. */
function mounts(mountinfo: string): { v1: Mount | null; v2: Mount | null } {
  let v1: Mount | null = null, v2: Mount | null = null;
  for (const line of mountinfo.split("\n")) {
    // id parent major:minor root mount-point options [optional fields] - fstype source super-options
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const f = line.slice(0, sep).split(" ");
    const [fstype, , superOpts = ""] = line.slice(sep + 3).split(" ");
    if (f.length < 5) continue;
    const m = { root: unescape(f[3]), point: unescape(f[4]) };
    if (fstype === "cgroup2" && v2 === null) v2 = { ...m, version: 2 };
    else if (fstype === "cgroup" && v1 === null && superOpts.split(",").includes("memory")) v1 = { ...m, version: 1 };
  }
  return { v1, v2 };
}

/**
 * The directory of cgroup `cgPath` under a mount. A mount shows the hierarchy from its root
 * ("/" on a host, the container's own cgroup inside one without a cgroup namespace); a path
 * outside what it shows (or "/.." under a namespace) falls back to the mount point.
 */
function dirOf(m: Mount, cgPath: string): string {
  const root = m.root === "/" ? "" : m.root.replace(/\/+$/, "");
  let rel: string;
  if (root === "") rel = cgPath;
  else if (cgPath === root) rel = "/";
  else if (cgPath.startsWith(root + "/")) rel = cgPath.slice(root.length);
  else return m.point;
  const dir = path.join(m.point, rel);
  return dir === m.point || dir.startsWith(m.point + "/") ? dir.replace(/\/+$/, "") : m.point;
}

/**
 * The memory cgroup levels of this process that hold a limit, innermost first: its own cgroup
 * and every parent up to the mount point, under v1's memory controller and under v2 (a hybrid
 * machine may have both; only the one with the memory controller has limit files). Empty where
 * no cgroup limits memory or cgroups are not readable. Without /proc/self/mountinfo, the usual
 * mount points' roots are read, as inside a container.
 */
export function cgroupLevels(files: MemoryFiles = {}): CgroupLevel[] {
  const cgroup = read(files.cgroup ?? "/proc/self/cgroup");
  const mountinfo = read(files.mountinfo ?? "/proc/self/mountinfo");
  const out: CgroupLevel[] = [];
  const add = (dir: string, version: 1 | 2) => {
    const limitFile = path.join(dir, version === 2 ? "memory.max" : "memory.limit_in_bytes");
    const limit = readBytes(limitFile);
    if (limit === null || (version === 1 && limit >= V1_UNLIMITED)) return;
    out.push({ dir, version, limitFile, usageFile: path.join(dir, version === 2 ? "memory.current" : "memory.usage_in_bytes") });
  };
  if (cgroup === null || mountinfo === null) {
    add("/sys/fs/cgroup", 2);
    if (out.length === 0) add("/sys/fs/cgroup/memory", 1);
    return out;
  }
  let v1Path: string | null = null, v2Path: string | null = null;
  for (const line of cgroup.split("\n")) {
    // hierarchy-id:controllers:path (the path may itself hold colons)
    const a = line.indexOf(":"), b = line.indexOf(":", a + 1);
    if (a < 0 || b < 0) continue;
    const controllers = line.slice(a + 1, b), p = line.slice(b + 1);
    if (line.slice(0, a) === "0" && controllers === "") v2Path = p;
    else if (controllers.split(",").includes("memory")) v1Path = p;
  }
  const m = mounts(mountinfo);
  for (const [mount, cgPath] of [[m.v1, v1Path], [m.v2, v2Path]] as const) {
    if (mount === null || cgPath === null) continue;
    // Walk from the process's cgroup up to the mount point: a parent's limit bounds its children.
    let dir = dirOf(mount, cgPath);
    for (;;) {
      add(dir, mount.version);
      if (dir === mount.point || !dir.startsWith(mount.point + "/")) break;
      dir = path.dirname(dir);
    }
  }
  return out;
}

let cachedLevels: CgroupLevel[] | null = null;

/**
 * This process's limited cgroup levels, found once (a process is placed in its cgroup before
 * it starts; moving it later is rare). `refreshCgroup()` finds them again.
 */
export function ownCgroupLevels(): CgroupLevel[] {
  cachedLevels ??= cgroupLevels();
  return cachedLevels;
}

/** Forgets the cgroup levels found before (after the process was moved to another cgroup). */
export function refreshCgroup(): void {
  cachedLevels = null;
}

function mib(b: number): string {
  return `${Math.round(b / MiB)} MiB`;
}

function cgroupSource(level: CgroupLevel, limit: number): string {
  return `the cgroup's memory limit (${mib(limit)}, ${level.limitFile})`;
}

/** $GRADBOOK_MEMORY_LIMIT in bytes, or null when unset; throws naming the variable when it is not a positive number. */
export function envLimit(): number | null {
  const env = process.env.GRADBOOK_MEMORY_LIMIT;
  if (env === undefined || env.trim() === "") return null;
  const n = Number(env);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`GRADBOOK_MEMORY_LIMIT must be a number of bytes above 0, got ${JSON.stringify(env)}`);
  return n;
}

/** envLimit(), or null with a warning on stderr when it is malformed (for start-up paths that must not fail). */
function envLimitOrNull(): number | null {
  try {
    return envLimit();
  } catch (e) {
    warnOnce((e as Error).message);
    return null;
  }
}

let warned = false;
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`gradbook: ${message}; ignoring it\n`);
}

/**
 * The most memory this process may use: the least of the machine's memory, every limited
 * cgroup level's limit and $GRADBOOK_MEMORY_LIMIT.
 */
export function memoryLimit(levels: CgroupLevel[] = ownCgroupLevels()): MemoryFigure {
  let best: MemoryFigure = { bytes: os.totalmem(), source: `the machine's memory (${mib(os.totalmem())})` };
  for (const level of levels) {
    const limit = readBytes(level.limitFile);
    if (limit !== null && limit < best.bytes) best = { bytes: limit, source: cgroupSource(level, limit) };
  }
  const env = envLimitOrNull();
  if (env !== null && env < best.bytes) best = { bytes: env, source: `GRADBOOK_MEMORY_LIMIT (${mib(env)})` };
  return best;
}

/** Whether any limit short of the whole machine applies (a cgroup's or $GRADBOOK_MEMORY_LIMIT). */
export function limited(levels: CgroupLevel[] = ownCgroupLevels()): boolean {
  return levels.length > 0 || envLimitOrNull() !== null;
}

/**
 * How much more memory this process may take before the system kills it: the least of the
 * machine's MemAvailable, each limited cgroup level's limit minus its usage (a parent's usage
 * counts its other children too) and $GRADBOOK_MEMORY_LIMIT minus the resident size.
 */
export function memoryAvailable(levels: CgroupLevel[] = ownCgroupLevels()): MemoryFigure {
  let best: MemoryFigure = { bytes: Infinity, source: "" };
  const consider = (bytes: number, source: string) => {
    if (bytes < best.bytes) best = { bytes: Math.max(0, bytes), source };
  };
  const meminfo = read("/proc/meminfo");
  const m = meminfo === null ? null : /MemAvailable:\s+(\d+) kB/.exec(meminfo);
  if (m) consider(Number(m[1]) * 1024, "the machine's available memory");
  for (const level of levels) {
    const limit = readBytes(level.limitFile), usage = readBytes(level.usageFile);
    if (limit !== null && usage !== null) consider(limit - usage, cgroupSource(level, limit));
  }
  const env = envLimitOrNull();
  if (env !== null) consider(env - process.memoryUsage.rss(), `GRADBOOK_MEMORY_LIMIT (${mib(env)})`);
  return best;
}

/** A figure as "N MiB left (source)", or "no limit known". */
export function describeAvailable(a: MemoryFigure): string {
  return Number.isFinite(a.bytes) ? `${mib(a.bytes)} left (${a.source})` : "no limit known";
}
