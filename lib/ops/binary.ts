/**
 * Elementwise binary ops with NumPy broadcasting. Operands may be numbers. A gradient that
 * flowed through a broadcast is summed back to the operand's shape (`sumTo`).
 */
import type { BinaryOp } from "../backend";
import { COMPARISON_OPS } from "../backend";
import { NO_SAVED, recordNode, versionsOf, type GradNode } from "../autograd";
import { isFloat } from "../dtype";
import { OpError } from "../errors";
import { Tensor, makeTensor } from "../tensor";
import { astype } from "./cast";
import { sumTo } from "./reduce";
import { log, neg } from "./unary";
import { where } from "./select";
import { binaryOperands, broadcastShapes, broadcastView, sameShape } from "./util";

type Operand = Tensor | number;
type Grad = (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

/** Ops whose integer inputs are computed in float (true division, like PyTorch). */
const FLOAT_RESULT = new Set<BinaryOp>(["div"]);

/** Which of a, b and the output a gradient rule reads (bits 1, 2, 4), for in-place checks. */
const SAVES_NONE = 0, SAVES_AB = 3, SAVES_ALL = 7;

/** The autodiff record of a binary op: its operands, output and gradient rule. */
class BinaryNode implements GradNode {
  readonly inputs: Tensor[];
  readonly saved: readonly Tensor[];
  readonly versions: readonly number[];
  freed = false;
  constructor(readonly name: string, a: Tensor, b: Tensor, private readonly out: Tensor, private readonly grad: Grad, saves: number) {
    this.inputs = [a, b];
    // The inputs array doubles as the saved list: one array less per recorded op.
    this.saved = saves === SAVES_NONE ? NO_SAVED : saves === SAVES_AB ? this.inputs : [a, b, out];
    this.versions = versionsOf(this.saved);
  }
  backward(g: Tensor): (Tensor | null)[] {
    const a = this.inputs[0], b = this.inputs[1];
    const [ga, gb] = this.grad(g, a, b, this.out);
    return [ga === null || !a.requiresGrad ? null : sumTo(ga, a.shape), gb === null || !b.requiresGrad ? null : sumTo(gb, b.shape)];
  }
}

function binary(op: BinaryOp, name: string, x: Operand, y: Operand, grad: Grad | null, saves = SAVES_AB): Tensor {
  let a: Tensor, b: Tensor;
  // The common case (two live tensors of one dtype on one device) without building a pair.
  if (x instanceof Tensor && y instanceof Tensor && !x.isDisposed && !y.isDisposed && x.storage.dtype === y.storage.dtype && x.storage.backend === y.storage.backend) { a = x; b = y; }
  else [a, b] = binaryOperands(op, x, y);
  if (FLOAT_RESULT.has(op) && !isFloat(a.dtype)) { a = astype(a, "float32"); b = astype(b, "float32"); }
  else if (a.dtype === "bool" && !COMPARISON_OPS.has(op)) return boolBinary(op, a, b);
  else if (op === "pow" && a.dtype === "int32") checkIntPow(b);
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const be = a.storage.backend;
  const out = makeTensor(be.binary(op, broadcastView(a, shape), broadcastView(b, shape), shape), shape);
  if (grad === null || !(a.requiresGrad || b.requiresGrad)) return out;
  return recordNode(out, new BinaryNode(name, a, b, out, grad, saves));
}

/**
 * Two bool tensors, as in PyTorch: add is logical or, mul logical and, maximum/minimum or/and,
 * all giving bool; subtraction and pow are refused.
 */
function boolBinary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  if (op === "sub") throw new OpError("sub", "subtracting two bool tensors is not supported (as in PyTorch); use a.ne(b) for exclusive or, or convert first with .int()");
  if (op === "pow") throw new OpError("pow", "pow is not defined for bool tensors (as in PyTorch); convert first with .int() or .float()");
  const out = binary(op, "", astype(a, "int32"), astype(b, "int32"), null);
  return astype(out, "bool");
}

/** PyTorch refuses integers to negative integer powers (the result would be truncated to 0). */
function checkIntPow(e: Tensor): void {
  if (e.size === 0) return;
  const be = e.storage.backend;
  const s = be.contiguous(e);
  const v = be.read(s);
  be.dispose(s);
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0) throw new OpError("pow", `integers to negative integer powers are not allowed (exponent ${v[i]}); use a float base, e.g. x.float().pow(${v[i]})`);
  }
}

