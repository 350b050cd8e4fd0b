/**
 * A minimal PNG encoder (RGBA, no filtering), enough to draw the kernel's logos without an
 * image library.
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
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** Encodes `rgba` (width*height*4 bytes) as a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error(`encodePng: expected ${width * height * 4} bytes for ${width}x${height} RGBA, got ${rgba.length}`);
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/**
 * The gradbook logo: a rounded blue square with a white descending curve (a loss curve)
 * and a dot at its minimum.
 */
export function logo(size: number): Buffer {
  const px = new Uint8Array(size * size * 4);
  const r = size * 0.18;
  const set = (x: number, y: number, c: [number, number, number, number]) => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    px.set(c, (y * size + x) * 4);
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = Math.max(r - x, 0, x - (size - 1 - r));
      const dy = Math.max(r - y, 0, y - (size - 1 - r));
      if (dx * dx + dy * dy <= r * r) set(x, y, [49, 120, 198, 255]);
    }
  }
  const w = Math.max(1, Math.round(size / 16));
  for (let i = 0; i <= size * 4; i++) {
    const t = i / (size * 4);
    const x = size * (0.18 + 0.64 * t);
    const y = size * (0.22 + 0.56 * (1 - Math.exp(-4 * t)) / (1 - Math.exp(-4)));
    for (let a = -w; a <= w; a++) for (let b = -w; b <= w; b++) set(Math.round(x + a), Math.round(y + b), [255, 255, 255, 255]);
  }
  const cx = size * 0.82;
  const cy = size * 0.78;
  const dr = size * 0.09;
  for (let y = Math.floor(cy - dr); y <= cy + dr; y++) for (let x = Math.floor(cx - dr); x <= cx + dr; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= dr * dr) set(x, y, [255, 196, 0, 255]);
  return encodePng(size, size, px);
}
