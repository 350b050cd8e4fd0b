/**
 * The native CPU backend: every primitive of lib/backend.ts runs in C++ (native/cpu) over
 * N-API, with a packed SIMD SGEMM, vectorised elementwise kernels and a thread pool.
 *
 * Storages hold a handle to native memory; no tensor data passes through JavaScript except in
 * `fromArray` and `read`. Memory is freed by `dispose`, or for tensors collected undisposed by
 * the addon itself for the large storages the engine guards (`guard`: a weak handle that any
 * collection, a scavenge included, clears) and by the engine's FinalizationRegistry through
 * `release(handle)` for the others; a raw Storage used without tensors must be disposed by its user. Shapes and parameters are written into one shared Float64Array that
 * the addon reads directly, so a call costs one N-API transition and no object traversal.
 *
 * @example
 * ```ts
 * import { loadNativeBackend } from "./backends/native";
 * const cpu = loadNativeBackend();              // throws, saying why, if the addon is missing
 * const a = cpu.fromArray([1, 2, 3, 4], "float32");
 * const y = cpu.unary("exp", { storage: a, shape: [2, 2], strides: [2, 1], offset: 0 });
 * cpu.read(y);                                  // Float32Array [2.718…, 7.389…, 20.08…, 54.59…]
 * ```
 */
import type {
  Backend, BinaryOp, Conv2dParams, DType, MatmulParams, OptimizerStep, Pool2dParams, ReduceOp, Storage,
  TypedArray, UnaryOp, View,
} from "../../backend";
import { COMPARISON_OPS, OPTIM_KIND_CODE, packOptimizerStep, sizeOf } from "../../backend";
import { loadAddon, type NativeAddon, type NativeHandle, type NativeStats } from "./addon";

export type { NativeStats } from "./addon";
export { loadAddon } from "./addon";

/** dtype codes shared with native/cpu/common.h. */
const DTYPE_CODE: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };

/** Op codes: positions in native/cpu/kernels.h's enums (the order of the unions in backend.ts). */
const UNARY_CODE: Record<UnaryOp, number> = {
  neg: 0, abs: 1, sign: 2, exp: 3, log: 4, sqrt: 5, rsqrt: 6, square: 7, reciprocal: 8, tanh: 9,
  sigmoid: 10, relu: 11, sin: 12, cos: 13, floor: 14, ceil: 15, round: 16, log1p: 17, expm1: 18,
  logicalNot: 19,
};
const BINARY_CODE: Record<BinaryOp, number> = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, eq: 7, ne: 8, lt: 9, le: 10,
  gt: 11, ge: 12, logicalAnd: 13, logicalOr: 14,
};
const REDUCE_CODE: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3, argmax: 4, argmin: 5 };

const MAX_DIMS = 16;

/**
 * A storage of the cpu backend: a handle to 64-byte aligned native memory. Every op makes one,
 * and a graph of scalar ops keeps thousands alive, so it holds three fields only: `backend`
 * lives on each backend's subclass prototype, and `disposed` is added when it is set.
 */
export class NativeStorage implements Storage {
  declare disposed?: boolean;
  declare readonly backend: Backend;
  constructor(
    readonly dtype: DType,
    readonly size: number,
    /** Freed by dispose(), or by the engine's FinalizationRegistry through release(handle). */
    readonly handle: NativeHandle,
  ) {}
}

/** The cpu backend plus what only it has: allocator statistics and thread control. */
export interface NativeBackend extends Backend {
  /** The SGEMM micro-kernel chosen for this CPU ("avx512", "avx2" or "generic"). */
  readonly kernel: string;
  /** Live and cached native memory, thread count. */
  stats(): NativeStats;
  /** Whether a storage's native memory is still allocated (false after dispose or release). */
  isLive(s: Storage): boolean;
  /** Returns the caching allocator's free blocks to the system. */
  emptyCache(): void;
  /** Resizes the thread pool (1 = single-threaded). */
  setThreads(n: number): void;
}

