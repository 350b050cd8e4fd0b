/**
 * A grading kernel killed from outside (SIGKILL, as the OOM killer or an administrator does)
 * in the middle of a batch: that submission is flagged and graded as far as it can be, and
 * every other submission of the batch, graded beside it on two workers, keeps its full grade.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readNotebook } from "../../kernel/grading/homework";
import { findSubmissions, gradeBatch } from "../../kernel/grading/batch";
import type { SubmissionGrade } from "../../kernel/grading/grade";
import { atFunctionStart, Expected, make, sourceOf, writeClass } from "./synthetic";

const HW = "hw1-logistic-regression";
const ALL = ["q1", "q2", "q3", "q4", "q5"];
const OPTS = { cellTimeoutMs: 20_000, notebookTimeoutMs: 150_000, memoryLimit: 640 * 2 ** 20, maxRestarts: 2, workers: 2, resume: false };

describe("a grading kernel killed from outside", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gb-killed-"));
  const subs = path.join(tmp, "submissions");
  const pidDir = path.join(tmp, "pids");
  const source = readNotebook(sourceOf(HW));
  const killed: number[] = [];
  let grades: SubmissionGrade[];
  let watcher: NodeJS.Timeout;

  beforeAll(async () => {
    fs.mkdirSync(pidDir);
    const src = readNotebook(sourceOf(HW));
    // `train` announces its kernel's pid, then waits to be killed (a cell timeout of 20 s
    // would end it otherwise, and the flags would say "timeout").
    const announce = `require("fs").writeFileSync(${JSON.stringify(path.join(pidDir, "kernel"))} + Math.random(), String(process.pid)); while (true) {}`;
    const items: Expected[] = [
      ...[1, 2, 3, 4].map((i) => ({ name: `correct-${i}`, grades: {}, flags: [], nb: make(src, ALL) })),
      { name: "killed", grades: {}, flags: [], nb: make(src, ALL, atFunctionStart("q4-answer", announce)) },
    ];
    writeClass(subs, items, HW);
    watcher = setInterval(() => {
      for (const f of fs.readdirSync(pidDir)) {
        const file = path.join(pidDir, f);
        const pid = Number(fs.readFileSync(file, "utf8"));
        if (!pid) continue; // not written yet
        fs.rmSync(file);
        try {
          process.kill(pid, "SIGKILL");
          killed.push(pid);
        } catch {
          // already gone
        }
      }
    }, 50);
    const { submissions } = findSubmissions(subs, `${HW}.ipynb`);
    grades = await gradeBatch(submissions, source, path.join(tmp, "out"), OPTS);
  }, 300_000);

  afterAll(() => {
    clearInterval(watcher);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("killed the kernel that ran the looping answer", () => {
    expect(killed.length).toBeGreaterThanOrEqual(1);
  });

  it("keeps every other submission's full grade", () => {
    for (const g of grades.filter((x) => x.student.startsWith("correct-"))) {
      expect({ student: g.student, total: g.total, flags: g.flags }).toEqual({ student: g.student, total: g.max, flags: [] });
    }
  });

  it("grades the killed submission as far as it ran, and says what happened", () => {
    const g = grades.find((x) => x.student === "killed")!;
    const earned = Object.fromEntries(g.questions.map((q) => [q.id, q.earned]));
    // q4's tests call train (killed); so does the locked chart cell after q5's tests, on the
    // kernel that replaced the first. q5 tests costChart on its own costs and keeps its point,
    // and questions 1–3, which ran before, keep theirs.
    expect(earned).toEqual({ q1: 2, q2: 2, q3: 3, q4: 0, q5: 1 });
    expect(g.flags.length).toBeGreaterThan(0);
    expect(g.flags).toContain("kernel-died:q4");
    expect(g.flags.every((f) => /^kernel-died:(q4|chart)$/.test(f))).toBe(true);
    expect(g.notes.join("\n")).toMatch(/A fresh kernel re-ran the cells before it/);
  });
});
