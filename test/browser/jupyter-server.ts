// What the browser tests need to start a Jupyter server of their own: a free port, a wait until
// it answers (or a clear failure with its log when it exits), and the gradbook kernelspec.
import { execFileSync, type ChildProcess } from "child_process";
import * as net from "net";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Polls `url` until it answers 200; `name` and `log()` say which server failed and why. */
export async function waitForServer(name: string, server: ChildProcess | null, log: () => string, url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (server?.exitCode !== null) throw new Error(`${name} exited with code ${server?.exitCode}:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer at ${url} within ${ms} ms:\n${log()}`);
}

/** Installs the gradbook kernelspec for the user when Debian's Python does not see one. */
export function ensureKernelspec(): void {
  const specs = execFileSync("/usr/bin/python3", ["-c", "from jupyter_client.kernelspec import KernelSpecManager as K; print(' '.join(K().find_kernel_specs()))"]).toString();
  if (!specs.split(/\s+/).includes("gradbook")) execFileSync("node", [path.join(ROOT, "bin", "gradbook.js"), "install", "--user"], { cwd: ROOT });
}
