/**
 * A small PNG decoder (8-bit gray, gray + alpha, RGB, RGBA and palette images, not
 * interlaced): enough to read the photographs in `data/photos/` without a native image
 * library. The encoder lives in `lib/plot/png.ts`.
 */
import { inflateSync } from "zlib";

export interface DecodedPNG {
  width: number;
  height: number;
  /** 1 (gray), 3 (RGB) or 4 (RGBA); palette images are expanded to RGB or RGBA. */
  channels: 1 | 3 | 4;
  /** Row-major interleaved 0..255 values, width·height·channels of them. */
  pixels: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/**
 * Decodes a PNG file's bytes.
 *
 * @example
 * const { width, height, channels, pixels } = decodePNG(fs.readFileSync("data/photos/camera.png"));
 */
export function decodePNG(bytes: Uint8Array): DecodedPNG {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || SIGNATURE.some((b, i) => buf[i] !== b)) throw new Error("decodePNG: not a PNG file (bad signature)");
  let width = 0, height = 0, depth = 0, colorType = -1, interlace = 0;
  let palette: Buffer | null = null, alpha: Buffer | null = null;
  const idat: Buffer[] = [];
  for (let pos = 8; pos + 8 <= buf.length;) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("ascii", pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      [depth, colorType, interlace] = [body[8], body[9], body[12]];
    } else if (type === "PLTE") palette = body;
    else if (type === "tRNS") alpha = body;
    else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  if (colorType < 0) throw new Error("decodePNG: no IHDR chunk");
  if (depth !== 8) throw new Error(`decodePNG: only 8-bit images are supported, got bit depth ${depth}`);
  if (interlace !== 0) throw new Error("decodePNG: interlaced images are not supported");
  const inChannels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!inChannels) throw new Error(`decodePNG: unknown colour type ${colorType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * inChannels;
  if (raw.length < (stride + 1) * height) throw new Error(`decodePNG: image data too short for ${width}x${height}`);
  const rows = unfilter(raw, stride, height, inChannels);

  if (colorType === 0) return { width, height, channels: 1, pixels: rows };
  if (colorType === 2) return { width, height, channels: 3, pixels: rows };
  if (colorType === 6) return { width, height, channels: 4, pixels: rows };
  if (colorType === 4) {
    // gray + alpha: keep the gray values (the photographs here are opaque)
    const out = new Uint8Array(width * height);
    for (let i = 0; i < out.length; i++) out[i] = rows[2 * i];
    return { width, height, channels: 1, pixels: out };
  }
  if (!palette) throw new Error("decodePNG: palette image without a PLTE chunk");
  const ch = alpha ? 4 : 3;
  const out = new Uint8Array(width * height * ch);
  for (let i = 0; i < width * height; i++) {
    const k = rows[i];
    out[i * ch] = palette[3 * k];
    out[i * ch + 1] = palette[3 * k + 1];
    out[i * ch + 2] = palette[3 * k + 2];
    if (alpha) out[i * ch + 3] = k < alpha.length ? alpha[k] : 255;
  }
  return { width, height, channels: ch as 3 | 4, pixels: out };
}

/** Reverses PNG's per-row filters (none, sub, up, average, Paeth). */
function unfilter(raw: Buffer, stride: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1, dst = y * stride, prev = dst - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[dst + x - bpp] : 0;
      const b = y > 0 ? out[prev + x] : 0;
      const c = x >= bpp && y > 0 ? out[prev + x - bpp] : 0;
      let pred: number;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`decodePNG: unknown row filter ${filter} in row ${y}`);
      }
      out[dst + x] = (raw[src + x] + pred) & 255;
    }
  }
  return out;
}
