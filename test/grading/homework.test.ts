/**
 * Every homework: its notebook matches its source, its nbgrader metadata is valid, the solution
 * scores full marks and the student version scores zero with no type or syntax error, in real
 * kernels.
 */
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fromIpynb, parseSource, toIpynb } from "../../kernel/nbsource";
import { readNotebook, solutionVersion, studentVersion } from "../../kernel/grading/homework";
import { computeChecksum, meta, validateNbgrader } from "../../kernel/grading/nbgrader";
import { gradeBatch, findSubmissions } from "../../kernel/grading/batch";
import { HOMEWORK, ROOT, sourceOf } from "./synthetic";

describe("homework sets", () => {
  it("has five, each notebook written from its source", () => {
    expect(HOMEWORK).toHaveLength(5);
    for (const h of HOMEWORK) {
      const src = parseSource(fs.readFileSync(sourceOf(h), "utf8"), h);
      expect(fs.readFileSync(path.join(ROOT, "homework", `${h}.ipynb`), "utf8")).toBe(toIpynb(src));
    }
  });

  it("student versions: stubs, no hidden tests, checksums, valid nbgrader metadata", () => {
    for (const h of HOMEWORK) {
      const src = readNotebook(sourceOf(h));
      expect(validateNbgrader(src.cells)).toEqual([]);
      const st = studentVersion(src, h);
      expect(validateNbgrader(st.cells)).toEqual([]);
      const text = st.cells.map((c) => c.source).join("\n");
      expect(text).not.toMatch(/BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)/);
      for (const c of st.cells) {
        const m = meta(c);
        if (m?.solution) expect(c.source).toMatch(/\/\/ YOUR CODE HERE\n\s*throw new Error\("not implemented: q\d"\);/);
        if (m && (m.grade || m.solution || m.locked)) expect(m.checksum).toBe(computeChecksum(c));
      }
      // Hidden tests are gone, public ones stay.
      const q1 = st.cells.find((c) => meta(c)?.grade_id === "q1")!;
      const srcQ1 = src.cells.find((c) => meta(c)?.grade_id === "q1")!;
      expect(srcQ1.source).toContain("BEGIN HIDDEN TESTS");
      expect(q1.source.length).toBeLessThan(srcQ1.source.length);
      expect(q1.source).toContain("test(");
    }
  });

  it("nbgrader's checksum of a known cell", () => {
    // md5 of "x = 1" + "code" + "True" + "False" + "True" + "q1" + "2.0", as nbgrader's compute_checksum
    const c = { cell_type: "code" as const, metadata: { nbgrader: { grade: true, solution: false, locked: true, grade_id: "q1", points: 2, schema_version: 3 } }, source: "x = 1" };
    const md5 = require("crypto").createHash("md5").update("x = 1codeTrueFalseTrueq12.0").digest("hex");
    expect(computeChecksum(c)).toBe(md5);
  });

  it("refuses a homework whose tests() call disagrees with the cell's points", () => {
    const src = readNotebook(sourceOf(HOMEWORK[0]));
    const bad = { ...src, cells: src.cells.map((c) => (meta(c)?.grade_id === "q1" ? { ...c, source: c.source.replace("points: 2", "points: 3") } : c)) };
    expect(() => studentVersion(bad, "hw1")).toThrow(/does not match the cell's nbgrader metadata/);
  });

  it("solutions score full marks, student versions zero and run without type errors", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-hw-"));
    const results: string[] = [];
    for (const h of HOMEWORK) {
      const src = readNotebook(sourceOf(h));
      const subs = path.join(dir, h, "subs");
      fs.mkdirSync(path.join(subs, "solution"), { recursive: true });
      fs.mkdirSync(path.join(subs, "student"), { recursive: true });
      fs.writeFileSync(path.join(subs, "solution", `${h}.ipynb`), toIpynb(solutionVersion(src)));
      fs.writeFileSync(path.join(subs, "student", `${h}.ipynb`), toIpynb(studentVersion(src)));
      const { submissions } = findSubmissions(subs, `${h}.ipynb`);
      const grades = await gradeBatch(submissions, src, path.join(dir, h, "out"), { cellTimeoutMs: 60_000, notebookTimeoutMs: 300_000, memoryLimit: 2 ** 31, maxRestarts: 0, workers: 2, resume: false });
      const sol = grades.find((g) => g.student === "solution")!;
      const stu = grades.find((g) => g.student === "student")!;
      results.push(`${h}: solution ${sol.total}/${sol.max}, student ${stu.total}/${stu.max}`);
      expect(sol.total, `${h} solution: ${JSON.stringify(sol.questions.flatMap((q) => q.tests.filter((t) => !t.passed)))}`).toBe(sol.max);
      expect(sol.cells.filter((c) => c.status !== "ok")).toEqual([]);
      expect(stu.total).toBe(0);
      expect(stu.flags).toEqual([]);
      // Every answer cell of the student version type-checks and runs (its stub throws when called).
      expect(stu.cells.filter((c) => c.role === "answer" && c.status !== "ok")).toEqual([]);
      expect(stu.cells.filter((c) => /did not run/.test(c.output))).toEqual([]);
      for (const q of stu.questions) for (const t of q.tests) expect(t.message).toMatch(/not implemented yet/);
    }
    expect(results).toHaveLength(5);
  }, 400_000);
});

describe("homework checks", () => {
  it("refuses an answer that declares a name of the prelude", () => {
    const src = readNotebook(sourceOf(HOMEWORK[0]));
    const bad = { ...src, cells: src.cells.map((c) => (meta(c)?.grade_id === "q1-answer" ? { ...c, source: c.source.replace("function logistic(", "function sigmoid(") } : c)) };
    expect(() => studentVersion(bad, "hw1")).toThrow(/the answer declares sigmoid, which the kernel's prelude already defines/);
  });
});
