/**
 * Fully connected layers: PyTorch's `Linear(in, out)` and Keras' `Dense(units)`.
 *
 * Both compute y = x·Wᵀ + b with W of shape [out, in] (PyTorch's layout, so weights move to
 * and from PyTorch unchanged). FLOPs per sample: in·out multiply-accumulates, as the notes
 * count a fully connected layer (nₗ·nₗ₋₁; the bias adds are not counted).
 */
import { Tensor } from "./core";
import { Module, shapeError, type Shape } from "./module";
import { getInitializer, torchDefault, type Initializer } from "./init";
import type { Regularizer } from "./regularizers";
import { getActivation } from "./activations";

export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /** Weight initializer (default PyTorch's U(±1/√in)). */
  weightInit?: Initializer | string;
  /** Bias initializer (default PyTorch's U(±1/√in)). */
  biasInit?: Initializer | string;
  /** Penalty on the weight (e.g. `nn.l2(1e-4)`). */
  weightRegularizer?: Regularizer;
  /** Penalty on the bias. */
  biasRegularizer?: Regularizer;
}

/**
 * y = x·Wᵀ + b over the last axis.
 *
 * Shape: input [..., inFeatures] → output [..., outFeatures].
 *
 * @example
 * const layer = new nn.Linear(784, 128);
 * layer.call(zeros([32, 784])).shape; // [32, 128]
 */
export class Linear extends Module {
  inFeatures: number;
  readonly outFeatures: number;
  protected readonly options: LinearOptions;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    if (!Number.isInteger(outFeatures) || outFeatures < 1) {
      throw new Error(`${this.name}: outFeatures must be a positive integer, got ${outFeatures}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.options = options;
    if (inFeatures > 0) this.build(inFeatures);
  }

  /** Creates the parameters once the input size is known. */
  /** Builds the weights for `inFeatures` inputs if the layer is still lazy; a no-op otherwise. */
  ensureBuilt(inFeatures: number): void {
    if (this.inFeatures === 0) this.build(inFeatures);
  }

  protected build(inFeatures: number): void {
    if (!Number.isInteger(inFeatures) || inFeatures < 1) {
      throw new Error(`${this.name}: inFeatures must be a positive integer, got ${inFeatures}`);
    }
    this.inFeatures = inFeatures;
    const o = this.options;
    const wInit = o.weightInit ? getInitializer(o.weightInit, this.name) : torchDefault(inFeatures);
    this.registerParameter("weight", wInit([this.outFeatures, inFeatures]), o.weightRegularizer);
    if (o.bias !== false) {
      const bInit = o.biasInit ? getInitializer(o.biasInit, this.name) : torchDefault(inFeatures);
      this.registerParameter("bias", bInit([this.outFeatures]), o.biasRegularizer);
    }
  }

  /** Whether the layer adds a bias (true unless built with `bias: false` / `useBias: false`). */
  get hasBias(): boolean {
    return this.options.bias !== false;
  }

  get built(): boolean {
    return this.hasParam("weight");
  }
  get weight(): Tensor {
    return this.param("weight");
  }
  get bias(): Tensor | null {
    return this.hasParam("bias") ? this.param("bias") : null;
  }

  forward(x: Tensor): Tensor {
    if (!this.built) this.build(x.shape[x.ndim - 1]);
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures) {
      shapeError(this.name, "input features", `[..., ${this.inFeatures}]`, x.shape);
    }
    const y = x.matmul(this.weight.T);
    return this.bias ? y.add(this.bias) : y;
  }

  override outputShape(inputShape: Shape): Shape {
    const last = inputShape[inputShape.length - 1];
    if (this.built && last !== this.inFeatures) {
      shapeError(this.name, "input features", `[..., ${this.inFeatures}]`, inputShape);
    }
    if (!this.built) this.build(last);
    return [...inputShape.slice(0, -1), this.outFeatures];
  }

  override flops(inputShape: Shape): number {
    const rows = inputShape.slice(0, -1).reduce((a, b) => a * b, 1);
    return rows * this.inFeatures * this.outFeatures;
  }

  override describe(): string {
    return `${this.name}(${this.inFeatures || "?"} → ${this.outFeatures})`;
  }
}

export interface DenseOptions {
  /** Input size; when omitted the layer is built on its first input (Keras' lazy build). */
  inputDim?: number;
  /** Applied after the affine map: "relu", "sigmoid", "softmax", ... or a module. */
  activation?: string | Module;
  useBias?: boolean;
  /** Default "glorotUniform", as in Keras. */
  kernelInitializer?: Initializer | string;
  /** Default "zeros", as in Keras. */
  biasInitializer?: Initializer | string;
  kernelRegularizer?: Regularizer;
  biasRegularizer?: Regularizer;
}

/**
 * Keras' fully connected layer: `units` outputs, optional activation, Glorot-uniform
 * weights and zero bias. Parameters are named `weight` and `bias` like `Linear`.
 *
 * @example
 * const model = new nn.Sequential([
 *   new nn.Dense(64, { inputDim: 784, activation: "relu" }),
 *   new nn.Dense(10),
 * ]);
 */
export class Dense extends Linear {
  readonly activation: Module | null;

  constructor(units: number, options: DenseOptions = {}) {
    super(0, units, {
      bias: options.useBias,
      weightInit: options.kernelInitializer ?? "glorotUniform",
      biasInit: options.biasInitializer ?? "zeros",
      weightRegularizer: options.kernelRegularizer,
      biasRegularizer: options.biasRegularizer,
    });
    this.activation = getActivation(options.activation, this.name);
    if (options.inputDim !== undefined) this.build(options.inputDim);
  }

  override forward(x: Tensor): Tensor {
    const y = super.forward(x);
    return this.activation ? this.activation.forward(y) : y;
  }

  override describe(): string {
    const act = this.activation ? `, ${this.activation.describe().toLowerCase()}` : "";
    return `Dense(${this.inFeatures || "?"} → ${this.outFeatures}${act})`;
  }
}
