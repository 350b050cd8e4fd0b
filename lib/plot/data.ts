/**
 * Turning what users pass to plot helpers (arrays, typed arrays, Tensors) into plain numbers.
 * Tensors are recognised by shape (a `shape` array and a `data()` method) rather than by class,
 * so plots work with tensors from any backend and need nothing else from the core.
 */

/** Anything the plot helpers accept as numbers. */
export type NumericInput = number[] | ArrayLike<number> | TensorLike | number[][] | number[][][];

/** The part of a Tensor plots rely on. */
export interface TensorLike {
  shape: number[];
  data(): ArrayLike<number> | ArrayLike<boolean>;
}

export function isTensorLike(v: unknown): v is TensorLike {
  return (
    typeof v === "object" && v !== null && Array.isArray((v as TensorLike).shape) &&
    typeof (v as TensorLike).data === "function"
  );
}

/** A flat array of numbers plus its shape. */
export interface Numbers {
  values: number[];
  shape: number[];
}

/**
 * Flattens numbers, nested arrays, typed arrays or a Tensor, keeping the shape.
 *
 * @example
 * toNumbers([[1, 2], [3, 4]]); // { values: [1, 2, 3, 4], shape: [2, 2] }
 */
export function toNumbers(input: unknown, what = "input"): Numbers {
  if (typeof input === "number") return { values: [input], shape: [] };
  if (isTensorLike(input)) {
    const d = input.data();
    const values = Array.from(d as ArrayLike<number>, Number);
    return { values, shape: [...input.shape] };
  }
  if (ArrayBuffer.isView(input) && !(input instanceof DataView)) {
    const arr = input as unknown as ArrayLike<number>;
    return { values: Array.from(arr, Number), shape: [arr.length] };
  }
  if (Array.isArray(input)) {
    if (input.length === 0) return { values: [], shape: [0] };
    const parts = input.map((e, i) => toNumbers(e, `${what}[${i}]`));
    const inner = parts[0].shape;
    for (let i = 1; i < parts.length; i++) {
      if (parts[i].shape.join(",") !== inner.join(",")) {
        throw new Error(
          `plot: ${what} is ragged: ${what}[0] has shape [${inner}] but ${what}[${i}] has shape [${parts[i].shape}]`,
        );
      }
    }
    return { values: parts.flatMap((p) => p.values), shape: [input.length, ...inner] };
  }
  throw new Error(`plot: ${what} must be a number array, typed array or Tensor, got ${describe(input)}`);
}

/** A 1-D list of numbers; any shape with one non-trivial axis is accepted. */
export function toVector(input: unknown, what = "input"): number[] {
  const { values, shape } = toNumbers(input, what);
  if (shape.filter((s) => s !== 1).length > 1) {
    throw new Error(`plot: ${what} must be 1-D, got shape [${shape}]`);
  }
  return values;
}

/** A 2-D matrix as rows; a 1-D input becomes one row. */
export function toMatrix(input: unknown, what = "input"): number[][] {
  const { values, shape } = toNumbers(input, what);
  const dims = shape.length === 1 ? [1, shape[0]] : shape;
  const squeezed = dims.length > 2 ? squeezeTo2(dims, what) : dims;
  const [r, c] = squeezed;
  const rows: number[][] = [];
  for (let i = 0; i < r; i++) rows.push(values.slice(i * c, (i + 1) * c));
  return rows;
}

function squeezeTo2(shape: number[], what: string): number[] {
  const kept = shape.filter((s) => s !== 1);
  if (kept.length > 2) throw new Error(`plot: ${what} must be 2-D, got shape [${shape}]`);
  while (kept.length < 2) kept.unshift(1);
  return kept;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return `an object (${(v as object).constructor?.name ?? "Object"})`;
  return typeof v;
}
