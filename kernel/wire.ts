/**
 * Jupyter wire format: turning messages into ZeroMQ frames and back, with HMAC signatures.
 *
 * Pure functions, no sockets: the transport calls them, the unit tests call them directly.
 * A multipart message is `[...identities, "<IDS|MSG>", signature, header, parent_header,
 * metadata, content, ...buffers]`; the signature is the hex HMAC of the four JSON frames.
 */
import { createHmac, randomUUID, timingSafeEqual } from "crypto";

export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.3";

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [extra: string]: unknown;
}

export interface Message<C = any> {
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** Signs frames with HMAC-SHA256; an empty key means "no signing" as the spec allows. */
export class Signer {
  private readonly key: Buffer;
  constructor(key: string, readonly scheme = "hmac-sha256") {
    if (scheme !== "hmac-sha256" && key !== "") {
      throw new Error(`Signer: unsupported signature_scheme ${JSON.stringify(scheme)}; expected "hmac-sha256"`);
    }
    this.key = Buffer.from(key, "utf8");
  }

  sign(frames: (Buffer | string)[]): string {
    if (this.key.length === 0) return "";
    const h = createHmac("sha256", this.key);
    for (const f of frames) h.update(f);
    return h.digest("hex");
  }

  /** Constant-time check, so a forger learns nothing from response times. */
  verify(signature: string, frames: (Buffer | string)[]): boolean {
    if (this.key.length === 0) return true;
    const expected = Buffer.from(this.sign(frames), "utf8");
    const got = Buffer.from(signature, "utf8");
    return expected.length === got.length && timingSafeEqual(expected, got);
  }
}

/** A fresh header for a message the kernel sends. */
export function makeHeader(msgType: string, session: string): Header {
  return {
    msg_id: randomUUID(),
    session,
    username: "kernel",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** Frames of a message, signed. */
export function encode(msg: Message, signer: Signer): (Buffer | string)[] {
  const parts = [
    JSON.stringify(msg.header),
    JSON.stringify(msg.parent_header ?? {}),
    JSON.stringify(msg.metadata ?? {}),
    JSON.stringify(msg.content ?? {}),
  ];
  return [...msg.identities, DELIMITER, signer.sign(parts), ...parts, ...(msg.buffers ?? [])];
}

export type DecodeResult = { ok: true; msg: Message } | { ok: false; reason: string; header?: Header; identities?: Buffer[] };

/**
 * Parses and verifies frames. Never throws: malformed input becomes `{ ok: false, reason }`
 * so the transport can log it and carry on.
 */
export function decode(frames: Buffer[], signer: Signer, maxBytes = Infinity): DecodeResult {
  let total = 0;
  for (const f of frames) total += f.length;
  const d = frames.findIndex((f) => f.length === DELIMITER.length && f.toString("latin1") === DELIMITER);
  if (d < 0) return { ok: false, reason: "no <IDS|MSG> delimiter frame" };
  if (frames.length < d + 6) return { ok: false, reason: `expected 5 frames after the delimiter, got ${frames.length - d - 1}` };
  const identities = frames.slice(0, d);
  const signature = frames[d + 1].toString("utf8");
  const parts = frames.slice(d + 2, d + 6);
  if (!signer.verify(signature, parts)) {
    return { ok: false, reason: signature ? "invalid HMAC signature" : "missing HMAC signature", identities };
  }
  if (total > maxBytes) {
    // Signed by the client, so it may be answered: its header is read, the rest is not parsed.
    let header: Header | undefined;
    try {
      const h = JSON.parse(parts[0].toString("utf8"));
      if (h && typeof h.msg_type === "string" && typeof h.msg_id === "string") header = h;
    } catch {
      header = undefined;
    }
    return { ok: false, reason: `message of ${total} bytes exceeds the limit of ${maxBytes} bytes`, header, identities };
  }
  const parsed: unknown[] = [];
  const names = ["header", "parent_header", "metadata", "content"];
  for (let i = 0; i < 4; i++) {
    try {
      parsed.push(JSON.parse(parts[i].toString("utf8")));
    } catch (e) {
      const header = i > 0 ? (parsed[0] as Header) : undefined;
      return { ok: false, reason: `invalid JSON in the ${names[i]} frame: ${(e as Error).message}`, header, identities };
    }
  }
  const header = parsed[0] as Header;
  if (!header || typeof header !== "object" || typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
    return { ok: false, reason: "header lacks msg_type or msg_id", identities };
  }
  const content = parsed[3];
  if (!content || typeof content !== "object" || Array.isArray(content)) {
    return { ok: false, reason: `content of ${header.msg_type} is not a JSON object`, header, identities };
  }
  return {
    ok: true,
    msg: {
      identities,
      header,
      parent_header: (parsed[1] ?? {}) as Header,
      metadata: (parsed[2] ?? {}) as Record<string, unknown>,
      content,
      buffers: frames.slice(d + 6),
    },
  };
}
