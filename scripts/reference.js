#!/usr/bin/env node
// Writes the student's reference, docs/reference/*.md, from the library's doc comments: one page
// per public namespace (the top level, nn, optim, data, metrics, io, plot, ...), each export with
// its kind, signature, description and examples, in the order lib/ exports them.
//
//   node scripts/reference.js           rewrite docs/reference/
//   node scripts/reference.js --check   fail if a page differs from what the sources give
"use strict";
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const root = path.resolve(__dirname, "..");
const outDir = path.join(root, "docs", "reference");
const entry = path.join(root, "lib", "index.ts");

const program = ts.createProgram([entry], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: false, skipLibCheck: true, types: ["node"] });
const checker = program.getTypeChecker();
const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry));

const resolve = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
const isNamespace = (s) => !!(resolve(s).flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule));

function docOf(symbol) {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const examples = symbol
    .getJsDocTags(checker)
    .filter((t) => t.name === "example")
    .map((t) => ts.displayPartsToString(t.text).replace(/^\n+/, "").trimEnd());
  return { text, examples };
}

function kindOf(s) {
  const f = s.flags;
  if (f & ts.SymbolFlags.Class) return "class";
  if (f & ts.SymbolFlags.Function) return "function";
  if (f & ts.SymbolFlags.Interface) return "interface";
  if (f & ts.SymbolFlags.TypeAlias) return "type";
  if (f & ts.SymbolFlags.Enum) return "enum";
  if (f & ts.SymbolFlags.Variable) return "const";
  return "value";
}

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.WriteArrowStyleSignature | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;

function signatures(name, s, prefix = "") {
  const decl = s.valueDeclaration ?? s.declarations?.[0];
  const type = checker.getTypeOfSymbolAtLocation(s, decl);
  return type.getCallSignatures().map((sig) => `${prefix}${name}${checker.signatureToString(sig, decl, FORMAT)}`);
}

function classSection(name, s) {
  const lines = [];
  const decl = s.valueDeclaration ?? s.declarations?.[0];
  const staticType = checker.getTypeOfSymbolAtLocation(s, decl);
  for (const sig of staticType.getConstructSignatures()) lines.push("```ts", `new ${name}${checker.signatureToString(sig, decl, FORMAT)}`, "```");
  const instance = checker.getDeclaredTypeOfSymbol(s);
  const members = [];
  for (const m of checker.getPropertiesOfType(instance)) {
    const d = m.valueDeclaration ?? m.declarations?.[0];
    if (!d || m.name.startsWith("_") || m.name.startsWith("__@")) continue;
    const mods = ts.getCombinedModifierFlags(d);
    if (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
    // Members inherited from a base class outside this namespace page are listed once, on the base.
    const owner = d.parent && ts.isClassLike(d.parent) && d.parent.name ? d.parent.name.text : name;
    const { text } = docOf(m);
    let sig;
    if (m.flags & ts.SymbolFlags.Method) sig = signatures(m.name, m).join("\n");
    else sig = `${m.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(m, d), d, FORMAT)}`;
    members.push({ sig, text: text.split("\n\n")[0].replace(/\n/g, " "), owner });
  }
  const own = members.filter((m) => m.owner === name);
  const inherited = [...new Set(members.filter((m) => m.owner !== name).map((m) => m.owner))];
  if (own.length) {
    lines.push("", "| member | |", "|---|---|");
    for (const m of own) lines.push(`| \`${m.sig.replace(/\|/g, "\\|").replace(/\n/g, "` `")}\` | ${m.text.replace(/\|/g, "\\|")} |`);
  }
  if (inherited.length) lines.push("", `Also has the members of ${inherited.map((o) => `\`${o}\``).join(", ")}.`);
  return lines;
}

function entrySection(name, s, qualified) {
  const target = resolve(s);
  const kind = kindOf(target);
  const { text, examples } = docOf(target);
  const lines = [`### ${qualified}`, "", `*${kind}*${s !== target && target.name !== name ? ` (an alias of \`${target.name}\`)` : ""}`, ""];
  if (text) lines.push(text, "");
  if (kind === "function") lines.push("```ts", ...signatures(name, target), "```", "");
  else if (kind === "class") lines.push(...classSection(name, target), "");
  else if (kind === "const") {
    const d = target.valueDeclaration;
    lines.push("```ts", `const ${name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(target, d), d, FORMAT)}`, "```", "");
  } else if (kind === "type" || kind === "interface") {
    const d = target.declarations?.[0];
    if (d) {
      const src = d.getText().replace(/\/\*\*[\s\S]*?\*\/\s*/g, "");
      if (src.length < 1500) lines.push("```ts", src.replace(/^export /, ""), "```", "");
    }
  }
  for (const ex of examples) lines.push("Example:", "", "```ts", ex, "```", "");
  return lines;
}

