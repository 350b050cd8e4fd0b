// Batched matmul, 2-D convolution (im2col + GEMM) and pooling.
//
// Convolutions run one image per task on the thread pool, each with its own column buffer
// and a single-threaded GEMM: with the small channel counts of teaching networks, splitting
// the batch keeps both cores busy where splitting each small GEMM would not.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>
#include "kernels.h"

namespace gb {
namespace {

template <typename T>
void gemm_t(i64 m, i64 n, i64 k, const T* a, i64 rsa, i64 csa, const T* b, i64 rsb, i64 csb, T* c,
            i64 ldc, bool acc, bool threads) {
  // bool and other types: accumulate in double and store as the js backend does.
  for (i64 i = 0; i < m; i++)
    for (i64 j = 0; j < n; j++) {
      double s = acc ? double(c[i * ldc + j]) : 0.0;
      for (i64 p = 0; p < k; p++) s += double(a[i * rsa + p * csa]) * double(b[p * rsb + j * csb]);
      c[i * ldc + j] = from_double<T>(s);
    }
  (void)threads;
}
template <>
void gemm_t<float>(i64 m, i64 n, i64 k, const float* a, i64 rsa, i64 csa, const float* b, i64 rsb,
                   i64 csb, float* c, i64 ldc, bool acc, bool threads) {
  sgemm(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, acc, threads);
}
template <>
void gemm_t<double>(i64 m, i64 n, i64 k, const double* a, i64 rsa, i64 csa, const double* b,
                    i64 rsb, i64 csb, double* c, i64 ldc, bool acc, bool) {
  dgemm(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, acc);
}
template <>
void gemm_t<int32_t>(i64 m, i64 n, i64 k, const int32_t* a, i64 rsa, i64 csa, const int32_t* b,
                     i64 rsb, i64 csb, int32_t* c, i64 ldc, bool acc, bool) {
  igemm(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, acc);
}

template <typename T>
struct Scratch {
  std::vector<T> v;
  T* get(size_t n) {
    if (v.size() < n) v.resize(n);
    return v.data();
  }
};

/** cols [cInG*kh*kw, outH*outW] of image b, group g. */
template <typename T>
void im2col(const T* x, i64 b, i64 g, const ConvP& p, T* cols) {
  const i64 cing = p.cin / p.groups, L = p.oh * p.ow;
  i64 row = 0;
  for (i64 c = 0; c < cing; c++) {
    const T* plane = x + ((b * p.cin) + g * cing + c) * p.h * p.w;
    for (i64 i = 0; i < p.kh; i++)
      for (i64 j = 0; j < p.kw; j++, row++) {
        T* dst = cols + row * L;
        for (i64 oh = 0; oh < p.oh; oh++) {
          i64 y = oh * p.sh - p.pt + i * p.dh;
          T* d = dst + oh * p.ow;
          if (y < 0 || y >= p.h) { std::fill(d, d + p.ow, T(0)); continue; }
          const T* src = plane + y * p.w;
          i64 x0 = -p.pl + j * p.dw;
          if (p.sw == 1) {
            // Valid columns form one contiguous range: copy it, zero the borders.
            i64 lo = std::max<i64>(0, -x0), hi = std::min<i64>(p.ow, p.w - x0);
            if (hi < lo) hi = lo;
            std::fill(d, d + lo, T(0));
            if (hi > lo) std::memcpy(d + lo, src + x0 + lo, sizeof(T) * (hi - lo));
            std::fill(d + hi, d + p.ow, T(0));
          } else {
            for (i64 ow = 0; ow < p.ow; ow++) {
              i64 xx = ow * p.sw + x0;
              d[ow] = (xx >= 0 && xx < p.w) ? src[xx] : T(0);
            }
          }
        }
      }
  }
}

/** Adds cols back into dx for image b, group g (the adjoint of im2col), in double for ints. */
template <typename T>
void col2im(const T* cols, i64 b, i64 g, const ConvP& p, T* dx) {
  const i64 cing = p.cin / p.groups, L = p.oh * p.ow;
  i64 row = 0;
  for (i64 c = 0; c < cing; c++) {
    T* plane = dx + ((b * p.cin) + g * cing + c) * p.h * p.w;
    for (i64 i = 0; i < p.kh; i++)
      for (i64 j = 0; j < p.kw; j++, row++) {
        const T* src = cols + row * L;
        for (i64 oh = 0; oh < p.oh; oh++) {
          i64 y = oh * p.sh - p.pt + i * p.dh;
          if (y < 0 || y >= p.h) continue;
          T* d = plane + y * p.w;
          const T* s = src + oh * p.ow;
          for (i64 ow = 0; ow < p.ow; ow++) {
            i64 xx = ow * p.sw - p.pl + j * p.dw;
            if (xx >= 0 && xx < p.w) d[xx] += s[ow];
          }
        }
      }
  }
}

bool is_pointwise(const ConvP& p) {
  return p.kh == 1 && p.kw == 1 && p.sh == 1 && p.sw == 1 && p.pt == 0 && p.pl == 0 &&
         p.pb == 0 && p.pr == 0;
}

template <typename T>
void conv_fwd(const T* x, const T* w, const ConvP& p, T* out) {
  const i64 coutg = p.cout / p.groups, K = (p.cin / p.groups) * p.kh * p.kw, L = p.oh * p.ow;
  const bool pw = is_pointwise(p);
  const bool per_image = p.n >= 2;
  parallel_tasks(int(per_image ? p.n : 1), [&](int task) {
    thread_local Scratch<T> scratch;
    i64 b0 = per_image ? task : 0, b1 = per_image ? task + 1 : p.n;
    for (i64 b = b0; b < b1; b++)
      for (i64 g = 0; g < p.groups; g++) {
        const T* cols;
        if (pw) {
          cols = x + (b * p.cin + g * K) * L;
        } else {
          T* c = scratch.get(size_t(K * L));
          im2col(x, b, g, p, c);
          cols = c;
        }
        gemm_t<T>(coutg, L, K, w + g * coutg * K, K, 1, cols, L, 1,
                  out + (b * p.cout + g * coutg) * L, L, false, !per_image);
      }
  });
}

template <typename T>
void conv_bwd_input(const T* dy, const T* w, const ConvP& p, T* dx) {
  const i64 coutg = p.cout / p.groups, K = (p.cin / p.groups) * p.kh * p.kw, L = p.oh * p.ow;
  const bool per_image = p.n >= 2;
  std::memset(dx, 0, sizeof(T) * p.n * p.cin * p.h * p.w);
  parallel_tasks(int(per_image ? p.n : 1), [&](int task) {
    thread_local Scratch<T> scratch;
    i64 b0 = per_image ? task : 0, b1 = per_image ? task + 1 : p.n;
    for (i64 b = b0; b < b1; b++)
      for (i64 g = 0; g < p.groups; g++) {
        const T* dyg = dy + (b * p.cout + g * coutg) * L;
        const T* wg = w + g * coutg * K;
        if (is_pointwise(p)) {  // dx_g = W_gᵀ · dy_g directly
          gemm_t<T>(K, L, coutg, wg, 1, K, dyg, L, 1, dx + (b * p.cin + g * K) * L, L, false, !per_image);
          continue;
        }
        T* cols = scratch.get(size_t(K * L));
        gemm_t<T>(K, L, coutg, wg, 1, K, dyg, L, 1, cols, L, false, !per_image);
        col2im(cols, b, g, p, dx);
      }
  });
}

template <typename T>
void conv_bwd_weight(const T* x, const T* dy, const ConvP& p, T* dw) {
  const i64 coutg = p.cout / p.groups, K = (p.cin / p.groups) * p.kh * p.kw, L = p.oh * p.ow;
  const i64 wsize = p.cout * K;
  const int threads = p.n >= 2 ? int(std::min<i64>(pool_size(), p.n)) : 1;
  // One private dW per thread (thread 0 writes the output directly), summed at the end.
  std::vector<T> partial(size_t(wsize) * (threads - 1));
  std::memset(dw, 0, sizeof(T) * wsize);
  parallel_tasks(threads, [&](int t) {
    thread_local Scratch<T> scratch;
    T* acc = t == 0 ? dw : partial.data() + (t - 1) * wsize;
    i64 b0 = p.n * t / threads, b1 = p.n * (t + 1) / threads;
    for (i64 b = b0; b < b1; b++)
      for (i64 g = 0; g < p.groups; g++) {
        const T* cols;
        if (is_pointwise(p)) {
          cols = x + (b * p.cin + g * K) * L;
        } else {
          T* c = scratch.get(size_t(K * L));
          im2col(x, b, g, p, c);
          cols = c;
        }
        // dW_g[cOutG, K] += dy_g[cOutG, L] · colsᵀ[L, K]
        gemm_t<T>(coutg, K, L, dy + (b * p.cout + g * coutg) * L, L, 1, cols, 1, L,
                  acc + g * coutg * K, K, true, threads == 1);
      }
  });
  for (int t = 1; t < threads; t++) {
    const T* src = partial.data() + (t - 1) * wsize;
    for (i64 i = 0; i < wsize; i++) dw[i] += src[i];
  }
}

/** Max pooling without padding: every window lies inside the plane, so no bounds checks. */
template <typename T>
void maxpool_unpadded(const T* base, const PoolP& p, T* out, int32_t* idx) {
  if (p.kh == 2 && p.kw == 2 && p.sh == 2 && p.sw == 2) {
    // The common 2x2/2 case, unrolled; same order of comparison (first maximum, first NaN wins).
    for (i64 oh = 0; oh < p.oh; oh++) {
      const T* r0 = base + 2 * oh * p.w;
      const T* r1 = r0 + p.w;
      for (i64 ow = 0; ow < p.ow; ow++) {
        const i64 x0 = 2 * ow, k0 = 2 * oh * p.w + x0;
        // Row by row; a NaN ends the scan of its row only (the js backend's order).
        T best = r0[x0];
        i64 bi = k0;
        if (best == best && (r0[x0 + 1] > best || r0[x0 + 1] != r0[x0 + 1])) { best = r0[x0 + 1]; bi = k0 + 1; }
        for (int q = 0; q < 2; q++) {
          T v = r1[x0 + q];
          if (v > best || v != v) {
            best = v;
            bi = k0 + p.w + q;
            if (v != v) break;
          }
        }
        out[oh * p.ow + ow] = best;
        idx[oh * p.ow + ow] = int32_t(bi);
      }
    }
    return;
  }
  for (i64 oh = 0; oh < p.oh; oh++)
    for (i64 ow = 0; ow < p.ow; ow++) {
      i64 y0 = oh * p.sh, x0 = ow * p.sw;
      T best = base[y0 * p.w + x0];
      i64 bi = y0 * p.w + x0;
      // A NaN ends the scan of its row only, as in the js backend.
      for (i64 i = 0; i < p.kh; i++)
        for (i64 j = (i == 0 ? 1 : 0); j < p.kw; j++) {
          if (i == 0 && best != best) break;
          i64 k = (y0 + i) * p.w + x0 + j;
          T v = base[k];
          if (v > best || v != v) {
            best = v;
            bi = k;
            if (v != v) break;
          }
        }
      out[oh * p.ow + ow] = best;
      idx[oh * p.ow + ow] = int32_t(bi);
    }
}

template <typename T>
void maxpool(const T* x, const PoolP& p, T* out, int32_t* idx) {
  const i64 L = p.oh * p.ow, hw = p.h * p.w;
  parallel_for(p.n * p.c, std::max<i64>(1, 8192 / (L + 1)), [&](i64 pb, i64 pe) {
    if (p.pt == 0 && p.pl == 0 && (p.oh - 1) * p.sh + p.kh <= p.h && (p.ow - 1) * p.sw + p.kw <= p.w) {
      for (i64 pl = pb; pl < pe; pl++) maxpool_unpadded(x + pl * hw, p, out + pl * L, idx + pl * L);
      return;
    }
    for (i64 pl = pb; pl < pe; pl++) {
      const T* base = x + pl * hw;
      for (i64 oh = 0; oh < p.oh; oh++) {
        i64 y0 = oh * p.sh - p.pt;
        for (i64 ow = 0; ow < p.ow; ow++) {
          i64 x0 = ow * p.sw - p.pl;
          double best = -INFINITY;
          i64 bi = -1;
          for (i64 i = 0; i < p.kh; i++) {
            i64 y = y0 + i;
            if (y < 0 || y >= p.h) continue;
            for (i64 j = 0; j < p.kw; j++) {
              i64 xx = x0 + j;
              if (xx < 0 || xx >= p.w) continue;
              double v = double(base[y * p.w + xx]);
              if (v > best || v != v || bi < 0) {
                best = v;
                bi = y * p.w + xx;
                if (v != v) break;  // ends this row only, as in the js backend
              }
            }
          }
          i64 o = pl * L + oh * p.ow + ow;
          out[o] = from_double<T>(best);
          idx[o] = int32_t(bi);
        }
      }
    }
  });
}

template <typename T>
void maxpool_bwd(const T* dy, const int32_t* ind, const PoolP& p, T* dx) {
  const i64 L = p.oh * p.ow, hw = p.h * p.w;
  std::memset(dx, 0, sizeof(T) * p.n * p.c * hw);
  parallel_for(p.n * p.c, std::max<i64>(1, 8192 / (L + 1)), [&](i64 pb, i64 pe) {
    for (i64 pl = pb; pl < pe; pl++)
      for (i64 o = 0; o < L; o++) {
        int32_t k = ind[pl * L + o];
        if (k >= 0) dx[pl * hw + k] += dy[pl * L + o];
      }
  });
}

/** The divisor of one window: its full size (clipped at the padded border) or only the cells inside. */
double divisor(const PoolP& p, i64 y0, i64 x0) {
  if (p.include_pad) {
    i64 y1 = std::min(y0 + p.kh, p.h + p.pt), x1 = std::min(x0 + p.kw, p.w + p.pl);
    return double((y1 - y0) * (x1 - x0));
  }
  i64 ys = std::max<i64>(y0, 0), ye = std::min(y0 + p.kh, p.h);
  i64 xs = std::max<i64>(x0, 0), xe = std::min(x0 + p.kw, p.w);
  return double(std::max<i64>(ye - ys, 0) * std::max<i64>(xe - xs, 0));
}

template <typename T>
void avgpool(const T* x, const PoolP& p, T* out) {
  const i64 L = p.oh * p.ow, hw = p.h * p.w;
  parallel_for(p.n * p.c, std::max<i64>(1, 8192 / (L + 1)), [&](i64 pb, i64 pe) {
    for (i64 pl = pb; pl < pe; pl++)
      for (i64 oh = 0; oh < p.oh; oh++) {
        i64 y0 = oh * p.sh - p.pt;
        for (i64 ow = 0; ow < p.ow; ow++) {
          i64 x0 = ow * p.sw - p.pl;
          double s = 0;
          for (i64 y = std::max<i64>(y0, 0); y < std::min(y0 + p.kh, p.h); y++)
            for (i64 xx = std::max<i64>(x0, 0); xx < std::min(x0 + p.kw, p.w); xx++)
              s += double(x[pl * hw + y * p.w + xx]);
          out[pl * L + oh * p.ow + ow] = from_double<T>(s / divisor(p, y0, x0));
        }
      }
  });
}

template <typename T>
void avgpool_bwd(const T* dy, const PoolP& p, T* dx) {
  const i64 L = p.oh * p.ow, hw = p.h * p.w;
  parallel_for(p.n * p.c, std::max<i64>(1, 8192 / (L + 1)), [&](i64 pb, i64 pe) {
    std::vector<double> acc(hw);
    for (i64 pl = pb; pl < pe; pl++) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (i64 oh = 0; oh < p.oh; oh++) {
        i64 y0 = oh * p.sh - p.pt;
        for (i64 ow = 0; ow < p.ow; ow++) {
          i64 x0 = ow * p.sw - p.pl;
          double g = double(dy[pl * L + oh * p.ow + ow]) / divisor(p, y0, x0);
          for (i64 y = std::max<i64>(y0, 0); y < std::min(y0 + p.kh, p.h); y++)
            for (i64 xx = std::max<i64>(x0, 0); xx < std::min(x0 + p.kw, p.w); xx++) acc[y * p.w + xx] += g;
        }
      }
      for (i64 i = 0; i < hw; i++) dx[pl * hw + i] = from_double<T>(acc[i]);
    }
  });
}

}  // namespace

