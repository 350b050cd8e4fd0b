// SGEMM: the Goto/BLIS scheme. B is packed into KC x NC blocks of NR-wide column panels, A
// into MC x KC blocks of MR-high row panels, and a register-blocked micro-kernel multiplies
// one A panel by one B panel. Packing reads the operands through (row, column) strides, so
// transposed products cost the same as plain ones; for narrow products the AVX-512 kernel
// reads A where it lies and skips packing it. The micro-kernel is chosen once at load
// time from what the CPU supports (AVX-512, AVX2+FMA, or portable C++); each variant is
// compiled for its instruction set with a per-function target attribute, so the addon runs
// on any x86-64 machine, not only on the one that built it.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "common.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define GB_X86 1
#endif

namespace gb {
namespace {

struct Kernel {
  const char* name;
  int mr, nr;
  // c[mr x nr] (leading dimension ldc) = (acc ? c : 0) + a_panel · b_panel over kc steps.
  void (*ukr)(i64 kc, const float* a, const float* b, float* c, i64 ldc, bool acc);
  // Same product with A read in place (element (i, p) at a[i*rsa + p*csa]) instead of from a
  // packed panel; null where the kernel has no such variant.
  void (*ukr_direct)(i64 kc, const float* a, i64 rsa, i64 csa, const float* b, float* c, i64 ldc, bool acc);
};

// ---- portable micro-kernel ------------------------------------------------------------------
const int G_MR = 4, G_NR = 16;
void ukr_generic(i64 kc, const float* a, const float* b, float* c, i64 ldc, bool acc) {
  float t[G_MR][G_NR] = {};
  for (i64 p = 0; p < kc; p++) {
    for (int i = 0; i < G_MR; i++) {
      float ai = a[p * G_MR + i];
      for (int j = 0; j < G_NR; j++) t[i][j] += ai * b[p * G_NR + j];
    }
  }
  for (int i = 0; i < G_MR; i++)
    for (int j = 0; j < G_NR; j++) c[i * ldc + j] = (acc ? c[i * ldc + j] : 0.f) + t[i][j];
}

#ifdef GB_X86
// ---- AVX2 + FMA: 6 x 16 (12 accumulators) -------------------------------------------------
__attribute__((target("avx2,fma")))
void ukr_avx2(i64 kc, const float* a, const float* b, float* c, i64 ldc, bool acc) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (i64 p = 0; p < kc; p++) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    __m256 x;
    x = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);
    a += 6;
    b += 16;
  }
  __m256 r[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  for (int i = 0; i < 6; i++) {
    float* ci = c + i * ldc;
    if (acc) {
      r[i][0] = _mm256_add_ps(r[i][0], _mm256_loadu_ps(ci));
      r[i][1] = _mm256_add_ps(r[i][1], _mm256_loadu_ps(ci + 8));
    }
    _mm256_storeu_ps(ci, r[i][0]);
    _mm256_storeu_ps(ci + 8, r[i][1]);
  }
}

// ---- AVX-512: 12 x 32 (24 accumulators) ---------------------------------------------------
#define GB_ROW(i)                                        \
  x = _mm512_set1_ps(MODE == 1 ? a[(i) * rsa] : a[i]);   \
  c##i##0 = _mm512_fmadd_ps(x, b0, c##i##0);             \
  c##i##1 = _mm512_fmadd_ps(x, b1, c##i##1);
