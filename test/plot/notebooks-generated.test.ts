import { spawnSync } from "child_process";
import * as path from "path";
import { expect, it } from "vitest";

// The notebooks are generated from scripts/make_notebooks.js; an edit made to an .ipynb
// by hand (or a forgotten regeneration) would be lost the next time the script runs.
it("notebooks/*.ipynb are what scripts/make_notebooks.js generates, outputs cleared", () => {
  const root = path.resolve(__dirname, "..", "..");
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "make_notebooks.js"), "--check"], { cwd: root, encoding: "utf8" });
  expect(r.status, r.stdout + r.stderr).toBe(0);
});
