/**
 * Comms: a two-way channel between cell code and front-end widgets (Jupyter's comm_* messages).
 *
 * ```ts
 * comms.registerTarget("echo", (comm, data) => comm.onMsg((d) => comm.send(d)));
 * const c = comms.open("my_target", { hello: 1 });
 * c.onMsg((data) => console.log(data));
 * ```
 */
import { randomUUID } from "crypto";

export interface CommSender {
  open(commId: string, targetName: string, data: unknown, metadata: unknown, buffers: Uint8Array[]): void;
  send(commId: string, data: unknown, metadata: unknown, buffers: Uint8Array[]): void;
  close(commId: string, data: unknown): void;
}

export type CommMsgHandler = (data: any, buffers: Uint8Array[]) => void;

export class Comm {
  private msgHandlers: CommMsgHandler[] = [];
  private closeHandlers: ((data: any) => void)[] = [];
  closed = false;
  constructor(readonly id: string, readonly targetName: string, private readonly manager: CommManager) {}

  /** Sends `data` (JSON) and optional binary buffers to the front end. */
  send(data: unknown, buffers: Uint8Array[] = []): void {
    if (this.closed) throw new Error(`comm.send: comm ${this.id} (${this.targetName}) is closed`);
    this.manager.sender.send(this.id, data, {}, buffers);
  }

  /** Closes the comm on both sides. */
  close(data: unknown = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.manager.sender.close(this.id, data);
    this.manager.forget(this.id);
  }

  /** Calls `handler` for every message the front end sends on this comm. */
  onMsg(handler: CommMsgHandler): this {
    this.msgHandlers.push(handler);
    return this;
  }

  /** Calls `handler` when the front end closes the comm. */
  onClose(handler: (data: any) => void): this {
    this.closeHandlers.push(handler);
    return this;
  }

  /** @internal */
  deliver(data: unknown, buffers: Uint8Array[]): void {
    for (const h of this.msgHandlers) h(data, buffers);
  }

  /** @internal */
  remoteClose(data: unknown): void {
    this.closed = true;
    for (const h of this.closeHandlers) h(data);
  }
}

export type CommTargetHandler = (comm: Comm, data: any) => void;

export class CommManager {
  private readonly comms = new Map<string, Comm>();
  private readonly targets = new Map<string, CommTargetHandler>();
  constructor(readonly sender: CommSender) {}

  /** Accepts comms the front end opens with `target_name` = `name`. */
  registerTarget(name: string, handler: CommTargetHandler): void {
    this.targets.set(name, handler);
  }

  unregisterTarget(name: string): void {
    this.targets.delete(name);
  }

  /** Opens a comm from the kernel side; `metadata` goes into the message's metadata field. */
  open(targetName: string, data: unknown = {}, metadata: unknown = {}, buffers: Uint8Array[] = []): Comm {
    const comm = new Comm(randomUUID(), targetName, this);
    this.comms.set(comm.id, comm);
    this.sender.open(comm.id, targetName, data, metadata, buffers);
    return comm;
  }

  get(id: string): Comm | undefined {
    return this.comms.get(id);
  }

  /** @internal A front end opened a comm. Returns false when no target accepts it. */
  remoteOpen(id: string, targetName: string, data: unknown): boolean {
    const handler = this.targets.get(targetName);
    if (!handler) return false;
    const comm = new Comm(id, targetName, this);
    this.comms.set(id, comm);
    handler(comm, data);
    return true;
  }

  /** @internal */
  remoteMsg(id: string, data: unknown, buffers: Uint8Array[]): boolean {
    const comm = this.comms.get(id);
    if (!comm) return false;
    comm.deliver(data, buffers);
    return true;
  }

  /** @internal */
  remoteClose(id: string, data: unknown): void {
    const comm = this.comms.get(id);
    if (!comm) return;
    this.comms.delete(id);
    comm.remoteClose(data);
  }

  /** @internal */
  forget(id: string): void {
    this.comms.delete(id);
  }
}
