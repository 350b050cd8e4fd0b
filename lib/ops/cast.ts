/** dtype conversion and device transfer. */
import type { DType, DeviceName } from "../backend";
import { NO_SAVED, record } from "../autograd";
import { checkDType, isFloat } from "../dtype";
import { checkDevice, getEngine } from "../engine";
import { Tensor, makeTensor } from "../tensor";

/**
 * Converts to `dtype` (a copy; the same tensor when the dtype already matches). Float-to-int
 * truncates toward zero; anything non-zero becomes true.
 * @example tensor([1.7, -1.7]).astype("int32")   // tensor([ 1, -1])
 */
export function astype(x: Tensor, dtype: DType): Tensor {
  checkDType("astype", dtype);
  if (x.dtype === dtype) return x;
  const out = makeTensor(x.storage.backend.contiguous(x, dtype), x.shape);
  if (isFloat(dtype) && isFloat(x.dtype)) {
    const from = x.dtype;
    record(out, "ToCopyBackward", [x], (g) => [astype(g, from)], undefined, NO_SAVED);
  }
  return out;
}

/**
 * Copies x to another device (through host memory). Gradients flow back to the source device.
 * @example const xg = x.to("cuda");
 */
export function toDevice(x: Tensor, device: DeviceName): Tensor {
  checkDevice("to", device);
  if (x.device === device) return x;
  const target = getEngine().backend(device);
  const src = x.isContiguous() && x.offset === 0 && x.storage.size === x.size ? x.storage : x.storage.backend.contiguous(x);
  const host = x.storage.backend.read(src);
  if (src !== x.storage) x.storage.backend.dispose(src);
  const out = makeTensor(target.fromArray(host, x.dtype), x.shape);
  const from = x.device;
  return record(out, "ToCopyBackward", [x], (g) => [toDevice(g, from)], undefined, NO_SAVED);
}
