/**
 * A synthetic class for a homework: submissions made from its solution and its student version,
 * each with the grade and flags it must get.
 */
import * as fs from "fs";
import * as path from "path";
import { toIpynb, SourceNotebook, SourceCell } from "../../kernel/nbsource";
import { readNotebook, solutionSource, studentVersion } from "../../kernel/grading/homework";
import { meta } from "../../kernel/grading/nbgrader";

export const ROOT = path.resolve(__dirname, "..", "..");
export const HOMEWORK = ["hw1-logistic-regression", "hw2-backpropagation", "hw3-conv2d", "hw4-adam", "hw5-lstm-cell"];
export const sourceOf = (name: string) => path.join(ROOT, "homework", "src", `${name}.ts`);

export interface Expected {
  name: string;
  /** Points per question id. */
  grades: Record<string, number>;
  /** Every flag, exactly (sorted); or a predicate where the kernel's behaviour may vary. */
  flags: string[] | ((flags: string[]) => boolean);
  /** Stored as NAME.ipynb instead of NAME/hw.ipynb. */
  asFile?: boolean;
  /** Raw text instead of a notebook. */
  raw?: string;
  nb?: SourceNotebook;
}

type Edit = (nb: SourceNotebook) => void;

/** A submission: the student version with the named answers filled in from the solution. */
export function make(source: SourceNotebook, answered: string[], ...edits: Edit[]): SourceNotebook {
  const student = studentVersion(source);
  const nb: SourceNotebook = { metadata: student.metadata, cells: student.cells.map((c) => ({ ...c, metadata: JSON.parse(JSON.stringify(c.metadata)) })) };
  nb.cells.forEach((c, i) => {
    const id = meta(c)?.grade_id;
    if (id && meta(c)!.solution && answered.includes(id.replace(/-answer.*$/, ""))) c.source = solutionSource(source.cells[i].source);
  });
  for (const e of edits) e(nb);
  return nb;
}

export const cell = (nb: SourceNotebook, gradeId: string): SourceCell => {
  const c = nb.cells.find((x) => meta(x)?.grade_id === gradeId);
  if (!c) throw new Error(`no cell ${gradeId}`);
  return c;
};
export const replaceIn = (gradeId: string, from: string | RegExp, to: string): Edit => (nb) => {
  const c = cell(nb, gradeId);
  const next = c.source.replace(from, to);
  if (next === c.source) throw new Error(`synthetic edit of ${gradeId} changed nothing (${from})`);
  c.source = next;
};
export const append = (gradeId: string, code: string): Edit => (nb) => {
  cell(nb, gradeId).source += `\n${code}`;
};

const ALL = ["q1", "q2", "q3", "q4", "q5"];

