/**
 * The engine: the state the tensor library runs on. It holds the backend registry (js always;
 * cpu and cuda loaded on first use), the default device, grad mode, tidy scopes and memory
 * accounting. Top-level functions use the current engine (`getEngine()`); tests make isolated
 * ones with `new Engine()` and `withEngine(engine, () => ...)`.
 */
import * as v8 from "node:v8";
import * as vm from "node:vm";
import type { Backend, DeviceName, Storage } from "./backend";
import { createJsBackend } from "./backends/js";
import { bytesPerElement } from "./dtype";
// Both modules are cheap to import: each loads its addon only when its loader is called.
import { loadNativeBackend } from "./backends/native";
import { loadCudaBackend } from "./backends/cuda";
import { OpError } from "./errors";
import { memoryLimit } from "./memory-limit";

/** The record one storage keeps: how many tensors (views) use it, and its size. */
export class StorageRef {
  refs = 1;
  /**
   * Bumped by every in-place write to the storage (assign, addInPlace). A backward step
   * compares it with the version it saved, so a gradient computed from values changed after
   * the forward pass raises instead of being silently wrong (PyTorch's version counter).
   */
  version = 0;
  /**
   * The engine that still has to register this storage with its FinalizationRegistry, or
   * null once registered (or never to be). Registration is deferred while a tidy scope holds
   * the tensor: the scope keeps it reachable, and most such tensors are disposed when it ends,
   * so they never pay for a registry entry.
   */
  pending: Engine | null = null;
  /** Whether the storage was queued for the FinalizationRegistry (Engine.register). */
  registered = false;
  /** Whether the FinalizationRegistry holds an entry for this storage (unregister on dispose). */
  inRegistry = false;
  /** The live-memory counters of the storage's device, where the engine counts it. */
  counter: DeviceMemory | null = null;
  constructor(readonly storage: Storage, readonly bytes: number, readonly tracked: boolean) {}
}

/** What a collected storage leaves behind: its size, and its handle where it has one. */
type Held = number | { bytes: number; handle: unknown };

/** What `memory()` reports for one device. */
export interface DeviceMemory {
  /** Live storages (a tensor owning memory; views share their base's). */
  tensors: number;
  bytes: number;
}

const DEVICES: readonly DeviceName[] = ["js", "cpu", "cuda"];

/** Checks a device name given by a user. */
export function checkDevice(op: string, d: unknown): DeviceName {
  if (d === "js" || d === "cpu" || d === "cuda") return d;
  throw new OpError(op, `unknown device ${JSON.stringify(d)}; expected one of ${DEVICES.join(", ")}`);
}

type Loader = () => Backend;

/** A FinalizationRegistry that can also run its callbacks synchronously (cleanupSome). */
interface SyncRegistry<T> extends FinalizationRegistry<T> {
  cleanupSome?(): void;
}

/**
 * The collector, callable from a synchronous loop: `gc` and a FinalizationRegistry class with
 * `cleanupSome`, taken from a fresh context made after turning on the two V8 flags (flags that
 * install globals only apply to contexts created afterwards). Without it, storages dropped in
 * a loop that never yields are freed only once the loop ends: the registry's callbacks are
 * tasks of the event loop. Null where the flags are refused.
 */
type Collector = { gc: () => void; minor: () => void; Registry: typeof FinalizationRegistry };
let collector: Collector | null | undefined;
function syncCollector(): Collector | null {
  if (collector !== undefined) return collector;
  try {
    v8.setFlagsFromString("--harmony-weak-refs-with-cleanup-some");
    const g = (globalThis as { gc?: () => void }).gc;
    if (g === undefined) v8.setFlagsFromString("--expose-gc");
    const c = vm.runInNewContext("({ gc: typeof gc === 'function' ? gc : null, Registry: FinalizationRegistry })") as { gc: (() => void) | null; Registry: typeof FinalizationRegistry };
    const gc = g ?? c.gc;
    // gc({ type: "minor" }): a scavenge of the young generation only (see Engine.collectYoung).
    const minor = gc === null ? () => {} : () => (gc as (o: object) => void)({ type: "minor" });
    collector = gc !== null && typeof (c.Registry.prototype as SyncRegistry<unknown>).cleanupSome === "function" ? { gc, minor, Registry: c.Registry } : null;
  } catch {
    collector = null;
  }
  return collector;
}

