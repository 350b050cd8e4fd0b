/**
 * Finding and loading the compiled addon (build/Release/gradbook_native.node), typed.
 *
 * Every location tried is recorded, and a failure ends with the exact commands that fix it,
 * so "the cpu backend is unavailable" always comes with a reason a student can act on.
 */
import * as fs from "fs";
import * as path from "path";
import { envLimit, ownCgroupLevels } from "../../memory-limit";

/**
 * A handle to a native buffer: a number naming a slot of the addon's buffer table (with a
 * generation, so a stale handle is detected rather than freeing someone else's memory).
 */
export type NativeHandle = number;

/** The functions the addon exports (native/cpu/addon.cc). */
export interface NativeAddon {
  init(params: Float64Array): { kernel: string; threads: number; maxDims: number };
  fromArray(data: ArrayBufferView, srcDtype: number, dtype: number): NativeHandle;
  fill(size: number, value: number, dtype: number): NativeHandle;
  read(h: NativeHandle): Float32Array | Float64Array | Int32Array | Uint8Array;
  dispose(h: NativeHandle): void;
  contiguous(x: NativeHandle, dtype: number): NativeHandle;
  assign(dst: NativeHandle, src: NativeHandle): void;
  unary(op: number, x: NativeHandle): NativeHandle;
  binary(op: number, a: NativeHandle, b: NativeHandle): NativeHandle;
  where(c: NativeHandle, a: NativeHandle, b: NativeHandle): NativeHandle;
  reduce(op: number, x: NativeHandle): NativeHandle;
  cumsum(x: NativeHandle, axis: number): NativeHandle;
  sort(x: NativeHandle, outer: number, n: number, descending: boolean): [NativeHandle, NativeHandle];
  softmax(x: NativeHandle, outer: number, n: number, log: boolean): NativeHandle;
  gather(x: NativeHandle, index: NativeHandle, axis: number): NativeHandle;
  indexSelect(x: NativeHandle, outer: number, dim: number, inner: number, index: NativeHandle, count: number): NativeHandle;
  scatterAdd(index: NativeHandle, src: NativeHandle, axis: number): NativeHandle;
  matmul(a: NativeHandle, b: NativeHandle): NativeHandle;
  conv2d(x: NativeHandle, w: NativeHandle): NativeHandle;
  conv2dBackwardInput(dy: NativeHandle, w: NativeHandle): NativeHandle;
  conv2dBackwardWeight(x: NativeHandle, dy: NativeHandle): NativeHandle;
  maxPool2d(x: NativeHandle): [NativeHandle, NativeHandle];
  maxPool2dBackward(dy: NativeHandle, indices: NativeHandle): NativeHandle;
  avgPool2d(x: NativeHandle): NativeHandle;
  avgPool2dBackward(dy: NativeHandle): NativeHandle;
  /** Fused optimizer update in place; the step's scalars are in the parameter buffer (P[0..7]). Absent from addons built before it. */
  optimizerStep?(kind: number, p: NativeHandle, grad: NativeHandle, s0: NativeHandle | null, s1: NativeHandle | null, s2: NativeHandle | null): void;
  stats(): NativeStats;
  /** Registers a Float64Array(3) of guard counters (see Backend.guardCounters); returns its id. Absent from addons built before guards. */
  initGuards?(counters: Float64Array): number;
  /** Frees the buffer as soon as `storage` (its object) is garbage collected, in any collection; counts it in the counters `owner`. */
  guard?(h: NativeHandle, storage: object, owner: number): boolean;
  /** Frees the buffers of guarded storages already collected. */
  reclaim?(): void;
  isLive(h: NativeHandle): boolean;
  emptyCache(): void;
  setThreads(n: number): void;
  /**
   * Tells the allocator which limits to check large blocks against: the limit and usage files
   * of each limited cgroup level, alternating, and GRADBOOK_MEMORY_LIMIT (0: none). Called at
   * load with what lib/memory-limit.ts found.
   */
  configureMemory?(files: string[], envLimit: number): void;
  /** Kernel use: sets flag[0] to 1 when the JS heap nears its limit (which it then raises). */
  watchHeapLimit?(flag: Int32Array): void;
  /** The kernel's launcher: replaces the process by `file` (same pid); returns only by throwing. */
  execve?(file: string, argv: string[], env: string[]): never;
}

/** Memory and threading state of the native backend. */
export interface NativeStats {
  /** Bytes held by live storages (rounded up to the allocator's size classes). */
  liveBytes: number;
  /** Freed bytes kept by the caching allocator for reuse. */
  cachedBytes: number;
  peakLiveBytes: number;
  liveBuffers: number;
  threads: number;
  /** The SGEMM micro-kernel chosen for this CPU: "avx512", "avx2" or "generic". */
  kernel: string;
}

/** The repository (or installed package) root: the nearest folder up with binding.gyp or package.json. */
function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, "binding.gyp")) || fs.existsSync(path.join(dir, "package.json"))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, "..", "..", "..");
}

const loaded = new Map<string, NativeAddon>();

/** Hands the addon the memory limits this process is under (one owner: lib/memory-limit.ts). */
function configureMemory(addon: NativeAddon): void {
  const files = ownCgroupLevels().flatMap((l) => [l.limitFile, l.usageFile]);
  let env = 0;
  try {
    env = envLimit() ?? 0;
  } catch {
    // malformed: memoryLimit() says so once; the allocator ignores it
  }
  addon.configureMemory?.(files, env);
}

/**
 * Loads the addon. `GRADBOOK_NATIVE_PATH` names an explicit .node file (for tests and custom
 * builds); otherwise build/Release and build/Debug under the package root are tried.
 * Throws an Error that lists every location tried and how to fix it.
 */
export function loadAddon(): NativeAddon {
  const explicit = process.env.GRADBOOK_NATIVE_PATH;
  const root = packageRoot();
  const candidates = explicit
    ? [path.resolve(explicit)]
    : [path.join(root, "build", "Release", "gradbook_native.node"), path.join(root, "build", "Debug", "gradbook_native.node")];
  const errors: string[] = [];
  for (const file of candidates) {
    const known = loaded.get(file);
    if (known !== undefined) return known;
    if (!fs.existsSync(file)) { errors.push(`${file}: not found`); continue; }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(file) as NativeAddon;
      if (typeof addon.matmul !== "function") { errors.push(`${file}: not a gradbook native addon`); continue; }
      configureMemory(addon);
      loaded.set(file, addon);
      return addon;
    } catch (e) {
      errors.push(`${file}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const buildLog = path.join(root, "build", "native-build-error.txt");
  const lastBuild = fs.existsSync(buildLog) ? ` Last build: ${fs.readFileSync(buildLog, "utf8").trim()}` : "";
  throw new Error(
    `the native cpu addon could not be loaded (tried ${errors.join("; ")}).${lastBuild} ` +
    `Possible solutions: build it with "npm run build:native" (needs python3, make and g++: ` +
    `apt-get install python3 make g++), or unset GRADBOOK_NATIVE_PATH if it points to a wrong file. ` +
    `Everything still works on device "js", only slower.`,
  );
}
