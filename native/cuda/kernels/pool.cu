// 2-D max and average pooling, NCHW, forward and backward. The backward kernels run one
// thread per input cell and gather from the windows that cover it: no atomics, so results do
// not depend on scheduling.
#include "common.cuh"

// Pool2dParams as i64 fields, in this order (the TypeScript packer writes the same order).
struct PoolP { i64 n, c, h, w, kh, kw, sh, sw, pt, pl, oh, ow, countIncludePad; };

template <typename T>
__device__ void maxpool_fwd(T* out, int* indices, const T* x, const PoolP& p) {
  GB_GRID_LOOP(i, p.n * p.c * p.oh * p.ow) {
    i64 ow = i % p.ow, oh = (i / p.ow) % p.oh, plane = i / (p.ow * p.oh);
    const T* xp = x + plane * p.h * p.w;
    i64 hs = oh * p.sh - p.pt, ws = ow * p.sw - p.pl;
    T best = -gb_exp((T)1000); i64 bi = -1;  // -inf; a window with no input cell gives -inf, index -1
    for (i64 ki = 0; ki < p.kh; ki++) {
      i64 ih = hs + ki;
      if (ih < 0 || ih >= p.h) continue;
      for (i64 kj = 0; kj < p.kw; kj++) {
        i64 iw = ws + kj;
        if (iw < 0 || iw >= p.w) continue;
        T v = xp[ih * p.w + iw];
        // First maximum wins; a NaN wins over numbers (and the first NaN over later ones).
        if (bi < 0 || (v != v && best == best) || v > best) { best = v; bi = ih * p.w + iw; }
      }
    }
    out[i] = best;
    indices[i] = (int)bi;
  }
}

// First and last window (inclusive) along one axis whose span covers input cell `pos`.
__device__ __forceinline__ void gb_windows(i64 pos, i64 pad, i64 k, i64 s, i64 outLen, i64* lo, i64* hi) {
  i64 t = pos + pad;  // position in padded coordinates; window o covers [o*s, o*s + k)
  i64 a = t - k + 1;
  *lo = a <= 0 ? 0 : (a + s - 1) / s;
  i64 b = t / s;
  *hi = b < outLen - 1 ? b : outLen - 1;
}

template <typename T>
__device__ void maxpool_bwd(T* dx, const T* dy, const int* indices, const PoolP& p) {
  typedef typename Compute<T>::type C;
  GB_GRID_LOOP(i, p.n * p.c * p.h * p.w) {
    i64 iw = i % p.w, ih = (i / p.w) % p.h, plane = i / (p.w * p.h);
    i64 h0, h1, w0, w1;
    gb_windows(ih, p.pt, p.kh, p.sh, p.oh, &h0, &h1);
    gb_windows(iw, p.pl, p.kw, p.sw, p.ow, &w0, &w1);
    int self = (int)(ih * p.w + iw);
    C acc = 0;
    for (i64 oh = h0; oh <= h1; oh++)
      for (i64 ow = w0; ow <= w1; ow++) {
        i64 o = (plane * p.oh + oh) * p.ow + ow;
        if (indices[o] == self) acc += (C)dy[o];
      }
    dx[i] = (T)acc;
  }
}

// The divisor of output window (oh, ow), as PyTorch's avg_pool2d computes it.
__device__ __forceinline__ i64 gb_avg_divisor(const PoolP& p, i64 oh, i64 ow) {
  i64 hs = oh * p.sh - p.pt, ws = ow * p.sw - p.pl;
  i64 he = hs + p.kh < p.h + p.pt ? hs + p.kh : p.h + p.pt;
  i64 we = ws + p.kw < p.w + p.pl ? ws + p.kw : p.w + p.pl;
  i64 full = (he - hs) * (we - ws);
  if (p.countIncludePad) return full;
  hs = hs < 0 ? 0 : hs; ws = ws < 0 ? 0 : ws;
  he = he < p.h ? he : p.h; we = we < p.w ? we : p.w;
  i64 inside = (he - hs) * (we - ws);
  return inside > 0 ? inside : 1;
}

template <typename T>
__device__ void avgpool_fwd(T* out, const T* x, const PoolP& p) {
  typedef typename Compute<T>::type C;
  GB_GRID_LOOP(i, p.n * p.c * p.oh * p.ow) {
    i64 ow = i % p.ow, oh = (i / p.ow) % p.oh, plane = i / (p.ow * p.oh);
    const T* xp = x + plane * p.h * p.w;
    i64 hs = oh * p.sh - p.pt, ws = ow * p.sw - p.pl;
    C acc = 0;
    for (i64 ki = 0; ki < p.kh; ki++) {
      i64 ih = hs + ki;
      if (ih < 0 || ih >= p.h) continue;
      for (i64 kj = 0; kj < p.kw; kj++) {
        i64 iw = ws + kj;
        if (iw >= 0 && iw < p.w) acc += (C)xp[ih * p.w + iw];
      }
    }
    out[i] = (T)(acc / (C)gb_avg_divisor(p, oh, ow));
  }
}

template <typename T>
__device__ void avgpool_bwd(T* dx, const T* dy, const PoolP& p) {
  typedef typename Compute<T>::type C;
  GB_GRID_LOOP(i, p.n * p.c * p.h * p.w) {
    i64 iw = i % p.w, ih = (i / p.w) % p.h, plane = i / (p.w * p.h);
    i64 h0, h1, w0, w1;
    gb_windows(ih, p.pt, p.kh, p.sh, p.oh, &h0, &h1);
    gb_windows(iw, p.pl, p.kw, p.sw, p.ow, &w0, &w1);
    C acc = 0;
    for (i64 oh = h0; oh <= h1; oh++)
      for (i64 ow = w0; ow <= w1; ow++)
        acc += (C)dy[(plane * p.oh + oh) * p.ow + ow] / (C)gb_avg_divisor(p, oh, ow);
    dx[i] = (T)acc;
  }
}

#define GB_POOL(T, S) \
  extern "C" __global__ void maxpool_fwd_##S(T* out, int* indices, const T* x, PoolP p) { maxpool_fwd<T>(out, indices, x, p); } \
  extern "C" __global__ void maxpool_bwd_##S(T* dx, const T* dy, const int* indices, PoolP p) { maxpool_bwd<T>(dx, dy, indices, p); } \
  extern "C" __global__ void avgpool_fwd_##S(T* out, const T* x, PoolP p) { avgpool_fwd<T>(out, x, p); } \
  extern "C" __global__ void avgpool_bwd_##S(T* dx, const T* dy, PoolP p) { avgpool_bwd<T>(dx, dy, p); }
GB_FOR_FLOATS(GB_POOL)
