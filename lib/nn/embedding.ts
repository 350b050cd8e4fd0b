/**
 * A lookup table of learned vectors: integer ids → rows of `weight` [numEmbeddings, dim].
 * Its gradient is a scatter-add into the rows that were used (via `indexSelect`'s backward).
 */
import { Tensor, indexSelect } from "./core";
import { Module, type Shape } from "./module";
import { normal, type Initializer } from "./init";

/**
 * A lookup table of learned vectors: integer ids [...] → vectors [..., dim] (one row of `weight` per id).
 *
 * @example
 * const emb = new nn.Embedding(vocabSize, 16);
 * emb.call(tensor([[1, 5, 2]], { dtype: "int32" })).shape; // [1, 3, 16]
 */
export class Embedding extends Module {
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: { init?: Initializer } = {}) {
    super();
    for (const [k, v] of [["numEmbeddings", numEmbeddings], ["embeddingDim", embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`Embedding: ${k} must be a positive integer, got ${v}`);
    }
    // PyTorch initialises embeddings from N(0, 1).
    const init = options.init ?? normal({ std: 1 });
    this.registerParameter("weight", init([numEmbeddings, embeddingDim]));
  }

  get weight(): Tensor {
    return this.param("weight");
  }

  forward(ids: Tensor): Tensor {
    const idx = ids.dtype === "int32" ? ids : ids.astype("int32");
    const flat = idx.reshape([-1]);
    const v = flat.data();
    for (let i = 0; i < v.length; i++) {
      if (v[i] < 0 || v[i] >= this.numEmbeddings) {
        throw new Error(`Embedding: id ${v[i]} is out of range [0, ${this.numEmbeddings}) (ids shape [${ids.shape.join(",")}])`);
      }
    }
    return indexSelect(this.weight, 0, flat).reshape([...ids.shape, this.embeddingDim]);
  }

  override outputShape(inputShape: Shape): Shape {
    return [...inputShape, this.embeddingDim];
  }
  override flops(): number {
    return 0;
  }
  override describe(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
  }
}
