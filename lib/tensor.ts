/**
 * The Tensor: a strided view (shape, strides, offset) over a backend storage, plus the
 * autodiff fields. Views (reshape of contiguous data, transpose/permute, slice, expand) share
 * the storage and copy nothing. Every method is a thin call to the op of the same name in
 * lib/ops, where arguments are validated and gradients recorded.
 */
import type { DType, DeviceName, Storage, TypedArray, View } from "./backend";
import { contiguousStrides, sizeOf } from "./backend";
import { getEngine, StorageRef } from "./engine";
import { OpError } from "./errors";
import type { GradNode } from "./autograd";
import * as ops from "./ops";
import { formatTensor } from "./print";
import { backward as runBackward } from "./autograd";

type Scalar = Tensor | number;
type Axis = number | number[] | undefined | null;

/** Options of var/std as an object (the third calling form). */
export interface VarOptions {
  axis?: number | number[] | null;
  keepdim?: boolean;
  correction?: number;
}

/**
 * An n-dimensional array on a device, with reverse-mode autodiff.
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.matmul(x.T).sum();
 * y.backward();
 * x.grad;   // tensor([[ 8., 12.], [ 8., 12.]])
 */
export class Tensor implements View {
  readonly storage: Storage;
  /** @internal the storage's reference count and size record. */
  readonly _ref: StorageRef;
  readonly shape: number[];
  readonly strides: number[];
  readonly offset: number;
  /** Whether gradients flow to (and accumulate in) this tensor. */
  requiresGrad = false;
  /** The accumulated gradient after `backward()`, for leaves and tensors with `retainGrad()`. */
  grad: Tensor | null = null;
  /** @internal the op that made this tensor, for autodiff. */
  _ctx: GradNode | null = null;
  /** @internal keep `.grad` on a non-leaf. */
  _retain = false;
  /** @internal protected from tidy() scopes (gradients, kept results). */
  _kept = false;
  private _disposed = false;
  /** @internal creation order (autograd tells the tensors a backward step made by it). */
  readonly _id: number;
  /** @internal backward bookkeeping: the pass that last visited this tensor. */
  _visit = 0;
  /** @internal backward bookkeeping: the gradient pending for this tensor in a pass. */
  _gpend: Tensor | null = null;
  /** @internal backward bookkeeping: how many pending entries hold this gradient. */
  _holds = 0;

  /** @internal use the creation functions (tensor, zeros, ...) instead. */
  constructor(ref: StorageRef, shape: number[], strides: number[], offset: number) {
    this._ref = ref;
    this.storage = ref.storage;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this._id = ++created;
    const scopes = getEngine().scopes;
    if (scopes.length !== 0) scopes[scopes.length - 1].tensors.push(this);
  }

  get dtype(): DType { return this.storage.dtype; }
  get device(): DeviceName { return this.storage.backend.name; }
  get ndim(): number { return this.shape.length; }
  /** Number of elements. */
  get size(): number { return sizeOf(this.shape); }
  /** The name of the op that made this tensor (like PyTorch's grad_fn), or null for leaves. */
  get gradFn(): string | null { return this._ctx === null ? null : this._ctx.name; }
  /** True for tensors not made by a recorded op. */
  get isLeaf(): boolean { return this._ctx === null; }
  get isDisposed(): boolean { return this._disposed; }