const addGrad: Grad = (g) => [g, g];
/** a + b */
export const add = (a: Operand, b: Operand): Tensor => binary("add", "AddBackward", a, b, addGrad, SAVES_NONE);
const subGrad: Grad = (g, _a, b) => [g, b.requiresGrad ? neg(g) : null];
/** a - b */
export const sub = (a: Operand, b: Operand): Tensor => binary("sub", "SubBackward", a, b, subGrad, SAVES_NONE);
const mulGrad: Grad = (g, a, b) => [a.requiresGrad ? mul(g, b) : null, b.requiresGrad ? mul(g, a) : null];
/** a * b */
export const mul = (a: Operand, b: Operand): Tensor => binary("mul", "MulBackward", a, b, mulGrad);
const divGrad: Grad = (g, a, b) => [a.requiresGrad ? div(g, b) : null, b.requiresGrad ? neg(div(mul(g, a), mul(b, b))) : null];
/** a / b (integers divide as floats) */
export const div = (a: Operand, b: Operand): Tensor => binary("div", "DivBackward", a, b, divGrad);
const powGrad: Grad = (g, a, b, y) => [
  // Where the exponent is 0 the gradient is 0 (PyTorch), not 0 · a^-1, which is NaN at a = 0.
  a.requiresGrad ? mul(g, where(eq(b, 0), 0, mul(b, pow(a, sub(b, 1))))) : null,
  // d/db a^b = a^b ln a; where a = 0 the limit used by PyTorch is 0.
  b.requiresGrad ? mul(g, where(eq(a, 0), 0, mul(y, log(a)))) : null,
];
/** a ** b */
export const pow = (a: Operand, b: Operand): Tensor => binary("pow", "PowBackward", a, b, powGrad, SAVES_ALL);
const maximumGrad: Grad = (g, a, b) => minMaxGrad(g, a, b, gt(a, b));
/** Elementwise maximum; ties split the gradient equally, as in PyTorch. */
export const maximum = (a: Operand, b: Operand): Tensor => binary("maximum", "MaximumBackward", a, b, maximumGrad);
const minimumGrad: Grad = (g, a, b) => minMaxGrad(g, a, b, lt(a, b));
/** Elementwise minimum; ties split the gradient equally. */
export const minimum = (a: Operand, b: Operand): Tensor => binary("minimum", "MinimumBackward", a, b, minimumGrad);

function minMaxGrad(g: Tensor, a: Tensor, b: Tensor, aWins: Tensor): [Tensor, Tensor] {
  const tie = astype(eq(a, b), g.dtype);
  const wa = add(astype(aWins, g.dtype), mul(tie, 0.5));
  return [mul(g, wa), mul(g, sub(1, wa))];
}

/** Elementwise a == b, broadcast; a bool tensor. */
export const eq = (a: Operand, b: Operand): Tensor => binary("eq", "", a, b, null);
/** Elementwise a != b, broadcast; a bool tensor. */
export const ne = (a: Operand, b: Operand): Tensor => binary("ne", "", a, b, null);
/** Elementwise a < b, broadcast; a bool tensor. */
export const lt = (a: Operand, b: Operand): Tensor => binary("lt", "", a, b, null);
/** Elementwise a <= b, broadcast; a bool tensor. */
export const le = (a: Operand, b: Operand): Tensor => binary("le", "", a, b, null);
/** Elementwise a > b, broadcast; a bool tensor. */
export const gt = (a: Operand, b: Operand): Tensor => binary("gt", "", a, b, null);
/** Elementwise a >= b, broadcast; a bool tensor. */
export const ge = (a: Operand, b: Operand): Tensor => binary("ge", "", a, b, null);
/** Elementwise a AND b, broadcast; a bool tensor. */
export const logicalAnd = (a: Operand, b: Operand): Tensor => binary("logicalAnd", "", a, b, null);
/** Elementwise a OR b, broadcast; a bool tensor. */
export const logicalOr = (a: Operand, b: Operand): Tensor => binary("logicalOr", "", a, b, null);
