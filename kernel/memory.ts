/**
 * How much memory the kernel may still use before the system kills it, for the watch that
 * stops a cell near the limit (JavaScript arrays, typed arrays of the js backend; the native
 * allocator checks its own large blocks against the same limits). The limits are found in one
 * place, lib/memory-limit.ts: the machine's MemAvailable, every limited level of the process's
 * own memory cgroup (limit minus usage) and $GRADBOOK_MEMORY_LIMIT minus the resident size.
 */
import { describeAvailable, limited as anyLimit, memoryAvailable, type MemoryFigure } from "../lib/memory-limit";

export type Availability = MemoryFigure;

/** Whether any limit short of the whole machine applies (only then is watching worth it). */
export function limited(): boolean {
  return anyLimit();
}

export function available(): Availability {
  return memoryAvailable();
}

export function describe(a: Availability): string {
  return describeAvailable(a);
}
