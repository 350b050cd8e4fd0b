/**
 * Activation functions the tensor core does not provide, composed from its ops so their
 * gradients come from autodiff. The activation layers (`nn.ELU`, ...) are thin over these.
 */
import { Tensor, where } from "./core";

/**
 * Leaky ReLU: x for x > 0, slope·x otherwise.
 * @example nn.functional.leakyRelu(tensor([-2, 3]), 0.1) // [-0.2, 3]
 */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return where(x.gt(0), x, x.mul(slope));
}

/**
 * ELU: x for x > 0, alpha·(eˣ − 1) otherwise.
 * @example nn.functional.elu(tensor([-1, 2])) // [-0.632, 2]
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  // expm1 of the non-positive part: the unused branch must not overflow, or its gradient
  // (eˣ · 0) would be inf · 0 = NaN. `where` rather than `minimum` so that at x = 0 the
  // gradient is alpha (PyTorch's value), not minimum's tie-split alpha / 2.
  const pos = x.gt(0);
  return where(pos, x, where(pos, 0, x).expm1().mul(alpha));
}

/** SELU's constants (Klambauer et al. 2017), as in PyTorch. */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
/** SELU's scale λ (Klambauer et al.); `SELU_ALPHA` is its α. */
export const SELU_SCALE = 1.0507009873554804934193349852946;

/**
 * SELU: scale·ELU(x, alpha) with the self-normalizing constants.
 * @example nn.functional.selu(tensor([1])) // [1.0507]
 */
export function selu(x: Tensor): Tensor {
  return elu(x, SELU_ALPHA).mul(SELU_SCALE);
}

/**
 * Softplus log(1 + eˣ), computed as p + log1p(e^(n − p)) with p = max(x, 0) and
 * n = min(x, 0), so it never overflows. p and n are taken with `where` so that the
 * gradient at 0 is exactly sigmoid(0) = 0.5 (relu and abs would both give 0 there).
 * @example nn.functional.softplus(tensor([0])) // [0.6931]
 */
export function softplus(x: Tensor): Tensor {
  const pos = x.gt(0);
  const p = where(pos, x, 0);
  const n = where(pos, 0, x);
  return p.add(n.sub(p).exp().log1p());
}

/**
 * PReLU: x for x > 0, a·x otherwise, with a learned slope per channel (axis 1) or one
 * shared slope.
 * @example nn.functional.prelu(tensor([[-1, 1]]), tensor([0.25])) // [[-0.25, 1]]
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  let w = weight;
  if (weight.size > 1) {
    if (x.ndim < 2 || x.shape[1] !== weight.size) {
      throw new Error(
        `PReLU: input of shape [${x.shape.join(",")}] must have ${weight.size} channels on axis 1 (weight shape [${weight.shape.join(",")}])`,
      );
    }
    w = weight.reshape([weight.size, ...new Array(x.ndim - 2).fill(1)]);
  }
  return where(x.gt(0), x, x.mul(w));
}
