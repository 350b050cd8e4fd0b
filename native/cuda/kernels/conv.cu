// im2col and col2im for convolution as GEMM. The column buffer's layout is free: element
// (image nn, row r = (c, ki, kj), column l = (oh, ow)) lives at nn*strideN + r*strideR + l,
// so the backend can lay it out per image ([N, C*kh*kw, L], forward and input gradient) or
// with images side by side ([C*kh*kw, N*L], one GEMM for the weight gradient).
#include "common.cuh"

// Conv2dParams as i64 fields, in this order (the TypeScript packer writes the same order).
struct ConvP { i64 n, cIn, h, w, cOut, kh, kw, sh, sw, pt, pl, dh, dw, outH, outW; };

template <typename T>
__device__ void im2col(T* col, const T* x, const ConvP& p, i64 n0, i64 nCount, i64 strideN, i64 strideR) {
  i64 L = p.outH * p.outW, R = p.cIn * p.kh * p.kw;
  GB_GRID_LOOP(i, nCount * R * L) {
    i64 l = i % L, r = (i / L) % R, nn = i / (L * R);
    i64 kj = r % p.kw, ki = (r / p.kw) % p.kh, c = r / (p.kw * p.kh);
    i64 ow = l % p.outW, oh = l / p.outW;
    i64 ih = oh * p.sh - p.pt + ki * p.dh, iw = ow * p.sw - p.pl + kj * p.dw;
    T v = 0;
    if (ih >= 0 && ih < p.h && iw >= 0 && iw < p.w) v = x[(((n0 + nn) * p.cIn + c) * p.h + ih) * p.w + iw];
    col[nn * strideN + r * strideR + l] = v;
  }
}

// The adjoint of im2col: each input cell sums the column entries it was copied to.
template <typename T>
__device__ void col2im(T* dx, const T* col, const ConvP& p, i64 n0, i64 nCount, i64 strideN, i64 strideR) {
  typedef typename Compute<T>::type C;
  GB_GRID_LOOP(i, nCount * p.cIn * p.h * p.w) {
    i64 iw = i % p.w, ih = (i / p.w) % p.h, c = (i / (p.w * p.h)) % p.cIn, nn = i / (p.w * p.h * p.cIn);
    C acc = 0;
    for (i64 ki = 0; ki < p.kh; ki++) {
      i64 th = ih + p.pt - ki * p.dh;
      if (th < 0 || th % p.sh) continue;
      i64 oh = th / p.sh;
      if (oh >= p.outH) continue;
      for (i64 kj = 0; kj < p.kw; kj++) {
        i64 tw = iw + p.pl - kj * p.dw;
        if (tw < 0 || tw % p.sw) continue;
        i64 ow = tw / p.sw;
        if (ow >= p.outW) continue;
        i64 r = (c * p.kh + ki) * p.kw + kj;
        acc += (C)col[nn * strideN + r * strideR + oh * p.outW + ow];
      }
    }
    dx[(n0 * p.cIn) * p.h * p.w + i] = (T)acc;
  }
}

#define GB_CONV(T, S) \
  extern "C" __global__ void im2col_##S(T* col, const T* x, ConvP p, i64 n0, i64 nCount, i64 strideN, i64 strideR) { \
    im2col<T>(col, x, p, n0, nCount, strideN, strideR); } \
  extern "C" __global__ void col2im_##S(T* dx, const T* col, ConvP p, i64 n0, i64 nCount, i64 strideN, i64 strideR) { \
    col2im<T>(dx, col, p, n0, nCount, strideN, strideR); }
GB_FOR_FLOATS(GB_CONV)
