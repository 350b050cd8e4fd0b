/**
 * Attention: for each query, a softmax over scores against every key gives weights αₜ,ₜ′
 * (summing to 1 over t′), and the output is the weighted sum of the values.
 *
 * - "dot" (Luong; scaled by 1/√d as in Transformers unless `scale: false`):
 *   e = q·kᵀ / √d
 * - "additive" (Bahdanau): e = vᵀ tanh(W_q q + W_k k), with parameters `queryWeight`
 *   [units, queryDim], `keyWeight` [units, keyDim], `scoreWeight` [units].
 *
 * `forward` returns the weights alongside the context so a notebook can plot them.
 */
import { Tensor, softmax, where } from "./core";
import { Module, shapeError } from "./module";
import { xavierUniform } from "./init";

export interface AttentionOptions {
  kind?: "dot" | "additive";
  /** dot only: divide scores by √d (default true). */
  scale?: boolean;
  /** additive only: sizes of the query and key vectors, and of the hidden score layer. */
  queryDim?: number;
  keyDim?: number;
  units?: number;
}

/** What an attention layer returns. */
export interface AttentionOutput {
  /** Context vectors [N, Tq, dv]. */
  output: Tensor;
  /** Attention weights [N, Tq, Tk]; each row sums to 1. */
  weights: Tensor;
}

/**
 * Attention of queries over keys/values: dot-product (Luong) or additive (Bahdanau) scores, softmax weights, and their weighted sum of values as the context.
 *
 * @example
 * const attn = new nn.Attention({ kind: "additive", queryDim: 16, keyDim: 16, units: 8 });
 * const { output, weights } = attn.forward(decoderStates, encoderStates);
 * plot.heatmap(weights.index(0)); // which inputs each output looked at
 */
export class Attention extends Module {
  readonly kind: "dot" | "additive";
  readonly scale: boolean;

  constructor(options: AttentionOptions = {}) {
    super();
    const { kind = "dot", scale = true } = options;
    if (kind !== "dot" && kind !== "additive") throw new Error(`Attention: kind must be "dot" or "additive", got ${JSON.stringify(kind)}`);
    this.kind = kind;
    this.scale = scale;
    if (kind === "additive") {
      const { queryDim, keyDim, units } = options;
      for (const [k, v] of [["queryDim", queryDim], ["keyDim", keyDim], ["units", units]] as const) {
        if (!Number.isInteger(v) || (v as number) < 1) {
          throw new Error(`Attention: additive attention needs ${k} as a positive integer, got ${v}`);
        }
      }
      this.registerParameter("queryWeight", xavierUniform([units!, queryDim!]));
      this.registerParameter("keyWeight", xavierUniform([units!, keyDim!]));
      this.registerParameter("scoreWeight", xavierUniform([units!, 1]).reshape([units!]));
    }
  }

  /** Scores e [N, Tq, Tk] before the softmax. */
  scores(query: Tensor, key: Tensor): Tensor {
    if (this.kind === "dot") {
      if (query.shape[2] !== key.shape[2]) {
        throw new Error(`Attention: dot attention needs equal query and key sizes, got query [${query.shape.join(",")}] and key [${key.shape.join(",")}]`);
      }
      const e = query.matmul(key.transpose(1, 2));
      return this.scale ? e.div(Math.sqrt(query.shape[2])) : e;
    }
    const wq = this.param("queryWeight");
    const wk = this.param("keyWeight");
    if (query.shape[2] !== wq.shape[1]) shapeError("Attention", "query", `[N, Tq, ${wq.shape[1]}]`, query.shape);
    if (key.shape[2] !== wk.shape[1]) shapeError("Attention", "key", `[N, Tk, ${wk.shape[1]}]`, key.shape);
    const hq = query.matmul(wq.T).unsqueeze(2); // [N, Tq, 1, A]
    const hk = key.matmul(wk.T).unsqueeze(1); // [N, 1, Tk, A]
    return hq.add(hk).tanh().mul(this.param("scoreWeight")).sum(-1);
  }

  /**
   * query [N, Tq, dq], key [N, Tk, dk], value [N, Tk, dv] (default: the keys). `mask`
   * (bool [N, Tq, Tk] or broadcastable; true = may attend) hides padding.
   */
  forward(query: Tensor, key: Tensor, value: Tensor = key, mask?: Tensor): AttentionOutput {
    if (query.ndim !== 3) shapeError("Attention", "query", "[N, Tq, d]", query.shape);
    if (key.ndim !== 3 || key.shape[0] !== query.shape[0]) shapeError("Attention", "key", `[${query.shape[0]}, Tk, d]`, key.shape);
    if (value.ndim !== 3 || value.shape[0] !== key.shape[0] || value.shape[1] !== key.shape[1]) {
      shapeError("Attention", "value", `[${key.shape[0]}, ${key.shape[1]}, dv]`, value.shape);
    }
    let e = this.scores(query, key);
    if (mask) e = where(mask, e, -1e9);
    const weights = softmax(e, -1);
    return { output: weights.matmul(value), weights };
  }

  override describe(): string {
    return `Attention(${this.kind})`;
  }
}
