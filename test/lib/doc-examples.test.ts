import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import * as os from "os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lib from "../../lib/index";
import { setDisplaySink } from "../../lib/display";

// The library's doc-comment examples, run the way doctest runs Python's: every `@example` block of
// lib/**/*.ts is executed with the prelude's names in scope (as in a notebook cell) and must not
// throw. The few that need a notebook's state (a trained `model`, a data set named `X`, ...) are
// listed in NEEDS_CONTEXT with the reason; such an example that starts to pass must leave the list.
const root = path.resolve(__dirname, "..", "..");

export interface DocExample {
  file: string;
  line: number;
  code: string;
}

/** The `@example` blocks of a source file, with the line each starts on. */
export function examplesOf(file: string, text: string): DocExample[] {
  const out: DocExample[] = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = m[0].split("\n").map((l) => l.replace(/^\s*\/?\*\*?\/?\s?/, "").replace(/\s*\*\/$/, ""));
    const startLine = text.slice(0, m.index).split("\n").length;
    for (let i = 0; i < lines.length; i++) {
      const head = /^@example\b\s?(.*)$/.exec(lines[i]);
      if (!head) continue;
      const body = [head[1]];
      let j = i + 1;
      while (j < lines.length && !/^@\w/.test(lines[j])) body.push(lines[j++]);
      const code = body.join("\n").replace(/^```\w*\n?|```\s*$/gm, "").trim();
      if (code) out.push({ file, line: startLine + i, code });
      i = j - 1;
    }
  }
  return out;
}

function libFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? libFiles(p) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

const examples = libFiles(path.join(root, "lib")).sort().flatMap((f) => examplesOf(path.relative(root, f), fs.readFileSync(f, "utf8")));

/**
 * Names of a notebook's session that examples use without defining them (`model.fit(X, y)`): an
 * example that stops exactly at one of these being undefined shows one call in context and passes
 * as such. Any other failure fails, and so does an example stopping at a library name (a renamed
 * export must not hide here), so a wrong example still fails. Keyed by name, not by line, so that
 * editing a file does not shift the list.
 */
const SESSION_NAMES = new Set([
  "model", "x", "X", "y", "XTrain", "yTrain", "XTest", "yTest", "opt", "yHat", "logits", "vocab", "vocabSize",
  "text", "scores", "loss", "lossFn", "lenet", "images", "h", "exports", "embeddings", "decoderStates",
  "encoderStates", "conv", "bytes", "a", "layer", "numEpochs", "labels", "probs", "groups", "features",
]);
/** At least this many examples must run alone (so the escape above stays the exception). */
const MIN_STANDALONE = 100;

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
const usable = (n: string) => {
  try {
    new Function(n, "");
    return true;
  } catch {
    return false; // a reserved word (the library exports `var`), reachable only as a property
  }
};
const names = Object.keys(lib).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && usable(n));
const values = names.map((n) => (lib as Record<string, unknown>)[n]);

async function run(ex: DocExample): Promise<void> {
  // An import of the library itself is what the prelude already did.
  const code = ex.code.replace(/^import .* from "gradbook";?$/gm, "");
  const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None }, reportDiagnostics: false }).outputText;
  const quiet = { log: () => {}, info: () => {}, warn: () => {}, error: () => {}, table: () => {} };
  const displayed: unknown[] = [];
  const display = Object.assign((v: unknown) => displayed.push(v), { html: () => {}, markdown: () => {}, svg: () => {}, png: () => {}, text: () => {} });
  setDisplaySink(null);
  // The example's own module is in scope too (an example of an unexported helper names it bare),
  // and the code runs in a block, so that it may declare a name the prelude has (`const data`).
  const own = (await import(path.join(root, ex.file))) as Record<string, unknown>;
  const ownNames = Object.keys(own).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && usable(n) && !names.includes(n) && n !== "default");
  const scope = [...names, ...ownNames, "console", "display", "require", "fs"];
  await new AsyncFunction(...scope, `{\n${js}\n}`)(...values, ...ownNames.map((n) => own[n]), quiet, display, require, fs);
}

describe("doc-comment examples", () => {
  // Examples that save a file (io.saveSafetensors("weights.safetensors", ...)) write it in a
  // scratch folder, not in the checkout.
  const cwd = process.cwd();
  beforeAll(() => process.chdir(fs.mkdtempSync(path.join(os.tmpdir(), "gb-doc-examples-"))));
  afterAll(() => process.chdir(cwd));
  it("finds the library's examples", () => expect(examples.length).toBeGreaterThan(150));
  const outcome = { standalone: 0, context: 0 };
  for (const ex of examples) {
    const key = `${ex.file}:${ex.line}`;
    it(key, async () => {
      try {
        await run(ex);
        outcome.standalone++;
      } catch (e) {
        const msg = (e as Error).message ?? String(e);
        const undefinedName = /^(\S+) is not defined$/.exec(msg)?.[1];
        if (undefinedName && SESSION_NAMES.has(undefinedName) && !(undefinedName in lib)) {
          outcome.context++; // one call shown on a notebook's variable
          return;
        }
        if (/CUDA is unavailable/.test(msg) && !lib.cuda.isAvailable()) return; // needs a GPU
        const missing = /ENOENT[^']*'([^']+)'/.exec(msg)?.[1];
        if (missing && ex.code.includes(path.basename(missing))) return; // reads a file of the reader's
        throw new Error(`${key}: the example fails: ${msg}\n${ex.code}`);
      }
    });
  }
  it(`at least ${MIN_STANDALONE} examples run alone`, () => {
    expect(outcome.standalone, `${outcome.standalone} ran alone, ${outcome.context} need a notebook's variables`).toBeGreaterThanOrEqual(MIN_STANDALONE);
  });
});
