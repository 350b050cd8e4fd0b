/**
 * Loss functions. Each takes the prediction first and the target second, returns the mean
 * over the batch as a scalar tensor, and checks shapes with a message naming the loss and
 * both shapes. `getLoss` resolves the Keras-style names `compile` accepts.
 */
import { Tensor, gather, logSoftmax, where } from "./core";

/** e^−100: below it a probability's log is clamped to −100, as PyTorch's BCELoss does. */
const TINY = Math.exp(-100);

/**
 * max(log p, −100) whose gradient stays finite where p is 0 (a saturated, even correct,
 * prediction): the log only ever sees probabilities above e^−100, and the clamped entries take
 * no gradient. A plain `log(p).maximum(−100)` would send 0 · (1/0) = NaN back through the log.
 */
export function clampedLog(p: Tensor): Tensor {
  const ok = p.gt(TINY);
  return where(ok, where(ok, p, 1).log(), -100);
}

/** A loss: (prediction, target) → scalar tensor. */
export type LossFn = (yHat: Tensor, y: Tensor) => Tensor;

/** A loss module such as `new nn.CrossEntropyLoss()` (anything with `call(yHat, y)`). */
export interface LossModule {
  call(yHat: Tensor, y: Tensor): Tensor;
  name?: string;
}

export function sameShape(loss: string, yHat: Tensor, y: Tensor): void {
  if (yHat.shape.join(",") !== y.shape.join(",")) {
    throw new Error(
      `${loss}: prediction shape [${yHat.shape.join(",")}] and target shape [${y.shape.join(",")}] differ`,
    );
  }
}

function asFloat(y: Tensor, like: Tensor): Tensor {
  return y.dtype === like.dtype ? y : y.astype(like.dtype);
}

/**
 * Mean squared error mean((ŷ − y)²).
 * @example nn.mseLoss(tensor([1, 2]), tensor([1, 4])) // 2
 */
export function mseLoss(yHat: Tensor, y: Tensor): Tensor {
  sameShape("mseLoss", yHat, y);
  return yHat.sub(asFloat(y, yHat)).square().mean();
}

/**
 * Mean absolute error mean(|ŷ − y|) (PyTorch's L1Loss).
 * @example nn.maeLoss(tensor([1, 2]), tensor([1, 4])) // 1
 */
export function maeLoss(yHat: Tensor, y: Tensor): Tensor {
  sameShape("maeLoss", yHat, y);
  return yHat.sub(asFloat(y, yHat)).abs().mean();
}

/**
 * Binary cross-entropy −mean(y·log p + (1−y)·log(1−p)). With `fromLogits`, ŷ is a score
 * and the loss is computed stably as max(s,0) − s·y + log(1 + e^−|s|).
 * Logs are clamped at −100, as PyTorch does, so p = 0 or 1 gives a finite loss.
 *
 * @example
 * nn.binaryCrossEntropy(tensor([0.9, 0.2]), tensor([1, 0]));
 * nn.binaryCrossEntropy(tensor([2.0, -1.5]), tensor([1, 0]), { fromLogits: true });
 */
export function binaryCrossEntropy(yHat: Tensor, y: Tensor, options: { fromLogits?: boolean } = {}): Tensor {
  sameShape("binaryCrossEntropy", yHat, y);
  const t = asFloat(y, yHat);
  if (options.fromLogits) {
    return yHat.relu().sub(yHat.mul(t)).add(yHat.abs().neg().exp().log1p()).mean();
  }
  const logP = clampedLog(yHat);
  const log1mP = clampedLog(yHat.neg().add(1));
  return t.mul(logP).add(t.neg().add(1).mul(log1mP)).mean().neg();
}

/**
 * Categorical cross-entropy −mean(Σ y·log p) for one-hot (or soft) targets over the last
 * axis. With `fromLogits`, ŷ are scores and log-softmax is applied (stable).
 *
 * @example
 * nn.categoricalCrossEntropy(tensor([[0.7, 0.2, 0.1]]), tensor([[1, 0, 0]]));
 */
export function categoricalCrossEntropy(yHat: Tensor, y: Tensor, options: { fromLogits?: boolean } = {}): Tensor {
  sameShape("categoricalCrossEntropy", yHat, y);
  const logP = options.fromLogits ? logSoftmax(yHat, -1) : clampedLog(yHat);
  return asFloat(y, yHat).mul(logP).sum(-1).mean().neg();
}

/**
 * Sparse categorical cross-entropy: like categorical, with integer class labels [N] for
 * predictions [N, C] (PyTorch's CrossEntropyLoss when `fromLogits`).
 *
 * @example
 * nn.sparseCategoricalCrossEntropy(logits, tensor([3, 0, 1], { dtype: "int32" }), { fromLogits: true });
 */
