/**
 * The memory limit's one owner (lib/memory-limit.ts): the process's own cgroup is resolved
 * from /proc/self/cgroup and /proc/self/mountinfo and walked up to the mount's root. First on
 * made-up trees (a host's child cgroup under v1 and v2, a container, a hybrid machine), then in
 * real child cgroups, where the engine's budget, the native allocator's refusal and the
 * kernel's watch must all name the limit set on the parent.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cgroupLevels, memoryAvailable, memoryLimit } from "../../lib/memory-limit";
import { cgroupSkip, TestCgroup } from "../cgroup";

const MiB = 2 ** 20;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-memlimit-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes files (relative to the tree's root) and returns the tree's root. */
function tree(name: string, files: Record<string, string>): string {
  const root = path.join(tmp, name);
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  }
  return root;
}

const mountLine = (id: number, root: string, point: string, fstype: string, superOpts: string) =>
  `${id} 1 0:${id} ${root} ${point} rw,nosuid - ${fstype} ${fstype} ${superOpts}`;

describe("cgroupLevels on made-up trees", () => {
  it("v1: a child cgroup on a host gets its parent's limit, and its own when lower", () => {
    const r = path.join(tmp, "v1");
    const mem = path.join(r, "memory");
    tree("v1", {
      "proc/cgroup": "5:cpu,cpuacct:/\n4:memory:/jobs/job-1/step\n0::/\n",
      "proc/mountinfo": [mountLine(30, "/", mem, "cgroup", "rw,memory"), mountLine(31, "/", path.join(r, "cpu"), "cgroup", "rw,cpu,cpuacct")].join("\n") + "\n",
      "memory/memory.limit_in_bytes": "9223372036854771712\n", // the root: no limit
      "memory/jobs/memory.limit_in_bytes": "9223372036854771712\n",
      "memory/jobs/job-1/memory.limit_in_bytes": String(512 * MiB),
      "memory/jobs/job-1/memory.usage_in_bytes": String(100 * MiB),
      "memory/jobs/job-1/step/memory.limit_in_bytes": "9223372036854771712\n",
      "memory/jobs/job-1/step/memory.usage_in_bytes": String(10 * MiB),
    });
    const files = { cgroup: path.join(r, "proc/cgroup"), mountinfo: path.join(r, "proc/mountinfo") };
    const levels = cgroupLevels(files);
    expect(levels.map((l) => l.dir)).toEqual([path.join(mem, "jobs/job-1")]);
    expect(levels[0].usageFile).toBe(path.join(mem, "jobs/job-1/memory.usage_in_bytes"));
    const limit = memoryLimit(levels);
    expect(limit.bytes).toBe(512 * MiB);
    expect(limit.source).toContain(path.join(mem, "jobs/job-1/memory.limit_in_bytes"));
    // The parent's usage counts (its other children use its memory too).
    const avail = memoryAvailable(levels);
    expect(avail.bytes).toBe(412 * MiB);

    fs.writeFileSync(path.join(mem, "jobs/job-1/step/memory.limit_in_bytes"), String(256 * MiB));
    const inner = cgroupLevels(files);
    expect(inner.map((l) => l.dir)).toEqual([path.join(mem, "jobs/job-1/step"), path.join(mem, "jobs/job-1")]);
    expect(memoryLimit(inner).bytes).toBe(256 * MiB);
    expect(memoryAvailable(inner).bytes).toBe(246 * MiB);
  });

  it("v2: memory.max of the own cgroup and its parents; 'max' is no limit", () => {
    const r = path.join(tmp, "v2");
    tree("v2", {
      "proc/cgroup": "0::/user.slice/session-3.scope\n",
      "proc/mountinfo": mountLine(28, "/", r + "/cg", "cgroup2", "rw,nsdelegate") + "\n",
      "cg/cgroup.controllers": "memory pids\n",
      "cg/user.slice/memory.max": String(2048 * MiB),
      "cg/user.slice/memory.current": String(1500 * MiB),
      "cg/user.slice/session-3.scope/memory.max": "max\n",
      "cg/user.slice/session-3.scope/memory.current": String(300 * MiB),
    });
    const levels = cgroupLevels({ cgroup: path.join(r, "proc/cgroup"), mountinfo: path.join(r, "proc/mountinfo") });
    expect(levels.map((l) => [l.dir, l.version])).toEqual([[path.join(r, "cg/user.slice"), 2]]);
    expect(memoryLimit(levels).bytes).toBe(2048 * MiB);
    expect(memoryAvailable(levels).bytes).toBe(548 * MiB);
  });

  it("a container: the mount shows the container's own cgroup at its mount point", () => {
    const r = path.join(tmp, "docker");
    tree("docker", {
      // Without a cgroup namespace, /proc/self/cgroup names the host's path...
      "proc/cgroup": "4:memory:/docker/abc123\n",
      // ...and the mount's root is that same cgroup, mounted at the usual place.
      "proc/mountinfo": mountLine(40, "/docker/abc123", r + "/memory", "cgroup", "ro,memory") + "\n",
      "memory/memory.limit_in_bytes": String(1024 * MiB),
      "memory/memory.usage_in_bytes": String(24 * MiB),
    });
    const levels = cgroupLevels({ cgroup: path.join(r, "proc/cgroup"), mountinfo: path.join(r, "proc/mountinfo") });
    expect(levels.map((l) => l.dir)).toEqual([path.join(r, "memory")]);
    expect(memoryLimit(levels).bytes).toBe(1024 * MiB);
  });

  it("a hybrid machine: the v1 memory controller's limit, the unified hierarchy without memory files", () => {
    const r = path.join(tmp, "hybrid");
    tree("hybrid", {
      "proc/cgroup": "9:name=systemd:/\n4:memory:/process_api/k1\n0::/\n",
      "proc/mountinfo": [
        mountLine(30, "/", r + "/memory", "cgroup", "rw,memory"),
        mountLine(31, "/", r + "/unified", "cgroup2", "rw"),
        mountLine(32, "/", r + "/systemd", "cgroup", "rw,xattr,name=systemd"),
      ].join("\n") + "\n",
      "unified/cgroup.procs": "",
      "memory/process_api/k1/memory.limit_in_bytes": String(3 * 1024 * MiB),
      "memory/process_api/k1/memory.usage_in_bytes": String(MiB),
    });
    const levels = cgroupLevels({ cgroup: path.join(r, "proc/cgroup"), mountinfo: path.join(r, "proc/mountinfo") });
    expect(levels.map((l) => [l.dir, l.version])).toEqual([[path.join(r, "memory/process_api/k1"), 1]]);
  });

  it("a path outside what the mount shows falls back to the mount point", () => {
    const r = path.join(tmp, "outside");
    tree("outside", {
      "proc/cgroup": "0::/../sibling\n",
      "proc/mountinfo": mountLine(28, "/", r + "/cg", "cgroup2", "rw") + "\n",
      "cg/memory.max": String(700 * MiB),
      "cg/memory.current": "0\n",
    });
    const levels = cgroupLevels({ cgroup: path.join(r, "proc/cgroup"), mountinfo: path.join(r, "proc/mountinfo") });
    expect(levels.map((l) => l.dir)).toEqual([path.join(r, "cg")]);
  });

  it("GRADBOOK_MEMORY_LIMIT lowers the limit and must be a number of bytes", () => {
    const before = process.env.GRADBOOK_MEMORY_LIMIT;
    try {
      process.env.GRADBOOK_MEMORY_LIMIT = String(300 * MiB);
      expect(memoryLimit([])).toEqual({ bytes: 300 * MiB, source: "GRADBOOK_MEMORY_LIMIT (300 MiB)" });
      process.env.GRADBOOK_MEMORY_LIMIT = "lots";
      // Malformed: ignored with one warning, the machine's memory applies.
      expect(memoryLimit([]).bytes).toBe(os.totalmem());
    } finally {
      if (before === undefined) delete process.env.GRADBOOK_MEMORY_LIMIT;
      else process.env.GRADBOOK_MEMORY_LIMIT = before;
    }
  });
});

