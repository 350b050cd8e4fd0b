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
import { nextId, type Tensor } from "./tensor";
import * as ops from "./ops";

export interface GradNode {
  /** PyTorch-style name, e.g. "MulBackward". */
  name: string;
  inputs: Tensor[];
  /** Gradients for each input (null where an input needs none). */
  backward: (g: Tensor) => (Tensor | null)[];
  /**
   * Optional, for one-input ops whose input gradient is mostly zeros (slices): adds the
   * input's gradient for g into `acc`, a contiguous tensor of the input's shape that the
   * backward pass owns, in place. Repeated slices of one tensor (a projection cut by time
   * step) then accumulate into one buffer instead of each making a full-size zero tensor.
   */
  addInto?: (acc: Tensor, g: Tensor) => void;
  /** The tensors the backward reads (inputs, output or others), checked for in-place edits. */
  saved?: readonly Tensor[];
  /** Their storages' versions when the op ran (StorageRef.version). */
  versions?: readonly number[];
  /** Set once a backward pass without retainGraph went through this node. */
  freed?: boolean;
}

/** `saved` of an op whose backward reads no tensor (views, sums, copies). */
export const NO_SAVED: readonly Tensor[] = [];

/** Shared version lists of tensors never written in place (the usual case), by length. */
const ZERO_VERSIONS: readonly (readonly number[])[] = [[], [0], [0, 0], [0, 0, 0]].map((a) => Object.freeze(a));

/**
 * The versions of the tensors a node saves, taken when it is recorded. Where every one is 0,
 * a shared frozen list: graphs of many small ops then allocate no list per node.
 */
export function versionsOf(saved: readonly Tensor[]): readonly number[] {
  const n = saved.length;
  let zero = n < ZERO_VERSIONS.length;
  for (let i = 0; zero && i < n; i++) if (saved[i]._ref.version !== 0) zero = false;
  if (zero) return ZERO_VERSIONS[n];
  const v = new Array<number>(n);
  for (let i = 0; i < n; i++) v[i] = saved[i]._ref.version;
  return v;
}

/**
 * Attaches a GradNode to `out` when grad mode is on and any input requires grad. Returns out.
 * Ops call this after computing their result.
 */
export function record(
  out: Tensor, name: string, inputs: Tensor[], backward: (g: Tensor) => (Tensor | null)[],
  addInto?: (acc: Tensor, g: Tensor) => void,
  /** What backward reads: by default every input and the output; [] for ops that read nothing (views, sums). */
  saved?: readonly Tensor[],
): Tensor {
  if (!getEngine().gradEnabled) return out;
  let any = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) { any = true; break; }
  if (!any) return out;
  out.requiresGrad = true;
  const keep = saved ?? [...inputs, out];
  const node: GradNode = { name, inputs, backward, saved: keep, versions: versionsOf(keep), freed: false };
  if (addInto !== undefined) node.addInto = addInto;
  out._ctx = node;
  return out;
}

/**
 * Attaches a prebuilt GradNode to `out` (grad mode on and an input requiring grad are the
 * caller's checks). Elementwise ops use node classes holding their inputs, so recording costs
 * one object instead of a closure, its context and a node.
 */
