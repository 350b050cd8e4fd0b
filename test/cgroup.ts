/**
 * Real memory cgroups for tests, made with plain file writes as root (cgroup v1's memory
 * controller or v2, whichever the machine has), as test/clients/binder_budget.py does. A test
 * runs a child process inside one by having `sh` write its own pid into cgroup.procs and exec.
 * Where none can be made (not root, /sys/fs/cgroup read-only or without a memory controller),
 * `cgroupSkip` says why, for the test's skip message.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const V1 = "/sys/fs/cgroup/memory";
const V2 = "/sys/fs/cgroup";

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function detect(): { version: 1 | 2; root: string } | string {
  if (process.getuid?.() !== 0) return "not root: memory cgroups cannot be made";
  if (fs.existsSync(path.join(V1, "cgroup.procs")) && writable(V1)) return { version: 1, root: V1 };
  const ctl = path.join(V2, "cgroup.subtree_control");
  if (fs.existsSync(path.join(V2, "cgroup.controllers")) && writable(V2) && fs.existsSync(ctl) && fs.readFileSync(ctl, "utf8").includes("memory")) return { version: 2, root: V2 };
  return "no writable memory cgroup hierarchy (v1 memory controller or v2 with memory in subtree_control)";
}

const found = detect();
/** Why no cgroup can be made here, or "" when one can. */
export const cgroupSkip = typeof found === "string" ? found : "";
export const cgroupVersion = typeof found === "string" ? null : found.version;

/** A cgroup made for a test; `remove()` deletes it and its children once their processes ended. */
export class TestCgroup {
  readonly dir: string;
  private readonly children: TestCgroup[] = [];

  /** A new cgroup under the hierarchy's root (or under `parent`), with `limit` bytes when given. */
  constructor(name: string, limit?: number, parent?: TestCgroup) {
    if (typeof found === "string") throw new Error(`cannot make a cgroup: ${found}`);
    this.dir = path.join(parent ? parent.dir : found.root, parent ? name : `gradbook-test-${process.pid}-${name}`);
    fs.mkdirSync(this.dir);
    if (found.version === 2 && parent) {
      // v2: a child's memory files exist only when the parent delegates the controller.
      fs.writeFileSync(path.join(parent.dir, "cgroup.subtree_control"), "+memory");
    }
    if (limit !== undefined) fs.writeFileSync(path.join(this.dir, found.version === 2 ? "memory.max" : "memory.limit_in_bytes"), String(limit));
    parent?.children.push(this);
  }

  /** The file a limit is written to. */
  get limitFile(): string {
    return path.join(this.dir, cgroupVersion === 2 ? "memory.max" : "memory.limit_in_bytes");
  }

  /** argv that runs `argv` inside this cgroup (sh moves itself in, then execs). */
  wrap(argv: string[]): string[] {
    return ["/bin/sh", "-c", `echo $$ > "${path.join(this.dir, "cgroup.procs")}" && exec "$@"`, "sh", ...argv];
  }

  remove(): void {
    for (const c of this.children) c.remove();
    for (let i = 0; i < 50; i++) {
      try {
        fs.rmdirSync(this.dir);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
    }
  }
}
