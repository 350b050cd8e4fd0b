/** Inverted dropout. */
import { isFloat } from "../dtype";
import { OpError } from "../errors";
import { Tensor } from "../tensor";
import { rand } from "../random";
import { div, lt, mul } from "./binary";
import { astype } from "./cast";
import { checkTensor } from "./util";

/**
 * Zeroes each element with probability p while training and scales the rest by 1/(1-p), so
 * nothing changes at evaluation time (training = false returns x).
 * @example dropout(h, 0.5, model.training)
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkTensor("dropout", "x", x);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new OpError("dropout", `p must be a probability in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  if (!isFloat(x.dtype)) throw new OpError("dropout", `x must be a float tensor, got ${x.dtype}`);
  const keep = astype(lt(rand(x.shape, { dtype: x.dtype, device: x.device }), 1 - p), x.dtype);
  return mul(x, div(keep, 1 - p));
}
