import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { bundleDeclarations, bundleScripts, bundleStandardLibrary, moduleNameOf } from "../../kernel/dts-bundle";
import { CellLanguage } from "../../kernel/language";
import { PACKAGE_ROOT } from "../../kernel/paths";

const LIB = path.join(PACKAGE_ROOT, "dist", "lib");

/** Every diagnostic of a program made of `files` (declaration files checked too). */
function diagnostics(files: string[], extra: Record<string, string> = {}): string[] {
  const options: ts.CompilerOptions = {
    strict: false, noEmit: true, skipLibCheck: false, target: ts.ScriptTarget.ES2022, lib: ["lib.es2023.d.ts"],
    module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: ["node"],
    typeRoots: [path.join(PACKAGE_ROOT, "node_modules", "@types")],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => extra[f] ?? read(f);
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => f in extra || exists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, v) => (f in extra ? ts.createSourceFile(f, extra[f], v) : getSourceFile(f, v));
  const program = ts.createProgram([...files, ...Object.keys(extra)], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.basename(d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

describe("the library's declarations as one file", () => {
  const bundle = bundleDeclarations(LIB)!;

  it("declares every declaration file as a module, with no relative specifier left", () => {
    const files: string[] = [];
    const walk = (d: string): void => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".d.ts") && files.push(path.join(d, e.name))));
    walk(LIB);
    const declared = [...bundle.matchAll(/^declare module "([^"]+)" \{$/gm)].map((m) => m[1]);
    expect(declared.sort()).toEqual([...files.map((f) => moduleNameOf(LIB, f)), "gradbook"].sort());
    // (Doc comments' examples may show relative imports; code has none left.)
    const code = bundle.split("\n").filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l));
    expect(code.filter((l) => /(from|import\()\s*"\.\.?\//.test(l))).toEqual([]);
  });

  it("type-checks cleanly, and gives a cell the same types as the separate files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-bundle-"));
    const bundleFile = path.join(dir, "bundle.d.ts");
    const cell = path.join(dir, "cell.ts");
    const code = 'import { tensor, nn, optim, Tensor } from "gradbook";\nconst t: Tensor = tensor([1, 2]).mul(2);\nconst m = new nn.Sequential([new nn.Dense(1)]);\nnew optim.SGD(m.parameters(), { lr: 0.1 });\nconst wrong: string = t.shape;\n';
    const got = diagnostics([], { [bundleFile]: bundle, [cell]: code });
    expect(got).toEqual(["cell.ts: Type 'number[]' is not assignable to type 'string'."]);
  }, 60_000);

  it("rewrites folder imports, strips nested `declare` (global blocks too) and hoists references", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-bundle-"));
    fs.mkdirSync(path.join(dir, "nn"));
    fs.writeFileSync(path.join(dir, "index.d.ts"), '/// <reference types="node" />\nexport * as nn from "./nn";\nexport { Box } from "./box";\nexport declare const version: string;\n');
    fs.writeFileSync(path.join(dir, "box.d.ts"), 'export declare class Box { size: import("./nn").Size }\ndeclare global { interface BoxRegistry { n: number } }\n');
    fs.writeFileSync(path.join(dir, "nn", "index.d.ts"), "export type Size = number;\nexport declare function dense(n: Size): void;\n");
    const text = bundleDeclarations(dir)!;
    expect(text.startsWith('/// <reference types="node" />\ndeclare module "gradbook/lib/box" {')).toBe(true);
    expect(text).toContain('export * as nn from "gradbook/lib/nn/index";');
    expect(text).toContain('size: import("gradbook/lib/nn/index").Size');
    expect(text).toContain("export class Box");
    expect(text).toContain("export function dense(n: Size): void;");
    expect(text).toMatch(/^global \{/m);
    const cell = path.join(dir, "cell.ts");
    const got = diagnostics([], {
      [path.join(dir, "all.d.ts")]: text,
      [cell]: 'import { nn, Box, version } from "gradbook";\nconst b: Box = new Box();\nconst s: nn.Size = b.size;\nconst r: BoxRegistry = { n: s };\nconst v: number = version;\n',
    });
    expect(got).toEqual(["cell.ts: Type 'string' is not assignable to type 'number'."]);
  });

  it("is what the kernel's checker reads, with the same verdicts as the separate files", () => {
    const cells = [
      "const t = tensor([[1, 2], [3, 4]])",
      "const model = new nn.Sequential([new nn.Dense(3), new nn.ReLU()])",
      "const y: Tensor = model.call(t)",
      "const n: string = t.shape",
      "plot.lineChart([1, 2, 3])",
      'import { zeros } from "gradbook"\nzeros([2]).sum().item()',
    ];
    const verdicts = (bundleLibrary: boolean) => {
      const lang = new CellLanguage({ cwd: fs.mkdtempSync(path.join(os.tmpdir(), "gb-bundle-")), bundleLibrary });
      lang.setPrelude({ module: path.join(LIB, "index"), names: [] });
      return cells.map((c, i) => {
        const r = lang.compile(i, c);
        if (r.ok) lang.commit(i);
        return r.ok ? "ok" : r.error.evalue;
      });
    };
    const bundled = verdicts(true);
    expect(bundled).toEqual(verdicts(false));
    expect(bundled.filter((v) => v !== "ok")).toEqual(["line 1, column 7: Type 'number[]' is not assignable to type 'string'. (TS2322)"]);
  }, 120_000);

  it("reads the standard library as one file: the lib files a program reads, in its order; Node's light part too", () => {
    const options: ts.CompilerOptions = { lib: ["lib.es2023.d.ts"], noEmit: true, types: [] };
    const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gb-stdlib-")), "x.ts");
    fs.writeFileSync(root, "export {};\n");
    const program = ts.createProgram([root], options);
    const expected = program.getSourceFiles().map((f) => path.basename(f.fileName)).filter((f) => /^lib\./.test(f));
    const text = bundleStandardLibrary(["lib.es2023.d.ts"])!;
    expect([...text.matchAll(/^\/\/ (lib\.[\w.]+\.d\.ts)$/gm)].map((m) => m[1])).toEqual(expected);
    expect(expected.length).toBeGreaterThan(50);
    expect(text).not.toMatch(/^\/\/\/ <reference/m);
    expect(bundleStandardLibrary(["lib.no-such.d.ts"])).toBeNull();
    // Scripts are copied after the files they reference; modules become ambient modules.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-scripts-"));
    fs.writeFileSync(path.join(dir, "a.d.ts"), '/// <reference path="b.d.ts" />\ndeclare var fromA: number;\n');
    fs.writeFileSync(path.join(dir, "b.d.ts"), "declare var fromB: string;\n");
    fs.writeFileSync(path.join(dir, "m.d.ts"), "export {};\ntype Local = number;\ndeclare global {\n  var fromM: Local;\n}\n");
    const scripts = bundleScripts([path.join(dir, "a.d.ts"), path.join(dir, "m.d.ts")])!;
    expect(scripts.indexOf("fromB")).toBeLessThan(scripts.indexOf("fromA"));
    expect(scripts).toContain(`declare module ${JSON.stringify(`__gradbook_file__:${path.join(dir, "m.d.ts")}`)} {\nexport {};\ntype Local = number;\nglobal {`);
    const got = diagnostics([], { [path.join(dir, "all.d.ts")]: scripts, [path.join(dir, "cell.ts")]: "export {};\nconst a: number = fromA;\nconst m: number = fromM;\nconst b: number = fromB;\nlet l: Local;\n" });
    expect(got).toEqual(["cell.ts: Type 'string' is not assignable to type 'number'.", "cell.ts: Cannot find name 'Local'."]);
    expect(bundleScripts([path.join(dir, "missing.d.ts")])).toBeNull();
  });

  it("gives cells the standard library's and Node's types and overloads, bundled or not", () => {
    const cells = [
      "const total: string = [1, 2, 3].reduce((a, b) => a + b, \"\")",
      "const s: number = [1, 2].at(0)",
      "const sorted = [3, 1, 2].toSorted()\nconst first: string = sorted[0]",
      "const both = await Promise.all([1, Promise.resolve(\"a\")])\nconst b0: string = both[0]",
      "\"abc\".replaceAll(\"a\", 1)",
      "const m = new Map([[1, \"a\"]])\nm.get(1).length",
      "Object.groupBy([1], (x) => x)",
      "const u = new Uint8Array([1]).findLast((x) => x > 0)",
      "const big: bigint = 10n ** 2n",
      // Node's globals (the light part of @types/node, also one file).
      "const home: number = process.env.HOME.length",
      "setTimeout(() => undefined, 1).unref()",
      "const hex: number = Buffer.from(\"a\").toString(\"hex\")",
      "const aborted: boolean = new AbortController().signal.aborted",
      "const typed: NodeJS.TypedArray = new Uint8Array(1)",
      "const ev: string = new Event(\"x\").type",
      "const now: string = performance.now()",
    ];
    const run = (bundleLibrary: boolean) => {
      const lang = new CellLanguage({ cwd: fs.mkdtempSync(path.join(os.tmpdir(), "gb-stdlib-")), bundleLibrary });
      const verdicts = cells.map((c, i) => {
        const r = lang.compile(i, c);
        if (r.ok) lang.commit(i);
        return r.ok ? "ok" : r.error.evalue;
      });
      const hover = lang.inspect("[1, 2].reduce", 9, 0).text;
      return { verdicts, hover };
    };
    const bundled = run(true);
    expect(bundled).toEqual(run(false));
    expect(bundled.verdicts.map((v) => /\(TS\d+\)$/.exec(v)?.[0] ?? v)).toEqual(["ok", "ok", "(TS2322)", "(TS2322)", "(TS2769)", "ok", "(TS2550)", "ok", "ok", "ok", "ok", "(TS2322)", "ok", "ok", "ok", "(TS2322)"]);
    expect(bundled.hover).toContain("Array<number>.reduce(callbackfn: (previousValue: number, currentValue: number, currentIndex: number, array: number[]) => number): number (+2 overloads)");
  }, 120_000);
});
