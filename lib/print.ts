/**
 * Printing tensors the way PyTorch does: one format for all elements (integers as "1.",
 * fixed 4 decimals, or scientific when magnitudes span too much), right-aligned, rows wrapped
 * at 80 columns, large tensors summarised with "..." (3 items at each edge), and the
 * non-default attributes after the values (dtype, device, requires_grad / grad_fn).
 */
import type { Tensor } from "./tensor";
import { getEngine } from "./engine";
import { noGrad } from "./autograd";
import { concat } from "./ops/join";

export interface PrintOptions {
  /** Digits after the point. */
  precision: number;
  /** Tensors with more elements than this are summarised. */
  threshold: number;
  /** Items shown at each edge of a summarised axis. */
  edgeItems: number;
  lineWidth: number;
}

const options: PrintOptions = { precision: 4, threshold: 1000, edgeItems: 3, lineWidth: 80 };

/** Changes how tensors print (like torch.set_printoptions). */
export function setPrintOptions(o: Partial<PrintOptions>): void {
  Object.assign(options, o);
}

type Fmt = (v: number) => string;

function sci(v: number, precision: number): string {
  const s = v.toExponential(precision);
  // JS writes e+5; PyTorch (and C's printf) write e+05.
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

function special(v: number): string | null {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return null;
}

/** Chooses one formatter for all shown values, as PyTorch's _Formatter does. */
function floatFormatter(values: number[]): Fmt {
  const finite = values.filter((v) => Number.isFinite(v));
  const p = options.precision;
  const nonzero = finite.map(Math.abs).filter((v) => v !== 0);
  if (finite.every((v) => Number.isInteger(v))) {
    const big = nonzero.length > 0 && (Math.max(...nonzero) / Math.min(...nonzero) > 1000 || Math.max(...nonzero) > 1e8);
    return (v) => special(v) ?? (big ? sci(v, p) : `${v.toFixed(0)}.`);
  }
  if (nonzero.length === 0) return (v) => special(v) ?? v.toFixed(p);
  const mx = Math.max(...nonzero), mn = Math.min(...nonzero);
  const useSci = mx / mn > 1000 || mx > 1e8 || mn < 1e-4;
  return (v) => special(v) ?? (useSci ? sci(v, p) : v.toFixed(p));
}


/**
 * The values to print as a flat row-major array over `shape`: all of them, or for a large
 * tensor only the edge items of each axis (read through views, so printing a 200 MB data set
 * copies a few dozen numbers, not the whole tensor).
 */
function printedData(t: Tensor, summarize: boolean): { data: ArrayLike<number>; shape: number[] } {
  if (!summarize) return { data: t.data(), shape: t.shape };
  const e = options.edgeItems;
  return noGrad(() => {
    let small = t;
    for (let d = 0; d < t.ndim; d++) {
      const n = t.shape[d];
      if (n > 2 * e) small = concat([small.slice(d, 0, e), small.slice(d, n - e, n)], d);
    }
    const data = small.data();
    if (small !== t) small.dispose();
    return { data, shape: small.shape };
  });
}

/** Formats the body (without "tensor(" and the attributes). */
export function formatValues(t: Tensor, indent: number): string {
  const summarize = t.size > options.threshold;
  const { data, shape: kept } = printedData(t, summarize);
  const shape = t.shape;
  const strides: number[] = [];
  let acc = 1;
  for (let i = kept.length - 1; i >= 0; i--) { strides[i] = acc; acc *= kept[i]; }
  const e = options.edgeItems;
  // Positions within the kept data; -1 marks the "..." of a summarised axis.
  const shown = (n: number): number[] => {
    if (!summarize || n <= 2 * e) return Array.from({ length: n }, (_, i) => i);
    return [...Array.from({ length: e }, (_, i) => i), -1, ...Array.from({ length: e }, (_, i) => e + i)];
  };
  // Collect the shown values first: the format depends on all of them.
  const vals: number[] = [];
  const collect = (d: number, off: number): void => {
    if (d === shape.length) { vals.push(data[off]); return; }
    for (const i of shown(shape[d])) if (i >= 0) collect(d + 1, off + i * strides[d]);
  };
  collect(0, 0);
  let fmt: Fmt;
  if (t.dtype === "bool") fmt = (v) => (v ? "True" : "False");
  else if (t.dtype === "int32") fmt = (v) => String(v);
  else fmt = floatFormatter(vals);
  const width = vals.reduce((w, v) => Math.max(w, fmt(v).length), 0);
  const cell = (v: number): string => fmt(v).padStart(width);
  if (shape.length === 0) return fmt(data[0]);

  const render = (d: number, off: number, ind: number): string => {
    const idx = shown(shape[d]);
    if (d === shape.length - 1) {
      const items = idx.map((i) => (i < 0 ? " ..." : cell(data[off + i * strides[d]])));
      // Wrap long rows, keeping the same number of items on each line.
      const perLine = Math.max(1, Math.floor((options.lineWidth - ind) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
      return "[" + lines.join(",\n" + " ".repeat(ind + 1)) + "]";
    }
    const sep = "," + "\n".repeat(shape.length - d - 1) + " ".repeat(ind + 1);
    const parts = idx.map((i) => (i < 0 ? "..." : render(d + 1, off + i * strides[d], ind + 1)));
    return "[" + parts.join(sep) + "]";
  };
  return render(0, 0, indent);
}

/** The PyTorch-like text of a tensor: `tensor([1., 2.], requires_grad=True)`. */
export function formatTensor(t: Tensor): string {
  if (t.isDisposed) return "tensor(<disposed>)";
  const prefix = "tensor(";
  const attrs: string[] = [];
  let body: string;
  if (t.size === 0) {
    body = "[]";
    if (t.ndim !== 1) attrs.push(`size=(${t.shape.join(", ")}${t.ndim === 1 ? "," : ""})`);
  } else {
    body = formatValues(t, prefix.length);
  }
  if (t.device !== getEngine().getDefaultDevice()) attrs.push(`device='${t.device}'`);
  if (t.dtype === "float64" || (t.size === 0 && t.dtype !== "float32")) attrs.push(`dtype=${t.dtype}`);
  if (t.gradFn !== null) attrs.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) attrs.push("requires_grad=True");
  return prefix + body + (attrs.length ? ", " + attrs.join(", ") : "") + ")";
}
