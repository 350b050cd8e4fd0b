import { spawnSync } from "child_process";
import * as path from "path";
import { expect, it } from "vitest";

// Each notebook is written from its course source (notebooks/src/*.ts) by `gradbook nb sync`;
// an .ipynb edited by hand and not synced back, or a stale one, fails here.
const root = path.resolve(__dirname, "..", "..");

it("notebooks/*.ipynb match their sources in notebooks/src (gradbook nb check)", () => {
  const r = spawnSync(process.execPath, [path.join(root, "bin", "gradbook.js"), "nb", "check", "notebooks"], { cwd: root, encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
});