// A is read by broadcasts, one scalar per row and step, so reading it where it lies (through
// its strides) costs the same as from a packed panel; that skips packing A, which for a
// row-major A is a scalar transpose that took a fifth of a 128 x 784 · 784 x 256 product.
// MODE 0: packed panel; 1: row-major A (rows rsa apart, steps adjacent); 2: transposed A
// (rows adjacent, steps csa apart). Separate instances keep the unit strides constants.
template <int MODE>
__attribute__((target("avx512f,fma"), always_inline)) inline
void ukr_avx512_body(i64 kc, const float* a, i64 rsa, i64 csa, const float* b, float* c, i64 ldc, bool acc) {
  __m512 z = _mm512_setzero_ps();
  __m512 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z,
         c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z, c80 = z, c81 = z, c90 = z, c91 = z,
         cA0 = z, cA1 = z, cB0 = z, cB1 = z;
  for (i64 p = 0; p < kc; p++) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
    __m512 x;
    _mm_prefetch((const char*)(b + 256), _MM_HINT_T0);
    GB_ROW(0) GB_ROW(1) GB_ROW(2) GB_ROW(3) GB_ROW(4) GB_ROW(5)
    x = _mm512_set1_ps(MODE == 1 ? a[10 * rsa] : a[10]); cA0 = _mm512_fmadd_ps(x, b0, cA0); cA1 = _mm512_fmadd_ps(x, b1, cA1);
    x = _mm512_set1_ps(MODE == 1 ? a[11 * rsa] : a[11]); cB0 = _mm512_fmadd_ps(x, b0, cB0); cB1 = _mm512_fmadd_ps(x, b1, cB1);
    GB_ROW(6) GB_ROW(7) GB_ROW(8) GB_ROW(9)
    a += MODE == 0 ? 12 : MODE == 1 ? 1 : csa;
    b += 32;
  }
  __m512 r[12][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51},
                     {c60, c61}, {c70, c71}, {c80, c81}, {c90, c91}, {cA0, cA1}, {cB0, cB1}};
  for (int i = 0; i < 12; i++) {
    float* ci = c + i * ldc;
    if (acc) {
      r[i][0] = _mm512_add_ps(r[i][0], _mm512_loadu_ps(ci));
      r[i][1] = _mm512_add_ps(r[i][1], _mm512_loadu_ps(ci + 16));
    }
    _mm512_storeu_ps(ci, r[i][0]);
    _mm512_storeu_ps(ci + 16, r[i][1]);
  }
}
#undef GB_ROW
__attribute__((target("avx512f,fma")))
void ukr_avx512(i64 kc, const float* a, const float* b, float* c, i64 ldc, bool acc) {
  ukr_avx512_body<0>(kc, a, 1, 12, b, c, ldc, acc);
}
__attribute__((target("avx512f,fma")))
void ukr_avx512_direct(i64 kc, const float* a, i64 rsa, i64 csa, const float* b, float* c, i64 ldc, bool acc) {
  if (csa == 1) ukr_avx512_body<1>(kc, a, rsa, 1, b, c, ldc, acc);
  else ukr_avx512_body<2>(kc, a, 1, csa, b, c, ldc, acc);
}
#endif

Kernel pick_kernel() {
#ifdef GB_X86
  __builtin_cpu_init();
  const char* force = std::getenv("GRADBOOK_SGEMM_KERNEL");
  std::string f = force ? force : "";
  if ((f.empty() || f == "avx512") && __builtin_cpu_supports("avx512f"))
    return Kernel{"avx512", 12, 32, ukr_avx512, ukr_avx512_direct};
  if ((f.empty() || f == "avx512" || f == "avx2") && __builtin_cpu_supports("avx2") &&
      __builtin_cpu_supports("fma"))
    return Kernel{"avx2", 6, 16, ukr_avx2, nullptr};
#endif
  return Kernel{"generic", G_MR, G_NR, ukr_generic, nullptr};
}

Kernel K = pick_kernel();

