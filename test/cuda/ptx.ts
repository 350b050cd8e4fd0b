/**
 * Compiles the kernel sources with nvcc -ptx (where nvcc is installed) and reads the kernel
 * signatures out of the PTX, so machines without a GPU still check that every kernel compiles
 * and that the backend launches kernels that exist, with parameters of the right sizes.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KERNEL_FILES, kernelDir } from "../../lib/backends/cuda/kernels";

/** nvcc's path, or null when it is not installed. */
export function findNvcc(): string | null {
  const cands = [process.env.NVCC, "nvcc", "/usr/local/bin/nvcc", "/usr/local/cuda/bin/nvcc"].filter(Boolean) as string[];
  for (const c of cands) {
    const r = spawnSync(c, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return c;
  }
  return null;
}

/** Parameter sizes in bytes of every .entry in a PTX text. */
export function ptxEntries(ptx: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const re = /\.entry\s+(\w+)\s*\(([^)]*)\)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(ptx)) !== null) {
    const sizes: number[] = [];
    for (const line of m[2].split(",")) {
      const t = line.trim();
      if (!t) continue;
      const arr = /\[(\d+)\]/.exec(t);
      if (arr) { sizes.push(Number(arr[1])); continue; }
      const ty = /\.param\s+\.[usfb](\d+)/.exec(t);
      if (!ty) throw new Error(`cannot read PTX parameter: ${t}`);
      sizes.push(Number(ty[1]) / 8);
    }
    out.set(m[1], sizes);
  }
  return out;
}

export interface CompiledKernels {
  /** Kernel file → entry name → parameter sizes. */
  entries: Map<string, Map<string, number[]>>;
  /** Files nvcc refused, with its message. */
  errors: Map<string, string>;
}

/** Compiles every kernel file to PTX for sm_90 (two at a time: the CI machine has 2 cores). */
export async function compileAll(nvcc: string): Promise<CompiledKernels> {
  const dir = kernelDir();
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-ptx-"));
  const entries = new Map<string, Map<string, number[]>>();
  const errors = new Map<string, string>();
  const queue = [...KERNEL_FILES];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const file = f;
      const out = path.join(outDir, file + ".ptx");
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const p = spawn(nvcc, ["-ptx", "-arch=compute_90", "-Werror", "all-warnings", path.join(dir, file + ".cu"), "-o", out]);
        let err = "";
        p.stderr.on("data", (d) => (err += d));
        p.stdout.on("data", (d) => (err += d));
        p.on("close", (code) => resolve({ code, err }));
      });
      if (r.code !== 0) errors.set(file, r.err);
      else entries.set(file, ptxEntries(fs.readFileSync(out, "utf8")));
    }
  };
  await Promise.all([worker(), worker()]);
  fs.rmSync(outDir, { recursive: true, force: true });
  return { entries, errors };
}
