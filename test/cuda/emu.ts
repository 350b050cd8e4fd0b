/**
 * Builds gradbook_cuda_emu (test/cuda/emu/): the kernel sources compiled for the CPU with
 * cuda_emu.h, behind the gradbook_cuda addon's interface. With it the CUDA backend's
 * TypeScript and its kernels run end to end, against the js reference, on machines with no
 * GPU. cuBLAS is replaced by a reference GEMM with cuBLAS's column-major semantics; NVRTC,
 * the driver and cuDNN are not exercised (the GPU check covers them).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { CudaAddon } from "../../lib/backends/cuda/binding";
import { KERNEL_FILES, kernelDir } from "../../lib/backends/cuda/kernels";

export interface EmuAddon extends CudaAddon {
  /** Out-of-bounds writes and bad frees seen since the last call. */
  takeErrors(): string[];
}

const EMU_DIR = path.join(__dirname, "emu");

/** Kernel names defined by a kernel file, read from its preprocessed text (no system headers). */
function kernelNames(file: string): string[] {
  const defs = ["-D__global__=", "-D__device__=", "-D__forceinline__=inline", "-D__restrict__=", "-D__shared__=static"];
  const r = spawnSync("g++", ["-std=c++20", "-E", "-P", "-x", "c++", ...defs, path.join(kernelDir(), file + ".cu")], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`g++ -E ${file}.cu failed: ${r.stderr.slice(0, 2000)}`);
  return [...r.stdout.matchAll(/extern "C"\s+void\s+(\w+)\s*\(/g)].map((m) => m[1]);
}

/** Builds the emulator addon in `dir` (node-gyp, g++) and loads it. */
export function buildEmulator(root: string, dir: string): EmuAddon {
  // gyp wants sources relative to binding.gyp.
  fs.copyFileSync(path.join(EMU_DIR, "emu_addon.cc"), path.join(dir, "emu_addon.cc"));
  const sources = ["emu_addon.cc"];
  for (const f of KERNEL_FILES) {
    const names = kernelNames(f);
    const src = [
      '#include "cuda_emu.h"',
      `#include "${path.join(kernelDir(), f + ".cu")}"`,
      '#include "emu_invoke.h"',
      "static const gb_emu_entry table[] = {",
      ...names.map((n) => `  GB_EMU_ENTRY(${n}),`),
      "};",
      `static int registered = gb_emu_register("${f}", table, sizeof(table) / sizeof(table[0]));`,
    ].join("\n");
    fs.writeFileSync(path.join(dir, `${f}_emu.cc`), src);
    sources.push(`${f}_emu.cc`);
  }
  const gyp = {
    targets: [{
      target_name: "gradbook_cuda_emu",
      sources,
      include_dirs: [EMU_DIR, path.join(root, "node_modules", "node-addon-api")],
      defines: ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++1y"],
      cflags_cc: ["-std=c++20", "-O1", "-pthread", "-Wno-unused-variable", "-Wno-unused-function"],
      ldflags: ["-pthread"],
    }],
  };
  fs.writeFileSync(path.join(dir, "binding.gyp"), JSON.stringify(gyp, null, 1));
  if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  const args = [require.resolve("node-gyp/bin/node-gyp.js", { paths: [root] }), "rebuild", "--jobs", "2"];
  const nodedir = process.env.npm_config_nodedir ?? (fs.existsSync("/usr/include/node/node_api.h") ? "/usr" : undefined);
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", timeout: 400_000 });
  if (r.status !== 0) throw new Error(`building the CUDA emulator failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(dir, "build", "Release", "gradbook_cuda_emu.node")) as EmuAddon;
}
