/**
 * The backend contract: the few primitive kernels a backend must implement.
 *
 * Everything else in gradbook (activations, losses, layers, every gradient) is composed from
 * these in TypeScript, so a new backend only has to get this file right. The `js` backend is
 * the reference every other backend is tested against (test/lib/opdb.ts drives all of them).
 *
 * Conventions
 * - A `Storage` is a flat buffer owned by one backend. Tensors are views over storages
 *   (shape, strides in elements, offset in elements); views never copy.
 * - Kernels that take a `View` accept any strides, including 0 (broadcast) and negative-free
 *   permutations; kernels that take a `Storage` expect contiguous row-major data.
 * - Every kernel returns a fresh contiguous storage; none mutate their inputs, except
 *   `assign`, which writes into a view of an existing storage.
 * - Inputs of binary kernels already have the same dtype (the frontend promotes first).
 */

export type DType = "float32" | "float64" | "int32" | "bool";
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export type DeviceName = "js" | "cpu" | "cuda";

/** A backend-owned flat buffer. Backends may extend it with their own handle. */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** Set once the buffer was freed; using it afterwards is an error. */
  disposed?: boolean;
  /**
   * Optional: what garbage collection must free when this Storage object becomes unreachable
   * without `dispose()` (a device pointer, say). It must not reference the Storage itself. The
   * engine passes it to `Backend.release` from a FinalizationRegistry callback.
   */
  readonly handle?: unknown;
}

/** A strided view over a storage, as handed to the kernels. */
export interface View {
  storage: Storage;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

export type UnaryOp =
  | "neg" | "abs" | "sign" | "exp" | "log" | "sqrt" | "rsqrt" | "square" | "reciprocal"
  | "tanh" | "sigmoid" | "relu" | "sin" | "cos" | "floor" | "ceil" | "round"
  | "log1p" | "expm1" | "logicalNot";

export type BinaryOp =
  | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum"
  | "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "logicalAnd" | "logicalOr";

/** Comparison and logical ops return `bool`; the others return the input dtype. */
export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set<BinaryOp>([
  "eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr",
]);

export type ReduceOp = "sum" | "prod" | "max" | "min" | "argmax" | "argmin";

export interface MatmulParams {
  /** Number of matrices; a is [batch, m, k] (or [batch, k, m] when transA), b likewise. */
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Elements between consecutive matrices of a / b; 0 broadcasts one matrix to every batch. */
  strideA: number;
  strideB: number;
}

export interface Conv2dParams {
  n: number; cIn: number; h: number; w: number;
  cOut: number; kh: number; kw: number;
  strideH: number; strideW: number;
  padTop: number; padLeft: number; padBottom: number; padRight: number;
  dilationH: number; dilationW: number;
  groups: number;
  /** Output spatial size, computed by the frontend. */
  outH: number; outW: number;
}

export interface Pool2dParams {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number;
  strideH: number; strideW: number;
  padTop: number; padLeft: number;
  outH: number; outW: number;
  /** avg pooling: count padded cells in the divisor (PyTorch's count_include_pad). */
  countIncludePad?: boolean;
}

export type OptimizerKind = "sgd" | "adam" | "rmsprop" | "adagrad";

/**
 * One parameter's optimizer update, fused into a single pass over its memory (lib/optim uses
 * it in `step()`). The scalars are the optimizer's own, with the per-step factors folded in by
 * the caller: Adam's bias corrections, Adagrad's learning-rate decay. Per element, in this
 * order (the composed ops of lib/optim compute exactly this):
 *
 * ```
 * sgd      g ← grad + wd·p;  with momentum μ (state [v]): v ← first ? g : μ·v + (1 − dampening)·g,
 *          d ← nesterov ? g + μ·v : v;  without: d ← g;  p ← p − lr·d
 * adam     p ← decay·p;  g ← grad + wd·p;  m ← m + (1 − β₁)(g − m);  v ← v + (1 − β₂)(g² − v);
 *          amsgrad (state [m, v, vMax]): vMax ← max(vMax, v), v̂ = vMax, else v̂ = v;
 *          p ← p − lr·m/(√v̂ + eps)
 * rmsprop  g ← grad + wd·p;  S ← α·S + (1 − α)·g²;  centered (state slot 1, ḡ): ḡ ← α·ḡ + (1 − α)·g,
 *          d ← √(S − ḡ²) + eps, else d ← √S + eps;  momentum μ (slot 2, b): b ← μ·b + g/d,
 *          p ← p − lr·b, else p ← p − lr·g/d
 * adagrad  g ← grad + wd·p;  G ← G + g²;  p ← p − lr·g/(√G + eps)
 * ```
 * max propagates NaN (as `maximum` does). State slots: sgd [v]; adam [m, v, vMax]; rmsprop
 * [S, ḡ, b]; adagrad [G]; an unused slot is null.
 */
export interface OptimizerStep {
  kind: OptimizerKind;
  /** The step size (Adam: lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ); Adagrad: lr/(1 + (t − 1)·lrDecay)). */
  lr: number;
  /** Coupled weight decay λ, added to the gradient as λ·p (0: none). */
  weightDecay: number;
  /** adam: p is scaled by this first (AdamW's decoupled decay 1 − lr·λ; 1: none). */
  decay?: number;
  /** sgd and rmsprop: μ (0: no momentum buffer). */
  momentum?: number;
  /** sgd: the velocity's dampening. */
  dampening?: number;
  /** sgd: step along g + μ·v. */
  nesterov?: boolean;
  /** sgd: the velocity buffer holds nothing yet (its first step sets it to g). */
  first?: boolean;
  /** adam: β₁ and β₂. */
  beta1?: number;
  beta2?: number;
  /** adam: max of past second moments. */
  amsgrad?: boolean;
  /** rmsprop: α, and whether the mean gradient is subtracted. */
  alpha?: number;
  centered?: boolean;
  /** Added to the denominator (Adam: ε·√(1 − β₂ᵗ), the bias correction folded in). */
  eps?: number;
}

/** Flags of `packOptimizerStep`, as native/cpu/optim.cc and native/cuda/kernels/optim.cu read them. */
export const OPTIM_FLAGS = { nesterov: 1, first: 2, momentum: 4, amsgrad: 8, centered: 16 } as const;
export const OPTIM_KIND_CODE: Record<OptimizerKind, number> = { sgd: 0, adam: 1, rmsprop: 2, adagrad: 3 };

/**
 * The kernels' scalars of an update, computed once in double here so that every backend gets
 * the same numbers: [lr, wd, decay, c1, c2, c3, eps, flags] with c1..c3 per kind: sgd μ,
 * 1 − dampening; adam 1 − β₁, 1 − β₂; rmsprop α, 1 − α, μ.
 */
export function packOptimizerStep(h: OptimizerStep): [number, number, number, number, number, number, number, number] {
  const F = OPTIM_FLAGS;
  const mom = h.momentum ?? 0;
  let c1 = 0, c2 = 0, c3 = 0, flags = 0;
  switch (h.kind) {
    case "sgd":
      c1 = mom; c2 = 1 - (h.dampening ?? 0);
      flags = (h.nesterov ? F.nesterov : 0) | (h.first ? F.first : 0) | (mom !== 0 ? F.momentum : 0);
      break;
    case "adam":
      c1 = 1 - (h.beta1 ?? 0.9); c2 = 1 - (h.beta2 ?? 0.999);
      flags = h.amsgrad ? F.amsgrad : 0;
      break;
    case "rmsprop": {
      const a = h.alpha ?? 0.99;
      c1 = a; c2 = 1 - a; c3 = mom;
      flags = (h.centered ? F.centered : 0) | (mom > 0 ? F.momentum : 0);
      break;
    }
    case "adagrad":
      break;
  }
  return [h.lr, h.weightDecay, h.decay ?? 1, c1, c2, c3, h.eps ?? 0, flags];
}

/**
 * The primitive kernels. Shapes are passed explicitly; the frontend has validated them, so
 * kernels never need to produce user-facing errors.
 */
export interface Backend {
  readonly name: DeviceName;