/** The class for homework 1, with every expected grade (q1 2, q2 2, q3 3, q4 2, q5 1). */
export function hw1Class(): Expected[] {
  const src = readNotebook(sourceOf("hw1-logistic-regression"));
  const g = (q1: number, q2: number, q3: number, q4: number, q5: number) => ({ q1, q2, q3, q4, q5 });
  const full = g(2, 2, 3, 2, 1);
  const out: Expected[] = [];
  for (let i = 1; i <= 9; i++) out.push({ name: `correct-${String(i).padStart(2, "0")}`, grades: full, flags: [], nb: make(src, ALL), asFile: i % 3 === 0 });
  out.push({ name: "stub-01", grades: g(0, 0, 0, 0, 0), flags: [], nb: make(src, []) });
  out.push({ name: "stub-02", grades: g(0, 0, 0, 0, 0), flags: [], nb: make(src, []), asFile: true });
  out.push({ name: "partial-q1", grades: g(2, 0, 0, 0, 0), flags: [], nb: make(src, ["q1"]) });
  out.push({ name: "partial-q1q2", grades: g(2, 2, 0, 0, 0), flags: [], nb: make(src, ["q1", "q2"]) });
  out.push({ name: "partial-q1-q3", grades: g(2, 2, 3, 0, 0), flags: [], nb: make(src, ["q1", "q2", "q3"]) });
  out.push({ name: "partial-no-q5", grades: g(2, 2, 3, 2, 0), flags: [], nb: make(src, ["q1", "q2", "q3", "q4"]) });
  // cost summed instead of averaged: q2 keeps "one number" and "finite" (2 of 3 tests); q4 loses
  // "starts at log 2" (1 of weights 1+1+2).
  const sumCost = replaceIn("q2-answer", ".mean().neg()", ".sum().neg()");
  out.push({ name: "wrong-cost-sum", grades: g(2, 4 / 3, 3, 1.5, 1), flags: [], nb: make(src, ALL, sumCost) });
  // db as a scalar: q3 fails "shapes" (1) and "db" (2) of 6; q4 still trains (broadcasting).
  const scalarDb = replaceIn("q3-answer", "db: dz.sum(0)", "db: dz.sum()");
  out.push({ name: "wrong-db-shape", grades: g(2, 2, 1.5, 2, 1), flags: [], nb: make(src, ALL, scalarDb) });
  out.push({ name: "wrong-chart-title", grades: g(2, 2, 3, 2, 0.5), flags: [], nb: make(src, ALL, replaceIn("q5-answer", 'title: "Cost"', 'title: "Loss"')) });
  // costs recorded after the step: costs[0] is not log 2.
  out.push({
    name: "wrong-cost-record",
    grades: g(2, 2, 3, 1.5, 1),
    flags: [],
    nb: make(src, ALL, replaceIn("q4-answer", "    costs.push(cost(logistic(X.matmul(w).add(b)), y).item());\n", ""), replaceIn("q4-answer", "    b = b.sub(g.db.mul(lr));\n", "    b = b.sub(g.db.mul(lr));\n    costs.push(cost(logistic(X.matmul(w).add(b)), y).item());\n")),
  });
  out.push({ name: "infinite-loop", grades: g(2, 2, 3, 0, 1), flags: ["timeout:chart", "timeout:q4"], nb: make(src, ALL, replaceIn("q4-answer", "  return { w, b, costs };", "  while (true) {}\n  return { w, b, costs };")) });
  // process.exit inside cost: whatever the kernel does with it (exits, or turns it into an
  // error), q2 and q4 (whose training records the cost) get nothing and the rest is graded.
  out.push({
    name: "process-exit",
    grades: g(2, 0, 3, 0, 1),
    flags: (f) => f.every((x) => /^kernel-(exited|died):(q2|q4|chart)$/.test(x)),
    nb: make(src, ALL, replaceIn("q2-answer", "  const p = a.clip", "  process.exit(3);\n  const p = a.clip")),
  });
  out.push({
    name: "out-of-memory",
    grades: g(2, 2, 0, 0, 1),
    flags: ["out-of-memory:q3-answer", "type-error:q4-answer"],
    nb: make(src, ALL, append("q3-answer", "const hog: Float64Array[] = [];\nfor (;;) hog.push(new Float64Array(1 << 24).fill(1));")),
  });
  out.push({ name: "syntax-error", grades: g(2, 0, 3, 0, 1), flags: ["syntax-error:q2-answer", "type-error:q4-answer"], nb: make(src, ALL, replaceIn("q2-answer", ".mean().neg();", ".mean(.neg();")) });
  out.push({ name: "type-error", grades: g(0, 2, 0, 0, 1), flags: ["type-error:q1-answer", "type-error:q3-answer", "type-error:q4-answer"], nb: make(src, ALL, replaceIn("q1-answer", "return z.neg().exp().add(1).reciprocal();", "return 1 / z;")) });
  out.push({ name: "deleted-test-cell", grades: full, flags: ["deleted-cell:q1"], nb: make(src, ALL, (nb) => nb.cells.splice(nb.cells.indexOf(cell(nb, "q1")), 1)) });
  out.push({ name: "edited-locked-cell", grades: full, flags: ["edited-locked:setup"], nb: make(src, ALL, replaceIn("setup", "seed: 7", "seed: 8")) });
  // The wrong cost, with the test's expectation edited to match it: graded with the original.
  out.push({
    name: "edited-test-expectation",
    grades: g(2, 4 / 3, 3, 1.5, 1),
    flags: ["edited-tests:q2"],
    nb: make(src, ALL, sumCost, replaceIn("q2", "/ 3));", "));")),
  });
  // A test added in the style of the hidden ones, and the metadata stripped from the test cell.
  out.push({ name: "edited-hidden-test", grades: g(2, 2, 1.5, 2, 1), flags: ["edited-tests:q3"], nb: make(src, ALL, scalarDb, replaceIn("q3", '  test("shapes"', '  test("db against central differences", () => expect(1).toBe(1), { weight: 10 });\n  test("shapes"')) });
  out.push({ name: "metadata-stripped-tests", grades: g(2, 2, 1.5, 2, 1), flags: ["edited-tests:q3"], nb: make(src, ALL, scalarDb, (nb) => {
    const c = cell(nb, "q3");
    delete c.metadata.nbgrader;
    c.source = "// my own tests\n";
  }) });
  out.push({
    name: "huge-output",
    grades: full,
    flags: ["large-output"],
    nb: make(src, ALL, append("q1-answer", 'for (let i = 0; i < 300; i++) console.log("x".repeat(1_000_000));')),
  });
  out.push({ name: "extra-cells", grades: full, flags: [], nb: make(src, ALL, (nb) => nb.cells.splice(5, 0, { cell_type: "code", id: "scratch", metadata: {}, source: "const scratch = logistic(tensor([1, 2]));\nscratch" })) });
  out.push({ name: "unreadable", grades: g(0, 0, 0, 0, 0), flags: ["unreadable"], raw: '{"cells": [' });
  return out;
}

/** Writes the class under `dir`; a stored huge output is added to one notebook. */
export function writeClass(dir: string, items: Expected[], hwName: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const e of items) {
    let text = e.raw ?? toIpynb(e.nb!);
    if (e.name === "huge-output") {
      // Outputs saved in the notebook (20 MB) are ignored by the grader.
      const nb = JSON.parse(text);
      const c = nb.cells.find((x: { cell_type: string }) => x.cell_type === "code");
      c.outputs = [{ output_type: "stream", name: "stdout", text: "y".repeat(20_000_000) }];
      text = JSON.stringify(nb);
    }
    const file = e.asFile ? path.join(dir, `${e.name}.ipynb`) : path.join(dir, e.name, `${hwName}.ipynb`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}