function page(title, symbol, qualify) {
  const target = resolve(symbol);
  const exportsOf = checker.getExportsOfModule(target);
  const { text } = docOf(target);
  const lines = [`# ${title}`, "", "<!-- Written by scripts/reference.js from the doc comments in lib/; edit those, then run it. -->", ""];
  if (text) lines.push(text, "");
  const namespaces = exportsOf.filter(isNamespace);
  const values = exportsOf.filter((s) => !isNamespace(s));
  if (namespaces.length) {
    lines.push("Namespaces: " + namespaces.map((n) => `[\`${qualify(n.name)}\`](${fileName(qualify(n.name))})`).join(", "), "");
  }
  lines.push("| name | kind | |", "|---|---|---|");
  for (const s of values) {
    const t = resolve(s);
    if (t.name !== s.name && values.some((v) => v.name === t.name)) {
      lines.push(`| \`${s.name}\` | ${kindOf(t)} | another name for [\`${t.name}\`](#${anchor(qualify(t.name))}) |`);
      continue;
    }
    const first = docOf(t).text.split("\n\n")[0].replace(/\n/g, " ").replace(/\|/g, "\\|");
    lines.push(`| [\`${s.name}\`](#${anchor(qualify(s.name))}) | ${kindOf(t)} | ${first} |`);
  }
  lines.push("");
  for (const s of values) {
    const t = resolve(s);
    if (t.name !== s.name && values.some((v) => v.name === t.name)) continue; // an alias: listed, described once
    lines.push(...entrySection(s.name, s, qualify(s.name)));
  }
  const pages = [[fileName(title), lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n"]];
  for (const n of namespaces) pages.push(...page(qualify(n.name), n, (x) => `${qualify(n.name)}.${x}`));
  return pages;
}

function fileName(title) {
  return title === "gradbook" ? "index.md" : `${title}.md`;
}
function anchor(title) {
  return title.toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-");
}

const pages = page("gradbook", moduleSymbol, (x) => x);
const check = process.argv.includes("--check");
let stale = 0;
if (!check) fs.mkdirSync(outDir, { recursive: true });
const expected = new Set(pages.map(([f]) => f));
for (const [file, text] of pages) {
  const p = path.join(outDir, file);
  const current = fs.existsSync(p) ? fs.readFileSync(p, "utf8") : null;
  if (current === text) continue;
  if (check) {
    console.error(`docs/reference/${file} is stale (run node scripts/reference.js)`);
    stale++;
  } else {
    fs.writeFileSync(p, text);
    console.log(`wrote docs/reference/${file}`);
  }
}
if (fs.existsSync(outDir)) {
  for (const f of fs.readdirSync(outDir)) {
    if (expected.has(f)) continue;
    if (check) {
      console.error(`docs/reference/${f} is not written by scripts/reference.js any more`);
      stale++;
    } else fs.rmSync(path.join(outDir, f));
  }
}
if (stale) process.exit(1);
