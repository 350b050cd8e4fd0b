// Enough of CUDA C for the host compiler to run gradbook's kernel sources on the CPU, so
// machines without a GPU execute the real kernels (native/cuda/kernels/*.cu) against the js
// reference. Not a GPU model: blocks run one after another; within a block, kernels that
// synchronise (__syncthreads, warp shuffles) run each CUDA thread as a fiber (ucontext) that
// yields at every barrier, the others run their threads in a loop. __shared__ becomes
// `static`, which is per block since blocks never overlap.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

struct gb_dim3 { unsigned x = 1, y = 1, z = 1; };
extern thread_local gb_dim3 threadIdx;
extern gb_dim3 blockIdx, blockDim, gridDim;

// A barrier between fibers: arriving fibers yield to the scheduler until all have arrived.
struct gb_emu_barrier {
  unsigned count, arrived = 0, generation = 0;
  explicit gb_emu_barrier(unsigned n) : count(n) {}
  void arrive_and_wait();
};
// Barriers of the running block (null when the kernel runs threads in a loop).
extern gb_emu_barrier* gb_emu_block_barrier;
extern gb_emu_barrier* gb_emu_warp_barriers[32];
extern unsigned long long gb_emu_warp_slots[32][32];
extern std::mutex gb_emu_atomic_mutex;

#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __shared__ static

inline void __syncthreads() {
  if (!gb_emu_block_barrier) { fprintf(stderr, "cuda_emu: __syncthreads in a kernel run without threads\n"); abort(); }
  gb_emu_block_barrier->arrive_and_wait();
}

template <typename T>
inline T __shfl_xor_sync(unsigned, T v, int laneMask) {
  unsigned lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (!gb_emu_warp_barriers[warp]) { fprintf(stderr, "cuda_emu: warp shuffle in a kernel run without threads\n"); abort(); }
  static_assert(sizeof(T) <= 8, "shuffle of more than 8 bytes");
  memcpy(&gb_emu_warp_slots[warp][lane], &v, sizeof(T));
  gb_emu_warp_barriers[warp]->arrive_and_wait();
  T r;
  memcpy(&r, &gb_emu_warp_slots[warp][lane ^ laneMask], sizeof(T));
  gb_emu_warp_barriers[warp]->arrive_and_wait();
  return r;
}

inline float __int_as_float(int v) { float f; memcpy(&f, &v, 4); return f; }
inline double __longlong_as_double(long long v) { double d; memcpy(&d, &v, 8); return d; }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }

template <typename T> inline T atomicAdd(T* p, T v) {
  std::lock_guard<std::mutex> g(gb_emu_atomic_mutex);
  T old = *p;
  *p = old + v;
  return old;
}
inline unsigned atomicOr(unsigned* p, unsigned v) {
  std::lock_guard<std::mutex> g(gb_emu_atomic_mutex);
  unsigned old = *p;
  *p = old | v;
  return old;
}
