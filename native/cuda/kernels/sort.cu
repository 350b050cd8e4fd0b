// Stable sort along the last axis of [outer, n]: a bitonic network over rows padded to a
// power of two. Keys are (value, original index), so every key is distinct and the network's
// result is exactly the stable order. NaN sorts as the largest value, as in PyTorch.
// sort_init_<type> fills the padded work arrays, sort_step_<type> runs one (k, j) stage,
// sort_take_<type> copies the first n of each row out.
#include "common.cuh"

// True when key a must come before key b.
template <typename T>
__device__ __forceinline__ bool gb_before(T a, i64 ia, T b, i64 ib, i64 n, bool desc) {
  bool pa = ia >= n, pb = ib >= n;  // padding goes last
  if (pa || pb) return pa == pb ? ia < ib : pb;
  bool an = a != a, bn = b != b;
  if (an || bn) return an && bn ? ia < ib : (desc ? an : bn);
  if (a != b) return desc ? a > b : a < b;
  return ia < ib;
}

#define GB_SORT(T, S) \
  extern "C" __global__ void sort_init_##S(T* __restrict__ v, int* __restrict__ idx, const T* __restrict__ x, i64 outer, i64 n, i64 npad) { \
    GB_GRID_LOOP(i, outer * npad) { \
      i64 row = i / npad, p = i % npad; \
      v[i] = p < n ? x[row * n + p] : (T)0; \
      idx[i] = (int)p; \
    } \
  } \
  extern "C" __global__ void sort_step_##S(T* __restrict__ v, int* __restrict__ idx, i64 outer, i64 n, i64 npad, i64 k, i64 j, int desc) { \
    GB_GRID_LOOP(i, outer * npad) { \
      i64 p = i % npad, q = p ^ j; \
      if (q <= p) continue; \
      i64 a = i, b = i - p + q; \
      bool up = (p & k) == 0; \
      bool swap = up ? gb_before<T>(v[b], idx[b], v[a], idx[a], n, desc) \
                     : gb_before<T>(v[a], idx[a], v[b], idx[b], n, desc); \
      if (swap) { T tv = v[a]; v[a] = v[b]; v[b] = tv; int ti = idx[a]; idx[a] = idx[b]; idx[b] = ti; } \
    } \
  } \
  extern "C" __global__ void sort_take_##S(T* __restrict__ outV, int* __restrict__ outI, const T* __restrict__ v, const int* __restrict__ idx, i64 outer, i64 n, i64 npad) { \
    GB_GRID_LOOP(i, outer * n) { \
      i64 row = i / n, p = i % n; \
      outV[i] = v[row * npad + p]; outI[i] = idx[row * npad + p]; \
    } \
  }
GB_FOR_TYPES(GB_SORT)
