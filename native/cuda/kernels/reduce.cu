// Reductions over any set of axes of a contiguous tensor. The backend splits the input into
// kept axes (`kept`, one output per position) and reduced axes (`red`), both as strided
// index spaces with input strides in st[0], merged where contiguous.
// reduce_<op>_<type>: one block per output (long reductions);
// reducet_<op>_<type>: one thread per output (short reductions, many outputs).
#include "common.cuh"

#define GB_RBLOCK 256

template <typename C> __device__ __forceinline__ C gb_inf();
template <> __device__ __forceinline__ float gb_inf<float>() { return __int_as_float(0x7f800000); }
template <> __device__ __forceinline__ double gb_inf<double>() { return __longlong_as_double(0x7ff0000000000000LL); }

// Value reductions: identity and an associative combine; max/min propagate NaN like PyTorch.
struct OpSum { template <typename C> static __device__ C id() { return 0; }
  template <typename C> static __device__ C f(C a, C b) { return a + b; } };
struct OpProd { template <typename C> static __device__ C id() { return 1; }
  template <typename C> static __device__ C f(C a, C b) { return a * b; } };
struct OpMax { template <typename C> static __device__ C id() { return -gb_inf<C>(); }
  template <typename C> static __device__ C f(C a, C b) { return (a != a || b != b) ? a + b : (a > b ? a : b); } };
struct OpMin { template <typename C> static __device__ C id() { return gb_inf<C>(); }
  template <typename C> static __device__ C f(C a, C b) { return (a != a || b != b) ? a + b : (a < b ? a : b); } };

template <typename Op, typename T>
__device__ void reduce_block(T* out, const T* x, const Strided& kept, const Strided& red, i64 nOut, i64 R) {
  typedef typename Compute<T>::type C;
  __shared__ C buf[GB_RBLOCK];
  for (i64 o = blockIdx.x; o < nOut; o += gridDim.x) {
    i64 base; gb_offsets<1>(kept, o, &base);
    C acc = Op::template id<C>();
    for (i64 r = threadIdx.x; r < R; r += blockDim.x) {
      i64 off; gb_offsets<1>(red, r, &off);
      acc = Op::f(acc, (C)x[base + off]);
    }
    buf[threadIdx.x] = acc;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
      if ((int)threadIdx.x < w) buf[threadIdx.x] = Op::f(buf[threadIdx.x], buf[threadIdx.x + w]);
      __syncthreads();
    }
    if (threadIdx.x == 0) out[o] = gb_cast<T>((double)buf[0]);
    __syncthreads();
  }
}

template <typename Op, typename T>
__device__ void reduce_thread(T* out, const T* x, const Strided& kept, const Strided& red, i64 nOut, i64 R) {
  typedef typename Compute<T>::type C;
  GB_GRID_LOOP(o, nOut) {
    i64 base; gb_offsets<1>(kept, o, &base);
    C acc = Op::template id<C>();
    for (i64 r = 0; r < R; r++) {
      i64 off; gb_offsets<1>(red, r, &off);
      acc = Op::f(acc, (C)x[base + off]);
    }
    out[o] = gb_cast<T>((double)acc);
  }
}

// argmax/argmin over one axis: the first index of the extreme value; a NaN wins (first NaN),
// as in PyTorch. `red` has one dimension, so r is the index along the axis.
template <bool MAX, typename C>
__device__ __forceinline__ bool gb_better(C a, i64 ia, C b, i64 ib) {
  if (ib < 0) return true;
  if (ia < 0) return false;
  bool an = a != a, bn = b != b;
  if (an || bn) return an && bn ? ia < ib : an;
  if (a != b) return MAX ? a > b : a < b;
  return ia < ib;
}

template <bool MAX, typename T>
__device__ void arg_block(int* out, const T* x, const Strided& kept, const Strided& red, i64 nOut, i64 R) {
  typedef typename Compute<T>::type C;
  __shared__ C bv[GB_RBLOCK];
  __shared__ i64 bi[GB_RBLOCK];
  for (i64 o = blockIdx.x; o < nOut; o += gridDim.x) {
    i64 base; gb_offsets<1>(kept, o, &base);
    C v = 0; i64 vi = -1;
    for (i64 r = threadIdx.x; r < R; r += blockDim.x) {
      C c = (C)x[base + r * red.st[0][0]];
      if (gb_better<MAX>(c, r, v, vi)) { v = c; vi = r; }
    }
    bv[threadIdx.x] = v; bi[threadIdx.x] = vi;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
      if ((int)threadIdx.x < w && gb_better<MAX>(bv[threadIdx.x + w], bi[threadIdx.x + w], bv[threadIdx.x], bi[threadIdx.x])) {
        bv[threadIdx.x] = bv[threadIdx.x + w]; bi[threadIdx.x] = bi[threadIdx.x + w];
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) out[o] = (int)(bi[0] < 0 ? 0 : bi[0]);
    __syncthreads();
  }
}

template <bool MAX, typename T>
__device__ void arg_thread(int* out, const T* x, const Strided& kept, const Strided& red, i64 nOut, i64 R) {
  typedef typename Compute<T>::type C;
  GB_GRID_LOOP(o, nOut) {
    i64 base; gb_offsets<1>(kept, o, &base);
    C v = 0; i64 vi = -1;
    for (i64 r = 0; r < R; r++) {
      C c = (C)x[base + r * red.st[0][0]];
      if (gb_better<MAX>(c, r, v, vi)) { v = c; vi = r; }
    }
    out[o] = (int)(vi < 0 ? 0 : vi);
  }
}

#define GB_REDUCE(T, S, NAME, OP) \
  extern "C" __global__ void reduce_##NAME##_##S(T* out, const T* x, Strided kept, Strided red, i64 nOut, i64 R) { \
    reduce_block<OP, T>(out, x, kept, red, nOut, R); } \
  extern "C" __global__ void reducet_##NAME##_##S(T* out, const T* x, Strided kept, Strided red, i64 nOut, i64 R) { \
    reduce_thread<OP, T>(out, x, kept, red, nOut, R); }
#define GB_ARG(T, S, NAME, MAX) \
  extern "C" __global__ void reduce_##NAME##_##S(int* out, const T* x, Strided kept, Strided red, i64 nOut, i64 R) { \
    arg_block<MAX, T>(out, x, kept, red, nOut, R); } \
  extern "C" __global__ void reducet_##NAME##_##S(int* out, const T* x, Strided kept, Strided red, i64 nOut, i64 R) { \
    arg_thread<MAX, T>(out, x, kept, red, nOut, R); }
#define GB_REDUCE_ALL(T, S) GB_REDUCE(T, S, sum, OpSum) GB_REDUCE(T, S, prod, OpProd) \
  GB_REDUCE(T, S, max, OpMax) GB_REDUCE(T, S, min, OpMin) GB_ARG(T, S, argmax, true) GB_ARG(T, S, argmin, false)
GB_FOR_TYPES(GB_REDUCE_ALL)
