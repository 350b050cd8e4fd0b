/**
 * Finding and loading the `gradbook_cuda` addon (native/cuda/*.cc), typed where it is loaded.
 *
 * The addon itself opens the NVIDIA libraries with dlopen, so loading it never fails for lack of
 * a GPU; `load()` then reports whether a device is usable and, if not, why.
 */
import * as fs from "fs";
import * as path from "path";

/** What `load()` reports: a usable device, or the reason there is none. */
export interface LoadInfo {
  ok: boolean;
  reason: string;
  deviceName?: string;
  ccMajor?: number;
  ccMinor?: number;
  smCount?: number;
  totalMem?: number;
  driverVersion?: number;
  nvrtc?: string;
  /** The cuBLAS library loaded, or null when matmul uses gradbook's own GEMM kernel. */
  cublas?: string | null;
  cublasReason?: string;
  /** The cuDNN library and version, or null when convolution uses im2col + GEMM. */
  cudnn?: string | null;
  cudnnReason?: string;
}

/** What cuDNN's heuristics chose for one convolution shape. */
export interface CudnnPlan {
  ok: boolean;
  error: string;
  algo: number;
  /** Workspace bytes the algorithm needs. */
  workspace: number;
}

/** The addon's functions (native/cuda/addon.cc). Device pointers are plain numbers. */
export interface CudaAddon {
  load(): LoadInfo;
  memGetInfo(): { free: number; total: number };
  malloc(bytes: number): number;
  free(ptr: number): void;
  upload(ptr: number, data: ArrayBufferView): void;
  download(ptr: number, into: ArrayBufferView): void;
  copyDtoD(dst: number, src: number, bytes: number): void;
  memset32(ptr: number, bits: number, count: number): void;
  memset8(ptr: number, byte: number, count: number): void;
  synchronize(): void;
  compile(source: string, name: string, options: string[]): number;
  getFunction(module: number, name: string): number;
  launch(fn: number, gx: number, gy: number, gz: number, bx: number, by: number, bz: number,
    sharedBytes: number, blob: Uint8Array, offsets: Uint32Array): void;
  gemm(dtype: 0 | 1, opA: 0 | 1, opB: 0 | 1, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, strideA: number, b: number, ldb: number, strideB: number, beta: number,
    c: number, ldc: number, strideC: number, batch: number): void;
  setTF32(flag: boolean): void;
  adjustExternalMemory(delta: number): number;
  /** kind 0 forward, 1 input gradient, 2 weight gradient; dtype 0 float32, 1 float64. */
  cudnnPlan(kind: 0 | 1 | 2, dtype: 0 | 1, params: number[], tf32: boolean): CudnnPlan;
  cudnnRun(kind: 0 | 1 | 2, dtype: 0 | 1, params: number[], tf32: boolean, a: number, b: number, out: number,
    workspace: number, workspaceBytes: number): void;
}

/** The package root: the nearest folder above this file with gradbook's package.json. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, "utf8")).name === "gradbook") return dir;
      } catch {
        // not ours; keep looking upwards
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(__dirname, "..", "..", "..");
    dir = up;
  }
}

/** Where the addon may be, in order: $GRADBOOK_CUDA_ADDON, then node-gyp's output folders. */
export function addonCandidates(root = packageRoot()): string[] {
  const c: string[] = [];
  if (process.env.GRADBOOK_CUDA_ADDON) c.push(path.resolve(process.env.GRADBOOK_CUDA_ADDON));
  c.push(path.join(root, "build", "Release", "gradbook_cuda.node"));
  c.push(path.join(root, "build", "Debug", "gradbook_cuda.node"));
  return c;
}

/**
 * Loads the addon, or returns every location tried and why each failed, with the fix, in the
 * manner of sharp's loader.
 */
export function loadAddon(): { addon: CudaAddon } | { error: string } {
  const errors: string[] = [];
  for (const file of addonCandidates()) {
    if (!fs.existsSync(file)) {
      errors.push(`${file}: not built`);
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return { addon: require(file) as CudaAddon };
    } catch (e) {
      errors.push(`${file}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  return {
    error: `the gradbook_cuda addon is not built (${errors.join("; ")}). ` +
      "Possible solutions: run `npm run build:native` (needs python3, make and g++; no CUDA toolkit), " +
      "or set GRADBOOK_CUDA_ADDON to the path of gradbook_cuda.node",
  };
}
