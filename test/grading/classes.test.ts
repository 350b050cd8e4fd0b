/**
 * A synthetic class of each of homeworks 2 to 5, graded end to end (real kernels, two workers):
 * the homework's own mistakes with their partial grades, and every generic failure (stub,
 * infinite loop, process.exit, out of memory, syntax and type errors, deleted and edited cells,
 * hundreds of MB of output, an unreadable file), every grade and flag asserted. A kernel that
 * dies takes no other submission's grade with it: those graded after it, in the same batch, are
 * asserted too.
 *
 * The submission that loops forever is graded in its own batch, alongside the rest, with a
 * short cell time limit (what it costs is two of them); the others keep a generous one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readNotebook } from "../../kernel/grading/homework";
import { findSubmissions, gradeBatch } from "../../kernel/grading/batch";
import type { SubmissionGrade } from "../../kernel/grading/grade";
import { Expected, homeworkClass, sourceOf, SPECS, writeClass } from "./synthetic";

const OPTS = { cellTimeoutMs: 20_000, notebookTimeoutMs: 150_000, memoryLimit: 640 * 2 ** 20, maxRestarts: 2, workers: 2, resume: false };
// The longest honest cell of these notebooks runs about 0.5 s on an idle machine (homework 4's
// q2 tests): 4 s leaves room for a loaded one (2.5 s did not, at a load average of 24).
const LOOP_CELL_TIMEOUT_MS = 4000;

function problems(expected: Expected[], grades: SubmissionGrade[]): string[] {
  const out: string[] = [];
  for (const e of expected) {
    const g = grades.find((x) => x.student === e.name);
    if (!g) {
      out.push(`${e.name}: not graded`);
      continue;
    }
    for (const [q, pts] of Object.entries(e.grades)) {
      const qg = g.questions.find((x) => x.id === q)!;
      if (Math.abs(qg.earned - pts) > 1e-3) out.push(`${e.name} ${q}: expected ${pts}, got ${qg.earned} (${JSON.stringify(qg.error ?? qg.tests.filter((t) => !t.passed).map((t) => `${t.name}: ${t.message}`))})`);
    }
    const total = Object.values(e.grades).reduce((a, b) => a + b, 0);
    if (Math.abs(g.total - total) > 1e-3) out.push(`${e.name}: total ${g.total}, expected ${total}`);
    const flagsOk = typeof e.flags === "function" ? e.flags(g.flags) : JSON.stringify(g.flags) === JSON.stringify([...e.flags].sort());
    if (!flagsOk) out.push(`${e.name}: flags ${JSON.stringify(g.flags)}, expected ${typeof e.flags === "function" ? e.flags.toString() : JSON.stringify(e.flags)}; notes ${JSON.stringify(g.notes)}`);
  }
  return out;
}

for (const spec of SPECS) {
  describe(`a synthetic class of ${spec.name}`, () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `gb-${spec.name}-`));
    const source = readNotebook(sourceOf(spec.name));
    const expected = homeworkClass(spec);
    let grades: SubmissionGrade[] = [];
    let seconds = 0;
    let kernels = { warm: 0, cold: 0 };

    beforeAll(async () => {
      const t0 = Date.now();
      const nb = `${spec.name}.ipynb`;
      writeClass(path.join(tmp, "class"), expected.filter((e) => !e.loop), spec.name);
      writeClass(path.join(tmp, "loop"), expected.filter((e) => e.loop), spec.name);
      const [rest, loop] = await Promise.all([
        gradeBatch(findSubmissions(path.join(tmp, "class"), nb).submissions, source, path.join(tmp, "out"), { ...OPTS, progress: (p) => (kernels = p.kernels ?? kernels) }),
        gradeBatch(findSubmissions(path.join(tmp, "loop"), nb).submissions, source, path.join(tmp, "out-loop"), { ...OPTS, workers: 1, cellTimeoutMs: LOOP_CELL_TIMEOUT_MS }),
      ]);
      grades = [...rest, ...loop];
      seconds = (Date.now() - t0) / 1000;
      console.log(`${spec.name}: ${expected.length} submissions graded in ${seconds.toFixed(1)} s, kernels warm from the pool ${kernels.warm}, started while waiting ${kernels.cold} (load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")})`);
      fs.rmSync(tmp, { recursive: true, force: true });
    }, 400_000);

    it("has at least 30 submissions, every one graded", () => {
      expect(expected.length).toBeGreaterThanOrEqual(30);
      expect(grades.map((g) => g.student).sort()).toEqual(expected.map((e) => e.name).sort());
    });

    it("takes most kernels warm from the pool", () => {
      // Only the first of each worker, and the fresh kernels after a death, are started while waiting.
      expect(kernels.warm).toBeGreaterThan(kernels.cold);
    });

    it("gives every submission its expected grade and flags", () => {
      expect(problems(expected, grades)).toEqual([]);
    });

    it("explains the failures in words", () => {
      const by = (n: string) => grades.find((g) => g.student === n)!;
      expect(by("stub-1").questions[0].tests[0].message).toMatch(/not implemented yet \(q1\)/);
      expect(by("infinite-loop").questions.find((q) => q.id === spec.runaway.cells.find((c) => /^q\d/.test(c)))!.error).toMatch(/time limit/);
      expect(by("out-of-memory").notes.join("\n")).toMatch(/memory limit/);
      expect(by("edited-test-expectation").notes.join("\n")).toMatch(/was edited; the original was run in its place/);
    });
  });
}
