#!/usr/bin/env node
// Trains the weights that lecture 09 starts transfer learning from and writes
// data/weights/fashion-cnn.safetensors: nn.fashionCnn() on the first 20,000 Fashion-MNIST
// training images (Debian's dataset-fashion-mnist), 3 epochs of Adam (lr 0.002, batch 64),
// seed 0. About a minute on one core.
//
//   npx tsc -p tsconfig.build.json && node scripts/make_pretrained.js
"use strict";
const path = require("path");
const root = path.resolve(__dirname, "..");
const { nn, optim, data, io, manualSeed } = require(path.join(root, "dist/lib/index.js"));

(async () => {
  if (!data.fashionMnistAvailable()) throw new Error("make_pretrained: Fashion-MNIST is missing: apt-get install dataset-fashion-mnist");
  const train = data.loadFashionMnist({ split: "train", limit: 20000 });
  const test = data.loadFashionMnist({ split: "test" });
  manualSeed(0);
  const model = nn.fashionCnn();
  model.compile({ optimizer: new optim.Adam(model.parameters(), { lr: 0.002 }), loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
  await model.fit(train.X, train.y, { epochs: 3, batchSize: 64, verbose: 0, seed: 0 });
  const { accuracy } = model.evaluate(test.X, test.y);
  const file = path.join(root, "data/weights/fashion-cnn.safetensors");
  io.saveWeights(model, file, { trained_on: "Fashion-MNIST train[0:20000], 3 epochs Adam lr 0.002", test_accuracy: accuracy.toFixed(4) });
  console.log(`${file}: Fashion-MNIST test accuracy ${accuracy.toFixed(4)}`);
})().catch((e) => { console.error(e.message); process.exit(1); });
