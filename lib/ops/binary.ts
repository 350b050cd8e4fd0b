/**
 * Elementwise binary ops with NumPy broadcasting. Operands may be numbers. A gradient that
 * flowed through a broadcast is summed back to the operand's shape (`sumTo`).
 */
import type { BinaryOp } from "../backend";
import { COMPARISON_OPS } from "../backend";
import { recordNode, type GradNode } from "../autograd";
import { isFloat } from "../dtype";
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

/** The autodiff record of a binary op: its operands, output and gradient rule. */
class BinaryNode implements GradNode {
  readonly inputs: Tensor[];
  constructor(readonly name: string, a: Tensor, b: Tensor, private readonly out: Tensor, private readonly grad: Grad) {
    this.inputs = [a, b];
  }
  backward(g: Tensor): (Tensor | null)[] {
    const a = this.inputs[0], b = this.inputs[1];
    const [ga, gb] = this.grad(g, a, b, this.out);
    return [ga === null || !a.requiresGrad ? null : sumTo(ga, a.shape), gb === null || !b.requiresGrad ? null : sumTo(gb, b.shape)];
  }
}

function binary(op: BinaryOp, name: string, x: Operand, y: Operand, grad: Grad | null): Tensor {
  let a: Tensor, b: Tensor;
  // The common case (two live tensors of one dtype on one device) without building a pair.
  if (x instanceof Tensor && y instanceof Tensor && !x.isDisposed && !y.isDisposed && x.storage.dtype === y.storage.dtype && x.storage.backend === y.storage.backend) { a = x; b = y; }
  else [a, b] = binaryOperands(op, x, y);
  if (FLOAT_RESULT.has(op) && !isFloat(a.dtype)) { a = astype(a, "float32"); b = astype(b, "float32"); }
  else if (a.dtype === "bool" && !COMPARISON_OPS.has(op)) { a = astype(a, "int32"); b = astype(b, "int32"); }
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const be = a.storage.backend;
  const out = makeTensor(be.binary(op, broadcastView(a, shape), broadcastView(b, shape), shape), shape);
  if (grad === null || !(a.requiresGrad || b.requiresGrad)) return out;
  return recordNode(out, new BinaryNode(name, a, b, out, grad));
}

/** a + b */
export const add = (a: Operand, b: Operand): Tensor => binary("add", "AddBackward", a, b, (g) => [g, g]);
/** a - b */
export const sub = (a: Operand, b: Operand): Tensor => binary("sub", "SubBackward", a, b, (g, _a, b) => [g, b.requiresGrad ? neg(g) : null]);
/** a * b */
export const mul = (a: Operand, b: Operand): Tensor =>
  binary("mul", "MulBackward", a, b, (g, a, b) => [a.requiresGrad ? mul(g, b) : null, b.requiresGrad ? mul(g, a) : null]);
/** a / b (integers divide as floats) */
export const div = (a: Operand, b: Operand): Tensor =>
  binary("div", "DivBackward", a, b, (g, a, b) => [a.requiresGrad ? div(g, b) : null, b.requiresGrad ? neg(div(mul(g, a), mul(b, b))) : null]);
/** a ** b */
export const pow = (a: Operand, b: Operand): Tensor =>
  binary("pow", "PowBackward", a, b, (g, a, b, y) => [
    a.requiresGrad ? mul(g, mul(b, pow(a, sub(b, 1)))) : null,
    // d/db a^b = a^b ln a; where a = 0 the limit used by PyTorch is 0.
    b.requiresGrad ? mul(g, where(eq(a, 0), 0, mul(y, log(a)))) : null,
  ]);
/** Elementwise maximum; ties split the gradient equally, as in PyTorch. */
export const maximum = (a: Operand, b: Operand): Tensor =>
  binary("maximum", "MaximumBackward", a, b, (g, a, b) => minMaxGrad(g, a, b, gt(a, b)));
/** Elementwise minimum; ties split the gradient equally. */
export const minimum = (a: Operand, b: Operand): Tensor =>
  binary("minimum", "MinimumBackward", a, b, (g, a, b) => minMaxGrad(g, a, b, lt(a, b)));

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
