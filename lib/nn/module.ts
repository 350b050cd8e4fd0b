/**
 * The `Module` base class: a PyTorch-like container of parameters, buffers and sub-modules.
 *
 * Parameters, buffers and children live in three ordered maps keyed by the names PyTorch
 * uses (`weight`, `bias`, `running_mean`, `weight_ih_l0`, ...), so a state dict written by
 * gradbook loads into the equivalent PyTorch module and back. Layers read their tensors
 * through getters over these maps; that way `to(device)` or `loadStateDict` only touch the
 * maps and every reference stays current.
 */
import { Tensor, keep, noGrad, tensor } from "./core";
import type { DeviceName } from "../backend";
import type { Regularizer } from "./regularizers";
import { registerForwardHook, runForwardHooks, type ForwardHook, type HookHandle } from "./hooks";

/** A shape without its batch axis, e.g. `[1, 28, 28]` for an MNIST image. */
export type Shape = number[];

/**
 * Base of every layer and model, as PyTorch's nn.Module: holds parameters, buffers and child
 * modules (fields assigned in a subclass register themselves), and gives `call`, `parameters()`,
 * `train()`/`eval()`, `to(device)`, `stateDict()`/`loadStateDict()`.
 *
 * @example
 * class TwoLayer extends nn.Module {
 *   hidden = new nn.Linear(2, 8);
 *   out = new nn.Linear(8, 1);
 *   forward(x: Tensor): Tensor { return this.out.call(this.hidden.call(x).tanh()); }
 * }
 * const model = new TwoLayer();
 * model.numParameters(); // 33
 */
export abstract class Module {
  /** True in training mode (dropout active, batch norm uses batch statistics). */
  training = true;
  protected readonly _parameters = new Map<string, Tensor>();
  protected readonly _buffers = new Map<string, Tensor>();
  protected readonly _modules = new Map<string, Module>();
  /** Penalties on parameters, by parameter name (see `regularizationLoss`). */
  protected readonly _regularizers = new Map<string, Regularizer>();
  /** Name shown by `summary()` and in error messages; defaults to the class name. */
  name: string;

  constructor() {
    this.name = this.constructor.name;
  }

  /** The computation. Layers override it; call it through `call` (or directly). */
  abstract forward(...inputs: any[]): any;

  /**
   * Runs the module: `model.call(x)` is PyTorch's `model(x)`.
   *
   * @example
   * const layer = new nn.Linear(3, 2);
   * const y = layer.call(tensor([[1, 2, 3]])); // shape [1, 2]
   */
  call(...inputs: any[]): any {
    return runForwardHooks(this, inputs, this.forward(...inputs));
  }

  /** Keras' name for `call`. */
  apply(...inputs: any[]): any {
    return this.call(...inputs);
  }

  /**
   * Runs `hook(module, inputs, output)` after every forward pass through `call` (PyTorch's
   * `register_forward_hook`); a hook that returns a Tensor replaces the output.
   *
   * @example
   * const maps: Tensor[] = [];
   * const handle = model.layers[0].registerForwardHook((_m, _in, out) => { maps.push(out as Tensor); });
   * model.call(X);
   * handle.remove();
   */
  registerForwardHook(hook: ForwardHook): HookHandle {
    return registerForwardHook(this, hook);
  }

  // ---- registration ------------------------------------------------------------------

  /** Registers a trainable tensor (made a leaf that requires grad). Returns it. */
  protected registerParameter(name: string, value: Tensor, regularizer?: Regularizer | null): Tensor {
    const p = value.requiresGrad && value.gradFn === null ? value : value.detach().requiresGrad_(true);
    // Parameters outlive any tidy scope the module happens to be built in.
    p._kept = true;
    this._parameters.set(name, p);
    if (regularizer) this._regularizers.set(name, regularizer);
    return p;
  }

  /** Registers a non-trainable tensor that is part of the state (running statistics). */
  protected registerBuffer(name: string, value: Tensor): Tensor {
    value._kept = true;
    this._buffers.set(name, value);
    return value;
  }

  /** Registers a child module under `name` (its parameters are named `name.weight`, ...). */
  protected registerModule<M extends Module>(name: string, module: M): M {
    if (!(module instanceof Module)) {
      throw new Error(`${this.name}: child "${name}" must be a Module, got ${describe(module)}`);
    }
    this._modules.set(name, module);
    return module;
  }

  /** The parameter registered as `name` (throws a clear error when missing). */
  protected param(name: string): Tensor {
    const p = this._parameters.get(name);
    if (!p) throw new Error(`${this.name}: has no parameter "${name}"`);
    return p;
  }

  protected buffer(name: string): Tensor {
    const b = this._buffers.get(name);
    if (!b) throw new Error(`${this.name}: has no buffer "${name}"`);
    return b;
  }

  protected hasParam(name: string): boolean {
    return this._parameters.has(name);
  }

  // ---- traversal ---------------------------------------------------------------------

