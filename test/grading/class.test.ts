/**
 * A synthetic class of homework 1 graded end to end (real kernels, two workers): every expected
 * grade and flag, resume, shards and merge, zip input, reports.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { readNotebook } from "../../kernel/grading/homework";
import { findSubmissions, gradeBatch, mergeShards } from "../../kernel/grading/batch";
import type { SubmissionGrade } from "../../kernel/grading/grade";
import { Expected, hw1Class, sourceOf, writeClass } from "./synthetic";

const HW = "hw1-logistic-regression";
const OPTS = { cellTimeoutMs: 8000, notebookTimeoutMs: 150_000, memoryLimit: 640 * 2 ** 20, maxRestarts: 2, workers: 2, resume: true };

describe("grading a synthetic class", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gb-class-"));
  const subs = path.join(tmp, "submissions");
  const out = path.join(tmp, "out");
  const source = readNotebook(sourceOf(HW));
  let expected: Expected[];
  let grades: SubmissionGrade[];

  beforeAll(async () => {
    expected = hw1Class();
    writeClass(subs, expected, HW);
    const { submissions } = findSubmissions(subs, `${HW}.ipynb`);
    grades = await gradeBatch(submissions, source, out, OPTS);
  }, 400_000);

  it("has at least 30 submissions, all found", () => {
    expect(expected.length).toBeGreaterThanOrEqual(30);
    expect(grades.map((g) => g.student).sort()).toEqual(expected.map((e) => e.name).sort());
  });

  it("gives every submission its expected grade and flags", () => {
    const problems: string[] = [];
    for (const e of expected) {
      const g = grades.find((x) => x.student === e.name)!;
      for (const [q, pts] of Object.entries(e.grades)) {
        const got = g.questions.find((x) => x.id === q)!.earned;
        if (Math.abs(got - pts) > 1e-3) problems.push(`${e.name} ${q}: expected ${pts}, got ${got} (${JSON.stringify(g.questions.find((x) => x.id === q)!.tests.filter((t) => !t.passed).map((t) => `${t.name}: ${t.message}`))})`);
      }
      const total = Object.values(e.grades).reduce((a, b) => a + b, 0);
      if (Math.abs(g.total - total) > 1e-3) problems.push(`${e.name}: total ${g.total}, expected ${total}`);
      const flagsOk = typeof e.flags === "function" ? e.flags(g.flags) : JSON.stringify(g.flags) === JSON.stringify([...e.flags].sort());
      if (!flagsOk) problems.push(`${e.name}: flags ${JSON.stringify(g.flags)}, expected ${typeof e.flags === "function" ? e.flags.toString() : JSON.stringify(e.flags)}; notes ${JSON.stringify(g.notes)}`);
    }
    expect(problems).toEqual([]);
  });

  it("explains failures in words", () => {
    const stub = grades.find((g) => g.student === "stub-01")!;
    expect(stub.questions[0].tests[0].message).toMatch(/not implemented yet \(q1\)/);
    const loop = grades.find((g) => g.student === "infinite-loop")!;
    expect(loop.questions.find((q) => q.id === "q4")!.error).toMatch(/time limit/);
    const oom = grades.find((g) => g.student === "out-of-memory")!;
    expect(oom.notes.join("\n")).toMatch(/memory limit/);
    const wrong = grades.find((g) => g.student === "wrong-cost-sum")!;
    expect(wrong.questions.find((q) => q.id === "q2")!.tests.find((t) => t.name === "value")!.message).toMatch(/^expected 0\.2797\d*, got 0\.8393\d*; off by 0\.5595/);
  });

  it("writes grades.csv, grades.json and one feedback page per student", () => {
    const csv = fs.readFileSync(path.join(out, "grades.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("student,q1 (2),q2 (2),q3 (3),q4 (2),q5 (1),total,max,flags");
    expect(csv).toHaveLength(expected.length + 1);
    expect(csv).toContain("correct-01,2,2,3,2,1,10,10,");
    const json = JSON.parse(fs.readFileSync(path.join(out, "grades.json"), "utf8"));
    expect(json.students).toHaveLength(expected.length);
    const page = fs.readFileSync(path.join(out, "feedback", "wrong-cost-sum.html"), "utf8");
    expect(page).toContain("8.83 / 10");
    expect(page).toContain("function cost(a: Tensor");
    // Hidden tests stay hidden in feedback.
    expect(page).not.toContain("finite when a prediction is exactly 0 or 1\", () =>");
    expect(fs.readdirSync(out).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("resumes: a second run reuses every record and writes the same grades", async () => {
    const before = fs.readFileSync(path.join(out, "grades.csv"), "utf8");
    let reused = 0;
    const { submissions } = findSubmissions(subs, `${HW}.ipynb`);
    await gradeBatch(submissions, source, out, { ...OPTS, progress: (p) => (reused = p.reused) });
    expect(reused).toBe(expected.length);
    expect(fs.readFileSync(path.join(out, "grades.csv"), "utf8")).toBe(before);
  });

  it("grades again from scratch in two shards, merged, to the same rows (deterministic), and from a zip", async () => {
    const pick = ["correct-01", "wrong-db-shape", "wrong-cost-sum", "stub-01"];
    const small = path.join(tmp, "small");
    writeClass(small, expected.filter((e) => pick.includes(e.name)), HW);
    const zip = path.join(tmp, "class.zip");
    // A platform's download: one folder holding the class (Python's zipfile: no zip tool needed).
    execFileSync("/usr/bin/python3", ["-m", "zipfile", "-c", zip, "small"], { cwd: tmp });
    const { submissions } = findSubmissions(zip, `${HW}.ipynb`);
    expect(submissions.map((s) => s.student)).toEqual([...pick].sort());
    const shardOut = path.join(tmp, "shards");
    await gradeBatch(submissions, source, shardOut, { ...OPTS, resume: false, shard: { index: 1, count: 2 } });
    await gradeBatch(submissions, source, shardOut, { ...OPTS, resume: false, shard: { index: 2, count: 2 } });
    const { missing } = mergeShards([shardOut], shardOut, source);
    expect(missing).toEqual([]);
    const rows = (dir: string) => fs.readFileSync(path.join(dir, "grades.csv"), "utf8").trim().split("\n");
    const full = rows(out).filter((r) => pick.includes(r.split(",")[0]));
    expect(rows(shardOut).slice(1)).toEqual(full);
  }, 200_000);
});
