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
