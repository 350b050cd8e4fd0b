/**
 * The CUDA backend's matmul, convolution, pooling and softmax.
 *
 * Convolution runs through cuDNN where it is loaded (and takes the shape); otherwise it is
 * im2col + GEMM (cuBLAS): per chunk of images the input is unfolded into a
 * column buffer and multiplied by the weights as one strided-batched GEMM per group. The
 * weight gradient lays the columns out images side by side ([C·kh·kw, N·L]) so the sum over
 * the batch happens inside one GEMM with k = N·L, not in N small ones.
 */
import type { Conv2dParams, MatmulParams, Pool2dParams, Storage } from "../../backend";
import { bytesPerElement } from "../../dtype";
import { type CudaContext, type CudaStorage, SUFFIX } from "./context";
import { matmulGemm, mergeDims } from "./layout";

/** Column buffers are built for this many bytes of images at a time. */
const CHUNK_BYTES = 256 * 1024 * 1024;

/** Shapes cuDNN declined (no algorithm, or an error at run time): they go to im2col. */
const cudnnRefused = new Set<string>();
let warned = false;

/**
 * Runs one convolution pass through cuDNN when it is loaded and takes the shape (symmetric
 * padding, float types, sizes within int32); returns false to fall back to im2col + GEMM.
 */
function viaCudnn(ctx: CudaContext, kind: 0 | 1 | 2, dtype: CudaStorage["dtype"], p: Conv2dParams, a: number, b: number, out: number): boolean {
  if (!ctx.info.cudnn || (dtype !== "float32" && dtype !== "float64")) return false;
  if (p.padBottom !== p.padTop || p.padRight !== p.padLeft) return false;
  const expect = (len: number, k: number, s: number, pad: number, dil: number): number => Math.floor((len + 2 * pad - dil * (k - 1) - 1) / s) + 1;
  if (expect(p.h, p.kh, p.strideH, p.padTop, p.dilationH) !== p.outH || expect(p.w, p.kw, p.strideW, p.padLeft, p.dilationW) !== p.outW) return false;
  if (Math.max(p.n * p.cIn * p.h * p.w, p.n * p.cOut * p.outH * p.outW) >= 2 ** 31) return false;
  const params = [p.n, p.cIn, p.h, p.w, p.cOut, p.kh, p.kw, p.strideH, p.strideW, p.padTop, p.padLeft,
    p.dilationH, p.dilationW, p.groups, p.outH, p.outW];
  const dt = dtype === "float32" ? 0 : 1;
  const key = `${kind}:${dt}:${ctx.tf32 ? 1 : 0}:${params.join(",")}`;
  if (cudnnRefused.has(key)) return false;
  const plan = ctx.addon.cudnnPlan(kind, dt, params, ctx.tf32);
  if (!plan.ok) { cudnnRefused.add(key); return false; }
  const ws = plan.workspace > 0 ? ctx.allocator.alloc(plan.workspace) : null;
  try {
    ctx.addon.cudnnRun(kind, dt, params, ctx.tf32, a, b, out, ws ? ws.ptr : 0, ws ? ws.bytes : 0);
  } catch (e) {
    // A shape cuDNN refuses at run time (status NOT_SUPPORTED and the like) still has a path.
    cudnnRefused.add(key);
    if (!warned) {
      warned = true;
      process.stderr.write(`gradbook: cuDNN refused a convolution (${(e as Error).message}); using im2col + GEMM for that shape\n`);
    }
    return false;
  } finally {
    // Reuse is safe at once: later work on the one stream runs after this convolution.
    if (ws) ctx.allocator.release(ws);
  }
  ctx.convCounts.cudnn++;
  return true;
}

export function matmul(ctx: CudaContext, a: CudaStorage, b: CudaStorage, p: MatmulParams): Storage {
  const out = ctx.alloc(a.dtype, p.batch * p.m * p.n);
  if (out.size > 0) ctx.gemm(a.dtype, matmulGemm(p), a.at(), b.at(), out.at());
  return out;
}

function convP(p: Conv2dParams): number[] {
  return [p.n, p.cIn, p.h, p.w, p.cOut, p.kh, p.kw, p.strideH, p.strideW, p.padTop, p.padLeft,
    p.dilationH, p.dilationW, p.outH, p.outW];
}

interface ConvDims { L: number; Kall: number; K: number; cOutG: number; elem: number }
function dims(p: Conv2dParams, dtype: CudaStorage["dtype"]): ConvDims {
  const L = p.outH * p.outW, Kall = p.cIn * p.kh * p.kw;
  return { L, Kall, K: Kall / p.groups, cOutG: p.cOut / p.groups, elem: bytesPerElement(dtype) };
}

