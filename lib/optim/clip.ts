/**
 * Gradient clipping, applied between `backward()` and `step()` (or by an optimizer's
 * `clipNorm`/`clipValue` options). Tames exploding gradients in recurrent networks.
 */
import { Tensor, noGrad } from "../nn/core";
import { OpError } from "../errors";

/** Gradients outlive any tidy scope, as autodiff's own do. */
function kept(t: Tensor): Tensor {
  t._kept = true;
  return t;
}

function withGrads(params: Iterable<Tensor> | { parameters(): Tensor[] }): Tensor[] {
  const list = Symbol.iterator in Object(params) ? [...(params as Iterable<Tensor>)] : (params as { parameters(): Tensor[] }).parameters();
  return list.filter((p) => p.grad !== null);
}

/**
 * Rescales all gradients together so that their joint L2 norm is at most `maxNorm`; returns
 * the norm before clipping (PyTorch's clip_grad_norm_).
 *
 * @example
 * loss.backward();
 * optim.clipGradNorm(model.parameters(), 1.0);
 * optimizer.step();
 */
export function clipGradNorm(params: Iterable<Tensor> | { parameters(): Tensor[] }, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new OpError("clipGradNorm", `maxNorm must be > 0, got ${maxNorm}`);
  const ps = withGrads(params);
  return noGrad(() => {
    let sq = 0;
    for (const p of ps) sq += p.grad!.square().sum().item();
    const total = Math.sqrt(sq);
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1) for (const p of ps) p.grad = kept(p.grad!.mul(coef));
    return total;
  });
}

/**
 * Clamps every gradient element to [−clipValue, clipValue] (PyTorch's clip_grad_value_).
 * @example optim.clipGradValue(model.parameters(), 0.5);
 */
export function clipGradValue(params: Iterable<Tensor> | { parameters(): Tensor[] }, clipValue: number): void {
  if (!(clipValue > 0)) throw new OpError("clipGradValue", `clipValue must be > 0, got ${clipValue}`);
  noGrad(() => {
    for (const p of withGrads(params)) p.grad = kept(p.grad!.clip(-clipValue, clipValue));
  });
}
