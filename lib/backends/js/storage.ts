/** The js backend's storage: a typed array on the JS heap. */
import { arrayTypeFor, type Backend, type DType, type Storage, type TypedArray } from "../../backend";

export class JsStorage implements Storage {
  disposed?: boolean;
  readonly size: number;
  constructor(readonly backend: Backend, readonly dtype: DType, public data: TypedArray) {
    this.size = data.length;
  }
}

const EMPTY = new Float64Array(0);

/** The typed array behind a js storage; throws a clear error once the storage was disposed. */
export function arr(s: Storage): TypedArray {
  const js = s as JsStorage;
  if (js.disposed) throw new Error("js backend: this tensor's memory was disposed (dispose() or tidy()); it can no longer be read");
  return js.data;
}

/** Frees the data of a js storage (the GC reclaims it; later reads fail clearly). */
export function release(s: Storage): void {
  const js = s as JsStorage;
  js.disposed = true;
  js.data = EMPTY;
}

/** A zero-filled typed array of a dtype. */
export function alloc(dtype: DType, n: number): TypedArray {
  return new (arrayTypeFor(dtype))(n);
}
