/**
 * Error helpers: every error names the op, the argument and what was expected versus found.
 */

/** Formats a shape the way messages print it: [2,3]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/** An error raised by an op; the message starts with the op's name. */
export class OpError extends Error {
  constructor(readonly op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = "OpError";
  }
}

/** Throws unless `cond` holds. */
export function check(cond: unknown, op: string, message: () => string): asserts cond {
  if (!cond) throw new OpError(op, message());
}

/**
 * Normalises an axis that may be negative, for a tensor of rank `ndim`.
 * `normAxis("sum", -1, 3)` is 2; an axis outside [-ndim, ndim) is an error that says so.
 */
export function normAxis(op: string, axis: number, ndim: number, argName = "axis"): number {
  if (!Number.isInteger(axis)) throw new OpError(op, `${argName} must be an integer, got ${axis}`);
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) {
    const range = ndim === 0 ? "a scalar has no axes" : `expected an axis in [${-ndim}, ${ndim - 1}]`;
    throw new OpError(op, `${argName} ${axis} is out of range for a tensor of rank ${ndim}: ${range}`);
  }
  return a;
}

/** Normalises a list of axes (or all axes when undefined/null), sorted and unique. */
export function normAxes(op: string, axis: number | readonly number[] | undefined | null, ndim: number): number[] {
  if (axis === undefined || axis === null) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  const list = typeof axis === "number" ? [axis] : axis;
  const out: number[] = [];
  for (const a of list) {
    const n = normAxis(op, a, ndim);
    if (out.includes(n)) throw new OpError(op, `axis ${a} appears twice in ${JSON.stringify(list)}`);
    out.push(n);
  }
  return out.sort((x, y) => x - y);
}
