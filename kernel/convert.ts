/**
 * Cell converter: TypeScript cell source → a JavaScript script that keeps state across cells.
 *
 * Every cell becomes `var <names>; (async () => { <body> })()` on the original lines:
 * - top-level `let`/`const`/`class`/`function`/`enum`/`import` bindings become assignments to
 *   global `var`s, so later cells see them and may redeclare them (REPL semantics);
 * - the body runs in an async function, so top-level `await` works;
 * - a final expression statement becomes `return (...)`: its value is the cell's result;
 * - `import` becomes `await __gb.import(...)`, which tries `require` and falls back to `import()`
 *   for ES modules.
 * Plain JavaScript (no type syntax) is not transpiled at all, which keeps small cells fast;
 * anything with type syntax goes through `ts.transpileModule` and its source map.
 */
import * as ts from "typescript";

export interface Converted {
  /** The script to run with `vm.runInThisContext`. */
  js: string;
  /** `lineMap[i]` is the 0-based cell line of generated line i. */
  lineMap: number[];
  /** Characters added before the cell's first line (to map columns on line 1). */
  prefixLength: number;
  /** Global names the cell binds. */
  declared: string[];
  /** Whether the cell needed the TypeScript transpiler. */
  transpiled: boolean;
}

export interface CellSyntaxError {
  message: string;
  line: number; // 1-based
  column: number; // 1-based
}

export const TRANSPILE_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  sourceMap: true,
  useDefineForClassFields: true,
  experimentalDecorators: false,
  jsx: ts.JsxEmit.None,
};

/** Syntax errors of a cell, with 1-based cell positions; empty when it parses. */
export function syntaxErrors(source: string): CellSyntaxError[] {
  const sf = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return diags.map((d) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(d.start);
    return { message: ts.flattenDiagnosticMessageText(d.messageText, "\n"), line: line + 1, column: character + 1 };
  });
}

/** Converts one cell. Throws `CellSyntaxErrorList` when the cell does not parse. */
export function convertCell(source: string): Converted {
  const errors = syntaxErrors(source);
  if (errors.length) throw new CellSyntaxErrorList(errors);
  const sf = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  let jsSource = source;
  let jsFile = sf;
  let lineMap: number[] | null = null;
  const transpiled = hasTypeSyntax(sf);
  if (transpiled) {
    const out = ts.transpileModule(source, { compilerOptions: TRANSPILE_OPTIONS, fileName: "cell.ts", reportDiagnostics: false });
    jsSource = out.outputText.replace(/\n?\/\/# sourceMappingURL=.*\s*$/, "\n");
    lineMap = sourceMapLines(out.sourceMapText ?? "", jsSource.split("\n").length);
    jsFile = ts.createSourceFile("cell.js", jsSource, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  }
  if (/\bhelp\s*\(/.test(jsSource)) {
    const named = nameHelpArguments(jsFile, jsSource);
    if (named !== jsSource) {
      jsSource = named;
      jsFile = ts.createSourceFile("cell.js", jsSource, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    }
  }
  const { body, names, functions } = rewrite(jsFile, jsSource);
  const hoist = names.length ? `var ${names.join(", ")}; ` : "";
  const fnExports = functions.map((f) => `globalThis[${JSON.stringify(f)}] = ${f}; `).join("");
  const prefix = `${hoist}(async () => { ${fnExports}`;
  const js = `${prefix}${body}\n})()`;
  const genLines = js.split("\n").length;
  const map: number[] = [];
  for (let i = 0; i < genLines; i++) map.push(lineMap ? lineMap[Math.min(i, lineMap.length - 1)] ?? i : i);
  return { js, lineMap: map, prefixLength: prefix.length, declared: names, transpiled };
}

export class CellSyntaxErrorList extends Error {
  constructor(readonly errors: CellSyntaxError[]) {
    super(errors.map((e) => `line ${e.line}, column ${e.column}: ${e.message}`).join("\n"));
    this.name = "SyntaxError";
  }
}

const TS_ONLY_KINDS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.ModuleDeclaration,
  ts.SyntaxKind.ImportEqualsDeclaration,
  ts.SyntaxKind.AsExpression,
  ts.SyntaxKind.SatisfiesExpression,
  ts.SyntaxKind.NonNullExpression,
  ts.SyntaxKind.TypeAssertionExpression,
  ts.SyntaxKind.Decorator,
  ts.SyntaxKind.IndexSignature,
  ts.SyntaxKind.ExportAssignment,
  ts.SyntaxKind.JsxElement,
  ts.SyntaxKind.JsxSelfClosingElement,
  ts.SyntaxKind.JsxFragment,
]);

const TS_ONLY_MODIFIERS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.PublicKeyword,
  ts.SyntaxKind.PrivateKeyword,
  ts.SyntaxKind.ProtectedKeyword,
  ts.SyntaxKind.ReadonlyKeyword,
  ts.SyntaxKind.AbstractKeyword,
  ts.SyntaxKind.DeclareKeyword,
  ts.SyntaxKind.OverrideKeyword,
  ts.SyntaxKind.ConstKeyword,
  ts.SyntaxKind.InKeyword,
  ts.SyntaxKind.OutKeyword,
  ts.SyntaxKind.AccessorKeyword,
]);