  /** Whether the elements lie in row-major order without gaps (offset aside). */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i];
      if (d !== 1 && this.strides[i] !== expected) return false;
      expected *= d;
    }
    return true;
  }

  // ---- arithmetic ------------------------------------------------------------------------
  add(other: Scalar): Tensor { return ops.add(this, other); }
  sub(other: Scalar): Tensor { return ops.sub(this, other); }
  mul(other: Scalar): Tensor { return ops.mul(this, other); }
  div(other: Scalar): Tensor { return ops.div(this, other); }
  pow(other: Scalar): Tensor { return ops.pow(this, other); }
  maximum(other: Scalar): Tensor { return ops.maximum(this, other); }
  minimum(other: Scalar): Tensor { return ops.minimum(this, other); }
  neg(): Tensor { return ops.neg(this); }
  abs(): Tensor { return ops.abs(this); }
  sign(): Tensor { return ops.sign(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  rsqrt(): Tensor { return ops.rsqrt(this); }
  square(): Tensor { return ops.square(this); }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  tanh(): Tensor { return ops.tanh(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  relu(): Tensor { return ops.relu(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  floor(): Tensor { return ops.floor(this); }
  ceil(): Tensor { return ops.ceil(this); }
  round(): Tensor { return ops.round(this); }
  log1p(): Tensor { return ops.log1p(this); }
  expm1(): Tensor { return ops.expm1(this); }
  clip(min: number | null, max: number | null): Tensor { return ops.clip(this, min, max); }

  // ---- comparison ------------------------------------------------------------------------
  eq(other: Scalar): Tensor { return ops.eq(this, other); }
  ne(other: Scalar): Tensor { return ops.ne(this, other); }
  lt(other: Scalar): Tensor { return ops.lt(this, other); }
  le(other: Scalar): Tensor { return ops.le(this, other); }
  gt(other: Scalar): Tensor { return ops.gt(this, other); }
  ge(other: Scalar): Tensor { return ops.ge(this, other); }
  logicalNot(): Tensor { return ops.logicalNot(this); }
  logicalAnd(other: Scalar): Tensor { return ops.logicalAnd(this, other); }
  logicalOr(other: Scalar): Tensor { return ops.logicalOr(this, other); }

  // ---- reductions ------------------------------------------------------------------------
  sum(axis?: Axis, keepdim = false): Tensor { return ops.sum(this, axis, keepdim); }
  mean(axis?: Axis, keepdim = false): Tensor { return ops.mean(this, axis, keepdim); }
  max(axis?: Axis, keepdim = false): Tensor { return ops.max(this, axis, keepdim); }
  min(axis?: Axis, keepdim = false): Tensor { return ops.min(this, axis, keepdim); }
  prod(axis?: Axis, keepdim = false): Tensor { return ops.prod(this, axis, keepdim); }
  var(axis?: Axis | VarOptions, keepdim = false, correction = 1): Tensor { return ops.variance(this, axis, keepdim, correction); }
  std(axis?: Axis | VarOptions, keepdim = false, correction = 1): Tensor { return ops.std(this, axis, keepdim, correction); }
  logsumexp(axis?: Axis, keepdim = false): Tensor { return ops.logsumexp(this, axis, keepdim); }
  argmax(axis?: number, keepdim = false): Tensor { return ops.argmax(this, axis, keepdim); }
  argmin(axis?: number, keepdim = false): Tensor { return ops.argmin(this, axis, keepdim); }
  all(): Tensor { return ops.all(this); }
  any(): Tensor { return ops.any(this); }
  cumsum(axis: number): Tensor { return ops.cumsum(this, axis); }
  sort(axis = -1, descending = false): { values: Tensor; indices: Tensor } { return ops.sort(this, axis, descending); }
  topk(k: number, axis = -1, largest = true): { values: Tensor; indices: Tensor } { return ops.topk(this, k, axis, largest); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }

  // ---- linear algebra --------------------------------------------------------------------
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  /** The transpose of a 2-D tensor (a view). */
  get T(): Tensor {
    if (this.ndim !== 2) throw new OpError("T", `expects a 2-D tensor, got shape [${this.shape.join(",")}]; use mT or permute for other ranks`);
    return ops.transpose(this, 0, 1);
  }
  /** The transpose of the last two axes (a view). */
  get mT(): Tensor {
    if (this.ndim < 2) throw new OpError("mT", `expects at least 2 dimensions, got shape [${this.shape.join(",")}]`);
    return ops.transpose(this, -2, -1);
  }

  // ---- shape -----------------------------------------------------------------------------
  reshape(...shape: (number | number[])[]): Tensor { return ops.reshape(this, flatArgs(shape)); }
  view(...shape: (number | number[])[]): Tensor { return ops.view(this, flatArgs(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  squeeze(axis?: number | number[]): Tensor { return ops.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return ops.unsqueeze(this, axis); }
  transpose(a: number, b: number): Tensor { return ops.transpose(this, a, b); }
  permute(...axes: (number | number[])[]): Tensor { return ops.permute(this, flatArgs(axes)); }
  expand(...shape: (number | number[])[]): Tensor { return ops.expand(this, flatArgs(shape)); }
  broadcastTo(shape: number[]): Tensor { return ops.expand(this, shape); }
  slice(axis: number, start?: number | null, end?: number | null, step = 1): Tensor { return ops.slice(this, axis, start, end, step); }
  index(...specs: ops.IndexSpec[]): Tensor { return ops.index(this, ...specs); }
  contiguous(): Tensor { return ops.contiguous(this); }
  clone(): Tensor { return ops.clone(this); }
  split(sizeOrSections: number | number[], axis = 0): Tensor[] { return ops.split(this, sizeOrSections, axis); }
  chunk(n: number, axis = 0): Tensor[] { return ops.chunk(this, n, axis); }
  gather(axis: number, index: Tensor): Tensor { return ops.gather(this, axis, index); }
  indexSelect(axis: number, index: Tensor | number[]): Tensor { return ops.indexSelect(this, axis, index); }
  maskedFill(mask: Tensor, value: number): Tensor { return ops.maskedFill(this, mask, value); }

  // ---- dtype / device --------------------------------------------------------------------
  /** Copies to a device ("js", "cpu", "cuda") or converts to a dtype. */
  to(target: DType | DeviceName): Tensor {
    if (target === "js" || target === "cpu" || target === "cuda") return ops.toDevice(this, target);
    return ops.astype(this, target);
  }
  astype(dtype: DType): Tensor { return ops.astype(this, dtype); }
  float(): Tensor { return ops.astype(this, "float32"); }
  double(): Tensor { return ops.astype(this, "float64"); }
  int(): Tensor { return ops.astype(this, "int32"); }
  bool(): Tensor { return ops.astype(this, "bool"); }

  // ---- autodiff --------------------------------------------------------------------------
  /** Backpropagates from this tensor (a scalar unless `grad` is given), accumulating into `.grad`. */
  backward(grad?: Tensor | null, opts: { createGraph?: boolean } = {}): void {
    runBackward(this, { grad: grad ?? undefined, createGraph: opts.createGraph });
  }
  /** Sets `.grad` to null, freeing the old gradient's memory now. */
  zeroGrad(): void {
    if (this.grad !== null && this.grad.storage !== this.storage) this.grad.dispose();
    this.grad = null;
  }
  /** A view of the same data that is cut out of the graph. */
  detach(): Tensor { return ops.detach(this); }
  /** Marks this tensor as a leaf that collects gradients. */
  requiresGrad_(flag = true): this {
    if (flag && this.dtype !== "float32" && this.dtype !== "float64") {
      throw new OpError("requiresGrad_", `only float tensors can require gradients, got dtype ${this.dtype}`);
    }
    this.requiresGrad = flag;
    return this;
  }
  /** Keeps `.grad` on this non-leaf tensor during backward. */
  retainGrad(): this { this._retain = true; return this; }

  // ---- element access --------------------------------------------------------------------
  /** The value of a one-element tensor. */
  item(): number { return ops.item(this); }
  /** One element as a number: `t.get(1, 2)`; negative indices count from the end. */
  get(...indices: number[]): number { return ops.getElement(this, indices); }
  /** The values as nested arrays (numbers; bool as true/false). */
  toArray(): unknown { return ops.toNested(this); }
  /** A copy of the values as a flat row-major typed array. */
  data(): TypedArray { return ops.readData(this); }
  /** TF.js's name for `data()` (a copy, read synchronously). */
  dataSync(): TypedArray { return ops.readData(this); }
  /** TF.js's name for `toArray()`. */
  arraySync(): unknown { return ops.toNested(this); }
  /** TF.js's `print()`: writes the tensor to the console (as `console.log(t)` does). */
  print(): void { console.log(formatTensor(this)); }
  /** Prints like PyTorch: `tensor([1., 2.], requires_grad=True)`. */
  toString(): string { return formatTensor(this); }
  toMimeBundle(): Record<string, string> { return { "text/plain": formatTensor(this) }; }
  /** Node's console.log / util.inspect use the PyTorch-like form too. */
  [Symbol.for("nodejs.util.inspect.custom")](): string { return formatTensor(this); }

  // ---- memory ----------------------------------------------------------------------------
  /** Frees this tensor's memory now (the storage goes once no view uses it). Idempotent. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    getEngine().releaseRef(this._ref);
  }

  // ---- in place (optimizers; no autodiff) -------------------------------------------------
  /** Copies `src` (broadcast to this shape) into this tensor's memory. */
  assign(src: Tensor | number): this { ops.assignInPlace(this, src); return this; }
  /** this += alpha * other, in place. */
  addInPlace(other: Tensor | number, alpha = 1): this { ops.addInPlace(this, other, alpha); return this; }
}

/** Tensors created so far (Tensor._id). */
let created = 0;

/** @internal The _id the next tensor will get. */
export function nextId(): number {
  return created + 1;
}

/** Shared by every 0-d tensor (never mutated). */
const NO_STRIDES: number[] = [];

function flatArgs(args: (number | number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return args[0];
  return args as number[];
}

/** @internal A tensor over a fresh storage (contiguous, row-major). */
export function makeTensor(storage: Storage, shape: number[]): Tensor {
  return new Tensor(getEngine().track(storage), shape, shape.length === 0 ? NO_STRIDES : contiguousStrides(shape), 0);
}

/** @internal A view sharing `base`'s storage. */
export function makeView(base: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  base._ref.refs++;
  return new Tensor(base._ref, shape, strides, offset);
}

/** True for a gradbook Tensor. */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
