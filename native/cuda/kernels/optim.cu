// The fused optimizer update (Backend.optimizerStep in lib/backend.ts): one thread per element,
// in place, over contiguous parameter, gradient and state buffers. The same arithmetic in the
// same order as native/cpu/optim.cc and the js reference, in the storage's type (float32 stays
// in float). Kernel names: optim_<kind>_<type>; every kind takes the same parameters, the
// scalars that packOptimizerStep computes: lr, wd, decay, c1, c2, c3, eps, flags.
#include "common.cuh"

#define GB_F_NESTEROV 1
#define GB_F_FIRST 2
#define GB_F_MOMENTUM 4
#define GB_F_AMSGRAD 8
#define GB_F_CENTERED 16

#define GB_OPTIM_PARAMS(T) \
  T* __restrict__ p, const T* __restrict__ grad, T* __restrict__ s0, T* __restrict__ s1, T* __restrict__ s2, \
  double lr_, double wd_, double decay_, double c1_, double c2_, double c3_, double eps_, int flags, i64 n

// The scalars in the compute type, and the gradient with coupled weight decay.
#define GB_OPTIM_SCALARS(T) \
  const T nlr = (T)(-lr_), wd = (T)wd_, decay = (T)decay_, c1 = (T)c1_, c2 = (T)c2_, c3 = (T)c3_, eps = (T)eps_; \
  (void)decay; (void)c1; (void)c2; (void)c3; (void)eps;
#define GB_OPTIM_GRAD(i, w) (wd != (T)0 ? grad[i] + (w) * wd : grad[i])

template <typename T>
__device__ __forceinline__ void gb_sgd(GB_OPTIM_PARAMS(T)) {
  GB_OPTIM_SCALARS(T)
  const bool mom = flags & GB_F_MOMENTUM, first = flags & GB_F_FIRST, nesterov = flags & GB_F_NESTEROV;
  GB_GRID_LOOP(i, n) {
    T g = GB_OPTIM_GRAD(i, p[i]);
    T d = g;
    if (mom) {
      T v = first ? g : s0[i] * c1 + g * c2;
      s0[i] = v;
      d = nesterov ? g + v * c1 : v;
    }
    p[i] = p[i] + d * nlr;
  }
}

template <typename T>
__device__ __forceinline__ void gb_adam(GB_OPTIM_PARAMS(T)) {
  GB_OPTIM_SCALARS(T)
  const bool amsgrad = flags & GB_F_AMSGRAD;
  GB_GRID_LOOP(i, n) {
    T w = decay != (T)1 ? p[i] * decay : p[i];
    T g = GB_OPTIM_GRAD(i, w);
    T m = s0[i] + (g - s0[i]) * c1;
    T v = s1[i] + (g * g - s1[i]) * c2;
    s0[i] = m;
    s1[i] = v;
    T vh = v;
    if (amsgrad) {
      T a = s2[i];
      vh = (a != a || v != v) ? a + v : (a > v ? a : v);  // maximum: NaN propagates
      s2[i] = vh;
    }
    p[i] = w + (m / (gb_sqrt(vh) + eps)) * nlr;
  }
}

template <typename T>
__device__ __forceinline__ void gb_rmsprop(GB_OPTIM_PARAMS(T)) {
  GB_OPTIM_SCALARS(T)
  const bool centered = flags & GB_F_CENTERED, mom = flags & GB_F_MOMENTUM;
  GB_GRID_LOOP(i, n) {
    T g = GB_OPTIM_GRAD(i, p[i]);
    T sq = s0[i] * c1 + g * g * c2;
    s0[i] = sq;
    T d;
    if (centered) {
      T ga = s1[i] * c1 + g * c2;
      s1[i] = ga;
      d = gb_sqrt(sq - ga * ga) + eps;
    } else {
      d = gb_sqrt(sq) + eps;
    }
    if (mom) {
      T b = s2[i] * c3 + g / d;
      s2[i] = b;
      p[i] = p[i] + b * nlr;
    } else {
      p[i] = p[i] + (g / d) * nlr;
    }
  }
}

template <typename T>
__device__ __forceinline__ void gb_adagrad(GB_OPTIM_PARAMS(T)) {
  GB_OPTIM_SCALARS(T)
  GB_GRID_LOOP(i, n) {
    T g = GB_OPTIM_GRAD(i, p[i]);
    T G = s0[i] + g * g;
    s0[i] = G;
    p[i] = p[i] + (g / (gb_sqrt(G) + eps)) * nlr;
  }
}

#define GB_OPTIM_KERNEL(KIND, T, S) \
  extern "C" __global__ void optim_##KIND##_##S(GB_OPTIM_PARAMS(T)) { \
    gb_##KIND<T>(p, grad, s0, s1, s2, lr_, wd_, decay_, c1_, c2_, c3_, eps_, flags, n); \
  }
#define GB_OPTIM_KINDS(T, S) GB_OPTIM_KERNEL(sgd, T, S) GB_OPTIM_KERNEL(adam, T, S) \
  GB_OPTIM_KERNEL(rmsprop, T, S) GB_OPTIM_KERNEL(adagrad, T, S)
GB_FOR_FLOATS(GB_OPTIM_KINDS)