  /**
   * Registers what a subclass assigned to its own fields, as PyTorch's `__setattr__` does:
   * a `Module` becomes a child named after the field, an array of modules children named
   * `field.0`, `field.1`, ..., and a leaf tensor that requires grad a parameter. Called before
   * every traversal, so fields assigned at any time count; a field reassigned to another module
   * replaces the child. Names starting with `_` are private and never registered.
   *
   * @example
   * class Net extends nn.Module {
   *   fc1 = new nn.Linear(4, 8);
   *   fc2 = new nn.Linear(8, 3);
   *   forward(x: Tensor) { return this.fc2.call(this.fc1.call(x).relu()); }
   * }
   * new Net().numParameters(); // 4*8 + 8 + 8*3 + 3 = 67
   */
  private registerFields(): void {
    let known: Set<unknown> | undefined;
    for (const key of Object.keys(this)) {
      if (key.startsWith("_") || key === "training" || key === "name") continue;
      const value = (this as Record<string, unknown>)[key];
      if (value instanceof Module) {
        if (value === this) continue;
        const current = this._modules.get(key);
        if (current === value) continue;
        known ??= this.registeredValues();
        if (current === undefined && known.has(value)) continue; // registered under another name
        this._modules.set(key, value);
        known.add(value);
      } else if (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Module)) {
        known ??= this.registeredValues();
        value.forEach((m: Module, i) => {
          if (known!.has(m)) return;
          this._modules.set(`${key}.${i}`, m);
          known!.add(m);
        });
      } else if (value instanceof Tensor && value.requiresGrad && value.gradFn === null) {
        known ??= this.registeredValues();
        if (known.has(value)) continue;
        value._kept = true;
        this._parameters.set(key, value);
        known.add(value);
      }
    }
  }

  private registeredValues(): Set<unknown> {
    return new Set<unknown>([...this._modules.values(), ...this._parameters.values(), ...this._buffers.values()]);
  }

  /** Direct children, in registration order. */
  children(): Module[] {
    this.registerFields();
    return [...this._modules.values()];
  }

  /** Direct children with their names. */
  namedChildren(): [string, Module][] {
    this.registerFields();
    return [...this._modules.entries()];
  }

  /** This module and every descendant, depth first, with dotted names ("" for this one). */
  namedModules(prefix = ""): [string, Module][] {
    this.registerFields();
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this._modules) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every trainable tensor with its dotted name, as PyTorch names them.
   *
   * @example
   * new nn.Sequential([new nn.Linear(2, 3)]).namedParameters().map(([n]) => n); // ["0.weight", "0.bias"]
   */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, p] of m._parameters) out.push([prefix ? `${prefix}.${n}` : n, p]);
    }
    return out;
  }

  /** Every trainable tensor (what an optimizer updates). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, b] of m._buffers) out.push([prefix ? `${prefix}.${n}` : n, b]);
    }
    return out;
  }

  /** Number of parameter scalars (frozen ones included, as Keras' "Total params"). */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.size, 0);
  }

  /** The parameters that are not frozen (Keras' `trainable_weights`): give these to an optimizer. */
  trainableParameters(): Tensor[] {
    return this.parameters().filter((p) => p.requiresGrad);
  }

  // ---- freezing ----------------------------------------------------------------------

  /**
   * Freezes every parameter of this module and its children (`requiresGrad` false), so
   * backward computes no gradient for them and an optimizer over `trainableParameters()`
   * leaves them alone: the first step of transfer learning. Keras: `layer.trainable = false`.
   *
   * @example
   * model.layers[0].freeze();
   * const optimizer = new optim.Adam(model.trainableParameters(), { lr: 1e-3 });
   */
  freeze(): this {
    for (const p of this.parameters()) p.requiresGrad = false;
    return this;
  }

  /** Undoes `freeze` (every parameter requires grad again). */
  unfreeze(): this {
    for (const p of this.parameters()) p.requiresGrad = true;
    return this;
  }

  /** False when every parameter is frozen; setting it freezes or unfreezes them (Keras' `trainable`). */
  get trainable(): boolean {
    const ps = this.parameters();
    return ps.length === 0 || ps.some((p) => p.requiresGrad);
  }
  set trainable(flag: boolean) {
    if (flag) this.unfreeze();
    else this.freeze();
  }

  // ---- modes -------------------------------------------------------------------------

  /** Training mode: dropout drops, batch norm uses and updates batch statistics. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Inference mode: dropout is the identity, batch norm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradient of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Moves every parameter and buffer to `device` (a no-op for those already there).
   *
   * @example
   * model.to("cuda");
   */
  to(device: DeviceName): this {
    for (const m of this.modules()) {
      for (const [n, p] of m._parameters) {
        if (p.device === device) continue;
        const moved = keep(p.detach().to(device).requiresGrad_(p.requiresGrad));
        m._parameters.set(n, moved);
        // A parameter that is also a field (`w = randn([3], { requiresGrad: true })`) follows.
        if ((m as unknown as Record<string, unknown>)[n] === p) (m as unknown as Record<string, unknown>)[n] = moved;
      }
      for (const [n, b] of m._buffers) {
        if (b.device !== device) m._buffers.set(n, keep(b.to(device)));
      }
    }
    return this;
  }

  /** Device of the first parameter (or buffer); undefined for a module without state. */
  get device(): DeviceName | undefined {
    const t = this.parameters()[0] ?? this.namedBuffers()[0]?.[1];
    return t?.device;
  }

  // ---- state -------------------------------------------------------------------------

  /**
   * Parameters and buffers by dotted name, as detached copies (a snapshot: later training
   * does not change it). The names match PyTorch's `state_dict()` for the same layers.
   *
   * @example
   * const snapshot = model.stateDict();
   * // ... train ...
   * model.loadStateDict(snapshot); // back to the snapshot
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    noGrad(() => {
      for (const [n, p] of this.namedParameters()) out[n] = p.detach().clone();
      for (const [n, b] of this.namedBuffers()) out[n] = b.detach().clone();
    });
    return out;
  }

  /**
   * Copies values into the parameters and buffers, checking names and shapes. With
   * `strict` (default) missing or unexpected names are an error, as in PyTorch.
   */
  loadStateDict(state: Record<string, unknown>, strict = true): void {
    const targets = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    if (strict) {
      const missing = [...targets.keys()].filter((k) => !(k in state));
      const unexpected = Object.keys(state).filter((k) => !targets.has(k));
      if (missing.length || unexpected.length) {
        throw new Error(
          `loadStateDict: ${this.name} state does not match: ` +
            `missing [${missing.join(", ")}], unexpected [${unexpected.join(", ")}]`,
        );
      }
    }
    noGrad(() => {
      for (const [k, v] of Object.entries(state)) {
        const dst = targets.get(k);
        if (!dst) continue;
        const src = v instanceof Tensor ? v : tensor(v as number[]);
        if (src.shape.join(",") !== dst.shape.join(",")) {
          throw new Error(
            `loadStateDict: "${k}" has shape [${src.shape.join(",")}] but ${this.name} expects [${dst.shape.join(",")}]`,
          );
        }
        dst.assign(src.to(dst.device).astype(dst.dtype));
      }
    });
  }

  // ---- regularization ------------------------------------------------------------------

  /**
   * Sum of every attached penalty (L1, L2, elastic net) over this module and its children,
   * or null when none is attached. `fit` adds it to the loss; a hand-written loop adds it
   * itself.
   */
  regularizationLoss(): Tensor | null {
    let total: Tensor | null = null;
    for (const m of this.modules()) {
      for (const [n, r] of m._regularizers) {
        const p = m._parameters.get(n);
        if (!p) continue;
        const term = r(p);
        total = total ? total.add(term) : term;
      }
    }
    return total;
  }

  // ---- shape inference and cost (used by summary) --------------------------------------

  /**
   * Output shape (without the batch axis) for an input shape, without computing anything.
   * Layers override it; the default runs a forward pass on zeros, which is always right
   * but costs a computation.
   */
  outputShape(inputShape: Shape): Shape {
    return noGrad(() => {
      const wasTraining = this.training;
      this.eval();
      try {
        const x = tensor(new Float32Array([1, ...inputShape].reduce((a, b) => a * b, 1)), {
          shape: [1, ...inputShape],
        }).to(this.device ?? "js");
        const y = this.forward(x);
        if (!(y instanceof Tensor)) {
          throw new Error(`${this.name}: cannot infer an output shape: forward did not return a tensor`);
        }
        return y.shape.slice(1);
      } finally {
        this.train(wasTraining);
      }
    });
  }

  /**
   * Floating-point operations for one sample, as the course notes count them: one per
   * multiply-accumulate (dense and convolution layers), one per element of each pooling
   * window; layers that only apply an elementwise function count 0. Composite modules sum
   * their children.
   */
  flops(inputShape: Shape, _outputShape: Shape): number {
    let total = 0;
    let shape = inputShape;
    for (const m of this.children()) {
      const out = m.outputShape(shape);
      total += m.flops(shape, out);
      shape = out;
    }
    return total;
  }

  /** A one-line description, e.g. `Linear(3 → 2)`. */
  describe(): string {
    return this.name;
  }

  toString(): string {
    const kids = this.namedChildren();
    if (!kids.length) return this.describe();
    const inner = kids.map(([n, m]) => `  (${n}): ${m.toString().replace(/\n/g, "\n  ")}`).join("\n");
    return `${this.describe()}(\n${inner}\n)`;
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/** Throws a layer error naming the layer and both shapes. */
export function shapeError(layer: string, what: string, expected: string, got: readonly number[]): never {
  throw new Error(`${layer}: ${what}: expected ${expected}, got shape [${got.join(",")}]`);
}
