/**
 * `gradbook install`: writes the kernelspec (kernel.json and logos) where Jupyter finds it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { logo } from "./png";
import { PACKAGE_ROOT } from "./paths";

export type InstallScope = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };

/** Jupyter's user data directory, as `jupyter --data-dir` computes it. */
export function jupyterDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return path.join(process.env.APPDATA ?? os.homedir(), "jupyter");
  return path.join(process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share"), "jupyter");
}

/** The directory a scope installs into. */
export function kernelspecDir(scope: InstallScope): string {
  switch (scope.kind) {
    case "user":
      return path.join(jupyterDataDir(), "kernels", "gradbook");
    case "sys-prefix":
      return path.join(process.env.VIRTUAL_ENV || process.env.CONDA_PREFIX || "/usr/local", "share", "jupyter", "kernels", "gradbook");
    case "prefix":
      return path.join(path.resolve(scope.prefix), "share", "jupyter", "kernels", "gradbook");
  }
}

export function kernelJson(binPath: string, env: Record<string, string> = {}): Record<string, unknown> {
  return {
    // Interrupting code that resumed after an `await` terminates it mid-callback; Node's
    // async-hooks consistency check would then abort the whole process.
    argv: [process.execPath, "--no-force-async-hooks-checks", binPath, "kernel", "{connection_file}"],
    display_name: "TypeScript (gradbook)",
    language: "typescript",
    interrupt_mode: "message",
    env,
    metadata: { debugger: false },
  };
}

/** Writes kernel.json and the logos; returns the directory. */
export function install(scope: InstallScope, binPath = path.join(PACKAGE_ROOT, "bin", "gradbook.js")): string {
  const dir = kernelspecDir(scope);
  fs.mkdirSync(dir, { recursive: true });
  const env: Record<string, string> = {};
  if (process.env.GRADBOOK_PRELUDE) env.GRADBOOK_PRELUDE = process.env.GRADBOOK_PRELUDE;
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelJson(binPath, env), null, 2) + "\n");
  fs.writeFileSync(path.join(dir, "logo-32x32.png"), logo(32));
  fs.writeFileSync(path.join(dir, "logo-64x64.png"), logo(64));
  return dir;
}

/** Removes the kernelspec a scope installed; returns its directory, or null when there was none. */
export function uninstall(scope: InstallScope): string | null {
  const dir = kernelspecDir(scope);
  if (!fs.existsSync(path.join(dir, "kernel.json"))) return null;
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

export interface InstalledSpec {
  name: string;
  dir: string;
  /** The `gradbook.js` the spec starts (which checkout or install it belongs to). */
  launcher: string;
}

/** Every gradbook kernelspec in Jupyter's search path (user, JUPYTER_PATH, environment, system). */
export function listInstalled(): InstalledSpec[] {
  const roots = [
    jupyterDataDir(),
    ...(process.env.JUPYTER_PATH ?? "").split(path.delimiter).filter(Boolean),
    ...[process.env.VIRTUAL_ENV, process.env.CONDA_PREFIX].filter((p): p is string => !!p).map((p) => path.join(p, "share", "jupyter")),
    "/usr/local/share/jupyter",
    "/usr/share/jupyter",
  ];
  const out: InstalledSpec[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    const kernels = path.join(root, "kernels");
    if (!fs.existsSync(kernels)) continue;
    for (const name of fs.readdirSync(kernels).sort()) {
      const dir = path.join(kernels, name);
      if (seen.has(dir)) continue;
      seen.add(dir);
      try {
        const spec = JSON.parse(fs.readFileSync(path.join(dir, "kernel.json"), "utf8")) as { argv?: string[] };
        const launcher = (spec.argv ?? []).find((a) => /gradbook(\.js)?$/.test(a));
        if (launcher) out.push({ name, dir, launcher });
      } catch {
        // not a kernelspec (or unreadable): not ours to report
      }
    }
  }
  return out;
}
