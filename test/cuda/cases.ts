/**
 * Backend-level cases: every primitive of lib/backend.ts with odd shapes, broadcast and
 * transposed views, every dtype it applies to, NaN, ties and empty edges. The same list runs
 * on the GPU against the js reference (scripts/gpu-check.sh, and cuda.test.ts where a GPU is
 * present) and, without a GPU, against the launch recorder to check kernel names and ABI.
 */
import type { Backend, BinaryOp, Conv2dParams, DType, OptimizerStep, Pool2dParams, Storage, TypedArray, UnaryOp, View } from "../../lib/backend";
import { contiguousStrides, sizeOf } from "../../lib/backend";

export interface BackendCase {
  name: string;
  /** Relative and absolute tolerance for float outputs (exact for int32 and bool). */
  tol: number;
  run(be: Backend): Storage[];
}

/** Deterministic values in [lo, hi) (a small LCG; the same on every machine). */
export function values(n: number, seed: number, lo = -2, hi = 2, integer = false): number[] {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 4294967296;
    const v = lo + (hi - lo) * u;
    out.push(integer ? Math.floor(v) : v);
  }
  return out;
}

function view(s: Storage, shape: number[], strides = contiguousStrides(shape), offset = 0): View {
  return { storage: s, shape, strides, offset };
}

function input(be: Backend, shape: number[], dtype: DType, seed: number, lo = -2, hi = 2): Storage {
  const n = sizeOf(shape);
  const integer = dtype === "int32" || dtype === "bool";
  const v = dtype === "bool" ? values(n, seed, 0, 2, true) : values(n, seed, lo, hi, integer);
  return be.fromArray(v, dtype);
}

const UNARY: UnaryOp[] = ["neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "square", "reciprocal", "tanh",
  "sigmoid", "relu", "sin", "cos", "floor", "ceil", "round", "log1p", "expm1", "logicalNot"];
const BINARY: BinaryOp[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt",
  "ge", "logicalAnd", "logicalOr"];

