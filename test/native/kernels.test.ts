// Reductions, sorting, matmul, convolution, pooling, softmax and indexing of the cpu backend
// against the js oracle: random inputs, odd sizes that are not multiples of the GEMM tiles,
// every transpose combination, and the dtypes each kernel accepts.
import { describe, expect, it } from "vitest";
import type { Conv2dParams, DType, Pool2dParams, ReduceOp } from "../../lib/backend";
import { cpu, js, pair, randomValues, same, skipReason } from "./common";

function convParams(n: number, cIn: number, h: number, w: number, cOut: number, kh: number, kw: number,
  o: Partial<Conv2dParams> = {}): Conv2dParams {
  const p: Conv2dParams = {
    n, cIn, h, w, cOut, kh, kw, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0,
    dilationH: 1, dilationW: 1, groups: 1, outH: 0, outW: 0, ...o,
  };
  p.outH = Math.floor((h + p.padTop + p.padBottom - p.dilationH * (kh - 1) - 1) / p.strideH) + 1;
  p.outW = Math.floor((w + p.padLeft + p.padRight - p.dilationW * (kw - 1) - 1) / p.strideW) + 1;
  return p;
}

function poolParams(n: number, c: number, h: number, w: number, k: number, stride: number, pad: number, countIncludePad = true): Pool2dParams {
  return {
    n, c, h, w, kh: k, kw: k, strideH: stride, strideW: stride, padTop: pad, padLeft: pad,
    outH: Math.floor((h + 2 * pad - k) / stride) + 1, outW: Math.floor((w + 2 * pad - k) / stride) + 1, countIncludePad,
  };
}

