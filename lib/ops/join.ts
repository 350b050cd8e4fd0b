/** Joining and splitting: concat, stack, split, chunk, pad. */
import { contiguousStrides, sizeOf } from "../backend";
import { NO_SAVED, record } from "../autograd";
import { promoteTypes } from "../dtype";
import { OpError, fmtShape, normAxis } from "../errors";
import { Tensor, makeTensor } from "../tensor";
import { astype } from "./cast";
import { embed, slice, unsqueeze } from "./shape";
import { checkSameDevice, checkTensor } from "./util";

/**
 * Joins tensors along an existing axis; all other dimensions must match.
 * @example concat([a, b], 1)
 */
export function concat(tensors: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new OpError("concat", "expects a non-empty array of tensors");
  tensors.forEach((t, i) => checkTensor("concat", `tensors[${i}]`, t));
  const first = tensors[0];
  if (first.ndim === 0) throw new OpError("concat", "cannot concatenate scalars (0-d tensors); use stack");
  const a = normAxis("concat", axis, first.ndim);
  let dtype = first.dtype;
  tensors.forEach((t, i) => {
    checkSameDevice("concat", first, t, "tensors[0]", `tensors[${i}]`);
    if (t.ndim !== first.ndim || t.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      throw new OpError("concat", `tensors[${i}] has shape ${fmtShape(t.shape)} but tensors[0] has ${fmtShape(first.shape)}: all dimensions except axis ${a} must match`);
    }
    dtype = promoteTypes(dtype, t.dtype);
  });
  const parts = tensors.map((t) => (t.dtype === dtype ? t : astype(t, dtype)));
  const shape = [...first.shape];
  shape[a] = parts.reduce((s, t) => s + t.shape[a], 0);
  const be = first.storage.backend;
  const storage = be.fill(sizeOf(shape), 0, dtype);
  const strides = contiguousStrides(shape);
  const offsets: number[] = [];
  let at = 0;
  for (const t of parts) {
    offsets.push(at);
    if (t.size > 0) be.assign({ storage, shape: t.shape, strides, offset: at * strides[a] }, t);
    at += t.shape[a];
  }
  const out = makeTensor(storage, shape);
  if (!parts.some((t) => t.requiresGrad)) return out;
  return record(out, "CatBackward", parts, (g) => parts.map((t, i) => (t.requiresGrad ? slice(g, a, offsets[i], offsets[i] + t.shape[a]) : null)), undefined, NO_SAVED);
}

/** Joins tensors of equal shape along a new axis. */
export function stack(tensors: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new OpError("stack", "expects a non-empty array of tensors");
  tensors.forEach((t, i) => {
    checkTensor("stack", `tensors[${i}]`, t);
    if (t.ndim !== tensors[0].ndim || t.shape.some((d, k) => d !== tensors[0].shape[k])) {
      throw new OpError("stack", `tensors[${i}] has shape ${fmtShape(t.shape)} but tensors[0] has ${fmtShape(tensors[0].shape)}: all must match`);
    }
  });
  const a = normAxis("stack", axis, tensors[0].ndim + 1);
  return concat(tensors.map((t) => unsqueeze(t, a)), a);
}

/**
 * Splits along `axis` into pieces of `size` (the last may be smaller) or of the listed sizes.
 * The pieces are views.
 */
export function split(x: Tensor, sizeOrSections: number | number[], axis = 0): Tensor[] {
  checkTensor("split", "x", x);
  const a = normAxis("split", axis, x.ndim);
  const n = x.shape[a];
  let sizes: number[];
  if (typeof sizeOrSections === "number") {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections < 1) throw new OpError("split", `size must be a positive integer, got ${sizeOrSections}`);
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - s));
    if (n === 0) sizes.push(0);
  } else {
    sizes = sizeOrSections;
    const total = sizes.reduce((s, v) => s + v, 0);
    if (total !== n) throw new OpError("split", `sections ${JSON.stringify(sizes)} add up to ${total}, but axis ${a} of shape ${fmtShape(x.shape)} has size ${n}`);
  }
  const out: Tensor[] = [];
  let at = 0;
  for (const s of sizes) { out.push(slice(x, a, at, at + s)); at += s; }
  return out;
}

/** Splits into n nearly equal pieces (like torch.chunk: pieces of ceil(size / n)). */
export function chunk(x: Tensor, n: number, axis = 0): Tensor[] {
  checkTensor("chunk", "x", x);
  if (!Number.isInteger(n) || n < 1) throw new OpError("chunk", `n must be a positive integer, got ${n}`);
  const a = normAxis("chunk", axis, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[a] / n)), a);
}

/**
 * Pads with `value`, like torch.nn.functional.pad: `pads` lists [before, after] pairs starting
 * from the LAST axis (flat: [left, right, top, bottom, ...]). Negative amounts crop.
 * @example pad(x, [1, 1, 2, 2])   // last axis +1 on each side, the one before +2
 */
export function pad(x: Tensor, pads: number[] | [number, number][], value = 0): Tensor {
  checkTensor("pad", "x", x);
  const flat = (pads as (number | [number, number])[]).flat() as number[];
  if (flat.length % 2 !== 0 || flat.length / 2 > x.ndim) {
    throw new OpError("pad", `pads must hold [before, after] pairs for at most ${x.ndim} axes of shape ${fmtShape(x.shape)}, got ${JSON.stringify(pads)}`);
  }
  let r = x;
  const starts = x.shape.map(() => 0);
  const shape = [...x.shape];
  for (let p = 0; p < flat.length / 2; p++) {
    const ax = x.ndim - 1 - p;
    const before = flat[2 * p], after = flat[2 * p + 1];
    if (!Number.isInteger(before) || !Number.isInteger(after)) throw new OpError("pad", `pad amounts must be integers, got ${JSON.stringify(pads)}`);
    // Negative pads crop first; what remains is embedded with the positive amounts.
    const cropS = Math.max(0, -before), cropE = Math.max(0, -after);
    if (cropS + cropE > x.shape[ax]) throw new OpError("pad", `cropping ${cropS + cropE} from axis ${ax} of size ${x.shape[ax]}`);
    if (cropS > 0 || cropE > 0) r = slice(r, ax, cropS, x.shape[ax] - cropE);
    starts[ax] = Math.max(0, before);
    shape[ax] = r.shape[ax] + Math.max(0, before) + Math.max(0, after);
  }
  return embed(r, shape, starts, shape.map(() => 1), value);
}
