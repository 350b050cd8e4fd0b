/**
 * The benchmark workloads W1–W6 (issue 5) on gradbook's own tensors, for one device.
 *
 * The models are written with tensor ops and autograd directly (Linear = matmul + add, the SGD
 * update by hand), not with lib/nn, so that the figures measure the backend and the autodiff
 * core. bench/torch_peer.py and bench/tfjs_peer.ts run the same shapes on the peers.
 *
 * Run alone: node --expose-gc dist/bench/workloads.js [device] — prints one JSON object.
 */
import * as fs from "fs";
import {
  conv2d, gather, logSoftmax, matmul, maxPool2d, noGrad, randint, randn, setDefaultDevice, tensor, tidy,
  type DeviceName, type Tensor,
} from "../lib";

/** Figures of one system: name → value (GFLOP/s, GB/s, samples/s, steps/s, ops/s, MiB). */
export type Figures = Record<string, number | string>;

const now = (): number => performance.now() / 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Peak resident memory of this process (VmHWM), MiB. */
export function peakRssMiB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch { /* not Linux */ }
  return process.memoryUsage().rss / 1048576;
}

// ---- W1: SGEMM -------------------------------------------------------------------------------
export function w1(): Figures {
  const out: Figures = {};
  const cases: [string, number, number, number][] = [
    ["W1 sgemm 256", 256, 256, 256], ["W1 sgemm 1024", 1024, 1024, 1024], ["W1 sgemm 2048", 2048, 2048, 2048],
    ["W1 sgemm 128x784@784x256", 128, 256, 784],
  ];
  for (const [name, m, n, k] of cases) {
    const a = randn([m, k]), b = randn([k, n]);
    const times: number[] = [];
    const budget = now() + 1.5;
    for (let r = 0; r < 40 && (r < 4 || now() < budget); r++) {
      const t0 = now();
      const c = matmul(a, b);  // kernels are synchronous: the product is complete on return
      const t = now() - t0;
      c.dispose();
      if (r > 0) times.push(t);  // the first run warms caches and the allocator
    }
    // Fastest run, on every system alike: on a shared machine the others measure interference.
    out[name] = (2 * m * n * k) / Math.min(...times) / 1e9;
    a.dispose();
    b.dispose();
  }
  return out;
}

// ---- W2: elementwise bandwidth -----------------------------------------------------------------
export function w2(): Figures {
  const n = 16 * 1024 * 1024;
  const x = randn([n]);
  const out: Figures = {};
  for (const op of ["relu", "exp"] as const) {
    const times: number[] = [];
    for (let r = 0; r < 12; r++) {
      const t0 = now();
      const y = op === "relu" ? x.relu() : x.exp();
      times.push(now() - t0);
      y.dispose();  // the next result reuses this block (caching allocator)
    }
    out[`W2 ${op} 16M`] = (2 * 4 * n) / Math.min(...times.slice(2)) / 1e9;
  }
  x.dispose();
  return out;
}

// ---- W3: MLP on MNIST-shaped data ------------------------------------------------------------
function param(shape: number[], scale: number): Tensor {
  return noGrad(() => randn(shape).mul(scale)).requiresGrad_(true);
}

function sgd(params: Tensor[], lr: number): void {
  noGrad(() => {
    for (const p of params) {
      if (p.grad === null) continue;
      p.addInPlace(p.grad, -lr);
      p.grad.dispose();
      p.grad = null;
    }
  });
}

function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  // -mean(log softmax at the label); labels is int32 [B, 1].
  return gather(logSoftmax(logits, 1), 1, labels).mean().neg();
}

