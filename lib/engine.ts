/**
 * The engine: the state the tensor library runs on. It holds the backend registry (js always;
 * cpu and cuda loaded on first use), the default device, grad mode, tidy scopes and memory
 * accounting. Top-level functions use the current engine (`getEngine()`); tests make isolated
 * ones with `new Engine()` and `withEngine(engine, () => ...)`.
 */
import type { Backend, DeviceName, Storage } from "./backend";
import { createJsBackend } from "./backends/js";
import { bytesPerElement } from "./dtype";
// Both modules are cheap to import: each loads its addon only when its loader is called.
import { loadNativeBackend } from "./backends/native";
import { loadCudaBackend } from "./backends/cuda";

/** The record one storage keeps: how many tensors (views) use it, and its size. */
export class StorageRef {
  refs = 1;
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
  throw new Error(`${op}: unknown device ${JSON.stringify(d)}; expected one of ${DEVICES.join(", ")}`);
}

type Loader = () => Backend;

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

  constructor(opts: { backends?: Backend[]; defaultDevice?: DeviceName; trackJs?: boolean } = {}) {
    this.trackJs = opts.trackJs ?? process.env.GRADBOOK_TRACK_JS === "1";
    this.backends.set("js", createJsBackend());
    this.loaders.set("cpu", loadNativeBackend);
    this.loaders.set("cuda", loadCudaBackend);
    for (const b of opts.backends ?? []) this.backends.set(b.name, b);
    if (opts.defaultDevice) this.defaultDevice = opts.defaultDevice;
  }

  private registryFor(backend: Backend): FinalizationRegistry<Held> {
    let r = this.registries.get(backend);
    if (r === undefined) {
      r = new FinalizationRegistry<Held>((h) => this.collected(backend, h));
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
    // Inside a tidy scope the new tensor is held by the scope until it ends; registration
    // waits until then, and happens only if a tensor of this storage survives (memory.ts).
    if (this.scopes.length !== 0) ref.pending = this;
    else this.register(ref);
    return ref;
  }

  /**
   * @internal Registers a tracked storage for freeing on garbage collection (once).
   *
   * Registrations are queued and made in a batch on the next turn of the event loop, or once
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
    this.queued.push(ref);
    this.queuedBytes += ref.bytes;
    if (this.queued.length >= 65536 || this.queuedBytes >= 64 * 1024 * 1024) this.flushRegistrations();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushRegistrations());
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
    if (m !== null) { m.tensors--; m.bytes -= ref.bytes; }
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
  }

  /**
   * Live storages and bytes per device: the backend's own figures where it keeps them
   * (`memoryStats`), else the engine's count (js only when `trackJs`).
   */
  memory(): Partial<Record<DeviceName, DeviceMemory>> {
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
