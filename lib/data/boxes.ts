/**
 * Bounding boxes for localisation and detection, as torchvision writes them: corners
 * [x1, y1, x2, y2] in pixels, x to the right and y down, x2 > x1 and y2 > y1.
 */
import { tensor, type Tensor } from "../nn/core";

export type Box = [number, number, number, number];

function checkBox(op: string, what: string, b: ArrayLike<number>): void {
  if (!b || b.length !== 4 || ![0, 1, 2, 3].every((i) => Number.isFinite(b[i]))) {
    throw new Error(`${op}: ${what} must be [x1, y1, x2, y2], got ${JSON.stringify(Array.from(b ?? []))}`);
  }
  if (b[2] < b[0] || b[3] < b[1]) throw new Error(`${op}: ${what} [${Array.from(b)}] has x2 < x1 or y2 < y1`);
}

/** Area of a box. */
export function boxArea(b: ArrayLike<number>): number {
  checkBox("boxArea", "box", b);
  return (b[2] - b[0]) * (b[3] - b[1]);
}

/**
 * Intersection over union of two boxes: area(A ∩ B) / area(A ∪ B), 1 for the same box and
 * 0 for disjoint ones.
 *
 * @example
 * data.iou([0, 0, 2, 2], [1, 1, 3, 3]); // 1 / 7
 */
export function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkBox("iou", "a", a);
  checkBox("iou", "b", b);
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

function rowsOf(op: string, what: string, boxes: Tensor | ArrayLike<number>[]): number[][] {
  const rows = Array.isArray(boxes) ? boxes.map((b) => Array.from(b)) : (boxes as Tensor).toArray() as number[][];
  if (!Array.isArray(boxes) && (boxes as Tensor).ndim !== 2) throw new Error(`${op}: ${what} must have shape [n, 4], got [${(boxes as Tensor).shape}]`);
  rows.forEach((b, i) => checkBox(op, `${what}[${i}]`, b));
  return rows;
}

/**
 * IoU of every box of A [n, 4] with every box of B [m, 4]: [n, m] (torchvision's `box_iou`).
 *
 * @example
 * data.boxIou(tensor([[0, 0, 2, 2]]), tensor([[0, 0, 2, 2], [1, 1, 3, 3]])); // [[1, 0.1429]]
 */
export function boxIou(A: Tensor | ArrayLike<number>[], B: Tensor | ArrayLike<number>[]): Tensor {
  const a = rowsOf("boxIou", "A", A), b = rowsOf("boxIou", "B", B);
  const out = new Float32Array(a.length * b.length);
  a.forEach((p, i) => b.forEach((q, j) => { out[i * b.length + j] = iou(p, q); }));
  return tensor(out, { shape: [a.length, b.length] });
}

/**
 * Non-maximum suppression: visits boxes from the highest score down and drops every box
 * whose IoU with an already kept one exceeds `iouThreshold`. Returns the kept indices, best
 * first (torchvision's `nms`).
 *
 * @example
 * data.nms([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], [0.9, 0.8, 0.7], 0.5); // [0, 2]
 */
export function nms(boxes: Tensor | ArrayLike<number>[], scores: Tensor | ArrayLike<number>, iouThreshold: number): number[] {
  const b = rowsOf("nms", "boxes", boxes);
  const s = Array.from((scores as Tensor).data ? (scores as Tensor).data() as ArrayLike<number> : (scores as ArrayLike<number>));
  if (s.length !== b.length) throw new Error(`nms: ${b.length} boxes but ${s.length} scores`);
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new Error(`nms: iouThreshold must be in [0, 1], got ${iouThreshold}`);
  const order = s.map((_, i) => i).sort((i, j) => s[j] - s[i]);
  const kept: number[] = [];
  for (const i of order) if (kept.every((k) => iou(b[k], b[i]) <= iouThreshold)) kept.push(i);
  return kept;
}

/**
 * Number of positions of a bh×bw window sliding over an H×W image with `stride`:
 * (⌊(H − bh)/s⌋ + 1)·(⌊(W − bw)/s⌋ + 1); with stride 1 the notes' (H − bh + 1)(W − bw + 1).
 */
export function slidingWindowCount(H: number, W: number, bh: number, bw: number, stride = 1): number {
  for (const [n, v] of [["H", H], ["W", W], ["bh", bh], ["bw", bw], ["stride", stride]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`slidingWindowCount: ${n} must be a positive integer, got ${v}`);
  }
  if (bh > H || bw > W) return 0;
  return (Math.floor((H - bh) / stride) + 1) * (Math.floor((W - bw) / stride) + 1);
}
