/**
 * Reverse-mode autodiff on a tape.
 *
 * Each op that sees an input with `requiresGrad` (while grad mode is on) stores a GradNode on
 * its output: the inputs and a backward closure mapping the output's gradient to the inputs'.
 * The closures are written with public ops, so with `createGraph` they are themselves
 * recorded and can be differentiated again (gradients of gradients).
 */
import { getEngine } from "./engine";
import { OpError, fmtShape } from "./errors";
import type { Tensor } from "./tensor";
import * as ops from "./ops";

export interface GradNode {
  /** PyTorch-style name, e.g. "MulBackward". */
  name: string;
  inputs: Tensor[];
  /** Gradients for each input (null where an input needs none). */
  backward: (g: Tensor) => (Tensor | null)[];
}

/**
 * Attaches a GradNode to `out` when grad mode is on and any input requires grad. Returns out.
 * Ops call this after computing their result.
 */
export function record(out: Tensor, name: string, inputs: Tensor[], backward: (g: Tensor) => (Tensor | null)[]): Tensor {
  if (!getEngine().gradEnabled) return out;
  let any = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) { any = true; break; }
  if (!any) return out;
  out.requiresGrad = true;
  out._ctx = { name, inputs, backward };
  return out;
}

/** Whether ops currently record for autodiff. */
export function isGradEnabled(): boolean {
  return getEngine().gradEnabled;
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const e = getEngine();
  const prev = e.gradEnabled;
  e.gradEnabled = enabled;
  try {
    return fn();
  } finally {
    e.gradEnabled = prev;
  }
}

/**
 * Runs `fn` without recording gradients (evaluation, parameter updates).
 * @example const yHat = noGrad(() => model.forward(X));
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with gradient recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** Nodes reachable from root through inputs that require grad, in topological order. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: graphs of long loops (RNNs, scalar chains) are deeper than the call stack.
  const stack: { t: Tensor; i: number }[] = [{ t: root, i: 0 }];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const ctx = top.t._ctx;
    if (ctx !== null && top.i < ctx.inputs.length) {
      const child = ctx.inputs[top.i++];
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push({ t: child, i: 0 });
      }
      continue;
    }
    order.push(top.t);
    stack.pop();
  }
  return order;
}

export interface BackwardOptions {
  /** The gradient of the root; defaults to 1 for a one-element root. */
  grad?: Tensor;
  /** Record the backward pass so the gradients can be differentiated again. */
  createGraph?: boolean;
  /** Return the gradients of these tensors instead of accumulating into `.grad`. */
  inputs?: Tensor[];
}

/**
 * Backpropagates from `root`. Without `inputs`, accumulates into `.grad` of leaves that
 * require grad (and of tensors with `retainGrad()`); with `inputs`, returns their gradients
 * (zeros where the root does not depend on one) and leaves `.grad` alone.
 * @example
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * backward(x.mul(x).sum());   // x.grad is [2, 4, 6]
 */
export function backward(root: Tensor, opts: BackwardOptions = {}): Tensor[] {
  if (!root.requiresGrad) {
    throw new OpError("backward", "this tensor does not require grad: no input of the computation has requiresGrad (or it ran inside noGrad)");
  }
  let seed = opts.grad;
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new OpError("backward", `the gradient can only be implied for a one-element output, got shape ${fmtShape(root.shape)}; pass a gradient of the same shape or reduce first (e.g. loss.sum())`);
    }
    seed = ops.onesLike(root);
  } else if (seed.shape.length !== root.shape.length || seed.shape.some((d, i) => d !== root.shape[i])) {
    throw new OpError("backward", `grad has shape ${fmtShape(seed.shape)} but the output has shape ${fmtShape(root.shape)}`);
  }
  const createGraph = opts.createGraph === true;
  const targets = opts.inputs;
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, seed);
  const found = new Map<Tensor, Tensor>();
  withGradMode(createGraph, () => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      if (targets !== undefined) {
        if (targets.includes(t)) found.set(t, g);
      } else if (t._ctx === null || t._retain) {
        accumulate(t, g, createGraph);
      }
      const ctx = t._ctx;
      if (ctx === null) continue;
      const gs = ctx.backward(g);
      for (let k = 0; k < ctx.inputs.length; k++) {
        const gi = gs[k];
        const input = ctx.inputs[k];
        if (gi === null || gi === undefined || !input.requiresGrad) continue;
        const prev = grads.get(input);
        grads.set(input, prev === undefined ? gi : ops.add(prev, gi));
      }
    }
  });
  if (targets === undefined) return [];
  return targets.map((x) => found.get(x) ?? ops.zerosLike(x));
}

function accumulate(t: Tensor, g: Tensor, createGraph: boolean): void {
  if (g.dtype !== t.dtype) g = ops.astype(g, t.dtype);
  if (createGraph) {
    t.grad = t.grad === null ? g : ops.add(t.grad, g);
  } else if (t.grad === null || t.grad.requiresGrad || t.grad.isDisposed) {
    // A fresh copy: g may be shared with other tensors' gradients or be a broadcast view.
    // (Grad mode is off here, so the copy records nothing.)
    t.grad = ops.clone(g);
  } else {
    // Accumulate in place, as PyTorch does: no new storage per backward pass.
    ops.addInPlace(t.grad, g);
  }
  t.grad._kept = true;
}

/**
 * Turns `f` (tensors → scalar tensor) into a function returning the gradients with respect to
 * each argument. Nest it for higher derivatives.
 * @example
 * const df = grad((x: Tensor) => x.pow(3).sum());
 * df(tensor([2]))[0];          // tensor([12.])
 * const d2f = grad((x: Tensor) => df(x)[0].sum());
 * d2f(tensor([2]))[0];         // tensor([12.])
 */
export function grad(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => Tensor[] {
  return (...xs: Tensor[]) => valueAndGrad(f)(...xs).grads;
}

/** Like `grad`, also returning the value of f. */
export function valueAndGrad(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => { value: Tensor; grads: Tensor[] } {
  return (...xs: Tensor[]) => {
    // Differentiating through an enclosing grad(): keep the graph so it can be taken again.
    const outer = getEngine().gradEnabled && xs.some((x) => x.requiresGrad);
    const inputs = xs.map((x) => (x.requiresGrad ? x : ops.detach(x).requiresGrad_(true)));
    const value = enableGrad(() => f(...inputs));
    if (!value.requiresGrad) return { value, grads: inputs.map((x) => ops.zerosLike(x)) };
    const grads = backward(value, { inputs, createGraph: outer });
    return { value: outer ? value : ops.detach(value), grads: outer ? grads : grads.map((g) => ops.detach(g)) };
  };
}
