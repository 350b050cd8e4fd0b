/**
 * PyTorch's loss classes (`nn.CrossEntropyLoss`, `nn.MSELoss`, ...): modules called as
 * `criterion.call(yHat, y)`, with PyTorch's `reduction` ("mean", the default; "sum"; "none" for the
 * per-sample losses). They compute the same values as the loss functions in losses.ts, which remain
 * the Keras-style way in (`compile({ loss: "mse" })`); `compile` accepts these modules too.
 */
import { Module } from "./module";
import { Tensor, gather, logSoftmax } from "./core";
import { clampedLog, sameShape } from "./losses";

export type Reduction = "mean" | "sum" | "none";

abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(options: { reduction?: Reduction } = {}) {
    super();
    const { reduction = "mean" } = options;
    if (!["mean", "sum", "none"].includes(reduction)) {
      throw new Error(`${this.name}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
    }
    this.reduction = reduction;
  }
  /** The loss of each element (or sample), before reduction. */
  protected abstract elementwise(yHat: Tensor, y: Tensor): Tensor;
  forward(yHat: Tensor, y: Tensor): Tensor {
    if (!(yHat instanceof Tensor) || !(y instanceof Tensor)) {
      throw new Error(`${this.name}: expected (prediction, target) tensors, got (${typeof yHat}, ${typeof y})`);
    }
    const l = this.elementwise(yHat, y);
    return this.reduction === "mean" ? l.mean() : this.reduction === "sum" ? l.sum() : l;
  }
}

const asFloat = (y: Tensor, like: Tensor) => (y.dtype === like.dtype ? y : y.astype(like.dtype));

/** (ŷ − y)², as `torch.nn.MSELoss`. @example new nn.MSELoss().call(tensor([1, 2]), tensor([1, 4])) // 2 */
export class MSELoss extends Loss {
  protected elementwise(yHat: Tensor, y: Tensor): Tensor {
    sameShape("MSELoss", yHat, y);
    return yHat.sub(asFloat(y, yHat)).square();
  }
}

/** |ŷ − y|, as `torch.nn.L1Loss`. @example new nn.L1Loss().call(tensor([1, 2]), tensor([1, 4])) // 1 */
export class L1Loss extends Loss {
  protected elementwise(yHat: Tensor, y: Tensor): Tensor {
    sameShape("L1Loss", yHat, y);
    return yHat.sub(asFloat(y, yHat)).abs();
  }
}

/**
 * Cross-entropy of raw scores (logits) [N, C] against class indices [N] (int32) or class
 * probabilities [N, C], as `torch.nn.CrossEntropyLoss`: log-softmax is applied inside, so the
 * model's last layer has no softmax.
 *
 * @example
 * const criterion = new nn.CrossEntropyLoss();
 * criterion.call(tensor([[2, 0.5, -1]]), tensor([0], { dtype: "int32" })); // ≈ 0.24
 */
export class CrossEntropyLoss extends Loss {
  protected elementwise(yHat: Tensor, y: Tensor): Tensor {
    if (yHat.ndim !== 2) throw new Error(`CrossEntropyLoss: expected logits [N, C], got [${yHat.shape.join(",")}]`);
    const logP = logSoftmax(yHat, -1);
    if (y.ndim === 2) {
      sameShape("CrossEntropyLoss", yHat, y);
      return asFloat(y, yHat).mul(logP).sum(-1).neg();
    }
    return nll("CrossEntropyLoss", logP, y);
  }
}

/** Negative log-likelihood of log-probabilities [N, C] at class indices [N], as `torch.nn.NLLLoss`. */
export class NLLLoss extends Loss {
  protected elementwise(logP: Tensor, y: Tensor): Tensor {
    return nll("NLLLoss", logP, y);
  }
}

function nll(name: string, logP: Tensor, y: Tensor): Tensor {
  if (logP.ndim !== 2 || y.ndim !== 1 || y.shape[0] !== logP.shape[0]) {
    throw new Error(`${name}: expected predictions [N, C] and class indices [N], got [${logP.shape.join(",")}] and [${y.shape.join(",")}]`);
  }
  if (y.dtype !== "int32") {
    const v = y.data();
    for (let i = 0; i < v.length; i++) {
      if (!Number.isInteger(v[i])) throw new Error(`${name}: class indices must be integers, found ${v[i]} at ${i}`);
    }
  }
  const idx = y.dtype === "int32" ? y : y.astype("int32");
  return gather(logP, 1, idx.unsqueeze(1)).squeeze(1).neg();
}

/** Binary cross-entropy of probabilities in [0, 1], as `torch.nn.BCELoss` (logs clamped at −100). */
export class BCELoss extends Loss {
  protected elementwise(p: Tensor, y: Tensor): Tensor {
    sameShape("BCELoss", p, y);
    const t = asFloat(y, p);
    return t.mul(clampedLog(p)).add(t.neg().add(1).mul(clampedLog(p.neg().add(1)))).neg();
  }
}

/** Binary cross-entropy of logits (sigmoid applied inside, stably), as `torch.nn.BCEWithLogitsLoss`. */
export class BCEWithLogitsLoss extends Loss {
  protected elementwise(s: Tensor, y: Tensor): Tensor {
    sameShape("BCEWithLogitsLoss", s, y);
    const t = asFloat(y, s);
    return s.relu().sub(s.mul(t)).add(s.abs().neg().exp().log1p());
  }
}
