/** Reading elements out (item, get, toArray, data) and the in-place writes optimizers use. */
import type { TypedArray } from "../backend";
import { JsStorage, jsData } from "../backends/js";
import { getEngine } from "../engine";
import { OpError, fmtShape } from "../errors";
import { Tensor } from "../tensor";
import { noGrad } from "../autograd";
import { add, mul } from "./binary";
import { astype } from "./cast";
import { broadcastShapes, broadcastView, checkSameDevice, checkTensor, sameShape, scalarTensor } from "./util";

/** The element at a flat storage position, without copying the storage when on js. */
function elementAt(x: Tensor, pos: number): number {
  if (x.storage instanceof JsStorage) return jsData(x.storage)[pos];
  const be = x.storage.backend;
  const s = be.contiguous({ storage: x.storage, shape: [], strides: [], offset: pos });
  const v = be.read(s)[0];
  be.dispose(s);
  return v;
}

/** The value of a one-element tensor as a number (bool as 0/1). */
export function item(x: Tensor): number {
  checkTensor("item", "x", x);
  if (x.size !== 1) throw new OpError("item", `only a one-element tensor converts to a number, got shape ${fmtShape(x.shape)}`);
  // A one-element tensor may have several size-1 axes; their strides do not matter.
  return elementAt(x, x.offset);
}

/** One element: `get(x, i, j)`. Negative indices count from the end. */
export function getElement(x: Tensor, indices: readonly number[]): number {
  checkTensor("get", "x", x);
  if (indices.length !== x.ndim) throw new OpError("get", `expects ${x.ndim} indices for a tensor of shape ${fmtShape(x.shape)}, got ${indices.length}`);
  let pos = x.offset;
  for (let d = 0; d < indices.length; d++) {
    const n = x.shape[d];
    let i = indices[d];
    if (!Number.isInteger(i) || i < -n || i >= n) throw new OpError("get", `index ${i} is out of range for axis ${d} of size ${n} (shape ${fmtShape(x.shape)})`);
    if (i < 0) i += n;
    pos += i * x.strides[d];
  }
  return elementAt(x, pos);
}

/** A row-major copy of the values as a typed array of the tensor's dtype. */
export function readData(x: Tensor): TypedArray {
  checkTensor("data", "x", x);
  const be = x.storage.backend;
  if (x.storage instanceof JsStorage && x.isContiguous()) return jsData(x.storage).slice(x.offset, x.offset + x.size);
  const s = be.contiguous(x);
  const out = be.read(s);
  be.dispose(s);
  return out;
}

/** The values as nested arrays; bool tensors give true/false. */
export function toNested(x: Tensor): unknown {
  const flat = readData(x);
  const isBool = x.dtype === "bool";
  const shape = x.shape;
  let pos = 0;
  const build = (d: number): unknown => {
    if (d === shape.length) { const v = flat[pos++]; return isBool ? v !== 0 : v; }
    const out = new Array(shape[d]);
    for (let i = 0; i < shape[d]; i++) out[i] = build(d + 1);
    return out;
  };
  return build(0);
}

function checkWritable(op: string, t: Tensor): void {
  if (t.requiresGrad && getEngine().gradEnabled) {
    throw new OpError(op, "cannot modify a tensor that requires grad while grad mode is on; do the update inside noGrad(() => ...)");
  }
}

/** Copies src (broadcast to t's shape, converted to t's dtype) into t's memory. */
export function assignInPlace(t: Tensor, src: Tensor | number): void {
  checkTensor("assign", "t", t);
  checkWritable("assign", t);
  let s = typeof src === "number" ? scalarTensor(src, t.dtype, t.storage.backend) : checkTensor("assign", "src", src);
  checkSameDevice("assign", t, s, "t", "src");
  if (!sameShape(broadcastShapes("assign", t.shape, s.shape), t.shape)) {
    throw new OpError("assign", `src of shape ${fmtShape(s.shape)} does not broadcast to the target's shape ${fmtShape(t.shape)}`);
  }
  if (s.dtype !== t.dtype) s = noGrad(() => astype(s as Tensor, t.dtype));
  t.storage.backend.assign(t, broadcastView(s, t.shape));
  t._ref.version++;
}

/** t += alpha * other, in place. */
export function addInPlace(t: Tensor, other: Tensor | number, alpha = 1): void {
  checkTensor("addInPlace", "t", t);
  checkWritable("addInPlace", t);
  const sum = noGrad(() => add(t, alpha === 1 ? other : mul(other, alpha)));
  if (!sameShape(sum.shape, t.shape)) {
    throw new OpError("addInPlace", `other of shape ${fmtShape(typeof other === "number" ? [] : other.shape)} does not broadcast to the target's shape ${fmtShape(t.shape)}`);
  }
  assignInPlace(t, sum);
}
