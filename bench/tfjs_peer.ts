/**
 * The TensorFlow.js peer of `npm run bench`: W1–W6 with the shapes of bench/workloads.ts, on
 * the `cpu` (plain JavaScript) or `wasm` backend. Prints one JSON object of figures.
 *
 * TF.js is one to three orders of magnitude slower than the native systems, so W3 and W5 are
 * timed over a bounded number of steps rather than a full epoch / 100 steps (the figure is a
 * rate either way), and a W1 size whose single run would exceed a few seconds is skipped.
 *
 *   node dist/bench/tfjs_peer.js cpu|wasm [w1,w2,...]
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

type Figures = Record<string, number | string>;
const now = (): number => performance.now() / 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs `step` after `warm` warm-up calls for at least `minSteps` and about `seconds`; returns steps/s. */
function rate(step: () => void, warm: number, minSteps: number, seconds: number): { perSec: number; steps: number } {
  for (let i = 0; i < warm; i++) step();
  const t0 = now();
  let n = 0;
  while (n < minSteps || now() - t0 < seconds) { step(); n++; }
  return { perSec: n / (now() - t0), steps: n };
}

function w1(): Figures {
  const out: Figures = {};
  const cases: [string, number, number, number][] = [
    ["W1 sgemm 256", 256, 256, 256], ["W1 sgemm 1024", 1024, 1024, 1024], ["W1 sgemm 2048", 2048, 2048, 2048],
    ["W1 sgemm 128x784@784x256", 128, 256, 784],
  ];
  let gflops = 0;
  for (const [name, m, n, k] of cases) {
    const flop = 2 * m * n * k;
    if (gflops > 0 && flop / (gflops * 1e9) > 8) { out[name] = "skipped (a single run would take over 8 s)"; continue; }
    const a = tf.randomNormal([m, k]), b = tf.randomNormal([k, n]);
    const times: number[] = [];
    const budget = now() + 2;
    for (let r = 0; r < 20 && (r < 2 || now() < budget); r++) {
      const t0 = now();
      const c = tf.matMul(a, b);
      c.dataSync();
      times.push(now() - t0);
      c.dispose();
    }
    gflops = flop / Math.min(...(times.length > 1 ? times.slice(1) : times)) / 1e9;
    out[name] = gflops;
    a.dispose();
    b.dispose();
  }
  return out;
}

function w2(): Figures {
  const n = 16 * 1024 * 1024;
  const x = tf.randomNormal([n]);
  const out: Figures = {};
  for (const op of ["relu", "exp"] as const) {
    const times: number[] = [];
    for (let r = 0; r < 6; r++) {
      const t0 = now();
      const y = op === "relu" ? tf.relu(x) : tf.exp(x);
      y.dataSync();
      times.push(now() - t0);
      y.dispose();
    }
    out[`W2 ${op} 16M`] = (2 * 4 * n) / Math.min(...times.slice(1)) / 1e9;
  }
  x.dispose();
  return out;
}

function heInit(shape: number[], fanIn: number): tf.Variable {
  return tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn)));
}

function w3(): Figures {
  const B = 128;
  const X = tf.randomNormal([8 * B, 784]);
  const Y = tf.oneHot(tf.randomUniform([8 * B], 0, 10, "int32") as tf.Tensor1D, 10);
  const W1 = heInit([784, 256], 784), b1 = tf.variable(tf.zeros([256]));
  const W2 = heInit([256, 128], 256), b2 = tf.variable(tf.zeros([128]));
  const W3 = heInit([128, 10], 128), b3 = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.1);
  let s = 0;
  const step = (): void => {
    const i0 = (s++ % 8) * B;
    const cost = opt.minimize(() => {
      const x = X.slice([i0, 0], [B, 784]), y = Y.slice([i0, 0], [B, 10]);
      const h1 = tf.relu(tf.add(tf.matMul(x, W1), b1));
      const h2 = tf.relu(tf.add(tf.matMul(h1, W2), b2));
      return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h2, W3), b3)) as tf.Scalar;
    }, true);
    cost?.dataSync();
    cost?.dispose();
  };
  const r = rate(step, 3, 5, 8);
  return { "W3 MLP samples/s": r.perSec * B, "W3 steps timed": r.steps };
}

