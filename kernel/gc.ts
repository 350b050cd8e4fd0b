/**
 * V8's full garbage collection, as `--expose-gc` gives it, obtained at run time so that the
 * kernel need not be started with the flag (a new context created after setting it has `gc`).
 */
import * as v8 from "v8";
import * as vm from "vm";

let gcFn: (() => void) | null | undefined;

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
