/**
 * Deterministic memory release: `dispose` and `tidy` scopes. Storages that are never disposed
 * are still freed when garbage collected (the engine registers each in a FinalizationRegistry),
 * so a training loop that disposes nothing does not run out of device memory; tidy just frees
 * it sooner.
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
 * Runs fn and then disposes every tensor created inside it except those it returns (a tensor,
 * or arrays / plain objects holding tensors) and gradients stored in `.grad`. Returned tensors
 * belong to the enclosing scope. Run backward() inside the same scope as the forward pass: the
 * intermediate tensors it needs are disposed at the end.
 * @example
 * const loss = tidy(() => {
 *   const l = lossFn(model.forward(X), y);
 *   l.backward();
 *   return l;
 * });
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
  forEachTensor(result, (t) => keep.add(t));
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

function forEachTensor(x: unknown, f: (t: Tensor) => void, depth = 0): void {
  if (x instanceof Tensor) { f(x); return; }
  if (depth > 4 || x === null || typeof x !== "object") return;
  if (Array.isArray(x)) { for (const v of x) forEachTensor(v, f, depth + 1); return; }
  if (x instanceof Map) { for (const v of x.values()) forEachTensor(v, f, depth + 1); return; }
  const proto = Object.getPrototypeOf(x);
  if (proto === Object.prototype || proto === null) for (const v of Object.values(x)) forEachTensor(v, f, depth + 1);
}
