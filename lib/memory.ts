/**
 * Deterministic memory release: `dispose` and `tidy` scopes. Nothing has to be disposed,
 * though: a storage that leaves every tidy scope is freed when garbage collected. On cpu the
 * addon holds a weak handle on it that any collection clears, a scavenge of the young
 * generation included, and the engine runs a scavenge itself after every 16 MiB of such
 * storages, so a loop that disposes nothing and never yields reuses its memory within a few
 * iterations (a training step without tidy took 1.1–1.2× the CPU time of one with it); a full
 * collection follows once live bytes still grow by the engine's budget (a sixteenth of the
 * memory limit). Other backends' storages go to a FinalizationRegistry, cleared by the full
 * collections. tidy frees at once, and stays the fastest for loops of large elementwise ops.
 */
import type { DeviceName } from "./backend";
import { getEngine, type DeviceMemory } from "./engine";
import { OpError } from "./errors";
import { Tensor } from "./tensor";

/** Frees tensors now (a tensor, or an array / object of them). Idempotent. */
export function dispose(x: unknown): void {
  forEachTensor(x, (t) => t.dispose());
}

/**
 * Runs fn and then disposes every tensor created inside it except those reachable from its
 * return value and gradients stored in `.grad`. Reachable means at any depth through arrays,
 * plain objects, class instances (their own properties), Maps (keys and values) and Sets;
 * a WeakMap, WeakSet or WeakRef in the result is refused with an error, as its contents cannot
 * be listed. (Tensors captured only by a returned closure, or kept in `#private` fields, are not
 * seen: return them.) Returned tensors belong to the enclosing scope. Run backward() inside the
 * same scope as the forward pass: the intermediate tensors it needs are disposed at the end.
 * @example
 * const loss = tidy(() => {
 *   const l = lossFn(model.forward(X), y);
 *   l.backward();
 *   return l;
 * });
 * const { stats } = tidy(() => ({ stats: new Map([["mean", X.mean(0)], ["std", X.std(0)]]) }));
 * class Pair { constructor(readonly a: Tensor, readonly b: Tensor) {} }
 * const p = tidy(() => new Pair(X.square(), X.abs()));   // both kept
 */
export function tidy<T>(fn: () => T): T {
  const e = getEngine();
  const scope = { tensors: [] as unknown[] };
  e.scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    // Nothing is disposed on a throw: the tensors made so far are left to the collector, so
    // the ones whose registration was deferred (engine.track) are registered now.
    for (const t of scope.tensors as Tensor[]) if (t._ref.pending !== null) t._ref.pending.register(t._ref);
    throw err;
  } finally {
    e.scopes.pop();
  }
  if (result instanceof Promise) {
    for (const t of scope.tensors as Tensor[]) if (t._ref.pending !== null) t._ref.pending.register(t._ref);
    throw new OpError("tidy", "fn returned a Promise; tidy only tracks synchronous code (await outside the tidy)");
  }
  const keep = new Set<Tensor>();
  try {
    forEachTensor(result, (t) => keep.add(t), "tidy");
  } catch (err) {
    // Refused before anything was disposed: the scope's tensors go to the collector.
    for (const t of scope.tensors as Tensor[]) if (t._ref.pending !== null) t._ref.pending.register(t._ref);
    throw err;
  }
  const parent = e.scopes.length > 0 ? e.scopes[e.scopes.length - 1] : null;
  for (const t of scope.tensors as Tensor[]) {
    if (keep.has(t) || t._kept) {
      if (parent !== null && !t._kept) parent.tensors.push(t);
      // Leaving every scope: from now on only the collector can free it (engine.track).
      else if (t._ref.pending !== null) t._ref.pending.register(t._ref);
      continue;
    }
    t.dispose();
  }
  return result;
}

/** Protects a tensor from the enclosing tidy scopes (e.g. a model parameter made inside one). */
export function keep<T extends Tensor>(t: T): T {
  t._kept = true;
  return t;
}

/** Live storages and their bytes, per device. */
export function memory(): Partial<Record<DeviceName, DeviceMemory>> {
  return getEngine().memory();
}

/**
 * Calls f on every tensor reachable from x: x itself, and through arrays, Maps (keys and
 * values), Sets, plain objects and class instances (their own properties), at any depth;
 * cycles are followed once. Containers whose contents cannot be listed (WeakMap, WeakSet,
 * WeakRef) are refused with an error naming `op`, since tensors inside would be lost.
 */
function forEachTensor(x: unknown, f: (t: Tensor) => void, op = "dispose"): void {
  if (x instanceof Tensor) { f(x); return; }
  if (x === null || typeof x !== "object") return;
  const seen = new Set<object>();
  const stack: unknown[] = [x];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v instanceof Tensor) { f(v); continue; }
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date || v instanceof RegExp) continue;
    if (v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef) {
      throw new OpError(op, `cannot look inside a ${v.constructor.name}: tensors held in it would be disposed without notice. Return them in an array, object, Map or Set instead`);
    }
    if (Array.isArray(v)) { for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]); continue; }
    if (v instanceof Map) { for (const [k, val] of v) { stack.push(k); stack.push(val); } continue; }
    if (v instanceof Set) { for (const val of v) stack.push(val); continue; }
    for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
  }
}