// Unary, binary and where over strided, broadcast views: one thread per output element, the
// output contiguous. Kernel names: unary_<op>_<type>, binary_<op>_<type>, where_<type>.
#include "common.cuh"

// Unary ops as expressions of x (in the compute type C).
#define GB_UNARY_OPS(M) \
  M(neg, -x) \
  M(abs, gb_abs(x)) \
  M(sign, x > 0 ? (C)1 : x < 0 ? (C)-1 : x) \
  M(exp, gb_exp(x)) \
  M(log, gb_log(x)) \
  M(sqrt, gb_sqrt(x)) \
  M(rsqrt, gb_rsqrt(x)) \
  M(square, x * x) \
  M(reciprocal, (C)1 / x) \
  M(tanh, gb_tanh(x)) \
  M(sigmoid, x >= 0 ? (C)1 / ((C)1 + gb_exp(-x)) : gb_exp(x) / ((C)1 + gb_exp(x))) \
  M(relu, x > 0 ? x : x == x ? (C)0 : x) \
  M(sin, gb_sin(x)) \
  M(cos, gb_cos(x)) \
  M(floor, gb_floor(x)) \
  M(ceil, gb_ceil(x)) \
  M(round, gb_rint(x)) \
  M(log1p, gb_log1p(x)) \
  M(expm1, gb_expm1(x))

#define GB_UNARY_KERNEL(T, S, OP, EXPR) \
  extern "C" __global__ void unary_##OP##_##S(T* __restrict__ out, const T* __restrict__ a, Strided s, i64 n) { \
    typedef Compute<T>::type C; \
    GB_GRID_LOOP(i, n) { \
      i64 off[2]; gb_offsets<2>(s, i, off); \
      C x = (C)a[off[1]]; \
      out[i] = gb_cast<T>((double)(EXPR)); \
    } \
  }
// logicalNot returns bool for every input type, like torch.logical_not.
#define GB_LOGICAL_NOT(T, S) \
  extern "C" __global__ void unary_logicalNot_##S(u8* __restrict__ out, const T* __restrict__ a, Strided s, i64 n) { \
    GB_GRID_LOOP(i, n) { i64 off[2]; gb_offsets<2>(s, i, off); out[i] = a[off[1]] == (T)0 ? 1 : 0; } \
  }


// Binary ops as expressions of a and b (compute type C); comparisons produce bool.
#define GB_ARITH_OPS(M) \
  M(add, a + b) \
  M(sub, a - b) \
  M(mul, a * b) \
  M(div, a / b) \
  M(pow, gb_pow(a, b)) \
  M(maximum, (a != a || b != b) ? a + b : (a > b ? a : b)) \
  M(minimum, (a != a || b != b) ? a + b : (a < b ? a : b))
#define GB_COMPARE_OPS(M) \
  M(eq, a == b) \
  M(ne, a != b) \
  M(lt, a < b) \
  M(le, a <= b) \
  M(gt, a > b) \
  M(ge, a >= b) \
  M(logicalAnd, a != 0 && b != 0) \
  M(logicalOr, a != 0 || b != 0)

#define GB_ARITH_KERNEL(T, S, OP, EXPR) \
  extern "C" __global__ void binary_##OP##_##S(T* __restrict__ out, const T* __restrict__ pa, const T* __restrict__ pb, Strided s, i64 n) { \
    typedef Compute<T>::type C; \
    GB_GRID_LOOP(i, n) { \
      i64 off[3]; gb_offsets<3>(s, i, off); \
      C a = (C)pa[off[1]], b = (C)pb[off[2]]; \
      out[i] = gb_cast<T>((double)(EXPR)); \
    } \
  }
#define GB_COMPARE_KERNEL(T, S, OP, EXPR) \
  extern "C" __global__ void binary_##OP##_##S(u8* __restrict__ out, const T* __restrict__ pa, const T* __restrict__ pb, Strided s, i64 n) { \
    GB_GRID_LOOP(i, n) { \
      i64 off[3]; gb_offsets<3>(s, i, off); \
      T a = pa[off[1]], b = pb[off[2]]; \
      out[i] = (EXPR) ? 1 : 0; \
    } \
  }

#define GB_WHERE_KERNEL(T, S) \
  extern "C" __global__ void where_##S(T* __restrict__ out, const u8* __restrict__ cond, const T* __restrict__ pa, const T* __restrict__ pb, Strided s, i64 n) { \
    GB_GRID_LOOP(i, n) { \
      i64 off[4]; gb_offsets<4>(s, i, off); \
      out[i] = cond[off[1]] ? pa[off[2]] : pb[off[3]]; \
    } \
  }

// Instantiate every op for every storage type.
#define GB_INST_UNARY(OP, EXPR) GB_UNARY_KERNEL(float, f32, OP, EXPR) GB_UNARY_KERNEL(double, f64, OP, EXPR) \
  GB_UNARY_KERNEL(int, i32, OP, EXPR) GB_UNARY_KERNEL(u8, u8, OP, EXPR)
#define GB_INST_ARITH(OP, EXPR) GB_ARITH_KERNEL(float, f32, OP, EXPR) GB_ARITH_KERNEL(double, f64, OP, EXPR) \
  GB_ARITH_KERNEL(int, i32, OP, EXPR) GB_ARITH_KERNEL(u8, u8, OP, EXPR)
#define GB_INST_COMPARE(OP, EXPR) GB_COMPARE_KERNEL(float, f32, OP, EXPR) GB_COMPARE_KERNEL(double, f64, OP, EXPR) \
  GB_COMPARE_KERNEL(int, i32, OP, EXPR) GB_COMPARE_KERNEL(u8, u8, OP, EXPR)

GB_UNARY_OPS(GB_INST_UNARY)
GB_FOR_TYPES(GB_LOGICAL_NOT)
GB_ARITH_OPS(GB_INST_ARITH)
GB_COMPARE_OPS(GB_INST_COMPARE)
GB_FOR_TYPES(GB_WHERE_KERNEL)
