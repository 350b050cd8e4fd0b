import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";

// The native thread pool sizes itself from what the process may use: GRADBOOK_THREADS, else the
// affinity mask (taskset, cpusets) and the cgroup's CPU quota, never just the machine's cores.
const root = path.resolve(__dirname, "..", "..");
const probe = `const g = require(${JSON.stringify(path.join(root, "dist", "lib"))}); process.stdout.write(String(g.getEngine().backend("cpu").stats().threads));`;
const native = fs.existsSync(path.join(root, "build", "Release", "gradbook_native.node"));

function threads(prefix: string[], env: Record<string, string> = {}): number {
  const cmd = [...prefix, process.execPath, "-e", probe];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", env: { ...process.env, GRADBOOK_THREADS: "", ...env } });
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed: ${r.stderr}`);
  return Number(r.stdout);
}

const hasTaskset = spawnSync("taskset", ["--version"]).status === 0;
const cpuCgroup = "/sys/fs/cgroup/cpu";
const canMakeCgroup = (() => {
  try {
    fs.accessSync(cpuCgroup, fs.constants.W_OK);
    return fs.existsSync(path.join(cpuCgroup, "cgroup.procs"));
  } catch {
    return false;
  }
})();

describe.runIf(native)("native thread pool size", () => {
  it("GRADBOOK_THREADS sets it", () => {
    expect(threads([], { GRADBOOK_THREADS: "3" })).toBe(3);
    expect(threads([], { GRADBOOK_THREADS: "1" })).toBe(1);
  });
  it.runIf(hasTaskset)("follows the affinity mask (taskset -c 0 gives one thread)", () => {
    expect(threads(["taskset", "-c", "0"])).toBe(1);
  });
  it.runIf(canMakeCgroup)("follows a cgroup v1 CPU quota (half a CPU gives one thread)", () => {
    const dir = path.join(cpuCgroup, `gradbook-test-${process.pid}`);
    fs.mkdirSync(dir);
    try {
      fs.writeFileSync(path.join(dir, "cpu.cfs_quota_us"), "50000");
      const script = `echo $$ > ${dir}/cgroup.procs && exec "$@"`;
      expect(threads(["sh", "-c", script, "sh"])).toBe(1);
    } finally {
      fs.rmdirSync(dir);
    }
  });
});
