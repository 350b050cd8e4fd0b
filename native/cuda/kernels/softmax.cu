// Softmax and log-softmax over the last axis of [outer, n]: one warp per row, max-subtracted
// so large logits never overflow. softmax_<type>(out, x, outer, n, log).
#include "common.cuh"

template <typename C>
__device__ __forceinline__ C gb_warp_max(C v) {
  for (int o = 16; o > 0; o >>= 1) { C w = __shfl_xor_sync(0xffffffffu, v, o); v = (w != w || w > v) ? w : v; }
  return v;
}
template <typename C>
__device__ __forceinline__ C gb_warp_sum(C v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

template <typename T>
__device__ void softmax_rows(T* out, const T* x, i64 outer, i64 n, int log) {
  int lane = threadIdx.x & 31;
  i64 warps = (i64)gridDim.x * (blockDim.x / 32);
  for (i64 row = (i64)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32; row < outer; row += warps) {
    const T* xr = x + row * n;
    T* orow = out + row * n;
    T m = -gb_exp((T)1000);  // -inf without a division by zero
    for (i64 j = lane; j < n; j += 32) { T v = xr[j]; m = (v != v || v > m) ? v : m; }
    m = gb_warp_max(m);
    if (m == -gb_exp((T)1000)) m = 0;  // a row of -inf: exp(-inf - 0) = 0 rather than NaN from inf - inf
    T s = 0;
    for (i64 j = lane; j < n; j += 32) s += gb_exp(xr[j] - m);
    s = gb_warp_sum(s);
    if (log) {
      T lse = m + gb_log(s);
      for (i64 j = lane; j < n; j += 32) orow[j] = xr[j] - lse;
    } else {
      T inv = (T)1 / s;
      for (i64 j = lane; j < n; j += 32) orow[j] = gb_exp(xr[j] - m) * inv;
    }
  }
}

#define GB_SOFTMAX(T, S) \
  extern "C" __global__ void softmax_##S(T* __restrict__ out, const T* __restrict__ x, i64 outer, i64 n, int log) { \
    softmax_rows<T>(out, x, outer, n, log); }
GB_FOR_FLOATS(GB_SOFTMAX)
