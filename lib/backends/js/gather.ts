/** gather and scatterAdd along one axis (torch semantics) for the js backend. */
import { contiguousStrides as strides, sizeOf, type Storage, type TypedArray } from "../../backend";
import { alloc, arr } from "./storage";

/**
 * For each position k of `indexShape` (row-major), the flat offset in a tensor of `otherShape`
 * at the same coordinates with the coordinate along `axis` set to 0.
 */
function baseOffsets(indexShape: readonly number[], otherShape: readonly number[], axis: number): Int32Array {
  const nd = indexShape.length;
  const size = sizeOf(indexShape);
  const offs = new Int32Array(size);
  const st = strides(otherShape);
  st[axis] = 0;
  const idx = new Int32Array(nd);
  let off = 0;
  for (let k = 0; k < size; k++) {
    offs[k] = off;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      off += st[d];
      if (idx[d] < indexShape[d]) break;
      off -= st[d] * indexShape[d];
      idx[d] = 0;
    }
  }
  return offs;
}

export function gather(xs: Storage, xShape: readonly number[], is: Storage, indexShape: readonly number[], axis: number): TypedArray {
  const x = arr(xs), index = arr(is);
  const offs = baseOffsets(indexShape, xShape, axis);
  const out = alloc(xs.dtype, offs.length);
  const axisStride = strides(xShape)[axis];
  for (let k = 0; k < offs.length; k++) out[k] = x[offs[k] + index[k] * axisStride];
  return out;
}

/** Whole slices of [outer, dim, inner] picked by a 1-D index (Backend.indexSelect). */
export function indexSelect(xs: Storage, outer: number, dim: number, inner: number, is: Storage, count: number): TypedArray {
  const x = arr(xs), index = arr(is);
  const out = alloc(xs.dtype, outer * count * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < count; i++) {
      const from = (o * dim + index[i]) * inner;
      if (inner === 1) out[o * count + i] = x[from];
      else out.set(x.subarray(from, from + inner), (o * count + i) * inner);
    }
  }
  return out;
}

/** index has srcShape (the frontend trims src to index's shape first). */
export function scatterAdd(outShape: readonly number[], is: Storage, ss: Storage, srcShape: readonly number[], axis: number): TypedArray {
  const index = arr(is), src = arr(ss);
  const acc = new Float64Array(sizeOf(outShape));
  const offs = baseOffsets(srcShape, outShape, axis);
  const axisStride = strides(outShape)[axis];
  for (let k = 0; k < offs.length; k++) acc[offs[k] + index[k] * axisStride] += src[k];
  const out = alloc(ss.dtype, acc.length);
  out.set(acc);
  return out;
}
