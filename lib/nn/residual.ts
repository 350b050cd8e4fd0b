/**
 * ResNet's basic block: y = ReLU(BN(conv3×3(ReLU(BN(conv3×3(x))))) + shortcut(x)).
 *
 * The shortcut is the identity when shapes agree, else a 1×1 convolution with batch norm
 * (`downsample`, PyTorch's torchvision name) matching channels and stride. Names match
 * torchvision's BasicBlock (conv1, bn1, conv2, bn2, downsample.0, downsample.1).
 */
import { Tensor } from "./core";
import { Module, shapeError, type Shape } from "./module";
import { Conv2d } from "./conv";
import { BatchNorm2d } from "./norm";

class Downsample extends Module {
  constructor(inC: number, outC: number, stride: number) {
    super();
    this.registerModule("0", new Conv2d(inC, outC, 1, { stride, bias: false }));
    this.registerModule("1", new BatchNorm2d(outC));
  }
  forward(x: Tensor): Tensor {
    const [conv, bn] = this.children();
    return bn.forward(conv.forward(x));
  }
}

/**
 * ResNet's basic block: two 3×3 conv + batch-norm layers and a shortcut added before the last ReLU (identity, or a 1×1 projection when the shape changes).
 *
 * @example
 * new nn.ResidualBlock(64);                                  // identity shortcut
 * new nn.ResidualBlock(64, { outChannels: 128, stride: 2 }); // projection shortcut
 */
export class ResidualBlock extends Module {
  readonly outChannels: number;
  readonly stride: number;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Module | null;

  constructor(readonly inChannels: number, options: { outChannels?: number; stride?: number } = {}) {
    super();
    const { outChannels = inChannels, stride = 1 } = options;
    this.outChannels = outChannels;
    this.stride = stride;
    this.conv1 = this.registerModule("conv1", new Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false }));
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(outChannels));
    this.conv2 = this.registerModule("conv2", new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false }));
    this.bn2 = this.registerModule("bn2", new BatchNorm2d(outChannels));
    this.downsample =
      stride !== 1 || outChannels !== inChannels
        ? this.registerModule("downsample", new Downsample(inChannels, outChannels, stride))
        : null;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) shapeError(this.name, "input", `[N, ${this.inChannels}, H, W]`, x.shape);
    const y = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
    const skip = this.downsample ? this.downsample.forward(x) : x;
    return y.add(skip).relu();
  }

  override outputShape(inputShape: Shape): Shape {
    return this.conv2.outputShape(this.conv1.outputShape(inputShape));
  }

  override flops(inputShape: Shape): number {
    const mid = this.conv1.outputShape(inputShape);
    const out = this.conv2.outputShape(mid);
    let f = this.conv1.flops(inputShape, mid) + this.conv2.flops(mid, out);
    if (this.downsample) {
      const conv = this.downsample.children()[0];
      f += conv.flops(inputShape, conv.outputShape(inputShape));
    }
    return f;
  }

  override describe(): string {
    return `ResidualBlock(${this.inChannels} → ${this.outChannels}, stride ${this.stride})`;
  }
}
