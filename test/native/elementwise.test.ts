// Elementwise, layout and memory-transfer kernels of the cpu backend against the js oracle.
import { describe, expect, it } from "vitest";
import type { BinaryOp, DType, UnaryOp } from "../../lib/backend";
import { cpu, js, pair, randomValues, same, skipReason, view } from "./common";

const UNARY: UnaryOp[] = ["neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "square", "reciprocal",
  "tanh", "sigmoid", "relu", "sin", "cos", "floor", "ceil", "round", "log1p", "expm1", "logicalNot"];
const BINARY: BinaryOp[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt",
  "le", "gt", "ge", "logicalAnd", "logicalOr"];
const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-7, -1e-7, 1e-30, 20, -20, 88, 89, -87, -90, -104, -110,
  100, -100, 1000, -1000, Infinity, -Infinity, NaN, 0.625, -0.625, 0.624, 3e38];

describe.skipIf(cpu === null)(`cpu backend: elementwise ${skipReason}`, () => {
  it("fromArray and read round-trip every dtype, converting like typed arrays", () => {
    const values = [0, 1.7, -1.7, 2.5, NaN, Infinity, -Infinity, 3e9, -3e9, 255, 256, -1];
    for (const dtype of ["float32", "float64", "int32", "bool"] as DType[]) {
      for (const src of [values, Float64Array.from(values), Float32Array.from(values), Int32Array.from(values), Uint8Array.from(values)]) {
        const a = cpu!.read(cpu!.fromArray(src as number[], dtype));
        const e = js.read(js.fromArray(src as number[], dtype));
        expect(Array.from(a), `${dtype} from ${src.constructor.name}`).toEqual(Array.from(e));
      }
    }
  });

  it("fill sets every element, in every dtype", () => {
    for (const dtype of ["float32", "float64", "int32", "bool"] as DType[]) {
      for (const v of [0, 1, -2.5, 7]) same(`fill ${dtype} ${v}`, (b) => b.fill(1001, v, dtype));
    }
    expect(cpu!.read(cpu!.fill(0, 1, "float32")).length).toBe(0);
  });

  it("contiguous materialises permuted, broadcast and offset views, with dtype conversion", () => {
    const x = pair(randomValues(4 * 5 * 6, 1, -5, 5), "float32");
    const cases: [number[], number[], number][] = [
      [[4, 5, 6], [30, 6, 1], 0], [[6, 5, 4], [1, 6, 30], 0], [[5, 4, 6], [6, 30, 1], 0],
      [[3, 7], [0, 1], 5], [[2, 3, 2], [0, 10, 2], 3], [[], [], 17], [[4, 2, 6], [30, 12, 1], 6],
    ];
    for (const [shape, strides, off] of cases) {
      for (const d of [undefined, "float64", "int32", "bool"] as (DType | undefined)[]) {
        same(`contiguous ${shape} ${strides} ${d}`, (b, s) => b.contiguous(view(x[s], shape, strides, off), d));
      }
    }
  });

  it("assign writes a broadcast source into a strided view in place", () => {
    for (const dtype of ["float32", "float64", "int32"] as DType[]) {
      const dst = pair(randomValues(6 * 8, 2, -5, 5, dtype), dtype);
      const src = pair(randomValues(8, 3, -5, 5, dtype), dtype);
      js.assign(view(dst.js, [3, 8], [16, 1], 2), view(src.js, [3, 8], [0, 1]));
      cpu!.assign(view(dst.cpu, [3, 8], [16, 1], 2), view(src.cpu, [3, 8], [0, 1]));
      // A transposed destination.
      js.assign(view(dst.js, [8, 2], [1, 8], 1), view(src.js, [8, 2], [1, 0]));
      cpu!.assign(view(dst.cpu, [8, 2], [1, 8], 1), view(src.cpu, [8, 2], [1, 0]));
      expect(Array.from(cpu!.read(dst.cpu))).toEqual(Array.from(js.read(dst.js)));
    }
    const b = pair([0, 0, 0, 0], "bool");
    const f = pair([0.5, 0, -2, NaN], "float32");
    js.assign(view(b.js, [4]), view(f.js, [4]));
    cpu!.assign(view(b.cpu, [4]), view(f.cpu, [4]));
    expect(Array.from(cpu!.read(b.cpu))).toEqual(Array.from(js.read(b.js)));
  });

  it("every unary op matches js on float32 and float64, contiguous and strided, with special values", () => {
    const n = 3000;
    const vals = Float64Array.from([...SPECIAL, ...randomValues(n - SPECIAL.length, 4, -12, 12)]);
    for (const dtype of ["float32", "float64"] as DType[]) {
      const x = pair(vals, dtype);
      for (const op of UNARY) {
        // float32 exp/tanh/sigmoid use vectorised approximations: a few ulp.
        const rtol = dtype === "float32" ? 4e-7 * 8 : 1e-14;
        const atol = dtype === "float32" ? 1e-37 : 0;
        same(`${op} ${dtype}`, (b, s) => b.unary(op, view(x[s], [n])), rtol, atol);
        same(`${op} ${dtype} strided`, (b, s) => b.unary(op, view(x[s], [50, 30], [1, 100], 7)), rtol, atol);
      }
    }
  });

  it("tanh and sigmoid stay accurate near zero and saturate cleanly", () => {
    const vals: number[] = [];
    for (let e = -30; e <= 4; e += 0.25) vals.push(2 ** e, -(2 ** e));
    const x = pair(vals, "float32");
    for (const op of ["tanh", "sigmoid", "exp"] as UnaryOp[]) {
      same(`${op} small`, (b, s) => b.unary(op, view(x[s], [vals.length])), 4e-7 * 4, 0);
    }
  });

  it("unary ops on int32 and bool compute like JavaScript typed arrays", () => {
    const xi = pair(randomValues(257, 5, -9, 9, "int32"), "int32");
    const xb = pair(randomValues(257, 6, 0, 1, "bool"), "bool");
    for (const op of UNARY) {
      same(`${op} int32`, (b, s) => b.unary(op, view(xi[s], [257])), 1e-15, 0);
      same(`${op} bool`, (b, s) => b.unary(op, view(xb[s], [257])), 1e-15, 0);
    }
  });

  it("every binary op matches js with broadcasting on either side and odd sizes", () => {
    for (const dtype of ["float32", "float64", "int32", "bool"] as DType[]) {
      const a = pair(randomValues(37 * 41, 7, -4, 4, dtype), dtype);
      const b = pair([...randomValues(37 * 41 - 6, 8, -4, 4, dtype), 0, NaN, -0, 0, Infinity, 2], dtype);
      const shape = [37, 41];
      const layouts: [number[], number, number[], number][] = [
        [[41, 1], 0, [41, 1], 0],    // both contiguous
        [[41, 1], 0, [0, 1], 3],     // b is a row broadcast down
        [[0, 1], 5, [41, 1], 0],     // a is a row
        [[41, 1], 0, [0, 0], 9],     // b is a scalar
        [[0, 0], 2, [41, 1], 0],     // a is a scalar
        [[1, 37], 0, [1, 37], 0],    // both transposed
        [[1, 0], 0, [0, 1], 0],      // outer product pattern
      ];
      for (const op of BINARY) {
        for (const [sa, oa, sb, ob] of layouts) {
          const rtol = op === "pow" && dtype === "float32" ? 1e-6 : 1e-7;
          same(`${op} ${dtype} a${sa}+${oa} b${sb}+${ob}`,
            (be, s) => be.binary(op, view(a[s], shape, sa, oa), view(b[s], shape, sb, ob), shape), rtol, 0);
        }
      }
    }
  });

  it("binary ops on large tensors (threaded) match js", () => {
    const n = 300_001;
    const a = pair(randomValues(n, 9), "float32");
    const b = pair(randomValues(n, 10), "float32");
    for (const op of ["add", "mul", "div", "maximum", "gt"] as BinaryOp[]) {
      same(`${op} large`, (be, s) => be.binary(op, view(a[s], [n]), view(b[s], [n]), [n]), 1e-7, 0);
    }
    same("exp large", (be, s) => be.unary("exp", view(a[s], [n])), 4e-7 * 8, 0);
  });

  it("scalars (shape []) work for every kind of op", () => {
    const a = pair([1.25], "float32"), b = pair([-3], "float32");
    same("scalar add", (be, s) => be.binary("add", view(a[s], []), view(b[s], []), []));
    same("scalar tanh", (be, s) => be.unary("tanh", view(a[s], [])), 1e-6);
  });

  it("where picks from a or b with broadcast condition", () => {
    const c = pair(randomValues(13, 11, 0, 1, "bool"), "bool");
    for (const dtype of ["float32", "float64", "int32", "bool"] as DType[]) {
      const a = pair(randomValues(7 * 13, 12, -5, 5, dtype), dtype);
      const b = pair(randomValues(1, 13, -5, 5, dtype), dtype);
      same(`where ${dtype}`, (be, s) => be.where(view(c[s], [7, 13], [0, 1]), view(a[s], [7, 13]), view(b[s], [7, 13], [0, 0]), [7, 13]));
    }
  });

  it("dispose is idempotent and a disposed storage fails with a clear error", () => {
    const s = cpu!.fromArray([1, 2, 3], "float32");
    cpu!.dispose(s);
    cpu!.dispose(s);
    expect(s.disposed).toBe(true);
    expect(() => cpu!.read(s)).toThrow(/disposed/);
    expect(() => cpu!.unary("exp", view(s, [3]))).toThrow(/disposed/);
  });

  it("rejects storages of another backend with a message naming the fix", () => {
    const s = js.fromArray([1, 2], "float32");
    expect(() => cpu!.unary("exp", view(s, [2]))).toThrow(/backend "js".*to\("cpu"\)/);
  });
});