/**
 * Whether a parsed cell uses syntax JavaScript lacks. Errs towards "yes": a false yes only
 * costs a transpile, a false no would hand type syntax to V8.
 */
export function hasTypeSyntax(sf: ts.SourceFile): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const n = node as ts.Node & {
      type?: ts.Node;
      typeArguments?: ts.NodeArray<ts.Node>;
      typeParameters?: ts.NodeArray<ts.Node>;
      questionToken?: ts.Node;
      exclamationToken?: ts.Node;
      modifiers?: ts.NodeArray<ts.ModifierLike>;
      isTypeOnly?: boolean;
      body?: ts.Node;
    };
    if (
      TS_ONLY_KINDS.has(node.kind) ||
      (ts.isTypeNode(node) && node.kind !== ts.SyntaxKind.ExpressionWithTypeArguments) ||
      n.type !== undefined ||
      (n.typeArguments && n.typeArguments.length > 0) ||
      (n.typeParameters && n.typeParameters.length > 0) ||
      n.exclamationToken !== undefined ||
      n.isTypeOnly === true ||
      (n.questionToken !== undefined && !ts.isConditionalExpression(node) && !ts.isPropertyAssignment(node) && !ts.isShorthandPropertyAssignment(node)) ||
      (n.modifiers && n.modifiers.some((m) => TS_ONLY_MODIFIERS.has(m.kind))) ||
      ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) && !n.body) ||
      (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword) ||
      (ts.isParameter(node) && ts.isIdentifier(node.name) && node.name.text === "this")
    ) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function bindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
}

/** Same number of newlines as `original`, so line numbers stay put. */
function keepLines(text: string, original: string): string {
  const want = original.split("\n").length - 1;
  const have = text.split("\n").length - 1;
  return have >= want ? text : text + "\n".repeat(want - have);
}

function removeModifiers(node: ts.Node & { modifiers?: ts.NodeArray<ts.ModifierLike> }, edits: Edit[], src: string): void {
  for (const m of node.modifiers ?? []) {
    if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) {
      let end = m.end;
      while (end < src.length && (src[end] === " " || src[end] === "\t")) end++;
      edits.push({ start: m.getStart(), end, text: "" });
    }
  }
}