// For short products (m below the AVX-512 tile height) most of a 12-row tile would be padding:
// the 6 x 16 AVX2 kernel wastes far less, and on CPUs that split 512-bit FMAs in two (AMD
// Zen 4) it has the same peak.
Kernel pick_small() {
#ifdef GB_X86
  if (std::string(K.name) == "avx512" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return Kernel{"avx2", 6, 16, ukr_avx2, nullptr};
#endif
  return K;
}
Kernel K_SMALL = pick_small();

// Cache blocking. KC x NR of B stays in L1 across an A block; MC x KC of A stays in L2.
const i64 KC = 384, MC_ROWS = 240, NC = 3072;

struct AlignedBuf {
  float* p = nullptr;
  size_t n = 0;
  float* get(size_t need) {
    if (need > n) {
      std::free(p);
      n = need;
      p = static_cast<float*>(std::aligned_alloc(64, (need * 4 + 63) & ~size_t(63)));
    }
    return p;
  }
  ~AlignedBuf() { std::free(p); }
};
thread_local AlignedBuf packA, packB;

// Packs rows [0, mc) x cols [0, kc) of A into MR-high panels, zero padding the last one.
void pack_a(i64 mc, i64 kc, const float* a, i64 rsa, i64 csa, float* dst, int mr) {
  for (i64 i0 = 0; i0 < mc; i0 += mr) {
    int rows = int(std::min<i64>(mr, mc - i0));
    const float* src = a + i0 * rsa;
    if (csa == 1 && rows == mr) {
      // Row-major A: read each row 16 elements (one cache line) at a time; walking all rows
      // per element would thrash L1 when the row length is a power of two.
      for (i64 p0 = 0; p0 < kc; p0 += 16) {
        i64 p1 = std::min(kc, p0 + 16);
        for (int i = 0; i < mr; i++) {
          const float* r = src + i * rsa;
          for (i64 p = p0; p < p1; p++) dst[p * mr + i] = r[p];
        }
      }
    } else if (rsa == 1 && rows == mr) {
      for (i64 p = 0; p < kc; p++) std::memcpy(dst + p * mr, src + p * csa, sizeof(float) * mr);
    } else {
      for (i64 p = 0; p < kc; p++)
        for (int i = 0; i < mr; i++) dst[p * mr + i] = i < rows ? src[i * rsa + p * csa] : 0.f;
    }
    dst += kc * mr;
  }
}

// Packs rows [0, kc) x cols [0, nc) of B into NR-wide panels, zero padding the last one.
void pack_b(i64 kc, i64 nc, const float* b, i64 rsb, i64 csb, float* dst, int nr) {
  for (i64 j0 = 0; j0 < nc; j0 += nr) {
    int cols = int(std::min<i64>(nr, nc - j0));
    const float* src = b + j0 * csb;
    if (csb == 1 && cols == nr) {
      for (i64 p = 0; p < kc; p++) std::memcpy(dst + p * nr, src + p * rsb, sizeof(float) * nr);
    } else if (rsb == 1 && cols == nr) {
      // Transposed B: the same cache-line blocking as for A.
      for (i64 p0 = 0; p0 < kc; p0 += 16) {
        i64 p1 = std::min(kc, p0 + 16);
        for (int j = 0; j < nr; j++) {
          const float* r = src + j * csb;
          for (i64 p = p0; p < p1; p++) dst[p * nr + j] = r[p];
        }
      }
    } else {
      for (i64 p = 0; p < kc; p++)
        for (int j = 0; j < nr; j++) dst[p * nr + j] = j < cols ? src[j * csb + p * rsb] : 0.f;
    }
    dst += kc * nr;
  }
}

void sgemm_single(const Kernel& K, i64 m, i64 n, i64 k, const float* a, i64 rsa, i64 csa,
                  const float* b, i64 rsb, i64 csb, float* c, i64 ldc, bool accumulate) {
  const int mr = K.mr, nr = K.nr;
  if (k == 0) {
    if (!accumulate)
      for (i64 i = 0; i < m; i++) std::memset(c + i * ldc, 0, sizeof(float) * n);
    return;
  }
  const i64 mc_max = (MC_ROWS / mr) * mr;
  float* pb = packB.get(size_t(KC) * ((std::min(NC, n) + nr - 1) / nr * nr));
  float* pa = packA.get(size_t(KC) * ((std::min(mc_max, m) + mr - 1) / mr * mr));
  alignas(64) float tmp[12 * 32];
  for (i64 jc = 0; jc < n; jc += NC) {
    i64 nc = std::min(NC, n - jc);
    for (i64 pc = 0; pc < k; pc += KC) {
      i64 kc = std::min(KC, k - pc);
      bool acc = accumulate || pc > 0;
      pack_b(kc, nc, b + pc * rsb + jc * csb, rsb, csb, pb, nr);
      for (i64 ic = 0; ic < m; ic += mc_max) {
        i64 mc = std::min(mc_max, m - ic);
        // A row-major or transposed A is read in place; only a last, partial panel is packed
        // (zero padded). Only for narrow C, where a packed panel would be reused by few B
        // panels, and not for a leading dimension that is a multiple of 2 KiB, whose 12 rows
        // (or k steps) would share a few L1 sets.
        const i64 lda = csa == 1 ? rsa : csa;
        const bool direct = K.ukr_direct != nullptr && (csa == 1 || rsa == 1) && nc <= 512 && lda % 512 != 0;
        const i64 full = direct ? mc / mr * mr : 0;
        if (full < mc) pack_a(mc - full, kc, a + (ic + full) * rsa + pc * csa, rsa, csa, pa + full * kc, mr);
        for (i64 jr = 0; jr < nc; jr += nr) {
          int cols = int(std::min<i64>(nr, nc - jr));
          const float* bp = pb + jr * kc;
          for (i64 ir = 0; ir < mc; ir += mr) {
            int rows = int(std::min<i64>(mr, mc - ir));
            float* cp = c + (ic + ir) * ldc + jc + jr;
            const float* ap = pa + ir * kc;
            const float* ad = a + (ic + ir) * rsa + pc * csa;  // the tile's A, read in place
            const bool in_place = ir < full;
            if (rows == mr && cols == nr) {
              if (in_place) K.ukr_direct(kc, ad, rsa, csa, bp, cp, ldc, acc);
              else K.ukr(kc, ap, bp, cp, ldc, acc);
            } else {
              // Edge tile: compute a full tile into a scratch block, copy the valid part.
              if (in_place) K.ukr_direct(kc, ad, rsa, csa, bp, tmp, nr, false);
              else K.ukr(kc, ap, bp, tmp, nr, false);
              for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                  cp[i * ldc + j] = (acc ? cp[i * ldc + j] : 0.f) + tmp[i * nr + j];
            }
          }
        }
      }
    }
  }
}

template <typename T>
void gemm_simple(i64 m, i64 n, i64 k, const T* a, i64 rsa, i64 csa, const T* b, i64 rsb, i64 csb,
                 T* c, i64 ldc, bool accumulate) {
  // Row of C += a(i,p) * row p of B: contiguous inner loop when B is row-major.
  std::vector<T> row(n);
  for (i64 i = 0; i < m; i++) {
    std::fill(row.begin(), row.end(), T(0));
    for (i64 p = 0; p < k; p++) {
      T ai = a[i * rsa + p * csa];
      const T* bp = b + p * rsb;
      if (csb == 1)
        for (i64 j = 0; j < n; j++) row[j] += ai * bp[j];
      else
        for (i64 j = 0; j < n; j++) row[j] += ai * bp[j * csb];
    }
    T* ci = c + i * ldc;
    for (i64 j = 0; j < n; j++) ci[j] = (accumulate ? ci[j] : T(0)) + row[j];
  }
}

}  // namespace

