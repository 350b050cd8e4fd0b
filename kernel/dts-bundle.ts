/**
 * The library's declarations as one file for the type checker: every `dist/lib/**\/*.d.ts` as an
 * ambient module `gradbook/lib/<path>` (relative imports rewritten to those names), and
 * `gradbook` itself re-exporting `gradbook/lib/index`.
 *
 * The checker builds a new program for every cell, and part of that work is per file: versions,
 * module resolutions, the reuse of the previous program's structure. The library is 122 of
 * the program's 190 files; as one file, a cell's check does less of it, and the first check
 * resolves no imports across the library's folders. The file is made in memory when the
 * language thread starts (a few milliseconds), from the declarations tsc emitted, so it can
 * never be older than them.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** The ambient module name of a declaration file under `libDir` (`gradbook/lib/nn/index`). */
export function moduleNameOf(libDir: string, file: string): string {
  return "gradbook/lib/" + path.relative(libDir, file).replace(/\\/g, "/").replace(/\.d\.ts$/, "");
}

function declarationFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...declarationFiles(f));
    else if (e.name.endsWith(".d.ts")) out.push(f);
  }
  return out.sort();
}

/**
 * The bundle's text, or null when `libDir` has no `index.d.ts` (the library is not built).
 * A relative specifier names a file (`./tensor` → tensor.d.ts) or a folder (`./nn` →
 * nn/index.d.ts), as Node resolves them.
 */
export function bundleDeclarations(libDir: string): string | null {
  if (!fs.existsSync(path.join(libDir, "index.d.ts"))) return null;
  const files = declarationFiles(libDir);
  const known = new Set(files);
  const target = (from: string, spec: string): string | null => {
    const base = path.resolve(path.dirname(from), spec);
    for (const f of [`${base}.d.ts`, path.join(base, "index.d.ts")]) if (known.has(f)) return moduleNameOf(libDir, f);
    return null;
  };
  const references = new Set<string>();
  let body = "";
  for (const f of files) {
    let text = fs.readFileSync(f, "utf8");
    text = text.replace(/^\/\/\/ <reference [^\n]*\n/gm, (line) => {
      references.add(line);
      return "";
    });
    // Relative specifiers become the modules' names; an unknown one is left as it was.
    text = text.replace(/((?:from|import\()\s*)"(\.\.?\/[^"]*)"/g, (m, head: string, spec: string) => {
      const name = target(f, spec);
      return name ? `${head}"${name}"` : m;
    });
    // Inside an ambient module everything is already ambient: `declare` would be an error
    // (`declare global { }` is written `global { }` there).
    text = withoutDeclare(text);
    body += `declare module ${JSON.stringify(moduleNameOf(libDir, f))} {\n${text}\n}\n`;
  }
  return `${[...references].join("")}${body}declare module "gradbook" {\n    export * from "gradbook/lib/index";\n}\n`;
}

/**
 * TypeScript's standard library for `libs` (`["lib.es2023.d.ts"]`) as one file: every lib file
 * they reach through `/// <reference lib>`, each once, in the order a program reads them
 * (TypeScript's own list of libs), with the reference lines removed. The order matters: global
 * interfaces declared in several files merge in file order, and that is the order of their
 * overloads. With `noLib` and this file as a root, a program reads one file where it read
 * sixty-one (see the library's bundle above for why that matters). Null when a lib file is
 * missing.
 */
export function bundleStandardLibrary(libs: readonly string[]): string | null {
  // Not in the compiler's public declarations, but part of its API object since 4.x.
  const { libs: libList, libMap } = ts as unknown as { libs?: string[]; libMap?: Map<string, string> };
  if (!Array.isArray(libList) || !(libMap instanceof Map)) return null;
  const dir = path.dirname(ts.getDefaultLibFilePath({}));
  const texts = new Map<string, string>();
  const visit = (file: string): boolean => {
    if (texts.has(file)) return true;
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) return false;
    const text = fs.readFileSync(full, "utf8");
    texts.set(file, text);
    for (const m of text.matchAll(/^\/\/\/ <reference lib="([^"]+)" \/>/gm)) {
      const ref = libMap.get(m[1].toLowerCase());
      if (!ref || !visit(ref)) return false;
    }
    return true;
  };
  for (const l of libs) if (!visit(l)) return null;
  // As the compiler orders default lib files: by the lib's place in its list of libs.
  const order = (f: string) => {
    const i = libList.indexOf(f.replace(/^lib\./, "").replace(/\.d\.ts$/, ""));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...texts.keys()]
    .sort((a, b) => order(a) - order(b))
    .map((f) => `// ${f}\n` + texts.get(f)!.replace(/^\/\/\/ <reference [^\n]*\n/gm, ""))
    .join("\n");
}

/** Drops `declare` where a declaration moves inside an ambient module (where it is an error). */
function withoutDeclare(text: string): string {
  return text.replace(/^(\s*(?:export\s+)?(?:default\s+)?)declare\s+(?=(?:abstract\s+)?(?:const|let|var|function|class|enum|namespace|module|type|interface|global)\b)/gm, "$1");
}

/**
 * Declaration files (`@types/node`'s light part) as one file: each file after those its
 * `/// <reference path>` lines name, as a program reads them. A script is copied as it is; a
 * module (a top-level `import` or `export`, such as `export {}` before `declare global`) becomes
 * an ambient module of its own, so its local names stay its own. Null when a file is missing
 * or names a reference this cannot follow (`types` or `lib`).
 */
export function bundleScripts(files: readonly string[]): string | null {
  const done = new Set<string>();
  const parts: string[] = [];
  const visit = (file: string): boolean => {
    if (done.has(file)) return true;
    done.add(file);
    if (!fs.existsSync(file)) return false;
    let text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/^\/\/\/ <reference (path|types|lib)="([^"]+)"\s*\/>/gm)) {
      if (m[1] !== "path" || !visit(path.resolve(path.dirname(file), m[2]))) return false;
    }
    text = text.replace(/^\/\/\/ <reference [^\n]*\n/gm, "");
    const isModule = /^(?:import|export)\b/m.test(text);
    parts.push(isModule ? `declare module ${JSON.stringify(`__gradbook_file__:${file}`)} {\n${withoutDeclare(text)}\n}\n` : `// ${file}\n${text}\n`);
    return true;
  };
  for (const f of files) if (!visit(f)) return null;
  return parts.join("");
}
