/**
 * A synthetic class for a homework: submissions made from its solution and its student version,
 * each with the grade and flags it must get.
 */
import * as fs from "fs";
import * as path from "path";
import { toIpynb, SourceNotebook, SourceCell } from "../../kernel/nbsource";
import { questions, readNotebook, solutionSource, studentVersion } from "../../kernel/grading/homework";
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
  /** Graded with a short cell time limit (it loops forever): the rest keep a generous one. */
  loop?: boolean;
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


/**
 * What a homework's class needs besides its solution: the realistic mistakes of that homework
 * (each with the grade it must get), and where the generic failures go and what they cost.
 * Grades are given as the points lost: a question not named gets full marks.
 */
export interface HomeworkSpec {
  name: string;
  /** Answered-question prefixes graded as partly done (the others left as the stub). */
  partial: { answered: string[]; grades: Record<string, number> }[];
  /** The homework's own partly-wrong submissions. */
  mistakes: { name: string; grades: Record<string, number>; edits: Edit[] }[];
  /**
   * An answer whose function, made to loop forever or to call process.exit, takes down the
   * cells that call it: `cells` (test cells by question id, and locked cells by grade id).
   */
  runaway: { answer: string; grades: Record<string, number>; cells: string[] };
  /**
   * Answers that, not declared (a syntax error, a type error, out of memory, deleted), cost
   * `grades`, and make the later answer cells that use them fail the type check (`dependents`).
   */
  undeclared: { answer: string; grades: Record<string, number>; dependents: string[] }[];
  /** A mistake (by name) whose question's visible test is edited to pass it: `edit` on test cell `q`. */
  editedTest: { mistake: string; q: string; edit: Edit };
  /** A mistake (by name) whose test cell `q` gets a test added. */
  addedTest: { mistake: string; q: string };
  /** An edit of the locked setup cell. */
  lockedEdit: Edit;
}

