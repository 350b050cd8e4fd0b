/**
 * The CUDA backend. Everywhere: the addon builds without a CUDA toolkit and reports the GPU
 * unavailable with its reason; importing costs nothing; every kernel source compiles with
 * nvcc -ptx; every launch the backend makes names a compiled kernel with parameters of the
 * sizes the PTX declares; the GEMM mapping and the allocator are right. Where a GPU is present
 * (cuda.isAvailable()), every backend case and the op database run on "cuda" against "js".
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as v8 from "v8";
import * as vm from "vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJsBackend } from "../../lib/backends/js";
import { CachingAllocator, type DeviceMemory, roundSize } from "../../lib/backends/cuda/allocator";
import { createCudaBackend } from "../../lib/backends/cuda/backend";
import { packageRoot } from "../../lib/backends/cuda/binding";
import { CudaContext } from "../../lib/backends/cuda/context";
import { cuda, loadCudaBackend } from "../../lib/backends/cuda/index";
import { Args, KERNEL_FILES, STRIDED_BYTES, kernelSource } from "../../lib/backends/cuda/kernels";
import { matmulGemm, mergeDims, splitReduction, toColumnMajor, type RowMajorGemm } from "../../lib/backends/cuda/layout";
import { defineOpTests } from "../lib/opdb";
import { backendCases, runAgainst, values } from "./cases";
import { frontendChecks } from "./frontend";
import { zeros } from "../../lib";
import { Engine, getEngine, withEngine } from "../../lib/engine";
import { type EmuAddon, buildEmulator } from "./emu";
import { replayGraphs } from "../lib/fuzz";
import { type CompiledKernels, compileAll, findNvcc } from "./ptx";
import { RecordingAddon } from "./recorder";

const root = packageRoot();

/** Whether a package resolves from the repo (the GPU machine carries only the test runner). */
function resolvable(name: string): boolean {
  try { require.resolve(name, { paths: [root] }); return true; } catch { return false; }
}

// ---------------------------------------------------------------------------------------------
describe("layout", () => {
  it("merges contiguous and broadcast dimensions", () => {
    expect(mergeDims([2, 3, 4], [[12, 4, 1], [12, 4, 1]])).toEqual({ shape: [24], strides: [[1], [1]] });
    // A transposed operand keeps both dimensions; size-1 dimensions disappear.
    expect(mergeDims([3, 1, 4], [[4, 4, 1], [1, 1, 3]])).toEqual({ shape: [3, 4], strides: [[4, 1], [1, 3]] });
    // A broadcast row merges with nothing, a scalar collapses to [1] with stride 0.
    expect(mergeDims([4, 5], [[5, 1], [0, 1]])).toEqual({ shape: [4, 5], strides: [[5, 1], [0, 1]] });
    expect(mergeDims([1, 1], [[1, 1]])).toEqual({ shape: [1], strides: [[0]] });
  });

  it("splits reductions into kept and reduced index spaces", () => {
    const s = splitReduction([2, 3, 4, 5], [0, 2, 3]);
    expect(s).toEqual({ kept: { shape: [3], strides: [20] }, red: { shape: [2, 20], strides: [60, 1] }, nOut: 3, R: 40 });
    expect(splitReduction([6, 7], [1]).red).toEqual({ shape: [7], strides: [1] });
  });

  // A plain reference: row-major GEMM with leading dimensions, and cuBLAS's column-major one.
  function rowMajorRef(g: RowMajorGemm, A: number[], B: number[], C: number[]): void {
    for (let b = 0; b < g.batch; b++)
      for (let i = 0; i < g.m; i++)
        for (let j = 0; j < g.n; j++) {
          let s = 0;
          for (let q = 0; q < g.k; q++) {
            const a = g.transA ? A[b * g.strideA + q * g.lda + i] : A[b * g.strideA + i * g.lda + q];
            const bb = g.transB ? B[b * g.strideB + j * g.ldb + q] : B[b * g.strideB + q * g.ldb + j];
            s += a * bb;
          }
          C[b * g.strideC + i * g.ldc + j] = s;
        }
  }
  function cublasRef(c: ReturnType<typeof toColumnMajor>, A: number[], B: number[], C: number[]): void {
    // Column-major: element (r, col) of X with leading dimension ld lives at col * ld + r.
    for (let b = 0; b < c.batch; b++)
      for (let i = 0; i < c.m; i++)
        for (let j = 0; j < c.n; j++) {
          let s = 0;
          for (let q = 0; q < c.k; q++) {
            const a = c.opA ? A[b * c.strideA + i * c.lda + q] : A[b * c.strideA + q * c.lda + i];
            const bb = c.opB ? B[b * c.strideB + q * c.ldb + j] : B[b * c.strideB + j * c.ldb + q];
            s += a * bb;
          }
          C[b * c.strideC + j * c.ldc + i] = s;
        }
  }

  it("maps row-major GEMMs onto cuBLAS's column-major call", () => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const g = matmulGemm({ batch: 2, m: 3, n: 4, k: 5, transA, transB, strideA: 15, strideB: 0 });
        const A = values(30, 1), B = values(20, 2);
        const want = new Array(24).fill(0), got = new Array(24).fill(0);
        rowMajorRef(g, A, B, want);
        const c = toColumnMajor(g);
        cublasRef(c, B, A, got); // cuBLAS's A is our B
        expect(got).toEqual(want);
        // cuBLAS's rules for leading dimensions.
        expect(c.lda).toBeGreaterThanOrEqual(c.opA ? c.k : c.m);
        expect(c.ldb).toBeGreaterThanOrEqual(c.opB ? c.n : c.k);
        expect(c.ldc).toBeGreaterThanOrEqual(c.m);
      }
    }
  });
});

