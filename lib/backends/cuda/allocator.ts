/**
 * The caching allocator: device blocks freed by tensors go to a free list keyed by their
 * rounded size and are handed out again, so a training loop that makes the same shapes every
 * step stops calling cuMemAlloc/cuMemFree (each of which synchronises the GPU) after its first
 * step. Like PyTorch's, blocks are reused on the one stream in order, so no event tracking is
 * needed: a kernel queued after the free runs after every kernel that used the block before.
 */

/** What `cuda.memoryStats()` reports. Bytes are rounded block sizes. */
export interface MemoryStats {
  /** Bytes in blocks held by live storages. */
  allocatedBytes: number;
  /** Highest allocatedBytes seen. */
  peakAllocatedBytes: number;
  /** Bytes of free blocks kept for reuse. */
  cachedBytes: number;
  /** allocatedBytes + cachedBytes: everything taken from the driver. */
  reservedBytes: number;
  /** Blocks held by live storages. */
  activeBlocks: number;
  /** cuMemAlloc calls made, and how many requests the cache served instead. */
  driverAllocs: number;
  cacheHits: number;
  /** Times the cache was emptied to satisfy an allocation that did not fit. */
  cacheFlushes: number;
}

/** The driver calls the allocator needs (the addon provides them; tests can too). */
export interface DeviceMemory {
  malloc(bytes: number): number;
  free(ptr: number): void;
  memGetInfo(): { free: number; total: number };
}

/** One device block; also the handle a storage's finaliser frees. */
export interface Block {
  readonly ptr: number;
  readonly bytes: number;
  freed: boolean;
}

const MiB = 1024 * 1024;

/** Rounds a request: 512-byte steps up to 1 MiB, then 2 MiB steps (as PyTorch rounds). */
export function roundSize(bytes: number): number {
  if (bytes <= MiB) return Math.max(512, Math.ceil(bytes / 512) * 512);
  return Math.ceil(bytes / (2 * MiB)) * 2 * MiB;
}

function mib(b: number): string {
  return b < 1024 * MiB ? (b / MiB).toFixed(2) + " MiB" : (b / (1024 * MiB)).toFixed(2) + " GiB";
}

export class CachingAllocator {
  private readonly free = new Map<number, number[]>();
  private stats: MemoryStats = {
    allocatedBytes: 0, peakAllocatedBytes: 0, cachedBytes: 0, reservedBytes: 0,
    activeBlocks: 0, driverAllocs: 0, cacheHits: 0, cacheFlushes: 0,
  };

  constructor(private readonly mem: DeviceMemory, private readonly onExternal?: (delta: number) => void) {}

  /** A block of at least `bytes`; throws a clear Error when the GPU is full. */
  alloc(bytes: number): Block {
    const size = roundSize(bytes);
    const list = this.free.get(size);
    let ptr: number | undefined = list?.pop();
    if (ptr !== undefined) {
      this.stats.cacheHits++;
      this.stats.cachedBytes -= size;
    } else {
      ptr = this.fromDriver(size, bytes);
    }
    const s = this.stats;
    s.allocatedBytes += size;
    s.activeBlocks++;
    if (s.allocatedBytes > s.peakAllocatedBytes) s.peakAllocatedBytes = s.allocatedBytes;
    s.reservedBytes = s.allocatedBytes + s.cachedBytes;
    this.onExternal?.(size);
    return { ptr, bytes: size, freed: false };
  }

  /** Returns a block to the cache. Idempotent, so dispose and a finaliser may both call it. */
  release(b: Block): void {
    if (b.freed) return;
    b.freed = true;
    let list = this.free.get(b.bytes);
    if (list === undefined) { list = []; this.free.set(b.bytes, list); }
    list.push(b.ptr);
    const s = this.stats;
    s.allocatedBytes -= b.bytes;
    s.activeBlocks--;
    s.cachedBytes += b.bytes;
    s.reservedBytes = s.allocatedBytes + s.cachedBytes;
    this.onExternal?.(-b.bytes);
  }

  /** Gives every cached block back to the driver (torch.cuda.empty_cache). */
  emptyCache(): void {
    for (const [, list] of this.free) for (const p of list) this.mem.free(p);
    this.free.clear();
    this.stats.cachedBytes = 0;
    this.stats.reservedBytes = this.stats.allocatedBytes;
  }

  memoryStats(): MemoryStats {
    return { ...this.stats };
  }

  private fromDriver(size: number, asked: number): number {
    try {
      this.stats.driverAllocs++;
      return this.mem.malloc(size);
    } catch (e) {
      if (!isOutOfMemory(e)) throw e;
    }
    // Cached blocks of other sizes may be what is missing: free them and try once more.
    this.stats.cacheFlushes++;
    this.emptyCache();
    try {
      return this.mem.malloc(size);
    } catch (e) {
      if (!isOutOfMemory(e)) throw e;
      let free = "unknown";
      let total = "unknown";
      try {
        const info = this.mem.memGetInfo();
        free = mib(info.free);
        total = mib(info.total);
      } catch {
        // the numbers are a courtesy; the error below is what matters
      }
      throw new Error(
        `cuda: out of memory: tried to allocate ${mib(asked)} (${asked} bytes); ${free} free of ${total} on the GPU, ` +
        `${mib(this.stats.allocatedBytes)} held by live tensors. Free tensors with dispose() or tidy(), ` +
        "or use a smaller batch size.");
    }
  }
}

/** Whether an addon error is CUDA_ERROR_OUT_OF_MEMORY. */
export function isOutOfMemory(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { cuResult?: number }).cuResult === 2;
}