function conv(n: number, cIn: number, h: number, w: number, cOut: number, k: number, stride: number, pad: number, dil: number, groups: number): Conv2dParams {
  const outH = Math.floor((h + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
  const outW = Math.floor((w + 2 * pad - dil * (k - 1) - 1) / 1) + 1;
  return { n, cIn, h, w, cOut, kh: k, kw: k, strideH: stride, strideW: 1, padTop: pad, padLeft: pad, padBottom: pad,
    padRight: pad, dilationH: dil, dilationW: dil, groups, outH, outW };
}

function pool(n: number, c: number, h: number, w: number, k: number, stride: number, pad: number, countIncludePad?: boolean): Pool2dParams {
  const outH = Math.floor((h + 2 * pad - k) / stride) + 1, outW = Math.floor((w + 2 * pad - k) / stride) + 1;
  return { n, c, h, w, kh: k, kw: k, strideH: stride, strideW: stride, padTop: pad, padLeft: pad, outH, outW, countIncludePad };
}

export function backendCases(): BackendCase[] {
  const cases: BackendCase[] = [];
  const add = (name: string, run: (be: Backend) => Storage[], tol = 1e-5): void => { cases.push({ name, tol, run }); };

  // ---- memory and layout ----
  for (const d of ["float32", "float64", "int32", "bool"] as DType[]) {
    add(`fromArray ${d}`, (be) => [be.fromArray([0, 1.5, -2.7, 3, NaN, 1e9], d)]);
    add(`fill ${d}`, (be) => [be.fill(1000, 2.5, d), be.fill(7, 0, d), be.fill(0, 1, d)]);
    for (const to of ["float32", "float64", "int32", "bool"] as DType[]) {
      add(`contiguous transposed ${d}->${to}`, (be) => [be.contiguous(view(input(be, [3, 4], d, 1, -5, 5), [4, 3], [1, 4]), to)]);
    }
  }
  add("contiguous sliced 4-d", (be) => {
    const s = input(be, [2, 3, 4, 5], "float32", 2);
    return [be.contiguous(view(s, [2, 2, 2, 5], [60, 20, 10, 1], 5))];
  });
  add("contiguous broadcast", (be) => [be.contiguous(view(input(be, [5], "float32", 3), [4, 5], [0, 1]))]);
  add("assign broadcast into view", (be) => {
    const dst = be.fill(20, -1, "float32");
    be.assign(view(dst, [2, 3], [5, 2], 1), view(input(be, [3], "float32", 4), [2, 3], [0, 1]));
    return [dst];
  });
  add("assign int32 into float64 view", (be) => {
    const dst = be.fill(12, 7, "float64");
    be.assign(view(dst, [3, 2], [1, 3], 0), view(input(be, [3, 2], "int32", 5, -9, 9), [3, 2]));
    return [dst];
  });

  // ---- elementwise ----
  for (const d of ["float32", "float64"] as DType[]) {
    for (const op of UNARY) {
      add(`unary ${op} ${d}`, (be) => {
        const x = be.fromArray([...values(37, 6, -3, 3), 0, -0.5, 0.5, 2.5, NaN], d);
        return [be.unary(op, view(x, [6, 7])), be.unary(op, view(x, [7, 6], [1, 7]))];
      }, d === "float32" ? 2e-5 : 1e-12);
    }
  }
  for (const op of ["neg", "abs", "sign", "square", "relu", "floor", "round", "logicalNot"] as UnaryOp[]) {
    add(`unary ${op} int32`, (be) => [be.unary(op, view(input(be, [4, 5], "int32", 7, -50, 50), [4, 5]))]);
  }
  add("unary logicalNot bool", (be) => [be.unary("logicalNot", view(input(be, [9], "bool", 8), [9]))]);
  for (const d of ["float32", "float64", "int32"] as DType[]) {
    for (const op of BINARY) {
      add(`binary ${op} ${d} broadcast`, (be) => {
        const a = input(be, [3, 1, 5], d, 9, -4, 4), b = input(be, [4, 5], d, 10, -4, 4);
        return [be.binary(op, view(a, [3, 4, 5], [5, 0, 1]), view(b, [3, 4, 5], [0, 5, 1]), [3, 4, 5])];
      }, d === "float32" ? 2e-5 : 1e-12);
    }
  }
  add("binary logicalOr bool", (be) => [be.binary("logicalOr", view(input(be, [8], "bool", 11), [8]), view(input(be, [8], "bool", 12), [8]), [8])]);
  add("binary add scalar broadcast", (be) => [be.binary("add", view(input(be, [1000], "float32", 13), [1000]), view(be.fromArray([3], "float32"), [1000], [0]), [1000])]);
  add("where broadcast", (be) => {
    const c = input(be, [4, 1], "bool", 14), a = input(be, [4, 6], "float32", 15), b = input(be, [6], "float32", 16);
    return [be.where(view(c, [4, 6], [1, 0]), view(a, [4, 6]), view(b, [4, 6], [0, 1]), [4, 6])];
  });

  // ---- reductions ----
  const axesSets = [[0], [1], [2], [0, 2], [0, 1], [1, 2], [0, 1, 2]];
  for (const op of ["sum", "prod", "max", "min"] as const) {
    for (const axes of axesSets) {
      add(`reduce ${op} [3,4,5] axes ${axes}`, (be) => [be.reduce(op, input(be, [3, 4, 5], "float32", 17, 0.5, 1.5), [3, 4, 5], axes)], 1e-5);
    }
  }
  for (const op of ["argmax", "argmin"] as const) {
    for (const axis of [0, 1, 2]) add(`reduce ${op} axis ${axis}`, (be) => [be.reduce(op, input(be, [3, 4, 5], "int32", 18, 0, 4), [3, 4, 5], [axis])]);
    add(`reduce ${op} long rows with NaN`, (be) => {
      const v = values(2 * 3000, 19);
      v[1234] = NaN;
      return [be.reduce(op, be.fromArray(v, "float32"), [2, 3000], [1])];
    });
  }
  add("reduce sum long rows", (be) => [be.reduce("sum", input(be, [3, 5000], "float32", 20), [3, 5000], [1])], 1e-4);
  add("reduce sum long columns", (be) => [be.reduce("sum", input(be, [5000, 3], "float32", 21), [5000, 3], [0])], 1e-4);
  add("reduce sum all 100k", (be) => [be.reduce("sum", input(be, [100000], "float32", 22), [100000], [0])], 1e-4);
  add("reduce max with NaN", (be) => [be.reduce("max", be.fromArray([1, NaN, 3, 4, 5, 6], "float32"), [2, 3], [1])]);
  add("reduce sum int32", (be) => [be.reduce("sum", input(be, [6, 7], "int32", 23, -100, 100), [6, 7], [0])]);
  add("reduce prod float64", (be) => [be.reduce("prod", input(be, [4, 6], "float64", 24, 0.5, 1.5), [4, 6], [1])], 1e-12);
  add("reduce sum over an empty axis", (be) => [be.reduce("sum", be.fromArray([], "float32"), [3, 0], [1])]);
  for (const axis of [0, 1, 2]) add(`cumsum axis ${axis}`, (be) => [be.cumsum(input(be, [3, 4, 5], "float32", 25), [3, 4, 5], axis)], 1e-5);
  add("cumsum int32 long", (be) => [be.cumsum(input(be, [2, 3000], "int32", 26, -10, 10), [2, 3000], 1)]);

  // ---- sort ----
  for (const desc of [false, true]) {
    add(`sort ties and NaN ${desc ? "desc" : "asc"}`, (be) => {
      const r = be.sort(be.fromArray([3, 1, 2, 1, NaN, 3, 0, 2, 2, 5, -1, NaN, 4, 4], "float32"), 2, 7, desc);
      return [r.values, r.indices];
    });
    add(`sort long rows ${desc ? "desc" : "asc"}`, (be) => {
      const r = be.sort(input(be, [3, 1000], "int32", 27, 0, 50), 3, 1000, desc);
      return [r.values, r.indices];
    });
  }

  // ---- matmul ----
  for (const d of ["float32", "float64", "int32"] as DType[]) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
      add(`matmul ${d} transA=${tA} transB=${tB} batch 3`, (be) => {
        const m = 17, n = 19, k = 23;
        const a = input(be, [3, m * k], d, 28, -3, 3), b = input(be, [3, k * n], d, 29, -3, 3);
        return [be.matmul(a, b, { batch: 3, m, n, k, transA: tA, transB: tB, strideA: m * k, strideB: k * n })];
      }, d === "float32" ? 1e-4 : 1e-10);
    }
  }
  add("matmul broadcast A (strideA 0)", (be) => {
    const a = input(be, [5 * 7], "float32", 30), b = input(be, [4, 7 * 3], "float32", 31);
    return [be.matmul(a, b, { batch: 4, m: 5, n: 3, k: 7, transA: false, transB: false, strideA: 0, strideB: 21 })];
  }, 1e-4);
  add("matmul k = 0", (be) => [be.matmul(be.fromArray([], "float32"), be.fromArray([], "float32"), { batch: 1, m: 2, n: 3, k: 0, transA: false, transB: false, strideA: 0, strideB: 0 })]);
  add("matmul 128x784 @ 784x256", (be) => [be.matmul(input(be, [128, 784], "float32", 32), input(be, [784, 256], "float32", 33), { batch: 1, m: 128, n: 256, k: 784, transA: false, transB: false, strideA: 0, strideB: 0 })], 1e-3);

  // ---- convolution ----
  const convs: [string, Conv2dParams][] = [
    ["3x3 pad 1", conv(2, 3, 7, 6, 4, 3, 1, 1, 1, 1)],
    ["5x5 pad 2 (LeNet)", conv(3, 1, 12, 12, 6, 5, 1, 2, 1, 1)],
    ["stride 2", conv(2, 4, 9, 8, 6, 3, 2, 1, 1, 1)],
    ["dilation 2", conv(2, 2, 9, 9, 3, 3, 1, 2, 2, 1)],
    ["groups 2", conv(2, 4, 6, 6, 6, 3, 1, 1, 1, 2)],
    ["depthwise 1x1", conv(2, 3, 5, 5, 3, 1, 1, 0, 1, 3)],
  ];
  for (const [label, p] of convs) {
    const xs = [p.n, p.cIn, p.h, p.w], ws = [p.cOut, p.cIn / p.groups, p.kh, p.kw], ys = [p.n, p.cOut, p.outH, p.outW];
    for (const d of ["float32", "float64"] as DType[]) {
      const tol = d === "float32" ? 1e-4 : 1e-10;
      add(`conv2d ${label} ${d}`, (be) => [be.conv2d(input(be, xs, d, 34), input(be, ws, d, 35), p)], tol);
      add(`conv2dBackwardInput ${label} ${d}`, (be) => [be.conv2dBackwardInput(input(be, ys, d, 36), input(be, ws, d, 35), p)], tol);
      add(`conv2dBackwardWeight ${label} ${d}`, (be) => [be.conv2dBackwardWeight(input(be, xs, d, 34), input(be, ys, d, 36), p)], tol);
    }
  }

  // ---- pooling and softmax ----
  const pools: [string, Pool2dParams][] = [
    ["2x2", pool(2, 3, 8, 6, 2, 2, 0)],
    ["3x3 stride 2 pad 1", pool(2, 2, 7, 7, 3, 2, 1)],
    ["3x3 stride 1 pad 1 excluding pad", pool(1, 2, 5, 6, 3, 1, 1, false)],
  ];
  for (const [label, p] of pools) {
    const xs = [p.n, p.c, p.h, p.w], ys = [p.n, p.c, p.outH, p.outW];
    add(`maxPool2d ${label}`, (be) => {
      const r = be.maxPool2d(input(be, xs, "float32", 37), p);
      return [r.out, r.indices, be.maxPool2dBackward(input(be, ys, "float32", 38), r.indices, p)];
    });
    add(`avgPool2d ${label}`, (be) => [be.avgPool2d(input(be, xs, "float64", 39), p), be.avgPool2dBackward(input(be, ys, "float64", 40), p)], 1e-12);
  }
  add("maxPool2d ties and NaN", (be) => {
    const p = pool(1, 1, 4, 4, 2, 2, 0);
    const r = be.maxPool2d(be.fromArray([1, 1, 2, 2, 1, 1, 2, NaN, 0, 3, 5, 5, 3, 0, 5, 5], "float32"), p);
    return [r.out, r.indices];
  });
  for (const log of [false, true]) {
    for (const [outer, n] of [[5, 10], [3, 1000], [1000, 7]]) {
      add(`softmax log=${log} [${outer},${n}]`, (be) => [be.softmax(input(be, [outer, n], "float32", 41, -20, 20), outer, n, log)], 1e-5);
    }
    add(`softmax log=${log} float64`, (be) => [be.softmax(input(be, [4, 33], "float64", 42), 4, 33, log)], 1e-12);
  }

  // ---- indexing ----
  add("gather axis 1", (be) => [be.gather(input(be, [3, 4, 5], "float32", 43), [3, 4, 5], input(be, [3, 2, 5], "int32", 44, 0, 4), [3, 2, 5], 1)]);
  add("gather axis 0 smaller index", (be) => [be.gather(input(be, [4, 3], "int32", 45, -9, 9), [4, 3], input(be, [2, 2], "int32", 46, 0, 4), [2, 2], 0)]);
  add("gather last axis (cross-entropy picks)", (be) => [be.gather(input(be, [128, 10], "float32", 47), [128, 10], input(be, [128, 1], "int32", 48, 0, 10), [128, 1], 1)]);
  add("scatterAdd axis 1 with repeats", (be) => [be.scatterAdd([3, 4, 5], input(be, [3, 6, 5], "int32", 49, 0, 4), input(be, [3, 6, 5], "float32", 50), [3, 6, 5], 1)], 1e-5);
  add("scatterAdd embeddings (axis 0)", (be) => [be.scatterAdd([10, 8], input(be, [64, 8], "int32", 51, 0, 10), input(be, [64, 8], "float64", 52), [64, 8], 0)], 1e-12);

  // ---- fused optimizer updates (three steps in place; parameter and state compared) ----
  const steps: [string, OptimizerStep, number][] = [
    ["sgd", { kind: "sgd", lr: 0.1, weightDecay: 0 }, 0],
    ["sgd momentum dampening wd", { kind: "sgd", lr: 0.1, weightDecay: 0.1, momentum: 0.9, dampening: 0.3 }, 1],
    ["sgd nesterov", { kind: "sgd", lr: 0.1, weightDecay: 0, momentum: 0.9, nesterov: true }, 1],
    ["adam", { kind: "adam", lr: 0.01, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 2],
    ["adam wd amsgrad", { kind: "adam", lr: 0.01, weightDecay: 0.1, beta1: 0.8, beta2: 0.99, eps: 1e-8, amsgrad: true }, 3],
    ["adamw (decay)", { kind: "adam", lr: 0.01, weightDecay: 0, decay: 0.999, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 2],
    ["rmsprop", { kind: "rmsprop", lr: 0.01, weightDecay: 0, alpha: 0.9, eps: 1e-8 }, 1],
    ["rmsprop centered momentum wd", { kind: "rmsprop", lr: 0.01, weightDecay: 0.05, alpha: 0.9, eps: 1e-8, centered: true, momentum: 0.5 }, 3],
    ["adagrad", { kind: "adagrad", lr: 0.1, weightDecay: 0.1, eps: 1e-10 }, 1],
  ];
  for (const [label, step, nState] of steps) {
    for (const d of ["float32", "float64"] as DType[]) {
      for (const n of [1000, 70000]) {
        add(`optimizerStep ${label} ${d} n=${n}`, (be) => {
          const p = input(be, [n], d, 53, -1, 1);
          // rmsprop's slots: [S, ḡ, b]; a slot the options leave unused stays null.
          const used = step.kind !== "rmsprop" ? [0, 1, 2].map((k) => k < nState)
            : [true, !!step.centered, (step.momentum ?? 0) > 0];
          const state = used.map((u) => (u ? be.fill(n, step.kind === "adagrad" ? 0.1 : 0, d) : null));
          for (let t = 0; t < 3; t++) {
            be.optimizerStep!(p, input(be, [n], d, 54 + t, -3, 3), state, { ...step, first: t === 0 });
          }
          return [p, ...state.filter((x): x is Storage => x !== null)];
        }, d === "float32" ? 2e-5 : 1e-12);
      }
    }
  }
  return cases;
}

/** Largest violation of |a - b| <= tol * (1 + |b|) over two arrays; NaN must match NaN. */
export function compareArrays(a: TypedArray, b: TypedArray, tol: number): { ok: boolean; maxErr: number; at: number; detail: string } {
  if (a.length !== b.length) return { ok: false, maxErr: Infinity, at: -1, detail: `length ${a.length} vs ${b.length}` };
  if (a.constructor !== b.constructor) return { ok: false, maxErr: Infinity, at: -1, detail: `type ${a.constructor.name} vs ${b.constructor.name}` };
  const exact = a instanceof Int32Array || a instanceof Uint8Array;
  let maxErr = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x !== x || y !== y) {
      if ((x !== x) !== (y !== y)) return { ok: false, maxErr: Infinity, at: i, detail: `element ${i}: ${x} vs ${y}` };
      continue;
    }
    if (x === y) continue;
    const err = exact ? Infinity : Math.abs(x - y) / (1 + Math.abs(y));
    if (err > maxErr) { maxErr = err; at = i; }
  }
  const ok = exact ? maxErr === 0 : maxErr <= tol;
  return { ok, maxErr, at, detail: at >= 0 ? `element ${at}: ${a[at]} vs ${b[at]} (reference)` : "" };
}

/** Runs every case on `be` and on the reference, comparing what they return. */
export function runAgainst(be: Backend, reference: Backend, filter?: RegExp): { name: string; ok: boolean; detail: string }[] {
  const results: { name: string; ok: boolean; detail: string }[] = [];
  for (const c of backendCases()) {
    if (filter && !filter.test(c.name)) continue;
    try {
      const got = c.run(be).map((s) => be.read(s));
      const want = c.run(reference).map((s) => reference.read(s));
      let ok = got.length === want.length, detail = "";
      for (let i = 0; ok && i < got.length; i++) {
        const r = compareArrays(got[i], want[i], c.tol);
        if (!r.ok) { ok = false; detail = `output ${i}: ${r.detail} (max relative error ${r.maxErr.toExponential(2)}, tolerance ${c.tol})`; }
      }
      results.push({ name: c.name, ok, detail });
    } catch (e) {
      results.push({ name: c.name, ok: false, detail: (e as Error).message.split("\n").slice(0, 6).join(" | ") });
    }
  }
  return results;
}
