import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as net from "net";
import * as zmq from "zeromq";
import { Transport, ConnectionInfo } from "../../kernel/transport";
import { encode, makeHeader, Message, Signer, decode } from "../../kernel/wire";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

let transport: Transport;
let conn: ConnectionInfo;
const received: { type: string; channel: string }[] = [];

beforeAll(async () => {
  process.env.GRADBOOK_QUIET = "1";
  conn = {
    transport: "tcp",
    ip: "127.0.0.1",
    shell_port: await freePort(),
    iopub_port: await freePort(),
    stdin_port: await freePort(),
    control_port: await freePort(),
    hb_port: await freePort(),
    key: "k3y",
    signature_scheme: "hmac-sha256",
  };
  transport = await Transport.bind(conn, { maxMessageBytes: 100_000 });
  transport.listen((msg, channel) => {
    received.push({ type: msg.header.msg_type, channel });
    transport.send(channel, "echo_reply", { got: msg.content }, msg);
  });
});

afterAll(() => transport.close());

function request(type: string, content: unknown): Message {
  return { identities: [], header: makeHeader(type, "c"), parent_header: {}, metadata: {}, content, buffers: [] };
}

describe("transport over real ZeroMQ sockets", () => {
  it("answers signed requests on shell, keeps the parent header, and ignores forged ones", async () => {
    const dealer = new zmq.Dealer({ linger: 0 });
    dealer.connect(`tcp://127.0.0.1:${conn.shell_port}`);
    const good = request("echo_request", { n: 1 });
    const forged = encode(request("echo_request", { n: 2 }), new Signer("wrong"));
    await dealer.send(forged);
    await dealer.send(["garbage-without-delimiter"]);
    await dealer.send(encode(request("big_request", { x: "y".repeat(200_000) }), new Signer("k3y")));
    await dealer.send(encode(good, new Signer("k3y")));
    const frames = await dealer.receive();
    const r = decode(frames, new Signer("k3y"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.msg.content).toEqual({ got: { n: 1 } });
    expect(r.msg.parent_header.msg_id).toBe(good.header.msg_id);
    expect(received.map((x) => x.type)).toEqual(["echo_request"]);
    dealer.close();
  });

  it("echoes heartbeats", async () => {
    const req = new zmq.Request({ linger: 0 });
    req.connect(`tcp://127.0.0.1:${conn.hb_port}`);
    await req.send("ping");
    const [pong] = await req.receive();
    expect(pong.toString()).toBe("ping");
    req.close();
  });

  it("publishes queued iopub messages in order", async () => {
    const sub = new zmq.Subscriber({ linger: 0 });
    sub.connect(`tcp://127.0.0.1:${conn.iopub_port}`);
    sub.subscribe();
    await new Promise((r) => setTimeout(r, 200)); // let the subscription reach the publisher
    for (let i = 0; i < 50; i++) transport.send("iopub", "stream", { text: String(i) });
    const got: string[] = [];
    while (got.length < 50) {
      const r = decode(await sub.receive(), new Signer("k3y"));
      if (r.ok) got.push(r.msg.content.text);
    }
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    sub.close();
  });
});
