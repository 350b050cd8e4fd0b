/**
 * Gradients with respect to the input image: saliency maps (which pixels the class score
 * is most sensitive to) and the fast gradient sign method (an adversarial image made by one
 * step up the loss). Both run the model in inference mode and leave its parameters' `.grad`
 * untouched.
 */
import { Tensor, noGrad, tensor, tidy } from "./core";
import type { Module } from "./module";
import { getLoss } from "./losses";

function forwardOf(model: Module | ((x: Tensor) => Tensor)): (x: Tensor) => Tensor {
  return typeof model === "function" ? model : (x) => model.call(x) as Tensor;
}

/** Runs `fn` with `model` in eval mode and its parameters' gradients restored afterwards. */
function probing<T>(model: Module | ((x: Tensor) => Tensor), fn: () => T): T {
  if (typeof model === "function") return fn();
  const wasTraining = model.training;
  const params = model.parameters();
  const grads = params.map((p) => p.grad);
  model.eval();
  try {
    return fn();
  } finally {
    params.forEach((p, i) => { p.grad = grads[i]; });
    model.train(wasTraining);
  }
}

function checkImages(op: string, X: Tensor): void {
  if (!(X instanceof Tensor) || X.ndim < 2) throw new Error(`${op}: X must be a batch of inputs [N, ...], got ${X instanceof Tensor ? `[${X.shape}]` : typeof X}`);
}

function targetsOf(op: string, scores: Tensor, target: Tensor | number[] | number | undefined): Tensor {
  const n = scores.shape[0];
  if (target === undefined) return noGrad(() => scores.argmax(1));
  const t = target instanceof Tensor ? target : tensor(typeof target === "number" ? new Array(n).fill(target) : target, { dtype: "int32" });
  if (t.size !== n) throw new Error(`${op}: target has ${t.size} entries but the batch has ${n} inputs`);
  return t.reshape(n).astype("int32");
}

/**
 * The gradient of each input's class score (the logit of `target`, default: the predicted
 * class) with respect to the input: same shape as X. Scores are summed over the batch, which
 * is exact since each score depends only on its own input.
 *
 * @example
 * const g = nn.inputGradient(model, X.slice(0, 0, 8), y.slice(0, 0, 8));
 */
export function inputGradient(model: Module | ((x: Tensor) => Tensor), X: Tensor, target?: Tensor | number[] | number): Tensor {
  checkImages("inputGradient", X);
  return probing(model, () => tidy(() => {
    const x = X.detach().requiresGrad_(true);
    const scores = forwardOf(model)(x);
    if (scores.ndim !== 2) throw new Error(`inputGradient: the model must output class scores [N, classes], got [${scores.shape}]`);
    const t = targetsOf("inputGradient", scores, target);
    scores.gather(1, t.reshape(-1, 1)).sum().backward();
    return x.grad!.detach();
  }));
}

/**
 * Saliency map (Simonyan et al. 2014): |∂ score / ∂ pixel|, the largest over colour channels,
 * for each input of X [N, C, H, W]: [N, H, W]. Bright pixels are those whose change would
 * move the class score most.
 *
 * @example
 * plot.imageGrid(nn.saliencyMap(model, X.slice(0, 0, 8)), null, { normalize: true });
 */
export function saliencyMap(model: Module | ((x: Tensor) => Tensor), X: Tensor, target?: Tensor | number[] | number): Tensor {
  if (!(X instanceof Tensor) || X.ndim !== 4) throw new Error(`saliencyMap: X must be images [N, C, H, W], got ${X instanceof Tensor ? `[${X.shape}]` : typeof X}`);
  const g = inputGradient(model, X, target);
  return noGrad(() => g.abs().max(1));
}

/**
 * Fast gradient sign method (Goodfellow et al. 2015): X + ε·sign(∂loss/∂X), clipped to
 * `clip` (default [0, 1], the pixel range). The step raises the loss of the true labels y
 * as much as a change of at most ε per pixel can, to first order.
 *
 * @example
 * const XAdv = nn.fgsm(model, X, y, 0.1);  // loss default: sparse categorical cross-entropy on logits
 */
export function fgsm(
  model: Module | ((x: Tensor) => Tensor), X: Tensor, y: Tensor, epsilon: number,
  options: { loss?: string | ((yHat: Tensor, y: Tensor) => Tensor); clip?: [number, number] | null } = {},
): Tensor {
  checkImages("fgsm", X);
  if (!(typeof epsilon === "number" && epsilon >= 0)) throw new Error(`fgsm: epsilon must be a number >= 0, got ${epsilon}`);
  const lossFn = typeof options.loss === "function" ? options.loss : getLoss(options.loss ?? "sparseCategoricalCrossentropyFromLogits");
  const clip = options.clip === undefined ? [0, 1] : options.clip;
  return probing(model, () => tidy(() => {
    const x = X.detach().requiresGrad_(true);
    lossFn(forwardOf(model)(x), y).backward();
    return noGrad(() => {
      const adv = X.add(x.grad!.sign().mul(epsilon));
      return clip ? adv.clip(clip[0], clip[1]) : adv;
    });
  }));
}
