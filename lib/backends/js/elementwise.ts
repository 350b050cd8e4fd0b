/**
 * Elementwise kernels (unary, binary, where, strided copies) for the js backend.
 *
 * The loop for each op is generated once with the op's expression inlined, so the hot loop
 * has no per-element call through a closure or a switch. Every kernel walks its operands
 * through strides with an odometer over the outer dimensions and a tight inner loop; shapes
 * are first simplified (size-1 dimensions dropped, mergeable dimensions merged) so that
 * contiguous and broadcast-scalar operands run as a single flat loop.
 */
import { contiguousStrides as rowMajor, sizeOf, type BinaryOp, type DType, type UnaryOp, type View } from "../../backend";
import { alloc, arr } from "./storage";

/** Rounds half to even, like PyTorch's round. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Expressions over the input values a (and b, c). */
export const UNARY_EXPR: Record<UnaryOp, string> = {
  neg: "-a",
  abs: "Math.abs(a)",
  sign: "(a > 0 ? 1 : a < 0 ? -1 : a === 0 ? 0 : a)",
  exp: "Math.exp(a)",
  log: "Math.log(a)",
  sqrt: "Math.sqrt(a)",
  rsqrt: "1 / Math.sqrt(a)",
  square: "a * a",
  reciprocal: "1 / a",
  tanh: "Math.tanh(a)",
  sigmoid: "(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))",
  relu: "(a > 0 ? a : a === a ? 0 : a)",
  sin: "Math.sin(a)",
  cos: "Math.cos(a)",
  floor: "Math.floor(a)",
  ceil: "Math.ceil(a)",
  round: "roundHalfEven(a)",
  log1p: "Math.log1p(a)",
  expm1: "Math.expm1(a)",
  logicalNot: "(a === 0 ? 1 : 0)",
};

export const BINARY_EXPR: Record<BinaryOp, string> = {
  add: "a + b",
  sub: "a - b",
  mul: "a * b",
  div: "a / b",
  pow: "Math.pow(a, b)",
  maximum: "Math.max(a, b)",
  minimum: "Math.min(a, b)",
  eq: "(a === b ? 1 : 0)",
  ne: "(a !== b ? 1 : 0)",
  lt: "(a < b ? 1 : 0)",
  le: "(a <= b ? 1 : 0)",
  gt: "(a > b ? 1 : 0)",
  ge: "(a >= b ? 1 : 0)",
  logicalAnd: "(a !== 0 && b !== 0 ? 1 : 0)",
  logicalOr: "(a !== 0 || b !== 0 ? 1 : 0)",
};

type AnyArray = ArrayLike<number> & { [i: number]: number };
/** (out, shape, strides of out or null for contiguous, then per input: array, offset, strides) */
type Kernel = (out: AnyArray, outOff: number, outStr: readonly number[] | null, shape: readonly number[], ...ins: unknown[]) => void;

const NAMES = ["a", "b", "c"];

function generate(nIn: number, expr: string): Kernel {
  const vs = NAMES.slice(0, nIn);
  const params = vs.map((v) => `${v.toUpperCase()}, ${v}Off, ${v}Str`).join(", ");
  const src = `
return function kernel(OUT, outOff, outStr, shape, ${params}) {
  const nd = shape.length;
  const inner = shape[nd - 1];
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) outer *= shape[d];
  if (inner === 0 || outer === 0) return;
  const oS = outStr === null ? 1 : outStr[nd - 1];
  let oP = outOff;
  ${vs.map((v) => `const ${v}S = ${v}Str[nd - 1]; let ${v}P = ${v}Off;`).join("\n  ")}
  const idx = nd > 1 ? new Int32Array(nd - 1) : null;
  for (let r = 0; r < outer; r++) {
    let o = oP;
    ${vs.map((v) => `let ${v}i = ${v}P;`).join(" ")}
    for (let j = 0; j < inner; j++) {
      ${vs.map((v) => `const ${v} = ${v.toUpperCase()}[${v}i]; ${v}i += ${v}S;`).join(" ")}
      OUT[o] = ${expr};
      o += oS;
    }
    if (outStr === null) oP += inner;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      if (outStr !== null) oP += outStr[d];
      ${vs.map((v) => `${v}P += ${v}Str[d];`).join(" ")}
      if (idx[d] < shape[d]) break;
      if (outStr !== null) oP -= outStr[d] * shape[d];
      ${vs.map((v) => `${v}P -= ${v}Str[d] * shape[d];`).join(" ")}
      idx[d] = 0;
    }
  }
};`;
  return new Function("roundHalfEven", src)(roundHalfEven) as Kernel;
}

const DTYPE_CODE: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };

/**
 * Kernels per expression, one instance per combination of array types: a generated function
 * that only ever sees one typed-array class per operand stays monomorphic, which is several
 * times faster than one shared function seeing all four.
 */