export function sparseCategoricalCrossEntropy(
  yHat: Tensor,
  labels: Tensor,
  options: { fromLogits?: boolean } = {},
): Tensor {
  if (yHat.ndim !== 2 || labels.ndim !== 1 || labels.shape[0] !== yHat.shape[0]) {
    throw new Error(
      `sparseCategoricalCrossEntropy: expected predictions [N, C] and labels [N], got [${yHat.shape.join(",")}] and [${labels.shape.join(",")}]`,
    );
  }
  const idx = labels.dtype === "int32" ? labels : labels.astype("int32");
  const logP = options.fromLogits ? logSoftmax(yHat, -1) : clampedLog(yHat);
  return gather(logP, 1, idx.unsqueeze(1)).mean().neg();
}

/** Targets in {0, 1} become {−1, +1} (as Keras' hinge does); {−1, +1} stay. */
function signedTargets(loss: string, y: Tensor, like: Tensor): Tensor {
  const v = y.data();
  let zeroOne = true;
  for (let i = 0; i < v.length; i++) {
    const a = v[i];
    if (a !== 0 && a !== 1) zeroOne = false;
    if (a !== 0 && a !== 1 && a !== -1) {
      throw new Error(`${loss}: targets must be −1/+1 (or 0/1), found ${a}`);
    }
  }
  const t = asFloat(y, like);
  return zeroOne ? t.mul(2).sub(1) : t;
}

/**
 * Hinge loss mean(max(0, 1 − y·s)) for scores s and targets y in {−1, +1} (0/1 are mapped).
 * It is exactly 0 once every example is on the right side with margin 1.
 * @example nn.hingeLoss(tensor([2, -0.5]), tensor([1, -1])) // 0.25
 */
export function hingeLoss(yHat: Tensor, y: Tensor): Tensor {
  sameShape("hingeLoss", yHat, y);
  return signedTargets("hingeLoss", y, yHat).mul(yHat).neg().add(1).relu().mean();
}

/**
 * Exponential loss mean(e^(−y·s)) (AdaBoost's), targets in {−1, +1} (0/1 are mapped).
 * @example nn.exponentialLoss(tensor([0]), tensor([1])) // 1
 */
export function exponentialLoss(yHat: Tensor, y: Tensor): Tensor {
  sameShape("exponentialLoss", yHat, y);
  return signedTargets("exponentialLoss", y, yHat).mul(yHat).neg().exp().mean();
}

/** Losses by the names `compile` accepts (Keras' snake_case and our camelCase). */
const LOSSES: Record<string, LossFn> = {
  mse: mseLoss,
  meanSquaredError: mseLoss,
  mean_squared_error: mseLoss,
  mae: maeLoss,
  meanAbsoluteError: maeLoss,
  mean_absolute_error: maeLoss,
  binaryCrossentropy: (a, b) => binaryCrossEntropy(a, b),
  binary_crossentropy: (a, b) => binaryCrossEntropy(a, b),
  binaryCrossentropyFromLogits: (a, b) => binaryCrossEntropy(a, b, { fromLogits: true }),
  categoricalCrossentropy: (a, b) => categoricalCrossEntropy(a, b),
  categorical_crossentropy: (a, b) => categoricalCrossEntropy(a, b),
  categoricalCrossentropyFromLogits: (a, b) => categoricalCrossEntropy(a, b, { fromLogits: true }),
  sparseCategoricalCrossentropy: (a, b) => sparseCategoricalCrossEntropy(a, b),
  sparse_categorical_crossentropy: (a, b) => sparseCategoricalCrossEntropy(a, b),
  sparseCategoricalCrossentropyFromLogits: (a, b) => sparseCategoricalCrossEntropy(a, b, { fromLogits: true }),
  crossEntropy: (a, b) => sparseCategoricalCrossEntropy(a, b, { fromLogits: true }),
  hinge: hingeLoss,
  exponential: exponentialLoss,
};

/**
 * Resolves a loss by name (or returns a function unchanged).
 * @example nn.getLoss("sparseCategoricalCrossentropyFromLogits")
 */
export function getLoss(loss: LossFn | string | LossModule): LossFn {
  if (typeof loss === "function") return loss;
  if (typeof loss !== "string") {
    if (loss !== null && typeof loss === "object" && typeof loss.call === "function") return (yHat, y) => loss.call(yHat, y);
    throw new Error(`compile: loss must be a name, a function or a loss module, got ${loss === null ? "null" : typeof loss}`);
  }
  const f = LOSSES[loss];
  if (!f) throw new Error(`compile: unknown loss "${loss}"; known: ${Object.keys(LOSSES).join(", ")}`);
  return f;
}