function rewrite(sf: ts.SourceFile, src: string): { body: string; names: string[]; functions: string[] } {
  const edits: Edit[] = [];
  const names = new Set<string>();
  const functions: string[] = [];
  const stmts = sf.statements;
  stmts.forEach((s, i) => {
    const last = i === stmts.length - 1;
    const orig = src.slice(s.getStart(), s.end);
    if (ts.isImportDeclaration(s)) {
      const spec = (s.moduleSpecifier as ts.StringLiteral).text;
      const load = `await __gb.import(${JSON.stringify(spec)})`;
      const clause = s.importClause;
      let text: string;
      if (!clause) text = `${load};`;
      else {
        const parts: string[] = [];
        if (clause.name) {
          names.add(clause.name.text);
          parts.push(`default: ${clause.name.text}`);
        }
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) {
          names.add(nb.name.text);
          text = clause.name ? `${nb.name.text} = ${load}; ({ ${parts.join(", ")} } = __gb.interop(${nb.name.text}));` : `${nb.name.text} = ${load};`;
        } else {
          for (const el of nb && ts.isNamedImports(nb) ? nb.elements : []) {
            if (el.isTypeOnly) continue;
            names.add(el.name.text);
            const from = el.propertyName ? el.propertyName.getText() : el.name.text;
            parts.push(`${from}: ${el.name.text}`);
          }
          text = parts.length ? `({ ${parts.join(", ")} } = __gb.interop(${load}));` : `${load};`;
        }
      }
      edits.push({ start: s.getStart(), end: s.end, text: keepLines(text, orig) });
    } else if (ts.isExportAssignment(s) && !s.isExportEquals) {
      // `export default expr` in a cell: just the expression (the result, when last).
      const expr = s.expression.getText();
      edits.push({ start: s.getStart(), end: s.end, text: keepLines(last ? `return (${expr});` : `(${expr});`, orig) });
    } else if (ts.isExportDeclaration(s)) {
      edits.push({ start: s.getStart(), end: s.end, text: keepLines("", orig) });
    } else if (ts.isVariableStatement(s) && !(s.declarationList.flags & ts.NodeFlags.Using)) {
      const parts = s.declarationList.declarations.map((d) => {
        const bound: string[] = [];
        bindingNames(d.name, bound);
        bound.forEach((n) => names.add(n));
        const init = d.initializer ? d.initializer.getText() : "void 0";
        const target = d.name.getText();
        return ts.isIdentifier(d.name) ? `${target} = ${init}` : `(${target} = ${init})`;
      });
      edits.push({ start: s.getStart(), end: s.end, text: keepLines(parts.join(", ") + ";", orig) });
    } else if (ts.isFunctionDeclaration(s) && s.name) {
      names.add(s.name.text);
      functions.push(s.name.text);
      removeModifiers(s, edits, src);
    } else if (ts.isClassDeclaration(s) && s.name) {
      names.add(s.name.text);
      removeModifiers(s, edits, src);
      const classKeyword = s.getChildren().find((c) => c.kind === ts.SyntaxKind.ClassKeyword)!;
      edits.push({ start: classKeyword.getStart(), end: classKeyword.getStart(), text: `${s.name.text} = ` });
      edits.push({ start: s.end, end: s.end, text: ";" });
    } else if (last && ts.isExpressionStatement(s)) {
      const expr = s.expression.getText();
      // A trailing line comment inside the expression would swallow the closing parenthesis.
      edits.push({ start: s.getStart(), end: s.end, text: `return (${expr}${expr.includes("//") ? "\n" : ""});` });
    }
  });
  edits.sort((a, b) => b.start - a.start || b.end - a.end);
  let body = src;
  for (const e of edits) body = body.slice(0, e.start) + e.text + body.slice(e.end);
  return { body, names: [...names].filter((n) => n !== "__gb"), functions };
}

/**
 * `help(x)` becomes `help(x, "x")`: the kernel then pages what TypeScript knows of the
 * expression (signature, doc comment), as inspection does, rather than compiled JavaScript.
 * Only inserts on the same line, so line numbers stay put.
 */
function nameHelpArguments(sf: ts.SourceFile, src: string): string {
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "help" && node.arguments.length === 1) {
      const arg = node.arguments[0];
      inserts.push({ at: arg.end, text: `, ${JSON.stringify(src.slice(arg.getStart(sf), arg.end))}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  inserts.sort((a, b) => b.at - a.at);
  let out = src;
  for (const i of inserts) out = out.slice(0, i.at) + i.text + out.slice(i.at);
  return out;
}

/** Generated line → source line, from a v3 source map's `mappings`. */
export function sourceMapLines(mapText: string, generatedLines: number): number[] {
  const out: number[] = [];
  let mappings = "";
  try {
    mappings = JSON.parse(mapText).mappings ?? "";
  } catch {
    return Array.from({ length: generatedLines }, (_, i) => i);
  }
  let srcLine = 0;
  const lines = mappings.split(";");
  for (let g = 0; g < Math.max(generatedLines, lines.length); g++) {
    let first: number | null = null;
    for (const seg of (lines[g] ?? "").split(",")) {
      if (!seg) continue;
      const f = decodeVlq(seg);
      if (f.length >= 3) {
        srcLine += f[2];
        if (first === null) first = srcLine;
      }
    }
    out.push(first ?? (g > 0 ? out[g - 1] : 0));
  }
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function decodeVlq(seg: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of seg) {
    const digit = B64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}
