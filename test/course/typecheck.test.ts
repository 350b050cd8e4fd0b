import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { CellLanguage } from "../../kernel/language";
import { parseSource } from "../../kernel/nbsource";

// Every course source is type-checked as the kernel checks a session: cells in order, each seeing
// what earlier cells declared, the prelude (the library's declarations) and the kernel's globals
// (types/session.d.ts, the file the kernel itself loads), top-level await allowed and a name
// redeclared by a later cell, as in a REPL. A lecture that calls a renamed API fails here.
const root = path.resolve(__dirname, "..", "..");
const notebooks = path.join(root, "notebooks");
const srcDir = path.join(notebooks, "src");
const prelude = path.join(root, "dist", "lib", "index");
const sources = fs.readdirSync(srcDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort();

/** Type errors of a source's code cells, each as "file:line: message", lines counted in the source. */
function checkSource(file: string, extraCells: string[] = []): string[] {
  const text = fs.readFileSync(path.join(srcDir, file), "utf8");
  const nb = parseSource(text, file);
  const lines = text.split("\n");
  const markers: number[] = [];
  lines.forEach((l, i) => {
    if (l.startsWith("// %%")) markers.push(i + 1);
  });
  const lang = new CellLanguage({ cwd: notebooks, typecheck: true });
  lang.setPrelude({ module: prelude, names: [] });
  const errors: string[] = [];
  const cells = nb.cells.map((c, k) => ({ ...c, marker: markers[k] })).filter((c) => c.cell_type === "code");
  const all = [...cells.map((c) => ({ source: c.source, where: (line: number) => `${file}:${c.marker + line}` })), ...extraCells.map((source, k) => ({ source, where: (line: number) => `${file} + extra cell ${k + 1}, line ${line}` }))];
  all.forEach((c, n) => {
    const r = lang.compile(n + 1, c.source);
    if (!r.ok) {
      const m = /^line (\d+), column \d+: (.*)$/s.exec(r.error.evalue);
      errors.push(m ? `${c.where(Number(m[1]))}: ${m[2]}` : `${c.where(0)}: ${r.error.ename}: ${r.error.evalue}`);
    }
    lang.commit(n + 1);
  });
  return errors;
}

describe("course sources type-check against the kernel's view of a session", () => {
  for (const f of sources) {
    const facts = path.join(root, "test", "lectures", f.replace(/\.ts$/, ".facts.ts"));
    it(`${f}${fs.existsSync(facts) ? " and its facts" : ""}`, () => {
      expect(checkSource(f, fs.existsSync(facts) ? [fs.readFileSync(facts, "utf8")] : [])).toEqual([]);
    });
  }

  it("a call to an API that does not exist fails, with the source's line", () => {
    const errors = checkSource(sources[0], ["const renamed = tensor([1, 2]).sumAll();", "display.htm('<b>x</b>');", "const name: number = await input('name? ');"]);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/extra cell 1, line 1: Property 'sumAll' does not exist on type 'Tensor'/);
    expect(errors[1]).toMatch(/extra cell 2, line 1: Property 'htm' does not exist/);
    expect(errors[2]).toMatch(/extra cell 3, line 1: Type 'string' is not assignable to type 'number'/);
  });
});

describe("editors see the same session", () => {
  it("types/prelude.d.ts is generated from the current library (node scripts/session-types.js)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { render, target } = require("../../scripts/session-types.js") as { render: () => string; target: string };
    expect(fs.readFileSync(target, "utf8"), "types/prelude.d.ts is out of date: run node scripts/session-types.js").toBe(render());
  });

  it("every source type-checks as one file with notebooks/src/tsconfig.json", () => {
    const r = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(srcDir, "tsconfig.json")], { cwd: root, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
