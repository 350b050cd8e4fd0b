/**
 * Shape arithmetic for the CUDA backend, free of any device calls so it is tested on every
 * machine: merging dimensions before a strided launch, splitting a reduction into kept and
 * reduced index spaces, and mapping row-major GEMMs onto cuBLAS's column-major one.
 */
import { contiguousStrides as rowMajor, sizeOf } from "../../backend";

export { rowMajor, sizeOf };

/**
 * Drops size-1 dimensions and merges neighbours that are contiguous in every operand, so a
 * contiguous or scalar-broadcast launch has one dimension and its kernel does no division.
 * A shape that collapses entirely becomes [1] with stride 0.
 */
export function mergeDims(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const sh: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const n = sh.length;
    if (n > 0 && strides.every((s, k) => st[k][n - 1] === s[d] * shape[d])) {
      sh[n - 1] *= shape[d];
      for (let k = 0; k < strides.length; k++) st[k][n - 1] = strides[k][d];
      continue;
    }
    sh.push(shape[d]);
    for (let k = 0; k < strides.length; k++) st[k].push(strides[k][d]);
  }
  if (sh.length === 0) {
    sh.push(1);
    for (const s of st) s.push(0);
  }
  return { shape: sh, strides: st };
}

/**
 * A reduction of a contiguous tensor over `axes`, as two index spaces over the input: `kept`
 * (one output per position, row-major) and `red` (the elements combined into each output).
 */
export function splitReduction(shape: readonly number[], axes: readonly number[]): {
  kept: { shape: number[]; strides: number[] };
  red: { shape: number[]; strides: number[] };
  nOut: number;
  R: number;
} {
  const st = rowMajor(shape);
  const keptShape: number[] = [], keptSt: number[] = [], redShape: number[] = [], redSt: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (axes.includes(d)) { redShape.push(shape[d]); redSt.push(st[d]); } else { keptShape.push(shape[d]); keptSt.push(st[d]); }
  }
  const k = mergeDims(keptShape, [keptSt]);
  const r = mergeDims(redShape, [redSt]);
  return {
    kept: { shape: k.shape, strides: k.strides[0] },
    red: { shape: r.shape, strides: r.strides[0] },
    nOut: sizeOf(keptShape),
    R: sizeOf(redShape),
  };
}

/** A row-major batched GEMM: C[b] = op(A[b]) @ op(B[b]), with leading dimensions and batch strides. */
export interface RowMajorGemm {
  transA: boolean; transB: boolean;
  m: number; n: number; k: number;
  lda: number; ldb: number; ldc: number;
  strideA: number; strideB: number; strideC: number;
  batch: number;
}

/** The same product as cuBLAS's column-major call: operands swapped, so no copy is needed. */
export interface ColumnMajorGemm {
  opA: 0 | 1; opB: 0 | 1;
  m: number; n: number; k: number;
  /** Which row-major operand goes first: cuBLAS's A is our B. */
  lda: number; ldb: number; ldc: number;
  strideA: number; strideB: number; strideC: number;
  batch: number;
}

/**
 * Row-major C (m×n) seen column-major is Cᵀ (n×m), and Cᵀ = op(B)ᵀ·op(A)ᵀ; a row-major operand
 * seen column-major is already its transpose. So cuBLAS gets (B, A) with the same transpose
 * flags, dimensions (n, m, k) and the same leading dimensions.
 */
export function toColumnMajor(g: RowMajorGemm): ColumnMajorGemm {
  return {
    opA: g.transB ? 1 : 0, opB: g.transA ? 1 : 0,
    m: g.n, n: g.m, k: g.k,
    lda: g.ldb, ldb: g.lda, ldc: g.ldc,
    strideA: g.strideB, strideB: g.strideA, strideC: g.strideC,
    batch: g.batch,
  };
}

/** The row-major GEMM of a backend `matmul` call (contiguous operands, packed output). */
export function matmulGemm(p: { batch: number; m: number; n: number; k: number; transA: boolean; transB: boolean; strideA: number; strideB: number }): RowMajorGemm {
  return {
    transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k,
    lda: p.transA ? p.m : p.k, ldb: p.transB ? p.k : p.n, ldc: p.n,
    strideA: p.strideA, strideB: p.strideB, strideC: p.m * p.n, batch: p.batch,
  };
}

/** Threads per block and blocks for a grid-stride loop over n elements. */
export function gridFor(n: number, threads = 256): number {
  return Math.max(1, Math.min(Math.ceil(n / threads), 1 << 20));
}

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
