/**
 * Matrix product with NumPy semantics: 1-D operands are promoted to a row / column and the
 * added axis removed afterwards; leading (batch) axes broadcast. Transposed operands (such
 * as the xᵀ·dy and dy·Wᵀ of every backward pass) reach the kernel as flags, not copies.
 */
import type { MatmulParams, Storage } from "../backend";
import { sizeOf } from "../backend";
import { record } from "../autograd";
import { promoteTypes } from "../dtype";
import { OpError, fmtShape } from "../errors";
import { Tensor, makeTensor } from "../tensor";
import { astype } from "./cast";
import { sumTo } from "./reduce";
import { expand, reshape, squeeze, transpose, unsqueeze } from "./shape";
import { broadcastShapes, checkSameDevice, checkTensor } from "./util";

/** How an operand [..., r, c] reaches the kernel: its storage and whether it is transposed. */
interface Operand { storage: Storage; trans: boolean; temp: boolean; stride: number }

/**
 * Prepares x (batch shape `batch`, matrix r×c) for the kernel: uses its memory directly when
 * it is row-major or a transposed row-major matrix, one matrix or a dense batch, at offset 0.
 */
function operand(x: Tensor, batch: readonly number[], r: number, c: number): Operand {
  const nb = x.ndim - 2;
  const one = x.shape.slice(0, nb).every((d) => d === 1);
  const batchSize = sizeOf(batch);
  const s0 = x.strides[nb], s1 = x.strides[nb + 1];
  if (x.offset === 0 && (one || (nb === batch.length && x.shape.slice(0, nb).every((d, i) => d === batch[i])))) {
    const plain = (s1 === 1 || c === 1) && (s0 === c || r === 1);
    const trans = !plain && (s0 === 1 || r === 1) && (s1 === r || c === 1);
    if (plain || trans) {
      // Batch axes must step over whole matrices in row-major order.
      let expect = r * c, ok = true;
      for (let i = nb - 1; i >= 0 && !one; i--) {
        if (x.shape[i] !== 1 && x.strides[i] !== expect) { ok = false; break; }
        expect *= x.shape[i];
      }
      if (ok && x.storage.size >= (one ? 1 : batchSize) * r * c) {
        return { storage: x.storage, trans, temp: false, stride: one && batchSize > 1 ? 0 : r * c };
      }
    }
  }
  const full = one ? reshape(x, [r, c]) : expand(x, [...batch, r, c]);
  return { storage: x.storage.backend.contiguous(full), trans: false, temp: true, stride: one && batchSize > 1 ? 0 : r * c };
}

/** A 2-D view whose columns are contiguous (a transpose of a row-major matrix). */
function transposedLayout(x: Tensor): boolean {
  return x.ndim === 2 && x.shape[0] > 1 && x.shape[1] > 1 && x.strides[0] === 1 && x.strides[1] === x.shape[0];
}

function matmulNd(a: Tensor, b: Tensor): Tensor {
  const m = a.shape[a.ndim - 2], k = a.shape[a.ndim - 1], n = b.shape[b.ndim - 1];
  if (b.shape[b.ndim - 2] !== k) {
    throw new OpError("matmul", `cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}: inner dimensions ${k} and ${b.shape[b.ndim - 2]} differ`);
  }
  const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const be = a.storage.backend;
  const oa = operand(a, batch, m, k), ob = operand(b, batch, k, n);
  const p: MatmulParams = { batch: sizeOf(batch), m, n, k, transA: oa.trans, transB: ob.trans, strideA: oa.stride, strideB: ob.stride };
  const out = makeTensor(be.matmul(oa.storage, ob.storage, p), [...batch, m, n]);
  if (oa.temp) be.dispose(oa.storage);
  if (ob.temp) be.dispose(ob.storage);
  if (!a.requiresGrad && !b.requiresGrad) return out;
  return record(out, "MmBackward", [a, b], (g) => [
    a.requiresGrad ? sumTo(matmul(g, transpose(b, -2, -1)), a.shape) : null,
    // b a transposed view (Linear's W.T): (gᵀ·a)ᵀ has b's own layout, so the gradient that
    // reaches W is contiguous and .grad takes it without a transposing copy (issue 18).
    b.requiresGrad ? sumTo(transposedLayout(b) && a.ndim === 2 ? transpose(matmul(transpose(g, -2, -1), a), -2, -1) : matmul(transpose(a, -2, -1), g), b.shape) : null,
  ], undefined, [a, b]);
}

/**
 * Matrix product (NumPy's matmul): [m,k]@[k,n] → [m,n], batched over leading axes,
 * vectors as in NumPy ([k]@[k] → scalar, [m,k]@[k] → [m]).
 * @example matmul(X, W)   // [batch, in] @ [in, out]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor("matmul", "a", a);
  checkTensor("matmul", "b", b);
  checkSameDevice("matmul", a, b);
  if (a.ndim === 0 || b.ndim === 0) throw new OpError("matmul", `both arguments need at least 1 dimension, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}; use mul for scalars`);
  if (a.dtype === "bool" || b.dtype === "bool") throw new OpError("matmul", `bool tensors cannot be multiplied (got ${a.dtype} and ${b.dtype}); convert with .float()`);
  if (a.dtype !== b.dtype) {
    const d = promoteTypes(a.dtype, b.dtype);
    a = astype(a, d);
    b = astype(b, d);
  }
  if (a.ndim === 1 && b.ndim === 1 && a.shape[0] !== b.shape[0]) {
    throw new OpError("matmul", `cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}: inner dimensions ${a.shape[0]} and ${b.shape[0]} differ`);
  }
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
  if (a2.shape[a2.ndim - 1] !== b2.shape[b2.ndim - 2]) {
    throw new OpError("matmul", `cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}: inner dimensions ${a2.shape[a2.ndim - 1]} and ${b2.shape[b2.ndim - 2]} differ`);
  }
  let out = matmulNd(a2, b2);
  if (b.ndim === 1) out = squeeze(out, -1);
  if (a.ndim === 1) out = squeeze(out, b.ndim === 1 ? -1 : -2);
  return out;
}
