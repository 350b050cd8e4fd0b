/**
 * W3 as students write it (issue 18): the same MLP (784-256-128-10, batch 128, one epoch of
 * 60,000 MNIST-shaped samples) through lib/nn and lib/optim instead of raw ops:
 *
 * - "W3 fit": `nn.Sequential` of `nn.Dense` + `compile` + `fit` (shuffled, verbose 0), as lecture 07;
 * - "W3 loop": `model.call`, `nn.sparseCategoricalCrossEntropy` with `fromLogits`, `optim.SGD`,
 *   `zeroGrad`/`backward`/`step` inside `tidy`, as a PyTorch user writes it;
 * - "W3 loop Adam": the same loop with `optim.Adam`.
 *
 * bench/torch_peer.py runs PyTorch's identical user code; the raw-op W3 of workloads.ts is the floor
 * these are held against.
 */
import { nn, optim, randint, randn, tidy, type Tensor } from "../lib";
import type { Figures } from "./workloads";

const N = 60000, B = 128;
const now = (): number => performance.now() / 1000;

function mlp(): nn.Sequential {
  return new nn.Sequential([
    new nn.Dense(256, { inputDim: 784, activation: "relu" }),
    new nn.Dense(128, { activation: "relu" }),
    new nn.Dense(10),
  ]);
}

function loop(X: Tensor, y: Tensor, makeOpt: (p: Tensor[]) => optim.Optimizer): number {
  const model = mlp();
  const opt = makeOpt(model.parameters());
  const step = (i: number) =>
    tidy(() => {
      const xb = X.slice(0, i, Math.min(N, i + B)), yb = y.slice(0, i, Math.min(N, i + B));
      opt.zeroGrad();
      const loss = nn.sparseCategoricalCrossEntropy(model.call(xb), yb, { fromLogits: true });
      loss.backward();
      opt.step();
    });
  for (let s = 0; s < 50; s++) step(s * B);
  const t0 = now();
  for (let i = 0; i < N; i += B) step(i);
  return N / (now() - t0);
}

export async function w3user(): Promise<Figures> {
  const X = randn([N, 784]);
  const y = randint(0, 10, [N]);
  const out: Figures = {};
  {
    const model = mlp();
    model.compile({ optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), loss: "sparseCategoricalCrossentropyFromLogits" });
    await model.fit(X.slice(0, 0, 50 * B), y.slice(0, 0, 50 * B), { epochs: 1, batchSize: B, verbose: 0 }); // warm-up
    const t0 = now();
    await model.fit(X, y, { epochs: 1, batchSize: B, verbose: 0 });
    out["W3 fit samples/s"] = N / (now() - t0);
  }
  out["W3 loop samples/s"] = loop(X, y, (p) => new optim.SGD(p, { lr: 0.1 }));
  out["W3 loop Adam samples/s"] = loop(X, y, (p) => new optim.Adam(p, { lr: 1e-3 }));
  X.dispose();
  y.dispose();
  return out;
}