/** Images per chunk so that `perImage` bytes of scratch per image stay under CHUNK_BYTES. */
function chunkOf(n: number, perImage: number): number {
  return Math.max(1, Math.min(n, Math.floor(CHUNK_BYTES / Math.max(1, perImage))));
}

function im2col(ctx: CudaContext, col: CudaStorage, x: CudaStorage, p: Conv2dParams, n0: number, nc: number, strideN: number, strideR: number): void {
  const total = nc * p.cIn * p.kh * p.kw * p.outH * p.outW;
  ctx.params().ptr(col.at()).ptr(x.at()).i64s(convP(p)).i64(n0).i64(nc).i64(strideN).i64(strideR);
  ctx.launch1d("conv", "im2col_" + SUFFIX[x.dtype], total);
}

export function conv2d(ctx: CudaContext, x: CudaStorage, w: CudaStorage, p: Conv2dParams): Storage {
  const d = dims(p, x.dtype);
  const out = ctx.alloc(x.dtype, p.n * p.cOut * d.L);
  if (out.size === 0) return out;
  if (d.Kall === 0) { ctx.zero(out.at(), out.size * d.elem); return out; }
  if (viaCudnn(ctx, 0, x.dtype, p, x.at(), w.at(), out.at())) return out;
  ctx.convCounts.im2col++;
  const nc = chunkOf(p.n, d.Kall * d.L * d.elem);
  const col = ctx.alloc(x.dtype, nc * d.Kall * d.L);
  for (let n0 = 0; n0 < p.n; n0 += nc) {
    const cnt = Math.min(nc, p.n - n0);
    im2col(ctx, col, x, p, n0, cnt, d.Kall * d.L, d.L);
    for (let g = 0; g < p.groups; g++) {
      ctx.gemm(x.dtype, {
        transA: false, transB: false, m: d.cOutG, n: d.L, k: d.K,
        lda: d.K, ldb: d.L, ldc: d.L, strideA: 0, strideB: d.Kall * d.L, strideC: p.cOut * d.L, batch: cnt,
      }, w.at(g * d.cOutG * d.K), col.at(g * d.K * d.L), out.at((n0 * p.cOut + g * d.cOutG) * d.L));
    }
  }
  ctx.free(col);
  return out;
}

export function conv2dBackwardInput(ctx: CudaContext, dy: CudaStorage, w: CudaStorage, p: Conv2dParams): Storage {
  const d = dims(p, dy.dtype);
  const dx = ctx.alloc(dy.dtype, p.n * p.cIn * p.h * p.w);
  if (dx.size === 0) return dx;
  if (d.L === 0 || p.cOut === 0) { ctx.zero(dx.at(), dx.size * d.elem); return dx; }
  if (viaCudnn(ctx, 1, dy.dtype, p, dy.at(), w.at(), dx.at())) return dx;
  ctx.convCounts.im2col++;
  const nc = chunkOf(p.n, d.Kall * d.L * d.elem);
  const dcol = ctx.alloc(dy.dtype, nc * d.Kall * d.L);
  for (let n0 = 0; n0 < p.n; n0 += nc) {
    const cnt = Math.min(nc, p.n - n0);
    for (let g = 0; g < p.groups; g++) {
      ctx.gemm(dy.dtype, {
        transA: true, transB: false, m: d.K, n: d.L, k: d.cOutG,
        lda: d.K, ldb: d.L, ldc: d.L, strideA: 0, strideB: p.cOut * d.L, strideC: d.Kall * d.L, batch: cnt,
      }, w.at(g * d.cOutG * d.K), dy.at((n0 * p.cOut + g * d.cOutG) * d.L), dcol.at(g * d.K * d.L));
    }
    ctx.params().ptr(dx.at()).ptr(dcol.at()).i64s(convP(p)).i64(n0).i64(cnt).i64(d.Kall * d.L).i64(d.L);
    ctx.launch1d("conv", "col2im_" + SUFFIX[dy.dtype], cnt * p.cIn * p.h * p.w);
  }
  ctx.free(dcol);
  return dx;
}

