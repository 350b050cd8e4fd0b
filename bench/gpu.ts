/**
 * The GPU benchmark: workloads W1–W5 of `npm run bench` on device "cuda", and the same
 * workloads in PyTorch on the same GPU (bench/gpu_torch_peer.py) in the same run, printed as
 * one line per figure with the ratio to PyTorch and the goal where there is one.
 *
 *   node dist/bench/gpu.js [--quick] [--no-peer] [--python python3] [--only W1,W3] [--json out.json]
 *
 * `--device js|cpu` runs the same workloads on another device (and the peer on the CPU): a
 * smoke test of this script where there is no GPU, not a measurement of it.
 *
 * Exit status: 0 when it ran (goals are reported, not enforced), 2 when CUDA is unavailable.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { nn, noGrad, optim, randint, randn, tidy, type Tensor } from "../lib";
import { cuda } from "../lib/backends/cuda";
import { packageRoot } from "../lib/backends/cuda/binding";

interface Figure { key: string; label: string; unit: string; value: number; goal?: number }

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(name);
const option = (name: string, dflt: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const QUICK = flag("--quick");
const ONLY = option("--only", "W1,W2,W3,W4,W5").split(",");
const DEVICE = option("--device", "cuda") as "cuda" | "cpu" | "js";
const onGpu = DEVICE === "cuda";
/** Waits for queued GPU work (a no-op on the CPU devices, which run synchronously). */
const sync = (): void => { if (onGpu) cuda.synchronize(); };

/** Goals from the issue, as ratios to PyTorch on the same GPU. */
const GOALS: Record<string, number> = {
  "W1 sgemm n=4096": 0.9,
  "W3 mlp batch=1024": 0.8,
  "W4 lenet batch=512": 0.7,
  "W5 lstm": 0.5,
};

/** Runs fn repeatedly for at least `minSeconds` (after one untimed call); returns seconds per call. */
function timeIt(fn: () => void, minSeconds = QUICK ? 0.05 : 0.4): number {
  fn();
  sync();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    sync();
    const s = (performance.now() - t0) / 1000;
    if (s >= minSeconds || reps >= 1 << 16) return s / reps;
    reps *= s > 0 ? Math.min(16, Math.max(2, Math.ceil(minSeconds / s))) : 16;
  }
}

function w1(out: Figure[]): void {
  const sizes = QUICK ? [256, 1024] : [256, 1024, 2048, 4096];
  const run = (label: string, m: number, k: number, n: number, tf32: boolean): void => {
    if (onGpu) cuda.setAllowTF32(tf32);
    else if (tf32) return;
    const a = randn([m, k], { device: DEVICE }), b = randn([k, n], { device: DEVICE });
    const s = noGrad(() => timeIt(() => a.matmul(b).dispose()));
    out.push({ key: label, label: `W1 SGEMM ${m}x${k} @ ${k}x${n}${tf32 ? " TF32" : " float32"}`, unit: "GFLOP/s", value: (2 * m * n * k) / s / 1e9 });
    a.dispose();
    b.dispose();
    if (onGpu) cuda.setAllowTF32(false);
  };
  for (const n of sizes) run(`W1 sgemm n=${n}`, n, n, n, false);
  for (const n of QUICK ? [1024] : [1024, 4096]) run(`W1 tf32 n=${n}`, n, n, n, true);
  run("W1 sgemm 128x784x256", 128, 784, 256, false);
}

function w2(out: Figure[]): void {
  const n = QUICK ? 1 << 20 : 16 << 20;
  const x = randn([n], { device: DEVICE });
  for (const op of ["relu", "exp"] as const) {
    const s = noGrad(() => timeIt(() => x[op]().dispose()));
    out.push({ key: `W2 ${op}`, label: `W2 ${op} over ${n >> 20}M float32`, unit: "GB/s", value: (8 * n) / s / 1e9 });
  }
  x.dispose();
}

/** Samples/s of `steps` SGD steps (after `warmup`) on batches cut from device-resident data. */
function train(model: nn.Module, X: Tensor, y: Tensor, batch: number, warmup: number, steps: number, loss: (yHat: Tensor, y: Tensor) => Tensor): number {
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const nBatches = Math.floor(X.shape[0] / batch);
  const step = (i: number): void => {
    tidy(() => {
      const b = i % nBatches;
      const xb = X.slice(0, b * batch, (b + 1) * batch), yb = y.slice(0, b * batch, (b + 1) * batch);
      const l = loss(model.forward(xb), yb);
      opt.zeroGrad();
      l.backward();
      opt.step();
    });
  };
  for (let i = 0; i < warmup; i++) step(i);
  sync();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step(i);
  sync();
  return (steps * batch) / ((performance.now() - t0) / 1000);
}

const xent = (yHat: Tensor, y: Tensor): Tensor => nn.sparseCategoricalCrossEntropy(yHat, y, { fromLogits: true });

function w3(out: Figure[]): void {
  const N = QUICK ? 8192 : 60000;
  const X = randn([N, 784], { device: DEVICE }), y = randint(0, 10, [N], { device: DEVICE });
  for (const batch of [128, 1024]) {
    const model = new nn.Sequential([new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10)]).to(DEVICE);
    const steps = Math.floor(N / batch);
    const v = train(model, X, y, batch, QUICK ? 5 : 50, steps, xent);
    out.push({ key: `W3 mlp batch=${batch}`, label: `W3 MLP 784-256-128-10 SGD, batch ${batch}, one epoch`, unit: "samples/s", value: v });
  }
  X.dispose();
  y.dispose();
}

