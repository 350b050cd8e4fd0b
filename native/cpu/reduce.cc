// Reductions, cumulative sums, sorting, softmax, gather and scatterAdd.
//
// A reduction over a block of neighbouring axes views the tensor as [outer, r, inner]; other
// axis sets are first permuted (one strided copy) so that the reduced axes form such a block.
// Sums accumulate in double, as the js backend does, so long sums agree closely.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>
#include "fmath.h"
#include "kernels.h"

namespace gb {
namespace {

i64 prod(const i64* shape, int from, int to) {
  i64 n = 1;
  for (int i = from; i < to; i++) n *= shape[i];
  return n;
}

// Sum of a contiguous float row: 16 float lanes (vectorised), flushed to double every 1024
// elements so the rounding error stays that of a short float sum.
GB_CLONES double sum_row_f32(const float* x, i64 n) {
  double total = 0;
  i64 i = 0;
  while (i + 16 <= n) {
    float lanes[16] = {};
    i64 end = std::min(n, i + 1024) & ~i64(15);
    if (end <= i) break;
    for (; i < end; i += 16)
      for (int l = 0; l < 16; l++) lanes[l] += x[i + l];
    for (int l = 0; l < 16; l++) total += lanes[l];
  }
  for (; i < n; i++) total += x[i];
  return total;
}

// acc[i] += x[i] for a row of floats into double accumulators (the inner > 1 case).
GB_CLONES void add_row_f32(double* acc, const float* x, i64 n) {
  for (i64 i = 0; i < n; i++) acc[i] += x[i];
}

template <typename T>
void reduce_block(int op, const T* x, i64 outer, i64 r, i64 inner, void* out) {
  const bool is_arg = op == R_ARGMAX || op == R_ARGMIN;
  auto body = [&](i64 ob, i64 oe) {
    std::vector<double> acc(inner);
    std::vector<int32_t> best(is_arg ? inner : 0);
    for (i64 o = ob; o < oe; o++) {
      const T* base = x + o * r * inner;
      switch (op) {
        case R_SUM:
          if (inner == 1 && std::is_same<T, float>::value) {
            acc[0] = sum_row_f32(reinterpret_cast<const float*>(base), r);
            break;
          }
          std::fill(acc.begin(), acc.end(), 0.0);
          for (i64 p = 0; p < r; p++) {
            const T* row = base + p * inner;
            if (std::is_same<T, float>::value) add_row_f32(acc.data(), reinterpret_cast<const float*>(row), inner);
            else for (i64 i = 0; i < inner; i++) acc[i] += double(row[i]);
          }
          break;
        case R_PROD:
          std::fill(acc.begin(), acc.end(), 1.0);
          for (i64 p = 0; p < r; p++)
            for (i64 i = 0; i < inner; i++) acc[i] *= double(base[p * inner + i]);
          break;
        case R_MAX:
        case R_MIN: {
          const bool mx = op == R_MAX;
          for (i64 i = 0; i < inner; i++) acc[i] = double(base[i]);
          for (i64 p = 1; p < r; p++) {
            const T* row = base + p * inner;
            for (i64 i = 0; i < inner; i++) {
              double v = double(row[i]);
              if ((mx ? v > acc[i] : v < acc[i]) || v != v) acc[i] = v;
            }
          }
          break;
        }
        default: {  // argmax / argmin: NaN is the extreme value; the first occurrence wins ties
          const bool mx = op == R_ARGMAX;
          for (i64 i = 0; i < inner; i++) { acc[i] = double(base[i]); best[i] = 0; }
          for (i64 p = 1; p < r; p++) {
            const T* row = base + p * inner;
            for (i64 i = 0; i < inner; i++) {
              double cur = acc[i], v = double(row[i]);
              if (cur != cur) continue;
              if (v != v || (mx ? v > cur : v < cur)) { acc[i] = v; best[i] = int32_t(p); }
            }
          }
          std::memcpy(static_cast<int32_t*>(out) + o * inner, best.data(), sizeof(int32_t) * inner);
          continue;
        }
      }
      T* y = static_cast<T*>(out) + o * inner;
      for (i64 i = 0; i < inner; i++) y[i] = from_double<T>(acc[i]);
    }
  };
  i64 work = outer * r * inner;
  if (outer >= 2 && work >= (1 << 16)) parallel_for(outer, 1, body);
  else body(0, outer);
}

}  // namespace

void k_reduce(int op, const void* x, int dtype, int nd, const i64* shape, int naxes,
              const i64* axes, void* out) {
  bool block = true;
  for (int i = 1; i < naxes; i++) if (axes[i] != axes[i - 1] + 1) block = false;
  i64 sh[MAXD];
  std::copy(shape, shape + nd, sh);
  int first = int(axes[0]), last = int(axes[naxes - 1]);
  if (!block && op == R_SUM) {
    // Kept axes forming one block between reduced ones, [A, K, C] -> [K] (a convolution's
    // bias gradient over N, H, W): row sums straight from the input, no permuting copy.
    int k0 = -1, k1 = -1;
    bool kept_block = true;
    for (int d = 0, a = 0; d < nd; d++) {
      bool reduced = a < naxes && axes[a] == d;
      if (reduced) { a++; continue; }
      if (k0 < 0) k0 = d;
      else if (d != k1 + 1) kept_block = false;
      k1 = d;
    }
    if (kept_block && k0 > 0 && k1 < nd - 1) {
      i64 A = 1, K = 1, C = 1;
      for (int d = 0; d < k0; d++) A *= shape[d];
      for (int d = k0; d <= k1; d++) K *= shape[d];
      for (int d = k1 + 1; d < nd; d++) C *= shape[d];
      std::vector<double> acc(K, 0.0);
      GB_DISPATCH(dtype, T, {
        const T* xs = static_cast<const T*>(x);
        for (i64 a = 0; a < A; a++)
          for (i64 k = 0; k < K; k++) {
            const T* row = xs + (a * K + k) * C;
            if (std::is_same<T, float>::value) acc[k] += sum_row_f32(reinterpret_cast<const float*>(row), C);
            else for (i64 c = 0; c < C; c++) acc[k] += double(row[c]);
          }
        T* y = static_cast<T*>(out);
        for (i64 k = 0; k < K; k++) y[k] = from_double<T>(acc[k]);
      });
      return;
    }
  }
  void* moved = nullptr;
  i64 total = numel(nd, shape);
  if (!block) {
    // Permute the reduced axes to the end with one strided copy.
    View src{const_cast<void*>(x), dtype, nd, 0, {}, {}};
    i64 st[MAXD];
    i64 s = 1;
    for (int d = nd - 1; d >= 0; d--) { st[d] = s; s *= shape[d]; }
    int k = 0;
    for (int d = 0; d < nd; d++)
      if (std::find(axes, axes + naxes, i64(d)) == axes + naxes) { src.shape[k] = shape[d]; src.strides[k] = st[d]; k++; }
    for (int a = 0; a < naxes; a++) { src.shape[k] = shape[axes[a]]; src.strides[k] = st[axes[a]]; k++; }
    moved = buf_alloc(total * dtype_size(dtype));
    View dst{moved, dtype, nd, 0, {}, {}};
    std::copy(src.shape, src.shape + nd, dst.shape);
    s = 1;
    for (int d = nd - 1; d >= 0; d--) { dst.strides[d] = s; s *= dst.shape[d]; }
    k_copy(dst, src);
    std::copy(src.shape, src.shape + nd, sh);
    first = nd - naxes;
    last = nd - 1;
    x = moved;
  }
  i64 outer = prod(sh, 0, first), r = prod(sh, first, last + 1), inner = prod(sh, last + 1, nd);
  GB_DISPATCH(dtype, T, reduce_block<T>(op, static_cast<const T*>(x), outer, r, inner, out));
  if (moved) buf_free(moved, total * dtype_size(dtype));
}

void k_cumsum(const void* x, int dtype, int nd, const i64* shape, int axis, void* out) {
  i64 outer = prod(shape, 0, axis), n = shape[axis], inner = prod(shape, axis + 1, nd);
  GB_DISPATCH(dtype, T, {
    const T* xs = static_cast<const T*>(x);
    T* y = static_cast<T*>(out);
    std::vector<double> acc(inner);
    for (i64 o = 0; o < outer; o++) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (i64 p = 0; p < n; p++) {
        i64 row = (o * n + p) * inner;
        for (i64 i = 0; i < inner; i++) { acc[i] += double(xs[row + i]); y[row + i] = from_double<T>(acc[i]); }
      }
    }
  });
}

