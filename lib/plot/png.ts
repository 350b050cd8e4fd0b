/**
 * A minimal PNG encoder (8-bit grayscale or RGB, no interlace) so image grids can embed each
 * image as a small data URL instead of hundreds of rectangles per image.
 */
import { deflateSync } from "zlib";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * Encodes pixels (0..255, row-major; `channels` 1 = gray, 3 = RGB, 4 = RGBA) as a PNG file.
 *
 * @example
 * encodePNG(2, 1, [0, 255]); // a 2x1 black-and-white PNG
 */
export function encodePNG(width: number, height: number, pixels: ArrayLike<number>, channels: 1 | 3 | 4 = 1): Buffer {
  if (pixels.length !== width * height * channels) {
    throw new Error(`encodePNG: expected ${width}x${height}x${channels} = ${width * height * channels} pixels, got ${pixels.length}`);
  }
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type "none" per row
    for (let x = 0; x < stride; x++) {
      const v = Math.round(pixels[y * stride + x]);
      raw[y * (stride + 1) + 1 + x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : channels === 3 ? 2 : 6; // color type: gray, truecolor, truecolor + alpha
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The PNG as a `data:` URL. */
export function pngDataURL(width: number, height: number, pixels: ArrayLike<number>, channels: 1 | 3 | 4 = 1): string {
  return "data:image/png;base64," + encodePNG(width, height, pixels, channels).toString("base64");
}

/**
 * Encodes a rendered chart (RGBA, opaque) as small as it stays faithful. A chart has few colors:
 * its marks and text and the antialiased edges between them on white (a few hundred in all), so
 * the 256 most frequent colors usually cover nearly every pixel. Then it is written with a
 * palette, one byte per pixel, and the rare edge shades take their nearest palette color: about
 * a third of the size of a truecolor file, with no visible change. Where the palette would cover
 * less than 99.5 % of the pixels (photos, heat maps), it is written in truecolor, each row with
 * the PNG filter that suits it best.
 */
export function encodeChartPNG(width: number, height: number, rgba: Uint8Array): Buffer {
  const n = width * height;
  if (rgba.length !== n * 4) throw new Error(`encodeChartPNG: expected ${width}x${height}x4 = ${n * 4} bytes, got ${rgba.length}`);
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const k = (rgba[4 * i] << 16) | (rgba[4 * i + 1] << 8) | rgba[4 * i + 2];
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const palette = ranked.slice(0, 256).map(([k]) => k);
  const covered = ranked.slice(0, 256).reduce((s, [, c]) => s + c, 0);
  const ihdr = (colorType: number) => {
    const h = Buffer.alloc(13);
    h.writeUInt32BE(width, 0);
    h.writeUInt32BE(height, 4);
    h[8] = 8;
    h[9] = colorType;
    return h;
  };
  const file = (colorType: number, raw: Buffer, extra: Buffer[] = []) =>
    Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr(colorType)), ...extra, chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);

  if (covered >= 0.995 * n) {
    const index = new Map<number, number>(palette.map((k, i) => [k, i]));
    const nearest = (k: number) => {
      let best = 0;
      let bestD = Infinity;
      for (let i = 0; i < palette.length; i++) {
        const p = palette[i];
        const d = ((k >> 16) - (p >> 16)) ** 2 + (((k >> 8) & 255) - ((p >> 8) & 255)) ** 2 + ((k & 255) - (p & 255)) ** 2;
        if (d < bestD) [best, bestD] = [i, d];
      }
      return best;
    };
    const raw = Buffer.alloc((width + 1) * height);
    for (let y = 0; y < height; y++) {
      raw[y * (width + 1)] = 0; // palette images compress best unfiltered
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const k = (rgba[4 * i] << 16) | (rgba[4 * i + 1] << 8) | rgba[4 * i + 2];
        let j = index.get(k);
        if (j === undefined) index.set(k, (j = nearest(k)));
        raw[y * (width + 1) + 1 + x] = j;
      }
    }
    const plte = Buffer.alloc(palette.length * 3);
    palette.forEach((k, i) => plte.set([k >> 16, (k >> 8) & 255, k & 255], 3 * i));
    return file(3, raw, [chunk("PLTE", plte)]);
  }

  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  const row = Buffer.alloc(stride);
  const prev = Buffer.alloc(stride);
  const trial = Buffer.alloc(stride);
  const best = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) row.set(rgba.subarray(4 * (y * width + x), 4 * (y * width + x) + 3), 3 * x);
    let bestFilter = 0;
    let bestScore = Infinity;
    for (let f = 0; f <= 4; f++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= 3 ? row[i - 3] : 0;
        const b = prev[i];
        const c = i >= 3 ? prev[i - 3] : 0;
        const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const v = (row[i] - pred) & 255;
        trial[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        bestFilter = f;
        trial.copy(best);
      }
    }
    raw[y * (stride + 1)] = bestFilter;
    best.copy(raw, y * (stride + 1) + 1);
    row.copy(prev);
  }
  return file(2, raw);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
