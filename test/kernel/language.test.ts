import { beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CellLanguage } from "../../kernel/language";

let lang: CellLanguage;
let id = 0;
const check = (source: string) => {
  const r = lang.compile(++id, source);
  if (r.ok) lang.commit(id);
  return r;
};

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-lang-"));
  fs.writeFileSync(
    path.join(dir, "prelude.ts"),
    "/** Doubles a number.\n * @example twice(2) // 4\n */\nexport function twice(x: number): number { return 2 * x }\nexport interface Shape { dims: number[] }\n",
  );
  lang = new CellLanguage({ cwd: dir, typecheck: true });
  lang.setPrelude({ module: path.join(dir, "prelude"), names: ["twice"] });
}, 60_000);

describe("type checking across cells", () => {
  it("sees earlier declarations and reports errors at cell line and column", () => {
    expect(check("let a = 1\ninterface P { x: number }").ok).toBe(true);
    expect(check("const p: P = { x: a + 1 }\np.x").ok).toBe(true);
    const r = check("const q = 1\nlet s: string = a");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.ename).toBe("TSError");
    expect(r.error.evalue).toMatch(/^line 2, column 5: Type 'number' is not assignable to type 'string'/);
    expect(r.error.traceback.join("\n")).toContain("let s: string = a");
  });

  it("lets a later cell redeclare or reassign a name", () => {
    expect(check("a = 5").ok).toBe(true);
    expect(check('let a = "now a string"').ok).toBe(true);
    expect(check("let n: number = a").ok).toBe(false);
    expect(check("let n2: string = a").ok).toBe(true);
  });

  it("checks assignments to earlier cells' names against their const-ness and declared type", () => {
    const err = (src: string) => {
      const r = check(src);
      return r.ok ? "" : r.error.evalue;
    };
    expect(check("const kk = 1\nlet nn: number = 1\nlet [pp, qq] = [1, 'a']\nfunction ff() { return 1 }").ok).toBe(true);
    expect(err("kk = 2")).toMatch(/Cannot assign to 'kk' because it is a constant\. \(TS2588\)/);
    expect(err("kk++")).toMatch(/TS2588/);
    expect(err('nn = "str"')).toMatch(/Type 'string' is not assignable to type 'number'\. \(TS2322\)/);
    expect(err("pp = 'no'")).toMatch(/TS2322/);
    expect(err("nn = nn + 1\nnn++\nqq = 'b'")).toBe("");
    expect(err("ff = () => 2")).toBe(""); // functions may be replaced, as in a REPL
    expect(err("twice = (x: number) => x")).toBe(""); // and the prelude's names
    expect(err('const kk = "redeclared"')).toBe("");
    expect(err('kk = "again"')).toMatch(/TS2588/);
  });

  it("allows top-level await and imports of Node built-ins, typed", () => {
    expect(check("const v = await Promise.resolve(3)\nv.toFixed(1)").ok).toBe(true);
    const imp = check('import * as path from "path"\npath.join("a", "b")');
    expect(imp.ok ? "" : imp.error.evalue).toBe("");
    expect(check("path.nope()").ok).toBe(false);
  });

  it("knows the prelude's values and types and the kernel's globals", () => {
    expect(check("twice(2)").ok).toBe(true);
    expect(check('twice("x")').ok).toBe(false);
    expect(check("const sh: Shape = { dims: [1] }").ok).toBe(true);
    expect(check('display.html("<b>x</b>"); clearOutput(); const c = comms.open("t")').ok).toBe(true);
    expect(check('import * as tslab from "tslab"\ntslab.display.html("x")').ok).toBe(true);
  });

  it("sees earlier names used only in types, templates and function bodies", () => {
    expect(check("interface Pt { x: number }\nconst origin: Pt = { x: 0 }").ok).toBe(true);
    expect(check("const unrelated = 1").ok).toBe(true);
    const r = check("function f(p: Pt) { return `${origin.x + p.x}` }\nconst s: string = f({ x: 1 })");
    expect(r.ok ? "" : r.error.evalue).toBe("");
    expect(check("const bad: Pt = { x: 'no' }").ok).toBe(false);
  });

  it("suggests earlier and prelude names for a misspelt one", () => {
    const r = check("twcie(2)");
    expect(r.ok ? "" : r.error.evalue).toMatch(/Cannot find name 'twcie'. Did you mean 'twice'\?/);
  });

  it("reports syntax errors before type errors", () => {
    const r = check("let x = )");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.ename).toBe("SyntaxError");
  });
});