function w4(): Figures {
  const B = 64;
  const X = tf.randomNormal([8 * B, 28, 28, 1]);  // TF.js convolutions are NHWC
  const Y = tf.oneHot(tf.randomUniform([8 * B], 0, 10, "int32") as tf.Tensor1D, 10);
  const c1 = heInit([5, 5, 1, 6], 25), cb1 = tf.variable(tf.zeros([6]));
  const c2 = heInit([5, 5, 6, 16], 150), cb2 = tf.variable(tf.zeros([16]));
  const f1 = heInit([400, 120], 400), fb1 = tf.variable(tf.zeros([120]));
  const f2 = heInit([120, 84], 120), fb2 = tf.variable(tf.zeros([84]));
  const f3 = heInit([84, 10], 84), fb3 = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.01);
  let s = 0;
  const step = (): void => {
    const i0 = (s++ % 8) * B;
    const cost = opt.minimize(() => {
      const x = X.slice([i0, 0, 0, 0], [B, 28, 28, 1]), y = Y.slice([i0, 0], [B, 10]);
      let h: tf.Tensor = tf.maxPool(tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, c1 as tf.Tensor4D, 1, [[0, 0], [2, 2], [2, 2], [0, 0]]), cb1)) as tf.Tensor4D, 2, 2, "valid");
      h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, c2 as tf.Tensor4D, 1, "valid"), cb2)) as tf.Tensor4D, 2, 2, "valid");
      h = tf.reshape(h, [B, 400]);
      h = tf.relu(tf.add(tf.matMul(h as tf.Tensor2D, f1), fb1));
      h = tf.relu(tf.add(tf.matMul(h as tf.Tensor2D, f2), fb2));
      return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h as tf.Tensor2D, f3), fb3)) as tf.Scalar;
    }, true);
    cost?.dataSync();
    cost?.dispose();
  };
  try {
    const r = rate(step, 2, 3, 8);
    return { "W4 LeNet samples/s": r.perSec * B, "W4 steps timed": r.steps };
  } catch (e) {
    return { "W4 LeNet samples/s": `unsupported (${(e as Error).message.split("\n")[0].slice(0, 80)})` };
  }
}

function w5(): Figures {
  const T = 50, B = 32, I = 32, H = 128;
  const X = tf.randomNormal([T, B, I]);
  const Y = tf.oneHot(tf.randomUniform([B], 0, 10, "int32") as tf.Tensor1D, 10);
  const Wih = tf.variable(tf.randomNormal([I, 4 * H], 0, Math.sqrt(1 / I)));
  const Whh = tf.variable(tf.randomNormal([H, 4 * H], 0, Math.sqrt(1 / H)));
  const bg = tf.variable(tf.zeros([4 * H]));
  const Wo = tf.variable(tf.randomNormal([H, 10], 0, Math.sqrt(1 / H))), bo = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.1);
  const step = (): void => {
    const cost = opt.minimize(() => {
      let h: tf.Tensor2D = tf.zeros([B, H]), c: tf.Tensor2D = tf.zeros([B, H]);
      for (let t = 0; t < T; t++) {
        const x = tf.reshape(X.slice([t, 0, 0], [1, B, I]), [B, I]) as tf.Tensor2D;
        const gates = tf.add(tf.add(tf.matMul(x, Wih), tf.matMul(h, Whh)), bg);
        const [gi, gf, gg, go] = tf.split(gates, 4, 1);
        c = tf.add(tf.mul(tf.sigmoid(gf), c), tf.mul(tf.sigmoid(gi), tf.tanh(gg))) as tf.Tensor2D;
        h = tf.mul(tf.sigmoid(go), tf.tanh(c)) as tf.Tensor2D;
      }
      return tf.losses.softmaxCrossEntropy(Y, tf.add(tf.matMul(h, Wo), bo)) as tf.Scalar;
    }, true);
    cost?.dataSync();
    cost?.dispose();
  };
  const r = rate(step, 1, 2, 8);
  return { "W5 LSTM steps/s": r.perSec, "W5 steps timed": r.steps };
}

function w6(): Figures {
  const terms = 1000;
  const a = Array.from({ length: terms }, (_, i) => tf.variable(tf.scalar(Math.sin(i))));
  const b = Array.from({ length: terms }, (_, i) => tf.variable(tf.scalar(Math.cos(i))));
  const c = tf.variable(tf.scalar(0.1));
  const run = (): number => {
    const t0 = now();
    const { value, grads } = tf.variableGrads(() => {
      let acc = tf.tanh(tf.add(tf.mul(a[0], b[0]), c));
      for (let i = 1; i < terms; i++) acc = tf.add(acc, tf.tanh(tf.add(tf.mul(a[i], b[i]), c)));
      return acc as tf.Scalar;
    });
    const t = now() - t0;
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    return t;
  };
  run();
  const times = [run(), run(), run(), run(), run()];
  return { "W6 autodiff ops/s": (4 * terms - 1) / median(times) };
}

async function main(): Promise<void> {
  const backend = process.argv[2] ?? "cpu";
  const only = process.argv[3] ? process.argv[3].split(",") : null;
  const log = console.log;
  console.log = () => {};  // TF.js greets on stdout ("install tfjs-node"); keep stdout JSON only
  await tf.setBackend(backend);
  await tf.ready();
  const out: Figures = { backend: tf.getBackend(), version: tf.version.tfjs };
  for (const [name, fn] of [["w3", w3], ["w1", w1], ["w2", w2], ["w4", w4], ["w5", w5], ["w6", w6]] as [string, () => Figures][]) {
    if (only && !only.includes(name)) continue;
    tf.tidy(() => { Object.assign(out, fn()); });
  }
  console.log = log;
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
