// Layout kernels: strided copy with dtype conversion (contiguous, assign, to(dtype)) and fill.
// copy_<src>_<dst>: out is strided too (operand 0), so `assign` writes into a view in place.
#include "common.cuh"

template <typename S, typename D> struct Convert {
  static __device__ __forceinline__ D go(S v) { return gb_cast<D>((double)v); }
};
template <typename T> struct Convert<T, T> {
  static __device__ __forceinline__ T go(T v) { return v; }
};
template <> struct Convert<float, u8> {
  static __device__ __forceinline__ u8 go(float v) { return v != 0.0f ? 1 : 0; }
};

#define GB_COPY_KERNEL(S, SN, D, DN) \
  extern "C" __global__ void copy_##SN##_##DN(D* __restrict__ out, const S* __restrict__ a, Strided s, i64 n) { \
    GB_GRID_LOOP(i, n) { \
      i64 off[2]; gb_offsets<2>(s, i, off); \
      out[off[0]] = Convert<S, D>::go(a[off[1]]); \
    } \
  }
#define GB_COPY_FROM(S, SN) GB_COPY_KERNEL(S, SN, float, f32) GB_COPY_KERNEL(S, SN, double, f64) \
  GB_COPY_KERNEL(S, SN, int, i32) GB_COPY_KERNEL(S, SN, u8, u8)
GB_FOR_TYPES(GB_COPY_FROM)

// fill_<type>(out, value, n): value arrives as a double (it holds every value of every type).
#define GB_FILL_KERNEL(T, S) \
  extern "C" __global__ void fill_##S(T* __restrict__ out, double v, i64 n) { \
    T x = gb_cast<T>(v); \
    GB_GRID_LOOP(i, n) out[i] = x; \
  }
GB_FOR_TYPES(GB_FILL_KERNEL)
