// Batched row-major GEMM, C[b] = op(A[b]) @ op(B[b]), with 16x16 shared-memory tiles. Used
// for int32 and wherever cuBLAS is missing; float32/float64 normally go to cuBLAS.
// gemm_<type>(C, A, B, m, n, k, transA, transB, lda, ldb, ldc, strideA, strideB, strideC):
// leading dimensions as in row-major BLAS; grid (ceil(n/16), ceil(m/16), batch), block (16, 16).
#include "common.cuh"

#define GB_TILE 16

template <typename T>
__device__ void gemm_tiled(T* c, const T* a, const T* b, i64 m, i64 n, i64 k, int transA, int transB,
                           i64 lda, i64 ldb, i64 ldc, i64 strideA, i64 strideB, i64 strideC) {
  typedef typename Compute<T>::type C;
  __shared__ C ta[GB_TILE][GB_TILE + 1];
  __shared__ C tb[GB_TILE][GB_TILE + 1];
  i64 bz = blockIdx.z;
  a += bz * strideA; b += bz * strideB; c += bz * strideC;
  i64 row = (i64)blockIdx.y * GB_TILE + threadIdx.y, col = (i64)blockIdx.x * GB_TILE + threadIdx.x;
  C acc = 0;
  for (i64 t = 0; t < k; t += GB_TILE) {
    i64 ak = t + threadIdx.x, bk = t + threadIdx.y;
    // A is [m, k] ([k, m] when transposed); B is [k, n] ([n, k] when transposed).
    ta[threadIdx.y][threadIdx.x] = (row < m && ak < k) ? (C)(transA ? a[ak * lda + row] : a[row * lda + ak]) : (C)0;
    tb[threadIdx.y][threadIdx.x] = (bk < k && col < n) ? (C)(transB ? b[col * ldb + bk] : b[bk * ldb + col]) : (C)0;
    __syncthreads();
    for (int q = 0; q < GB_TILE; q++) acc += ta[threadIdx.y][q] * tb[q][threadIdx.x];
    __syncthreads();
  }
  if (row < m && col < n) c[row * ldc + col] = gb_cast<T>((double)acc);
}

#define GB_GEMM(T, S) \
  extern "C" __global__ void gemm_##S(T* c, const T* a, const T* b, i64 m, i64 n, i64 k, int transA, int transB, \
                                     i64 lda, i64 ldb, i64 ldc, i64 strideA, i64 strideB, i64 strideC) { \
    gemm_tiled<T>(c, a, b, m, n, k, transA, transB, lda, ldb, ldc, strideA, strideB, strideC); }
GB_FOR_TYPES(GB_GEMM)
