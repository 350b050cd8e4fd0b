/**
 * The ZeroMQ side of the kernel: the only module that imports `zeromq`.
 *
 * Binds the five sockets named in the connection file, answers heartbeats, decodes and
 * verifies incoming messages (rejections are logged, never executed) and sends through a
 * per-socket queue: a ZeroMQ socket accepts one send at a time, and firing sends without
 * waiting is how other kernels lose messages under load.
 */
import * as zmq from "zeromq";
import { decode, encode, makeHeader, Message, Signer, Header } from "./wire";
import { log } from "./log";

export interface ConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

export type Channel = "shell" | "control" | "stdin" | "iopub";

const IOPUB_HWM = 100_000;
const IOPUB_SEND_TIMEOUT_MS = 10_000;

/** Sends one socket's messages strictly one after another. */
class Outbox {
  private queue: (Buffer | string)[][] = [];
  private draining = false;
  private idleWaiters: (() => void)[] = [];
  constructor(private readonly socket: zmq.Writable, private readonly name: string) {}

  push(frames: (Buffer | string)[]): void {
    this.queue.push(frames);
    if (!this.draining) void this.drain();
  }

  /** Resolves once everything queued so far has been handed to ZeroMQ. */
  flushed(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const frames = this.queue.shift()!;
      try {
        await this.socket.send(frames);
      } catch (e) {
        log(`send on ${this.name} failed: ${(e as Error).message}`);
      }
    }
    this.draining = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

export type Receiver = (msg: Message, channel: Channel) => void;
/** A signed message that could not be read, whose header could: the protocol may answer it. */
export type Rejecter = (header: Header, identities: Buffer[], channel: Channel, reason: string) => void;

export interface TransportOptions {
  /** Messages larger than this are rejected (logged) without parsing. */
  maxMessageBytes?: number;
}

export class Transport {
  readonly signer: Signer;
  readonly session = cryptoRandom();
  private readonly sockets: { shell: zmq.Router; control: zmq.Router; stdin: zmq.Router; iopub: zmq.Publisher; hb: zmq.Reply };
  private readonly outboxes: Record<Channel, Outbox>;
  private closed = false;
  private readonly maxBytes: number;

  private constructor(conn: ConnectionInfo, opts: TransportOptions) {
    if (typeof conn.key !== "string") {
      // Only an explicit empty key is the documented way to turn signing off.
      log(`warning: the connection file has no "key" field, so messages are neither signed nor verified (signing off); any local process can run code in this kernel. Write "key": "" to turn signing off on purpose.`);
    }
    this.signer = new Signer(typeof conn.key === "string" ? conn.key : "", conn.signature_scheme || "hmac-sha256");
    this.maxBytes = opts.maxMessageBytes ?? 256 * 1024 * 1024;
    const linger = { linger: 0 };
    this.sockets = {
      shell: new zmq.Router(linger),
      control: new zmq.Router(linger),
      stdin: new zmq.Router(linger),
      // ZeroMQ's default high-water mark (1,000 messages) drops the rest of a burst silently,
      // idle included, and a client then waits for ever. The mark is raised and, when it is
      // reached all the same, sends wait (back-pressure) instead of dropping; only a subscriber
      // that stops reading for IOPUB_SEND_TIMEOUT_MS loses messages, logged.
      iopub: new zmq.Publisher({ ...linger, sendHighWaterMark: IOPUB_HWM, noDrop: true, sendTimeout: IOPUB_SEND_TIMEOUT_MS }),
      hb: new zmq.Reply(linger),
    };
    this.outboxes = {
      shell: new Outbox(this.sockets.shell, "shell"),
      control: new Outbox(this.sockets.control, "control"),
      stdin: new Outbox(this.sockets.stdin, "stdin"),
      iopub: new Outbox(this.sockets.iopub, "iopub"),
    };
  }

  /** Binds every socket of the connection file and starts the heartbeat echo. */
  static async bind(conn: ConnectionInfo, opts: TransportOptions = {}): Promise<Transport> {
    const t = new Transport(conn, opts);
    const addr = (port: number) =>
      conn.transport === "ipc" ? `ipc://${conn.ip}-${port}` : `${conn.transport || "tcp"}://${conn.ip}:${port}`;
    await Promise.all([
      t.sockets.shell.bind(addr(conn.shell_port)),
      t.sockets.control.bind(addr(conn.control_port)),
      t.sockets.stdin.bind(addr(conn.stdin_port)),
      t.sockets.iopub.bind(addr(conn.iopub_port)),
      t.sockets.hb.bind(addr(conn.hb_port)),
    ]);
    void t.heartbeat();
    return t;
  }

  /** Delivers every verified message on shell, control and stdin to `receive`. */
  listen(receive: Receiver, reject?: Rejecter): void {
    for (const ch of ["shell", "control", "stdin"] as const) void this.receiveLoop(ch, receive, reject);
  }

  private async receiveLoop(ch: "shell" | "control" | "stdin", receive: Receiver, reject?: Rejecter): Promise<void> {
    const sock = this.sockets[ch];
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await sock.receive();
      } catch (e) {
        if (this.closed) return;
        log(`receive on ${ch} failed: ${(e as Error).message}`);
        continue;
      }
      const r = decode(frames, this.signer, this.maxBytes);
      if (!r.ok) {
        log(`rejected a message on ${ch}: ${r.reason}`);
        if (r.header && r.identities && reject) {
          try {
            reject(r.header, r.identities, ch, r.reason);
          } catch (e) {
            log(`answering a rejected message failed: ${(e as Error).message}`);
          }
        }
        continue;
      }
      try {
        receive(r.msg, ch);
      } catch (e) {
        log(`handler for ${r.msg.header.msg_type} threw: ${(e as Error).stack}`);
      }
    }
  }

  private async heartbeat(): Promise<void> {
    const hb = this.sockets.hb;
    while (!this.closed) {
      try {
        const frames = await hb.receive();
        await hb.send(frames);
      } catch {
        if (this.closed) return;
      }
    }
  }

  /** Queues a message built from a type, parent and content; returns its header. */
  send(channel: Channel, msgType: string, content: unknown, parent?: Message | null, opts: { metadata?: Record<string, unknown>; identities?: Buffer[]; buffers?: Buffer[] } = {}): Header {
    const header = makeHeader(msgType, this.session);
    if (this.closed) return header; // shutting down: the peer is gone
    const identities =
      opts.identities ?? (channel === "iopub" ? [Buffer.from(`kernel.${this.session}.${msgType}`)] : parent?.identities ?? []);
    const msg: Message = {
      identities,
      header,
      parent_header: parent?.header ?? {},
      metadata: opts.metadata ?? {},
      content,
      buffers: opts.buffers ?? [],
    };
    this.outboxes[channel].push(encode(msg, this.signer));
    return header;
  }

  /** Resolves once every queued message has left (used before exiting). */
  async flush(): Promise<void> {
    await Promise.all(Object.values(this.outboxes).map((o) => o.flushed()));
  }

  close(): void {
    this.closed = true;
    for (const s of Object.values(this.sockets)) s.close();
  }
}

function cryptoRandom(): string {
  return require("crypto").randomUUID();
}
