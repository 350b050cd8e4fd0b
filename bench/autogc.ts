/**
 * The cost of leaving memory to the engine (issue 20): the same loop with `tidy` and with no
 * memory management at all, interleaved in one process in blocks and timed by the process's CPU
 * time (user + system), best block of each, so that the ratio holds on a loaded machine.
 *
 *   bare: zeros([256, 1024]).add(1), nothing disposed (2 MiB of garbage per iteration)
 *   w3:   W3's MLP training step (bench/workloads.ts) written as a student would: no tidy, and
 *         the gradients dropped rather than disposed
 *
 * Run without --expose-gc (as in a notebook): node dist/bench/autogc.js [bare|w3|all] [rounds]
 * Prints one JSON object: CPU ms per iteration of each, their ratio (goal ≤ 1.3), the peak RSS
 * and the collections the engine ran.
 */
import { gather, getEngine, logSoftmax, matmul, noGrad, randint, randn, setDefaultDevice, tidy, zeros, type Tensor } from "../lib";
import { peakRssMiB, type Figures } from "./workloads";

/**
 * Best ms per iteration of each variant, by CPU time and by the wall clock, alternating blocks
 * of `n` iterations. CPU time counts the kernel thread pool's workers too, which spin a little
 * after each kernel: a pause of the main thread (a collection) costs CPU time there as well.
 */
function interleave(variants: Record<string, (i: number) => void>, n: number, rounds: number): Record<string, { cpu: number; wall: number }> {
  const best: Record<string, { cpu: number; wall: number }> = {};
  for (let r = 0; r <= rounds; r++) {
    for (const [name, f] of Object.entries(variants)) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      for (let i = 0; i < n; i++) f(i);
      const c = process.cpuUsage(c0), w = performance.now() - t0;
      if (r === 0) continue;  // warm-up round
      const b = (best[name] ??= { cpu: Infinity, wall: Infinity });
      b.cpu = Math.min(b.cpu, (c.user + c.system) / 1e3 / n);
      b.wall = Math.min(b.wall, w / n);
    }
  }
  return best;
}

/** The figures of a tidy/auto pair, under `label`. */
function figures(label: string, unit: string, t: Record<string, { cpu: number; wall: number }>): Figures {
  return {
    [`${label} tidy ${unit} (wall)`]: t.tidy.wall, [`${label} auto ${unit} (wall)`]: t.auto.wall,
    [`${label} auto/tidy (wall)`]: t.auto.wall / t.tidy.wall,
    [`${label} tidy ${unit} (cpu)`]: t.tidy.cpu, [`${label} auto ${unit} (cpu)`]: t.auto.cpu,
    [`${label} auto/tidy (cpu)`]: t.auto.cpu / t.tidy.cpu,
  };
}

function bare(rounds: number): Figures {
  const t = interleave({
    tidy: () => tidy(() => { zeros([256, 1024]).add(1); }),
    auto: () => { zeros([256, 1024]).add(1); },
  }, 200, rounds);
  return figures("bare", "ms/iter", t);
}

function w3(rounds: number): Figures {
  const B = 128, NB = 40;
  const xs: Tensor[] = [], ys: Tensor[] = [];
  for (let i = 0; i < NB; i++) { xs.push(randn([B, 784])); ys.push(randint(0, 10, [B, 1])); }
  const param = (s: number[], sc: number): Tensor => noGrad(() => randn(s).mul(sc)).requiresGrad_(true);
  const W1 = param([784, 256], 0.05), b1 = param([256], 0), W2 = param([256, 128], 0.08), b2 = param([128], 0);
  const W3 = param([128, 10], 0.08), b3 = param([10], 0);
  const P = [W1, b1, W2, b2, W3, b3];
  const step = (k: number, free: boolean): void => {
    const h1 = matmul(xs[k], W1).add(b1).relu(), h2 = matmul(h1, W2).add(b2).relu();
    gather(logSoftmax(matmul(h2, W3).add(b3), 1), 1, ys[k]).mean().neg().backward();
    noGrad(() => {
      for (const p of P) { p.addInPlace(p.grad!, -0.1); if (free) p.grad!.dispose(); p.grad = null; }
    });
  };
  const t = interleave({
    tidy: (i) => tidy(() => step(i % NB, true)),
    auto: (i) => step(i % NB, false),
  }, NB, rounds);
  return figures("W3", "ms/step", t);
}

if (require.main === module) {
  setDefaultDevice("cpu");
  const which = process.argv[2] ?? "all", rounds = Number(process.argv[3] ?? 8);
  const out: Figures = {};
  if (which === "bare" || which === "all") Object.assign(out, bare(rounds));
  if (which === "w3" || which === "all") Object.assign(out, w3(rounds));
  const e = getEngine();
  Object.assign(out, { "peak RSS MiB": peakRssMiB(), collections: e.collections, "young collections": e.youngCollections });
  console.log(JSON.stringify(out));
}