const cache = new Map<string, Kernel[]>();
function kernelFor(nIn: number, expr: string, out: DType, views: readonly View[]): Kernel {
  let code = DTYPE_CODE[out];
  for (let i = 0; i < views.length; i++) code = code * 4 + DTYPE_CODE[views[i].storage.dtype];
  let byTypes = cache.get(expr);
  if (byTypes === undefined) {
    byTypes = [];
    cache.set(expr, byTypes);
  }
  let k = byTypes[code];
  if (k === undefined) {
    k = generate(nIn, expr);
    byTypes[code] = k;
  }
  return k;
}

const ONE: readonly number[] = [1];
const ZERO: readonly number[] = [0];

/**
 * Drops size-1 dimensions and merges neighbours that are contiguous in every operand. Returns
 * the new shape and one stride list per operand; a scalar becomes shape [1] with stride [0].
 */
export function simplify(shape: readonly number[], strides: (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const sh: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const n = sh.length;
    if (n > 0) {
      let merge = true;
      for (let k = 0; k < strides.length; k++) {
        if (st[k][n - 1] !== strides[k][d] * shape[d]) { merge = false; break; }
      }
      if (merge) {
        sh[n - 1] *= shape[d];
        for (let k = 0; k < strides.length; k++) st[k][n - 1] = strides[k][d];
        continue;
      }
    }
    sh.push(shape[d]);
    for (let k = 0; k < strides.length; k++) st[k].push(strides[k][d]);
  }
  if (sh.length === 0) {
    sh.push(shape.length === 0 || shape.every((d) => d === 1) ? 1 : 0);
    for (const s of st) s.push(0);
  }
  return { shape: sh, strides: st };
}

/** Applies a generated kernel to views, producing a fresh contiguous array of `outDtype`. */
export function mapViews(expr: string, views: View[], outShape: readonly number[], outDtype: DType) {
  const size = sizeOf(outShape);
  const out = alloc(outDtype, size);
  if (size === 0) return out;
  const k = kernelFor(views.length, expr, outDtype, views);
  if (size === 1) {
    // Scalars are the common case in scalar autodiff graphs: skip the shape analysis.
    const a = views[0], b = views[1], c = views[2];
    if (views.length === 1) k(out, 0, null, ONE, arr(a.storage), a.offset, ZERO);
    else if (views.length === 2) k(out, 0, null, ONE, arr(a.storage), a.offset, ZERO, arr(b.storage), b.offset, ZERO);
    else k(out, 0, null, ONE, arr(a.storage), a.offset, ZERO, arr(b.storage), b.offset, ZERO, arr(c.storage), c.offset, ZERO);
    return out;
  }
  const s = simplify(outShape, [rowMajor(outShape), ...views.map((v) => v.strides)]);
  const nd = s.shape.length;
  if (expr === "a" && nd >= 2 && s.strides[1][nd - 1] !== 1 && s.strides[1][nd - 2] === 1) {
    copyTransposed(out, arr(views[0].storage), views[0].offset, s.shape, s.strides[1]);
    return out;
  }
  const args: unknown[] = [];
  views.forEach((v, i) => args.push(arr(v.storage), v.offset, s.strides[i + 1]));
  k(out, 0, null, s.shape, ...args);
  return out;
}

const TILE = 32;

/**
 * A copy whose source is transposed in its last two axes (the source walks the output's rows
 * with a large stride): done in 32×32 tiles so both sides stay in cache.
 */
function copyTransposed(out: AnyArray, src: ArrayLike<number>, off: number, shape: readonly number[], st: readonly number[]): void {
  const nd = shape.length;
  const rows = shape[nd - 2], cols = shape[nd - 1];
  const rs = st[nd - 2], cs = st[nd - 1];
  let outer = 1;
  for (let d = 0; d < nd - 2; d++) outer *= shape[d];
  const idx = new Int32Array(Math.max(nd - 2, 1));
  let base = off, o = 0;
  for (let b = 0; b < outer; b++) {
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, rows);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = Math.min(j0 + TILE, cols);
        for (let i = i0; i < i1; i++) {
          let p = base + i * rs + j0 * cs, q = o + i * cols + j0;
          for (let j = j0; j < j1; j++, p += cs) out[q++] = src[p];
        }
      }
    }
    o += rows * cols;
    for (let d = nd - 3; d >= 0; d--) {
      idx[d]++;
      base += st[d];
      if (idx[d] < shape[d]) break;
      base -= st[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** Copies `src` (already broadcast to dst's shape through its strides) into the view `dst`. */
export function copyInto(dst: View, src: View, toBool: boolean): void {
  if (sizeOf(dst.shape) === 0) return;
  const s = simplify(dst.shape, [dst.strides, src.strides]);
  const k = kernelFor(1, toBool ? "(a !== 0 ? 1 : 0)" : "a", dst.storage.dtype, [src]);
  k(arr(dst.storage) as AnyArray, dst.offset, s.strides[0], s.shape, arr(src.storage), src.offset, s.strides[1]);
}