  // ---- memory ---------------------------------------------------------------------------
  /** Copies a host array into a new storage of the given dtype (converting values). */
  fromArray(data: TypedArray | number[], dtype: DType): Storage;
  /** A new storage with every element set to `value`. */
  fill(size: number, value: number, dtype: DType): Storage;
  /** Copies the storage back to the host (a fresh typed array of the storage's dtype). */
  read(s: Storage): TypedArray;
  /** Frees the buffer now. Idempotent. */
  dispose(s: Storage): void;
  /**
   * Optional: frees the memory behind a `Storage.handle` after its Storage was garbage
   * collected without being disposed. Backends whose memory lives on the JS heap omit it.
   */
  release?(handle: unknown): void;
  /**
   * Optional: true when the backend itself frees a storage's memory once the Storage object is
   * garbage collected (its own FinalizationRegistry, an N-API finalizer). The engine then does
   * not register the storage in its FinalizationRegistry, which would cost as much again per op;
   * `memory()` reports `memoryStats()` for such a backend instead of counting.
   */
  readonly releasesOnCollect?: boolean;
  /**
   * Optional: makes the backend free this storage's memory itself as soon as the Storage object
   * is garbage collected, in any collection, the young-generation one included (a weak handle in
   * native code); false where it cannot. The engine guards large storages that outlive their
   * tidy scope instead of registering them in its FinalizationRegistry, whose entries only a full
   * collection clears. `counters` (from guardCounters) say what was freed so.
   */
  guard?(s: Storage, counters: Float64Array): boolean;
  /**
   * With `guard`: a new Float64Array(3) the backend keeps up to date, one per engine: [storages
   * guarded with it freed because collected, their bytes, bytes guarded since the last
   * collection of any kind]. The engine reads it without a call.
   */
  guardCounters?(): Float64Array;
  /** With `guard`: frees now the memory of guarded storages already collected. */
  reclaim?(): void;
  /** Optional: live storages and bytes as the backend counts them (used by `memory()`). */
  memoryStats?(): { tensors: number; bytes: number };

