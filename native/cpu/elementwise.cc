// Elementwise kernels: fill, strided copy with dtype conversion, unary, binary and where.
//
// Every kernel walks its operands through strides: the shape is first simplified (size-1
// dimensions dropped, dimensions contiguous in every operand merged), then an odometer runs
// over the outer dimensions and hands "inner runs" to a tight loop. float32 runs go to
// vectorised loops compiled three times (AVX-512, AVX2+FMA, baseline) and picked by the CPU
// at load time (target_clones); a strided inner run is first gathered into a small buffer so
// those loops only ever see contiguous data. Other dtypes compute in double, as JavaScript
// does, and store with the typed-array conversion, so they match the js backend exactly.
#include <cmath>
#include <cstring>
#include "fmath.h"
#include "kernels.h"

namespace gb {

i64 numel(int nd, const i64* shape) {
  i64 n = 1;
  for (int d = 0; d < nd; d++) n *= shape[d];
  return n;
}

namespace {

const i64 TMP = 1024;  // elements per gathered strided run

// ---- iteration ----------------------------------------------------------------------------
struct Layout {
  int nd;
  int nops;
  i64 shape[MAXD];
  i64 st[4][MAXD];
};

/** Drops size-1 dims and merges dims that are contiguous in every operand. */
void simplify(int nd, const i64* shape, int nops, const i64* const* strides, Layout& L) {
  L.nd = 0;
  L.nops = nops;
  for (int d = 0; d < nd; d++) {
    if (shape[d] == 1) continue;
    int n = L.nd;
    if (n > 0) {
      bool merge = true;
      for (int k = 0; k < nops; k++)
        if (L.st[k][n - 1] != strides[k][d] * shape[d]) { merge = false; break; }
      if (merge) {
        L.shape[n - 1] *= shape[d];
        for (int k = 0; k < nops; k++) L.st[k][n - 1] = strides[k][d];
        continue;
      }
    }
    L.shape[n] = shape[d];
    for (int k = 0; k < nops; k++) L.st[k][n] = strides[k][d];
    L.nd++;
  }
  if (L.nd == 0) {
    L.nd = 1;
    L.shape[0] = 1;
    for (int k = 0; k < nops; k++) L.st[k][0] = 0;
  }
}

void row_major(int nd, const i64* shape, i64* st) {
  i64 s = 1;
  for (int d = nd - 1; d >= 0; d--) { st[d] = s; s *= shape[d]; }
}

/**
 * Calls f(offs, inner_strides, len) for every inner run of the flat range [begin, end) of the
 * simplified shape; offs[k] is operand k's element offset (base[k] added) at the run's start.
 */
template <class F>
void walk(const Layout& L, const i64* base, i64 begin, i64 end, F&& f) {
  const int nd = L.nd, last = nd - 1, nops = L.nops;
  i64 coord[MAXD], offs[4], inner[4];
  i64 rem = begin;
  for (int k = 0; k < nops; k++) { offs[k] = base[k]; inner[k] = L.st[k][last]; }
  for (int d = last; d >= 0; d--) {
    coord[d] = rem % L.shape[d];
    rem /= L.shape[d];
    for (int k = 0; k < nops; k++) offs[k] += coord[d] * L.st[k][d];
  }
  i64 pos = begin;
  while (pos < end) {
    i64 len = std::min(L.shape[last] - coord[last], end - pos);
    f(offs, inner, len);
    pos += len;
    coord[last] += len;
    for (int k = 0; k < nops; k++) offs[k] += len * inner[k];
    for (int d = last; d > 0 && coord[d] == L.shape[d]; d--) {
      coord[d] = 0;
      coord[d - 1]++;
      for (int k = 0; k < nops; k++) offs[k] += L.st[k][d - 1] - L.shape[d] * L.st[k][d];
    }
  }
}

template <class F>
void walk_parallel(const Layout& L, const i64* base, i64 total, F&& f) {
  // Small tensors (scalar autodiff graphs are all small) skip the pool and std::function.
  if (total < 2 * PAR_GRAIN || pool_size() <= 1) walk(L, base, 0, total, f);
  else parallel_for(total, PAR_GRAIN, [&](i64 b, i64 e) { walk(L, base, b, e, f); });
}

template <typename T>
inline const T* run_ptr(const T* p, i64 stride, i64 len, T* tmp) {
  if (stride == 1) return p;
  for (i64 i = 0; i < len; i++) tmp[i] = p[i * stride];
  return tmp;
}

// ---- double (and JavaScript) semantics for every op --------------------------------------
// nearbyint rounds half to even in the default rounding mode, like PyTorch's round.
inline double round_half_even(double a) { return std::nearbyint(a); }

inline double unary_d(int op, double a) {
  switch (op) {
    case U_NEG: return -a;
    case U_ABS: return std::fabs(a);
    case U_SIGN: return a > 0 ? 1 : a < 0 ? -1 : a == 0 ? 0 : a;
    case U_EXP: return std::exp(a);
    case U_LOG: return std::log(a);
    case U_SQRT: return std::sqrt(a);
    case U_RSQRT: return 1 / std::sqrt(a);
    case U_SQUARE: return a * a;
    case U_RECIPROCAL: return 1 / a;
    case U_TANH: return std::tanh(a);
    case U_SIGMOID: return a >= 0 ? 1 / (1 + std::exp(-a)) : std::exp(a) / (1 + std::exp(a));
    case U_RELU: return a > 0 ? a : a == a ? 0 : a;
    case U_SIN: return std::sin(a);
    case U_COS: return std::cos(a);
    case U_FLOOR: return std::floor(a);
    case U_CEIL: return std::ceil(a);
    case U_ROUND: return round_half_even(a);
    case U_LOG1P: return std::log1p(a);
    case U_EXPM1: return std::expm1(a);
    default: return a == 0 ? 1 : 0;  // logicalNot
  }
}

inline double binary_d(int op, double a, double b) {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return std::pow(a, b);
    case B_MAX: return (a != a || b != b) ? NAN : (a == b ? (std::signbit(a) ? b : a) : (a > b ? a : b));
    case B_MIN: return (a != a || b != b) ? NAN : (a == b ? (std::signbit(a) ? a : b) : (a < b ? a : b));
    case B_EQ: return a == b;
    case B_NE: return a != b;
    case B_LT: return a < b;
    case B_LE: return a <= b;
    case B_GT: return a > b;
    case B_GE: return a >= b;
    case B_AND: return a != 0 && b != 0;
    default: return a != 0 || b != 0;
  }
}

// ---- float32 vector loops ---------------------------------------------------------------
/** Returns false when the op has no float32 fast loop (the caller then goes through double). */
GB_CLONES bool unary_f32(int op, const float* x, float* y, i64 n) {
  switch (op) {
    case U_NEG: for (i64 i = 0; i < n; i++) y[i] = -x[i]; return true;
    case U_ABS: for (i64 i = 0; i < n; i++) y[i] = __builtin_fabsf(x[i]); return true;
    case U_SQUARE: for (i64 i = 0; i < n; i++) y[i] = x[i] * x[i]; return true;
    case U_RECIPROCAL: for (i64 i = 0; i < n; i++) y[i] = 1.f / x[i]; return true;
    case U_SQRT: for (i64 i = 0; i < n; i++) y[i] = __builtin_sqrtf(x[i]); return true;
    case U_RSQRT: for (i64 i = 0; i < n; i++) y[i] = 1.f / __builtin_sqrtf(x[i]); return true;
    case U_RELU: for (i64 i = 0; i < n; i++) y[i] = x[i] > 0.f ? x[i] : (x[i] == x[i] ? 0.f : x[i]); return true;
    case U_EXP: for (i64 i = 0; i < n; i++) y[i] = exp_f(x[i]); return true;
    case U_TANH: for (i64 i = 0; i < n; i++) y[i] = tanh_f(x[i]); return true;
    case U_SIGMOID: for (i64 i = 0; i < n; i++) y[i] = sigmoid_f(x[i]); return true;
    case U_FLOOR: for (i64 i = 0; i < n; i++) y[i] = __builtin_floorf(x[i]); return true;
    case U_CEIL: for (i64 i = 0; i < n; i++) y[i] = __builtin_ceilf(x[i]); return true;
    case U_ROUND: for (i64 i = 0; i < n; i++) y[i] = __builtin_rintf(x[i]); return true;  // half to even
    case U_SIGN:
      for (i64 i = 0; i < n; i++) y[i] = x[i] > 0.f ? 1.f : (x[i] < 0.f ? -1.f : x[i]);
      return true;
    default: return false;
  }
}

// a: vector or scalar (sa == 0), b likewise; never both scalar with n > 1 from the caller.
#define GB_BIN_LOOP(EXPR)                                                           \
  if (sa == 1 && sb == 1) { for (i64 i = 0; i < n; i++) { float u = a[i], v = b[i]; y[i] = EXPR; } } \
  else if (sa == 1) { float v = b[0]; for (i64 i = 0; i < n; i++) { float u = a[i]; y[i] = EXPR; } }  \
  else { float u = a[0]; for (i64 i = 0; i < n; i++) { float v = b[i]; y[i] = EXPR; } }

GB_CLONES bool binary_f32(int op, const float* a, i64 sa, const float* b, i64 sb, float* y, i64 n) {
  switch (op) {
    case B_ADD: GB_BIN_LOOP(u + v) return true;
    case B_SUB: GB_BIN_LOOP(u - v) return true;
    case B_MUL: GB_BIN_LOOP(u * v) return true;
    case B_DIV: GB_BIN_LOOP(u / v) return true;
    case B_MAX: GB_BIN_LOOP((u != u || v != v) ? u + v : (u > v ? u : v)) return true;
    case B_MIN: GB_BIN_LOOP((u != u || v != v) ? u + v : (u < v ? u : v)) return true;
    default: return false;
  }
}

#define GB_CMP_LOOP(EXPR)                                                           \
  if (sa == 1 && sb == 1) { for (i64 i = 0; i < n; i++) { float u = a[i], v = b[i]; y[i] = (EXPR); } } \
  else if (sa == 1) { float v = b[0]; for (i64 i = 0; i < n; i++) { float u = a[i]; y[i] = (EXPR); } }  \
  else { float u = a[0]; for (i64 i = 0; i < n; i++) { float v = b[i]; y[i] = (EXPR); } }

GB_CLONES bool compare_f32(int op, const float* a, i64 sa, const float* b, i64 sb, uint8_t* y, i64 n) {
  switch (op) {
    case B_EQ: GB_CMP_LOOP(u == v) return true;
    case B_NE: GB_CMP_LOOP(u != v) return true;
    case B_LT: GB_CMP_LOOP(u < v) return true;
    case B_LE: GB_CMP_LOOP(u <= v) return true;
    case B_GT: GB_CMP_LOOP(u > v) return true;
    case B_GE: GB_CMP_LOOP(u >= v) return true;
    default: return false;
  }
}

// ---- generic (double) loops ---------------------------------------------------------------
template <typename T, typename O>
void unary_generic(int op, const T* x, i64 sx, O* y, i64 n) {
  for (i64 i = 0; i < n; i++) y[i] = from_double<O>(unary_d(op, double(x[i * sx])));
}

template <typename T, typename O>
void binary_generic(int op, const T* a, i64 sa, const T* b, i64 sb, O* y, i64 n) {
  for (i64 i = 0; i < n; i++) y[i] = from_double<O>(binary_d(op, double(a[i * sa]), double(b[i * sb])));
}

}  // namespace