/**
 * What a storage costs beyond its elements, for the collection budget: the allocator's 64-byte
 * minimum block, the slot and the JS objects (about 450 bytes measured). A million tiny tensors are real memory too.
 */
const STORAGE_OVERHEAD = 512;

/**
 * The default collection budget: live native bytes may grow by this much before the engine
 * runs the collector itself. A sixteenth of the memory limit, between 64 MiB and 256 MiB, so
 * a loop that disposes nothing stays well inside a 1-2 GB Binder and far from the OOM killer.
 * (A smaller budget means more collections, each a full mark-compact of about 10 ms on a
 * small heap; a larger one, more memory held and fewer reused allocator blocks.)
 * GRADBOOK_GC_BUDGET_MB overrides it (0 turns the automatic collection off).
 */
function defaultBudget(): number {
  const env = process.env.GRADBOOK_GC_BUDGET_MB;
  if (env !== undefined && env !== "" && Number.isFinite(Number(env))) return Number(env) * 1024 * 1024;
  return Math.min(256 * 1024 * 1024, Math.max(64 * 1024 * 1024, memoryLimit().bytes / 16));
}

/**
 * The young-generation budget: bytes of guarded storages made since the last collection before
 * the engine runs a scavenge itself (gc({ type: "minor" }), about 60 µs on a small heap). 16 MiB,
 * or a quarter of the collection budget where that is smaller. It is bounded by the CPU's cache,
 * not by the memory limit: the blocks a scavenge frees are reused by the next ops, and a loop
 * that disposes nothing stays about as fast as one with tidy only while they are still cached
 * (measured: 16 MiB of blocks in turn cost next to nothing over 2 MiB, 32 MiB up to twice as
 * much); smaller, and the scavenges themselves cost more than the work between them.
 * GRADBOOK_GC_YOUNG_MB overrides it.
 */
function defaultYoungBudget(gcBudget: number): number {
  const env = process.env.GRADBOOK_GC_YOUNG_MB;
  if (env !== undefined && env !== "" && Number.isFinite(Number(env))) return Number(env) * 1024 * 1024;
  return Math.min(16 * 1024 * 1024, gcBudget / 4);
}

/** The registry of backends, the default device, grad mode and `tidy` scopes. One engine is current (`getEngine()`); tests make their own. */
export class Engine {
  /** Grad mode: when false, ops record nothing for autodiff. */
  gradEnabled = true;
  /** Open tidy scopes, innermost last: the tensors created in each. */
  readonly scopes: { tensors: unknown[] }[] = [];

  private readonly backends = new Map<DeviceName, Backend>();
  private readonly failures = new Map<DeviceName, string>();
  private readonly loaders = new Map<DeviceName, Loader>();
  private defaultDevice: DeviceName | null = null;
  private readonly warned = new Set<string>();
  private readonly live = new Map<DeviceName, DeviceMemory>();
  /** One FinalizationRegistry per backend, so the held value can be a plain number. */
  private readonly registries = new Map<Backend, FinalizationRegistry<Held>>();
  /** Storages waiting to be registered with the FinalizationRegistry (see register). */
  private queued: StorageRef[] = [];
  private queuedBytes = 0;
  private flushScheduled = false;
  /** Cached 0-d tensors for numbers mixed into ops (x * 2, 1 - y): per backend and dtype. */
  private readonly scalars = new Map<Backend, Map<string, Map<number, unknown>>>();

  /**
   * Whether js storages are counted by memory() and registered for garbage collection. Off by
   * default: js memory is ordinary JS heap the collector frees anyway, and registering every
   * storage would double the cost of small ops. Storages of other backends are always tracked.
   */
  readonly trackJs: boolean;

  /** Live bytes of tracked storages, all devices together. */
  private liveBytes = 0;
  /** Growth of liveBytes that makes the engine collect (0: never); see defaultBudget. */
  readonly gcBudget: number;
  /** liveBytes at which the next automatic collection runs. */
  private nextCollect: number;
  /** Automatic collections run so far (for tests and benchmarks). */
  collections = 0;
  /** Bytes of guarded storages made since the last collection that make the engine scavenge. */
  readonly youngBudget: number;
  /** Automatic young-generation collections (scavenges) run so far. */
  youngCollections = 0;
  /**
   * Backends that guard this engine's storages: their counters (Backend.guardCounters) and the
   * part of them already taken off the live counts.
   */
  private readonly guarding = new Map<Backend, { counters: Float64Array; freed: number; bytes: number }>();