  // ---- layout ---------------------------------------------------------------------------
  /** Materialises a view as a contiguous storage, converting to `dtype` if given. */
  contiguous(x: View, dtype?: DType): Storage;
  /** Writes `src` (broadcast to dst's shape) into the view `dst`, in place. */
  assign(dst: View, src: View): void;

  // ---- elementwise ----------------------------------------------------------------------
  unary(op: UnaryOp, x: View): Storage;
  /** a and b are already broadcast to `outShape` through their strides. */
  binary(op: BinaryOp, a: View, b: View, outShape: readonly number[]): Storage;
  /** cond is bool; a and b have the same dtype; all broadcast to outShape through strides. */
  where(cond: View, a: View, b: View, outShape: readonly number[]): Storage;

  // ---- reductions -----------------------------------------------------------------------
  /**
   * Reduces a contiguous tensor of `shape` over `axes` (sorted, unique, non-empty). The result
   * has the reduced axes removed. argmax/argmin take exactly one axis and return int32.
   */
  reduce(op: ReduceOp, x: Storage, shape: readonly number[], axes: readonly number[]): Storage;
  /** Inclusive cumulative sum along `axis` of a contiguous tensor. */
  cumsum(x: Storage, shape: readonly number[], axis: number): Storage;
  /** Stable sort along the last axis of a contiguous [outer, n] tensor; indices are int32. */
  sort(x: Storage, outer: number, n: number, descending: boolean): { values: Storage; indices: Storage };

  // ---- linear algebra -------------------------------------------------------------------
  /** Batched GEMM on contiguous operands; returns [batch, m, n]. */
  matmul(a: Storage, b: Storage, p: MatmulParams): Storage;

  // ---- convolution and pooling (NCHW, contiguous) ----------------------------------------
  /** x [n, cIn, h, w], w [cOut, cIn/groups, kh, kw] → [n, cOut, outH, outW]. No bias. */
  conv2d(x: Storage, w: Storage, p: Conv2dParams): Storage;
  /** dy [n, cOut, outH, outW], w → dx [n, cIn, h, w]. */
  conv2dBackwardInput(dy: Storage, w: Storage, p: Conv2dParams): Storage;
  /** x, dy → dw [cOut, cIn/groups, kh, kw]. */
  conv2dBackwardWeight(x: Storage, dy: Storage, p: Conv2dParams): Storage;
  /** Max pooling; indices (int32) are flat positions within each input plane (h*w). */
  maxPool2d(x: Storage, p: Pool2dParams): { out: Storage; indices: Storage };
  maxPool2dBackward(dy: Storage, indices: Storage, p: Pool2dParams): Storage;
  avgPool2d(x: Storage, p: Pool2dParams): Storage;
  avgPool2dBackward(dy: Storage, p: Pool2dParams): Storage;

  // ---- fused, numerically stable ---------------------------------------------------------
  /** Softmax (or log-softmax) over the last axis of a contiguous [outer, n] tensor. */
  softmax(x: Storage, outer: number, n: number, log: boolean): Storage;

  // ---- indexing -------------------------------------------------------------------------
  /**
   * torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] along `axis` (index int32, same rank,
   * out has index's shape). x and index are contiguous.
   */
  gather(x: Storage, xShape: readonly number[], index: Storage, indexShape: readonly number[], axis: number): Storage;
  /**
   * Whole slices picked by a 1-D index: for a contiguous x of shape [outer, dim, inner],
   * out[o, i, r] = x[o, index[i], r], of shape [outer, count, inner]. The caller has checked
   * that every index is in [0, dim). Optional: without it, indexSelect goes through gather
   * with the index expanded to the output's shape.
   */
  indexSelect?(x: Storage, outer: number, dim: number, inner: number, index: Storage, count: number): Storage;
  /**
   * The adjoint of gather: a zero tensor of `outShape` with src added at index along axis
   * (torch.scatter_add). Used for gather's gradient and for embeddings. index has
   * `srcShape` (the frontend trims src to index's shape first); both are contiguous.
   */
  scatterAdd(outShape: readonly number[], index: Storage, src: Storage, srcShape: readonly number[], axis: number): Storage;

  // ---- optimizers (in place) --------------------------------------------------------------
  /**
   * Optional: updates the parameter `p` and its optimizer state in place, in one pass (see
   * `OptimizerStep`). p, grad and every non-null state slot are contiguous float storages of
   * the same dtype and size, from this backend. Without it lib/optim composes the same update
   * from the kernels above.
   */
  optimizerStep?(p: Storage, grad: Storage, state: readonly (Storage | null)[], step: OptimizerStep): void;
}

/** Number of elements of a shape (1 for a scalar shape []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** The typed-array class used for a dtype on the host. */
export function arrayTypeFor(dtype: DType): Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor {
  switch (dtype) {
    case "float32": return Float32Array;
    case "float64": return Float64Array;
    case "int32": return Int32Array;
    case "bool": return Uint8Array;
  }
}