function w4(out: Figure[]): void {
  for (const batch of [64, 512]) {
    const N = batch * 8;
    const X = randn([N, 1, 28, 28], { device: DEVICE }), y = randint(0, 10, [N], { device: DEVICE });
    const model = new nn.Sequential([
      new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
      new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
    ]).to(DEVICE);
    const v = train(model, X, y, batch, QUICK ? 3 : 20, QUICK ? 20 : 200, xent);
    out.push({ key: `W4 lenet batch=${batch}`, label: `W4 LeNet-5 SGD, batch ${batch}`, unit: "samples/s", value: v });
    X.dispose();
    y.dispose();
  }
}

function w5(out: Figure[]): void {
  const T = 50, B = 32, D = 32, H = 128;
  const X = randn([B * 4, T, D], { device: DEVICE }), y = randn([B * 4, 1], { device: DEVICE });
  const lstm = new nn.LSTM(D, H, { returnSequences: false });
  const model = new nn.Sequential([lstm, new nn.Linear(H, 1)]).to(DEVICE);
  const steps = QUICK ? 5 : 100;
  const samples = train(model, X, y, B, QUICK ? 2 : 10, steps, nn.mseLoss);
  out.push({ key: "W5 lstm", label: `W5 LSTM seq ${T}, batch ${B}, input ${D}, hidden ${H}, training`, unit: "steps/s", value: samples / B });
  X.dispose();
  y.dispose();
}

function runPeer(): { figures: Record<string, number>; device?: string; error?: string } {
  if (flag("--no-peer")) return { figures: {}, error: "skipped (--no-peer)" };
  const script = path.join(packageRoot(), "bench", "gpu_torch_peer.py");
  const args = [script, "--json", "--only", ONLY.join(","), "--device", onGpu ? "cuda" : "cpu"];
  if (QUICK) args.push("--quick");
  const r = spawnSync(option("--python", "python3"), args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) return { figures: {}, error: `PyTorch peer failed (exit ${r.status}): ${(r.stderr || String(r.error)).trim().split("\n").slice(-3).join(" | ")}` };
  try {
    const last = r.stdout.trim().split("\n").pop()!;
    return JSON.parse(last);
  } catch (e) {
    return { figures: {}, error: `PyTorch peer printed no JSON: ${(e as Error).message}` };
  }
}

function main(): void {
  if (onGpu && !cuda.isAvailable()) {
    console.log(`gradbook GPU bench: CUDA unavailable: ${cuda.unavailableReason()}`);
    process.exit(2);
  }
  const info = onGpu ? cuda.deviceInfo() : { ok: true, reason: "", deviceName: `device "${DEVICE}" (smoke test, not a GPU)` };
  if (onGpu) console.log(`gradbook GPU bench on ${info.deviceName} (sm_${info.ccMajor}${info.ccMinor}, ${info.nvrtc}, cuBLAS ${info.cublas ?? "absent: " + info.cublasReason})`);
  else console.log(`gradbook GPU bench on ${info.deviceName}`);
  const figures: Figure[] = [];
  const table: [string, (f: Figure[]) => void][] = [["W1", w1], ["W2", w2], ["W3", w3], ["W4", w4], ["W5", w5]];
  for (const [name, fn] of table) {
    if (!ONLY.includes(name)) continue;
    const t0 = performance.now();
    try {
      fn(figures);
    } catch (e) {
      console.log(`${name}: FAILED: ${(e as Error).stack ?? e}`);
    }
    console.log(`  (${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  if (onGpu) {
    const conv = cuda.convolutionCounts();
    console.log(`convolutions: ${conv.cudnn} through cuDNN (${info.cudnn ?? "absent: " + info.cudnnReason}), ${conv.im2col} through im2col + GEMM`);
    const stats = cuda.memoryStats();
    console.log(`kernel compilation (NVRTC): ${(cuda.compileMs() / 1000).toFixed(2)} s; peak allocated ${(stats.peakAllocatedBytes / 2 ** 20).toFixed(0)} MiB, reserved ${(stats.reservedBytes / 2 ** 20).toFixed(0)} MiB, ${stats.driverAllocs} cuMemAlloc calls, ${stats.cacheHits} cache hits`);
  }

  const peer = runPeer();
  if (peer.error) console.log(`PyTorch peer: ${peer.error}`);
  else console.log(`PyTorch peer: ${peer.device ?? "?"}`);
  console.log("");
  console.log(`${"figure".padEnd(48)} ${"gradbook".padStart(12)} ${"PyTorch".padStart(12)}  unit        ratio  goal`);
  const rows: Record<string, unknown>[] = [];
  for (const f of figures) {
    const p = peer.figures[f.key];
    const ratio = p ? f.value / p : NaN;
    const goal = GOALS[f.key];
    const verdict = !onGpu || goal === undefined || !Number.isFinite(ratio) ? "" : ratio >= goal ? `>= ${goal} met` : `>= ${goal} NOT met`;
    console.log(`${f.label.padEnd(48).slice(0, 48)} ${fmt(f.value).padStart(12)} ${(p ? fmt(p) : "-").padStart(12)}  ${f.unit.padEnd(10)} ${Number.isFinite(ratio) ? ratio.toFixed(2).padStart(6) : "     -"}  ${verdict}`);
    rows.push({ ...f, torch: p ?? null, ratio: Number.isFinite(ratio) ? ratio : null, goal: goal ?? null });
  }
  const jsonOut = option("--json", "");
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ device: info, torch: peer, rows }, null, 2));
}

function fmt(v: number): string {
  return v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(2);
}

main();
