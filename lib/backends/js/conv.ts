/**
 * 2-D convolution for the js backend by im2col + GEMM (NCHW, groups, stride, dilation,
 * asymmetric padding). The backward passes reuse the same column layout: the input gradient
 * is Wᵀ·dy scattered back (col2im), the weight gradient dy·colsᵀ.
 */
import type { Conv2dParams, Storage, TypedArray } from "../../backend";
import { gemm } from "./matmul";
import { alloc, arr } from "./storage";

type Arr = ArrayLike<number>;

/** Fills cols [cInG*kh*kw, outH*outW] for image b, group g. */
function im2col(x: Arr, b: number, g: number, p: Conv2dParams, cols: Float64Array): void {
  const cInG = p.cIn / p.groups, L = p.outH * p.outW;
  let row = 0;
  for (let c = 0; c < cInG; c++) {
    const plane = ((b * p.cIn) + g * cInG + c) * p.h * p.w;
    for (let i = 0; i < p.kh; i++) {
      for (let j = 0; j < p.kw; j++, row++) {
        const dst = row * L;
        for (let oh = 0; oh < p.outH; oh++) {
          const y = oh * p.strideH - p.padTop + i * p.dilationH;
          const d = dst + oh * p.outW;
          if (y < 0 || y >= p.h) { cols.fill(0, d, d + p.outW); continue; }
          const src = plane + y * p.w;
          for (let ow = 0; ow < p.outW; ow++) {
            const xx = ow * p.strideW - p.padLeft + j * p.dilationW;
            cols[d + ow] = xx >= 0 && xx < p.w ? x[src + xx] : 0;
          }
        }
      }
    }
  }
}

/** Adds cols back into dx (the adjoint of im2col). */
function col2im(cols: Float64Array, b: number, g: number, p: Conv2dParams, dx: Float64Array): void {
  const cInG = p.cIn / p.groups, L = p.outH * p.outW;
  let row = 0;
  for (let c = 0; c < cInG; c++) {
    const plane = ((b * p.cIn) + g * cInG + c) * p.h * p.w;
    for (let i = 0; i < p.kh; i++) {
      for (let j = 0; j < p.kw; j++, row++) {
        const src = row * L;
        for (let oh = 0; oh < p.outH; oh++) {
          const y = oh * p.strideH - p.padTop + i * p.dilationH;
          if (y < 0 || y >= p.h) continue;
          const d = plane + y * p.w, s = src + oh * p.outW;
          for (let ow = 0; ow < p.outW; ow++) {
            const xx = ow * p.strideW - p.padLeft + j * p.dilationW;
            if (xx >= 0 && xx < p.w) dx[d + xx] += cols[s + ow];
          }
        }
      }
    }
  }
}

export function conv2d(xs: Storage, ws: Storage, p: Conv2dParams): TypedArray {
  const x = arr(xs), w = arr(ws);
  const cOutG = p.cOut / p.groups, K = (p.cIn / p.groups) * p.kh * p.kw, L = p.outH * p.outW;
  const cols = new Float64Array(K * L);
  const res = new Float64Array(p.n * p.cOut * L);
  for (let b = 0; b < p.n; b++) {
    for (let g = 0; g < p.groups; g++) {
      im2col(x, b, g, p, cols);
      gemm(cOutG, L, K, w, g * cOutG * K, false, cols, 0, false, res, (b * p.cOut + g * cOutG) * L, false);
    }
  }
  const out = alloc(xs.dtype, res.length);
  out.set(res);
  return out;
}

export function conv2dBackwardInput(dys: Storage, ws: Storage, p: Conv2dParams): TypedArray {
  const dy = arr(dys), w = arr(ws);
  const cOutG = p.cOut / p.groups, K = (p.cIn / p.groups) * p.kh * p.kw, L = p.outH * p.outW;
  const cols = new Float64Array(K * L);
  const dx = new Float64Array(p.n * p.cIn * p.h * p.w);
  for (let b = 0; b < p.n; b++) {
    for (let g = 0; g < p.groups; g++) {
      gemm(K, L, cOutG, w, g * cOutG * K, true, dy, (b * p.cOut + g * cOutG) * L, false, cols, 0, false);
      col2im(cols, b, g, p, dx);
    }
  }
  const out = alloc(dys.dtype, dx.length);
  out.set(dx);
  return out;
}

export function conv2dBackwardWeight(xs: Storage, dys: Storage, p: Conv2dParams): TypedArray {
  const x = arr(xs), dy = arr(dys);
  const cOutG = p.cOut / p.groups, K = (p.cIn / p.groups) * p.kh * p.kw, L = p.outH * p.outW;
  const cols = new Float64Array(K * L);
  const dw = new Float64Array(p.cOut * K);
  for (let b = 0; b < p.n; b++) {
    for (let g = 0; g < p.groups; g++) {
      im2col(x, b, g, p, cols);
      gemm(cOutG, K, L, dy, (b * p.cOut + g * cOutG) * L, false, cols, 0, true, dw, g * cOutG * K, true);
    }
  }
  const out = alloc(xs.dtype, dw.length);
  out.set(dw);
  return out;
}
