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
 * `file:line` of an example → why it cannot run alone. Most show one call on a variable of the
 * notebook they come from (`model.fit(X, y)`), so they fail exactly with that name undefined; the
 * test checks that, so an example that breaks in some other way still fails here.
 */
const NEEDS_CONTEXT: Record<string, string> = {
  "lib/autograd.ts:73": "uses `model`, a variable of the session it is shown in",
  "lib/backends/cuda/index.ts:90": "needs a CUDA GPU",
  "lib/backends/cuda/index.ts:103": "needs a CUDA GPU",
  "lib/backends/cuda/index.ts:113": "needs a CUDA GPU",
  "lib/backends/cuda/index.ts:141": "needs a CUDA GPU",
  "lib/backends/native/index.ts:11": "uses `exports`, a variable of the session it is shown in",
  "lib/data/dataloader.ts:9": "uses `X`, a variable of the session it is shown in",
  "lib/data/dataloader.ts:47": "uses `X`, a variable of the session it is shown in",
  "lib/data/idx.ts:31": "reads a file of the reader's (t10k-labels-idx1-ubyte)",
  "lib/data/preprocessing.ts:11": "uses `XTrain`, a variable of the session it is shown in",
  "lib/data/preprocessing.ts:28": "uses `X`, a variable of the session it is shown in",
  "lib/data/preprocessing.ts:60": "uses `X`, a variable of the session it is shown in",
  "lib/data/preprocessing.ts:74": "uses `X`, a variable of the session it is shown in",
  "lib/data/text.ts:29": "uses `text`, a variable of the session it is shown in",
  "lib/io/index.ts:3": "uses `model`, a variable of the session it is shown in",
  "lib/io/safetensors-format.ts:85": "reads a file of the reader's (model.safetensors)",
  "lib/io/safetensors.ts:32": "uses `bytes`, a variable of the session it is shown in",
  "lib/io/safetensors.ts:73": "uses `model`, a variable of the session it is shown in",
  "lib/io/safetensors.ts:86": "uses `model`, a variable of the session it is shown in",
  "lib/memory.ts:22": "uses `lossFn`, a variable of the session it is shown in",
  "lib/metrics.ts:65": "uses `scores`, a variable of the session it is shown in",
  "lib/metrics.ts:88": "uses `yHat`, a variable of the session it is shown in",
  "lib/metrics.ts:149": "uses `yHat`, a variable of the session it is shown in",
  "lib/metrics.ts:159": "uses `yHat`, a variable of the session it is shown in",
  "lib/metrics.ts:172": "uses `yHat`, a variable of the session it is shown in",
  "lib/nn/attention.ts:35": "uses `decoderStates`, a variable of the session it is shown in",
  "lib/nn/callbacks.ts:43": "uses `model`, a variable of the session it is shown in",
  "lib/nn/callbacks.ts:107": "uses `model`, a variable of the session it is shown in",
  "lib/nn/embedding.ts:10": "uses `vocabSize`, a variable of the session it is shown in",
  "lib/nn/losses.ts:91": "uses `logits`, a variable of the session it is shown in",
  "lib/nn/model.ts:95": "uses `model`, a variable of the session it is shown in",
  "lib/nn/model.ts:166": "uses `model`, a variable of the session it is shown in",
  "lib/nn/model.ts:283": "uses `model`, a variable of the session it is shown in",
  "lib/nn/model.ts:303": "uses `model`, a variable of the session it is shown in",
  "lib/nn/model.ts:330": "uses `lenet`, a variable of the session it is shown in",
  "lib/nn/module.ts:172": "uses `model`, a variable of the session it is shown in",
  "lib/nn/module.ts:199": "uses `model`, a variable of the session it is shown in",
  "lib/nn/recurrent.ts:99": "uses `x`, a variable of the session it is shown in",
  "lib/nn/recurrent.ts:224": "uses `x`, a variable of the session it is shown in",
  "lib/nn/recurrent.ts:234": "uses `x`, a variable of the session it is shown in",
  "lib/nn/recurrent.ts:244": "uses `vocab`, a variable of the session it is shown in",
  "lib/nn/sequential.ts:10": "uses `X`, a variable of the session it is shown in",
  "lib/ops/cast.ts:26": "uses `x`, a variable of the session it is shown in",
  "lib/ops/conv.ts:78": "uses `images`, a variable of the session it is shown in",
  "lib/ops/dropout.ts:13": "uses `h`, a variable of the session it is shown in",
  "lib/ops/join.ts:13": "uses `a`, a variable of the session it is shown in",
  "lib/ops/join.ts:96": "uses `x`, a variable of the session it is shown in",
  "lib/ops/matmul.ts:70": "uses `X`, a variable of the session it is shown in",
  "lib/ops/pool.ts:44": "uses `x`, a variable of the session it is shown in",
  "lib/ops/reduce.ts:120": "uses `x`, a variable of the session it is shown in",
  "lib/ops/select.ts:17": "uses `x`, a variable of the session it is shown in",
  "lib/ops/select.ts:47": "uses `x`, a variable of the session it is shown in",
  "lib/ops/select.ts:142": "uses `embeddings`, a variable of the session it is shown in",
  "lib/ops/shape.ts:162": "uses `x`, a variable of the session it is shown in",
  "lib/ops/shape.ts:218": "uses `x`, a variable of the session it is shown in",
  "lib/ops/softmax.ts:35": "uses `logits`, a variable of the session it is shown in",
  "lib/ops/sort.ts:26": "uses `x`, a variable of the session it is shown in",
  "lib/ops/sort.ts:38": "uses `logits`, a variable of the session it is shown in",
  "lib/optim/adaptive.ts:22": "uses `model`, a variable of the session it is shown in",
  "lib/optim/adaptive.ts:69": "uses `model`, a variable of the session it is shown in",
  "lib/optim/adaptive.ts:134": "uses `model`, a variable of the session it is shown in",
  "lib/optim/adaptive.ts:190": "uses `model`, a variable of the session it is shown in",
  "lib/optim/clip.ts:22": "uses `loss`, a variable of the session it is shown in",
  "lib/optim/clip.ts:42": "uses `model`, a variable of the session it is shown in",
  "lib/optim/index.ts:4": "uses `model`, a variable of the session it is shown in",
  "lib/optim/registry.ts:17": "uses `model`, a variable of the session it is shown in",
  "lib/optim/schedules.ts:51": "uses `opt`, a variable of the session it is shown in",
  "lib/optim/schedules.ts:72": "uses `opt`, a variable of the session it is shown in",
  "lib/optim/schedules.ts:94": "uses `opt`, a variable of the session it is shown in",
  "lib/optim/schedules.ts:119": "uses `opt`, a variable of the session it is shown in",
  "lib/optim/schedules.ts:140": "uses `opt`, a variable of the session it is shown in",
  "lib/optim/schedules.ts:154": "uses `opt`, a variable of the session it is shown in",
  "lib/optim/schedules.ts:187": "uses `opt`, a variable of the session it is shown in",
  "lib/optim/sgd.ts:26": "uses `model`, a variable of the session it is shown in",
  "lib/plot/charts.ts:500": "uses `X`, a variable of the session it is shown in",
  "lib/plot/course.ts:318": "uses `conv`, a variable of the session it is shown in",
  "lib/plot/course.ts:369": "uses `model`, a variable of the session it is shown in",
};

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
  for (const ex of examples) {
    const key = `${ex.file}:${ex.line}`;
    const reason = NEEDS_CONTEXT[key];
    it(`${key}${reason ? ` (needs a notebook: ${reason})` : ""}`, async () => {
      const variable = reason && /^uses `([^`]+)`/.exec(reason)?.[1];
      if (variable) {
        await expect(run(ex), `${key} should stop only at the session variable ${variable}`).rejects.toThrow(new RegExp(`^${variable.replace(/[$]/g, "\\$")} is not defined$`));
      } else if (reason === "needs a CUDA GPU" && !lib.cuda.isAvailable()) {
        await expect(run(ex)).rejects.toThrow(/CUDA is unavailable/);
      } else if (reason?.startsWith("reads a file")) {
        await expect(run(ex)).rejects.toThrow(/ENOENT/);
      } else {
        await run(ex);
      }
    });
  }
});
