/**
 * V8's full garbage collection, as `--expose-gc` gives it, obtained at run time so that the
 * kernel need not be started with the flag (a new context created after setting it has `gc`).
 */
import * as v8 from "v8";
import * as vm from "vm";

let gcFn: (() => void) | null | undefined;

/**
 * The V8 flags the kernel and the library turn on at run time (here, and in lib/engine.ts for
 * the synchronous collector). V8 checks a code cache against a hash of every flag, so a flag
 * turned on after one thread loaded TypeScript from the cache and before another thread
 * (a language thread started again after an idle release, or the next kernel) wrote or read
 * it makes that cache fail the check, again and again. The kernel sets them all before it
 * starts any thread.
 */
export const RUNTIME_V8_FLAGS = ["--expose-gc", "--harmony-weak-refs-with-cleanup-some"] as const;

/** Turns on RUNTIME_V8_FLAGS; a flag V8 refuses is left off (the code that needs it checks again). */
export function setRuntimeFlags(): void {
  for (const flag of RUNTIME_V8_FLAGS) {
    try {
      v8.setFlagsFromString(flag);
    } catch {
      // left off
    }
  }
}

/** The collector, or null where it cannot be had. Each thread gets its own. */
export function fullGc(): (() => void) | null {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      gcFn = vm.runInNewContext("gc") as () => void;
    } catch {
      gcFn = null;
    }
  }
  return gcFn;
}