describe("completion and inspection", () => {
  it("completes members with their kinds and the cursor range", () => {
    const r = lang.complete("Math.ab", 7);
    expect(r.matches).toEqual(["abs"]);
    expect(r.start).toBe(5);
    expect(r.end).toBe(7);
    expect(r.types[0]).toMatchObject({ text: "abs", type: "function" });
  });

  it("completes names from earlier cells and the prelude", () => {
    check("const myLongVariable = { field: 1 }");
    expect(lang.complete("myLong", 6).matches).toContain("myLongVariable");
    expect(lang.complete("myLongVariable.f", 16).matches).toEqual(["field"]);
    expect(lang.complete("twi", 3).matches).toContain("twice");
  });

  it("reports the kind and signature of names from the prelude and earlier cells, not 'module'", () => {
    check("class Box { _secret = 1; size = 2; grow(by: number): Box { return this } }\nlet counterK = 1\nconst boxK = new Box()\nfunction helperK(a: string): number { return 1 }");
    const kinds = (code: string) => Object.fromEntries(lang.complete(code, code.length).types.map((t) => [t.text, [t.type, t.signature]]));
    expect(kinds("twi").twice).toEqual(["function", "(x: number) => number"]);
    expect(kinds("Bo").Box).toEqual(["class", "new () => Box"]);
    expect(kinds("counte").counterK[0]).toBe("variable");
    expect(kinds("box").boxK[0]).toBe("variable");
    expect(kinds("helper").helperK).toEqual(["function", "(a: string) => number"]);
    const members = kinds("boxK.");
    expect(Object.keys(members).sort()).toEqual(["grow", "size"]); // _secret is private by convention
    expect(members.grow).toEqual(["function", "(by: number) => Box"]);
    expect(members.size[0]).toBe("property");
    expect(Object.keys(kinds("boxK._"))).toEqual(["_secret"]);
    expect(kinds('import * as pathK from "path"\npathK.jo').join[0]).toBe("function");
  });

  it("inspects with the signature and doc comment", () => {
    const r = lang.inspect("twice", 5, 0);
    expect(r.found).toBe(true);
    expect(r.text).toContain("twice(x: number): number");
    expect(r.text).toContain("Doubles a number.");
    expect(lang.inspect("   ", 1, 0).found).toBe(false);
  });

  it("shows the standard library's and Node's doc comments, which type checks do without", () => {
    expect(lang.inspect("Math.abs(-1)", 7, 0).text).toMatch(/Math\.abs\(x: number\): number\n\nReturns the absolute value/);
    expect(lang.inspect("process.cwd()", 10, 0).text).toMatch(/current working directory/);
    // Checking still works after the declarations were parsed again.
    expect(check("const wrong: string = Math.abs(1)").ok).toBe(false);
    expect(check("const right: number = Math.abs(1)").ok).toBe(true);
  });
});

describe("Node's declarations, light until a cell needs them all", () => {
  let light: CellLanguage;
  let n = 1000;
  const run = (source: string) => {
    const r = light.compile(++n, source);
    if (r.ok) light.commit(n);
    return r.ok ? "" : r.error.evalue;
  };

  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-lang-light-"));
    // The library's declarations say this too (a function returning a Buffer).
    fs.writeFileSync(path.join(dir, "prelude.d.ts"), '/// <reference types="node" />\nexport declare function bytes(): Buffer;\n');
    light = new CellLanguage({ cwd: dir, typecheck: true, nodeTypes: "light" });
    light.setPrelude({ module: path.join(dir, "prelude"), names: ["bytes"] });
  }, 60_000);

  it("type-checks process, require, console, timers and Buffer without loading all of @types/node", () => {
    expect(run('const rss: number = process.memoryUsage().rss\nconsole.log(rss, process.argv.length, process.env.HOME)')).toBe("");
    expect(run('const t = setTimeout(() => undefined, 1); clearTimeout(t); setImmediate(() => 0)')).toBe("");
    expect(run('const b: Buffer = Buffer.from("hi"); b.toString("hex"); bytes().length')).toBe("");
    expect(run('const req = require("path"); performance.now(); __dirname.length; new AbortController().signal.aborted')).toBe("");
    expect(light.fullNodeTypes).toBe(false);
    // Real mistakes with these globals are still caught, and do not pull in the rest.
    expect(run("const bad: string = process.memoryUsage().rss")).toMatch(/Type 'number' is not assignable to type 'string'/);
    expect(run("setTimeout(42)")).toMatch(/No overload matches this call/);
    expect(run("Buffer.alloc()")).toMatch(/TS2554/);
    expect(run("const typo = lossHistroy")).toMatch(/Cannot find name 'lossHistroy'/);
    expect(light.fullNodeTypes).toBe(false);
  });

  it("loads all of it for a global only the full declarations have, without a false error", () => {
    expect(run('const r: Promise<Response> = fetch("http://localhost/")')).toBe("");
    expect(light.fullNodeTypes).toBe(true);
    expect(run("const bad: number = process.argv")).toMatch(/TS2322/);
  });

  it("loads all of it when a cell imports a module, and types the import", () => {
    const other = new CellLanguage({ cwd: fs.mkdtempSync(path.join(os.tmpdir(), "gb-lang-light-")), typecheck: true, nodeTypes: "light" });
    other.setPrelude({ module: null, names: [] });
    const r1 = other.compile(1, "const x: number = 1");
    expect(r1.ok).toBe(true);
    expect(other.fullNodeTypes).toBe(false);
    const r2 = other.compile(2, 'import * as fs from "fs"\nconst s: number = fs.readFileSync("x", "utf8")');
    expect(r2.ok ? "" : r2.error.evalue).toMatch(/Type 'string' is not assignable to type 'number'/);
    expect(other.fullNodeTypes).toBe(true);
    expect(other.complete('import * as os from "os"\nos.hostn', 33).matches).toEqual(["hostname"]);
  }, 60_000);
});