describe.skipIf(cpu === null)(`cpu backend: kernels ${skipReason}`, () => {
  it("reduces over every axis set, in every dtype", () => {
    const shape = [3, 4, 5, 6];
    const axesSets = [[0], [1], [3], [0, 1], [2, 3], [1, 2], [0, 2], [1, 3], [0, 1, 2, 3], [0, 3]];
    for (const dtype of ["float32", "float64", "int32", "bool"] as DType[]) {
      const x = pair(randomValues(360, 21, -3, 3, dtype), dtype);
      for (const op of ["sum", "prod", "max", "min"] as ReduceOp[]) {
        for (const axes of axesSets) same(`${op} ${dtype} axes ${axes}`, (b, s) => b.reduce(op, x[s], shape, axes), 1e-6, 1e-6);
      }
      for (const op of ["argmax", "argmin"] as ReduceOp[]) {
        for (let axis = 0; axis < 4; axis++) same(`${op} ${dtype} axis ${axis}`, (b, s) => b.reduce(op, x[s], shape, [axis]), 0, 0);
      }
    }
  });

  it("reductions propagate NaN and handle long rows (vectorised sums)", () => {
    const n = 100_003;
    const vals = randomValues(n, 22);
    const x = pair(vals, "float32");
    same("sum long", (b, s) => b.reduce("sum", x[s], [n], [0]), 1e-6, 1e-4);
    same("sum rows", (b, s) => b.reduce("sum", x[s], [1, n], [1]), 1e-6, 1e-4);
    same("sum cols", (b, s) => b.reduce("sum", x[s], [n, 1], [0]), 1e-6, 1e-4);
    const withNaN = pair([1, NaN, 3, 4, 5, 6], "float32");
    for (const op of ["sum", "max", "min", "argmax", "argmin"] as ReduceOp[]) {
      same(`${op} NaN`, (b, s) => b.reduce(op, withNaN[s], [2, 3], [1]), 0, 0);
    }
  });

  it("cumsum along each axis", () => {
    const shape = [4, 5, 6];
    for (const dtype of ["float32", "float64", "int32"] as DType[]) {
      const x = pair(randomValues(120, 23, -3, 3, dtype), dtype);
      for (let axis = 0; axis < 3; axis++) same(`cumsum ${dtype} ${axis}`, (b, s) => b.cumsum(x[s], shape, axis), 1e-6, 1e-6);
    }
  });

  it("sort is stable, puts NaN last (first when descending), and returns int32 indices", () => {
    const vals = [3, 1, NaN, 2, 1, 3, -0, 0, NaN, -5, 2, 2];
    const x = pair([...vals, ...randomValues(12, 24, -2, 2, "int32")], "float32");
    for (const desc of [false, true]) {
      const e = js.sort(x.js, 2, 12, desc), a = cpu!.sort(x.cpu, 2, 12, desc);
      expect(Array.from(cpu!.read(a.indices)), `indices desc=${desc}`).toEqual(Array.from(js.read(e.indices)));
      expect(Array.from(cpu!.read(a.values)), `values desc=${desc}`).toEqual(Array.from(js.read(e.values)));
      expect(a.indices.dtype).toBe("int32");
    }
  });

  it("matmul matches js for every transpose, odd sizes and tile/block boundaries", () => {
    const sizes: [number, number, number][] = [[1, 1, 1], [1, 7, 3], [7, 1, 5], [13, 17, 19], [12, 32, 8], [37, 65, 130],
      [250, 70, 400], [6, 300, 1], [130, 33, 0]];
    for (const [m, n, k] of sizes) {
      const a = pair(randomValues(m * k, 31 + m), "float32");
      const b = pair(randomValues(k * n, 32 + n), "float32");
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          same(`matmul ${m}x${n}x${k} tA=${transA} tB=${transB}`, (be, s) =>
            be.matmul(a[s], b[s], { batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0 }), 1e-4, 1e-4);
        }
      }
    }
  });

  it("matmul of an MLP step's shapes matches js (A read in place or packed, partial row panels)", () => {
    // A (row-major or transposed) with at most 512 columns of C is read in place by the
    // AVX-512 kernel; a leading dimension that is a multiple of 512 elements, or wider C, takes
    // the packed path.
    const sizes: [number, number, number][] = [[128, 256, 784], [784, 256, 128], [128, 10, 128], [128, 128, 10],
      [41, 512, 1024], [512, 40, 29], [29, 513, 700], [25, 40, 512]];
    for (const [m, n, k] of sizes) {
      // Values in [-1, 1]: sums of up to 1024 float32 products stay within the tolerance.
      const a = pair(randomValues(m * k, 41 + m, -1, 1), "float32");
      const b = pair(randomValues(k * n, 42 + n, -1, 1), "float32");
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          same(`matmul ${m}x${n}x${k} tA=${transA} tB=${transB}`, (be, s) =>
            be.matmul(a[s], b[s], { batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0 }), 1e-4, 1e-4);
        }
      }
    }
  });

  it("large matmul (threaded, several cache blocks) matches js", () => {
    const m = 300, n = 3100, k = 70;
    const a = pair(randomValues(m * k, 33), "float32");
    const b = pair(randomValues(k * n, 34), "float32");
    same("matmul large", (be, s) => be.matmul(a[s], b[s], { batch: 1, m, n, k, transA: false, transB: true, strideA: 0, strideB: 0 }), 1e-4, 1e-4);
  });

  it("batched matmul with a broadcast operand, and float64 / int32", () => {
    const batch = 5, m = 9, n = 11, k = 7;
    for (const dtype of ["float32", "float64", "int32"] as DType[]) {
      const a = pair(randomValues(batch * m * k, 35, -3, 3, dtype), dtype);
      const b = pair(randomValues(k * n, 36, -3, 3, dtype), dtype);
      same(`bmm ${dtype}`, (be, s) => be.matmul(a[s], b[s], { batch, m, n, k, transA: false, transB: false, strideA: m * k, strideB: 0 }), 1e-5, 1e-5);
      same(`bmm ${dtype} tA`, (be, s) => be.matmul(b[s], a[s], { batch, m: n, n: m, k, transA: true, transB: true, strideA: 0, strideB: m * k }), 1e-5, 1e-5);
    }
    const many = 64;
    const a = pair(randomValues(many * 16 * 8, 37), "float32");
    const b = pair(randomValues(many * 8 * 16, 38), "float32");
    same("bmm many", (be, s) => be.matmul(a[s], b[s], { batch: many, m: 16, n: 16, k: 8, transA: false, transB: false, strideA: 128, strideB: 128 }), 1e-5, 1e-5);
  });

  it("conv2d forward and both backward passes match js (stride, padding, dilation, groups, 1x1)", () => {
    const cases: Conv2dParams[] = [
      convParams(2, 3, 9, 8, 4, 3, 3),
      convParams(3, 1, 28, 28, 6, 5, 5, { padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 }),
      convParams(2, 4, 11, 10, 6, 3, 2, { strideH: 2, strideW: 3, padTop: 1, padLeft: 0, padBottom: 2, padRight: 1 }),
      convParams(2, 4, 12, 12, 4, 3, 3, { dilationH: 2, dilationW: 2, groups: 2 }),
      convParams(3, 6, 5, 5, 8, 1, 1),
      convParams(1, 2, 7, 7, 3, 3, 3, { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }),
    ];
    for (const [i, p] of cases.entries()) {
      for (const dtype of ["float32", "float64"] as DType[]) {
        const x = pair(randomValues(p.n * p.cIn * p.h * p.w, 40 + i), dtype);
        const w = pair(randomValues(p.cOut * (p.cIn / p.groups) * p.kh * p.kw, 50 + i), dtype);
        const dy = pair(randomValues(p.n * p.cOut * p.outH * p.outW, 60 + i), dtype);
        same(`conv2d #${i} ${dtype}`, (b, s) => b.conv2d(x[s], w[s], p), 1e-4, 1e-4);
        same(`conv2d dx #${i} ${dtype}`, (b, s) => b.conv2dBackwardInput(dy[s], w[s], p), 1e-4, 1e-4);
        same(`conv2d dw #${i} ${dtype}`, (b, s) => b.conv2dBackwardWeight(x[s], dy[s], p), 1e-4, 1e-4);
      }
    }
  });

  it("max and average pooling, forward and backward, with padding", () => {
    const cases = [poolParams(2, 3, 8, 8, 2, 2, 0), poolParams(2, 2, 7, 9, 3, 2, 1), poolParams(1, 2, 5, 5, 3, 1, 1, false)];
    for (const [i, p] of cases.entries()) {
      for (const dtype of ["float32", "float64", "int32"] as DType[]) {
        const x = pair(randomValues(p.n * p.c * p.h * p.w, 70 + i, -5, 5, dtype), dtype);
        const dy = pair(randomValues(p.n * p.c * p.outH * p.outW, 80 + i, -5, 5, dtype), dtype);
        const e = js.maxPool2d(x.js, p), a = cpu!.maxPool2d(x.cpu, p);
        expect(Array.from(cpu!.read(a.indices)), `maxpool idx #${i} ${dtype}`).toEqual(Array.from(js.read(e.indices)));
        expect(Array.from(cpu!.read(a.out)), `maxpool #${i} ${dtype}`).toEqual(Array.from(js.read(e.out)));
        same(`maxpool bwd #${i} ${dtype}`, (b, s) => b.maxPool2dBackward(dy[s], s === "js" ? e.indices : a.indices, p), 1e-6, 1e-6);
        same(`avgpool #${i} ${dtype}`, (b, s) => b.avgPool2d(x[s], p), 1e-6, 1e-6);
        same(`avgpool bwd #${i} ${dtype}`, (b, s) => b.avgPool2dBackward(dy[s], p), 1e-6, 1e-6);
      }
    }
  });

  it("max pooling keeps the first maximum and propagates NaN like js", () => {
    const p = poolParams(1, 2, 4, 6, 2, 2, 0);
    const vals = [1, 1, 2, NaN, 3, 3, 1, 1, NaN, 5, 3, 3, 0, 0, 7, 7, -1, -2, 0, 0, 7, 7, -3, NaN,
      NaN, NaN, 1, 2, 2, 2, 4, 1, 2, 2, 2, 2, -5, -5, -5, -5, 9, 8, -5, -5, -5, -5, 8, 9];
    const r = randomValues(2 * 7 * 9, 99, -3, 3, "int32").map((v) => (v === 3 ? NaN : v));
    const cases: [Pool2dParams, number[]][] = [[p, vals], [poolParams(1, 2, 7, 9, 3, 2, 0), Array.from(r)], [poolParams(1, 2, 7, 9, 3, 2, 1), Array.from(r)]];
    for (const [q, v] of cases) {
      for (const dtype of ["float32", "float64"] as DType[]) {
        const x = pair(v, dtype);
        const e = js.maxPool2d(x.js, q), a = cpu!.maxPool2d(x.cpu, q);
        expect(Array.from(cpu!.read(a.indices)), `indices ${dtype} k${q.kh}`).toEqual(Array.from(js.read(e.indices)));
        expect(Array.from(cpu!.read(a.out)), `values ${dtype} k${q.kh}`).toEqual(Array.from(js.read(e.out)));
      }
    }
  });

  it("softmax and log-softmax are stable for large values and -inf rows", () => {
    const rows = [[1, 2, 3, 4], [1000, 1001, 1002, 999], [-Infinity, -Infinity, -Infinity, -Infinity], [-Infinity, 0, 1, -Infinity]];
    for (const dtype of ["float32", "float64"] as DType[]) {
      const x = pair(rows.flat(), dtype);
      for (const log of [false, true]) same(`softmax ${dtype} log=${log}`, (b, s) => b.softmax(x[s], 4, 4, log), 1e-6, 1e-6);
      const big = pair(randomValues(130 * 37, 90, -20, 20), dtype);
      for (const log of [false, true]) same(`softmax big ${dtype} log=${log}`, (b, s) => b.softmax(big[s], 130, 37, log), 2e-6, 1e-6);
    }
  });

  it("gather and scatterAdd along each axis", () => {
    const xShape = [4, 5, 6];
    const x = pair(randomValues(120, 91), "float32");
    for (let axis = 0; axis < 3; axis++) {
      const iShape = [3, 4, 5];
      iShape[axis] = 7;
      const n = iShape[0] * iShape[1] * iShape[2];
      const idx = pair(randomValues(n, 92 + axis, 0, xShape[axis] - 1, "int32"), "int32");
      same(`gather axis ${axis}`, (b, s) => b.gather(x[s], xShape, idx[s], iShape, axis), 0, 0);
      const src = pair(randomValues(n, 95 + axis), "float32");
      same(`scatterAdd axis ${axis}`, (b, s) => b.scatterAdd(xShape, idx[s], src[s], iShape, axis), 1e-6, 1e-6);
    }
  });

  it("indexSelect picks whole slices, in every dtype, with repeats, across threads", () => {
    // [outer, dim, inner]: rows of a data set (inner 784), a middle axis, the last axis (inner
    // 1), and enough rows that the copy is split among threads.
    for (const [outer, dim, inner, count] of [[1, 50, 784, 128], [3, 7, 5, 9], [6, 11, 1, 4], [1, 40_000, 3, 30_000], [2, 3, 1, 0]]) {
      for (const dtype of ["float32", "float64", "int32", "bool"] as DType[]) {
        const x = pair(randomValues(outer * dim * inner, 97 + outer, -3, 3, dtype), dtype);
        const idx = pair(randomValues(count, 98 + dim, 0, dim - 1, "int32"), "int32");
        same(`indexSelect ${dtype} [${outer}, ${dim}, ${inner}] by ${count}`, (b, s) => b.indexSelect!(x[s], outer, dim, inner, idx[s], count), 0, 0);
      }
    }
  });
});
