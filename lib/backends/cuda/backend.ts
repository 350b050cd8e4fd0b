/**
 * The CUDA backend: every primitive of lib/backend.ts as kernel launches on one stream.
 * Memory, elementwise, reductions, sorting and indexing live here; matmul, convolution,
 * pooling and softmax in nn.ts.
 */
import type { Backend, BinaryOp, DType, ReduceOp, Storage, TypedArray, UnaryOp, View } from "../../backend";
import { COMPARISON_OPS, arrayTypeFor, packOptimizerStep } from "../../backend";
import { bytesPerElement } from "../../dtype";
import { CudaContext, CudaStorage, SUFFIX } from "./context";
import { mergeDims, nextPow2, rowMajor, sizeOf, splitReduction } from "./layout";
import * as nn from "./nn";

function cs(s: Storage): CudaStorage {
  if (!(s instanceof CudaStorage)) throw new Error(`cuda backend: got a storage of device "${s.backend.name}"; move the tensor with .to("cuda") first`);
  return s;
}

/** Builds the Backend object over a loaded context. */
export function createCudaBackend(ctx: CudaContext): Backend {
  /** One thread per output element over views merged to as few dimensions as possible. */
  function stridedLaunch(name: string, out: CudaStorage, views: readonly View[], shape: readonly number[]): void {
    const n = sizeOf(shape);
    if (n === 0) return;
    const m = mergeDims(shape, [rowMajor(shape), ...views.map((v) => v.strides)]);
    const a = ctx.params().ptr(out.at());
    for (const v of views) a.ptr(cs(v.storage).at(v.offset));
    a.strided(m.shape, m.strides).i64(n);
    ctx.launch1d("elementwise", name, n);
  }

  /** Host values converted the way the js reference converts them (bool: truthiness). */
  function hostArray(data: TypedArray | number[], dtype: DType): TypedArray {
    const out = new (arrayTypeFor(dtype))(data.length);
    if (dtype === "bool") for (let i = 0; i < data.length; i++) out[i] = data[i] ? 1 : 0;
    else out.set(data as ArrayLike<number>);
    return out;
  }

  function reduceImpl(op: ReduceOp, xs: Storage, shape: readonly number[], axes: readonly number[]): Storage {
    const x = cs(xs);
    const isArg = op === "argmax" || op === "argmin";
    const split = splitReduction(shape, axes);
    const out = ctx.alloc(isArg ? "int32" : x.dtype, split.nOut);
    if (split.nOut === 0) return out;
    if (split.R === 0) {
      // An empty reduction: the identity (sum 0, prod 1); max/min/arg of nothing give 0.
      fillImpl(out, op === "prod" ? 1 : 0);
      return out;
    }
    // argmax/argmin walk exactly one axis, kept whole even when its length is 1.
    const red = isArg ? { shape: [shape[axes[0]]], strides: [rowMajor(shape)[axes[0]]] } : split.red;
    ctx.params().ptr(out.at()).ptr(x.at())
      .strided(split.kept.shape, [split.kept.strides]).strided(red.shape, [red.strides]).i64(split.nOut).i64(split.R);
    const name = `${op}_${SUFFIX[x.dtype]}`;
    if (split.R <= 32 || (split.R <= 256 && split.nOut >= 65536)) {
      // Short reductions: one thread per output keeps every lane busy.
      ctx.launch1d("reduce", "reducet_" + name, split.nOut);
    } else {
      const threads = Math.min(256, Math.max(32, nextPow2(split.R) / 2));
      ctx.launch("reduce", "reduce_" + name, Math.min(split.nOut, 1 << 20), threads);
    }
    return out;
  }

  function fillImpl(out: CudaStorage, value: number): void {
    if (out.size === 0) return;
    const bits = value === 0 || (out.dtype === "bool" && !value);
    if (bits) {
      ctx.zero(out.at(), out.size * bytesPerElement(out.dtype));
      return;
    }
    ctx.params().ptr(out.at()).f64(value).i64(out.size);
    ctx.launch1d("copy", "fill_" + SUFFIX[out.dtype], out.size);
  }

  const be: Backend = {
    name: "cuda",

    fromArray(data, dtype) {
      const host = hostArray(data, dtype);
      const out = ctx.alloc(dtype, host.length);
      if (host.length > 0) ctx.addon.upload(out.at(), host);
      return out;
    },

    fill(size, value, dtype) {
      const out = ctx.alloc(dtype, size);
      fillImpl(out, value);
      return out;
    },

    read(s) {
      const x = cs(s);
      const host = new (arrayTypeFor(x.dtype))(x.size);
      if (x.size > 0) ctx.addon.download(x.at(), host);
      return host;
    },

    dispose(s) {
      ctx.free(s);
    },

    release(handle) {
      ctx.releaseHandle(handle);
    },

    contiguous(x, dtype) {
      const src = cs(x.storage);
      const d = dtype ?? src.dtype;
      const n = sizeOf(x.shape);
      const out = ctx.alloc(d, n);
      if (n === 0) return out;
      const m = mergeDims(x.shape, [rowMajor(x.shape), x.strides]);
      ctx.params().ptr(out.at()).ptr(src.at(x.offset)).strided(m.shape, m.strides).i64(n);
      ctx.launch1d("copy", `copy_${SUFFIX[src.dtype]}_${SUFFIX[d]}`, n);
      return out;
    },

    assign(dst, src) {
      const n = sizeOf(dst.shape);
      if (n === 0) return;
      const d = cs(dst.storage), s = cs(src.storage);
      const m = mergeDims(dst.shape, [dst.strides, src.strides]);
      ctx.params().ptr(d.at(dst.offset)).ptr(s.at(src.offset)).strided(m.shape, m.strides).i64(n);
      ctx.launch1d("copy", `copy_${SUFFIX[s.dtype]}_${SUFFIX[d.dtype]}`, n);
    },

    unary(op: UnaryOp, x: View) {
      const dt = cs(x.storage).dtype;
      const out = ctx.alloc(op === "logicalNot" ? "bool" : dt, sizeOf(x.shape));
      stridedLaunch(`unary_${op}_${SUFFIX[dt]}`, out, [x], x.shape);
      return out;
    },

    binary(op: BinaryOp, a: View, b: View, outShape: readonly number[]) {
      const dt = cs(a.storage).dtype;
      const out = ctx.alloc(COMPARISON_OPS.has(op) ? "bool" : dt, sizeOf(outShape));
      stridedLaunch(`binary_${op}_${SUFFIX[dt]}`, out, [a, b], outShape);
      return out;
    },

    where(cond: View, a: View, b: View, outShape: readonly number[]) {
      const dt = cs(a.storage).dtype;
      const out = ctx.alloc(dt, sizeOf(outShape));
      stridedLaunch(`where_${SUFFIX[dt]}`, out, [cond, a, b], outShape);
      return out;
    },

    reduce: reduceImpl,

    cumsum(xs, shape, axis) {
      const x = cs(xs);
      const out = ctx.alloc(x.dtype, x.size);
      const outer = sizeOf(shape.slice(0, axis)), n = shape[axis], inner = sizeOf(shape.slice(axis + 1));
      if (x.size === 0) return out;
      ctx.params().ptr(out.at()).ptr(x.at()).i64(outer).i64(n).i64(inner);
      ctx.launch1d("scan", "cumsum_" + SUFFIX[x.dtype], outer * inner, 128);
      return out;
    },

    sort(xs, outer, n, descending) {
      const x = cs(xs);
      const values = ctx.alloc(x.dtype, outer * n);
      const indices = ctx.alloc("int32", outer * n);
      if (outer * n === 0) return { values, indices };
      // Bitonic network over rows padded to a power of two (see sort.cu).
      const npad = nextPow2(n);
      const total = outer * npad;
      const v = ctx.alloc(x.dtype, total), idx = ctx.alloc("int32", total);
      const sfx = SUFFIX[x.dtype];
      ctx.params().ptr(v.at()).ptr(idx.at()).ptr(x.at()).i64(outer).i64(n).i64(npad);
      ctx.launch1d("sort", "sort_init_" + sfx, total);
      for (let k = 2; k <= npad; k *= 2) {
        for (let j = k / 2; j >= 1; j /= 2) {
          ctx.params().ptr(v.at()).ptr(idx.at()).i64(outer).i64(n).i64(npad).i64(k).i64(j).i32(descending ? 1 : 0);
          ctx.launch1d("sort", "sort_step_" + sfx, total);
        }
      }
      ctx.params().ptr(values.at()).ptr(indices.at()).ptr(v.at()).ptr(idx.at()).i64(outer).i64(n).i64(npad);
      ctx.launch1d("sort", "sort_take_" + sfx, outer * n);
      ctx.free(v);
      ctx.free(idx);
      return { values, indices };
    },

    matmul: (a, b, p) => nn.matmul(ctx, cs(a), cs(b), p),
    conv2d: (x, w, p) => nn.conv2d(ctx, cs(x), cs(w), p),
    conv2dBackwardInput: (dy, w, p) => nn.conv2dBackwardInput(ctx, cs(dy), cs(w), p),
    conv2dBackwardWeight: (x, dy, p) => nn.conv2dBackwardWeight(ctx, cs(x), cs(dy), p),
    maxPool2d: (x, p) => nn.maxPool2d(ctx, cs(x), p),
    maxPool2dBackward: (dy, indices, p) => nn.maxPool2dBackward(ctx, cs(dy), cs(indices), p),
    avgPool2d: (x, p) => nn.avgPool2d(ctx, cs(x), p),
    avgPool2dBackward: (dy, p) => nn.avgPool2dBackward(ctx, cs(dy), p),
    softmax: (x, outer, n, log) => nn.softmax(ctx, cs(x), outer, n, log),

    gather(xs, xShape, index, indexShape, axis) {
      const x = cs(xs);
      const n = sizeOf(indexShape);
      const out = ctx.alloc(x.dtype, n);
      if (n === 0) return out;
      const xSt = rowMajor(xShape);
      const axisStride = xSt[axis];
      const st = xSt.slice();
      st[axis] = 0;
      // Operand 1 (the index, read at the linear position) keeps the dimensions apart.
      const m = mergeDims(indexShape, [st, rowMajor(indexShape)]);
      ctx.params().ptr(out.at()).ptr(x.at()).ptr(cs(index).at()).strided(m.shape, [m.strides[0]]).i64(axisStride).i64(n);
      ctx.launch1d("index", "gather_" + SUFFIX[x.dtype], n);
      return out;
    },

    scatterAdd(outShape, index, srcS, srcShape, axis) {
      const src = cs(srcS);
      const out = ctx.alloc(src.dtype, sizeOf(outShape));
      if (out.size === 0) return out;
      ctx.zero(out.at(), out.size * bytesPerElement(src.dtype));
      const n = sizeOf(srcShape);
      if (n === 0) return out;
      const oSt = rowMajor(outShape);
      const axisStride = oSt[axis];
      const st = oSt.slice();
      st[axis] = 0;
      const m = mergeDims(srcShape, [st, rowMajor(srcShape)]);
      ctx.params().ptr(out.at()).ptr(cs(index).at()).ptr(src.at()).strided(m.shape, m.strides).i64(axisStride).i64(n);
      ctx.launch1d("index", "scatter_add_" + SUFFIX[src.dtype], n);
      return out;
    },

    optimizerStep(ps, grad, state, step) {
      const p = cs(ps);
      if (p.size === 0) return;
      const [lr, wd, decay, c1, c2, c3, eps, flags] = packOptimizerStep(step);
      const a = ctx.params().ptr(p.at()).ptr(cs(grad).at());
      for (let k = 0; k < 3; k++) a.ptr(state[k] ? cs(state[k]!).at() : 0);
      a.f64(lr).f64(wd).f64(decay).f64(c1).f64(c2).f64(c3).f64(eps).i32(flags).i64(p.size);
      ctx.launch1d("optim", `optim_${step.kind}_${SUFFIX[p.dtype]}`, p.size);
    },
  };
  ctx.backend = be;
  return be;
}
