/**
 * The assertion vocabulary of homework test cells: checks made for tensors and gradients, whose
 * failures say in plain words what was expected, what came, and where they differ.
 *
 * ```ts
 * expectShape(sigmoid(z), [4, 1]);
 * expectClose(sigmoid(tensor([0])), [0.5]);                      // tensors, numbers, nested arrays
 * expectClose(loss, 0.6931, { atol: 1e-4 });
 * expectGradClose((w) => cost(X.matmul(w), y), [w]);          // autodiff against central differences
 * expectGradClose((w) => cost(X.matmul(w), y), [w], { grads: [dw] }); // a gradient computed by hand
 * expectThrows(() => conv2dLoops(x, wrongKernel), /channels/);
 * expect(history.length).toBe(100);
 * ```
 *
 * Every failure is a `CheckFailure`; `test()` (see ./check) catches it and reports its message.
 */
import { Tensor } from "../tensor";
import { tensor } from "../creation";
import { gradcheck } from "../gradcheck";
import { backward, noGrad } from "../autograd";
import { detach } from "../ops/shape";

/** A check that did not hold; the message is meant for the student. */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckFailure";
  }
}

export interface CloseOptions {
  /** Relative tolerance (default 1e-5; 1e-4 when either side is float32). */
  rtol?: number;
  /** Absolute tolerance (default 1e-6; 1e-5 when either side is float32). */
  atol?: number;
  /** What the value is, for the message ("the cost", "dW1"). */
  what?: string;
}

interface Values {
  shape: number[];
  data: Float64Array;
  float32: boolean;
  kind: "tensor" | "number" | "array";
}

function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? "[] (a scalar)" : `[${shape.join(", ")}]`;
}

function describe(v: unknown): string {
  if (v === undefined) return "undefined (did the function forget to return?)";
  if (v === null) return "null";
  if (v instanceof Tensor) return `a tensor of shape ${shapeText(v.shape)}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "function") return "a function (did you forget to call it?)";
  if (typeof v === "object") return `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

function num(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) return String(Number(x.toPrecision(6)));
  return Number(x.toPrecision(5)).toExponential();
}

function nestedShape(v: unknown, where: string): number[] {
  if (typeof v === "number" || typeof v === "boolean") return [];
  if (!Array.isArray(v)) throw new CheckFailure(`${where}: expected numbers or nested arrays of numbers, found ${describe(v)}`);
  if (v.length === 0) return [0];
  const inner = nestedShape(v[0], where);
  for (let i = 1; i < v.length; i++) {
    const s = nestedShape(v[i], where);
    if (s.length !== inner.length || s.some((d, k) => d !== inner[k])) throw new CheckFailure(`${where}: the nested array is ragged (row ${i} has shape ${shapeText(s)}, row 0 has ${shapeText(inner)})`);
  }
  return [v.length, ...inner];
}

function valuesOf(v: unknown, role: string): Values {
  if (v instanceof Tensor) {
    if (v.isDisposed) throw new CheckFailure(`${role} is a tensor that was disposed (freed) before the check`);
    return { shape: [...v.shape], data: Float64Array.from(v.data() as ArrayLike<number>), float32: v.dtype === "float32", kind: "tensor" };
  }
  if (typeof v === "number" || typeof v === "boolean") return { shape: [], data: Float64Array.of(Number(v)), float32: false, kind: "number" };
  if (Array.isArray(v)) {
    const shape = nestedShape(v, role);
    const flat = (v as unknown[]).flat(Infinity as 1) as unknown[];
    return { shape, data: Float64Array.from(flat, Number), float32: false, kind: "array" };
  }
  throw new CheckFailure(`${role}: expected a tensor or a number, got ${describe(v)}`);
}