const char* sgemm_kernel_name() { return K.name; }

void sgemm_force_kernel(const char* name) {
  setenv("GRADBOOK_SGEMM_KERNEL", name, 1);
  K = pick_kernel();
  K_SMALL = pick_small();
}

void sgemm(i64 m, i64 n, i64 k, const float* a, i64 rsa, i64 csa, const float* b, i64 rsb,
           i64 csb, float* c, i64 ldc, bool accumulate, bool allow_threads) {
  if (m <= 0 || n <= 0) return;
  const Kernel& ker = m < K.mr ? K_SMALL : K;
  int threads = allow_threads ? pool_size() : 1;
  double work = double(m) * double(n) * double(k);
  if (threads <= 1 || work < 100.0 * 100 * 100) {
    sgemm_single(ker, m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, accumulate);
    return;
  }
  // Split C into one slab per thread along its longer side (in whole micro-tiles); each
  // thread packs its own operands, which costs 1/(slab size) of the arithmetic.
  bool split_m = m >= n;
  i64 len = split_m ? m : n, unit = split_m ? ker.mr : ker.nr;
  i64 units = (len + unit - 1) / unit;
  // Large products are cut into a few slabs per thread, handed out dynamically, so that a
  // thread preempted by another process delays one small slab rather than half the work.
  int per_thread = work >= 512.0 * 512 * 512 ? 4 : 1;
  int parts = int(std::min<i64>(threads * per_thread, units));
  parallel_tasks(parts, [&](int t) {
    i64 b0 = units * t / parts * unit, b1 = std::min(len, units * (t + 1) / parts * unit);
    if (b0 >= b1) return;
    if (split_m)
      sgemm_single(ker, b1 - b0, n, k, a + b0 * rsa, rsa, csa, b, rsb, csb, c + b0 * ldc, ldc, accumulate);
    else
      sgemm_single(ker, m, b1 - b0, k, a, rsa, csa, b + b0 * csb, rsb, csb, c + b0, ldc, accumulate);
  });
}

void dgemm(i64 m, i64 n, i64 k, const double* a, i64 rsa, i64 csa, const double* b, i64 rsb,
           i64 csb, double* c, i64 ldc, bool accumulate) {
  gemm_simple<double>(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, accumulate);
}

void igemm(i64 m, i64 n, i64 k, const int32_t* a, i64 rsa, i64 csa, const int32_t* b, i64 rsb,
           i64 csb, int32_t* c, i64 ldc, bool accumulate) {
  gemm_simple<int32_t>(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, accumulate);
}

}  // namespace gb