/** Inserts a line at the start of the first function body in an answer cell. */
export const atFunctionStart = (gradeId: string, line: string): Edit => replaceIn(gradeId, /^(function [^\n]*\{\n)/m, `$1  ${line}\n`);

/** The class of a homework: its own mistakes and every generic kind of failure. */
export function homeworkClass(spec: HomeworkSpec): Expected[] {
  const src = readNotebook(sourceOf(spec.name));
  const qs = questions(src);
  const all = qs.map((q) => q.id);
  const g = (lost: Record<string, number> = {}) => Object.fromEntries(qs.map((q) => [q.id, lost[q.id] ?? q.points]));
  const out: Expected[] = [];
  for (let i = 1; i <= 4; i++) out.push({ name: `correct-${i}`, grades: g(), flags: [], nb: make(src, all), asFile: i % 2 === 0 });
  const none = Object.fromEntries(all.map((q) => [q, 0]));
  out.push({ name: "stub-1", grades: none, flags: [], nb: make(src, []) });
  out.push({ name: "stub-2", grades: none, flags: [], nb: make(src, []), asFile: true });
  for (const p of spec.partial) out.push({ name: `partial-${p.answered.join("")}`, grades: g(p.grades), flags: [], nb: make(src, p.answered) });
  const mistakes = new Map(spec.mistakes.map((m) => [m.name, m]));
  for (const m of spec.mistakes) out.push({ name: m.name, grades: g(m.grades), flags: [], nb: make(src, all, ...m.edits) });
  const r = spec.runaway;
  out.push({ name: "infinite-loop", grades: g(r.grades), flags: r.cells.map((c) => `timeout:${c}`), nb: make(src, all, atFunctionStart(r.answer, "while (true) {}")), loop: true });
  // (Behind an if: after a bare process.exit TypeScript types what follows as unreachable, and
  // the cell fails its type check instead.) Whatever the kernel does with process.exit (exits, or turns it into an error), the cells
  // that call it get nothing and the rest is graded.
  const deaths = new RegExp(`^kernel-(exited|died):(${r.cells.join("|")})$`);
  out.push({ name: "process-exit", grades: g(r.grades), flags: (f) => f.every((x) => deaths.test(x)), nb: make(src, all, atFunctionStart(r.answer, "if (Math.random() >= 0) process.exit(3);")) });
  const u = spec.undeclared;
  const pick = (i: number) => u[i % u.length];
  const broken = (k: (typeof u)[number], flag: string) => ({ grades: g(k.grades), flags: [`${flag}:${k.answer}`, ...k.dependents.map((d) => `type-error:${d}`)] });
  out.push({ name: "syntax-error", ...broken(pick(0), "syntax-error"), nb: make(src, all, append(pick(0).answer, "const unfinished = [1, 2;")) });
  out.push({ name: "type-error", ...broken(pick(1), "type-error"), nb: make(src, all, append(pick(1).answer, 'const count: number = "three";')) });
  out.push({ name: "out-of-memory", ...broken(pick(2), "out-of-memory"), nb: make(src, all, append(pick(2).answer, "const hog: Float64Array[] = [];\nfor (;;) hog.push(new Float64Array(1 << 24).fill(1));")) });
  const del = u[u.length - 1];
  out.push({ name: "deleted-answer-cell", ...broken(del, "deleted-cell"), nb: make(src, all, (nb) => nb.cells.splice(nb.cells.indexOf(cell(nb, del.answer)), 1)) });
  const firstQ = all[0];
  out.push({ name: "deleted-test-cell", grades: g(), flags: [`deleted-cell:${firstQ}`], nb: make(src, all, (nb) => nb.cells.splice(nb.cells.indexOf(cell(nb, firstQ)), 1)) });
  out.push({ name: "edited-locked-cell", grades: g(), flags: ["edited-locked:setup"], nb: make(src, all, spec.lockedEdit) });
  const e = spec.editedTest, em = mistakes.get(e.mistake)!;
  out.push({ name: "edited-test-expectation", grades: g(em.grades), flags: [`edited-tests:${e.q}`], nb: make(src, all, ...em.edits, e.edit) });
  const a = spec.addedTest, am = mistakes.get(a.mistake)!;
  const addTest = replaceIn(a.q, /^(await tests\([^\n]*\n)/m, '$1  test("my own check", () => expect(1).toBe(1), { weight: 10 });\n');
  out.push({ name: "edited-hidden-test", grades: g(am.grades), flags: [`edited-tests:${a.q}`], nb: make(src, all, ...am.edits, addTest) });
  out.push({ name: "metadata-stripped-tests", grades: g(am.grades), flags: [`edited-tests:${a.q}`], nb: make(src, all, ...am.edits, (nb) => {
    const c = cell(nb, a.q);
    delete c.metadata.nbgrader;
    c.source = "// my own tests\n";
  }) });
  out.push({ name: "huge-output", grades: g(), flags: ["large-output"], nb: make(src, all, append(`${firstQ}-answer`, 'for (let i = 0; i < 200; i++) console.log("x".repeat(1_000_000));')) });
  out.push({ name: "extra-cells", grades: g(), flags: [], nb: make(src, all, (nb) => nb.cells.splice(nb.cells.indexOf(cell(nb, `${firstQ}-answer`)) + 1, 0, { cell_type: "code", id: "scratch", metadata: {}, source: "const scratch = [1, 2, 3].map((v) => v * 2);\nscratch" })) });
  out.push({ name: "unreadable", grades: none, flags: ["unreadable"], raw: '{"cells": [' });
  return out;
}

/** Homework 2 (q1 2, q2 4, q3 2): backpropagation by hand. */
export const HW2: HomeworkSpec = {
  name: "hw2-backpropagation",
  // backprop calls forward, trainNet calls backprop.
  partial: [
    { answered: ["q1"], grades: { q2: 0, q3: 0 } },
    { answered: ["q1", "q2"], grades: { q3: 0 } },
  ],
  mistakes: [
    // dW1 as dZ1ᵀX: the shape test and the hidden layer's test fail (1 + 2 of 4); training
    // cannot subtract a [4, 2] gradient from a [2, 8] weight, so q3 gets nothing.
    { name: "wrong-transposed-dW1", grades: { q2: 1, q3: 0 }, edits: [replaceIn("q2-answer", "dW1: X.T.matmul(dZ1)", "dW1: dZ1.T.matmul(X)")] },
    // tanh's derivative left out: only the hidden layer's gradients are wrong (2 of 4).
    { name: "wrong-no-tanh-derivative", grades: { q2: 2, q3: 1 }, edits: [replaceIn("q2-answer", "dZ2.matmul(p.W2.T).mul(A1.square().neg().add(1))", "dZ2.matmul(p.W2.T)")] },
    // 1/m forgotten: every gradient is 120 times too large (only the shapes pass).
    { name: "wrong-no-mean", grades: { q2: 1, q3: 1 }, edits: [replaceIn("q2-answer", "A2.sub(Y).div(X.shape[0])", "A2.sub(Y)")] },
    // db1 summed over everything: a number instead of [4].
    { name: "wrong-db1-scalar", grades: { q2: 1 }, edits: [replaceIn("q2-answer", "db1: dZ1.sum(0)", "db1: dZ1.sum()")] },
    // A sigmoid hidden layer: forward's hidden values are wrong (2 of 3 tests), and so is
    // every gradient backprop takes from them.
    { name: "wrong-sigmoid-hidden", grades: { q1: 2 / 3, q2: 1, q3: 1 }, edits: [replaceIn("q1-answer", "const A1 = Z1.tanh();", "const A1 = Z1.sigmoid();")] },
    // db2 not summed over the examples: [120, 1] instead of [1] (shapes and output layer fail).
    { name: "wrong-db2-not-summed", grades: { q2: 2 }, edits: [replaceIn("q2-answer", "db2: dZ2.sum(0)", "db2: dZ2")] },
    // tanh's derivative with the wrong sign: 1 + A1² (the hidden layer's gradients are wrong,
    // and training with them stays near log 2: "the cost falls" fails).
    { name: "wrong-tanh-derivative-sign", grades: { q2: 2, q3: 1 }, edits: [replaceIn("q2-answer", "A1.square().neg().add(1)", "A1.square().add(1)")] },
    // One step too many: 301 costs (the chart still shows them).
    { name: "wrong-steps-off-by-one", grades: { q3: 1 }, edits: [replaceIn("q3-answer", "s < steps", "s <= steps")] },
  ],
  runaway: { answer: "q3-answer", grades: { q3: 0 }, cells: ["chart", "q3"] },
  undeclared: [
    { answer: "q2-answer", grades: { q2: 0, q3: 0 }, dependents: ["q3-answer"] },
    { answer: "q1-answer", grades: { q1: 0, q2: 0, q3: 0 }, dependents: ["q2-answer", "q3-answer"] },
    { answer: "q3-answer", grades: { q3: 0 }, dependents: [] },
  ],
  editedTest: { mistake: "wrong-steps-off-by-one", q: "q3", edit: replaceIn("q3", "toBe(300)", "toBe(301)") },
  addedTest: { mistake: "wrong-transposed-dW1", q: "q2" },
  lockedEdit: replaceIn("setup", "seed: 3", "seed: 4"),
};

/** Homework 3 (q1 3, q2 2, q3 2, q4 1): convolution with loops and with im2col. */
export const HW3: HomeworkSpec = {
  name: "hw3-conv2d",
  // conv2dIm2col calls im2col; the rest stand alone.
  partial: [
    { answered: ["q1"], grades: { q2: 0, q3: 0, q4: 0 } },
    { answered: ["q1", "q3"], grades: { q2: 0, q3: 0, q4: 0 } },
    { answered: ["q1", "q2", "q4"], grades: { q3: 0 } },
  ],
  mistakes: [
    // The output size without its + 1: every test of q1 sees the wrong shape.
    { name: "wrong-out-size", grades: { q1: 0 }, edits: [replaceIn("q1-answer", "const Ho = outSize(H, kH, stride, padding), Wo = outSize(W, kW, stride, padding);", "const Ho = Math.floor((H + 2 * padding - kH) / stride), Wo = Math.floor((W + 2 * padding - kW) / stride);")] },
    // Padding left out of the index: right without padding, wrong with it.
    { name: "wrong-padding-ignored", grades: { q1: 2 }, edits: [replaceIn("q1-answer", "const r = i * stride + u - padding, q = j * stride + v - padding;", "const r = i * stride + u, q = j * stride + v;")] },
    // A true convolution (the filter flipped): only the shape is right.
    { name: "wrong-flipped-filter", grades: { q1: 1 }, edits: [replaceIn("q1-answer", "wd[((o * C + c) * kH + u) * kW + v]", "wd[((o * C + c) * kH + (kH - 1 - u)) * kW + (kW - 1 - v)]")] },
    // Rows ordered (u, v, c): the same for one channel (q2's tests pass), wrong for three (q3).
    { name: "wrong-im2col-order", grades: { q3: 0 }, edits: [replaceIn("q2-answer", "cols[row * K + (c * kH + u) * kW + v]", "cols[row * K + (u * kW + v) * C + c]")] },
    // Reshaped straight to [N, O, Ho, Wo] without the permute: the right shape, wrong values.
    { name: "wrong-no-permute", grades: { q3: 0 }, edits: [replaceIn("q3-answer", "return y.reshape(N, Ho, Wo, O).permute(0, 3, 1, 2);", "return y.reshape(N, O, Ho, Wo);")] },
    // The bias forgotten.
    { name: "wrong-no-bias", grades: { q3: 0 }, edits: [replaceIn("q3-answer", ".matmul(w.reshape(O, -1).T).add(b);", ".matmul(w.reshape(O, -1).T);")] },
    // The Sobel filter with its sign turned (responds to the other edge).
    { name: "wrong-sobel-sign", grades: { q4: 0 }, edits: [replaceIn("q4-answer", "[[[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]]", "[[[[1, 0, -1], [2, 0, -2], [1, 0, -1]]]]")] },
  ],
  runaway: { answer: "q1-answer", grades: { q1: 0 }, cells: ["chart", "q1"] },
  undeclared: [
    { answer: "q2-answer", grades: { q2: 0, q3: 0 }, dependents: ["q3-answer"] },
    { answer: "q1-answer", grades: { q1: 0 }, dependents: [] },
    { answer: "q4-answer", grades: { q4: 0 }, dependents: [] },
  ],
  editedTest: { mistake: "wrong-out-size", q: "q1", edit: replaceIn("q1", "[2, 4, 4, 3]", "[2, 4, 3, 2]") },
  addedTest: { mistake: "wrong-no-bias", q: "q3" },
  lockedEdit: replaceIn("setup", "manualSeed(5);", "manualSeed(6);"),
};

/** Homework 4 (q1 3, q2 3, q3 1): Adam. */
export const HW4: HomeworkSpec = {
  name: "hw4-adam",
  // adamPath calls adamStep; pathChart stands alone.
  partial: [
    { answered: ["q1"], grades: { q2: 0, q3: 0 } },
    { answered: ["q2", "q3"], grades: { q1: 0, q2: 0 } },
  ],
  mistakes: [
    // Bias correction left out: the first step is 3.16 lr, not lr; the state is right (0.75 of 3).
    // The path then differs from optim.Adam's (only its length is right: 1 of 3).
    { name: "wrong-no-bias-correction", grades: { q1: 0.75, q2: 1 }, edits: [replaceIn("q1-answer", "const mHat = m.div(1 - h.beta1 ** t);\n  const vHat = v.div(1 - h.beta2 ** t);", "const mHat = m;\n  const vHat = v;")] },
    // t not carried into the new state: the first step is right, the state and the second are not.
    { name: "wrong-t-not-stored", grades: { q1: 0.75, q2: 1 }, edits: [replaceIn("q1-answer", "state: { m, v, t } };", "state: { m, v, t: s.t } };")] },
    // The gradient not squared in v: v is wrong, and so is every step after it.
    { name: "wrong-v-not-squared", grades: { q1: 0, q2: 1 }, edits: [replaceIn("q1-answer", "g.square().mul(1 - h.beta2)", "g.mul(1 - h.beta2)")] },
    // eps inside the square root: a visible difference where the gradient is small.
    { name: "wrong-eps-inside-sqrt", grades: { q1: 0.75 }, edits: [replaceIn("q1-answer", "vHat.sqrt().add(h.eps)", "vHat.add(h.eps).sqrt()")] },
    // Gradient ascent: the step added, not subtracted (the state is still right).
    { name: "wrong-step-sign", grades: { q1: 0.75, q2: 1 }, edits: [replaceIn("q1-answer", "return { p: p.sub(", "return { p: p.add(")] },
    // The momentum's weights swapped: m = 0.1 m + 0.9 g.
    { name: "wrong-momentum-weights", grades: { q1: 0, q2: 1 }, edits: [replaceIn("q1-answer", "s.m.mul(h.beta1).add(g.mul(1 - h.beta1))", "s.m.mul(1 - h.beta1).add(g.mul(h.beta1))")] },
    // The path without its starting point: 10 positions for 10 steps.
    { name: "wrong-path-no-start", grades: { q2: 0 }, edits: [replaceIn("q2-answer", "const path = [p];", "const path: Tensor[] = [];")] },
    // The series named after the axes, not the coordinates.
    { name: "wrong-series-names", grades: { q3: 0 }, edits: [replaceIn("q3-answer", "{ a: path.map((p) => p.get(0)), b: path.map((p) => p.get(1)) }", "{ x: path.map((p) => p.get(0)), y: path.map((p) => p.get(1)) }")] },
  ],
  runaway: { answer: "q3-answer", grades: { q3: 0 }, cells: ["chart", "q3"] },
  undeclared: [
    { answer: "q1-answer", grades: { q1: 0, q2: 0 }, dependents: ["q2-answer"] },
    { answer: "q2-answer", grades: { q2: 0 }, dependents: [] },
    { answer: "q3-answer", grades: { q3: 0 }, dependents: [] },
  ],
  editedTest: { mistake: "wrong-path-no-start", q: "q2", edit: replaceIn("q2", "toBe(11)", "toBe(10)") },
  addedTest: { mistake: "wrong-no-bias-correction", q: "q1" },
  lockedEdit: replaceIn("setup", "lr: 0.05", "lr: 0.1"),
};

/** Homework 5 (q1 4, q2 3, q3 1): an LSTM cell. */
export const HW5: HomeworkSpec = {
  name: "hw5-lstm-cell",
  // lstmForward and cellStateChart call lstmCell.
  partial: [
    { answered: ["q1"], grades: { q2: 0, q3: 0 } },
    { answered: ["q1", "q2"], grades: { q3: 0 } },
  ],
  mistakes: [
    // Gates taken in the order i, g, f, o: the forget gate and the candidate swapped. Only the
    // shapes are right (0.8 of 4), and everything built on the cell is wrong.
    { name: "wrong-gate-order", grades: { q1: 0.8, q2: 0, q3: 0 }, edits: [replaceIn("q1-answer", "const [i, f, g, o] =", "const [i, g, f, o] =")] },
    // The forget gate left out (c' = c + i g): right from a zero state, wrong after.
    { name: "wrong-no-forget-gate", grades: { q1: 2.4, q2: 0, q3: 0 }, edits: [replaceIn("q1-answer", "f.sigmoid().mul(c)", "c")] },
    // The input gate used as the forget gate too.
    { name: "wrong-forget-is-input", grades: { q1: 2.4, q2: 0, q3: 0 }, edits: [replaceIn("q1-answer", "f.sigmoid().mul(c)", "i.sigmoid().mul(c)")] },
    // A sigmoid candidate: g squashed into (0, 1), so memory can only grow.
    { name: "wrong-candidate-sigmoid", grades: { q1: 0.8, q2: 0, q3: 0 }, edits: [replaceIn("q1-answer", "i.sigmoid().mul(g.tanh())", "i.sigmoid().mul(g.sigmoid())")] },
    // h from c itself, not tanh(c).
    { name: "wrong-h-no-tanh", grades: { q1: 0.8, q2: 0, q3: 0 }, edits: [replaceIn("q1-answer", "o.sigmoid().mul(c2.tanh())", "o.sigmoid().mul(c2)")] },
    // Outputs stacked along the batch axis: [T, N, H]; the final state is still right.
    { name: "wrong-time-axis", grades: { q2: 1 }, edits: [replaceIn("q2-answer", "stack(hs, 1)", "stack(hs, 0)")] },
    // The cell state not carried from step to step.
    { name: "wrong-state-not-carried", grades: { q2: 0 }, edits: [replaceIn("q2-answer", "lstmCell(x.slice(1, t, t + 1).reshape(N, -1), h, c, p)", "lstmCell(x.slice(1, t, t + 1).reshape(N, -1), h, zeros([N, H]), p)")] },
    // Unit 1 drawn instead of unit 0.
    { name: "wrong-chart-unit", grades: { q3: 0 }, edits: [replaceIn("q3-answer", "c.get(0, 0)", "c.get(0, 1)")] },
  ],
  runaway: { answer: "q3-answer", grades: { q3: 0 }, cells: ["chart", "q3"] },
  undeclared: [
    { answer: "q1-answer", grades: { q1: 0, q2: 0, q3: 0 }, dependents: ["q2-answer", "q3-answer"] },
    { answer: "q2-answer", grades: { q2: 0 }, dependents: [] },
    { answer: "q3-answer", grades: { q3: 0 }, dependents: [] },
  ],
  editedTest: { mistake: "wrong-time-axis", q: "q2", edit: replaceIn("q2", "expectClose(lstmForward(xs, P).output, ref.output)", "expectClose(lstmForward(xs, P).output.permute(1, 0, 2), ref.output)") },
  addedTest: { mistake: "wrong-chart-unit", q: "q3" },
  lockedEdit: replaceIn("setup", "manualSeed(11);", "manualSeed(12);"),
};

export const SPECS: HomeworkSpec[] = [HW2, HW3, HW4, HW5];

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
