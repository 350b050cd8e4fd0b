/**
 * Weights the project trains itself, for transfer learning: `scripts/make_pretrained.js`
 * trains them and writes `data/weights/NAME.safetensors` (committed; a few dozen kB).
 *
 * - `fashion-cnn`: `fashionCnn()` trained on 20,000 Fashion-MNIST images (3 epochs, Adam),
 *   about 88% test accuracy. Its convolutional part is a feature extractor for 28×28 images.
 */
import * as fs from "fs";
import * as path from "path";
import { Sequential } from "./sequential";
import { Conv2d, Flatten, MaxPool2d } from "./conv";
import { ReLU } from "./activations";
import { Dense } from "./linear";
import { loadWeights } from "../io/safetensors";

/**
 * The architecture of the `fashion-cnn` weights: two conv + ReLU + max-pool stages (16 and 32
 * filters of 3×3, "same" padding) and a dense layer to 10 classes; layers 0–5 are the features.
 *
 * @example
 * const model = nn.fashionCnn();          // random weights
 * const trained = nn.loadPretrained("fashion-cnn");
 */
export function fashionCnn(): Sequential {
  return new Sequential([
    new Conv2d(1, 16, 3, { padding: "same" }), new ReLU(), new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: "same" }), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Dense(10, { inputDim: 32 * 7 * 7 }),
  ], { name: "fashion-cnn" });
}

const MODELS: Record<string, () => Sequential> = { "fashion-cnn": fashionCnn };

/** Path of the weights file `name` (data/weights/NAME.safetensors in the repository). */
export function pretrainedPath(name: string): string {
  if (!(name in MODELS)) throw new Error(`loadPretrained: unknown weights "${name}"; available: ${Object.keys(MODELS).join(", ")}`);
  for (const up of ["../../..", "../.."]) {
    const file = path.resolve(__dirname, up, "data", "weights", `${name}.safetensors`);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`loadPretrained: data/weights/${name}.safetensors is missing; make it with: node scripts/make_pretrained.js`);
}

/** The model `name` with its trained weights loaded. */
export function loadPretrained(name: string): Sequential {
  const file = pretrainedPath(name);
  const model = MODELS[name]();
  loadWeights(model, file);
  return model;
}