function hostDtype(data: ArrayBufferView): number {
  if (data instanceof Float32Array) return 0;
  if (data instanceof Float64Array) return 1;
  if (data instanceof Int32Array) return 2;
  if (data instanceof Uint8Array) return 3;
  return -1;
}

// One backend per loaded addon: the addon keeps one parameter buffer and one thread pool.
const instances = new Map<NativeAddon, NativeBackend>();

/**
 * Loads the addon and returns the cpu backend (one instance per process: it owns the thread
 * pool). Throws an Error saying why and how to fix it when the addon is not built.
 *
 * @example
 * ```ts
 * let cpu: Backend;
 * try { cpu = loadNativeBackend(); } catch (e) { console.warn((e as Error).message); }
 * ```
 */
export function loadNativeBackend(): NativeBackend {
  const addon = loadAddon();
  let be = instances.get(addon);
  if (be === undefined) {
    be = createNativeBackend(addon);
    instances.set(addon, be);
  }
  return be;
}

function createNativeBackend(A: NativeAddon): NativeBackend {
  const P = new Float64Array(4 + 2 * MAX_DIMS * 5);
  const info = A.init(P);

  const h = (s: Storage): NativeHandle => {
    const ns = s as NativeStorage;
    if (ns.backend !== be) {
      throw new Error(`cpu backend: got a storage of backend "${s.backend.name}"; move the tensor with .to("cpu") first`);
    }
    return ns.handle;
  };
  class Own extends NativeStorage {}
  const wrap = (dtype: DType, size: number, handle: NativeHandle): NativeStorage => new Own(dtype, size, handle);

  /** Writes [nd, shape..., (offset, strides...) per view] into P. */
  const putViews = (shape: readonly number[], views: View[]): void => {
    const nd = shape.length;
    if (nd > MAX_DIMS) throw new Error(`cpu backend: tensors of at most ${MAX_DIMS} dimensions are supported, got ${nd} (shape [${shape.join(", ")}])`);
    P[0] = nd;
    let k = 1;
    for (let d = 0; d < nd; d++) P[k++] = shape[d];
    for (const v of views) {
      P[k++] = v.offset;
      const st = v.strides;
      for (let d = 0; d < nd; d++) P[k++] = st[d];
    }
  };
  const putShapes = (a: readonly number[], b?: readonly number[]): void => {
    const nd = a.length;
    if (nd > MAX_DIMS) throw new Error(`cpu backend: tensors of at most ${MAX_DIMS} dimensions are supported, got ${nd} (shape [${a.join(", ")}])`);
    P[0] = nd;
    for (let d = 0; d < nd; d++) P[1 + d] = a[d];
    if (b) for (let d = 0; d < nd; d++) P[1 + nd + d] = b[d];
  };
  const putConv = (p: Conv2dParams): void => {
    P[0] = p.n; P[1] = p.cIn; P[2] = p.h; P[3] = p.w; P[4] = p.cOut; P[5] = p.kh; P[6] = p.kw;
    P[7] = p.strideH; P[8] = p.strideW; P[9] = p.padTop; P[10] = p.padLeft; P[11] = p.padBottom;
    P[12] = p.padRight; P[13] = p.dilationH; P[14] = p.dilationW; P[15] = p.groups; P[16] = p.outH; P[17] = p.outW;
  };
  const putPool = (p: Pool2dParams): void => {
    P[0] = p.n; P[1] = p.c; P[2] = p.h; P[3] = p.w; P[4] = p.kh; P[5] = p.kw; P[6] = p.strideH;
    P[7] = p.strideW; P[8] = p.padTop; P[9] = p.padLeft; P[10] = p.outH; P[11] = p.outW;
    P[12] = p.countIncludePad === false ? 0 : 1;
  };

  const be: NativeBackend = {
    name: "cpu",
    kernel: info.kernel,

    fromArray(data: TypedArray | number[], dtype: DType): Storage {
      let src: ArrayBufferView = data as ArrayBufferView;
      let code = Array.isArray(data) ? -1 : hostDtype(src);
      if (code < 0) { src = Float64Array.from(data as ArrayLike<number>); code = 1; }
      return wrap(dtype, data.length, A.fromArray(src, code, DTYPE_CODE[dtype]));
    },
    fill: (size, value, dtype) => wrap(dtype, size, A.fill(size, value, DTYPE_CODE[dtype])),
    read: (s) => A.read(h(s)),
    dispose(s: Storage): void {
      const ns = s as NativeStorage;
      if (ns.backend !== be) throw new Error(`cpu backend: dispose got a storage of backend "${s.backend.name}"`);
      A.dispose(ns.handle);
      s.disposed = true;
    },
    release: (handle) => A.dispose(handle as NativeHandle),

    contiguous(x: View, dtype?: DType): Storage {
      const d = dtype ?? x.storage.dtype;
      putViews(x.shape, [x]);
      return wrap(d, sizeOf(x.shape), A.contiguous(h(x.storage), DTYPE_CODE[d]));
    },
    assign(dst: View, src: View): void {
      putViews(dst.shape, [dst, src]);
      A.assign(h(dst.storage), h(src.storage));
    },
    unary(op: UnaryOp, x: View): Storage {
      putViews(x.shape, [x]);
      return wrap(op === "logicalNot" ? "bool" : x.storage.dtype, sizeOf(x.shape), A.unary(UNARY_CODE[op], h(x.storage)));
    },
    binary(op: BinaryOp, a: View, b: View, outShape: readonly number[]): Storage {
      putViews(outShape, [a, b]);
      const d = COMPARISON_OPS.has(op) ? "bool" : a.storage.dtype;
      return wrap(d, sizeOf(outShape), A.binary(BINARY_CODE[op], h(a.storage), h(b.storage)));
    },
    where(cond: View, a: View, b: View, outShape: readonly number[]): Storage {
      putViews(outShape, [cond, a, b]);
      return wrap(a.storage.dtype, sizeOf(outShape), A.where(h(cond.storage), h(a.storage), h(b.storage)));
    },

    reduce(op: ReduceOp, x: Storage, shape: readonly number[], axes: readonly number[]): Storage {
      putShapes(shape);
      const nd = shape.length;
      P[1 + nd] = axes.length;
      let outSize = 1;
      for (let d = 0; d < nd; d++) if (!axes.includes(d)) outSize *= shape[d];
      for (let i = 0; i < axes.length; i++) P[2 + nd + i] = axes[i];
      const d = op === "argmax" || op === "argmin" ? "int32" : x.dtype;
      return wrap(d, outSize, A.reduce(REDUCE_CODE[op], h(x)));
    },
    cumsum(x: Storage, shape: readonly number[], axis: number): Storage {
      putShapes(shape);
      return wrap(x.dtype, x.size, A.cumsum(h(x), axis));
    },
    sort(x: Storage, outer: number, n: number, descending: boolean) {
      const [v, i] = A.sort(h(x), outer, n, descending);
      return { values: wrap(x.dtype, outer * n, v), indices: wrap("int32", outer * n, i) };
    },

    matmul(a: Storage, b: Storage, p: MatmulParams): Storage {
      P[0] = p.batch; P[1] = p.m; P[2] = p.n; P[3] = p.k; P[4] = p.transA ? 1 : 0; P[5] = p.transB ? 1 : 0;
      P[6] = p.strideA; P[7] = p.strideB;
      return wrap(a.dtype, p.batch * p.m * p.n, A.matmul(h(a), h(b)));
    },

    conv2d(x: Storage, w: Storage, p: Conv2dParams): Storage {
      putConv(p);
      return wrap(x.dtype, p.n * p.cOut * p.outH * p.outW, A.conv2d(h(x), h(w)));
    },
    conv2dBackwardInput(dy: Storage, w: Storage, p: Conv2dParams): Storage {
      putConv(p);
      return wrap(dy.dtype, p.n * p.cIn * p.h * p.w, A.conv2dBackwardInput(h(dy), h(w)));
    },
    conv2dBackwardWeight(x: Storage, dy: Storage, p: Conv2dParams): Storage {
      putConv(p);
      return wrap(x.dtype, p.cOut * (p.cIn / p.groups) * p.kh * p.kw, A.conv2dBackwardWeight(h(x), h(dy)));
    },
    maxPool2d(x: Storage, p: Pool2dParams) {
      putPool(p);
      const [o, i] = A.maxPool2d(h(x));
      const n = p.n * p.c * p.outH * p.outW;
      return { out: wrap(x.dtype, n, o), indices: wrap("int32", n, i) };
    },
    maxPool2dBackward(dy: Storage, indices: Storage, p: Pool2dParams): Storage {
      putPool(p);
      return wrap(dy.dtype, p.n * p.c * p.h * p.w, A.maxPool2dBackward(h(dy), h(indices)));
    },
    avgPool2d(x: Storage, p: Pool2dParams): Storage {
      putPool(p);
      return wrap(x.dtype, p.n * p.c * p.outH * p.outW, A.avgPool2d(h(x)));
    },
    avgPool2dBackward(dy: Storage, p: Pool2dParams): Storage {
      putPool(p);
      return wrap(dy.dtype, p.n * p.c * p.h * p.w, A.avgPool2dBackward(h(dy)));
    },

    softmax: (x, outer, n, log) => wrap(x.dtype, outer * n, A.softmax(h(x), outer, n, log)),

    gather(x: Storage, xShape: readonly number[], index: Storage, indexShape: readonly number[], axis: number): Storage {
      putShapes(xShape, indexShape);
      return wrap(x.dtype, sizeOf(indexShape), A.gather(h(x), h(index), axis));
    },
    indexSelect: (x, outer, dim, inner, index, count) => wrap(x.dtype, outer * count * inner, A.indexSelect(h(x), outer, dim, inner, h(index), count)),
    scatterAdd(outShape: readonly number[], index: Storage, src: Storage, srcShape: readonly number[], axis: number): Storage {
      putShapes(outShape, srcShape);
      return wrap(src.dtype, sizeOf(outShape), A.scatterAdd(h(index), h(src), axis));
    },

    optimizerStep(p: Storage, grad: Storage, state: readonly (Storage | null)[], step: OptimizerStep): void {
      P.set(packOptimizerStep(step), 0);
      const st = (k: number): NativeHandle | null => (state[k] ? h(state[k]!) : null);
      A.optimizerStep!(OPTIM_KIND_CODE[step.kind], h(p), h(grad), st(0), st(1), st(2));
    },

    stats: () => A.stats(),
    isLive: (s) => A.isLive((s as NativeStorage).handle),
    emptyCache: () => A.emptyCache(),
    setThreads(n: number): void {
      if (!Number.isInteger(n) || n < 1) throw new Error(`cpu backend: setThreads(n): n must be a positive integer, got ${n}`);
      A.setThreads(n);
    },
  };
  // An addon built before the fused update existed (a stale build/) still works: optim then
  // composes the update from the other kernels.
  if (typeof A.optimizerStep !== "function") delete (be as { optimizerStep?: unknown }).optimizerStep;
  // Guards (see Backend.guard), where the addon has them.
  if (typeof A.initGuards === "function" && typeof A.guard === "function" && typeof A.reclaim === "function") {
    const { initGuards, guard, reclaim } = A;
    const ids = new Map<Float64Array, number>();
    Object.assign(be, {
      guardCounters(): Float64Array {
        const c = new Float64Array(3);
        ids.set(c, initGuards(c));
        return c;
      },
      guard(s: Storage, counters: Float64Array): boolean {
        const id = ids.get(counters);
        if (id === undefined) throw new Error("cpu backend: guard() needs counters made by this backend's guardCounters()");
        return (s as NativeStorage).backend === be && guard((s as NativeStorage).handle, s, id);
      },
      reclaim: () => reclaim(),
    });
  }
  Object.defineProperty(Own.prototype, "backend", { value: be });
  return be;
}
