/**
 * DropConnect (Wan et al. 2013): like dropout, but it zeroes random *connections* (weights)
 * of a fully connected layer instead of random units.
 */
import { Tensor, dropout } from "./core";
import { Module, type Shape } from "./module";
import { Dense, Linear } from "./linear";
import { OpError } from "../errors";

/**
 * Wraps a `Linear` or `Dense` layer. In training, every forward pass draws a fresh mask over
 * the weight matrix: each weight is zeroed with probability p and the kept ones are scaled by
 * 1/(1−p) (inverted, as for dropout), so at evaluation the layer is used unchanged. The bias
 * is not dropped. Its parameters are the wrapped layer's, named `layer.weight`, `layer.bias`.
 *
 * Shape: as the wrapped layer.
 *
 * @example
 * const model = new nn.Sequential([
 *   new nn.DropConnect(new nn.Dense(64, { inputDim: 784, activation: "relu" }), 0.5),
 *   new nn.Dense(10, { inputDim: 64 }),
 * ]);
 */
export class DropConnect extends Module {
  readonly layer: Linear;
  constructor(layer: Linear, readonly p = 0.5) {
    super();
    if (!(layer instanceof Linear)) throw new OpError("DropConnect", `layer must be an nn.Linear or nn.Dense, got ${layer === null ? "null" : (layer as object)?.constructor?.name ?? typeof layer}`);
    if (!(typeof p === "number" && p >= 0 && p < 1)) throw new OpError("DropConnect", `p must be in [0, 1), got ${p}`);
    this.layer = this.registerModule("layer", layer);
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return this.layer.forward(x);
    this.layer.ensureBuilt(x.shape[x.ndim - 1]);
    const w = dropout(this.layer.weight, this.p, true);
    let y = x.matmul(w.T);
    if (this.layer.bias) y = y.add(this.layer.bias);
    const act = this.layer instanceof Dense ? this.layer.activation : null;
    return act ? act.forward(y) : y;
  }

  override outputShape(inputShape: Shape): Shape {
    return this.layer.outputShape(inputShape);
  }
  override flops(inputShape: Shape): number {
    return this.layer.flops(inputShape);
  }
  override describe(): string {
    return `DropConnect(${this.layer.describe()}, ${this.p})`;
  }
}
