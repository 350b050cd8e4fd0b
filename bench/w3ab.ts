/**
 * W3's raw-op step against its user paths (fit's trainStep, the optim.SGD loop, the optim.Adam
 * loop), interleaved in one process in blocks of 40 steps on the same 40 batches, timed by the
 * process's CPU time (user + system) as well as the wall clock, best block of each: on a loaded
 * machine the ratios hold where bench's wall-clock samples/s do not (issue 18).
 *
 * Run: node dist/bench/w3ab.js [rounds]
 */
import { gather, logSoftmax, matmul, nn, noGrad, optim, randint, randn, tidy, type Tensor } from "../lib";

const B = 128, NB = 40;
const xs: Tensor[] = [], ys: Tensor[] = [], ys1: Tensor[] = [];
for (let i = 0; i < NB; i++) {
  xs.push(randn([B, 784]));
  const y = randint(0, 10, [B]);
  ys.push(y);
  ys1.push(y.unsqueeze(1));
}
const param = (s: number[], sc: number): Tensor => noGrad(() => randn(s).mul(sc)).requiresGrad_(true);
const W1 = param([784, 256], 0.05), b1 = param([256], 0), W2 = param([256, 128], 0.08), b2 = param([128], 0);
const W3 = param([128, 10], 0.08), b3 = param([10], 0);
const P = [W1, b1, W2, b2, W3, b3];
const raw = (k: number): void =>
  tidy(() => {
    const h1 = matmul(xs[k], W1).add(b1).relu(), h2 = matmul(h1, W2).add(b2).relu();
    gather(logSoftmax(matmul(h2, W3).add(b3), 1), 1, ys1[k]).mean().neg().backward();
    noGrad(() => {
      for (const p of P) { p.addInPlace(p.grad!, -0.1); p.grad!.dispose(); p.grad = null; }
    });
  });
const mlp = (): nn.Sequential =>
  new nn.Sequential([new nn.Dense(256, { inputDim: 784, activation: "relu" }), new nn.Dense(128, { activation: "relu" }), new nn.Dense(10)]);
function user(kind: "fit" | "sgd" | "adam"): (k: number) => void {
  const model = mlp();
  const opt = kind === "adam" ? new optim.Adam(model.parameters(), { lr: 1e-3 }) : new optim.SGD(model.parameters(), { lr: 0.1 });
  if (kind === "fit") {
    model.compile({ optimizer: opt, loss: "sparseCategoricalCrossentropyFromLogits" });
    return (k) => { model.trainStep(xs[k], ys[k]); };
  }
  return (k) =>
    tidy(() => {
      opt.zeroGrad();
      nn.sparseCategoricalCrossEntropy(model.call(xs[k]), ys[k], { fromLogits: true }).backward();
      opt.step();
    });
}
const paths: Record<string, (k: number) => void> = { raw, fit: user("fit"), "SGD loop": user("sgd"), "Adam loop": user("adam") };
const cpu: Record<string, number> = {}, wall: Record<string, number> = {};
const rounds = Number(process.argv[2] ?? 6);
for (let r = 0; r < rounds; r++) {
  for (const [name, f] of Object.entries(paths)) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    for (let k = 0; k < NB; k++) f(k);
    const c = process.cpuUsage(c0), w = performance.now() - t0;
    if (r === 0) continue; // warm-up round
    cpu[name] = Math.min(cpu[name] ?? Infinity, (c.user + c.system) / 1e3 / NB);
    wall[name] = Math.min(wall[name] ?? Infinity, w / NB);
  }
}
for (const name of Object.keys(paths)) {
  console.log(`${name.padEnd(10)} cpu ${cpu[name].toFixed(3)} ms/step (raw/this ${(cpu.raw / cpu[name]).toFixed(2)})   wall ${wall[name].toFixed(3)} ms/step (raw/this ${(wall.raw / wall[name]).toFixed(2)})`);
}
