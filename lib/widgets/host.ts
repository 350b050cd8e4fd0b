/**
 * What widgets need from a kernel, installed by it (`setWidgetHost`): comms to the front end and
 * a way to send a callback's output to an `Output` widget. Outside a kernel there is no host;
 * widgets then keep their state locally, `observe` still fires, and display shows text.
 */

/** One comm channel (Jupyter's comm_open/comm_msg/comm_close). */
export interface HostComm {
  readonly id: string;
  send(data: unknown, buffers?: Uint8Array[]): void;
  onMsg(handler: (data: any, buffers: Uint8Array[]) => void): unknown;
  onClose(handler: (data: any) => void): unknown;
  close(data?: unknown): void;
}

/** Where captured output goes while an `Output` widget captures. */
export interface CaptureSink {
  stream(name: "stdout" | "stderr", text: string): void;
  display(data: Record<string, unknown>, metadata: Record<string, unknown>, displayId: string | undefined, update: boolean): void;
  clear(wait: boolean): void;
}

export interface WidgetHost {
  /** Opens a comm from the kernel; `metadata` travels in the message's metadata field. */
  openComm(targetName: string, data: unknown, metadata: Record<string, unknown>, buffers?: Uint8Array[]): HostComm;
  /** Accepts comms the front end opens with this target name. */
  registerTarget(name: string, handler: (comm: HostComm, data: any) => void): void;
  /** Runs `fn` with `display`, `console.log` and `clearOutput` sent to `sink`, across its awaits too. */
  capture<T>(sink: CaptureSink, fn: () => T): T;
}

let host: WidgetHost | null = null;

/** Installs (or with null removes) the kernel's widget host. Returns the previous one. */
export function setWidgetHost(next: WidgetHost | null): WidgetHost | null {
  const prev = host;
  host = next;
  return prev;
}

/** The installed host, or null outside a kernel. */
export function getWidgetHost(): WidgetHost | null {
  return host;
}
