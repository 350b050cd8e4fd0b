/** Max and average pooling over NCHW tensors. */
import type { Pool2dParams } from "../backend";
import { NO_SAVED, record } from "../autograd";
import { isFloat } from "../dtype";
import { OpError, fmtShape } from "../errors";
import { Tensor, makeTensor } from "../tensor";
import { astype } from "./cast";
import { gather } from "./select";
import { reshape, squeeze, unsqueeze } from "./shape";
import { checkTensor, denseStorage, releaseTemp } from "./util";

export interface Pool2dOptions {
  /** Defaults to the kernel size. */
  stride?: number | [number, number];
  padding?: number | [number, number];
  /** avgPool2d only: count padded cells in the divisor (PyTorch's default, true). */
  countIncludePad?: boolean;
}

function pair(op: string, name: string, v: number | [number, number], min: number): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new OpError(op, `${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

function params(op: string, x: Tensor, kernelSize: number | [number, number], opts: Pool2dOptions): Pool2dParams {
  checkTensor(op, "x", x);
  if (x.ndim !== 4) throw new OpError(op, `x must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape ${fmtShape(x.shape)}`);
  const [kh, kw] = pair(op, "kernelSize", kernelSize, 1);
  const [sh, sw] = pair(op, "stride", opts.stride ?? [kh, kw], 1);
  const [ph, pw] = pair(op, "padding", opts.padding ?? 0, 0);
  if (ph * 2 > kh || pw * 2 > kw) throw new OpError(op, `padding [${ph},${pw}] must be at most half the kernel size [${kh},${kw}]`);
  const [n, c, h, w] = x.shape;
  const outH = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const outW = Math.floor((w + 2 * pw - kw) / sw) + 1;
  if (outH < 1 || outW < 1) throw new OpError(op, `the kernel ${kh}x${kw} is larger than the padded input ${h + 2 * ph}x${w + 2 * pw} (x ${fmtShape(x.shape)})`);
  return { n, c, h, w, kh, kw, strideH: sh, strideW: sw, padTop: ph, padLeft: pw, outH, outW, countIncludePad: opts.countIncludePad ?? true };
}

/**
 * Max over kH×kW windows. Gradients go to the (first) maximum of each window.
 * @example maxPool2d(x, 2)   // halves H and W
 */
export function maxPool2d(x: Tensor, kernelSize: number | [number, number], opts: Pool2dOptions = {}): Tensor {
  if (x instanceof Tensor && x.ndim === 3) return squeeze(maxPool2d(unsqueeze(x, 0), kernelSize, opts), 0);
  const p = params("maxPool2d", x, kernelSize, opts);
  if (!isFloat(x.dtype)) x = astype(x, "float32");
  const be = x.storage.backend;
  const s = denseStorage(x);
  const r = be.maxPool2d(s, p);
  releaseTemp(x, s);
  const out = makeTensor(r.out, [p.n, p.c, p.outH, p.outW]);
  const indices = makeTensor(r.indices, [p.n, p.c, p.outH * p.outW]);
  if (!x.requiresGrad) return out;
  return record(out, "MaxPool2DBackward", [x], (g) => [maxPoolBackward(g, indices, p)], undefined, NO_SAVED);
}

function maxPoolBackward(g: Tensor, indices: Tensor, p: Pool2dParams): Tensor {
  const be = g.storage.backend;
  const gs = denseStorage(g), is = denseStorage(indices);
  const out = makeTensor(be.maxPool2dBackward(gs, is, p), [p.n, p.c, p.h, p.w]);
  releaseTemp(g, gs);
  releaseTemp(indices, is);
  if (!g.requiresGrad) return out;
  // Its adjoint picks, for each window, the gradient at the window's maximum.
  return record(out, "MaxPool2DBackwardBackward", [g], (gg) => [
    reshape(gather(reshape(gg, [p.n, p.c, p.h * p.w]), 2, indices), [p.n, p.c, p.outH, p.outW]),
  ], undefined, NO_SAVED);
}

/** Mean over kH×kW windows (padding counted in the divisor unless countIncludePad is false). */
export function avgPool2d(x: Tensor, kernelSize: number | [number, number], opts: Pool2dOptions = {}): Tensor {
  if (x instanceof Tensor && x.ndim === 3) return squeeze(avgPool2d(unsqueeze(x, 0), kernelSize, opts), 0);
  const p = params("avgPool2d", x, kernelSize, opts);
  if (!isFloat(x.dtype)) x = astype(x, "float32");
  return avgFwd(x, p);
}

function avgFwd(x: Tensor, p: Pool2dParams): Tensor {
  const be = x.storage.backend;
  const s = denseStorage(x);
  const out = makeTensor(be.avgPool2d(s, p), [p.n, p.c, p.outH, p.outW]);
  releaseTemp(x, s);
  if (!x.requiresGrad) return out;
  return record(out, "AvgPool2DBackward", [x], (g) => [avgBwd(g, p)], undefined, NO_SAVED);
}

function avgBwd(g: Tensor, p: Pool2dParams): Tensor {
  const be = g.storage.backend;
  const s = denseStorage(g);
  const out = makeTensor(be.avgPool2dBackward(s, p), [p.n, p.c, p.h, p.w]);
  releaseTemp(g, s);
  if (!g.requiresGrad) return out;
  return record(out, "AvgPool2DBackwardBackward", [g], (gg) => [avgFwd(gg, p)], undefined, NO_SAVED);
}