/** Row-major flat index → "[i, j]". */
function indexText(flat: number, shape: readonly number[]): string {
  if (shape.length === 0) return "";
  const idx: number[] = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(", ")}]`;
}

function prefix(what: string | undefined): string {
  return what ? `${what}: ` : "";
}

/**
 * Checks that `actual` equals `expected` elementwise within `atol + rtol * |expected|`, shapes
 * equal (a number and a one-element tensor of any shape are the same). NaN never matches.
 */
export function expectClose(actual: unknown, expected: unknown, opts: CloseOptions = {}): void {
  const p = prefix(opts.what);
  if (actual === undefined || actual === null || typeof actual === "function" || typeof actual === "string") {
    throw new CheckFailure(`${p}expected ${expected instanceof Tensor ? `a tensor of shape ${shapeText(expected.shape)}` : "a number"}, got ${describe(actual)}`);
  }
  const a = valuesOf(actual, `${p}the value checked`);
  const e = valuesOf(expected, `${p}the expected value`);
  const scalarish = (x: Values) => x.data.length === 1 && (x.kind === "number" || x.shape.every((d) => d === 1));
  const sameShape = a.shape.length === e.shape.length && a.shape.every((d, i) => d === e.shape[i]);
  if (!sameShape && !(scalarish(a) && scalarish(e))) {
    let hint = "";
    if (a.data.length === e.data.length) hint = ` (the same ${a.data.length} elements arranged differently: check a reshape, a transpose, or keepDim in a reduction)`;
    else if (a.shape.length === e.shape.length && a.shape.length === 2 && a.shape[0] === e.shape[1] && a.shape[1] === e.shape[0]) hint = " (transposed?)";
    throw new CheckFailure(`${p}expected shape ${shapeText(e.shape)}, got ${shapeText(a.shape)}${hint}`);
  }
  const f32 = a.float32 || e.float32;
  const rtol = opts.rtol ?? (f32 ? 1e-4 : 1e-5);
  const atol = opts.atol ?? (f32 ? 1e-5 : 1e-6);
  let bad = 0, first = -1, worst = -1, worstErr = -1;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i], y = e.data[i];
    const err = Math.abs(x - y);
    const ok = x === y || err <= atol + rtol * Math.abs(y);
    if (!ok) {
      bad++;
      if (first < 0) first = i;
    }
    const errOrInf = Number.isNaN(err) ? Infinity : err;
    if (errOrInf > worstErr) {
      worstErr = errOrInf;
      worst = i;
    }
  }
  if (bad === 0) return;
  const tol = `tolerance ${num(atol)} + ${num(rtol)}·|expected|`;
  if (a.data.length === 1) {
    const got = a.data[0];
    const why = Number.isNaN(got) ? " (NaN: a log of 0 or a 0/0 somewhere?)" : "";
    throw new CheckFailure(`${p}expected ${num(e.data[0])}, got ${num(got)}${why}; off by ${num(Math.abs(got - e.data[0]))}, ${tol}`);
  }
  const at = indexText(first, a.shape);
  const nan = a.data[first] !== a.data[first] ? " (NaN: a log of 0 or a 0/0 somewhere?)" : "";
  throw new CheckFailure(
    `${p}${bad} of ${a.data.length} values differ; the first at index ${at}: expected ${num(e.data[first])}, got ${num(a.data[first])}${nan}. ` +
      `Largest error ${num(worstErr)} at ${indexText(worst, a.shape)}; ${tol}`,
  );
}

/**
 * Checks a tensor's shape. `null` in `shape` accepts any size on that axis.
 */
export function expectShape(actual: unknown, shape: readonly (number | null)[], opts: { what?: string } = {}): void {
  const p = prefix(opts.what);
  const want = `[${shape.map((d) => (d === null ? "any" : d)).join(", ")}]`;
  if (!(actual instanceof Tensor)) throw new CheckFailure(`${p}expected a tensor of shape ${want}, got ${describe(actual)}`);
  const got = actual.shape;
  const ok = got.length === shape.length && shape.every((d, i) => d === null || d === got[i]);
  if (ok) return;
  let hint = "";
  const want1 = shape.filter((d) => d !== 1), got1 = got.filter((d) => d !== 1);
  if (got.length !== shape.length && want1.length === got1.length && want1.every((d, i) => d === null || d === got1[i])) hint = " (an axis of size 1 is missing or extra: keepDim, reshape, or unsqueeze?)";
  throw new CheckFailure(`${p}expected shape ${want}, got ${shapeText(got)}${hint}`);
}

export interface GradCloseOptions {
  /** Gradients computed by hand, one per input; compared with central differences of `fn`. */
  grads?: unknown[];
  eps?: number;
  rtol?: number;
  atol?: number;
  what?: string;
}

function asLeaf(x: Tensor): Tensor {
  return detach(x).double().requiresGrad_(true);
}

/**
 * Checks gradients of `fn` at `inputs` against central differences in float64. Without
 * `grads`, the gradients are autodiff's (the library's `gradcheck`); with `grads`, they are the
 * student's own (one per input), and `fn` must return a scalar.
 */
export function expectGradClose(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradCloseOptions = {}): void {
  const p = prefix(opts.what);
  if (typeof fn !== "function") throw new CheckFailure(`${p}expectGradClose needs a function, got ${describe(fn)}`);
  if (!Array.isArray(inputs) || inputs.some((x) => !(x instanceof Tensor))) throw new CheckFailure(`${p}expectGradClose needs an array of tensors as inputs`);
  const eps = opts.eps ?? 1e-6;
  if (!opts.grads) {
    const leaves = inputs.map(asLeaf);
    let out: unknown;
    try {
      out = fn(...leaves.map((l) => l));
    } catch (e) {
      throw new CheckFailure(`${p}the function failed: ${(e as Error).message}`);
    }
    if (!(out instanceof Tensor)) throw new CheckFailure(`${p}the function must return a tensor, got ${describe(out)}`);
    const r = gradcheck(fn, inputs.map(asLeaf), { eps, atol: opts.atol ?? 1e-5, rtol: opts.rtol ?? 1e-3 });
    if (r.ok) return;
    const d = r.details[0];
    const shape = inputs[d.input].shape;
    throw new CheckFailure(
      `${p}the gradient of input ${d.input} at index ${indexText(d.element, shape)} (output element ${d.output}) is ${num(d.analytic)} by autodiff but ${num(d.numeric)} by central differences; ` +
        `largest error ${num(r.maxError)}. Is an op used that autodiff cannot follow (a value read out with .item() or .data() and put back)?`,
    );
  }
  if (opts.grads.length !== inputs.length) throw new CheckFailure(`${p}expected ${inputs.length} gradient(s), one per input, got ${opts.grads.length}`);
  const xs = inputs.map((x) => detach(x).double());
  const evalAt = (): number => {
    const out = fn(...xs);
    if (!(out instanceof Tensor) || out.size !== 1) throw new CheckFailure(`${p}the function must return a scalar tensor (the loss), got ${describe(out)}`);
    return out.item();
  };
  noGrad(() => {
    xs.forEach((x, k) => {
      const name = inputs.length > 1 ? `the gradient for input ${k}` : "the gradient";
      const given = opts.grads![k];
      if (given instanceof Tensor) expectShape(given, x.shape, { what: `${p}${name}` });
      const data = x.data() as Float64Array;
      const numeric = new Float64Array(data.length);
      for (let i = 0; i < data.length; i++) {
        const orig = data[i];
        xs[k] = tensor(withValue(data, i, orig + eps), { dtype: "float64" }).reshape(x.shape);
        const plus = evalAt();
        xs[k] = tensor(withValue(data, i, orig - eps), { dtype: "float64" }).reshape(x.shape);
        const minus = evalAt();
        numeric[i] = (plus - minus) / (2 * eps);
      }
      xs[k] = x;
      expectClose(given, tensor(numeric, { dtype: "float64" }).reshape(x.shape), { rtol: opts.rtol ?? 1e-3, atol: opts.atol ?? 1e-5, what: `${p}${name} (against central differences)` });
    });
  });
}

function withValue(data: Float64Array, i: number, v: number): Float64Array {
  const c = Float64Array.from(data);
  c[i] = v;
  return c;
}

/** The autodiff gradients of a scalar `fn` at `inputs` (float64 copies), for comparisons. */
export function autodiffGrads(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): Tensor[] {
  const leaves = inputs.map(asLeaf);
  backward(fn(...leaves));
  return leaves.map((l) => l.grad ?? l.mul(0));
}

/**
 * Checks that `fn` throws (or its promise rejects); with `match`, that the message contains the
 * string or matches the regular expression. Returns the error.
 */
export function expectThrows(fn: () => unknown, match?: string | RegExp): Error | Promise<Error> {
  const matches = (e: unknown): Error => {
    const err = e instanceof Error ? e : new Error(String(e));
    if (match !== undefined) {
      const ok = typeof match === "string" ? err.message.includes(match) : match.test(err.message);
      if (!ok) throw new CheckFailure(`expected an error whose message ${typeof match === "string" ? `contains ${JSON.stringify(match)}` : `matches ${match}`}, but the error said: ${err.message}`);
    }
    return err;
  };
  const none = () => new CheckFailure(`expected an error${match !== undefined ? ` (${match})` : ""}, but the call finished normally`);
  let r: unknown;
  try {
    r = fn();
  } catch (e) {
    return matches(e);
  }
  if (r && typeof (r as Promise<unknown>).then === "function") {
    return (r as Promise<unknown>).then(
      () => {
        throw none();
      },
      (e) => matches(e),
    );
  }
  throw none();
}

function show(v: unknown): string {
  if (v instanceof Tensor) return v.toString();
  if (typeof v === "number") return num(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "undefined";
  try {
    const s = JSON.stringify(v);
    return s.length > 200 ? s.slice(0, 200) + "…" : s;
  } catch {
    return String(v);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Tensor || b instanceof Tensor) {
    if (!(a instanceof Tensor && b instanceof Tensor)) return false;
    return a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]) && deepEqual(Array.from(a.data() as ArrayLike<number>), Array.from(b.data() as ArrayLike<number>));
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeGreaterThan(n: number): void;
  toBeGreaterThanOrEqual(n: number): void;
  toBeLessThan(n: number): void;
  toBeLessThanOrEqual(n: number): void;
  toBeCloseTo(n: number, digits?: number): void;
  toContain(item: unknown): void;
  toHaveLength(n: number): void;
  toBeInstanceOf(cls: abstract new (...args: never[]) => unknown): void;
  /** The same checks, negated. */
  readonly not: Omit<Matchers, "not">;
}

/**
 * Plain checks where nothing better fits, as in Jest: `expect(n).toBe(3)`,
 * `expect(losses[99]).toBeLessThan(losses[0])`. `what` names the value in the message.
 */
export function expect(actual: unknown, what?: string): Matchers {
  const make = (negate: boolean): Omit<Matchers, "not"> => {
    const subject = what ?? show(actual);
    const check = (ok: boolean, text: string) => {
      if (ok !== negate) return;
      throw new CheckFailure(`expected ${subject} ${negate ? "not " : ""}${text}${what ? `, got ${show(actual)}` : ""}`);
    };
    const n = () => {
      if (typeof actual !== "number" && !(actual instanceof Tensor && actual.size === 1)) throw new CheckFailure(`expected ${what ?? "the value"} to be a number, got ${describe(actual)}`);
      return actual instanceof Tensor ? actual.item() : (actual as number);
    };
    return {
      toBe: (e) => check(Object.is(actual, e), `to be ${show(e)}`),
      toEqual: (e) => check(deepEqual(actual, e), `to equal ${show(e)}`),
      toBeTruthy: () => check(!!actual, "to be truthy"),
      toBeFalsy: () => check(!actual, "to be falsy"),
      toBeGreaterThan: (e) => check(n() > e, `to be greater than ${num(e)}`),
      toBeGreaterThanOrEqual: (e) => check(n() >= e, `to be at least ${num(e)}`),
      toBeLessThan: (e) => check(n() < e, `to be less than ${num(e)}`),
      toBeLessThanOrEqual: (e) => check(n() <= e, `to be at most ${num(e)}`),
      toBeCloseTo: (e, digits = 2) => check(Math.abs(n() - e) < 10 ** -digits / 2, `to be close to ${num(e)} (${digits} decimals)`),
      toContain: (item) => check((Array.isArray(actual) || typeof actual === "string") && (actual as unknown[]).includes(item as never), `to contain ${show(item)}`),
      toHaveLength: (len) => check((actual as { length?: unknown })?.length === len, `to have length ${len}`),
      toBeInstanceOf: (cls) => check(actual instanceof (cls as unknown as new () => unknown), `to be an instance of ${(cls as { name?: string }).name ?? "the class"}`),
    };
  };
  return Object.assign(make(false), { not: make(true) });
}
