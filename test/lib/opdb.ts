/**
 * The op database: every op case of test/fixtures/ops.json (inputs and PyTorch's outputs,
 * written by scripts/gen_fixtures.py) paired with the call that runs it here. One database
 * drives every backend: `defineOpTests("js")` registers the tests for the js backend; other
 * backends call it with their device and a skip list, each skip with its reason.
 */
import { beforeAll, describe, expect, it } from "vitest";
import fixtures from "../fixtures/ops.json";
import * as gb from "../../lib";
import type { Backend, DType, DeviceName, Tensor } from "../../lib";

/** A tensor as stored in the fixtures. */
export interface EncodedTensor {
  shape: number[];
  kind: "float" | "int" | "bool";
  data: (number | string)[];
}

export interface OpCase {
  name: string;
  /** Key into OPS. */
  op: string;
  args: Record<string, unknown>;
  inputs: EncodedTensor[];
  outputs: EncodedTensor[];
  /** Whether the float inputs are gradient-checked (in float64). */
  grad: boolean;
  /** The dtypes the float inputs are run in ("int32"/"bool" cases have no float inputs). */
  dtypes: DType[];
  /** float32 tolerances, where the default (atol 1e-5, rtol 1e-4) is too tight. */
  atol?: number;
  rtol?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Args = any;
type Impl = (xs: Tensor[], a: Args) => Tensor | Tensor[];

const unary = (name: keyof typeof gb): Impl => (xs) => (gb[name] as (x: Tensor) => Tensor)(xs[0]);
const binary = (name: keyof typeof gb): Impl => (xs, a) => (gb[name] as (x: Tensor, y: Tensor | number) => Tensor)(xs[0], a.other ?? xs[1]);
const reduction = (name: keyof typeof gb): Impl => (xs, a) => (gb[name] as (x: Tensor, axis?: unknown, keepdim?: boolean) => Tensor)(xs[0], a.axis, a.keepdim ?? false);

/** How each op of the fixtures is called. */
export const OPS: Record<string, Impl> = {
  ...Object.fromEntries(
    ["neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "square", "reciprocal", "tanh", "sigmoid", "relu", "sin", "cos",
      "floor", "ceil", "round", "log1p", "expm1", "logicalNot"].map((n) => [n, unary(n as keyof typeof gb)]),
  ),
  ...Object.fromEntries(
    ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr"]
      .map((n) => [n, binary(n as keyof typeof gb)]),
  ),
  ...Object.fromEntries(["sum", "mean", "max", "min", "prod", "logsumexp"].map((n) => [n, reduction(n as keyof typeof gb)])),
  var: (xs, a) => gb.variance(xs[0], { axis: a.axis, keepdim: a.keepdim, correction: a.correction }),
  std: (xs, a) => xs[0].std({ axis: a.axis, keepdim: a.keepdim, correction: a.correction }),
  argmax: (xs, a) => gb.argmax(xs[0], a.axis, a.keepdim ?? false),
  argmin: (xs, a) => gb.argmin(xs[0], a.axis, a.keepdim ?? false),
  all: (xs) => gb.all(xs[0]),
  any: (xs) => gb.any(xs[0]),
  cumsum: (xs, a) => gb.cumsum(xs[0], a.axis),
  matmul: (xs, a) => gb.matmul(a.transA ? xs[0].mT : xs[0], a.transB ? xs[1].mT : xs[1]),
  reshape: (xs, a) => (a.transposeFirst ? xs[0].mT : xs[0]).reshape(a.shape),
  transpose: (xs, a) => xs[0].transpose(a.a, a.b),
  permute: (xs, a) => xs[0].permute(a.axes),
  expand: (xs, a) => xs[0].expand(a.shape),
  slice: (xs, a) => xs[0].slice(a.axis, a.start, a.end, a.step ?? 1),
  index: (xs, a) => xs[0].index(...a.specs),
  flatten: (xs, a) => xs[0].flatten(a.startDim ?? 0, a.endDim ?? -1),
  squeeze: (xs, a) => xs[0].squeeze(a.axis),
  unsqueeze: (xs, a) => xs[0].unsqueeze(a.axis),
  concat: (xs, a) => gb.concat(xs, a.axis),
  stack: (xs, a) => gb.stack(xs, a.axis),
  split: (xs, a) => gb.split(xs[0], a.size, a.axis),
  chunk: (xs, a) => gb.chunk(xs[0], a.n, a.axis),
  pad: (xs, a) => gb.pad(xs[0], a.pads, a.value ?? 0),
  where: (xs, a) => gb.where(xs[0], xs[1], a.b ?? xs[2]),
  clip: (xs, a) => gb.clip(xs[0], a.min, a.max),
  maskedFill: (xs, a) => gb.maskedFill(xs[0], xs[1], a.value),
  gather: (xs, a) => gb.gather(xs[0], a.axis, xs[1]),
  indexSelect: (xs, a) => gb.indexSelect(xs[0], a.axis, xs[1]),
  scatterAdd: (xs, a) => gb.scatterAdd(xs[0], a.axis, xs[1], xs[2]),
  oneHot: (xs, a) => gb.oneHot(xs[0], a.numClasses),
  sort: (xs, a) => { const r = gb.sort(xs[0], a.axis, a.descending ?? false); return [r.values, r.indices]; },
  topk: (xs, a) => { const r = gb.topk(xs[0], a.k, a.axis, a.largest ?? true); return [r.values, r.indices]; },
  softmax: (xs, a) => gb.softmax(xs[0], a.axis),
  logSoftmax: (xs, a) => gb.logSoftmax(xs[0], a.axis),
  conv2d: (xs, a) => gb.conv2d(xs[0], xs[1], xs[2] ?? null, a),
  maxPool2d: (xs, a) => gb.maxPool2d(xs[0], a.kernelSize, a),
  avgPool2d: (xs, a) => gb.avgPool2d(xs[0], a.kernelSize, a),
};

/** All cases of the fixtures. */
export const opCases: OpCase[] = (fixtures as unknown as { cases: OpCase[] }).cases;

function decodeValues(e: EncodedTensor): number[] {
  return e.data.map((v) => (typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity));
}

/** Builds a case's inputs on a device, float inputs in `dtype`. */
export function makeInputs(c: OpCase, device: DeviceName, dtype: DType, requiresGrad = false): Tensor[] {
  return c.inputs.map((e) => {
    const d: DType = e.kind === "int" ? "int32" : e.kind === "bool" ? "bool" : dtype;
    const t = gb.tensor(Float64Array.from(decodeValues(e)), { dtype: d, device, shape: e.shape });
    return requiresGrad && e.kind === "float" ? t.requiresGrad_(true) : t;
  });
}

/**
 * The same values as t in a non-contiguous view at a non-zero offset: axes stored in reverse
 * order, after a block of zeros. Kernels must read through strides and offsets correctly.
 */
export function stridedLike(t: Tensor): Tensor {
  if (t.ndim === 0) return gb.stack([gb.zerosLike(t), t]).index(1);
  const rev = t.shape.map((_, i) => t.ndim - 1 - i);
  const stored = t.permute(rev).contiguous();
  return gb.stack([gb.zerosLike(stored), stored]).index(1).permute(rev);
}

/** Runs a case; always returns the list of outputs. */
export function runCase(c: OpCase, xs: Tensor[]): Tensor[] {
  const impl = OPS[c.op];
  if (impl === undefined) throw new Error(`opdb: no implementation for op "${c.op}" (case ${c.name})`);
  const r = impl(xs, c.args);
  return Array.isArray(r) ? r : [r];
}

/** Compares outputs with the expected ones; returns a description of the first mismatch or null. */
export function compareOutputs(c: OpCase, outs: Tensor[], dtype: DType): string | null {
  if (outs.length !== c.outputs.length) return `expected ${c.outputs.length} outputs, got ${outs.length}`;
  const f32 = dtype === "float32";
  const atol = f32 ? c.atol ?? 1e-5 : 1e-10, rtol = f32 ? c.rtol ?? 1e-4 : 1e-8;
  for (let k = 0; k < outs.length; k++) {
    const want = c.outputs[k], got = outs[k];
    if (JSON.stringify(got.shape) !== JSON.stringify(want.shape)) return `output ${k}: shape [${got.shape}] instead of [${want.shape}]`;
    const wantDtype = want.kind === "int" ? "int32" : want.kind === "bool" ? "bool" : null;
    if (wantDtype !== null && got.dtype !== wantDtype) return `output ${k}: dtype ${got.dtype} instead of ${wantDtype}`;
    if (wantDtype === null && got.dtype !== "float32" && got.dtype !== "float64") return `output ${k}: dtype ${got.dtype} instead of a float`;
    const exp = decodeValues(want);
    const data = got.data();
    for (let i = 0; i < exp.length; i++) {
      const a = data[i], e = exp[i];
      if (Number.isNaN(e) ? !Number.isNaN(a) : !(Math.abs(a - e) <= atol + rtol * Math.abs(e) || a === e)) {
        return `output ${k} element ${i}: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`;
      }
    }
  }
  return null;
}

/** A skip list: keys are "case", "case:dtype", "case:strided", "case:grad" or "op:name"; values say why. */
export type SkipList = Record<string, string>;

function skipReason(skip: SkipList, c: OpCase, what: string): string | undefined {
  return skip[c.name] ?? skip[`op:${c.op}`] ?? skip[`${c.name}:${what}`];
}

/**
 * The backend of a device, loaded from its module. The engine's own loader uses `require`,
 * which finds only the compiled dist/ files; under vitest the TypeScript sources are imported.
 */
async function importBackend(device: DeviceName): Promise<Backend> {
  if (device === "cpu") return (await import("../../lib/backends/native")).loadNativeBackend();
  if (device === "cuda") return (await import("../../lib/backends/cuda")).loadCudaBackend();
  return gb.getEngine().backend(device);
}

export interface OpTestOptions {
  /** Cases (or case:dtype, case:grad, op:name) not run on this device, each with the reason. */
  skip?: SkipList;
  /** The backend to register for the device; by default it is loaded from its module. */
  backend?: Backend | (() => Backend);
}

/** Registers a forward test per case and dtype and a gradcheck per differentiable case. */
export function defineOpTests(device: DeviceName, opts: OpTestOptions = {}): void {
  const skip = opts.skip ?? {};
  describe(`op database on ${device}`, () => {
    beforeAll(async () => {
      const e = gb.getEngine();
      if (device === "js" || (opts.backend === undefined && e.availability(device).available)) return;
      const b = opts.backend === undefined ? await importBackend(device) : typeof opts.backend === "function" ? opts.backend() : opts.backend;
      e.registerBackend(b);
    });
    it("has an implementation for every op in the fixtures", () => {
      const missing = opCases.filter((c) => OPS[c.op] === undefined).map((c) => c.op);
      expect(missing).toEqual([]);
    });
    for (const c of opCases) {
      for (const dtype of c.dtypes) {
        const reason = skipReason(skip, c, dtype);
        it.skipIf(reason !== undefined)(`${c.name} forward ${dtype}${reason ? ` (skipped: ${reason})` : ""}`, () => {
          const outs = runCase(c, makeInputs(c, device, dtype));
          const err = compareOutputs(c, outs, dtype);
          expect(err).toBeNull();
        });
      }
      const strided = skipReason(skip, c, "strided") ?? skipReason(skip, c, c.dtypes[0]);
      it.skipIf(strided !== undefined)(`${c.name} forward ${c.dtypes[0]} on strided inputs${strided ? ` (skipped: ${strided})` : ""}`, () => {
        const xs = makeInputs(c, device, c.dtypes[0]).map(stridedLike);
        expect(xs.every((x) => x.size === 0 || x.offset > 0)).toBe(true);
        const err = compareOutputs(c, runCase(c, xs), c.dtypes[0]);
        expect(err).toBeNull();
      });
      if (c.grad) {
        const reason = skipReason(skip, c, "grad");
        it.skipIf(reason !== undefined)(`${c.name} gradcheck float64${reason ? ` (skipped: ${reason})` : ""}`, () => {
          const xs = makeInputs(c, device, "float64", true);
          const f = (...ys: Tensor[]): Tensor => {
            // Multi-output ops: check all float outputs at once, flattened and joined.
            const outs = runCase(c, ys).filter((o) => o.dtype === "float64");
            return outs.length === 1 ? outs[0] : gb.concat(outs.map((o) => o.reshape(-1)));
          };
          const r = gb.gradcheck(f, xs);
          expect(r.message).toMatch(/passed/);
          expect(r.ok).toBe(true);
        });
      }
    }
  });
}