export function w3(): Figures {
  const N = 60000, B = 128, lr = 0.1;
  // MNIST-shaped data as the batches a data loader yields: 469 tensors, 188 MB in all.
  const batches: [Tensor, Tensor][] = [];
  for (let i = 0; i < N; i += B) {
    const b = Math.min(N, i + B) - i;
    batches.push([randn([b, 784]), randint(0, 10, [b, 1])]);
  }
  const W1 = param([784, 256], Math.sqrt(2 / 784)), b1 = param([256], 0);
  const W2 = param([256, 128], Math.sqrt(2 / 256)), b2 = param([128], 0);
  const W3 = param([128, 10], Math.sqrt(1 / 128)), b3 = param([10], 0);
  const params = [W1, b1, W2, b2, W3, b3];
  const step = (i0: number): number =>
    tidy(() => {
      const [x, y] = batches[Math.floor(i0 / B)];
      const h1 = matmul(x, W1).add(b1).relu();
      const h2 = matmul(h1, W2).add(b2).relu();
      const loss = crossEntropy(matmul(h2, W3).add(b3), y);
      loss.backward();
      sgd(params, lr);
      return 0;
    });
  for (let s = 0; s < 50; s++) step(s * B);
  const t0 = now();
  for (let i = 0; i < N; i += B) step(i);
  const t = now() - t0;
  const out: Figures = { "W3 MLP samples/s": N / t, "W3 peak RSS MiB": peakRssMiB() };
  const [x0, y0] = batches[0];
  const last = tidy(() => crossEntropy(matmul(matmul(matmul(x0, W1).add(b1).relu(), W2).add(b2).relu(), W3).add(b3), y0).item());
  out["W3 final loss"] = last;
  for (const p of [...params, ...batches.flat()]) p.dispose();
  return out;
}

// ---- W4: LeNet-5-like CNN ----------------------------------------------------------------------
export function w4(): Figures {
  const B = 64, lr = 0.01;
  const c1 = param([6, 1, 5, 5], Math.sqrt(2 / 25)), cb1 = param([6], 0);
  const c2 = param([16, 6, 5, 5], Math.sqrt(2 / 150)), cb2 = param([16], 0);
  const f1 = param([400, 120], Math.sqrt(2 / 400)), fb1 = param([120], 0);
  const f2 = param([120, 84], Math.sqrt(2 / 120)), fb2 = param([84], 0);
  const f3 = param([84, 10], Math.sqrt(1 / 84)), fb3 = param([10], 0);
  const params = [c1, cb1, c2, cb2, f1, fb1, f2, fb2, f3, fb3];
  const X = randn([8 * B, 1, 28, 28]);
  const Y = randint(0, 10, [8 * B, 1]);
  const step = (s: number): void =>
    tidy(() => {
      const i0 = (s % 8) * B;
      const x = X.slice(0, i0, i0 + B), y = Y.slice(0, i0, i0 + B);
      let h = maxPool2d(conv2d(x, c1, cb1, { padding: 2 }).relu(), 2);
      h = maxPool2d(conv2d(h, c2, cb2).relu(), 2);
      h = h.reshape(B, 400);
      h = matmul(h, f1).add(fb1).relu();
      h = matmul(h, f2).add(fb2).relu();
      const loss = crossEntropy(matmul(h, f3).add(fb3), y);
      loss.backward();
      sgd(params, lr);
    });
  for (let s = 0; s < 20; s++) step(s);
  const t0 = now();
  for (let s = 0; s < 200; s++) step(s);
  const t = now() - t0;
  for (const p of [X, Y, ...params]) p.dispose();
  return { "W4 LeNet samples/s": (200 * B) / t };
}