const dist = path.join(__dirname, "..", "..", "dist");
const nativeBuilt = fs.existsSync(path.join(__dirname, "..", "..", "build", "Release", "gradbook_native.node"));

describe.skipIf(cgroupSkip !== "" || !fs.existsSync(path.join(dist, "lib", "index.js")))(`in a real child cgroup ${cgroupSkip ? `(skipped: ${cgroupSkip})` : ""}`, () => {
  it("a process in a child cgroup without a limit of its own gets its parent's", () => {
    const parent = new TestCgroup("limit", 384 * MiB);
    const child = new TestCgroup("job", undefined, parent);
    try {
      const script = `
        const m = require(${JSON.stringify(path.join(dist, "lib", "memory-limit.js"))});
        const k = require(${JSON.stringify(path.join(dist, "kernel", "memory.js"))});
        const gb = require(${JSON.stringify(path.join(dist, "lib", "index.js"))});
        const out = { limit: m.memoryLimit(), available: m.memoryAvailable(), watch: k.limited(), budget: gb.getEngine().gcBudget };
        if (${nativeBuilt}) {
          gb.setDefaultDevice("cpu");
          try { gb.ones([2 ** 28]); out.native = "allocated"; } catch (e) { out.native = e.message; }
        }
        console.log(JSON.stringify(out));`;
      const [cmd, ...args] = child.wrap([process.execPath, "-e", script]);
      const env = { ...process.env };
      delete env.GRADBOOK_MEMORY_LIMIT;
      delete env.GRADBOOK_GC_BUDGET_MB;
      const r = spawnSync(cmd, args, { encoding: "utf8", env, timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
      expect(out.limit.bytes).toBe(384 * MiB);
      expect(out.limit.source).toContain(parent.limitFile);
      expect(out.available.bytes).toBeLessThanOrEqual(384 * MiB);
      expect(out.watch).toBe(true);
      // 384 MiB / 16 is below the 64 MiB floor.
      expect(out.budget).toBe(64 * MiB);
      if (nativeBuilt) {
        // 1 GiB cannot fit under 384 MiB: refused at once, naming the parent's limit.
        expect(out.native).toContain("needs 1073741824 bytes");
        expect(out.native).toContain(parent.limitFile);
      }
    } finally {
      parent.remove();
    }
  });
});
