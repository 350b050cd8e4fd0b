/**
 * Warm grading kernels, started ahead of need. A kernel start is about half a second and its
 * type checker's warm-up (the first cell, which parses lib.d.ts and the library's declarations)
 * as much again; the pool does both for the next submission while the current one runs, so a
 * worker that finishes a submission finds the next one's kernel ready. One spare per worker.
 *
 * Spares are started for a given working directory (the submission's folder, where its data
 * files are found) and handed out only for it; one never handed out is closed by `close()`.
 */
import { GradingKernel } from "./kernel-client";

export interface KernelStartOptions {
  /** Resident memory limit per kernel (bytes). */
  memoryLimit: number;
}

/** Starts a kernel and runs its first cell, so that no cell of a submission waits for the type checker. */
export async function startWarmKernel(cwd: string, opts: KernelStartOptions, timeoutMs: number): Promise<GradingKernel> {
  const k = new GradingKernel({ cwd, memoryLimit: opts.memoryLimit, env: { GRADBOOK_QUIET: "1" } });
  try {
    await k.start();
    const warm = await k.execute("undefined", Math.max(1000, Math.min(120_000, timeoutMs)));
    if (warm.status !== "ok") throw new Error(`the kernel's first cell failed: ${warm.error?.evalue ?? warm.status}`);
    return k;
  } catch (e) {
    await k.close();
    throw e;
  }
}

interface Spare {
  cwd: string;
  /** The started kernel, or why it could not be started. */
  ready: Promise<GradingKernel | Error>;
}

/** Where grading gets its kernels: a fresh one each time, or a pool's spare. */
export interface KernelSource {
  /** A warm kernel for `cwd`; throws when it cannot be started. */
  take(cwd: string, timeoutMs: number): Promise<GradingKernel>;
}

export const freshKernels = (opts: KernelStartOptions): KernelSource => ({ take: (cwd, timeoutMs) => startWarmKernel(cwd, opts, timeoutMs) });

export class KernelPool implements KernelSource {
  private spares: Spare[] = [];
  private closed = false;
  /** Kernels handed out that were started ahead (for the benchmark and tests). */
  hits = 0;
  misses = 0;

  constructor(
    private readonly opts: KernelStartOptions & {
      /** Most kernels started ahead and not yet handed out. */
      spares: number;
      /** Time allowed for a spare's start and warm-up (ms). */
      startTimeoutMs?: number;
      /** Called whenever a kernel is handed out or started for a taker: the moment to start the next spare. */
      refill?: () => void;
    },
  ) {}

  /** Kernels started ahead and not yet handed out. */
  get waiting(): number {
    return this.spares.length;
  }

  /** Starts a kernel for `cwd` in the background, unless the pool already holds its share of spares. */
  prepare(cwd: string): void {
    if (this.closed || this.spares.length >= this.opts.spares) return;
    const ready = startWarmKernel(cwd, this.opts, this.opts.startTimeoutMs ?? 120_000).catch((e: Error) => e);
    this.spares.push({ cwd, ready });
  }

  /** The oldest spare started for `cwd` (once it is warm), else a kernel started now. */
  async take(cwd: string, timeoutMs: number): Promise<GradingKernel> {
    const i = this.spares.findIndex((s) => s.cwd === cwd);
    if (i >= 0) {
      const [spare] = this.spares.splice(i, 1);
      const k = await spare.ready;
      // A spare that failed to start, or died while it waited, is replaced by a fresh start.
      if (!(k instanceof Error) && !k.dead) {
        this.hits++;
        this.opts.refill?.();
        return k;
      }
      if (!(k instanceof Error)) await k.close();
    }
    this.misses++;
    this.opts.refill?.();
    return startWarmKernel(cwd, this.opts, timeoutMs);
  }

  /** Closes every spare not handed out. */
  async close(): Promise<void> {
    this.closed = true;
    const left = this.spares.splice(0);
    await Promise.all(left.map(async (s) => {
      const k = await s.ready;
      if (!(k instanceof Error)) await k.close();
    }));
  }
}
