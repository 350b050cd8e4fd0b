import { spawnSync } from "child_process";
import * as path from "path";
import { expect, it } from "vitest";

// docs/reference/ is written from the doc comments by scripts/reference.js; a change to the
// public API or its comments that was not regenerated fails here.
const root = path.resolve(__dirname, "..", "..");

it("docs/reference/ matches the library's doc comments (node scripts/reference.js --check)", () => {
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "reference.js"), "--check"], { cwd: root, encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
});