  constructor(opts: { backends?: Backend[]; defaultDevice?: DeviceName; trackJs?: boolean; gcBudget?: number } = {}) {
    this.trackJs = opts.trackJs ?? process.env.GRADBOOK_TRACK_JS === "1";
    this.gcBudget = opts.gcBudget ?? defaultBudget();
    this.nextCollect = this.gcBudget;
    this.youngBudget = defaultYoungBudget(this.gcBudget);
    this.backends.set("js", createJsBackend());
    this.loaders.set("cpu", loadNativeBackend);
    this.loaders.set("cuda", loadCudaBackend);
    for (const b of opts.backends ?? []) this.backends.set(b.name, b);
    if (opts.defaultDevice) this.defaultDevice = opts.defaultDevice;
  }

  private registryFor(backend: Backend): FinalizationRegistry<Held> {
    let r = this.registries.get(backend);
    if (r === undefined) {
      const Registry = this.gcBudget > 0 ? syncCollector()?.Registry ?? FinalizationRegistry : FinalizationRegistry;
      r = new Registry<Held>((h) => this.collected(backend, h));
      this.registries.set(backend, r);
    }
    return r;
  }

  /**
   * @internal The cache of constant scalars for a backend and dtype. Numbers in expressions
   * like `x.mul(2)` or `sub(1, y)` reuse one 0-d tensor instead of allocating each time.
   */
  scalarCache(backend: Backend, dtype: string): Map<number, unknown> {
    let byDtype = this.scalars.get(backend);
    if (byDtype === undefined) { byDtype = new Map(); this.scalars.set(backend, byDtype); }
    let m = byDtype.get(dtype);
    if (m === undefined) { m = new Map(); byDtype.set(dtype, m); }
    return m;
  }

  /** Registers (or replaces) a backend, e.g. one the caller loaded itself or a freshly rebuilt addon. */
  registerBackend(b: Backend): void {
    this.backends.set(b.name, b);
    this.failures.delete(b.name);
  }

  /** The backend for a device, loading it on first use. Throws with the reason it is unavailable. */
  backend(device: DeviceName): Backend {
    const b = this.backends.get(device);
    if (b !== undefined) return b;
    const reason = this.tryLoad(device);
    if (reason !== null) {
      const fix = device === "cpu" ? "rebuild the native addon with `npm run build:native` and read its log" : "it needs an NVIDIA GPU and driver (the CUDA toolkit is not needed)";
      throw new Error(`device "${device}" is unavailable: ${reason}. Use device "js" (always available), or ${fix}.`);
    }
    return this.backends.get(device)!;
  }

  /** Whether a device's backend loads; the reason when not. */
  availability(device: DeviceName): { available: boolean; reason?: string } {
    if (this.backends.has(device)) return { available: true };
    const reason = this.tryLoad(device);
    return reason === null ? { available: true } : { available: false, reason };
  }

  private tryLoad(device: DeviceName): string | null {
    const known = this.failures.get(device);
    if (known !== undefined) return known;
    const loader = this.loaders.get(device);
    if (loader === undefined) return `no backend is known for "${device}"`;
    try {
      const b = loader();
      this.backends.set(device, b);
      return null;
    } catch (e) {
      const reason = (e as Error).message;
      this.failures.set(device, reason);
      return reason;
    }
  }

