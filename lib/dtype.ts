/**
 * Data types and the promotion rules between them (PyTorch's, restricted to our four types).
 */
import type { DType } from "./backend";
import { OpError } from "./errors";

export type { DType } from "./backend";

/** The dtypes a tensor can have, in promotion order. */
export const DTYPES: readonly DType[] = ["bool", "int32", "float32", "float64"];

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** True for float32 and float64: the only dtypes that take part in autodiff. */
export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}

/** The dtype two tensor operands are converted to before a binary op. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

const CATEGORY: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 2 };

/**
 * The dtype two tensor operands meet in, PyTorch's rule: a 0-d tensor takes part like a number.
 * It only decides the result when it is of a higher category (bool < integer < float) than the
 * dimensioned operand, so float32[3] + float64 0-d stays float32, while int32[3] + float64 0-d
 * is float64. Two 0-d (or two dimensioned) operands use `promoteTypes`.
 */
export function promoteOperands(a: DType, aDims: number, b: DType, bDims: number): DType {
  if ((aDims === 0) === (bDims === 0)) return promoteTypes(a, b);
  const [dimmed, zero] = aDims === 0 ? [b, a] : [a, b];
  return CATEGORY[zero] > CATEGORY[dimmed] ? zero : dimmed;
}

/**
 * The dtype a tensor `t` and a plain JS number `v` meet in. As in PyTorch, a number does not
 * widen a tensor of its own kind (float32 tensor + 0.5 stays float32), but a fractional number
 * turns an integer or bool tensor into float32.
 */
export function promoteWithScalar(t: DType, v: number | boolean): DType {
  if (typeof v === "boolean") return t;
  if (isFloat(t)) return t;
  if (!Number.isInteger(v)) return "float32";
  return t === "bool" ? "int32" : t;
}

/** Bytes per element on the host. */
export function bytesPerElement(d: DType): number {
  return d === "float64" ? 8 : d === "bool" ? 1 : 4;
}

/** Checks a user-supplied dtype name. */
export function checkDType(op: string, d: unknown): DType {
  if (d === "float32" || d === "float64" || d === "int32" || d === "bool") return d;
  throw new OpError(op, `unknown dtype ${JSON.stringify(d)}; expected one of float32, float64, int32, bool`);
}