// ---- W5: LSTM ------------------------------------------------------------------------------------
export function w5(): Figures {
  const T = 50, B = 32, I = 32, H = 128, lr = 0.1;
  const Wih = param([I, 4 * H], Math.sqrt(1 / I)), Whh = param([H, 4 * H], Math.sqrt(1 / H)), bg = param([4 * H], 0);
  const Wo = param([H, 10], Math.sqrt(1 / H)), bo = param([10], 0);
  const params = [Wih, Whh, bg, Wo, bo];
  const X = randn([T, B, I]);  // time-major: X[t] is a contiguous [B, I] block
  const Y = randint(0, 10, [B, 1]);
  // Written the way fused LSTM kernels are (PyTorch's included): the input projection of all
  // time steps as one product, then per step one product of h against the stacked recurrent
  // weights for all four gates, and the three sigmoid gates (order i, f, o, g) as one op on a
  // contiguous block of columns. Each step's slice of the projection sends its gradient into
  // one shared buffer (autograd's slice accumulation), not into a zero tensor per step.
  const step = (): void =>
    tidy(() => {
      const XP = matmul(X.reshape(T * B, I), Wih).add(bg).reshape(T, B, 4 * H);
      let h = tensor(new Float32Array(B * H), { shape: [B, H] });
      let c = tensor(new Float32Array(B * H), { shape: [B, H] });
      for (let t = 0; t < T; t++) {
        const gates = XP.slice(0, t, t + 1).reshape(B, 4 * H).add(matmul(h, Whh));
        const sig = gates.slice(1, 0, 3 * H).sigmoid();
        const i = sig.slice(1, 0, H), f = sig.slice(1, H, 2 * H), o = sig.slice(1, 2 * H, 3 * H);
        const g = gates.slice(1, 3 * H, 4 * H).tanh();
        c = f.mul(c).add(i.mul(g));
        h = o.mul(c.tanh());
      }
      const loss = crossEntropy(matmul(h, Wo).add(bo), Y);
      loss.backward();
      sgd(params, lr);
    });
  for (let s = 0; s < 5; s++) step();
  const t0 = now();
  for (let s = 0; s < 100; s++) step();
  const t = now() - t0;
  for (const p of [X, Y, ...params]) p.dispose();
  return { "W5 LSTM steps/s": 100 / t };
}

// ---- W6: autodiff overhead ---------------------------------------------------------------------
export function w6(): Figures {
  const terms = 1000;
  const run = (): number => {
    const a: Tensor[] = [], b: Tensor[] = [];
    for (let i = 0; i < terms; i++) {
      a.push(tensor(Math.sin(i), { requiresGrad: true }));
      b.push(tensor(Math.cos(i), { requiresGrad: true }));
    }
    const c = tensor(0.1, { requiresGrad: true });
    const t0 = now();
    let acc = a[0].mul(b[0]).add(c).tanh();
    for (let i = 1; i < terms; i++) acc = acc.add(a[i].mul(b[i]).add(c).tanh());
    acc.backward();
    const t = now() - t0;
    return t;
  };
  for (let r = 0; r < 3; r++) tidy(() => { run(); return 0; });
  const times: number[] = [];
  for (let r = 0; r < 9; r++) times.push(tidy(() => run()));
  // 4 ops per term: mul, add, tanh and the running sum's add (the first term has no sum).
  return { "W6 autodiff ops/s": (4 * terms - 1) / median(times) };
}

/** Runs every workload on `device` (W3 first, so its peak-memory figure is not polluted). */
export function runAll(device: DeviceName, only?: string[]): Figures {
  setDefaultDevice(device);
  const want = (w: string): boolean => !only || only.includes(w);
  const out: Figures = { device };
  const steps: [string, () => Figures][] = [["w3", w3], ["w1", w1], ["w2", w2], ["w4", w4], ["w5", w5], ["w6", w6]];
  for (const [name, fn] of steps) {
    if (!want(name)) continue;
    Object.assign(out, fn());
    (globalThis as { gc?: () => void }).gc?.();
  }
  return out;
}

if (require.main === module) {
  const device = (process.argv[2] ?? "cpu") as DeviceName;
  const only = process.argv[3] ? process.argv[3].split(",") : undefined;
  (async () => {
    const out = runAll(device, only);
    // The user paths of W3 (nn + fit, nn + optim loop), async because fit is.
    if (!only || only.includes("w3u")) Object.assign(out, await (await import("./userpaths")).w3user());
    console.log(JSON.stringify(out));
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
