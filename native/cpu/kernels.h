// The primitive kernels of lib/backend.ts on raw buffers. The caller (addon.cc) allocates every
// output; kernels only compute. Semantics follow the js reference backend exactly: values of
// int32 and bool tensors are computed in double and stored as a JavaScript typed array would
// (ToInt32 / ToUint8), so results agree bit for bit where the arithmetic is exact.
#pragma once
#include "common.h"

namespace gb {

const int MAXD = 16;

// Loops compiled for AVX-512, AVX2 and the baseline; the loader picks one for the CPU.
#if defined(__x86_64__)
#define GB_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GB_CLONES
#endif

// Below 2x this many elements a kernel stays on one thread.
const i64 PAR_GRAIN = 32768;

struct View {
  void* data;  // base of the storage; element (i...) is at data[offset + sum i_d * strides[d]]
  int dtype;
  int nd;
  i64 offset;
  i64 shape[MAXD];
  i64 strides[MAXD];
};

// Op codes: the order of the UnaryOp / BinaryOp / ReduceOp unions in lib/backend.ts.
enum Unary { U_NEG, U_ABS, U_SIGN, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_SQUARE, U_RECIPROCAL, U_TANH,
             U_SIGMOID, U_RELU, U_SIN, U_COS, U_FLOOR, U_CEIL, U_ROUND, U_LOG1P, U_EXPM1,
             U_LOGICAL_NOT, U_COUNT };
enum Binary { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE,
              B_AND, B_OR, B_COUNT };
enum Reduce { R_SUM, R_PROD, R_MAX, R_MIN, R_ARGMAX, R_ARGMIN, R_COUNT };

inline bool binary_is_comparison(int op) { return op >= B_EQ; }

i64 numel(int nd, const i64* shape);

// elementwise.cc
void k_fill(void* out, int dtype, i64 n, double value);
/** Writes src (broadcast to dst's shape through its strides) into dst, converting dtypes. */
void k_copy(const View& dst, const View& src);
void k_unary(int op, const View& x, void* out);
void k_binary(int op, const View& a, const View& b, int nd, const i64* shape, void* out);
void k_where(const View& c, const View& a, const View& b, int nd, const i64* shape, void* out);
/** Converts n values of a host typed array (src_dtype) into dtype. */
void k_convert(const void* src, int src_dtype, void* dst, int dtype, i64 n);

// reduce.cc
void k_reduce(int op, const void* x, int dtype, int nd, const i64* shape, int naxes,
              const i64* axes, void* out);
void k_cumsum(const void* x, int dtype, int nd, const i64* shape, int axis, void* out);
void k_sort(const void* x, int dtype, i64 outer, i64 n, bool descending, void* values,
            int32_t* indices);
void k_softmax(const void* x, int dtype, i64 outer, i64 n, bool log, void* out);
void k_index_select(const void* x, int dtype, i64 outer, i64 dim, i64 inner, const int32_t* index, i64 count, void* out);
void k_gather(const void* x, int dtype, int nd, const i64* xshape, const int32_t* index,
              const i64* ishape, int axis, void* out);
void k_scatter_add(int nd, const i64* oshape, const int32_t* index, const void* src, int dtype,
                   const i64* sshape, int axis, void* out);

// conv.cc
struct MatmulP { i64 batch, m, n, k; bool ta, tb; i64 sa, sb; };
struct ConvP {
  i64 n, cin, h, w, cout, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups, oh, ow;
};
struct PoolP { i64 n, c, h, w, kh, kw, sh, sw, pt, pl, oh, ow; bool include_pad; };
void k_matmul(const void* a, const void* b, int dtype, const MatmulP& p, void* out);
void k_conv2d(const void* x, const void* w, int dtype, const ConvP& p, void* out);
void k_conv2d_bwd_input(const void* dy, const void* w, int dtype, const ConvP& p, void* dx);
void k_conv2d_bwd_weight(const void* x, const void* dy, int dtype, const ConvP& p, void* dw);
void k_maxpool(const void* x, int dtype, const PoolP& p, void* out, int32_t* idx);
void k_maxpool_bwd(const void* dy, const int32_t* idx, int dtype, const PoolP& p, void* dx);
void k_avgpool(const void* x, int dtype, const PoolP& p, void* out);
void k_avgpool_bwd(const void* dy, int dtype, const PoolP& p, void* dx);

// optim.cc
/**
 * One fused optimizer update in place (Backend.optimizerStep): kind 0 sgd, 1 adam, 2 rmsprop,
 * 3 adagrad; state[0..2] are the kind's state slots (null when unused); h holds the scalars
 * packOptimizerStep writes: lr, wd, decay, c1, c2, c3, eps, flags. dtype is F32 or F64.
 */
void k_optimizer_step(int kind, void* p, const void* grad, void* const* state, int dtype, i64 n,
                      const double* h);

// Dispatches a generic lambda on the C++ type of a dtype.
#define GB_DISPATCH(dt, T, ...)                 \
  switch (dt) {                                 \
    case F32: { typedef float T; __VA_ARGS__; break; }    \
    case F64: { typedef double T; __VA_ARGS__; break; }   \
    case I32: { typedef int32_t T; __VA_ARGS__; break; }  \
    default: { typedef uint8_t T; __VA_ARGS__; break; }   \
  }

// JavaScript's conversion of a double into each typed array's element type.
template <typename T> inline T from_double(double v);
template <> inline float from_double<float>(double v) { return float(v); }
template <> inline double from_double<double>(double v) { return v; }
template <> inline int32_t from_double<int32_t>(double v) {
  if (v >= -2147483648.0 && v <= 2147483647.0) return int32_t(v);  // fast path; NaN fails it
  if (!(v - v == 0)) return 0;                                       // NaN, ±Infinity
  double t = __builtin_trunc(v);
  double m = __builtin_fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return int32_t(uint32_t(m));
}
template <> inline uint8_t from_double<uint8_t>(double v) {
  if (v >= 0 && v < 256.0) return uint8_t(v);
  if (!(v - v == 0)) return 0;
  double m = __builtin_fmod(__builtin_trunc(v), 256.0);
  if (m < 0) m += 256.0;
  return uint8_t(m);
}

}  // namespace gb