export function recordNode(out: Tensor, node: GradNode): Tensor {
  if (!getEngine().gradEnabled) return out;
  out.requiresGrad = true;
  out._ctx = node;
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

let passes = 0;

/**
 * Refuses a node whose graph was freed by an earlier backward, or whose saved tensors were
 * changed in place since the forward pass: either would give a wrong gradient silently.
 */
function checkNode(t: Tensor, ctx: GradNode): void {
  if (ctx.freed === true) {
    throw new OpError("backward", `trying to backward through the graph a second time (through ${ctx.name}): the first backward() released it. Pass { retainGraph: true } to the first call to backward() if you need to call it again, or run the forward pass again`);
  }
  const saved = ctx.saved, versions = ctx.versions;
  if (saved === undefined || versions === undefined) return;
  for (let i = 0; i < saved.length; i++) {
    const x = saved[i];
    if (x._ref.version === versions[i]) continue;
    const k = ctx.inputs.indexOf(x);
    const role = x === t ? "its output" : k >= 0 ? `its input ${k}` : "a tensor it saved";
    throw new OpError("backward", `one of the tensors needed for the gradient has been modified by an in-place operation: ${role} (shape ${fmtShape(x.shape)}, ${x.dtype}) of ${ctx.name} is at version ${x._ref.version}; expected version ${versions[i]}. Use an out-of-place op (y = y.add(1) instead of y.addInPlace(1)) or change a clone() of it`);
  }
}

/** Marks the nodes of a finished pass as released (backward without retainGraph). */
function freeGraph(order: Tensor[]): void {
  for (let i = 0; i < order.length; i++) {
    const ctx = order[i]._ctx;
    if (ctx !== null) ctx.freed = true;
  }
}

/** Nodes reachable from root through inputs that require grad, in topological order. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  // A visit mark per pass on the tensor itself: cheaper than a Set on graphs of many tiny ops.
  const pass = ++passes;
  // Iterative DFS: graphs of long loops (RNNs, scalar chains) are deeper than the call stack.
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  root._visit = pass;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top];
    const ctx = t._ctx;
    if (ctx !== null && next[top] === 0) checkNode(t, ctx);
    if (ctx !== null && next[top] < ctx.inputs.length) {
      const child = ctx.inputs[next[top]++];
      if (child.requiresGrad && child._visit !== pass) {
        child._visit = pass;
        stack.push(child);
        next.push(0);
      }
      continue;
    }
    order.push(t);
    stack.pop();
    next.pop();
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
  /**
   * Keep the graph for another backward through it. Without it the graph is released and a
   * second backward() through it raises, as in PyTorch. Defaults to `createGraph`.
   */
  retainGraph?: boolean;
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
  const retain = opts.retainGraph ?? createGraph;
  const targets = opts.inputs;
  const order = topoOrder(root);
  if (!createGraph) {
    const out = backwardFreeing(root, seed, opts.grad === undefined, order, targets);
    if (!retain) freeGraph(order);
    return out;
  }
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, seed);
  const found = new Map<Tensor, Tensor>();
  withGradMode(true, () => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      if (targets !== undefined) {
        if (targets.includes(t)) found.set(t, g);
      } else if (t._ctx === null || t._retain) {
        accumulate(t, g, true);
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
  if (!retain) freeGraph(order);
  if (targets === undefined) return [];
  return targets.map((x) => found.get(x) ?? ops.zerosLike(x));
}

/**
 * The backward pass without createGraph. Nothing made here is part of a graph, so every
 * intermediate gradient is freed as soon as it has been used: each node runs in a scope of
 * its own, its temporaries are disposed when it returns, and a pending gradient is disposed
 * once the last node holding it has consumed it. This keeps a long graph's backward from
 * holding (and making the garbage collector trace) every gradient of the pass until the
 * enclosing tidy() ends, and frees large gradients for reuse during the pass. Pending
 * gradients and their hold counts live in fields of the tensors (`_gpend`, `_holds`): on
 * graphs of thousands of scalar ops, Maps were a large part of the cost.
 */
function backwardFreeing(root: Tensor, seed: Tensor, ownSeed: boolean, order: Tensor[], targets: Tensor[] | undefined): Tensor[] {
  const e = getEngine();
  // Gradients handed back to the caller (only with `inputs`), and those of them made here.
  const found = targets === undefined ? null : new Map<Tensor, Tensor>();
  const returned = new Set<Tensor>();
  const ours = new Set<Tensor>();
  // Pending gradients made in this pass have _holds > 0: the number of `_gpend` slots holding them.
  const owned: Tensor[] = [];
  const drop = (x: Tensor): void => {
    if (x._holds === 0) return;
    if (--x._holds > 0) return;
    // A gradient adopted as some tensor's .grad (accumulate) or returned stays.
    if (!x._kept && (found === null || !returned.has(x))) x.dispose();
  };
  root._gpend = seed;
  if (ownSeed) { seed._holds = 1; owned.push(seed); }
  const prevMode = e.gradEnabled;
  e.gradEnabled = false;
  // The caller's tidy scope, if any: gradients kept in .grad are handed to it.
  const outer = e.scopes.length > 0 ? e.scopes[e.scopes.length - 1] : null;
  const scope: { tensors: unknown[] } = { tensors: [] };
  const made = scope.tensors as Tensor[];
  e.scopes.push(scope);
  try {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = t._gpend;
      if (g === null) continue;
      t._gpend = null;
      // Tensors created from here on are this node's (temporaries, or new pending gradients);
      // `made` was emptied after the previous node.
      const start = nextId();
      if (found !== null) {
        if (targets!.includes(t)) { found.set(t, g); returned.add(g); if (g._holds > 0) ours.add(g); }
      } else if (t._ctx === null || t._retain) {
        accumulate(t, g, false, g._holds === 1);
        // An adopted gradient may come from an earlier node's scope: it outlives them all.
        const tg = t._gradValue;
        if (tg !== null && tg._ref.pending !== null) keepAlive(tg, outer);
      }
      const ctx = t._ctx;
      if (ctx !== null && ctx.addInto !== undefined && ctx.inputs[0].requiresGrad) {
        const input = ctx.inputs[0];
        const prev = input._gpend;
        let acc: Tensor;
        if (prev !== null && prev._holds === 1 && !prev._kept && !returned.has(prev) && prev.dtype === g.dtype && isPlain(prev, input)) {
          acc = prev;  // ours alone: no other slot, view or .grad shares its memory
        } else {
          acc = prev === null ? ops.zerosLike(input) : ops.clone(prev);
          if (acc.dtype !== g.dtype) acc = ops.astype(acc, g.dtype);
          acc._holds = 1;
          owned.push(acc);
          input._gpend = acc;
          if (prev !== null) drop(prev);
        }
        ctx.addInto(acc, g);
      } else if (ctx !== null) {
        const gs = ctx.backward(g);
        for (let k = 0; k < ctx.inputs.length; k++) {
          const gi = gs[k];
          const input = ctx.inputs[k];
          if (gi === null || gi === undefined || !input.requiresGrad) continue;
          const prev = input._gpend;
          const next = prev === null ? gi : ops.add(prev, gi);
          input._gpend = next;
          // Held only if made in this pass: a tensor of the graph or the caller's seed
          // handed back as is is not ours to free.
          if (next._holds > 0) next._holds++;
          else if (next._id >= start) { next._holds = 1; owned.push(next); }
          if (prev !== null) drop(prev);
        }
      }
      drop(g);
      for (let j = 0; j < made.length; j++) {
        const x = made[j];
        if (x._kept) { if (x._ref.pending !== null) keepAlive(x, outer); continue; }
        if (x._holds > 0 || (found !== null && returned.has(x))) continue;
        x.dispose();
      }
      made.length = 0;
    }
  } catch (err) {
    // Left to the collector: register what was deferred (engine.track).
    for (const x of made) if (x._ref.pending !== null) x._ref.pending.register(x._ref);
    for (const x of owned) {
      if (x._holds > 0 && x._ref.pending !== null) x._ref.pending.register(x._ref);
      x._holds = 0;
    }
    for (const t of order) t._gpend = null;
    throw err;
  } finally {
    e.scopes.pop();
    e.gradEnabled = prevMode;
  }
  for (const x of owned) {
    if (x._holds === 0) continue;
    x._holds = 0;
    if (!x._kept && !returned.has(x)) x.dispose();
  }
  if (found === null) return [];
  // The returned gradients belong to the caller's scope, as if made there.
  return targets!.map((x) => {
    const g = found.get(x);
    if (g === undefined) return ops.zerosLike(x);
    if (!ours.has(g)) return g;
    if (outer !== null) outer.tensors.push(g);
    else if (g._ref.pending !== null) g._ref.pending.register(g._ref);
    return g;
  });
}

