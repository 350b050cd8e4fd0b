// gather and scatterAdd along one axis (torch.gather / torch.scatter_add). The launch runs
// over the index tensor's shape; st[0] holds the strides of x (gather) or out (scatterAdd)
// with the axis zeroed, st[1] those of src; the axis contributes index * axisStride.
#include "common.cuh"

#define GB_GATHER(T, S) \
  extern "C" __global__ void gather_##S(T* __restrict__ out, const T* __restrict__ x, const int* __restrict__ index, Strided s, i64 axisStride, i64 n) { \
    GB_GRID_LOOP(i, n) { \
      i64 off[1]; gb_offsets<1>(s, i, off); \
      out[i] = x[off[0] + (i64)index[i] * axisStride]; \
    } \
  }
GB_FOR_TYPES(GB_GATHER)

__device__ __forceinline__ void gb_atomic_add(float* p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void gb_atomic_add(double* p, double v) { atomicAdd(p, v); }
__device__ __forceinline__ void gb_atomic_add(int* p, int v) { atomicAdd(p, v); }
// bool: a logical or, done on the aligned 32-bit word that holds the byte.
__device__ __forceinline__ void gb_atomic_add(u8* p, u8 v) {
  if (!v) return;
  unsigned long long a = (unsigned long long)p;
  unsigned int* word = (unsigned int*)(a & ~3ULL);
  atomicOr(word, 1u << ((a & 3ULL) * 8));
}

// out must be zero-filled before the launch (the backend does it with a memset).
#define GB_SCATTER_ADD(T, S) \
  extern "C" __global__ void scatter_add_##S(T* out, const int* __restrict__ index, const T* __restrict__ src, Strided s, i64 axisStride, i64 n) { \
    GB_GRID_LOOP(i, n) { \
      i64 off[2]; gb_offsets<2>(s, i, off); \
      gb_atomic_add(out + off[0] + (i64)index[i] * axisStride, src[off[1]]); \
    } \
  }
GB_FOR_TYPES(GB_SCATTER_ADD)