export function conv2dBackwardWeight(ctx: CudaContext, x: CudaStorage, dy: CudaStorage, p: Conv2dParams): Storage {
  const d = dims(p, x.dtype);
  const dw = ctx.alloc(x.dtype, p.cOut * d.K);
  if (dw.size === 0) return dw;
  if (p.n === 0 || d.L === 0) { ctx.zero(dw.at(), dw.size * d.elem); return dw; }
  if (viaCudnn(ctx, 2, x.dtype, p, x.at(), dy.at(), dw.at())) return dw;
  ctx.convCounts.im2col++;
  const nc = chunkOf(p.n, (d.Kall + p.cOut) * d.L * d.elem);
  const col = ctx.alloc(x.dtype, d.Kall * nc * d.L);
  const dyT = ctx.alloc(x.dtype, p.cOut * nc * d.L);
  for (let n0 = 0; n0 < p.n; n0 += nc) {
    const cnt = Math.min(nc, p.n - n0);
    const NL = cnt * d.L;
    im2col(ctx, col, x, p, n0, cnt, d.L, NL);
    // dy[n0 : n0+cnt] as [cOut, cnt, L], made contiguous: rows of all images side by side.
    const m = mergeDims([p.cOut, cnt, d.L], [[cnt * d.L, d.L, 1], [d.L, p.cOut * d.L, 1]]);
    ctx.params().ptr(dyT.at()).ptr(dy.at(n0 * p.cOut * d.L)).strided(m.shape, m.strides).i64(p.cOut * NL);
    ctx.launch1d("copy", `copy_${SUFFIX[x.dtype]}_${SUFFIX[x.dtype]}`, p.cOut * NL);
    for (let g = 0; g < p.groups; g++) {
      ctx.gemm(x.dtype, {
        transA: false, transB: true, m: d.cOutG, n: d.K, k: NL,
        lda: NL, ldb: NL, ldc: d.K, strideA: 0, strideB: 0, strideC: 0, batch: 1,
      }, dyT.at(g * d.cOutG * NL), col.at(g * d.K * NL), dw.at(g * d.cOutG * d.K), n0 === 0 ? 0 : 1);
    }
  }
  ctx.free(col);
  ctx.free(dyT);
  return dw;
}

function poolP(p: Pool2dParams): number[] {
  return [p.n, p.c, p.h, p.w, p.kh, p.kw, p.strideH, p.strideW, p.padTop, p.padLeft, p.outH, p.outW,
    p.countIncludePad === false ? 0 : 1];
}

export function maxPool2d(ctx: CudaContext, x: CudaStorage, p: Pool2dParams): { out: Storage; indices: Storage } {
  const n = p.n * p.c * p.outH * p.outW;
  const out = ctx.alloc(x.dtype, n), indices = ctx.alloc("int32", n);
  if (n === 0) return { out, indices };
  ctx.params().ptr(out.at()).ptr(indices.at()).ptr(x.at()).i64s(poolP(p));
  ctx.launch1d("pool", "maxpool_fwd_" + SUFFIX[x.dtype], n);
  return { out, indices };
}

export function maxPool2dBackward(ctx: CudaContext, dy: CudaStorage, indices: CudaStorage, p: Pool2dParams): Storage {
  const n = p.n * p.c * p.h * p.w;
  const dx = ctx.alloc(dy.dtype, n);
  if (n === 0) return dx;
  if (p.outH * p.outW === 0) { ctx.zero(dx.at(), n * bytesPerElement(dy.dtype)); return dx; }
  ctx.params().ptr(dx.at()).ptr(dy.at()).ptr(indices.at()).i64s(poolP(p));
  ctx.launch1d("pool", "maxpool_bwd_" + SUFFIX[dy.dtype], n);
  return dx;
}

export function avgPool2d(ctx: CudaContext, x: CudaStorage, p: Pool2dParams): Storage {
  const n = p.n * p.c * p.outH * p.outW;
  const out = ctx.alloc(x.dtype, n);
  if (n === 0) return out;
  ctx.params().ptr(out.at()).ptr(x.at()).i64s(poolP(p));
  ctx.launch1d("pool", "avgpool_fwd_" + SUFFIX[x.dtype], n);
  return out;
}

export function avgPool2dBackward(ctx: CudaContext, dy: CudaStorage, p: Pool2dParams): Storage {
  const n = p.n * p.c * p.h * p.w;
  const dx = ctx.alloc(dy.dtype, n);
  if (n === 0) return dx;
  if (p.outH * p.outW === 0) { ctx.zero(dx.at(), n * bytesPerElement(dy.dtype)); return dx; }
  ctx.params().ptr(dx.at()).ptr(dy.at()).i64s(poolP(p));
  ctx.launch1d("pool", "avgpool_bwd_" + SUFFIX[dy.dtype], n);
  return dx;
}

export function softmax(ctx: CudaContext, x: CudaStorage, outer: number, n: number, log: boolean): Storage {
  const out = ctx.alloc(x.dtype, outer * n);
  if (out.size === 0) return out;
  // One warp per row, eight rows per block.
  ctx.params().ptr(out.at()).ptr(x.at()).i64(outer).i64(n).i32(log ? 1 : 0);
  ctx.launch("softmax", "softmax_" + SUFFIX[x.dtype], Math.max(1, Math.min(Math.ceil(outer / 8), 1 << 20)), 256);
  return out;
}
