// Standalone SGEMM micro-benchmark and self-check, independent of Node:
//   g++ -O3 -std=c++17 -pthread native/cpu/bench_gemm.cc native/cpu/gemm.cc \
//       native/cpu/pool.cc native/cpu/alloc.cc -o /tmp/bench_gemm && /tmp/bench_gemm
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include "common.h"

using namespace gb;

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

static double check(i64 m, i64 n, i64 k, bool ta, bool tb) {
  std::vector<float> a(m * k), b(k * n), c(m * n);
  for (auto& v : a) v = float(rand()) / RAND_MAX - 0.5f;
  for (auto& v : b) v = float(rand()) / RAND_MAX - 0.5f;
  i64 rsa = ta ? 1 : k, csa = ta ? m : 1, rsb = tb ? 1 : n, csb = tb ? k : 1;
  sgemm(m, n, k, a.data(), rsa, csa, b.data(), rsb, csb, c.data(), n, false, true);
  double err = 0;
  for (i64 i = 0; i < m; i++)
    for (i64 j = 0; j < n; j++) {
      double s = 0;
      for (i64 p = 0; p < k; p++) s += double(a[i * rsa + p * csa]) * b[p * rsb + j * csb];
      err = std::max(err, std::fabs(s - c[i * n + j]));
    }
  return err;
}

static void bench(i64 m, i64 n, i64 k, bool ta, bool tb) {
  std::vector<float> a(m * k, 0.5f), b(k * n, 0.25f), c(m * n);
  i64 rsa = ta ? 1 : k, csa = ta ? m : 1, rsb = tb ? 1 : n, csb = tb ? k : 1;
  int reps = 0;
  double t0 = now(), best = 1e9;
  while (now() - t0 < 1.0 || reps < 3) {
    double s = now();
    sgemm(m, n, k, a.data(), rsa, csa, b.data(), rsb, csb, c.data(), n, false, true);
    best = std::min(best, now() - s);
    reps++;
  }
  printf("sgemm %s %5lld x %5lld x %5lld %s%s: %7.1f GFLOP/s\n", sgemm_kernel_name(), (long long)m,
         (long long)n, (long long)k, ta ? "T" : "N", tb ? "T" : "N", 2.0 * m * n * k / best / 1e9);
}

int main(int argc, char** argv) {
  if (argc > 1) sgemm_force_kernel(argv[1]);
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      double e = check(37, 53, 301, ta, tb);
      printf("check 37x53x301 %d%d max err %.2e\n", ta, tb, e);
      if (e > 1e-3) return 1;
    }
  bench(256, 256, 256, false, false);
  bench(1024, 1024, 1024, false, false);
  bench(2048, 2048, 2048, false, false);
  bench(128, 256, 784, false, false);
  bench(784, 256, 128, true, false);
  bench(128, 784, 256, false, true);
  // The other products of W3's step (an MLP 784-256-128-10 at batch 128).
  bench(128, 128, 256, false, false);
  bench(256, 128, 128, true, false);
  bench(128, 256, 128, false, true);
  bench(128, 10, 128, false, false);
  bench(128, 10, 128, true, false);
  bench(128, 128, 10, false, true);
  return 0;
}
