import { describe, expect, it } from "vitest";
import * as vm from "vm";
import * as ts from "typescript";
import { convertCell, hasTypeSyntax, sourceMapLines, syntaxErrors } from "../../kernel/convert";
import { isComplete } from "../../kernel/language";

// Cells run as scripts in this realm, exactly as the runtime runs them.
(globalThis as any).__gb ??= {
  import: async (s: string) => require(s),
  interop: (m: any) => (m && m.__esModule ? m : { ...m, default: m }),
};
let cell = 0;
async function run(source: string): Promise<unknown> {
  const c = convertCell(source);
  return vm.runInThisContext(c.js, { filename: `convert-test-${++cell}` });
}

const parse = (s: string) => ts.createSourceFile("c.ts", s, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);

describe("cell conversion", () => {
  it("returns the value of a final expression", async () => {
    expect(await run("1 + 1")).toBe(2);
    expect(await run("const q1 = 3\nq1 * 2 // six")).toBe(6);
    expect(await run("let none1 = 1")).toBeUndefined();
  });

  it("keeps let/const/function/class/enum across cells and allows redeclaring them", async () => {
    await run("let cv1: number = 1\nconst cv2 = { a: 2 }\nfunction cvf(x: number) { return x + cv1 }\nclass CvK { v = 5 }\nenum CvE { A, B }");
    expect(await run("cvf(cv2.a) + new CvK().v + CvE.B")).toBe(2 + 1 + 5 + 1);
    await run("let cv1 = 'again'");
    expect(await run("cv1")).toBe("again");
    await run("const { cva, cvb: [cvc] } = { cva: 1, cvb: [7] }");
    expect(await run("cva + cvc")).toBe(8);
  });

  it("treats `export` in a cell as a plain declaration or expression", async () => {
    await run("export const cvExported = 2\nexport function cvExpFn() { return 3 }");
    expect(await run("cvExported * cvExpFn()")).toBe(6);
    expect(await run("export default 5")).toBe(5);
  });

  it("hoists functions within a cell", async () => {
    await run("const cvh = cvLater()\nfunction cvLater() { return 'hoisted' }");
    expect(await run("cvh")).toBe("hoisted");
  });

  it("supports top-level await", async () => {
    expect(await run("const cvw = await new Promise((r) => setTimeout(() => r(41), 5))\ncvw + 1")).toBe(42);
  });

  it("turns imports into module loads bound to globals", async () => {
    await run('import * as cvPath from "path"\nimport cvFs, { join as cvJoin } from "path"');
    expect(await run('cvJoin("a", "b") + cvPath.sep + typeof cvFs.join')).toBe("a/b/function");
  });

  it("transpiles only cells with type syntax", () => {
    expect(convertCell("let a = [1, 2].map((x) => x * 2)").transpiled).toBe(false);
    expect(convertCell("class A extends Object { x = 1; #p = 2 }\na?.b ?? c").transpiled).toBe(false);
    for (const typed of ["let a: number = 1", "interface I { x: number }", "f<number>(1)", "x as any", "x!", "type T = 1", "enum E { A }", "class C { private x = 1 }", "function f(this: any) {}", "import type { X } from 'y'", "function g(a?) {}", "class D implements I {}"]) {
      expect(hasTypeSyntax(parse(typed)), typed).toBe(true);
    }
  });

  it("maps generated lines back to cell lines", () => {
    const c = convertCell("interface A { x: number }\ntype B = string\nlet v: number = 1\nthrow new Error('x')");
    const lines = c.js.split("\n");
    const throwLine = lines.findIndex((l) => l.includes("throw"));
    expect(c.lineMap[throwLine]).toBe(3);
    expect(sourceMapLines('{"mappings":"AAAA;AACA;;AAEA"}', 4)).toEqual([0, 1, 1, 3]);
  });

  it("reports syntax errors with cell line and column", () => {
    const errs = syntaxErrors("let a = 1\nlet = )");
    expect(errs[0]).toMatchObject({ line: 2 });
    expect(() => convertCell("let = )")).toThrow(/line 1, column/);
  });
});

describe("is_complete", () => {
  it("tells complete, incomplete (with indent) and invalid code apart", () => {
    expect(isComplete("1 + 1").status).toBe("complete");
    expect(isComplete("function f() {")).toEqual({ status: "incomplete", indent: "  " });
    expect(isComplete("let s = `a${1").status).toBe("incomplete");
    expect(isComplete("let x =").status).toBe("incomplete");
    expect(isComplete("let s = `a${1}b`").status).toBe("complete");
    expect(isComplete("x = )").status).toBe("invalid");
    expect(isComplete("}").status).toBe("invalid");
    expect(isComplete('"abc').status).toBe("invalid");
  });
});
