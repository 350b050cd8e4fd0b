// Shared by every kernel file. No system headers: NVRTC compiles these sources as they are
// (lib/backends/cuda/kernels.ts pastes this file where a kernel includes it).
#pragma once

typedef long long i64;
typedef unsigned char u8;

// The most dimensions a strided kernel accepts; the backend merges contiguous dimensions
// first, so real tensors rarely use more than three.
#define GB_MAXD 8

// Shape and per-operand element strides of a strided elementwise launch. Operand 0 is the
// output (often contiguous), 1..3 the inputs. Laid out as i64 only, so the TypeScript packer
// writes it without padding rules: ndim, shape[8], st[4][8].
struct Strided {
  i64 ndim;
  i64 shape[GB_MAXD];
  i64 st[4][GB_MAXD];
};

// Element offsets of operands 0..K-1 for the row-major linear index i over s.shape.
template <int K>
__device__ __forceinline__ void gb_offsets(const Strided& s, i64 i, i64* off) {
  for (int k = 0; k < K; k++) off[k] = 0;
  for (int d = (int)s.ndim - 1; d > 0; d--) {
    i64 n = s.shape[d];
    i64 c = i % n;
    i /= n;
    for (int k = 0; k < K; k++) off[k] += c * s.st[k][d];
  }
  for (int k = 0; k < K; k++) off[k] += i * s.st[k][0];
}

#define GB_GRID_LOOP(i, n) \
  for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

// JavaScript's ToInt32 (what storing into an Int32Array does): truncate, wrap modulo 2^32,
// NaN and infinities become 0. The js reference backend gets this for free; we match it.
__device__ __forceinline__ int gb_to_i32(double v) {
  if (v - v != 0) return 0;
  double t = trunc(v);
  if (t >= -2147483648.0 && t <= 2147483647.0) return (int)t;
  double m = fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return (int)(unsigned int)m;
}

// Conversion from the compute type to a storage type.
template <typename T> __device__ __forceinline__ T gb_cast(double v);
template <> __device__ __forceinline__ float gb_cast<float>(double v) { return (float)v; }
template <> __device__ __forceinline__ double gb_cast<double>(double v) { return v; }
template <> __device__ __forceinline__ int gb_cast<int>(double v) { return gb_to_i32(v); }
template <> __device__ __forceinline__ u8 gb_cast<u8>(double v) { return v != 0 ? 1 : 0; }
template <typename T> __device__ __forceinline__ T gb_cast_f(float v) { return gb_cast<T>((double)v); }
template <> __device__ __forceinline__ float gb_cast_f<float>(float v) { return v; }

// Compute type per storage type: float32 stays in float (as PyTorch does on GPUs), the others
// compute in double, which holds every int32 exactly.
template <typename T> struct Compute { typedef double type; };
template <> struct Compute<float> { typedef float type; };

// Math overloads for float and double, so templates pick the single-precision functions.
#define GB_MATH1(name, f32, f64) \
  __device__ __forceinline__ float name(float x) { return f32(x); } \
  __device__ __forceinline__ double name(double x) { return f64(x); }
GB_MATH1(gb_exp, expf, exp)
GB_MATH1(gb_log, logf, log)
GB_MATH1(gb_sqrt, sqrtf, sqrt)
GB_MATH1(gb_rsqrt, rsqrtf, rsqrt)
GB_MATH1(gb_tanh, tanhf, tanh)
GB_MATH1(gb_sin, sinf, sin)
GB_MATH1(gb_cos, cosf, cos)
GB_MATH1(gb_floor, floorf, floor)
GB_MATH1(gb_ceil, ceilf, ceil)
GB_MATH1(gb_rint, rintf, rint)
GB_MATH1(gb_log1p, log1pf, log1p)
GB_MATH1(gb_expm1, expm1f, expm1)
GB_MATH1(gb_abs, fabsf, fabs)
__device__ __forceinline__ float gb_pow(float a, float b) { return powf(a, b); }
__device__ __forceinline__ double gb_pow(double a, double b) { return pow(a, b); }

// Type suffixes of kernel names: add_f32, add_f64, add_i32, add_u8 (bool).
#define GB_FOR_TYPES(M) M(float, f32) M(double, f64) M(int, i32) M(u8, u8)
#define GB_FOR_FLOATS(M) M(float, f32) M(double, f64)
