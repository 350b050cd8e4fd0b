/**
 * Convolution and pooling layers (NCHW), thin over the tensor core's `conv2d`, `maxPool2d`
 * and `avgPool2d`, plus `GlobalAvgPool2d` and `Flatten`.
 *
 * FLOPs per sample, as the course notes count them:
 * - convolution: outH·outW·cOut·kh·kw·(cIn/groups) multiply-accumulates;
 * - pooling: outH·outW·c·kh·kw (one comparison or addition per window element);
 * - global average pooling: h·w·c (one window covering the whole map).
 */
import { Tensor, avgPool2d, conv2d, maxPool2d, pad } from "./core";
import { Module, shapeError, type Shape } from "./module";
import { getInitializer, torchDefault, type Initializer } from "./init";
import type { Regularizer } from "./regularizers";
import { OpError } from "../errors";

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : v);

function checkPositive(layer: string, arg: string, v: Pair): void {
  for (const x of pair(v)) {
    if (!Number.isInteger(x) || x < 1) throw new OpError(layer, `${arg} must be a positive integer, got ${JSON.stringify(v)}`);
  }
}

function convOut(size: number, k: number, stride: number, padBefore: number, padAfter: number, dilation: number): number {
  return Math.floor((size + padBefore + padAfter - dilation * (k - 1) - 1) / stride) + 1;
}

export interface Conv2dOptions {
  stride?: Pair;
  /** Zero padding per side, or "same" (output size = ceil(input / stride)) / "valid" (0). */
  padding?: Pair | "same" | "valid";
  dilation?: Pair;
  /** Groups of channels convolved separately; groups = inChannels is a depthwise conv. */
  groups?: number;
  bias?: boolean;
  weightInit?: Initializer | string;
  biasInit?: Initializer | string;
  weightRegularizer?: Regularizer;
  biasRegularizer?: Regularizer;
}

/**
 * 2-D convolution over [N, C, H, W] inputs with weight [cOut, cIn/groups, kh, kw].
 *
 * @example
 * const conv = new nn.Conv2d(1, 6, 5);              // LeNet's first layer
 * conv.call(zeros([8, 1, 32, 32])).shape;          // [8, 6, 28, 28]
 * new nn.Conv2d(32, 32, 3, { groups: 32, padding: 1 }); // depthwise
 * new nn.Conv2d(64, 16, 1);                         // 1×1 (channel mixing)
 */
export class Conv2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | "same";
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, options: Conv2dOptions = {}) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1 } = options;
    checkPositive(this.name, "inChannels", inChannels);
    checkPositive(this.name, "outChannels", outChannels);
    checkPositive(this.name, "kernelSize", kernelSize);
    checkPositive(this.name, "stride", stride);
    checkPositive(this.name, "dilation", dilation);
    checkPositive(this.name, "groups", groups);
    if (inChannels % groups || outChannels % groups) {
      throw new OpError(this.name, `inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`);
    }
    this.kernelSize = pair(kernelSize);
    this.stride = pair(stride);
    this.dilation = pair(dilation);
    this.groups = groups;
    if (padding === "same") this.padding = "same";
    else if (padding === "valid") this.padding = [0, 0];
    else {
      const p = pair(padding);
      if (p.some((v) => !Number.isInteger(v) || v < 0)) throw new OpError(this.name, `padding must be >= 0, got ${JSON.stringify(padding)}`);
      this.padding = p;
    }
    const [kh, kw] = this.kernelSize;
    const fanIn = (inChannels / groups) * kh * kw;
    const wInit = options.weightInit ? getInitializer(options.weightInit, this.name) : torchDefault(fanIn);
    this.registerParameter("weight", wInit([outChannels, inChannels / groups, kh, kw]), options.weightRegularizer);
    if (options.bias !== false) {
      const bInit = options.biasInit ? getInitializer(options.biasInit, this.name) : torchDefault(fanIn);
      this.registerParameter("bias", bInit([outChannels]), options.biasRegularizer);
    }
  }

  get weight(): Tensor {
    return this.param("weight");
  }
  get bias(): Tensor | null {
    return this.hasParam("bias") ? this.param("bias") : null;
  }

  /** [top, bottom, left, right] padding for an input of h × w. */
  private pads(h: number, w: number): [number, number, number, number] {
    if (this.padding !== "same") return [this.padding[0], this.padding[0], this.padding[1], this.padding[1]];
    const one = (size: number, k: number, s: number, d: number): [number, number] => {
      const out = Math.ceil(size / s);
      const total = Math.max(0, (out - 1) * s + d * (k - 1) + 1 - size);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    const [t, b] = one(h, this.kernelSize[0], this.stride[0], this.dilation[0]);
    const [l, r] = one(w, this.kernelSize[1], this.stride[1], this.dilation[1]);
    return [t, b, l, r];
  }

  private check(shape: readonly number[]): void {
    if (shape.length !== 4 || shape[1] !== this.inChannels) {
      shapeError(this.name, "input", `[N, ${this.inChannels}, H, W]`, shape);
    }
  }

  forward(x: Tensor): Tensor {
    this.check(x.shape);
    const [, , h, w] = x.shape;
    const [t, b, l, r] = this.pads(h, w);
    let input = x;
    let padding: [number, number] = [t, l];
    if (t !== b || l !== r) {
      // Asymmetric "same" padding (even kernels, strides): pad explicitly, then convolve valid.
      input = pad(x, [l, r, t, b]);
      padding = [0, 0];
    }
    return conv2d(input, this.weight, this.bias ?? undefined, {
      stride: this.stride,
      padding,
      dilation: this.dilation,
      groups: this.groups,
    } as any);
  }

  override outputShape(inputShape: Shape): Shape {
    this.check([1, ...inputShape]);
    const [, h, w] = inputShape;
    const [t, b, l, r] = this.pads(h, w);
    const oh = convOut(h, this.kernelSize[0], this.stride[0], t, b, this.dilation[0]);
    const ow = convOut(w, this.kernelSize[1], this.stride[1], l, r, this.dilation[1]);
    if (oh < 1 || ow < 1) {
      throw new OpError(this.name, `input [${inputShape.join(",")}] is smaller than the kernel ${this.kernelSize.join("×")}`);
    }
    return [this.outChannels, oh, ow];
  }

  override flops(_in: Shape, out: Shape): number {
    const [c, oh, ow] = out;
    return oh * ow * c * this.kernelSize[0] * this.kernelSize[1] * (this.inChannels / this.groups);
  }

  override describe(): string {
    // Padding always shows: it is what makes two layers of equal kernel and stride differ in shape.
    const pad = this.padding === "same" ? "same" : this.padding.join("×");
    const d = this.dilation.some((v) => v !== 1) ? `, dilation ${this.dilation.join("×")}` : "";
    const g = this.groups > 1 ? `, groups=${this.groups}` : "";
    return `Conv2d(${this.inChannels} → ${this.outChannels}, ${this.kernelSize.join("×")}, stride ${this.stride.join("×")}, pad ${pad}${d}${g})`;
  }
}

