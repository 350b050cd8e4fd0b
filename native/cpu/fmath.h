// Vectorisable float32 math shared by the elementwise and softmax kernels.
#pragma once
#include <cstdint>

namespace gb {

// ---- float32 math ---------------------------------------------------------------------
// exp with a Cephes-style reduction and polynomial (about 1 ulp), written so that it
// vectorises: no branches, the 2^n scaling done on the exponent bits in two halves so that
// results down to the subnormal range stay exact.
static inline float pow2i(int n) {
  union { int32_t i; float f; } u;
  u.i = (n + 127) << 23;
  return u.f;
}

static inline float exp_f(float x) {
  float xc = x < -104.f ? -104.f : (x > 88.7228394f ? 88.7228394f : x);
  float n = __builtin_floorf(xc * 1.44269504088896341f + 0.5f);
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  p = p * r * r + r + 1.0f;
  int ni = int(n);
  int n1 = ni >> 1;
  float y = p * pow2i(n1) * pow2i(ni - n1);
  y = x > 88.7228394f ? __builtin_inff() : y;
  return x != x ? x : y;
}

static inline float tanh_f(float x) {
  float ax = x < 0 ? -x : x;
  // Small |x|: odd polynomial (Cephes tanhf), exact to a few ulp where 1 - 2/(e^2x+1) cancels.
  float z = x * x;
  float p = -5.70498872745E-3f;
  p = p * z + 2.06390887954E-2f;
  p = p * z - 5.37397155531E-2f;
  p = p * z + 1.33314422036E-1f;
  p = p * z - 3.33332819422E-1f;
  float small = p * z * x + x;
  float e = exp_f(2.f * (ax > 44.f ? 44.f : ax));
  float big = 1.f - 2.f / (e + 1.f);
  big = x < 0 ? -big : big;
  float y = ax < 0.625f ? small : big;
  return x != x ? x : y;
}

static inline float sigmoid_f(float x) { return 1.f / (1.f + exp_f(-x)); }

}  // namespace gb
