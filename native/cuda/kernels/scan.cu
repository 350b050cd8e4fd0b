// Inclusive cumulative sum along one axis of a contiguous [outer, n, inner] tensor: one
// thread per (outer, inner) line, walking the axis in order (the order the js reference uses,
// so float32 rounding matches closely).
#include "common.cuh"

#define GB_CUMSUM(T, S) \
  extern "C" __global__ void cumsum_##S(T* __restrict__ out, const T* __restrict__ x, i64 outer, i64 n, i64 inner) { \
    typedef double C; /* a double running sum, as the js reference keeps */ \
    GB_GRID_LOOP(line, outer * inner) { \
      i64 o = line / inner, in = line % inner; \
      i64 base = o * n * inner + in; \
      C acc = 0; \
      for (i64 j = 0; j < n; j++) { acc += (C)x[base + j * inner]; out[base + j * inner] = gb_cast<T>((double)acc); } \
    } \
  }
GB_FOR_TYPES(GB_CUMSUM)