void k_sort(const void* x, int dtype, i64 outer, i64 n, bool descending, void* values,
            int32_t* indices) {
  GB_DISPATCH(dtype, T, {
    const T* xs = static_cast<const T*>(x);
    T* vs = static_cast<T*>(values);
    parallel_for(outer, n >= 4096 ? 1 : (1 << 16) / (n + 1) + 1, [&](i64 ob, i64 oe) {
      std::vector<int32_t> order(n);
      for (i64 o = ob; o < oe; o++) {
        const T* row = xs + o * n;
        std::iota(order.begin(), order.end(), 0);
        // NaN sorts as the largest value, as in PyTorch; stable_sort keeps ties in order.
        std::stable_sort(order.begin(), order.end(), [&](int32_t i, int32_t j) {
          double a = double(row[i]), b = double(row[j]);
          bool an = a != a, bn = b != b;
          if (an || bn) return descending ? (an && !bn) : (!an && bn);
          return descending ? a > b : a < b;
        });
        for (i64 i = 0; i < n; i++) { indices[o * n + i] = order[i]; vs[o * n + i] = row[order[i]]; }
      }
    });
  });
}

namespace {

GB_CLONES void softmax_rows_f32(const float* x, float* y, i64 rows, i64 n, bool log) {
  for (i64 o = 0; o < rows; o++) {
    const float* xr = x + o * n;
    float* yr = y + o * n;
    float m = -__builtin_inff();
    bool nan = false;
    for (i64 i = 0; i < n; i++) { m = xr[i] > m ? xr[i] : m; nan |= xr[i] != xr[i]; }
    if (nan) m = __builtin_nanf("");
    if (m == -__builtin_inff()) m = 0;  // a row of -inf: exp(-inf - 0) = 0, not NaN from inf - inf
    float lanes[16] = {};
    i64 i = 0;
    for (; i + 16 <= n; i += 16)
      for (int l = 0; l < 16; l++) {
        float e = exp_f(xr[i + l] - m);
        if (!log) yr[i + l] = e;
        lanes[l] += e;
      }
    double s = 0;
    for (int l = 0; l < 16; l++) s += lanes[l];
    for (; i < n; i++) {
      float e = exp_f(xr[i] - m);
      if (!log) yr[i] = e;
      s += e;
    }
    if (log) {
      // In double: with large logits a float lse would lose the small differences.
      double lse = double(m) + std::log(s);
      for (i64 j = 0; j < n; j++) yr[j] = float(double(xr[j]) - lse);
    } else {
      float inv = float(1.0 / s);
      for (i64 j = 0; j < n; j++) yr[j] *= inv;
    }
  }
}

template <typename T>
void softmax_rows(const T* x, T* y, i64 rows, i64 n, bool log) {
  for (i64 o = 0; o < rows; o++) {
    const T* xr = x + o * n;
    T* yr = y + o * n;
    double m = -INFINITY;
    for (i64 i = 0; i < n; i++) { double v = double(xr[i]); if (v > m || v != v) m = v; }
    if (m == -INFINITY) m = 0;
    double s = 0;
    for (i64 i = 0; i < n; i++) s += std::exp(double(xr[i]) - m);
    if (log) {
      double lse = m + std::log(s);
      for (i64 i = 0; i < n; i++) yr[i] = from_double<T>(double(xr[i]) - lse);
    } else {
      for (i64 i = 0; i < n; i++) yr[i] = from_double<T>(std::exp(double(xr[i]) - m) / s);
    }
  }
}

void strides_of(int nd, const i64* shape, i64* st) {
  i64 s = 1;
  for (int d = nd - 1; d >= 0; d--) { st[d] = s; s *= shape[d]; }
}

/** Calls f(k, base) for each flat position k of `shape`, base = offset in `other` with axis = 0. */
template <class F>
void for_each_base(int nd, const i64* shape, const i64* other, int axis, F&& f) {
  i64 ost[MAXD], idx[MAXD] = {};
  strides_of(nd, other, ost);
  ost[axis] = 0;
  i64 size = numel(nd, shape), off = 0;
  for (i64 k = 0; k < size; k++) {
    f(k, off);
    for (int d = nd - 1; d >= 0; d--) {
      idx[d]++;
      off += ost[d];
      if (idx[d] < shape[d]) break;
      off -= ost[d] * shape[d];
      idx[d] = 0;
    }
  }
}

}  // namespace

