/**
 * A corpus of malformed safetensors files: each is refused with an OpError naming the file,
 * the entry and the problem; none crashes, reads out of bounds or is accepted silently.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Engine, OpError, io, setEngine, tensor } from "../../lib";

setEngine(new Engine({ defaultDevice: "js" }));

/** A file from a header (a JSON value or raw text) and a data section of `data` bytes. */
function file(header: unknown, data = 0, raw = false): Uint8Array {
  const json = Buffer.from(raw ? (header as string) : JSON.stringify(header), "utf8");
  const out = new Uint8Array(8 + json.length + data);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  for (let i = 0; i < data; i++) out[8 + json.length + i] = i;
  return out;
}

const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: "F32", shape, data_offsets: [begin, end] });

const CORPUS: [string, Uint8Array, RegExp][] = [
  ["empty", new Uint8Array(0), /is too short \(0 bytes\)/],
  ["header length past the end", (() => { const b = file({}, 0); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; })(), /declares a 1000-byte header but has only 2 bytes/],
  ["header not JSON", file("{not json", 0, true), /header that is not valid JSON/],
  ["null header", file(null), /the header must be a JSON object of tensor entries, got null/],
  ["array header", file([1, 2]), /must be a JSON object .* got an array/],
  ["number header", file(3), /got number/],
  ["entry not an object", file({ w: 3 }), /entry "w" must be an object \{ dtype, shape, data_offsets \}, got 3; metadata belongs under "__metadata__"/],
  ["string entry outside __metadata__", file({ note: "hello" }), /entry "note" must be an object .* got "hello"/],
  ["missing dtype", file({ w: { shape: [1], data_offsets: [0, 4] } }, 4), /entry "w" has no dtype string \(got undefined\)/],
  ["unknown dtype", file({ w: { dtype: "F16", shape: [2], data_offsets: [0, 4] } }, 4), /entry "w" has unsupported dtype F16/],
  ["missing shape", file({ w: { dtype: "F32", data_offsets: [0, 4] } }, 4), /entry "w" needs shape as an array of integers >= 0, got undefined/],
  ["negative dimension", file({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4), /entry "w" needs shape .* got \[-1\]/],
  ["fractional dimension", file({ w: { dtype: "F32", shape: [1.5], data_offsets: [0, 4] } }, 4), /entry "w" needs shape .* got \[1.5\]/],
  ["missing data_offsets", file({ w: { dtype: "F32", shape: [1] } }, 4), /entry "w" needs data_offsets as two integers \[begin, end\] >= 0, got undefined/],
  ["one offset", file({ w: { dtype: "F32", shape: [1], data_offsets: [0] } }, 4), /entry "w" needs data_offsets .* got \[0\]/],
  ["fractional offsets", file({ w: { dtype: "F32", shape: [1], data_offsets: [0.5, 4.5] } }, 8), /entry "w" needs data_offsets .* got \[0.5,4.5\]/],
  ["negative offsets", file({ w: { dtype: "F32", shape: [1], data_offsets: [-4, 0] } }, 4), /entry "w" needs data_offsets .* got \[-4,0\]/],
  ["string offsets", file({ w: { dtype: "F32", shape: [1], data_offsets: ["0", "4"] } }, 4), /entry "w" needs data_offsets/],
  ["end before begin", file({ w: { dtype: "F32", shape: [0], data_offsets: [8, 4] } }, 8), /entry "w" has offsets \[8, 4\] outside the 8-byte data section/],
  ["past the data", file({ w: f32(0, 16) }, 8), /entry "w" has offsets \[0, 16\] outside the 8-byte data section/],
  ["size disagrees with shape", file({ w: f32(0, 8, [3]) }, 8), /entry "w" has 8 bytes but shape \[3\] of F32 needs 12/],
  ["overlapping tensors", file({ a: f32(0, 8), b: f32(4, 12) }, 12), /entries "a" \[0, 8\] and "b" \[4, 12\] overlap/],
  ["identical spans", file({ a: f32(0, 8), b: f32(0, 8) }, 8), /entries "a" \[0, 8\] and "b" \[0, 8\] overlap/],
  ["metadata not an object", file({ __metadata__: "x" }), /"__metadata__" must be an object of strings, got "x"/],
  ["metadata value not a string", file({ __metadata__: { epochs: 3 } }), /"__metadata__" entry "epochs" must be a string, got 3/],
  ["I64 beyond int32", (() => { const b = file({ i: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, 8); const v = new DataView(b.buffer); v.setBigInt64(b.length - 8, 2n ** 40n, true); return b; })(), /entry "i" \(I64\) holds 1099511627776, which does not fit in int32/],
];

describe("malformed safetensors files", () => {
  for (const [name, bytes, message] of CORPUS) {
    it(name, () => {
      let err: unknown = null;
      try { io.deserializeSafetensors(bytes, { name: "corpus.safetensors" }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(OpError);
      expect((err as Error).message).toMatch(/^loadSafetensors: corpus\.safetensors: /);
      expect((err as Error).message).toMatch(message);
    });
  }

  it("names the file path when loading from disk", () => {
    const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-st-")), "bad.safetensors");
    fs.writeFileSync(p, file(null));
    expect(() => io.loadSafetensors(p)).toThrow(new RegExp(`^loadSafetensors: ${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: the header must be a JSON object`));
    fs.rmSync(path.dirname(p), { recursive: true });
  });
});

describe("well-formed corner cases", () => {
  it("keeps a tensor named __proto__ (and constructor) instead of dropping it", () => {
    // Written by hand: an object literal's __proto__ sets its prototype, so JSON.stringify would drop it.
    const raw = file('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8, true);
    const { tensors } = io.deserializeSafetensors(raw);
    expect(Object.keys(tensors).sort()).toEqual(["__proto__", "constructor"]);
    expect(tensors["__proto__"].shape).toEqual([1]);
  });

  it("reads empty tensors, adjacent spans in any order, and metadata", () => {
    const { tensors, metadata } = io.deserializeSafetensors(file({ b: f32(4, 8), a: f32(0, 4), e: { dtype: "F32", shape: [0, 3], data_offsets: [8, 8] }, __metadata__: { note: "ok" } }, 8));
    expect(Object.keys(tensors)).toEqual(["b", "a", "e"]);
    expect(tensors.e.shape).toEqual([0, 3]);
    expect(metadata.note).toBe("ok");
  });

  it("round-trips what it writes", () => {
    const back = io.deserializeSafetensors(io.serializeSafetensors({ w: tensor([[1, 2], [3, 4]]), m: tensor([true, false]) }, { k: "v" }));
    expect(back.tensors.w.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(back.tensors.m.toArray()).toEqual([true, false]);
    expect(back.metadata.k).toBe("v");
  });
});
