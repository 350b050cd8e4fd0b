// The fused optimizer update (Backend.optimizerStep in lib/backend.ts): one pass over the
// parameter, its gradient and its state, in place, instead of the dozen elementwise kernels
// (each a pass over memory and a fresh output) that the composed update costs.
//
// Each kind is one loop over contiguous arrays, computed in the storage's type (as the other
// float32 kernels are), with the operations in the order lib/backend.ts documents, so float64
// agrees with the js reference to the last bit. The loops are compiled for AVX-512, AVX2 and
// the baseline (target_clones) and split across the thread pool in contiguous chunks.
#include "kernels.h"

namespace gb {
namespace {

// Flags and scalars as packOptimizerStep (lib/backend.ts) writes them.
enum { F_NESTEROV = 1, F_FIRST = 2, F_MOMENTUM = 4, F_AMSGRAD = 8, F_CENTERED = 16 };
enum { K_SGD, K_ADAM, K_RMSPROP, K_ADAGRAD };

template <typename T>
struct Scalars {
  T nlr, wd, decay, c1, c2, c3, eps;
  int flags;
  explicit Scalars(const double* h)
      : nlr(T(-h[0])), wd(T(h[1])), decay(T(h[2])), c1(T(h[3])), c2(T(h[4])), c3(T(h[5])),
        eps(T(h[6])), flags(int(h[7])) {}
};

// sqrt in the storage type (__builtin_sqrt alone would take a float through double).
inline float root(float x) { return __builtin_sqrtf(x); }
inline double root(double x) { return __builtin_sqrt(x); }

// The loop bodies, inlined into each clone below. Branches on flags are loop-invariant; GCC
// unswitches them, so every variant vectorises.
template <typename T>
__attribute__((always_inline)) inline void sgd(T* __restrict__ p, const T* __restrict__ grad,
                                               T* __restrict__ v, i64 n, const Scalars<T>& s) {
  const bool wd = s.wd != T(0);
  if (!(s.flags & F_MOMENTUM)) {
    for (i64 i = 0; i < n; i++) {
      T g = wd ? grad[i] + p[i] * s.wd : grad[i];
      p[i] = p[i] + g * s.nlr;
    }
    return;
  }
  const bool first = s.flags & F_FIRST, nesterov = s.flags & F_NESTEROV;
  for (i64 i = 0; i < n; i++) {
    T g = wd ? grad[i] + p[i] * s.wd : grad[i];
    T vi = first ? g : v[i] * s.c1 + g * s.c2;
    v[i] = vi;
    T d = nesterov ? g + vi * s.c1 : vi;
    p[i] = p[i] + d * s.nlr;
  }
}

template <typename T>
__attribute__((always_inline)) inline void adam(T* __restrict__ p, const T* __restrict__ grad,
                                                T* __restrict__ m, T* __restrict__ v,
                                                T* __restrict__ vmax, i64 n, const Scalars<T>& s) {
  const bool wd = s.wd != T(0), decay = s.decay != T(1);
  if (!(s.flags & F_AMSGRAD)) {
    for (i64 i = 0; i < n; i++) {
      T w = decay ? p[i] * s.decay : p[i];
      T g = wd ? grad[i] + w * s.wd : grad[i];
      T mi = m[i] + (g - m[i]) * s.c1;
      T vi = v[i] + (g * g - v[i]) * s.c2;
      m[i] = mi;
      v[i] = vi;
      p[i] = w + (mi / (root(vi) + s.eps)) * s.nlr;
    }
    return;
  }
  for (i64 i = 0; i < n; i++) {
    T w = decay ? p[i] * s.decay : p[i];
    T g = wd ? grad[i] + w * s.wd : grad[i];
    T mi = m[i] + (g - m[i]) * s.c1;
    T vi = v[i] + (g * g - v[i]) * s.c2;
    T a = vmax[i];
    T vh = (a != a || vi != vi) ? a + vi : (a > vi ? a : vi);  // maximum: NaN propagates
    m[i] = mi;
    v[i] = vi;
    vmax[i] = vh;
    p[i] = w + (mi / (root(vh) + s.eps)) * s.nlr;
  }
}

template <typename T>
__attribute__((always_inline)) inline void rmsprop(T* __restrict__ p, const T* __restrict__ grad,
                                                   T* __restrict__ sq, T* __restrict__ gavg,
                                                   T* __restrict__ buf, i64 n, const Scalars<T>& s) {
  const bool wd = s.wd != T(0), centered = s.flags & F_CENTERED, mom = s.flags & F_MOMENTUM;
  for (i64 i = 0; i < n; i++) {
    T g = wd ? grad[i] + p[i] * s.wd : grad[i];
    T si = sq[i] * s.c1 + g * g * s.c2;
    sq[i] = si;
    T d;
    if (centered) {
      T ga = gavg[i] * s.c1 + g * s.c2;
      gavg[i] = ga;
      d = root(si - ga * ga) + s.eps;
    } else {
      d = root(si) + s.eps;
    }
    if (mom) {
      T b = buf[i] * s.c3 + g / d;
      buf[i] = b;
      p[i] = p[i] + b * s.nlr;
    } else {
      p[i] = p[i] + (g / d) * s.nlr;
    }
  }
}

template <typename T>
__attribute__((always_inline)) inline void adagrad(T* __restrict__ p, const T* __restrict__ grad,
                                                   T* __restrict__ sum, i64 n, const Scalars<T>& s) {
  const bool wd = s.wd != T(0);
  for (i64 i = 0; i < n; i++) {
    T g = wd ? grad[i] + p[i] * s.wd : grad[i];
    T G = sum[i] + g * g;
    sum[i] = G;
    p[i] = p[i] + (g / (root(G) + s.eps)) * s.nlr;
  }
}

// One clone set per dtype: the kind switch is outside the loops.
#define GB_OPTIM_RANGE(T, NAME)                                                                   \
  GB_CLONES void NAME(int kind, T* p, const T* g, T* s0, T* s1, T* s2, i64 n, const Scalars<T>& s) { \
    switch (kind) {                                                                               \
      case K_SGD: sgd<T>(p, g, s0, n, s); break;                                                  \
      case K_ADAM: adam<T>(p, g, s0, s1, s2, n, s); break;                                        \
      case K_RMSPROP: rmsprop<T>(p, g, s0, s1, s2, n, s); break;                                  \
      default: adagrad<T>(p, g, s0, n, s); break;                                                 \
    }                                                                                             \
  }
GB_OPTIM_RANGE(float, optim_f32)
GB_OPTIM_RANGE(double, optim_f64)
#undef GB_OPTIM_RANGE

template <typename T>
void run(void (*range)(int, T*, const T*, T*, T*, T*, i64, const Scalars<T>&), int kind, void* p,
         const void* g, void* const* st, i64 n, const double* h) {
  const Scalars<T> s(h);
  T* P = static_cast<T*>(p);
  const T* G = static_cast<const T*>(g);
  T* S[3];
  for (int k = 0; k < 3; k++) S[k] = static_cast<T*>(st[k]);
  auto chunk = [&](i64 b, i64 e) {
    auto at = [&](T* x) { return x ? x + b : nullptr; };
    range(kind, P + b, G + b, at(S[0]), at(S[1]), at(S[2]), e - b, s);
  };
  if (n < 2 * PAR_GRAIN || pool_size() <= 1) chunk(0, n);
  else parallel_for(n, PAR_GRAIN, chunk);
}

}  // namespace

void k_optimizer_step(int kind, void* p, const void* grad, void* const* state, int dtype, i64 n,
                      const double* h) {
  if (dtype == F64) run<double>(optim_f64, kind, p, grad, state, n, h);
  else run<float>(optim_f32, kind, p, grad, state, n, h);
}

}  // namespace gb