void k_fill(void* out, int dtype, i64 n, double value) {
  GB_DISPATCH(dtype, T, {
    T v = dtype == BOOL ? T(value != 0 && value == value) : from_double<T>(value);
    T* o = static_cast<T*>(out);
    if (value == 0 && !std::signbit(value)) std::memset(o, 0, sizeof(T) * n);
    else parallel_for(n, 1 << 18, [&](i64 b, i64 e) { for (i64 i = b; i < e; i++) o[i] = v; });
  });
}

void k_convert(const void* src, int src_dtype, void* dst, int dtype, i64 n) {
  GB_DISPATCH(src_dtype, S, {
    const S* s = static_cast<const S*>(src);
    GB_DISPATCH(dtype, D, {
      D* d = static_cast<D*>(dst);
      // Host bytes for a bool tensor may hold any value: normalise them to 0/1 like the js backend.
      if (dtype == src_dtype && dtype != BOOL) std::memcpy(d, s, sizeof(D) * n);
      else if (dtype == BOOL) for (i64 i = 0; i < n; i++) d[i] = (double(s[i]) != 0 && s[i] == s[i]) ? 1 : 0;
      else for (i64 i = 0; i < n; i++) d[i] = from_double<D>(double(s[i]));
    });
  });
}

void k_copy(const View& dst, const View& src) {
  i64 total = numel(dst.nd, dst.shape);
  if (total == 0) return;
  const i64* strides[2] = {dst.strides, src.strides};
  Layout L;
  simplify(dst.nd, dst.shape, 2, strides, L);
  i64 base[2] = {dst.offset, src.offset};
  bool to_bool = dst.dtype == BOOL && src.dtype != BOOL;
  GB_DISPATCH(src.dtype, S, {
    const S* s = static_cast<const S*>(src.data);
    GB_DISPATCH(dst.dtype, D, {
      D* d = static_cast<D*>(dst.data);
      const bool same = dst.dtype == src.dtype;
      walk_parallel(L, base, total, [&](const i64* o, const i64* st, i64 len) {
        D* dp = d + o[0];
        const S* sp = s + o[1];
        if (same && st[0] == 1 && st[1] == 1) {
          std::memcpy(dp, sp, sizeof(D) * len);
        } else if (to_bool) {
          for (i64 i = 0; i < len; i++) { double v = double(sp[i * st[1]]); dp[i * st[0]] = v != 0 ? 1 : 0; }
        } else if (same) {
          for (i64 i = 0; i < len; i++) dp[i * st[0]] = D(sp[i * st[1]]);
        } else {
          for (i64 i = 0; i < len; i++) dp[i * st[0]] = from_double<D>(double(sp[i * st[1]]));
        }
      });
    });
  });
}