void k_softmax(const void* x, int dtype, i64 outer, i64 n, bool log, void* out) {
  i64 grain = std::max<i64>(1, (1 << 15) / (n + 1));
  parallel_for(outer, grain, [&](i64 b, i64 e) {
    if (dtype == F32) {
      softmax_rows_f32(static_cast<const float*>(x) + b * n, static_cast<float*>(out) + b * n, e - b, n, log);
      return;
    }
    GB_DISPATCH(dtype, T, softmax_rows<T>(static_cast<const T*>(x) + b * n, static_cast<T*>(out) + b * n, e - b, n, log));
  });
}

void k_index_select(const void* x, int dtype, i64 outer, i64 dim, i64 inner, const int32_t* index, i64 count, void* out) {
  const size_t es = dtype_size(dtype), row = size_t(inner) * es;
  const char* xs = static_cast<const char*>(x);
  char* y = static_cast<char*>(out);
  // One copy per picked slice; slices are split among threads once there is enough to copy.
  parallel_for(outer * count, std::max<i64>(1, (i64(1) << 16) / std::max<i64>(1, inner)), [&](i64 b, i64 e) {
    for (i64 k = b; k < e; k++) {
      const i64 o = k / count, i = k % count;
      std::memcpy(y + size_t(k) * row, xs + (size_t(o * dim) + size_t(index[i])) * row, row);
    }
  });
}

