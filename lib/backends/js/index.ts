/**
 * The js backend: the reference implementation of every primitive in lib/backend.ts, on
 * typed arrays. Always available; the oracle the native and CUDA backends are tested against.
 */
import type { Backend, BinaryOp, DType, DeviceName, Storage, TypedArray, UnaryOp, View } from "../../backend";
import { COMPARISON_OPS } from "../../backend";
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from "./conv";
import { BINARY_EXPR, UNARY_EXPR, copyInto, mapViews } from "./elementwise";
import { gather, indexSelect, scatterAdd } from "./gather";
import { matmul } from "./matmul";
import { optimizerStep } from "./optim";
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from "./pool";
import { cumsum, reduce, sortRows } from "./reduce";
import { softmax } from "./softmax";
import { JsStorage, alloc, arr, release } from "./storage";

export { JsStorage } from "./storage";

/**
 * Creates a js backend instance (engines each hold their own). `name` registers the same
 * reference kernels under another device name, which tests use to exercise device handling
 * (transfers, mixing errors) on machines without the native or CUDA backends.
 */
export function createJsBackend(name: DeviceName = "js"): Backend {
  const be: Backend = {
    name,
    fromArray(data: TypedArray | number[], dtype: DType): Storage {
      const out = alloc(dtype, data.length);
      if (dtype === "bool") for (let i = 0; i < data.length; i++) out[i] = data[i] ? 1 : 0;
      else out.set(data as ArrayLike<number>);
      return wrap(dtype, out);
    },
    fill(size: number, value: number, dtype: DType): Storage {
      const out = alloc(dtype, size);
      if (value !== 0) out.fill(dtype === "bool" ? (value ? 1 : 0) : value);
      return wrap(dtype, out);
    },
    read(s: Storage): TypedArray {
      return arr(s).slice();
    },
    dispose(s: Storage): void {
      release(s);
    },
    contiguous(x: View, dtype?: DType): Storage {
      const d = dtype ?? x.storage.dtype;
      const toBool = d === "bool" && x.storage.dtype !== "bool";
      return wrap(d, mapViews(toBool ? "(a !== 0 ? 1 : 0)" : "a", [x], x.shape, d));
    },
    assign(dst: View, src: View): void {
      copyInto(dst, src, dst.storage.dtype === "bool" && src.storage.dtype !== "bool");
    },
    unary(op: UnaryOp, x: View): Storage {
      const d = op === "logicalNot" ? "bool" : x.storage.dtype;
      return wrap(d, mapViews(UNARY_EXPR[op], [x], x.shape, d));
    },
    binary(op: BinaryOp, a: View, b: View, outShape: readonly number[]): Storage {
      const d = COMPARISON_OPS.has(op) ? "bool" : a.storage.dtype;
      return wrap(d, mapViews(BINARY_EXPR[op], [a, b], outShape, d));
    },
    where(cond: View, a: View, b: View, outShape: readonly number[]): Storage {
      const d = a.storage.dtype;
      return wrap(d, mapViews("(a !== 0 ? b : c)", [cond, a, b], outShape, d));
    },
    reduce: (op, x, shape, axes) => wrap(op === "argmax" || op === "argmin" ? "int32" : x.dtype, reduce(op, x, shape, axes)),
    cumsum: (x, shape, axis) => wrap(x.dtype, cumsum(x, shape, axis)),
    sort(x, outer, n, descending) {
      const r = sortRows(x, outer, n, descending);
      return { values: wrap(x.dtype, r.values), indices: wrap("int32", r.indices) };
    },
    matmul: (a, b, p) => wrap(a.dtype, matmul(a, b, p)),
    conv2d: (x, w, p) => wrap(x.dtype, conv2d(x, w, p)),
    conv2dBackwardInput: (dy, w, p) => wrap(dy.dtype, conv2dBackwardInput(dy, w, p)),
    conv2dBackwardWeight: (x, dy, p) => wrap(x.dtype, conv2dBackwardWeight(x, dy, p)),
    maxPool2d(x, p) {
      const r = maxPool2d(x, p);
      return { out: wrap(x.dtype, r.out), indices: wrap("int32", r.indices) };
    },
    maxPool2dBackward: (dy, indices, p) => wrap(dy.dtype, maxPool2dBackward(dy, indices, p)),
    avgPool2d: (x, p) => wrap(x.dtype, avgPool2d(x, p)),
    avgPool2dBackward: (dy, p) => wrap(dy.dtype, avgPool2dBackward(dy, p)),
    softmax: (x, outer, n, log) => wrap(x.dtype, softmax(x, outer, n, log)),
    gather: (x, xShape, index, indexShape, axis) => wrap(x.dtype, gather(x, xShape, index, indexShape, axis)),
    indexSelect: (x, outer, dim, inner, index, count) => wrap(x.dtype, indexSelect(x, outer, dim, inner, index, count)),
    scatterAdd: (outShape, index, src, srcShape, axis) => wrap(src.dtype, scatterAdd(outShape, index, src, srcShape, axis)),
    optimizerStep,
  };
  const wrap = (dtype: DType, data: TypedArray): Storage => new JsStorage(be, dtype, data);
  return be;
}

/** The typed array behind a js storage (no copy). For the frontend's fast element access. */
export function jsData(s: Storage): TypedArray {
  return arr(s);
}
