/**
 * `TensorDataset` and `DataLoader`: the pieces of PyTorch's hand-written training loop.
 */
import { Tensor, indexSelect, tensor } from "../nn/core";
import { Rng } from "./random";

/**
 * Tensors that share their first axis; sample i is the i-th row of each.
 * @example const ds = new data.TensorDataset(X, y); ds.length; // X.shape[0]
 */
export class TensorDataset {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new Error("TensorDataset: needs at least one tensor");
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.ndim < 1 || t.shape[0] !== n) {
        throw new Error(`TensorDataset: tensor ${i} has shape [${t.shape.join(",")}] but tensor 0 has ${n} samples ([${tensors[0].shape.join(",")}])`);
      }
    });
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0].shape[0];
  }
  /** The batch of the given sample indices, one tensor per dataset tensor. */
  batch(indices: Int32Array): Tensor[] {
    const idx = tensor(indices, { dtype: "int32" });
    return this.tensors.map((t) => indexSelect(t, 0, idx));
  }
}

export interface DataLoaderOptions {
  batchSize?: number;
  /** Reshuffle at the start of every pass (default false). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0): the k-th pass has the same order on every run. */
  seed?: number;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Applied to each batch's first tensor (the inputs), e.g. `data.randomShift()` for augmentation. */
  transform?: (x: Tensor) => Tensor;
}

/**
 * Iterates over minibatches; each `for...of` is one epoch.
 *
 * @example
 * const loader = new data.DataLoader(new data.TensorDataset(X, y), { batchSize: 64, shuffle: true, seed: 0 });
 * for (let epoch = 0; epoch < numEpochs; epoch++) {
 *   for (const [xb, yb] of loader) {
 *     const loss = nn.mseLoss(model.call(xb), yb);
 *     opt.zeroGrad(); loss.backward(); opt.step();
 *   }
 * }
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly dataset: TensorDataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly transform: ((x: Tensor) => Tensor) | null;
  private readonly rng: Rng;

  constructor(dataset: TensorDataset | Tensor[], options: DataLoaderOptions = {}) {
    const { batchSize = 32, shuffle = false, seed = 0, dropLast = false, transform } = options;
    if (transform !== undefined && typeof transform !== "function") throw new Error(`DataLoader: transform must be a function of the input batch, got ${typeof transform}`);
    this.transform = transform ?? null;
    this.dataset = Array.isArray(dataset) ? new TensorDataset(...dataset) : dataset;
    if (!(this.dataset instanceof TensorDataset)) throw new Error("DataLoader: dataset must be a TensorDataset or an array of tensors");
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.rng = new Rng(seed);
  }

  /** Batches per pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const n = this.dataset.length;
    const order = this.shuffle ? this.rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    for (let b = 0; b < this.length; b++) {
      const batch = this.dataset.batch(order.subarray(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize)));
      if (this.transform) batch[0] = this.transform(batch[0]);
      yield batch;
    }
  }
}
