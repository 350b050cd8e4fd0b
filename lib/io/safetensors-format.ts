/**
 * The safetensors file format, on plain typed arrays (no tensors involved).
 *
 * Layout: an 8-byte little-endian unsigned header length N, N bytes of JSON header, then the
 * raw little-endian data of every tensor. The header maps each name to
 * `{ dtype, shape, data_offsets: [begin, end] }` (offsets relative to the data section) and
 * may hold string metadata under `__metadata__`. We pad the header with spaces to a multiple
 * of 8 bytes, as the reference writer does, so that the data section stays aligned.
 * Spec: https://github.com/huggingface/safetensors (format section of its README).
 */
import { OpError } from "../errors";

/** The dtypes gradbook reads and writes, with their safetensors names. */
export type SafeDType = "F32" | "F64" | "I32" | "BOOL";

/** One array in a safetensors file. BOOL data is one byte per element (0 or 1). */
export interface SafeEntry {
  dtype: SafeDType;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Uint8Array;
}

const BYTES: Record<SafeDType, number> = { F32: 4, F64: 8, I32: 4, BOOL: 1 };

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}

/**
 * Serialises named arrays into safetensors bytes.
 *
 * @example
 * const bytes = encodeSafetensors({ w: { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) } });
 */
export function encodeSafetensors(entries: Record<string, SafeEntry>, metadata?: Record<string, string>): Uint8Array {
  if (!isLittleEndianHost()) throw new Error("encodeSafetensors: big-endian hosts are not supported");
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new Error(`encodeSafetensors: metadata "${k}" must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  // Larger elements first keeps every tensor aligned to its element size (the header is
  // padded to 8 bytes, so F64 at offset 0 is 8-aligned in the file).
  const names = Object.keys(entries).sort((a, b) => BYTES[entries[b].dtype] - BYTES[entries[a].dtype] || (a < b ? -1 : a > b ? 1 : 0));
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__") throw new Error(`encodeSafetensors: "__metadata__" is reserved and cannot name a tensor`);
    const e = entries[name];
    if (!(e.dtype in BYTES)) throw new Error(`encodeSafetensors: tensor "${name}" has unsupported dtype ${e.dtype} (F32, F64, I32, BOOL)`);
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (e.data.length !== count) {
      throw new Error(`encodeSafetensors: tensor "${name}" has ${e.data.length} elements but shape [${e.shape.join(",")}] needs ${count}`);
    }
    const size = count * BYTES[e.dtype];
    header[name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  const raw = Buffer.byteLength(json, "utf8");
  json += " ".repeat((8 - ((8 + raw) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const base = 8 + headerBytes.length;
  for (const name of names) {
    const e = entries[name];
    const [begin] = (header[name] as { data_offsets: number[] }).data_offsets;
    out.set(new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength), base + begin);
  }
  return out;
}

/** What {@link decodeSafetensors} returns. */
export interface DecodedSafetensors {
  tensors: Record<string, SafeEntry>;
  metadata: Record<string, string>;
}

/**
 * Parses safetensors bytes. I64 tensors (PyTorch's default integer type) are read as I32 when
 * every value fits, since gradbook has no 64-bit integers.
 *
 * @example
 * const { tensors } = decodeSafetensors(fs.readFileSync("model.safetensors"));
 * tensors["0.weight"].shape; // [16, 2]
 */
export function decodeSafetensors(bytes: Uint8Array, name = "buffer"): DecodedSafetensors {
  const fail = (msg: string): never => { throw new OpError("loadSafetensors", `${name}: ${msg}`); };
  if (bytes.length < 8) fail(`is too short (${bytes.length} bytes) to be a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) fail(`declares a ${n}-byte header but has only ${bytes.length - 8} bytes after the length`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, n).toString("utf8"));
  } catch (e) {
    fail(`has a header that is not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    fail(`the header must be a JSON object of tensor entries, got ${parsed === null ? "null" : Array.isArray(parsed) ? "an array" : typeof parsed}`);
  }
  const header = parsed as Record<string, unknown>;
  const metadata = checkMetadata(header.__metadata__, fail);
  const base = 8 + n;
  const dataLength = bytes.length - base;
  // A prototype-free record: a tensor may be named "__proto__" or "constructor".
  const tensors = Object.create(null) as Record<string, SafeEntry>;
  const spans: { key: string; begin: number; end: number }[] = [];
  for (const key of Object.keys(header)) {
    if (key === "__metadata__") continue;
    const info = header[key];
    const where = `entry ${JSON.stringify(key)}`;
    if (info === null || typeof info !== "object" || Array.isArray(info)) {
      fail(`${where} must be an object { dtype, shape, data_offsets }, got ${JSON.stringify(info)}; metadata belongs under "__metadata__"`);
    }
    const { dtype, shape, data_offsets } = info as { dtype: unknown; shape: unknown; data_offsets: unknown };
    if (typeof dtype !== "string") fail(`${where} has no dtype string (got ${JSON.stringify(dtype)})`);
    const elt = dtype === "I64" ? 8 : BYTES[dtype as SafeDType];
    if (elt === undefined) fail(`${where} has unsupported dtype ${dtype} (F32, F64, I32, I64, BOOL)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where} needs shape as an array of integers >= 0, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(data_offsets) || data_offsets.length !== 2 || !data_offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where} needs data_offsets as two integers [begin, end] >= 0, got ${JSON.stringify(data_offsets)}`);
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const [begin, end] = data_offsets as [number, number];
    if (!(end >= begin && end <= dataLength)) {
      fail(`${where} has offsets [${begin}, ${end}] outside the ${dataLength}-byte data section`);
    }
    if (end - begin !== count * elt) {
      fail(`${where} has ${end - begin} bytes but shape [${(shape as number[]).join(",")}] of ${dtype} needs ${count * elt}`);
    }
    spans.push({ key, begin, end });
  }
  const order = spans.map((sp) => sp.key);
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < spans.length; i++) {
    const p = spans[i - 1], q = spans[i];
    if (q.begin < p.end) fail(`entries ${JSON.stringify(p.key)} [${p.begin}, ${p.end}] and ${JSON.stringify(q.key)} [${q.begin}, ${q.end}] overlap`);
  }
  for (const key of order) {
    const { dtype, shape, data_offsets } = header[key] as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, end] = data_offsets;
    // Copy into a fresh, aligned buffer of its own: the file's offsets need not be aligned,
    // and a Node Buffer's slice() is a view into a shared pool, not a copy.
    const chunk = new Uint8Array(bytes.subarray(base + begin, base + end));
    let data: SafeEntry["data"];
    let dt: SafeDType = dtype as SafeDType;
    switch (dtype) {
      case "F32": data = new Float32Array(chunk.buffer); break;
      case "F64": data = new Float64Array(chunk.buffer); break;
      case "I32": data = new Int32Array(chunk.buffer); break;
      case "BOOL": data = chunk; break;
      default: {
        const big = new BigInt64Array(chunk.buffer);
        const a = new Int32Array(count);
        for (let i = 0; i < count; i++) {
          const v = big[i];
          if (v > 2147483647n || v < -2147483648n) {
            fail(`entry ${JSON.stringify(key)} (I64) holds ${v}, which does not fit in int32`);
          }
          a[i] = Number(v);
        }
        data = a;
        dt = "I32";
      }
    }
    tensors[key] = { dtype: dt, shape: [...shape], data };
  }
  return { tensors, metadata };
}

/** `__metadata__`, if present, must map strings to strings (the format's only free-form part). */
function checkMetadata(m: unknown, fail: (msg: string) => never): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (m === undefined) return out;
  if (m === null || typeof m !== "object" || Array.isArray(m)) fail(`"__metadata__" must be an object of strings, got ${JSON.stringify(m)}`);
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    if (typeof v !== "string") fail(`"__metadata__" entry ${JSON.stringify(k)} must be a string, got ${JSON.stringify(v)}`);
    out[k] = v as string;
  }
  return out;
}