  /** Prints a message to stderr once per engine. */
  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    process.stderr.write(`gradbook: ${message}\n`);
  }

  /**
   * The device new tensors go to: GRADBOOK_DEVICE if set, else "cpu" where the native backend
   * loads, else "js".
   */
  getDefaultDevice(): DeviceName {
    if (this.defaultDevice !== null) return this.defaultDevice;
    const env = process.env.GRADBOOK_DEVICE;
    let chosen: DeviceName = "js";
    if (env) {
      const d = checkDevice("GRADBOOK_DEVICE", env);
      const a = this.availability(d);
      if (a.available) chosen = d;
      else this.warnOnce(`default:${d}`, `GRADBOOK_DEVICE=${d} is unavailable (${a.reason}); using "js"`);
    } else {
      const a = this.availability("cpu");
      if (a.available) chosen = "cpu";
      // Said once, whatever the environment: a student should know why training is slow.
      else this.warnOnce("default:cpu", `the native "cpu" backend is unavailable, so tensors use the slower "js" backend. Why: ${a.reason}`);
    }
    this.defaultDevice = chosen;
    return chosen;
  }

  /** Sets the default device; it must be available. */
  setDefaultDevice(device: DeviceName): void {
    this.backend(checkDevice("setDefaultDevice", device));
    this.defaultDevice = device;
  }

  // ---- memory -----------------------------------------------------------------------------

  /** Starts accounting for a fresh storage; it is freed by dispose or by GC. */
  track(storage: Storage): StorageRef {
    const bytes = storage.size * bytesPerElement(storage.dtype);
    const device = storage.backend.name;
    // js memory is the collector's; a self-releasing backend frees and counts its own.
    if ((device === "js" && !this.trackJs) || storage.backend.releasesOnCollect) return new StorageRef(storage, bytes, false);
    const ref = new StorageRef(storage, bytes, true);
    let m = this.live.get(device);
    if (m === undefined) { m = { tensors: 0, bytes: 0 }; this.live.set(device, m); }
    m.tensors++;
    m.bytes += bytes;
    ref.counter = m;
    this.liveBytes += bytes + STORAGE_OVERHEAD;
    if (this.liveBytes > this.nextCollect && this.gcBudget > 0) {
      this.syncGuarded();  // what the scavenges freed first: often enough to stay under
      if (this.liveBytes > this.nextCollect) this.collect();
    }
    // Inside a tidy scope the new tensor is held by the scope until it ends; registration
    // waits until then, and happens only if a tensor of this storage survives (memory.ts).
    if (this.scopes.length !== 0) ref.pending = this;
    else this.register(ref);
    return ref;
  }

  /**
   * @internal Registers a tracked storage for freeing on garbage collection (once).
   *
   * Where the backend guards storages (the cpu backend: Backend.guard), the storage is guarded
   * now, at a fraction of a microsecond, and any collection that finds it unreachable frees it,
   * a scavenge included; nothing is queued. (With automatic collection off, gcBudget 0, only the
   * FinalizationRegistry is used.) Otherwise registrations are queued and made in a batch on the next turn of the event loop, or once
   * the queue holds 64 Ki storages or 64 MiB: a FinalizationRegistry entry costs about a
   * microsecond to make and makes every later young-generation collection slower, so a
   * synchronous loop of small ops (scalar autodiff) must not pay it per tensor. A storage
   * disposed before the batch is never registered. The queue holds the records (not the
   * tensors) strongly, so memory of tensors dropped meanwhile is freed at most one batch late.
   */
  register(ref: StorageRef): void {
    ref.pending = null;
    if (ref.registered || ref.refs <= 0) return;
    ref.registered = true;
    if (this.gcBudget > 0 && this.guard(ref.storage)) return;
    this.queued.push(ref);
    this.queuedBytes += ref.bytes;
    if (this.queued.length >= 65536 || this.queuedBytes >= 64 * 1024 * 1024) this.flushRegistrations();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushRegistrations());
    }
  }

  /**
   * Guards a large storage where its backend can (Backend.guard); runs a scavenge once the
   * guarded bytes made since the last collection pass the young budget. False when not guarded.
   */
  private guard(s: Storage): boolean {
    const b = s.backend;
    if (b.guard === undefined || b.guardCounters === undefined) return false;
    let g = this.guarding.get(b);
    if (g === undefined) { g = { counters: b.guardCounters(), freed: 0, bytes: 0 }; this.guarding.set(b, g); }
    if (!b.guard(s, g.counters)) return false;
    if (g.counters[2] >= this.youngBudget) this.collectYoung();
    return true;
  }

  /**
   * Runs a scavenge: guarded storages made and dropped since the last one are freed by it, their
   * blocks ready for reuse by the next op. Objects that survive two scavenges move to the old
   * generation; what of them becomes garbage waits for the next full collection (collect()).
   */
  private collectYoung(): void {
    const c = syncCollector();
    if (c === null) return;
    this.youngCollections++;
    c.minor();
    for (const b of this.guarding.keys()) b.reclaim?.();
  }

  /** Takes the guarded storages their backends freed off the live counts. */
  private syncGuarded(): void {
    for (const [b, g] of this.guarding) {
      b.reclaim?.();
      const n = g.counters[0] - g.freed, bytes = g.counters[1] - g.bytes;
      if (n === 0) continue;
      g.freed = g.counters[0];
      g.bytes = g.counters[1];
      const m = this.live.get(b.name);
      if (m !== undefined) { m.tensors -= n; m.bytes -= bytes; }
      this.liveBytes -= bytes + n * STORAGE_OVERHEAD;
    }
  }

  /** @internal Makes the queued FinalizationRegistry entries now (see register). */
  flushRegistrations(): void {
    this.flushScheduled = false;
    const list = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    for (const ref of list) {
      if (ref.refs <= 0 || !ref.registered) continue;  // disposed meanwhile: nothing to free later
      const s = ref.storage;
      const handle = s.handle;
      ref.inRegistry = true;
      this.registryFor(s.backend).register(ref, handle === undefined ? ref.bytes : { bytes: ref.bytes, handle }, ref);
    }
  }

  /**
   * Runs the collector now and frees the storages it found unreachable, synchronously, so a
   * loop that disposes nothing and never yields holds steady. Called by the allocator when
   * live bytes have grown by `gcBudget` since the last collection; the next one is due when
   * they grow by as much again over what survived.
   */
  collect(): void {
    const c = syncCollector();
    this.collections++;
    if (c !== null) {
      this.flushRegistrations();
      c.gc();
      for (const r of this.registries.values()) (r as SyncRegistry<Held>).cleanupSome?.();
    }
    this.syncGuarded();
    this.nextCollect = this.liveBytes + this.gcBudget;
  }

  /** A record for a storage the engine neither counts nor collects (cached constants). */
  untracked(storage: Storage): StorageRef {
    return new StorageRef(storage, storage.size * bytesPerElement(storage.dtype), false);
  }

  /** Drops one tensor's use of a storage; frees it when no tensor uses it any more. */
  releaseRef(ref: StorageRef): void {
    if (--ref.refs > 0) return;
    const s = ref.storage;
    if (!s.disposed) s.backend.dispose(s);
    s.disposed = true;
    if (!ref.tracked) return;
    ref.pending = null;
    ref.registered = false;
    if (ref.inRegistry) { ref.inRegistry = false; this.registryFor(s.backend).unregister(ref); }
    const m = ref.counter;
    if (m !== null) { m.tensors--; m.bytes -= ref.bytes; this.liveBytes -= ref.bytes + STORAGE_OVERHEAD; }
  }

  /** Called by the FinalizationRegistry when a storage was collected without dispose(). */
  private collected(backend: Backend, h: Held): void {
    if (typeof h === "number") {
      this.uncount(backend.name, h);
      return;
    }
    this.uncount(backend.name, h.bytes);
    if (backend.release) backend.release(h.handle);
  }

  private uncount(device: DeviceName, bytes: number): void {
    const m = this.live.get(device);
    if (m === undefined) return;
    m.tensors--;
    m.bytes -= bytes;
    this.liveBytes -= bytes + STORAGE_OVERHEAD;
  }

  /**
   * Live storages and bytes per device: the backend's own figures where it keeps them
   * (`memoryStats`), else the engine's count (js only when `trackJs`).
   */
  memory(): Partial<Record<DeviceName, DeviceMemory>> {
    this.syncGuarded();
    const out: Partial<Record<DeviceName, DeviceMemory>> = {};
    for (const [d, m] of this.live) out[d] = { tensors: m.tensors, bytes: m.bytes };
    for (const [d, b] of this.backends) {
      if (b.memoryStats) {
        const st = b.memoryStats();
        out[d] = { tensors: st.tensors, bytes: st.bytes };
      }
    }
    return out;
  }
}

let current: Engine | null = null;

/** The engine top-level functions use (created on first use). */
export function getEngine(): Engine {
  if (current === null) current = new Engine();
  return current;
}

/** Makes `e` the current engine; returns the previous one. */
export function setEngine(e: Engine): Engine {
  const prev = getEngine();
  current = e;
  return prev;
}

/** Runs `fn` with `e` as the current engine, then restores the previous one. */
export function withEngine<T>(e: Engine, fn: () => T): T {
  const prev = setEngine(e);
  try {
    return fn();
  } finally {
    current = prev;
  }
}
