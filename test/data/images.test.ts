/** PNG decoding, the shipped photographs, boxes (IoU, NMS, sliding windows) and the digit canvas. */
import { describe, expect, it } from "vitest";
import { deflateSync } from "zlib";
import * as data from "../../lib/data";
import { encodePNG } from "../../lib/plot/png";
import { tensor } from "../../lib/index";

/** A PNG whose rows use each of the five filters, built by hand. */
function filteredPNG(w: number, h: number, ch: number, px: Uint8Array): Buffer {
  const base = encodePNG(w, h, Array.from(px), ch as 1 | 3 | 4);
  const stride = w * ch, raw = Buffer.alloc((stride + 1) * h);
  for (let y = 0; y < h; y++) {
    const f = y % 5;
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const cur = px[y * stride + x], a = x >= ch ? px[y * stride + x - ch] : 0, b = y ? px[(y - 1) * stride + x] : 0, c = x >= ch && y ? px[(y - 1) * stride + x - ch] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      raw[y * (stride + 1) + 1 + x] = (cur - pred) & 255;
    }
  }
  // swap the IDAT of the encoder's file for ours (same IHDR)
  const idat = deflateSync(raw), head = base.subarray(0, 33);
  const len = Buffer.alloc(4); len.writeUInt32BE(idat.length);
  const crc = Buffer.alloc(4); // decoder does not check CRCs
  return Buffer.concat([head, len, Buffer.from("IDAT"), idat, crc, Buffer.from([0, 0, 0, 0]), Buffer.from("IEND"), Buffer.alloc(4)]);
}

describe("decodePNG", () => {
  it("round-trips the encoder's gray, RGB and RGBA images", () => {
    for (const ch of [1, 3, 4] as const) {
      const px = Uint8Array.from({ length: 5 * 3 * ch }, (_, i) => (i * 37) % 256);
      const img = data.decodePNG(encodePNG(5, 3, Array.from(px), ch));
      expect([img.width, img.height, img.channels]).toEqual([5, 3, ch]);
      expect(Array.from(img.pixels)).toEqual(Array.from(px));
    }
  });

  it("undoes the sub, up, average and Paeth filters", () => {
    const px = Uint8Array.from({ length: 7 * 10 * 3 }, (_, i) => (i * 91 + (i >> 3) * 13) % 256);
    expect(Array.from(data.decodePNG(filteredPNG(7, 10, 3, px)).pixels)).toEqual(Array.from(px));
  });

  it("rejects what is not a PNG", () => {
    expect(() => data.decodePNG(Buffer.from("hello world"))).toThrow(/not a PNG file/);
  });
});

describe("photographs", () => {
  it("load as [1|3, 128, 128] in [0, 1], and grey conversion uses the 601 weights", () => {
    const cam = data.loadPhoto("camera"), rgb = data.loadPhoto("astronaut"), grey = data.loadPhoto("astronaut", { gray: true });
    expect(cam.shape).toEqual([1, 128, 128]);
    expect(rgb.shape).toEqual([3, 128, 128]);
    expect(grey.shape).toEqual([1, 128, 128]);
    const r = rgb.data(), g = grey.data();
    expect(g[1000]).toBeCloseTo(0.299 * r[1000] + 0.587 * r[16384 + 1000] + 0.114 * r[2 * 16384 + 1000], 5);
    expect(Math.min(...Array.from(cam.data()))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...Array.from(cam.data()))).toBeLessThanOrEqual(1);
    for (const name of Object.keys(data.PHOTOS)) expect(data.loadPhoto(name).shape[1]).toBe(128);
    expect(() => data.loadPhoto("lena")).toThrow(/unknown photograph "lena"; available: camera/);
  });
});

describe("boxes", () => {
  it("iou of known boxes", () => {
    expect(data.iou([0, 0, 2, 2], [0, 0, 2, 2])).toBe(1);
    expect(data.iou([0, 0, 2, 2], [1, 1, 3, 3])).toBeCloseTo(1 / 7, 6);
    expect(data.iou([0, 0, 1, 1], [2, 2, 3, 3])).toBe(0);
    expect(() => data.iou([0, 0, 1], [0, 0, 1, 1])).toThrow(/iou: a must be \[x1, y1, x2, y2\]/);
    expect(() => data.iou([2, 0, 1, 1], [0, 0, 1, 1])).toThrow(/x2 < x1/);
  });

  it("boxIou is the table of pairwise IoUs; nms keeps the best of overlapping boxes", () => {
    const t = data.boxIou(tensor([[0, 0, 2, 2], [1, 1, 3, 3]]), [[0, 0, 2, 2]]);
    expect(t.shape).toEqual([2, 1]);
    expect(t.data()[1]).toBeCloseTo(1 / 7, 6);
    expect(data.nms([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], [0.8, 0.9, 0.7], 0.5)).toEqual([1, 2]);
  });

  it("slidingWindowCount follows (H − bh + 1)(W − bw + 1)", () => {
    expect(data.slidingWindowCount(56, 56, 28, 28)).toBe(29 * 29);
    expect(data.slidingWindowCount(56, 56, 28, 28, 4)).toBe(8 * 8);
    expect(data.slidingWindowCount(5, 5, 6, 1)).toBe(0);
  });
});

describe("digitCanvas", () => {
  it("places digits whose ink lies inside their boxes, seeded", () => {
    const a = data.digitCanvas({ count: 6, size: 56, digits: [1, 3], seed: 3 });
    const b = data.digitCanvas({ count: 6, size: 56, digits: [1, 3], seed: 3 });
    expect(a.X.shape).toEqual([6, 1, 56, 56]);
    expect(Array.from(a.X.data())).toEqual(Array.from(b.X.data()));
    const px = a.X.data();
    a.boxes.forEach((boxes, c) => {
      expect(boxes.length).toBe(a.labels[c].length);
      expect(boxes.length >= 1 && boxes.length <= 3).toBe(true);
      let inside = 0, total = 0;
      for (let y = 0; y < 56; y++) for (let x = 0; x < 56; x++) {
        if (px[c * 3136 + y * 56 + x] > 0.1) {
          total++;
          if (boxes.some((bx) => x >= bx[0] && x < bx[2] && y >= bx[1] && y < bx[3])) inside++;
        }
      }
      expect(inside).toBe(total);
    });
    expect(a.box.shape).toEqual([6, 4]);
    expect(a.y.data()[0]).toBe(a.labels[0][0]);
  });
});
