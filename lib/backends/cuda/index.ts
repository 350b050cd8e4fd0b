/**
 * The CUDA backend, loaded at run time.
 *
 * Importing this module costs nothing and never throws: the addon is loaded, the NVIDIA
 * libraries opened and the GPU initialised only when something asks (`loadCudaBackend()`, which
 * the engine calls on first use of device "cuda", or `cuda.isAvailable()`).
 *
 * @example
 * ```ts
 * import { cuda } from "gradbook";
 * if (cuda.isAvailable()) {
 *   cuda.setAllowTF32(true);             // like torch.backends.cuda.matmul.allow_tf32 = True
 *   const x = randn([4096, 4096], { device: "cuda" });
 *   x.matmul(x).sum().item();
 *   console.log(cuda.deviceName(), cuda.memoryStats().reservedBytes);
 * } else {
 *   console.log("no GPU:", cuda.unavailableReason());
 * }
 * ```
 */
import type { Backend } from "../../backend";
import type { MemoryStats } from "./allocator";
import { createCudaBackend } from "./backend";
import { type LoadInfo, loadAddon } from "./binding";
import { CudaContext } from "./context";

export type { MemoryStats } from "./allocator";
export type { LoadInfo } from "./binding";

let state: { ctx: CudaContext; backend: Backend } | { reason: string } | null = null;
let allowTF32 = false;

function init(): { ctx: CudaContext; backend: Backend } | { reason: string } {
  if (state !== null) return state;
  const loaded = loadAddon();
  if ("error" in loaded) return (state = { reason: loaded.error });
  let info: LoadInfo;
  try {
    info = loaded.addon.load();
  } catch (e) {
    return (state = { reason: `the gradbook_cuda addon failed to initialise: ${(e as Error).message}` });
  }
  if (!info.ok) return (state = { reason: info.reason });
  const ctx = new CudaContext(loaded.addon, info);
  const backend = createCudaBackend(ctx);
  if (allowTF32) {
    loaded.addon.setTF32(true);
    ctx.tf32 = true;
  }
  return (state = { ctx, backend });
}

function ready(what: string): CudaContext {
  const s = init();
  if ("reason" in s) throw new Error(`cuda.${what}: CUDA is unavailable: ${s.reason}`);
  return s.ctx;
}

/**
 * The CUDA backend for the engine's device "cuda". Throws an Error with the reason when no GPU
 * can be used, e.g. "libcuda.so.1 not found: no NVIDIA driver".
 */
export function loadCudaBackend(): Backend {
  const s = init();
  if ("reason" in s) throw new Error(s.reason);
  return s.backend;
}

/** Queries and settings for the CUDA device, in the spirit of `torch.cuda`. */
export const cuda = {
  /**
   * Whether a GPU is usable (driver, NVRTC and a device found). Loads the backend on first call.
   * @example if (cuda.isAvailable()) model.to("cuda");
   */
  isAvailable(): boolean {
    return !("reason" in init());
  },

  /**
   * Why CUDA is unavailable, or null when it is available.
   * @example console.log(cuda.unavailableReason() ?? "GPU ready");
   */
  unavailableReason(): string | null {
    const s = init();
    return "reason" in s ? s.reason : null;
  },

  /**
   * The GPU's name, e.g. "NVIDIA H100 80GB HBM3". Throws when CUDA is unavailable.
   * @example cuda.deviceName()
   */
  deviceName(): string {
    return ready("deviceName").info.deviceName ?? "unknown";
  },

  /** Everything the loader found: compute capability, NVRTC and cuBLAS versions, memory. */
  deviceInfo(): LoadInfo {
    return { ...ready("deviceInfo").info };
  },

  /**
   * The caching allocator's counters, plus the driver's free/total bytes.
   * @example const { allocatedBytes, cachedBytes } = cuda.memoryStats();
   */
  memoryStats(): MemoryStats & { deviceFreeBytes: number; deviceTotalBytes: number } {
    const ctx = ready("memoryStats");
    const m = ctx.addon.memGetInfo();
    return { ...ctx.allocator.memoryStats(), deviceFreeBytes: m.free, deviceTotalBytes: m.total };
  },

  /**
   * Gives cached free blocks back to the driver (torch.cuda.empty_cache()).
   * @example cuda.emptyCache();
   */
  emptyCache(): void {
    ready("emptyCache").allocator.emptyCache();
  },

  /**
   * Lets float32 matmul and convolution use TF32 tensor cores (10-bit mantissa inputs, float32
   * accumulation): several times faster on Ampere and newer, about 1e-3 relative error. Off by
   * default, like PyTorch's `torch.backends.cuda.matmul.allow_tf32`.
   * @example cuda.setAllowTF32(true);
   */
  setAllowTF32(flag: boolean): void {
    allowTF32 = !!flag;
    const s = state;
    if (s !== null && !("reason" in s)) {
      s.ctx.addon.setTF32(allowTF32);
      s.ctx.tf32 = allowTF32;
    }
  },

  /** Whether TF32 is allowed (see setAllowTF32). */
  getAllowTF32(): boolean {
    return allowTF32;
  },

  /**
   * Waits until every queued kernel has finished (for timing; reads synchronise by themselves).
   * @example cuda.synchronize(); const t = performance.now();
   */
  synchronize(): void {
    ready("synchronize").addon.synchronize();
  },

  /** How many convolution kernels ran through cuDNN and through im2col + GEMM. */
  convolutionCounts(): { cudnn: number; im2col: number } {
    return { ...ready("convolutionCounts").convCounts };
  },

  /** Milliseconds spent compiling kernels with NVRTC in this process. */
  compileMs(): number {
    const s = state;
    return s !== null && !("reason" in s) ? s.ctx.kernels.compileMs : 0;
  },
};
