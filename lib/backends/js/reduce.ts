/**
 * Reductions, cumulative sums and sorting for the js backend. A reduction over a block of
 * neighbouring axes views the tensor as [outer, r, inner] and walks memory in order; other
 * axis sets are first permuted so the reduced axes form such a block.
 */
import type { DType, ReduceOp, Storage, TypedArray } from "../../backend";
import { alloc, arr } from "./storage";

function prodOf(shape: readonly number[], from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i];
  return n;
}

/** Permutes a contiguous array so that `axes` come last (a plain strided gather). */
function moveAxesLast(x: TypedArray, shape: readonly number[], axes: readonly number[]): { data: TypedArray; shape: number[] } {
  const keep = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...keep, ...axes];
  const newShape = perm.map((p) => shape[p]);
  const strides: number[] = new Array(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { strides[i] = acc; acc *= shape[i]; }
  const pStrides = perm.map((p) => strides[p]);
  const out = new (x.constructor as { new (n: number): TypedArray })(x.length);
  const nd = newShape.length;
  const idx = new Int32Array(nd);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = x[src];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      src += pStrides[d];
      if (idx[d] < newShape[d]) break;
      src -= pStrides[d] * newShape[d];
      idx[d] = 0;
    }
  }
  return { data: out, shape: newShape };
}

export function reduce(op: ReduceOp, xs: Storage, shape: readonly number[], axes: readonly number[]): TypedArray {
  let x = arr(xs);
  let sh: readonly number[] = shape;
  let block = true;
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) block = false;
  let first = axes[0], last = axes[axes.length - 1];
  if (!block) {
    const moved = moveAxesLast(x, shape, axes);
    x = moved.data;
    sh = moved.shape;
    first = sh.length - axes.length;
    last = sh.length - 1;
  }
  const outer = prodOf(sh, 0, first);
  const r = prodOf(sh, first, last + 1);
  const inner = prodOf(sh, last + 1, sh.length);
  const isArg = op === "argmax" || op === "argmin";
  const outDtype: DType = isArg ? "int32" : xs.dtype;
  const out = alloc(outDtype, outer * inner);
  const acc = new Float64Array(inner);
  const best = isArg ? new Int32Array(inner) : null;
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    switch (op) {
      case "sum":
        if (inner === 1) {
          // Reducing a contiguous run (a row, or everything): one accumulator, no inner loop.
          let t = 0;
          for (let p = 0; p < r; p++) t += x[base + p];
          out[o] = t;
          continue;
        }
        acc.fill(0);
        for (let p = 0; p < r; p++) {
          const row = base + p * inner;
          for (let i = 0; i < inner; i++) acc[i] += x[row + i];
        }
        break;
      case "prod":
        acc.fill(1);
        for (let p = 0; p < r; p++) {
          const row = base + p * inner;
          for (let i = 0; i < inner; i++) acc[i] *= x[row + i];
        }
        break;
      case "max":
        for (let i = 0; i < inner; i++) acc[i] = x[base + i];
        for (let p = 1; p < r; p++) {
          const row = base + p * inner;
          for (let i = 0; i < inner; i++) {
            const v = x[row + i];
            if (v > acc[i] || v !== v) acc[i] = v;
          }
        }
        break;
      case "min":
        for (let i = 0; i < inner; i++) acc[i] = x[base + i];
        for (let p = 1; p < r; p++) {
          const row = base + p * inner;
          for (let i = 0; i < inner; i++) {
            const v = x[row + i];
            if (v < acc[i] || v !== v) acc[i] = v;
          }
        }
        break;
      case "argmax":
      case "argmin": {
        const bi = best!;
        for (let i = 0; i < inner; i++) { acc[i] = x[base + i]; bi[i] = 0; }
        const isMax = op === "argmax";
        for (let p = 1; p < r; p++) {
          const row = base + p * inner;
          for (let i = 0; i < inner; i++) {
            const v = x[row + i];
            const cur = acc[i];
            // NaN counts as the extreme value, as in PyTorch; the first occurrence wins ties.
            if (cur !== cur) continue;
            if (v !== v || (isMax ? v > cur : v < cur)) { acc[i] = v; bi[i] = p; }
          }
        }
        for (let i = 0; i < inner; i++) out[o * inner + i] = bi[i];
        continue;
      }
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
  }
  return out;
}

export function cumsum(xs: Storage, shape: readonly number[], axis: number): TypedArray {
  const x = arr(xs);
  const outer = prodOf(shape, 0, axis);
  const n = shape[axis];
  const inner = prodOf(shape, axis + 1, shape.length);
  const out = alloc(xs.dtype, x.length);
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let p = 0; p < n; p++) {
      const row = (o * n + p) * inner;
      for (let i = 0; i < inner; i++) { acc[i] += x[row + i]; out[row + i] = acc[i]; }
    }
  }
  return out;
}

/** Stable sort of each row; NaN sorts as the largest value, as in PyTorch. */
export function sortRows(xs: Storage, outer: number, n: number, descending: boolean): { values: TypedArray; indices: Int32Array } {
  const x = arr(xs);
  const values = alloc(xs.dtype, outer * n);
  const indices = new Int32Array(outer * n);
  const order = new Array<number>(n);
  for (let o = 0; o < outer; o++) {
    const base = o * n;
    for (let i = 0; i < n; i++) order[i] = i;
    const cmp = (i: number, j: number): number => {
      const a = x[base + i], b = x[base + j];
      const an = a !== a, bn = b !== b;
      let c = an || bn ? (an ? 1 : 0) - (bn ? 1 : 0) : a < b ? -1 : a > b ? 1 : 0;
      if (descending) c = -c;
      return c !== 0 ? c : i - j;
    };
    order.sort(cmp);
    for (let i = 0; i < n; i++) { indices[base + i] = order[i]; values[base + i] = x[base + order[i]]; }
  }
  return { values, indices };
}