/**
 * Adds g into t.grad. `owned` says g was made by this backward pass and nothing else holds
 * it: then, if it is a plain contiguous tensor of its own storage, it becomes t.grad itself
 * instead of being copied.
 */
function accumulate(t: Tensor, g: Tensor, createGraph: boolean, owned = false): void {
  if (g.dtype !== t.dtype) { g = ops.astype(g, t.dtype); owned = false; }
  if (createGraph || (t._gradValue !== null && t._gradValue.requiresGrad && !t._gradValue.isDisposed)) {
    // Out of place, as PyTorch does when either gradient has a graph: a .grad made with
    // createGraph may be part of another computation, so it is never written to.
    t.grad = t._gradValue === null || t._gradValue.isDisposed ? g : ops.add(t._gradValue, g);
  } else if (t._gradValue === null || t._gradValue.isDisposed) {
    // A fresh copy unless g is ours alone: g may be shared with other tensors' gradients or be
    // a broadcast view. (Grad mode is off here, so the copy records nothing.)
    t.grad = owned && !g._kept && !g.requiresGrad && g._ref.refs === 1 && g.offset === 0 && g.storage.size === g.size && g.isContiguous() && sameDims(g.shape, t.shape) ? g : ops.clone(g);
  } else {
    // Accumulate in place, as PyTorch does: no new storage per backward pass.
    ops.addInPlace(t._gradValue, g);
  }
  t._gradValue!._kept = true;
}

/**
 * A tensor made in the backward pass that outlives it (a kept .grad) and whose registration
 * for garbage collection was deferred: registered now, or, inside a tidy scope, handed to that
 * scope, which holds it until it ends and registers it then (memory.ts) — registering costs
 * about a microsecond, as much as a small op.
 */
function keepAlive(x: Tensor, outer: { tensors: unknown[] } | null): void {
  if (outer !== null) outer.tensors.push(x);
  else x._ref.pending!.register(x._ref);
}

/** Whether x is a contiguous tensor of input's shape that alone uses its whole storage. */
function isPlain(x: Tensor, input: Tensor): boolean {
  return x._ref.refs === 1 && x.offset === 0 && x.storage.size === x.size && x.isContiguous() && sameDims(x.shape, input.shape);
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
