/**
 * Forward hooks: functions run after a module's forward pass, as PyTorch's
 * `register_forward_hook`. They read intermediate activations (feature maps, the signature
 * a network computes for an image) without changing the model's code.
 *
 * A hook receives the module, its inputs and its output; returning a Tensor replaces the
 * output. `captureActivations` is the common case: record what chosen layers output.
 */
import type { Tensor } from "./core";
import type { Module } from "./module";

export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;

/** What `registerForwardHook` returns: `remove()` detaches the hook. */
export interface HookHandle {
  remove(): void;
}

const hooks = new WeakMap<Module, ForwardHook[]>();

/** Attaches `hook` to `module` (see `Module.registerForwardHook`). */
export function registerForwardHook(module: Module, hook: ForwardHook): HookHandle {
  if (typeof hook !== "function") throw new Error(`registerForwardHook: ${module.name}: hook must be a function, got ${typeof hook}`);
  const list = hooks.get(module) ?? [];
  list.push(hook);
  hooks.set(module, list);
  return {
    remove() {
      const l = hooks.get(module);
      const i = l ? l.indexOf(hook) : -1;
      if (i >= 0) l!.splice(i, 1);
    },
  };
}

/** Runs `module`'s hooks on its output (called by `Module.call`). */
export function runForwardHooks(module: Module, inputs: unknown[], output: unknown): unknown {
  const list = hooks.get(module);
  if (!list || list.length === 0) return output;
  let out = output;
  for (const hook of [...list]) {
    const replaced = hook(module, inputs, out);
    if (replaced !== undefined) out = replaced;
  }
  return out;
}

/**
 * Runs `model` on `x` and returns the outputs of the named sub-modules (dotted names as in
 * `namedModules()`, e.g. "0", "3", "block.conv1"), or of every direct child when `names` is
 * left out. The hooks are removed afterwards, even when the forward pass throws.
 *
 * @example
 * const acts = nn.captureActivations(model, X.slice(0, 0, 1));
 * acts["0"].shape; // the first layer's feature maps, e.g. [1, 8, 28, 28]
 */
export function captureActivations(model: Module, x: Tensor, names?: string[]): Record<string, Tensor> {
  const all = new Map(model.namedModules());
  const wanted = names ?? model.namedChildren().map(([n]) => n);
  const out: Record<string, Tensor> = {};
  const handles = wanted.map((n) => {
    const m = all.get(n);
    if (!m) throw new Error(`captureActivations: ${model.name} has no sub-module "${n}"; it has ${[...all.keys()].filter(Boolean).join(", ")}`);
    return registerForwardHook(m, (_m, _in, o) => { out[n] = o as Tensor; });
  });
  try {
    model.call(x);
  } finally {
    for (const h of handles) h.remove();
  }
  return out;
}
