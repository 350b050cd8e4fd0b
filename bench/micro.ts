/**
 * Micro-benchmarks of the tensor core: per-op overhead (a scalar autodiff graph of
 * tanh(a*b + c) terms, forward and backward, like W6) and js matmul GFLOP/s at 256 and 512.
 * Called by the main benchmark (bench/run.ts); also runnable alone: node dist/bench/micro.js
 */
import { Engine, randn, tensor, withEngine, matmul, type Tensor } from "../lib";

export interface MicroResult {
  /** Autodiff ops (forward ops; backward included in the time) per second on scalars. */
  scalarOpsPerSec: number;
  /** Forward-only ops per second on scalars, with grad recording on. */
  scalarForwardOpsPerSec: number;
  /** js backend float32 matmul, GFLOP/s, by size. */
  matmulGflops: Record<number, number>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Builds sum of tanh(a*b + c) terms: 4 ops per term, `ops` ops in all. Returns the loss. */
function scalarGraph(ops: number, a: Tensor, b: Tensor, c: Tensor): Tensor {
  let acc = a.mul(b).add(c).tanh();
  for (let i = 4; i < ops; i += 4) acc = acc.add(a.mul(b).add(c).tanh());
  return acc;
}

function timeScalar(ops: number, reps: number): { total: number; forward: number } {
  const totals: number[] = [], forwards: number[] = [];
  for (let r = 0; r < reps; r++) {
    const a = tensor(0.5, { requiresGrad: true }), b = tensor(-0.3, { requiresGrad: true }), c = tensor(0.1, { requiresGrad: true });
    const t0 = performance.now();
    const loss = scalarGraph(ops, a, b, c);
    const t1 = performance.now();
    loss.backward();
    const t2 = performance.now();
    forwards.push(t1 - t0);
    totals.push(t2 - t0);
  }
  return { total: median(totals), forward: median(forwards) };
}

function timeMatmul(n: number, reps: number): number {
  const a = randn([n, n]), b = randn([n, n]);
  // Warm-up: the GEMM loops reach V8's optimizing tier only after a few calls.
  for (let w = 0; w < 3; w++) matmul(a, b);
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    matmul(a, b);
    ts.push(performance.now() - t0);
  }
  return (2 * n * n * n) / (median(ts) / 1000) / 1e9;
}

/** Runs the micro-benchmarks on a fresh engine whose default device is js, prints and returns the figures. */
export async function runMicro(opts: { quiet?: boolean } = {}): Promise<MicroResult> {
  const engine = new Engine({ defaultDevice: "js" });
  return withEngine(engine, () => {
    const ops = 5000;
    timeScalar(ops, 3); // warm-up: JIT
    const s = timeScalar(ops, 7);
    const result: MicroResult = {
      scalarOpsPerSec: ops / (s.total / 1000),
      scalarForwardOpsPerSec: ops / (s.forward / 1000),
      matmulGflops: { 256: timeMatmul(256, 7), 512: timeMatmul(512, 5) },
    };
    if (!opts.quiet) {
      const f = (v: number): string => Math.round(v).toLocaleString("en-US");
      console.log(`micro: scalar autodiff (5,000 ops, fwd+bwd): ${f(result.scalarOpsPerSec)} ops/s (forward alone ${f(result.scalarForwardOpsPerSec)} ops/s)`);
      console.log(`micro: js matmul float32: 256 → ${result.matmulGflops[256].toFixed(2)} GFLOP/s, 512 → ${result.matmulGflops[512].toFixed(2)} GFLOP/s`);
    }
    return result;
  });
}

if (require.main === module) {
  runMicro().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
