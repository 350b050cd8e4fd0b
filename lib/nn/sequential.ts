/**
 * `Sequential([...])`: layers applied one after another, with Keras' training API.
 */
import type { Tensor } from "./core";
import { Module, type Shape } from "./module";
import { Model } from "./model";
import { Linear } from "./linear";

/**
 * A stack of layers applied in order (Keras' Sequential, PyTorch's nn.Sequential), with the training API of `Model`.
 *
 * @example
 * const model = new nn.Sequential([
 *   new nn.Flatten(),
 *   new nn.Dense(128, { inputDim: 784, activation: "relu" }),
 *   new nn.Dense(10),
 * ]);
 * model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
 * await model.fit(X, y, { epochs: 5 });
 */
export class Sequential extends Model {
  constructor(layers: Module[] = [], options: { inputShape?: Shape; name?: string } = {}) {
    super();
    if (!Array.isArray(layers)) throw new Error(`Sequential: expected an array of layers, got ${typeof layers}`);
    if (options.inputShape) this.inputShape = [...options.inputShape];
    layers.forEach((l) => this.add(l));
    if (options.name) this.name = options.name;
  }

  /** Appends a layer (named by its position, "0", "1", ..., as in PyTorch). */
  add(layer: Module): this {
    if (!(layer instanceof Module)) {
      throw new Error(`Sequential: layer ${this.children().length} is not a Module (got ${layer === null ? "null" : typeof layer})`);
    }
    this.buildFromKnownInput(layer);
    this.registerModule(String(this.children().length), layer);
    return this;
  }

  /**
   * Like Keras, builds a lazy Dense/Linear as it is added when the model's input shape is
   * known (given as `inputShape`, or the first layer's `inputDim`), so an optimizer made right
   * after the model sees every parameter. Where the shape can't be inferred the layer stays
   * lazy and is built on its first input.
   */
  private buildFromKnownInput(layer: Module): void {
    if (!(layer instanceof Linear) || layer.inFeatures > 0) return;
    const layers = this.layers;
    const first = layers[0];
    const shape = this.inputShape ?? (first instanceof Linear && first.inFeatures > 0 ? [first.inFeatures] : null);
    if (!shape || layers.length === 0) return;
    let out: Shape;
    try {
      out = this.outputShape(shape);
    } catch {
      return;
    }
    layer.ensureBuilt(out[out.length - 1]);
  }

  /** The layers, in order. */
  get layers(): Module[] {
    return this.children();
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const [i, layer] of this.namedChildren()) {
      try {
        h = layer.call(h);
      } catch (e) {
        const err = e as Error;
        if (!err.message.startsWith("Sequential")) err.message = `Sequential layer ${i} (${layer.describe()}): ${err.message}`;
        throw err;
      }
    }
    return h;
  }

  override outputShape(inputShape: Shape): Shape {
    return this.layers.reduce((s, l) => l.outputShape(s), inputShape);
  }
}
