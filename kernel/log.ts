/**
 * The kernel's own diagnostics. They go straight to file descriptor 2 (the Jupyter server's
 * log), bypassing `process.stderr`, which the executor captures as the user's stderr.
 */
import { writeSync } from "fs";

export function log(message: string): void {
  if (process.env.GRADBOOK_QUIET === "1") return;
  try {
    writeSync(2, `[gradbook] ${message}\n`);
  } catch {
    // stderr closed: nothing sensible left to do with a diagnostic.
  }
}

/** Sends a worker thread's stdout/stderr to the kernel log, away from the user's captured streams. */
export function logWorkerOutput(worker: { stdout?: NodeJS.ReadableStream | null; stderr?: NodeJS.ReadableStream | null }): void {
  worker.stdout?.on("data", (d: Buffer) => log(d.toString().trimEnd()));
  worker.stderr?.on("data", (d: Buffer) => log(d.toString().trimEnd()));
}
