/** Numerically stable softmax and log-softmax over rows, for the js backend. */
import type { Storage, TypedArray } from "../../backend";
import { alloc, arr } from "./storage";

export function softmax(xs: Storage, outer: number, n: number, log: boolean): TypedArray {
  const x = arr(xs);
  const out = alloc(xs.dtype, outer * n);
  for (let o = 0; o < outer; o++) {
    const base = o * n;
    let m = -Infinity;
    for (let i = 0; i < n; i++) { const v = x[base + i]; if (v > m || v !== v) m = v; }
    if (m === -Infinity) m = 0; // a row of -inf: keep exp(-inf - 0) = 0 rather than NaN from inf - inf
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(x[base + i] - m);
    if (log) {
      const lse = m + Math.log(s);
      for (let i = 0; i < n; i++) out[base + i] = x[base + i] - lse;
    } else {
      for (let i = 0; i < n; i++) out[base + i] = Math.exp(x[base + i] - m) / s;
    }
  }
  return out;
}
