/**
 * Elementwise unary ops. Each gradient is written with public ops in terms of the input x
 * and the output y, so it can be differentiated again.
 */
import type { UnaryOp } from "../backend";
import { NO_SAVED, recordNode, versionsOf, type GradNode } from "../autograd";
import { isFloat } from "../dtype";
import { Tensor, makeTensor } from "../tensor";
import { add, div, mul, sub, gt } from "./binary";
import { astype } from "./cast";
import { checkTensor, floatDtypeOf } from "./util";

type Grad = ((g: Tensor, x: Tensor, y: Tensor) => Tensor) | null;

/** Ops defined only on floats: integer and bool inputs are computed in float32. */
const FLOAT_ONLY = new Set<UnaryOp>(["exp", "log", "sqrt", "rsqrt", "reciprocal", "tanh", "sigmoid", "sin", "cos", "log1p", "expm1"]);

function unary(op: UnaryOp, name: string, x: Tensor, grad: Grad): Tensor {
  if (!(x instanceof Tensor) || x.isDisposed) checkTensor(op, "x", x);
  if (!isFloat(x.dtype)) {
    if (FLOAT_ONLY.has(op)) x = astype(x, floatDtypeOf(x.dtype));
    else if (x.dtype === "bool" && op !== "logicalNot") x = astype(x, "int32");
  }
  const out = makeTensor(x.storage.backend.unary(op, x), x.shape);
  if (grad === null || !x.requiresGrad) return out;
  return recordNode(out, new UnaryNode(name, x, out, grad, READS_Y.has(op) ? out : op === "neg" ? null : x));
}

/** Ops whose gradient is written with the output y (the others read x; neg reads neither). */
const READS_Y = new Set<UnaryOp>(["exp", "sqrt", "rsqrt", "reciprocal", "tanh", "sigmoid", "expm1"]);

/** The autodiff record of a unary op: its input, output and gradient rule. */
class UnaryNode implements GradNode {
  readonly inputs: Tensor[];
  readonly saved: readonly Tensor[];
  readonly versions: readonly number[];
  freed = false;
  constructor(readonly name: string, x: Tensor, private readonly out: Tensor, private readonly grad: NonNullable<Grad>, reads: Tensor | null) {
    this.inputs = [x];
    this.saved = reads === null ? NO_SAVED : reads === x ? this.inputs : [reads];
    this.versions = versionsOf(this.saved);
  }
  backward(g: Tensor): (Tensor | null)[] {
    return [this.grad(g, this.inputs[0], this.out)];
  }
}

const negGrad: Grad = (g) => neg(g);
/** -x */
export const neg = (x: Tensor): Tensor => unary("neg", "NegBackward", x, negGrad);
const absGrad: Grad = (g, x) => mul(g, sign(x));
/** |x|; its gradient at 0 is 0, as in PyTorch. */
export const abs = (x: Tensor): Tensor => unary("abs", "AbsBackward", x, absGrad);
/** -1, 0 or 1 (gradient zero). */
export const sign = (x: Tensor): Tensor => unary("sign", "SignBackward", x, null);
const expGrad: Grad = (g, _x, y) => mul(g, y);
/** e^x */
export const exp = (x: Tensor): Tensor => unary("exp", "ExpBackward", x, expGrad);
const logGrad: Grad = (g, x) => div(g, x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unary("log", "LogBackward", x, logGrad);
const sqrtGrad: Grad = (g, _x, y) => div(g, mul(y, 2));
/** Square root. */
export const sqrt = (x: Tensor): Tensor => unary("sqrt", "SqrtBackward", x, sqrtGrad);
const rsqrtGrad: Grad = (g, _x, y) => mul(g, mul(pow3(y), -0.5));
/** 1 / sqrt(x) */
export const rsqrt = (x: Tensor): Tensor => unary("rsqrt", "RsqrtBackward", x, rsqrtGrad);
const squareGrad: Grad = (g, x) => mul(g, mul(x, 2));
/** x² */
export const square = (x: Tensor): Tensor => unary("square", "PowBackward", x, squareGrad);
const reciprocalGrad: Grad = (g, _x, y) => neg(mul(g, square(y)));
/** 1 / x */
export const reciprocal = (x: Tensor): Tensor => unary("reciprocal", "ReciprocalBackward", x, reciprocalGrad);
const tanhGrad: Grad = (g, _x, y) => mul(g, sub(1, square(y)));
/** Hyperbolic tangent; dy/dx = 1 - y². */
export const tanh = (x: Tensor): Tensor => unary("tanh", "TanhBackward", x, tanhGrad);
const sigmoidGrad: Grad = (g, _x, y) => mul(g, mul(y, sub(1, y)));
/** Logistic sigmoid 1 / (1 + e^-x), stable for large |x|; dy/dx = y (1 - y). */
export const sigmoid = (x: Tensor): Tensor => unary("sigmoid", "SigmoidBackward", x, sigmoidGrad);
const reluGrad: Grad = (g, x) => mul(g, astype(gt(x, 0), g.dtype));
/** max(x, 0); the gradient at 0 is 0. */
export const relu = (x: Tensor): Tensor => unary("relu", "ReluBackward", x, reluGrad);
const sinGrad: Grad = (g, x) => mul(g, cos(x));
/** Sine. */
export const sin = (x: Tensor): Tensor => unary("sin", "SinBackward", x, sinGrad);
const cosGrad: Grad = (g, x) => neg(mul(g, sin(x)));
/** Cosine. */
export const cos = (x: Tensor): Tensor => unary("cos", "CosBackward", x, cosGrad);
/** Rounds down (gradient zero). */
export const floor = (x: Tensor): Tensor => unary("floor", "FloorBackward", x, null);
/** Rounds up (gradient zero). */
export const ceil = (x: Tensor): Tensor => unary("ceil", "CeilBackward", x, null);
/** Rounds half to even, like PyTorch (gradient zero). */
export const round = (x: Tensor): Tensor => unary("round", "RoundBackward", x, null);
const log1pGrad: Grad = (g, x) => div(g, add(x, 1));
/** log(1 + x), accurate near 0. */
export const log1p = (x: Tensor): Tensor => unary("log1p", "Log1pBackward", x, log1pGrad);
const expm1Grad: Grad = (g, _x, y) => mul(g, add(y, 1));
/** e^x - 1, accurate near 0. */
export const expm1 = (x: Tensor): Tensor => unary("expm1", "Expm1Backward", x, expm1Grad);
/** Elementwise NOT (→ bool). */
export const logicalNot = (x: Tensor): Tensor => unary("logicalNot", "", x, null);

function pow3(y: Tensor): Tensor {
  return mul(mul(y, y), y);
}