void k_matmul(const void* a, const void* b, int dtype, const MatmulP& p, void* out) {
  const i64 rsa = p.ta ? 1 : p.k, csa = p.ta ? p.m : 1;
  const i64 rsb = p.tb ? 1 : p.n, csb = p.tb ? p.k : 1;
  GB_DISPATCH(dtype, T, {
    const T* as = static_cast<const T*>(a);
    const T* bs = static_cast<const T*>(b);
    T* c = static_cast<T*>(out);
    double work = double(p.m) * double(p.n) * double(p.k);
    // Many small products: one per task. One or few large ones: threads inside each GEMM.
    bool per_batch = p.batch >= 2 * pool_size() || (p.batch >= 2 && work < 128.0 * 128 * 128);
    parallel_tasks(int(per_batch ? p.batch : 1), [&](int task) {
      i64 b0 = per_batch ? task : 0, b1 = per_batch ? task + 1 : p.batch;
      for (i64 i = b0; i < b1; i++)
        gemm_t<T>(p.m, p.n, p.k, as + i * p.sa, rsa, csa, bs + i * p.sb, rsb, csb,
                  c + i * p.m * p.n, p.n, false, !per_batch);
    });
  });
}


void k_conv2d(const void* x, const void* w, int dtype, const ConvP& p, void* out) {
  GB_DISPATCH(dtype, T, conv_fwd<T>(static_cast<const T*>(x), static_cast<const T*>(w), p, static_cast<T*>(out)));
}
void k_conv2d_bwd_input(const void* dy, const void* w, int dtype, const ConvP& p, void* dx) {
  GB_DISPATCH(dtype, T, conv_bwd_input<T>(static_cast<const T*>(dy), static_cast<const T*>(w), p, static_cast<T*>(dx)));
}
void k_conv2d_bwd_weight(const void* x, const void* dy, int dtype, const ConvP& p, void* dw) {
  GB_DISPATCH(dtype, T, conv_bwd_weight<T>(static_cast<const T*>(x), static_cast<const T*>(dy), p, static_cast<T*>(dw)));
}
void k_maxpool(const void* x, int dtype, const PoolP& p, void* out, int32_t* idx) {
  GB_DISPATCH(dtype, T, maxpool<T>(static_cast<const T*>(x), p, static_cast<T*>(out), idx));
}
void k_maxpool_bwd(const void* dy, const int32_t* idx, int dtype, const PoolP& p, void* dx) {
  GB_DISPATCH(dtype, T, maxpool_bwd<T>(static_cast<const T*>(dy), idx, p, static_cast<T*>(dx)));
}
void k_avgpool(const void* x, int dtype, const PoolP& p, void* out) {
  GB_DISPATCH(dtype, T, avgpool<T>(static_cast<const T*>(x), p, static_cast<T*>(out)));
}
void k_avgpool_bwd(const void* dy, int dtype, const PoolP& p, void* dx) {
  GB_DISPATCH(dtype, T, avgpool_bwd<T>(static_cast<const T*>(dy), p, static_cast<T*>(dx)));
}

}  // namespace gb
