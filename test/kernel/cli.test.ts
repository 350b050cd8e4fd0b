import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");
const bin = path.join(root, "bin", "gradbook.js");
const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;

function gradbook(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, GRADBOOK_QUIET: "", ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the gradbook CLI", () => {
  it("--help and --version", () => {
    const h = gradbook(["--help"]);
    expect(h.status).toBe(0);
    for (const c of ["install", "uninstall", "list", "kernel", "nb", "assign", "grade"]) expect(h.stdout).toContain(`gradbook ${c}`);
    expect(gradbook(["--version"]).stdout).toBe(`gradbook ${version}\n`);
  });

  it.each(["install", "uninstall", "list", "kernel", "nb", "assign", "grade"])("%s --help prints the command's usage", (cmd) => {
    const r = gradbook([cmd, "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: gradbook ${cmd}`));
    expect(r.stderr).toBe("");
  });

  it("install, list and uninstall round-trip for every scope", () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-cli-"));
    const prefix = path.join(data, "prefix");
    const env = { JUPYTER_DATA_DIR: path.join(data, "user"), JUPYTER_PATH: path.join(prefix, "share", "jupyter"), VIRTUAL_ENV: path.join(data, "venv") };
    expect(gradbook(["list"], env).stdout).toContain("no kernelspec installed");
    for (const scope of [["--user"], ["--prefix", prefix], ["--sys-prefix"]]) {
      const r = gradbook(["install", ...scope], env);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/installed the kernelspec "gradbook"/);
    }
    const listed = gradbook(["list"], env).stdout.trim().split("\n");
    expect(listed).toHaveLength(3);
    for (const line of listed) expect(line.split("\t")[2]).toBe(bin);
    const spec = JSON.parse(fs.readFileSync(path.join(data, "user", "kernels", "gradbook", "kernel.json"), "utf8"));
    expect(spec.argv).toContain(bin);
    expect(gradbook(["uninstall", "--prefix", prefix], env).stdout).toMatch(/removed the kernelspec/);
    expect(gradbook(["list"], env).stdout.trim().split("\n")).toHaveLength(2);
    const again = gradbook(["uninstall", "--prefix", prefix], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/no gradbook kernelspec for this scope/);
  });

  it("bad input gets a message and exit status 2", () => {
    const unknown = gradbook(["frobnicate"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const opt = gradbook(["install", "--bogus"]);
    expect(opt.status).toBe(2);
    expect(opt.stderr).toMatch(/unknown option --bogus\nusage: gradbook install/);
    expect(gradbook(["kernel"]).stderr).toMatch(/missing CONNECTION_FILE/);
    expect(gradbook(["nb", "frob"]).stderr).toMatch(/expected sync or check/);
  });

  it("Jupyter's own `jupyter kernelspec list` sees the user install", () => {
    const jupyter = spawnSync("jupyter", ["kernelspec", "list"], { encoding: "utf8", env: { ...process.env, JUPYTER_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-js-")) } });
    if (jupyter.error) throw new Error("jupyter is not installed: scripts/setup.sh installs Debian's jupyter-client");
    const data = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-jk-"));
    gradbook(["install"], { JUPYTER_DATA_DIR: data });
    const r = spawnSync("jupyter", ["kernelspec", "list"], { encoding: "utf8", env: { ...process.env, JUPYTER_DATA_DIR: data } });
    expect(r.stdout).toMatch(new RegExp(`gradbook\\s+${path.join(data, "kernels", "gradbook").replace(/[/.]/g, "\\$&")}`));
  });
});
