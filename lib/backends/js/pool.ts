/** Max and average pooling (NCHW) for the js backend. */
import type { Pool2dParams, Storage, TypedArray } from "../../backend";
import { alloc, arr } from "./storage";

export function maxPool2d(xs: Storage, p: Pool2dParams): { out: TypedArray; indices: Int32Array } {
  const x = arr(xs);
  const planes = p.n * p.c, L = p.outH * p.outW, hw = p.h * p.w;
  const out = alloc(xs.dtype, planes * L);
  const indices = new Int32Array(planes * L);
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * hw;
    for (let oh = 0; oh < p.outH; oh++) {
      const y0 = oh * p.strideH - p.padTop;
      for (let ow = 0; ow < p.outW; ow++) {
        const x0 = ow * p.strideW - p.padLeft;
        let best = -Infinity, bi = -1;
        for (let i = 0; i < p.kh; i++) {
          const y = y0 + i;
          if (y < 0 || y >= p.h) continue;
          for (let j = 0; j < p.kw; j++) {
            const xx = x0 + j;
            if (xx < 0 || xx >= p.w) continue;
            const v = x[base + y * p.w + xx];
            if (v > best || v !== v || bi < 0) { best = v; bi = y * p.w + xx; if (v !== v) break; }
          }
        }
        const o = pl * L + oh * p.outW + ow;
        out[o] = best;
        indices[o] = bi;
      }
    }
  }
  return { out, indices };
}

export function maxPool2dBackward(dys: Storage, idx: Storage, p: Pool2dParams): TypedArray {
  const dy = arr(dys), ind = arr(idx);
  const planes = p.n * p.c, L = p.outH * p.outW, hw = p.h * p.w;
  const dx = new Float64Array(planes * hw);
  for (let pl = 0; pl < planes; pl++) {
    for (let o = 0; o < L; o++) {
      const k = ind[pl * L + o];
      if (k >= 0) dx[pl * hw + k] += dy[pl * L + o];
    }
  }
  const out = alloc(dys.dtype, dx.length);
  out.set(dx);
  return out;
}

/** The divisor of one window: its full size, or only the cells inside the input. */
function divisor(p: Pool2dParams, y0: number, x0: number): number {
  if (p.countIncludePad !== false) {
    // PyTorch counts padding but not the part of a window past the padded border.
    const y1 = Math.min(y0 + p.kh, p.h + p.padTop), x1 = Math.min(x0 + p.kw, p.w + p.padLeft);
    return (y1 - y0) * (x1 - x0);
  }
  const ys = Math.max(y0, 0), ye = Math.min(y0 + p.kh, p.h);
  const xs = Math.max(x0, 0), xe = Math.min(x0 + p.kw, p.w);
  return Math.max(ye - ys, 0) * Math.max(xe - xs, 0);
}

export function avgPool2d(xs: Storage, p: Pool2dParams): TypedArray {
  const x = arr(xs);
  const planes = p.n * p.c, L = p.outH * p.outW, hw = p.h * p.w;
  const out = alloc(xs.dtype, planes * L);
  for (let pl = 0; pl < planes; pl++) {
    for (let oh = 0; oh < p.outH; oh++) {
      const y0 = oh * p.strideH - p.padTop;
      for (let ow = 0; ow < p.outW; ow++) {
        const x0 = ow * p.strideW - p.padLeft;
        let s = 0;
        for (let y = Math.max(y0, 0); y < Math.min(y0 + p.kh, p.h); y++) {
          for (let xx = Math.max(x0, 0); xx < Math.min(x0 + p.kw, p.w); xx++) s += x[pl * hw + y * p.w + xx];
        }
        out[pl * L + oh * p.outW + ow] = s / divisor(p, y0, x0);
      }
    }
  }
  return out;
}

export function avgPool2dBackward(dys: Storage, p: Pool2dParams): TypedArray {
  const dy = arr(dys);
  const planes = p.n * p.c, L = p.outH * p.outW, hw = p.h * p.w;
  const dx = new Float64Array(planes * hw);
  for (let pl = 0; pl < planes; pl++) {
    for (let oh = 0; oh < p.outH; oh++) {
      const y0 = oh * p.strideH - p.padTop;
      for (let ow = 0; ow < p.outW; ow++) {
        const x0 = ow * p.strideW - p.padLeft;
        const g = dy[pl * L + oh * p.outW + ow] / divisor(p, y0, x0);
        for (let y = Math.max(y0, 0); y < Math.min(y0 + p.kh, p.h); y++) {
          for (let xx = Math.max(x0, 0); xx < Math.min(x0 + p.kw, p.w); xx++) dx[pl * hw + y * p.w + xx] += g;
        }
      }
    }
  }
  const out = alloc(dys.dtype, dx.length);
  out.set(dx);
  return out;
}