void k_gather(const void* x, int dtype, int nd, const i64* xshape, const int32_t* index,
              const i64* ishape, int axis, void* out) {
  i64 xst[MAXD] = {};
  strides_of(nd, xshape, xst);
  i64 as = xst[axis];
  GB_DISPATCH(dtype, T, {
    const T* xs = static_cast<const T*>(x);
    T* y = static_cast<T*>(out);
    for_each_base(nd, ishape, xshape, axis, [&](i64 k, i64 base) { y[k] = xs[base + i64(index[k]) * as]; });
  });
}

void k_scatter_add(int nd, const i64* oshape, const int32_t* index, const void* src, int dtype,
                   const i64* sshape, int axis, void* out) {
  i64 ost[MAXD] = {};
  strides_of(nd, oshape, ost);
  i64 as = ost[axis];
  i64 osize = numel(nd, oshape);
  std::vector<double> acc(osize, 0.0);
  GB_DISPATCH(dtype, T, {
    const T* s = static_cast<const T*>(src);
    for_each_base(nd, sshape, oshape, axis, [&](i64 k, i64 base) { acc[base + i64(index[k]) * as] += double(s[k]); });
    T* y = static_cast<T*>(out);
    for (i64 i = 0; i < osize; i++) y[i] = from_double<T>(acc[i]);
  });
}

}  // namespace gb
