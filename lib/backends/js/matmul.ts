/**
 * Cache-blocked GEMM for the js backend (the BLIS/GotoBLAS layout, in plain TypeScript).
 *
 * Blocks of B (KC×NC) and A (MC×KC) are packed into contiguous panels of 4 columns / 4 rows,
 * so transposed operands cost only the packing and run as fast as plain ones (backward passes
 * multiply by transposes all the time). A 4×4 micro-kernel keeps its 16 sums in locals.
 */
import type { MatmulParams, Storage, TypedArray } from "../../backend";
import { alloc, arr } from "./storage";

const MR = 4, NR = 4, MC = 64, KC = 256, NC = 512;

type Arr = ArrayLike<number>;

let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * NC);

/**
 * C[cOff + i*n + j] (+)= sum_p A(i,p) B(p,j) with A(i,p) = transA ? A[aOff+p*m+i] : A[aOff+i*k+p]
 * and B(p,j) = transB ? B[bOff+j*k+p] : B[bOff+p*n+j].
 */
export function gemm(
  m: number, n: number, k: number,
  A: Arr, aOff: number, transA: boolean,
  B: Arr, bOff: number, transB: boolean,
  C: Float64Array, cOff: number, accumulate: boolean,
): void {
  if (!accumulate) C.fill(0, cOff, cOff + m * n);
  if (k === 0 || m === 0 || n === 0) return;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const nPanels = Math.ceil(nc / NR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      // Pack B[pc:pc+kc, jc:jc+nc] as panels of NR columns, zero-padded.
      const bp = packB;
      for (let jp = 0; jp < nPanels; jp++) {
        const base = jp * kc * NR;
        for (let jr = 0; jr < NR; jr++) {
          const j = jc + jp * NR + jr;
          if (j >= n) { for (let p = 0; p < kc; p++) bp[base + p * NR + jr] = 0; continue; }
          if (transB) { const src = bOff + j * k + pc; for (let p = 0; p < kc; p++) bp[base + p * NR + jr] = B[src + p]; }
          else { let src = bOff + pc * n + j; for (let p = 0; p < kc; p++, src += n) bp[base + p * NR + jr] = B[src]; }
        }
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const mPanels = Math.ceil(mc / MR);
        const ap = packA;
        for (let ip = 0; ip < mPanels; ip++) {
          const base = ip * kc * MR;
          for (let ir = 0; ir < MR; ir++) {
            const i = ic + ip * MR + ir;
            if (i >= m) { for (let p = 0; p < kc; p++) ap[base + p * MR + ir] = 0; continue; }
            if (transA) { let src = aOff + pc * m + i; for (let p = 0; p < kc; p++, src += m) ap[base + p * MR + ir] = A[src]; }
            else { const src = aOff + i * k + pc; for (let p = 0; p < kc; p++) ap[base + p * MR + ir] = A[src + p]; }
          }
        }
        for (let jp = 0; jp < nPanels; jp++) {
          const cols = Math.min(NR, n - (jc + jp * NR));
          for (let ip = 0; ip < mPanels; ip++) {
            const rows = Math.min(MR, m - (ic + ip * MR));
            micro(kc, ap, ip * kc * MR, bp, jp * kc * NR, C, cOff + (ic + ip * MR) * n + jc + jp * NR, n, rows, cols);
          }
        }
      }
    }
  }
}

function micro(kc: number, a: Float64Array, ai: number, b: Float64Array, bi: number, C: Float64Array, c: number, ldc: number, rows: number, cols: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3];
    const b0 = b[bi], b1 = b[bi + 1], b2 = b[bi + 2], b3 = b[bi + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ai += 4; bi += 4;
  }
  if (rows === 4 && cols === 4) {
    C[c] += c00; C[c + 1] += c01; C[c + 2] += c02; C[c + 3] += c03; c += ldc;
    C[c] += c10; C[c + 1] += c11; C[c + 2] += c12; C[c + 3] += c13; c += ldc;
    C[c] += c20; C[c + 1] += c21; C[c + 2] += c22; C[c + 3] += c23; c += ldc;
    C[c] += c30; C[c + 1] += c31; C[c + 2] += c32; C[c + 3] += c33;
    return;
  }
  const t = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) C[c + r * ldc + q] += t[r * 4 + q];
}

/** The backend's batched matmul: [batch, m, n] from contiguous operands. */
export function matmul(a: Storage, b: Storage, p: MatmulParams): TypedArray {
  const A = arr(a), B = arr(b);
  const out = alloc(a.dtype, p.batch * p.m * p.n);
  const direct = out instanceof Float64Array;
  const C = direct ? (out as Float64Array) : new Float64Array(p.m * p.n);
  for (let t = 0; t < p.batch; t++) {
    const cOff = direct ? t * p.m * p.n : 0;
    gemm(p.m, p.n, p.k, A, t * p.strideA, p.transA, B, t * p.strideB, p.transB, C, cOff, false);
    if (!direct) out.set(C, t * p.m * p.n);
  }
  return out;
}