export interface Pool2dOptions {
  /** Default: the kernel size (non-overlapping windows). */
  stride?: Pair;
  padding?: Pair;
}

abstract class Pool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];

  constructor(kernelSize: Pair, options: Pool2dOptions = {}) {
    super();
    checkPositive(this.name, "kernelSize", kernelSize);
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? kernelSize);
    this.padding = pair(options.padding ?? 0);
    checkPositive(this.name, "stride", this.stride);
  }

  override outputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 3) shapeError(this.name, "input", "[N, C, H, W]", [-1, ...inputShape]);
    const [c, h, w] = inputShape;
    const oh = convOut(h, this.kernelSize[0], this.stride[0], this.padding[0], this.padding[0], 1);
    const ow = convOut(w, this.kernelSize[1], this.stride[1], this.padding[1], this.padding[1], 1);
    if (oh < 1 || ow < 1) throw new OpError(this.name, `input [${inputShape.join(",")}] is smaller than the window ${this.kernelSize.join("×")}`);
    return [c, oh, ow];
  }

  override flops(_in: Shape, out: Shape): number {
    const [c, oh, ow] = out;
    return oh * ow * c * this.kernelSize[0] * this.kernelSize[1];
  }

  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) shapeError(this.name, "input", "[N, C, H, W]", x.shape);
  }

  override describe(): string {
    const pad = this.padding.some((v) => v !== 0) ? `, pad ${this.padding.join("×")}` : "";
    return `${this.name}(${this.kernelSize.join("×")}, stride ${this.stride.join("×")}${pad})`;
  }
}

/**
 * Max pooling over windows of `kernelSize`.
 * @example new nn.MaxPool2d(2).call(zeros([1, 6, 28, 28])).shape // [1, 6, 14, 14]
 */
export class MaxPool2d extends Pool2d {
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding } as any);
  }
}

/**
 * Average pooling over windows of `kernelSize` (LeNet's subsampling).
 * @example new nn.AvgPool2d(2).call(zeros([1, 6, 28, 28])).shape // [1, 6, 14, 14]
 */
export class AvgPool2d extends Pool2d {
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding } as any);
  }
}

/**
 * Mean over the spatial axes: [N, C, H, W] → [N, C] (Keras' GlobalAveragePooling2D).
 * @example new nn.GlobalAvgPool2d().call(zeros([2, 512, 7, 7])).shape // [2, 512]
 */
export class GlobalAvgPool2d extends Module {
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) shapeError(this.name, "input", "[N, C, H, W]", x.shape);
    return x.mean([2, 3]);
  }
  override outputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 3) shapeError(this.name, "input", "[N, C, H, W]", [-1, ...inputShape]);
    return [inputShape[0]];
  }
  override flops(inputShape: Shape): number {
    return inputShape.reduce((a, b) => a * b, 1);
  }
}

/**
 * Flattens every axis after the batch axis: [N, C, H, W] → [N, C·H·W].
 * @example new nn.Flatten().call(zeros([2, 16, 5, 5])).shape // [2, 400]
 */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return x.ndim <= 1 ? x : x.flatten(1);
  }
  override outputShape(inputShape: Shape): Shape {
    return [inputShape.reduce((a, b) => a * b, 1)];
  }
  override flops(): number {
    return 0;
  }
}
