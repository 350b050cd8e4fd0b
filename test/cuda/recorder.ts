/**
 * A stand-in for the gradbook_cuda addon that records what the backend asks of the GPU instead
 * of doing it. It is not a GPU: results are not computed. It lets machines without one check
 * the backend's side of the ABI: which kernels it launches, with which parameter sizes and
 * launch shapes, and the cuBLAS arguments it passes (see cuda.test.ts).
 */
import type { CudaAddon, LoadInfo } from "../../lib/backends/cuda/binding";
import type { Args } from "../../lib/backends/cuda/kernels";

export interface LaunchRecord {
  file: string;
  name: string;
  grid: number[];
  block: number[];
  sizes: number[];
}

export interface GemmRecord {
  dtype: number; opA: number; opB: number; m: number; n: number; k: number;
  lda: number; ldb: number; ldc: number; strideA: number; strideB: number; strideC: number; batch: number;
}

export class RecordingAddon implements CudaAddon {
  launches: LaunchRecord[] = [];
  gemms: GemmRecord[] = [];
  sources: Map<string, string> = new Map();
  private modules: string[] = [];
  private functions: { file: string; name: string }[] = [];
  private next = 1 << 20;
  /** Set after the context exists: the packer whose sizes each launch records. */
  args: Args | null = null;

  load(): LoadInfo {
    return { ok: true, reason: "", deviceName: "recorder", ccMajor: 9, ccMinor: 0, smCount: 132, totalMem: 2 ** 34, cublas: "recorder", cublasReason: "",
      cudnn: this.cudnnWorkspace === null ? null : "recorder", cudnnReason: "" };
  }
  memGetInfo() { return { free: 2 ** 33, total: 2 ** 34 }; }
  malloc(bytes: number): number {
    const p = this.next;
    this.next += Math.ceil(bytes / 256) * 256 + 256;
    return p;
  }
  free(): void {}
  upload(): void {}
  download(): void {}
  copyDtoD(): void {}
  memset32(): void {}
  memset8(): void {}
  synchronize(): void {}
  compile(source: string, name: string): number {
    this.sources.set(name.replace(/\.cu$/, ""), source);
    this.modules.push(name.replace(/\.cu$/, ""));
    return this.modules.length - 1;
  }
  getFunction(module: number, name: string): number {
    this.functions.push({ file: this.modules[module], name });
    return this.functions.length - 1;
  }
  launch(fn: number, gx: number, gy: number, gz: number, bx: number, by: number, bz: number): void {
    const f = this.functions[fn];
    this.launches.push({ file: f.file, name: f.name, grid: [gx, gy, gz], block: [bx, by, bz], sizes: this.args ? this.args.sizes : [] });
  }
  gemm(dtype: 0 | 1, opA: 0 | 1, opB: 0 | 1, m: number, n: number, k: number, _alpha: number,
    _a: number, lda: number, strideA: number, _b: number, ldb: number, strideB: number, _beta: number,
    _c: number, ldc: number, strideC: number, batch: number): void {
    this.gemms.push({ dtype, opA, opB, m, n, k, lda, ldb, ldc, strideA, strideB, strideC, batch });
  }
  cudnnCalls: { kind: number; dtype: number; params: number[]; workspace: number }[] = [];
  /** When set, load() reports cuDNN present and plans succeed with this workspace size. */
  cudnnWorkspace: number | null = null;
  cudnnPlan(kind: 0 | 1 | 2, dtype: 0 | 1, params: number[]) {
    if (params.length !== 16 || params.some((v) => !Number.isInteger(v) || v < 0)) throw new Error(`bad cudnn params ${params}`);
    return { ok: true, error: "", algo: kind, workspace: this.cudnnWorkspace ?? 0 };
  }
  cudnnRun(kind: 0 | 1 | 2, dtype: 0 | 1, params: number[], _tf32: boolean, a: number, b: number, out: number, ws: number, wsBytes: number): void {
    if (!a || !b || !out || (wsBytes > 0 && !ws) || wsBytes < (this.cudnnWorkspace ?? 0)) throw new Error("bad cudnn pointers");
    this.cudnnCalls.push({ kind, dtype, params, workspace: wsBytes });
  }
  setTF32(): void {}
  adjustExternalMemory(): number { return 0; }
}
