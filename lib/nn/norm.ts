/**
 * Batch normalization (Ioffe and Szegedy 2015) and dropout.
 *
 * BatchNorm normalizes each channel (axis 1) with the batch's mean and biased variance in
 * training, and keeps running averages (momentum 0.1, unbiased variance, as PyTorch) that
 * replace the batch statistics in `eval()` mode. Parameters `weight` (γ) and `bias` (β),
 * buffers `running_mean` and `running_var`: PyTorch's names.
 */
import { Tensor, dropout, noGrad, ones, zeros } from "./core";
import { Module, shapeError, type Shape } from "./module";
import { OpError } from "../errors";

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  /** Learn γ and β (default true). */
  affine?: boolean;
}

abstract class BatchNorm extends Module {
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true } = options;
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new OpError(this.name, `numFeatures must be a positive integer, got ${numFeatures}`);
    }
    if (!(eps > 0)) throw new OpError(this.name, `eps must be > 0, got ${eps}`);
    if (!(momentum >= 0 && momentum <= 1)) throw new OpError(this.name, `momentum must be in [0, 1], got ${momentum}`);
    this.eps = eps;
    this.momentum = momentum;
    if (affine) {
      this.registerParameter("weight", ones([numFeatures]));
      this.registerParameter("bias", zeros([numFeatures]));
    }
    this.registerBuffer("running_mean", zeros([numFeatures]));
    this.registerBuffer("running_var", ones([numFeatures]));
  }

  get weight(): Tensor | null {
    return this.hasParam("weight") ? this.param("weight") : null;
  }
  get bias(): Tensor | null {
    return this.hasParam("bias") ? this.param("bias") : null;
  }
  get runningMean(): Tensor {
    return this.buffer("running_mean");
  }
  get runningVar(): Tensor {
    return this.buffer("running_var");
  }

  protected abstract checkShape(shape: readonly number[]): void;

  forward(x: Tensor): Tensor {
    this.checkShape(x.shape);
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    // Per-channel statistics broadcast as [1, C, 1, ...].
    const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
    let mean: Tensor;
    let variance: Tensor;
    if (this.training) {
      const count = x.size / this.numFeatures;
      if (count < 2) {
        throw new OpError(this.name, `training needs more than one value per channel, got input shape [${x.shape.join(",")}]`);
      }
      mean = x.mean(axes, true);
      variance = x.sub(mean).square().mean(axes, true);
      noGrad(() => {
        const m = this.momentum;
        const unbiased = variance.detach().reshape([this.numFeatures]).mul(count / (count - 1));
        this.runningMean.assign(this.runningMean.mul(1 - m).add(mean.detach().reshape([this.numFeatures]).mul(m)));
        this.runningVar.assign(this.runningVar.mul(1 - m).add(unbiased.mul(m)));
      });
    } else {
      mean = this.runningMean.reshape(bshape);
      variance = this.runningVar.reshape(bshape);
    }
    let y = x.sub(mean).mul(variance.add(this.eps).rsqrt());
    if (this.weight) y = y.mul(this.weight.reshape(bshape));
    if (this.bias) y = y.add(this.bias.reshape(bshape));
    return y;
  }

  override outputShape(inputShape: Shape): Shape {
    this.checkShape([2, ...inputShape]);
    return inputShape;
  }
  override flops(): number {
    return 0;
  }
  override describe(): string {
    return `${this.name}(${this.numFeatures})`;
  }
}

/**
 * Batch norm over [N, C] or [N, C, L] inputs.
 * @example new nn.BatchNorm1d(64).call(randn([32, 64]))
 */
export class BatchNorm1d extends BatchNorm {
  protected checkShape(shape: readonly number[]): void {
    if ((shape.length !== 2 && shape.length !== 3) || shape[1] !== this.numFeatures) {
      shapeError(this.name, "input", `[N, ${this.numFeatures}] or [N, ${this.numFeatures}, L]`, shape);
    }
  }
}

/**
 * Batch norm over [N, C, H, W] inputs (statistics per channel over N, H and W).
 * @example new nn.BatchNorm2d(16).call(randn([8, 16, 10, 10]))
 */
export class BatchNorm2d extends BatchNorm {
  protected checkShape(shape: readonly number[]): void {
    if (shape.length !== 4 || shape[1] !== this.numFeatures) {
      shapeError(this.name, "input", `[N, ${this.numFeatures}, H, W]`, shape);
    }
  }
}

/**
 * Inverted dropout: in training each element is zeroed with probability p and the rest are
 * scaled by 1/(1−p), so nothing changes at inference (`eval()` makes it the identity).
 * @example new nn.Dropout(0.5)
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new OpError("Dropout", `p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return this.training && this.p > 0 ? dropout(x, this.p, true) : x;
  }
  override outputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  override flops(): number {
    return 0;
  }
  override describe(): string {
    return `Dropout(${this.p})`;
  }
}
