/**
 * The state one CUDA backend runs on: the addon, the caching allocator, the kernel cache, and
 * helpers to allocate storages, launch kernels and run GEMMs. Every kernel is queued on the
 * addon's single stream; only reads (download) wait for it.
 */
import type { Backend, DType, Storage } from "../../backend";
import { bytesPerElement } from "../../dtype";
import { CachingAllocator, type Block } from "./allocator";
import type { CudaAddon, LoadInfo } from "./binding";
import { Args, KernelCache, type KernelFile } from "./kernels";
import { gridFor, toColumnMajor, type RowMajorGemm } from "./layout";

/** Kernel-name suffix per dtype (common.cuh). */
export const SUFFIX: Record<DType, string> = { float32: "f32", float64: "f64", int32: "i32", bool: "u8" };

/** A CUDA storage: a device block plus its dtype and element count. */
export class CudaStorage implements Storage {
  disposed?: boolean;
  constructor(readonly backend: Backend, readonly dtype: DType, readonly size: number, readonly handle: Block) {}
  /** The device address of element `offset`. */
  at(offset = 0): number {
    if (this.disposed || this.handle.freed) throw new Error("cuda backend: this tensor's memory was disposed (dispose() or tidy()); it can no longer be used");
    return this.handle.ptr + offset * bytesPerElement(this.dtype);
  }
}

export class CudaContext {
  readonly allocator: CachingAllocator;
  readonly kernels: KernelCache;
  readonly args = new Args();
  /** Device bytes not yet reported to V8 (reported in steps, not per tensor). */
  private externalPending = 0;
  backend!: Backend;
  /** TF32 for float32 GEMM and convolution (cuda.setAllowTF32). */
  tf32 = false;
  /** How convolutions ran, for the benchmark's report. */
  readonly convCounts = { cudnn: 0, im2col: 0 };

  constructor(readonly addon: CudaAddon, readonly info: LoadInfo) {
    this.allocator = new CachingAllocator(addon, (delta) => this.reportExternal(delta));
    this.kernels = new KernelCache(addon);
  }

  /**
   * Device memory held by live tensors is told to V8 as external memory, so garbage collection
   * runs (and the engine's finalisers free GPU blocks) before the GPU fills with unreachable
   * tensors. Reported in 4 MiB steps: one N-API call per tensor would cost more than the launch.
   */
  private reportExternal(delta: number): void {
    this.externalPending += delta;
    if (Math.abs(this.externalPending) >= 4 * 1024 * 1024) {
      this.addon.adjustExternalMemory(this.externalPending);
      this.externalPending = 0;
    }
  }

  /**
   * A fresh storage of `size` elements (uninitialised). Its block is `handle`: the engine frees
   * it through Backend.release when the storage is garbage collected without dispose().
   */
  alloc(dtype: DType, size: number): CudaStorage {
    const block = size === 0 ? { ptr: 0, bytes: 0, freed: false } : this.allocator.alloc(size * bytesPerElement(dtype));
    return new CudaStorage(this.backend, dtype, size, block);
  }

  /** Frees a storage now (idempotent). */
  free(s: Storage): void {
    const c = s as CudaStorage;
    if (!c.disposed && c.handle.bytes > 0) this.allocator.release(c.handle);
    c.disposed = true;
  }

  /** Frees a block whose storage object is gone (the engine's finaliser path). */
  releaseHandle(handle: unknown): void {
    const b = handle as Block;
    if (b && typeof b.ptr === "number" && b.bytes > 0) this.allocator.release(b);
  }

  /** Starts packing a launch's parameters. */
  params(): Args {
    return this.args.reset();
  }

  /** Launches `name` from `file` with the parameters packed in `this.args`. */
  launch(file: KernelFile, name: string, grid: number | [number, number, number], block: number | [number, number, number], shared = 0): void {
    const g = typeof grid === "number" ? [grid, 1, 1] : grid;
    const b = typeof block === "number" ? [block, 1, 1] : block;
    const fn = this.kernels.fn(file, name);
    this.addon.launch(fn, g[0], g[1], g[2], b[0], b[1], b[2], shared, this.args.blob, this.args.offsets);
  }

