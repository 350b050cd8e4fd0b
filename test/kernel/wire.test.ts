import { describe, expect, it } from "vitest";
import { createHmac } from "crypto";
import { decode, DELIMITER, encode, makeHeader, Message, Signer } from "../../kernel/wire";

const signer = new Signer("secret-key");

function message(content: unknown = { code: "1+1" }): Message {
  return {
    identities: [Buffer.from("client-id")],
    header: makeHeader("execute_request", "s1"),
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

const asBuffers = (frames: (Buffer | string)[]) => frames.map((f) => (typeof f === "string" ? Buffer.from(f) : f));

describe("wire format", () => {
  it("frames identities, delimiter, signature and four JSON parts", () => {
    const frames = asBuffers(encode(message(), signer));
    expect(frames[0].toString()).toBe("client-id");
    expect(frames[1].toString()).toBe(DELIMITER);
    const expected = createHmac("sha256", "secret-key");
    for (const f of frames.slice(3, 7)) expected.update(f);
    expect(frames[2].toString()).toBe(expected.digest("hex"));
    expect(JSON.parse(frames[6].toString())).toEqual({ code: "1+1" });
  });

  it("round-trips a message, keeping identities and buffers", () => {
    const m = { ...message({ a: [1, 2] }), buffers: [Buffer.from([1, 2, 3])] };
    const r = decode(asBuffers(encode(m, signer)), signer);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.msg.identities.map(String)).toEqual(["client-id"]);
    expect(r.msg.header.msg_type).toBe("execute_request");
    expect(r.msg.content).toEqual({ a: [1, 2] });
    expect([...r.msg.buffers[0]]).toEqual([1, 2, 3]);
  });

  it("rejects a tampered body, a wrong key and a missing signature", () => {
    const frames = asBuffers(encode(message(), signer));
    const tampered = [...frames];
    tampered[6] = Buffer.from(JSON.stringify({ code: "process.exit()" }));
    expect(decode(tampered, signer)).toMatchObject({ ok: false, reason: "invalid HMAC signature" });
    expect(decode(frames, new Signer("other-key"))).toMatchObject({ ok: false, reason: "invalid HMAC signature" });
    const unsigned = [...frames];
    unsigned[2] = Buffer.from("");
    expect(decode(unsigned, signer)).toMatchObject({ ok: false, reason: "missing HMAC signature" });
  });

  it("accepts unsigned messages when the key is empty, as the spec allows", () => {
    const none = new Signer("");
    const r = decode(asBuffers(encode(message(), none)), none);
    expect(r.ok).toBe(true);
  });

  it("reports malformed frames instead of throwing", () => {
    expect(decode([Buffer.from("a"), Buffer.from("b")], signer)).toMatchObject({ ok: false, reason: "no <IDS|MSG> delimiter frame" });
    expect(decode([Buffer.from(DELIMITER), Buffer.from("sig")], signer)).toMatchObject({ ok: false });
    const parts = ["{not json", "{}", "{}", "{}"];
    const bad = [Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts.map((p) => Buffer.from(p))];
    const r = decode(bad, signer);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/invalid JSON in the header frame/);
    const noType = ["{}", "{}", "{}", "{}"];
    expect(decode([Buffer.from(DELIMITER), Buffer.from(signer.sign(noType)), ...noType.map((p) => Buffer.from(p))], signer)).toMatchObject({
      ok: false,
      reason: "header lacks msg_type or msg_id",
    });
  });

  it("rejects oversized messages before parsing them", () => {
    const frames = asBuffers(encode(message({ big: "x".repeat(10_000) }), signer));
    const r = decode(frames, signer, 1000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/exceeds the limit of 1000 bytes/);
    // Signed: its header is read, so the request can be answered.
    if (!r.ok) expect(r.header?.msg_type).toBe(message({}).header.msg_type);
  });

  it("refuses an unknown signature scheme by name", () => {
    expect(() => new Signer("k", "hmac-md5")).toThrow(/hmac-md5/);
  });
});
