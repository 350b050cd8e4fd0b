/**
 * Activations as layers, for `Sequential([...])`. Each is a thin wrapper over a tensor method
 * or `nn.functional`; they keep the shape and cost no FLOPs in `summary()` (the course
 * notes count only multiply-accumulates and pooling).
 */
import { Tensor, softmax, tensor } from "./core";
import { Module, type Shape } from "./module";
import { elu, leakyRelu, prelu, selu, softplus } from "./functional";
import { OpError } from "../errors";

/** Base of the stateless activations: shape in = shape out, zero FLOPs. */
export abstract class Activation extends Module {
  override outputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  override flops(): number {
    return 0;
  }
}

/** max(0, x). @example new nn.ReLU().call(tensor([-1, 2])) // [0, 2] */
export class ReLU extends Activation {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** x for x > 0, slope·x otherwise. @example new nn.LeakyReLU(0.1) */
export class LeakyReLU extends Activation {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (!Number.isFinite(negativeSlope)) throw new OpError("LeakyReLU", `negativeSlope must be finite, got ${negativeSlope}`);
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override describe(): string {
    return `LeakyReLU(${this.negativeSlope})`;
  }
}

/**
 * Parametric ReLU: the negative slope is learned, one per channel (axis 1) or shared.
 * Parameter `weight` of shape [numChannels], initialised to `init` (PyTorch: 0.25).
 * @example new nn.PReLU(64) // one slope per channel of a 64-channel input
 */
export class PReLU extends Module {
  constructor(readonly numChannels = 1, init = 0.25) {
    super();
    if (!Number.isInteger(numChannels) || numChannels < 1) {
      throw new OpError("PReLU", `numChannels must be a positive integer, got ${numChannels}`);
    }
    this.registerParameter("weight", tensor(new Float32Array(numChannels).fill(init), { shape: [numChannels] }));
  }
  get weight(): Tensor {
    return this.param("weight");
  }
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
  override outputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  override flops(): number {
    return 0;
  }
  override describe(): string {
    return `PReLU(${this.numChannels})`;
  }
}

/** x for x > 0, alpha·(eˣ − 1) otherwise. @example new nn.ELU(1.0) */
export class ELU extends Activation {
  constructor(readonly alpha = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
}

/** Self-normalizing ELU. @example new nn.SELU() */
export class SELU extends Activation {
  forward(x: Tensor): Tensor {
    return selu(x);
  }
}

/** log(1 + eˣ), a smooth ReLU. @example new nn.Softplus() */
export class Softplus extends Activation {
  forward(x: Tensor): Tensor {
    return softplus(x);
  }
}

/** 1 / (1 + e⁻ˣ). @example new nn.Sigmoid() */
export class Sigmoid extends Activation {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** tanh(x). @example new nn.Tanh() */
export class Tanh extends Activation {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** Softmax over `axis` (default the last). @example new nn.Softmax(-1) */
export class Softmax extends Activation {
  constructor(readonly axis = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }
}

/** The identity (Keras' "linear" activation). */
export class Identity extends Activation {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Activation layers by the names `Dense({ activation })` accepts. */
export function getActivation(name: string | Module | undefined | null, layer: string): Module | null {
  if (name === undefined || name === null || name === "linear" || name === "none") return null;
  if (name instanceof Module) return name;
  const table: Record<string, () => Module> = {
    relu: () => new ReLU(),
    leakyRelu: () => new LeakyReLU(),
    leaky_relu: () => new LeakyReLU(),
    elu: () => new ELU(),
    selu: () => new SELU(),
    softplus: () => new Softplus(),
    sigmoid: () => new Sigmoid(),
    tanh: () => new Tanh(),
    softmax: () => new Softmax(),
  };
  const make = table[name];
  if (!make) throw new OpError(layer, `unknown activation "${name}"; known: linear, ${Object.keys(table).join(", ")}`);
  return make();
}