  /** A 1-D grid-stride launch over n elements. */
  launch1d(file: KernelFile, name: string, n: number, threads = 256): void {
    this.launch(file, name, gridFor(n, threads), threads);
  }

  /** Fills `count` elements from `ptr` with zero bits (0, 0.0 and false alike). */
  zero(ptr: number, bytes: number): void {
    if (bytes > 0) this.addon.memset8(ptr, 0, bytes);
  }

  get haveCublas(): boolean {
    return !!this.info.cublas;
  }

  /**
   * A row-major batched GEMM on device pointers: cuBLAS for float32/float64, otherwise the tiled
   * kernel in gemm.cu. beta = 1 accumulates into C (used for chunked weight gradients).
   */
  gemm(dtype: DType, g: RowMajorGemm, a: number, b: number, c: number, beta = 0): void {
    if (g.m === 0 || g.n === 0 || g.batch === 0) return;
    const elem = bytesPerElement(dtype);
    if (g.k === 0) {
      if (beta === 0) for (let i = 0; i < g.batch; i++) this.zero2d(c + i * g.strideC * elem, g.m, g.n, g.ldc, elem);
      return;
    }
    if ((dtype === "float32" || dtype === "float64") && this.haveCublas) {
      const cm = toColumnMajor(g);
      // cuBLAS takes at most 65535 batches per call on some versions; split larger batches.
      for (let b0 = 0; b0 < cm.batch; b0 += 65535) {
        const nb = Math.min(65535, cm.batch - b0);
        this.addon.gemm(dtype === "float32" ? 0 : 1, cm.opA, cm.opB, cm.m, cm.n, cm.k, 1,
          b + b0 * cm.strideA * elem, cm.lda, cm.strideA, a + b0 * cm.strideB * elem, cm.ldb, cm.strideB, beta,
          c + b0 * cm.strideC * elem, cm.ldc, cm.strideC, nb);
      }
      return;
    }
    if (beta !== 0) {
      // The tiled kernel overwrites C: compute into a scratch block, then C += scratch.
      if (g.ldc !== g.n || g.strideC !== g.m * g.n) throw new Error("cuda: accumulating GEMM into a strided C needs cuBLAS");
      const total = g.batch * g.m * g.n;
      const tmp = this.alloc(dtype, total);
      this.gemm(dtype, g, a, b, tmp.at(), 0);
      this.params().ptr(c).ptr(c).ptr(tmp.at()).strided([total], [[1], [1], [1]]).i64(total);
      this.launch1d("elementwise", "binary_add_" + SUFFIX[dtype], total);
      this.free(tmp);
      return;
    }
    const T = 16;
    for (let b0 = 0; b0 < g.batch; b0 += 65535) {
      const nb = Math.min(65535, g.batch - b0);
      this.params().ptr(c + b0 * g.strideC * elem).ptr(a + b0 * g.strideA * elem).ptr(b + b0 * g.strideB * elem)
        .i64(g.m).i64(g.n).i64(g.k).i32(g.transA ? 1 : 0).i32(g.transB ? 1 : 0)
        .i64(g.lda).i64(g.ldb).i64(g.ldc).i64(g.strideA).i64(g.strideB).i64(g.strideC);
      this.launch("gemm", "gemm_" + SUFFIX[dtype], [Math.ceil(g.n / T), Math.ceil(g.m / T), nb], [T, T, 1]);
    }
  }

  private zero2d(c: number, m: number, n: number, ldc: number, elem: number): void {
    if (ldc === n) { this.zero(c, m * n * elem); return; }
    for (let r = 0; r < m; r++) this.zero(c + r * ldc * elem, n * elem);
  }
}