describe("kernel parameter packing", () => {
  it("lays out pointers, scalars and structs in 8-byte slots", () => {
    const a = new Args().reset().ptr(2 ** 40 + 5).i32(-3).f32(1.5).strided([4, 5], [[5, 1], [0, 1]]).i64s([7, -8]).f64(0.25);
    expect(Array.from(a.offsets)).toEqual([0, 8, 16, 24, 24 + STRIDED_BYTES, 24 + STRIDED_BYTES + 16]);
    expect(a.sizes).toEqual([8, 4, 4, STRIDED_BYTES, 16, 8]);
    const v = new DataView(a.blob.buffer);
    expect(v.getBigUint64(0, true)).toBe(BigInt(2 ** 40 + 5));
    expect(v.getInt32(8, true)).toBe(-3);
    expect(v.getFloat32(16, true)).toBe(1.5);
    // struct Strided: ndim, shape[8], st[4][8]
    expect(v.getBigInt64(24, true)).toBe(2n);
    expect(v.getBigInt64(24 + 8 * 2, true)).toBe(5n);
    expect(v.getBigInt64(24 + 8 * (1 + 8 + 8 + 0), true)).toBe(0n); // operand 1, dim 0: broadcast
    expect(v.getBigInt64(24 + 8 * (1 + 8 + 8 + 1), true)).toBe(1n);
    expect(v.getBigInt64(24 + STRIDED_BYTES + 8, true)).toBe(-8n);
    expect(() => new Args().reset().strided(new Array(9).fill(2), [new Array(9).fill(1)])).toThrow(/9 dimensions/);
  });

  it("inlines the shared header so NVRTC needs no include paths", () => {
    for (const f of KERNEL_FILES) {
      const src = kernelSource(f);
      expect(src).not.toMatch(/#include/);
      expect(src).toContain("struct Strided");
    }
  });
});

describe("convolution through cuDNN", () => {
  it("sends every symmetric-padding convolution to cuDNN with a workspace from the allocator", () => {
    const rec = new RecordingAddon();
    rec.cudnnWorkspace = 4096;
    const ctx = new CudaContext(rec, rec.load());
    rec.args = ctx.args;
    const be = createCudaBackend(ctx);
    const convCases = backendCases().filter((c) => c.name.startsWith("conv2d"));
    for (const c of convCases) c.run(be);
    expect(rec.cudnnCalls.length).toBe(convCases.length);
    expect(new Set(rec.cudnnCalls.map((c) => c.kind))).toEqual(new Set([0, 1, 2]));
    expect(rec.launches.filter((l) => /im2col|col2im/.test(l.name))).toEqual([]);
    expect(ctx.convCounts).toEqual({ cudnn: convCases.length, im2col: 0 });
    // The workspace went back to the cache.
    expect(ctx.allocator.memoryStats().cacheHits).toBeGreaterThan(0);
  });

  it("falls back to im2col for asymmetric padding", () => {
    const rec = new RecordingAddon();
    rec.cudnnWorkspace = 0;
    const ctx = new CudaContext(rec, rec.load());
    rec.args = ctx.args;
    const be = createCudaBackend(ctx);
    const p = { n: 1, cIn: 1, h: 4, w: 4, cOut: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padTop: 0, padLeft: 0,
      padBottom: 1, padRight: 1, dilationH: 1, dilationW: 1, groups: 1, outH: 4, outW: 4 };
    be.conv2d(be.fill(16, 1, "float32"), be.fill(4, 1, "float32"), p);
    expect(rec.cudnnCalls).toEqual([]);
    expect(ctx.convCounts).toEqual({ cudnn: 0, im2col: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
describe("caching allocator", () => {
  // Device memory simulated on the host with a capacity, to drive the allocator's policy.
  class HostMemory implements DeviceMemory {
    used = 0;
    mallocs = 0;
    frees = 0;
    private live = new Map<number, number>();
    private next = 4096;
    constructor(readonly capacity: number) {}
    malloc(bytes: number): number {
      if (this.used + bytes > this.capacity) throw Object.assign(new Error("cuda: cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY"), { cuResult: 2 });
      this.used += bytes;
      this.mallocs++;
      const p = this.next;
      this.next += bytes;
      this.live.set(p, bytes);
      return p;
    }
    free(ptr: number): void {
      this.used -= this.live.get(ptr)!;
      this.live.delete(ptr);
      this.frees++;
    }
    memGetInfo() { return { free: this.capacity - this.used, total: this.capacity }; }
  }

  it("reuses freed blocks of the same rounded size", () => {
    const mem = new HostMemory(64 << 20);
    const al = new CachingAllocator(mem);
    for (let step = 0; step < 10; step++) {
      const blocks = [al.alloc(1000), al.alloc(4 << 20), al.alloc(1000)];
      for (const b of blocks) al.release(b);
    }
    expect(mem.mallocs).toBe(3);
    const s = al.memoryStats();
    expect(s.cacheHits).toBe(27);
    expect(s.allocatedBytes).toBe(0);
    expect(s.cachedBytes).toBe(2 * 1024 + (4 << 20));
    expect(s.peakAllocatedBytes).toBe(2 * 1024 + (4 << 20));
    expect(roundSize(1)).toBe(512);
    expect(roundSize((1 << 20) + 1)).toBe(2 << 20);
  });

  it("empties the cache before giving up, then says how much was asked and how much is free", () => {
    const mem = new HostMemory(16 << 20);
    const al = new CachingAllocator(mem);
    const a = al.alloc(6 << 20), b = al.alloc(6 << 20);
    al.release(a);
    al.release(b);
    // 12 MiB cached in 6 MiB blocks; a 10 MiB block fits only once they go back to the driver.
    const c = al.alloc(10 << 20);
    expect(mem.frees).toBe(2);
    expect(al.memoryStats().cacheFlushes).toBe(1);
    expect(() => al.alloc(8 << 20)).toThrow(/out of memory: tried to allocate 8\.00 MiB \(8388608 bytes\); 6\.00 MiB free of 16\.00 MiB on the GPU, 10\.00 MiB held by live tensors/);
    al.release(c);
    al.release(c); // idempotent: dispose and a finaliser may both release
    expect(al.memoryStats().activeBlocks).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
const nvcc = findNvcc();
describe.skipIf(!nvcc)("kernel sources (nvcc -ptx)", () => {
  let compiled: CompiledKernels;
  beforeAll(async () => {
    compiled = await compileAll(nvcc!);
  }, 180_000);

  it("every kernel file compiles without warnings", () => {
    expect(Object.fromEntries(compiled.errors)).toEqual({});
    expect([...compiled.entries.keys()].sort()).toEqual([...KERNEL_FILES].sort());
  });

  it("every launch names a compiled kernel, with the PTX's parameter sizes and legal launch shapes", () => {
    const rec = new RecordingAddon();
    const ctx = new CudaContext(rec, rec.load());
    rec.args = ctx.args;
    const be = createCudaBackend(ctx);
    for (const c of backendCases()) c.run(be);
    expect(rec.launches.length).toBeGreaterThan(300);
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const l of rec.launches) {
      const sig = compiled.entries.get(l.file)?.get(l.name);
      if (!sig) { problems.push(`${l.file}.cu has no kernel ${l.name}`); continue; }
      seen.add(l.name);
      if (JSON.stringify(sig) !== JSON.stringify(l.sizes)) problems.push(`${l.name}: PTX params ${sig}, packed ${l.sizes}`);
      const threads = l.block[0] * l.block[1] * l.block[2];
      if (threads > 1024 || threads < 1) problems.push(`${l.name}: ${threads} threads per block`);
      if (l.grid[0] < 1 || l.grid[0] > 2 ** 31 - 1 || l.grid[1] > 65535 || l.grid[2] > 65535) problems.push(`${l.name}: grid ${l.grid}`);
      if (l.name.startsWith("reduce_") && (l.block[0] & (l.block[0] - 1)) !== 0) problems.push(`${l.name}: block ${l.block[0]} is not a power of two`);
    }
    expect(problems.slice(0, 20)).toEqual([]);
    // The cases exercise most of the kernels that exist.
    const all = [...compiled.entries.values()].reduce((n, m) => n + m.size, 0);
    expect(seen.size).toBeGreaterThan(0.5 * all);
    // cuBLAS calls obey its leading-dimension rules.
    for (const g of rec.gemms) {
      expect(g.lda).toBeGreaterThanOrEqual(Math.max(1, g.opA ? g.k : g.m));
      expect(g.ldb).toBeGreaterThanOrEqual(Math.max(1, g.opB ? g.n : g.k));
      expect(g.ldc).toBeGreaterThanOrEqual(Math.max(1, g.m));
    }
    expect(rec.gemms.length).toBeGreaterThan(20);
  });
});

// ---------------------------------------------------------------------------------------------
const cudaInclude = [process.env.CUDA_HOME && path.join(process.env.CUDA_HOME, "include"), "/usr/local/cuda/include"]
  .find((d) => d && fs.existsSync(path.join(d, "cuda.h")));
const haveGxx = spawnSync("g++", ["--version"]).status === 0;
describe.skipIf(!cudaInclude || !haveGxx)("driver API declarations (against cuda.h)", () => {
  it("every driver function the addon declares has cuda.h's arity and argument sizes, and the constants agree", () => {
    const api = fs.readFileSync(path.join(root, "native", "cuda", "api.h"), "utf8");
    const start = api.indexOf("struct DriverApi {");
    const block = api.slice(start, api.indexOf("};", start));
    const fns = [...block.matchAll(/\(\*(\w+)\)/g)].map((m) => m[1]);
    expect(fns.length).toBeGreaterThan(20);
    const consts = ["CUDA_SUCCESS", "CUDA_ERROR_OUT_OF_MEMORY", "CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT",
      "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR", "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR"];
    const src = [
      "#include <cuda.h>", '#include "api.h"', "#include <cstddef>",
      "template <typename T> struct Sig;",
      "template <typename R, typename... A> struct Sig<R (*)(A...)> {",
      "  static constexpr size_t arity = sizeof...(A);",
      "  static constexpr size_t sizes[sizeof...(A) + 1] = {sizeof(R), sizeof(A)...};",
      "};",
      "template <typename F, typename G> constexpr bool same() {",
      "  if (Sig<F>::arity != Sig<G>::arity) return false;",
      "  for (size_t i = 0; i <= Sig<F>::arity; i++) if (Sig<F>::sizes[i] != Sig<G>::sizes[i]) return false;",
      "  return true;",
      "}",
      ...fns.map((f) => `static_assert(same<decltype(&::${f}), decltype(gbcuda::DriverApi::${f})>(), "${f} differs from cuda.h");`),
      ...consts.map((c) => `static_assert((int)::${c} == (int)gbcuda::${c}, "${c} differs from cuda.h");`),
      'static_assert(sizeof(::CUdeviceptr) == sizeof(gbcuda::CUdeviceptr), "CUdeviceptr");',
    ].join("\n");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-abi-"));
    fs.writeFileSync(path.join(dir, "abi.cc"), src);
    const r = spawnSync("g++", ["-std=c++17", "-fsyntax-only", `-I${cudaInclude}`, `-I${path.join(root, "native", "cuda")}`, path.join(dir, "abi.cc")], { encoding: "utf8" });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stderr.split("\n").filter((l) => /error/.test(l)).slice(0, 10)).toEqual([]);
    expect(r.status).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
describe.skipIf(!resolvable("node-gyp/bin/node-gyp.js") || !resolvable("typescript"))("the addon without a GPU", () => {
  let tmp = "";
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-cuda-build-")); });
  afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });
  let addonPath = "";

  it("builds with node-gyp and no CUDA toolkit", () => {
    // Only the cuda target, in a scratch folder, so this test never touches build/.
    fs.writeFileSync(path.join(tmp, "binding.gyp"), JSON.stringify({ includes: [path.join(root, "native", "cuda", "target.gypi")] }));
    fs.symlinkSync(path.join(root, "node_modules"), path.join(tmp, "node_modules"));
    for (const f of fs.readdirSync(path.join(root, "native", "cuda")).filter((f) => /\.(cc|h)$/.test(f))) {
      expect(fs.readFileSync(path.join(root, "native", "cuda", f), "utf8")).not.toMatch(/#include\s*[<"](cuda|nvrtc|cublas|cudnn)/);
    }
    const gyp = require.resolve("node-gyp/bin/node-gyp.js", { paths: [root] });
    const args = [gyp, "rebuild"];
    const nodedir = process.env.npm_config_nodedir ?? (fs.existsSync("/usr/include/node/node_api.h") ? "/usr" : undefined);
    if (nodedir) args.push(`--nodedir=${nodedir}`);
    const env = { ...process.env, CPATH: "", C_INCLUDE_PATH: "", CPLUS_INCLUDE_PATH: "" };
    const r = spawnSync(process.execPath, args, { cwd: tmp, encoding: "utf8", env, timeout: 170_000 });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    addonPath = path.join(tmp, "build", "Release", "gradbook_cuda.node");
    expect(fs.existsSync(addonPath)).toBe(true);
  }, 180_000);

  it("loads lazily and reports CUDA unavailable with the reason", () => {
    expect(addonPath).not.toBe("");
    // The library's cuda modules, transpiled alone into a scratch tree, run in a fresh Node:
    // importing must load no native code, and the reason must name the missing driver.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require(require.resolve("typescript", { paths: [root] })) as typeof import("typescript");
    const out = path.join(tmp, "js");
    for (const rel of ["lib/backend.ts", "lib/dtype.ts", "lib/errors.ts", ...fs.readdirSync(path.join(root, "lib/backends/cuda")).map((f) => "lib/backends/cuda/" + f)]) {
      const js = ts.transpileModule(fs.readFileSync(path.join(root, rel), "utf8"), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
      fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
      fs.writeFileSync(path.join(out, rel.replace(/\.ts$/, ".js")), js);
    }
    const script = `
      const m = require(${JSON.stringify(path.join(out, "lib/backends/cuda/index.js"))});
      const before = Object.keys(require.cache).filter((k) => k.endsWith(".node")).length;
      const available = m.cuda.isAvailable();
      let thrown = "";
      try { m.loadCudaBackend(); } catch (e) { thrown = e.message; }
      let statsError = "";
      try { m.cuda.memoryStats(); } catch (e) { statsError = e.message; }
      console.log(JSON.stringify({ before, available, reason: m.cuda.unavailableReason(), thrown, statsError }));`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, GRADBOOK_CUDA_ADDON: addonPath } });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(res.before).toBe(0);
    if (fs.existsSync("/dev/nvidia0")) return; // a GPU machine: the reason is not ours to predict
    expect(res.available).toBe(false);
    expect(res.reason).toMatch(/libcuda\.so\.1 not found: no NVIDIA driver|cuInit failed|no CUDA device/);
    expect(res.thrown).toBe(res.reason);
    expect(res.statsError).toMatch(/^cuda\.memoryStats: CUDA is unavailable: /);
  });

  it("says how to build the addon when it is missing", () => {
    const script = `const m = require(${JSON.stringify(path.join(tmp, "js", "lib/backends/cuda/index.js"))});
      console.log(JSON.stringify({ a: m.cuda.isAvailable(), r: m.cuda.unavailableReason() }));`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, GRADBOOK_CUDA_ADDON: path.join(tmp, "missing.node") } });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(res.a).toBe(false);
    // The scratch tree has no build/ next to it, so only the missing path was there to try.
    expect(res.r).toMatch(/gradbook_cuda addon is not built .*missing\.node: not built.*npm run build:native/);
  });
});

// ---------------------------------------------------------------------------------------------
// The real kernels compiled for the CPU (test/cuda/emu/), behind the addon's interface: the
// backend's TypeScript and every kernel run end to end against the js reference. Where a GPU is
// present the same checks run on it instead (below).
const available = cuda.isAvailable();
const canEmulate = !available && haveGxx && resolvable("node-gyp/bin/node-gyp.js");
describe.skipIf(!canEmulate)("the backend on a CPU emulation of the CUDA kernels", () => {
  let dir = "";
  let emu: EmuAddon;
  let ctx: CudaContext;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-cuda-emu-"));
    emu = buildEmulator(root, dir);
    ctx = new CudaContext(emu, emu.load());
    // The op database below reaches the backend through the engine's device "cuda".
    getEngine().registerBackend(createCudaBackend(ctx));
  }, 420_000);
  afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it("random op graphs match PyTorch (test/lib/fuzz.ts), float32 and float64", () => {
    withEngine(new Engine({ backends: [getEngine().backend("cuda")], defaultDevice: "cuda" }), () => {
      expect(replayGraphs("cuda", "float64")).toEqual([]);
      expect(replayGraphs("cuda", "float32")).toEqual([]);
    });
    expect(emu.takeErrors()).toEqual([]);
  });

  it("every backend case matches the js reference, with no out-of-bounds write", () => {
    const results = runAgainst(getEngine().backend("cuda"), createJsBackend());
    expect(results.length).toBeGreaterThan(200);
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
    expect(emu.takeErrors()).toEqual([]);
  });

  it("the frontend on cuda (to, model.to, autodiff, mixed devices, out of memory) matches js", () => {
    const failures: string[] = [];
    for (const c of frontendChecks(() => ctx.allocator.memoryStats())) {
      try { c.run(); } catch (e) { failures.push(`${c.name}: ${(e as Error).message}`); }
    }
    expect(failures).toEqual([]);
    expect(emu.takeErrors()).toEqual([]);
  });

  it("frees the blocks of tensors garbage collected without dispose()", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const before = ctx.allocator.memoryStats().activeBlocks;
    (() => { for (let i = 0; i < 50; i++) zeros([1000], { device: "cuda" }); })();
    expect(ctx.allocator.memoryStats().activeBlocks).toBe(before + 50);
    for (let i = 0; i < 10 && ctx.allocator.memoryStats().activeBlocks >= before + 50; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(ctx.allocator.memoryStats().activeBlocks).toBeLessThan(before + 50);
  });

  it("served allocations from the cache while running them", () => {
    const s = ctx.allocator.memoryStats();
    expect(s.driverAllocs).toBeGreaterThan(0);
    expect(s.cacheHits).toBeGreaterThan(0);
  });

  defineOpTests("cuda", { skip: {} });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!available)("on the GPU (cuda vs js)", () => {
  it("every backend case matches the js reference", () => {
    const results = runAgainst(loadCudaBackend(), createJsBackend());
    const failed = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);
    expect(failed).toEqual([]);
  });

  it("the frontend on cuda matches js", () => {
    const failures: string[] = [];
    for (const c of frontendChecks()) {
      try { c.run(); } catch (e) { failures.push(`${c.name}: ${(e as Error).message}`); }
    }
    expect(failures).toEqual([]);
  });
});

// The op database (forward, gradient and cross-backend tests of every op), on "cuda". No op is
// skipped on cuda.
if (available) {
  defineOpTests("cuda", { skip: {} });
} else {
  describe("op database on cuda", () => {
    it.skip(`on a GPU: no GPU here (${cuda.unavailableReason()}); it ran on the CPU emulation above`, () => {});
  });
}
