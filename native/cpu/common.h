// Shared declarations of the native CPU backend: dtypes, buffers, the caching allocator and
// the thread pool. Everything here is plain C++; N-API appears only in addon.cc.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gb {

typedef int64_t i64;

// Must match DTYPE_CODES in lib/backends/native/index.ts.
enum DType : int { F32 = 0, F64 = 1, I32 = 2, BOOL = 3 };

inline size_t dtype_size(int dt) { return dt == F32 ? 4 : dt == F64 ? 8 : dt == I32 ? 4 : 1; }

// ---- caching allocator (alloc.cc) --------------------------------------------------------
// Buffers are 64-byte aligned. Freed buffers go to size-class free lists and are handed out
// again, which avoids page faults on the fresh outputs every kernel returns.
void* buf_alloc(size_t bytes);
void buf_free(void* p, size_t bytes);
/** Returns the cached (free but not released) memory, and malloc's free pages, to the system. */
void buf_empty_cache();
/**
 * Bytes that can still be allocated without the kernel being killed: the least of the
 * machine's MemAvailable, each configured cgroup level's limit minus its usage and the
 * configured limit (GRADBOOK_MEMORY_LIMIT) minus the resident size (SIZE_MAX if none is
 * known). `source` names the one that decided.
 */
size_t mem_available(std::string* source);
/** One limited cgroup level: the files of its limit and its usage. */
struct MemLevel { std::string limit_file, usage_file; };
/**
 * The limits mem_available reads, set by the TypeScript side when the addon loads
 * (lib/memory-limit.ts finds the process's own cgroup levels): until then, only MemAvailable.
 * `env_limit` 0 means none.
 */
void mem_configure(const std::vector<MemLevel>& levels, size_t env_limit);
struct AllocStats { size_t live_bytes, cached_bytes, peak_live_bytes, live_buffers; };
AllocStats buf_stats();

// ---- thread pool (pool.cc) ---------------------------------------------------------------
/** Number of threads (the calling thread included) kernels may use. */
int pool_size();
void pool_set_size(int n);
/**
 * Runs fn(task) for task in [0, ntasks) on the pool; the caller takes part. ntasks <= 1 or a
 * nested call runs inline, so kernels can call each other freely.
 */
void parallel_tasks(int ntasks, const std::function<void(int)>& fn);
/** Splits [0, n) into one contiguous chunk per thread when n >= grain*2, else runs inline. */
void parallel_for(i64 n, i64 grain, const std::function<void(i64, i64)>& fn);

// ---- GEMM (gemm.cc) ---------------------------------------------------------------------
// C[m,n] (row-major, leading dimension ldc) = (accumulate ? C : 0) + A·B where element (i,k)
// of A is a[i*rsa + k*csa] and (k,j) of B is b[k*rsb + j*csb]: transposes are just strides.
void sgemm(i64 m, i64 n, i64 k, const float* a, i64 rsa, i64 csa, const float* b, i64 rsb,
           i64 csb, float* c, i64 ldc, bool accumulate, bool allow_threads);
void dgemm(i64 m, i64 n, i64 k, const double* a, i64 rsa, i64 csa, const double* b, i64 rsb,
           i64 csb, double* c, i64 ldc, bool accumulate);
void igemm(i64 m, i64 n, i64 k, const int32_t* a, i64 rsa, i64 csa, const int32_t* b, i64 rsb,
           i64 csb, int32_t* c, i64 ldc, bool accumulate);
/** Which SGEMM micro-kernel the CPU selected at load time: "avx512", "avx2" or "generic". */
const char* sgemm_kernel_name();
void sgemm_force_kernel(const char* name);

}  // namespace gb
