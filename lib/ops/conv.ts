/**
 * 2-D convolution (cross-correlation, NCHW, as in PyTorch). The three kernels (forward, input
 * gradient, weight gradient) are each other's adjoints, so each is recorded with a backward
 * made of the other two: conv2d has gradients of gradients too.
 */
import type { Conv2dParams } from "../backend";
import { record } from "../autograd";
import { isFloat, promoteTypes } from "../dtype";
import { OpError, fmtShape } from "../errors";
import { Tensor, makeTensor } from "../tensor";
import { add } from "./binary";
import { astype } from "./cast";
import { reshape, squeeze, unsqueeze } from "./shape";
import { checkSameDevice, checkTensor, denseStorage, releaseTemp } from "./util";

export interface Conv2dOptions {
  stride?: number | [number, number];
  /** A number or [padH, padW] pads both sides; "same" keeps the size (stride 1); "valid" is 0. */
  padding?: number | [number, number] | "same" | "valid";
  dilation?: number | [number, number];
  groups?: number;
}

function pair(op: string, name: string, v: number | [number, number] | undefined, dflt: number, min: number): [number, number] {
  const p: [number, number] = v === undefined ? [dflt, dflt] : typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new OpError(op, `${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

function run(kind: "fwd" | "bwdInput" | "bwdWeight", a: Tensor, b: Tensor, p: Conv2dParams): Tensor {
  const be = a.storage.backend;
  const sa = denseStorage(a), sb = denseStorage(b);
  let out: Tensor;
  if (kind === "fwd") out = makeTensor(be.conv2d(sa, sb, p), [p.n, p.cOut, p.outH, p.outW]);
  else if (kind === "bwdInput") out = makeTensor(be.conv2dBackwardInput(sa, sb, p), [p.n, p.cIn, p.h, p.w]);
  else out = makeTensor(be.conv2dBackwardWeight(sa, sb, p), [p.cOut, p.cIn / p.groups, p.kh, p.kw]);
  releaseTemp(a, sa);
  releaseTemp(b, sb);
  return out;
}

/** conv(x, w) */
function convFwd(x: Tensor, w: Tensor, p: Conv2dParams): Tensor {
  const out = run("fwd", x, w, p);
  if (!x.requiresGrad && !w.requiresGrad) return out;
  return record(out, "ConvolutionBackward", [x, w], (g) => [
    x.requiresGrad ? convBwdInput(g, w, p) : null,
    w.requiresGrad ? convBwdWeight(x, g, p) : null,
  ], undefined, [x, w]);
}

/** dx = convᵀ(dy, w) */
function convBwdInput(dy: Tensor, w: Tensor, p: Conv2dParams): Tensor {
  const out = run("bwdInput", dy, w, p);
  if (!dy.requiresGrad && !w.requiresGrad) return out;
  return record(out, "ConvolutionBackwardInput", [dy, w], (g) => [
    dy.requiresGrad ? convFwd(g, w, p) : null,
    w.requiresGrad ? convBwdWeight(g, dy, p) : null,
  ], undefined, [dy, w]);
}

/** dw = corr(x, dy) */
function convBwdWeight(x: Tensor, dy: Tensor, p: Conv2dParams): Tensor {
  const out = run("bwdWeight", x, dy, p);
  if (!x.requiresGrad && !dy.requiresGrad) return out;
  return record(out, "ConvolutionBackwardWeight", [x, dy], (g) => [
    x.requiresGrad ? convBwdInput(dy, g, p) : null,
    dy.requiresGrad ? convFwd(x, g, p) : null,
  ], undefined, [x, dy]);
}

/**
 * 2-D convolution of x [N, Cin, H, W] (or unbatched [Cin, H, W]) with w [Cout, Cin/groups, kH, kW] plus an optional
 * bias [Cout]. Output [N, Cout, Hout, Wout] with Hout = floor((H + padTop + padBottom -
 * dilation*(kH-1) - 1) / stride) + 1.
 * @example conv2d(images, filters, bias, { padding: "same" })
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  checkTensor("conv2d", "x", x);
  checkTensor("conv2d", "w", w);
  checkSameDevice("conv2d", x, w, "x", "w");
  // Unbatched [C, H, W] input, as PyTorch accepts: a batch of one, and the result unbatched.
  if (x.ndim === 3) return squeeze(conv2d(unsqueeze(x, 0), w, b, opts), 0);
  if (x.ndim !== 4) throw new OpError("conv2d", `x must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape ${fmtShape(x.shape)}`);
  if (w.ndim !== 4) throw new OpError("conv2d", `w must be 4-D [Cout, Cin/groups, kH, kW], got shape ${fmtShape(w.shape)}`);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new OpError("conv2d", `groups must be a positive integer, got ${groups}`);
  const [n, cIn, h, wd] = x.shape;
  const [cOut, cInG, kh, kw] = w.shape;
  if (cIn % groups !== 0 || cOut % groups !== 0) throw new OpError("conv2d", `groups ${groups} must divide both the input channels ${cIn} and output channels ${cOut}`);
  if (cInG * groups !== cIn) throw new OpError("conv2d", `x has ${cIn} channels but w ${fmtShape(w.shape)} expects ${cInG * groups} (${cInG} per group × ${groups} groups)`);
  const [sh, sw] = pair("conv2d", "stride", opts.stride, 1, 1);
  const [dh, dw] = pair("conv2d", "dilation", opts.dilation, 1, 1);
  let pt: number, pb: number, pl: number, pr: number;
  if (opts.padding === "same") {
    if (sh !== 1 || sw !== 1) throw new OpError("conv2d", `padding "same" needs stride 1, got stride [${sh},${sw}]`);
    // The total padding keeps the size; an odd total puts the extra row/column at the end, as PyTorch does.
    const th = dh * (kh - 1), tw = dw * (kw - 1);
    pt = Math.floor(th / 2); pb = th - pt; pl = Math.floor(tw / 2); pr = tw - pl;
  } else if (opts.padding === "valid" || opts.padding === undefined) {
    pt = pb = pl = pr = 0;
  } else {
    const [ph, pw] = pair("conv2d", "padding", opts.padding, 0, 0);
    pt = pb = ph; pl = pr = pw;
  }
  const outH = Math.floor((h + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const outW = Math.floor((wd + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  if (outH < 1 || outW < 1) {
    throw new OpError("conv2d", `the kernel ${kh}x${kw} (dilation ${dh}x${dw}) is larger than the padded input ${h + pt + pb}x${wd + pl + pr} (x ${fmtShape(x.shape)})`);
  }
  let dtype = promoteTypes(x.dtype, w.dtype);
  if (!isFloat(dtype)) dtype = "float32";
  const xx = astype(x, dtype), ww = astype(w, dtype);
  const p: Conv2dParams = {
    n, cIn, h, w: wd, cOut, kh, kw, strideH: sh, strideW: sw,
    padTop: pt, padLeft: pl, padBottom: pb, padRight: pr, dilationH: dh, dilationW: dw, groups, outH, outW,
  };
  let out = convFwd(xx, ww, p);
  if (b !== undefined && b !== null) {
    checkTensor("conv2d", "b", b);
    checkSameDevice("conv2d", x, b, "x", "b");
    if (b.ndim !== 1 || b.shape[0] !== cOut) throw new OpError("conv2d", `bias must have shape [${cOut}] (one per output channel), got ${fmtShape(b.shape)}`);
    out = add(out, reshape(b, [1, cOut, 1, 1]));
  }
  return out;
}