void k_unary(int op, const View& x, void* out) {
  i64 total = numel(x.nd, x.shape);
  if (total == 0) return;
  int out_dtype = op == U_LOGICAL_NOT ? BOOL : x.dtype;
  if (total == 1) {
    // One element (scalar autodiff): the same loops on one value, without the layout walk.
    if (x.dtype == F32 && out_dtype == F32 &&
        unary_f32(op, static_cast<const float*>(x.data) + x.offset, static_cast<float*>(out), 1))
      return;
    GB_DISPATCH(x.dtype, T, {
      GB_DISPATCH(out_dtype, O, { unary_generic<T, O>(op, static_cast<const T*>(x.data) + x.offset, 0, static_cast<O*>(out), 1); });
    });
    return;
  }
  i64 ost[MAXD];
  row_major(x.nd, x.shape, ost);
  const i64* strides[2] = {ost, x.strides};
  Layout L;
  simplify(x.nd, x.shape, 2, strides, L);
  i64 base[2] = {0, x.offset};
  if (x.dtype == F32 && out_dtype == F32) {
    const float* xs = static_cast<const float*>(x.data);
    float* y = static_cast<float*>(out);
    float probe = 0;
    if (unary_f32(op, &probe, &probe, 0)) {
      walk_parallel(L, base, total, [&](const i64* o, const i64* st, i64 len) {
        float tmp[TMP];
        for (i64 c = 0; c < len; c += TMP) {
          i64 m = std::min(TMP, len - c);
          unary_f32(op, run_ptr(xs + o[1] + c * st[1], st[1], m, tmp), y + o[0] + c, m);
        }
      });
      return;
    }
  }
  GB_DISPATCH(x.dtype, T, {
    const T* xs = static_cast<const T*>(x.data);
    GB_DISPATCH(out_dtype, O, {
      O* y = static_cast<O*>(out);
      walk_parallel(L, base, total, [&](const i64* o, const i64* st, i64 len) {
        unary_generic<T, O>(op, xs + o[1], st[1], y + o[0], len);
      });
    });
  });
}

