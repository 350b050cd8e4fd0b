/**
 * The CUDA C kernel sources (native/cuda/kernels/*.cu), compiled with NVRTC on first use for
 * the GPU found, and the packer that lays out kernel parameters.
 *
 * Each .cu file is one NVRTC program holding every dtype's instantiation of its kernels, so a
 * process compiles at most one program per file (about ten), each once.
 */
import * as fs from "fs";
import * as path from "path";
import type { CudaAddon } from "./binding";
import { packageRoot } from "./binding";

/** The kernel source files, without extension. */
export const KERNEL_FILES = [
  "elementwise", "copy", "reduce", "scan", "sort", "softmax", "index", "pool", "conv", "gemm", "optim",
] as const;
export type KernelFile = (typeof KERNEL_FILES)[number];

/** The folder holding the .cu sources: $GRADBOOK_CUDA_KERNELS or native/cuda/kernels. */
export function kernelDir(): string {
  return process.env.GRADBOOK_CUDA_KERNELS ?? path.join(packageRoot(), "native", "cuda", "kernels");
}

/**
 * A kernel file's source as NVRTC gets it: local `#include "x.cuh"` lines replaced by the
 * header's text, because NVRTC has no file system of its own.
 */
export function kernelSource(file: string, dir = kernelDir()): string {
  const seen = new Set<string>();
  const expand = (name: string): string => {
    const full = path.join(dir, name);
    if (!fs.existsSync(full)) throw new Error(`cuda: kernel source ${full} is missing (GRADBOOK_CUDA_KERNELS may point to the wrong folder)`);
    const text = fs.readFileSync(full, "utf8");
    return text.replace(/^#include\s+"([^"]+)"\s*$/gm, (_m, inc: string) => {
      if (seen.has(inc)) return "";
      seen.add(inc);
      return expand(inc).replace(/^#pragma once\s*$/m, "");
    });
  };
  return expand(file.endsWith(".cu") ? file : file + ".cu");
}

/** Compiles kernel files on first use and caches function handles for the process. */
export class KernelCache {
  private readonly modules = new Map<string, number>();
  private readonly functions = new Map<string, number>();
  /** Milliseconds spent in NVRTC, for the benchmark's report. */
  compileMs = 0;

  constructor(private readonly addon: CudaAddon, private readonly dir = kernelDir()) {}

  /** The handle of `name` in `file`, compiling the file if needed. */
  fn(file: KernelFile, name: string): number {
    const key = file + ":" + name;
    let f = this.functions.get(key);
    if (f === undefined) {
      f = this.addon.getFunction(this.module(file), name);
      this.functions.set(key, f);
    }
    return f;
  }

  private module(file: KernelFile): number {
    let m = this.modules.get(file);
    if (m === undefined) {
      const t0 = Date.now();
      m = this.addon.compile(kernelSource(file, this.dir), file + ".cu", ["--std=c++17"]);
      this.compileMs += Date.now() - t0;
      this.modules.set(file, m);
    }
    return m;
  }
}

/** The most dimensions a strided launch takes (GB_MAXD in common.cuh). */
export const MAXD = 8;
/** Bytes of `struct Strided` in common.cuh: ndim, shape[8], st[4][8], all int64. */
export const STRIDED_BYTES = 8 * (1 + MAXD + 4 * MAXD);

const TWO32 = 4294967296;

/**
 * Packs kernel parameters the way cuLaunchKernel reads them: one slot per parameter, each
 * 8-byte aligned, in the kernel's own binary layout. Reused across launches (the driver copies
 * the values during the launch call).
 */
export class Args {
  readonly bytes = new Uint8Array(4096);
  private readonly view = new DataView(this.bytes.buffer);
  private readonly offs = new Uint32Array(32);
  private readonly sz = new Uint32Array(32);
  private pos = 0;
  private count = 0;

  reset(): this {
    this.pos = 0;
    this.count = 0;
    return this;
  }

  private slot(size: number): number {
    const at = this.pos;
    if (this.count >= this.offs.length || at + size > this.bytes.length) throw new Error("cuda: too many kernel parameters");
    this.sz[this.count] = size;
    this.offs[this.count++] = at;
    this.pos = (at + size + 7) & ~7;
    return at;
  }

  private writeI64(at: number, v: number): void {
    if (v >= 0) {
      this.view.setUint32(at, v % TWO32, true);
      this.view.setUint32(at + 4, Math.floor(v / TWO32), true);
    } else {
      this.view.setBigInt64(at, BigInt(v), true);
    }
  }

  /** A device pointer (64-bit). */
  ptr(p: number): this { this.writeI64(this.slot(8), p); return this; }
  i64(v: number): this { this.writeI64(this.slot(8), v); return this; }
  i32(v: number): this { this.view.setInt32(this.slot(4), v, true); return this; }
  f64(v: number): this { this.view.setFloat64(this.slot(8), v, true); return this; }
  f32(v: number): this { this.view.setFloat32(this.slot(4), v, true); return this; }
  /** A struct of int64 fields, e.g. PoolP or ConvP in the kernel sources. */
  i64s(values: readonly number[]): this {
    const at = this.slot(8 * values.length);
    for (let i = 0; i < values.length; i++) this.writeI64(at + 8 * i, values[i]);
    return this;
  }
  /** `struct Strided`: a shape and up to four operands' strides. */
  strided(shape: readonly number[], strides: readonly (readonly number[])[]): this {
    if (shape.length > MAXD) throw new Error(`cuda: ${shape.length} dimensions that cannot be merged; at most ${MAXD} are supported`);
    const at = this.slot(STRIDED_BYTES);
    // Entries past ndim are never read by the kernels, so they are left as they are.
    this.writeI64(at, shape.length);
    for (let d = 0; d < shape.length; d++) this.writeI64(at + 8 * (1 + d), shape[d]);
    for (let k = 0; k < strides.length; k++) {
      for (let d = 0; d < shape.length; d++) this.writeI64(at + 8 * (1 + MAXD + k * MAXD + d), strides[k][d]);
    }
    return this;
  }

  /** The packed parameters and their offsets, as addon.launch takes them. */
  get blob(): Uint8Array { return this.bytes; }
  get offsets(): Uint32Array { return this.offs.subarray(0, this.count); }
  /** Bytes of each parameter, as packed (checked against the PTX signatures in the tests). */
  get sizes(): number[] { return Array.from(this.sz.subarray(0, this.count)); }
}