void k_binary(int op, const View& a, const View& b, int nd, const i64* shape, void* out) {
  i64 total = numel(nd, shape);
  if (total == 0) return;
  int out_dtype = binary_is_comparison(op) ? BOOL : a.dtype;
  if (total == 1) {
    // One element: every index is 0, so each operand is its offset; same loops, no walk.
    if (a.dtype == F32) {
      const float* pa = static_cast<const float*>(a.data) + a.offset;
      const float* pb = static_cast<const float*>(b.data) + b.offset;
      bool done = out_dtype == BOOL ? compare_f32(op, pa, 1, pb, 1, static_cast<uint8_t*>(out), 1)
                                    : binary_f32(op, pa, 1, pb, 1, static_cast<float*>(out), 1);
      if (done) return;
    }
    GB_DISPATCH(a.dtype, T, {
      GB_DISPATCH(out_dtype, O, {
        binary_generic<T, O>(op, static_cast<const T*>(a.data) + a.offset, 0, static_cast<const T*>(b.data) + b.offset, 0,
                             static_cast<O*>(out), 1);
      });
    });
    return;
  }
  i64 ost[MAXD];
  row_major(nd, shape, ost);
  const i64* strides[3] = {ost, a.strides, b.strides};
  Layout L;
  simplify(nd, shape, 3, strides, L);
  i64 base[3] = {0, a.offset, b.offset};
  if (a.dtype == F32) {
    const float* as = static_cast<const float*>(a.data);
    const float* bs = static_cast<const float*>(b.data);
    float probe = 0;
    uint8_t bprobe = 0;
    bool cmp = out_dtype == BOOL;
    bool fast = cmp ? compare_f32(op, &probe, 1, &probe, 1, &bprobe, 0)
                    : binary_f32(op, &probe, 1, &probe, 1, &probe, 0);
    if (fast) {
      walk_parallel(L, base, total, [&](const i64* o, const i64* st, i64 len) {
        float ta[TMP], tb[TMP];
        for (i64 c = 0; c < len; c += TMP) {
          i64 m = std::min(TMP, len - c);
          // Stride 0 is passed through as a scalar; any other stride is gathered.
          i64 sa = st[1] == 0 ? 0 : 1, sb = st[2] == 0 ? 0 : 1;
          const float* pa = st[1] == 0 ? as + o[1] : run_ptr(as + o[1] + c * st[1], st[1], m, ta);
          const float* pb = st[2] == 0 ? bs + o[2] : run_ptr(bs + o[2] + c * st[2], st[2], m, tb);
          if (sa == 0 && sb == 0) { ta[0] = pa[0]; pa = ta; sa = 1; for (i64 i = 1; i < m; i++) ta[i] = ta[0]; }
          if (cmp) compare_f32(op, pa, sa, pb, sb, static_cast<uint8_t*>(out) + o[0] + c, m);
          else binary_f32(op, pa, sa, pb, sb, static_cast<float*>(out) + o[0] + c, m);
        }
      });
      return;
    }
  }
  GB_DISPATCH(a.dtype, T, {
    const T* as = static_cast<const T*>(a.data);
    const T* bs = static_cast<const T*>(b.data);
    GB_DISPATCH(out_dtype, O, {
      O* y = static_cast<O*>(out);
      walk_parallel(L, base, total, [&](const i64* o, const i64* st, i64 len) {
        binary_generic<T, O>(op, as + o[1], st[1], bs + o[2], st[2], y + o[0], len);
      });
    });
  });
}

void k_where(const View& c, const View& a, const View& b, int nd, const i64* shape, void* out) {
  i64 total = numel(nd, shape);
  if (total == 0) return;
  i64 ost[MAXD];
  row_major(nd, shape, ost);
  const i64* strides[4] = {ost, c.strides, a.strides, b.strides};
  Layout L;
  simplify(nd, shape, 4, strides, L);
  i64 base[4] = {0, c.offset, a.offset, b.offset};
  const uint8_t* cs = static_cast<const uint8_t*>(c.data);
  GB_DISPATCH(a.dtype, T, {
    const T* as = static_cast<const T*>(a.data);
    const T* bs = static_cast<const T*>(b.data);
    T* y = static_cast<T*>(out);
    walk_parallel(L, base, total, [&](const i64* o, const i64* st, i64 len) {
      const uint8_t* pc = cs + o[1];
      const T* pa = as + o[2];
      const T* pb = bs + o[3];
      T* py = y + o[0];
      for (i64 i = 0; i < len; i++) py[i] = pc[i * st[1]] ? pa[i * st[2]] : pb[i * st[3]];
    });
  });
}

}  // namespace gb
