/**
 * Grading one submission: the notebook the kernel runs is the student's, with every test and
 * locked cell taken from the instructor's source (hidden tests included), missing ones put
 * back, and edited ones reported. It runs top to bottom in a fresh gradbook kernel with a time
 * limit per cell and per notebook and a memory limit; a kernel that dies (exit, crash, out of
 * memory, stuck) is replaced by a fresh one that replays the cells before, so the questions
 * after the one that killed it are still graded.
 */
import * as fs from "fs";
import { createHash } from "crypto";
import type { SourceCell, SourceNotebook } from "../nbsource";
import type { CellOutcome, GradingKernel } from "./kernel-client";
import { freshKernels, KernelSource } from "./pool";
import { questionOfAnswer, questions, solutionSource, stubLines, studentVersion } from "./homework";
import { meta } from "./nbgrader";

export interface GradeOptions {
  /** Per-cell time limit (ms). */
  cellTimeoutMs: number;
  /** Whole-notebook time limit (ms), kernel starts and replays included. */
  notebookTimeoutMs: number;
  /** Resident memory limit per kernel (bytes). */
  memoryLimit: number;
  /** Fresh kernels after deaths before the rest of the notebook is given up. */
  maxRestarts: number;
}

export const DEFAULT_OPTIONS: GradeOptions = { cellTimeoutMs: 60_000, notebookTimeoutMs: 600_000, memoryLimit: 2 * 2 ** 30, maxRestarts: 2 };

export interface TestRecord {
  name: string;
  points: number;
  earned: number;
  passed: boolean;
  message: string;
}

export interface QuestionGrade {
  id: string;
  points: number;
  earned: number;
  tests: TestRecord[];
  /** Why the question got no result from its tests (error in the test cell, timeout...). */
  error?: string;
}

export interface CellRecord {
  id: string;
  /** Where the source came from: the student's notebook, or the instructor's source. */
  origin: "student" | "source";
  role: "answer" | "tests" | "locked" | "other";
  gradeId?: string;
  source: string;
  status: CellOutcome["status"] | "skipped" | "markdown";
  error?: string;
  output: string;
  /** How long the cell ran (ms), as the grader timed it. */
  ms?: number;
}

export interface SubmissionGrade {
  student: string;
  file: string;
  questions: QuestionGrade[];
  total: number;
  max: number;
  /** Short machine-readable notes: "edited-tests:q1", "deleted-cell:q2", "timeout:q3-answer"… */
  flags: string[];
  /** What happened, in words, for the feedback page. */
  notes: string[];
  cells: CellRecord[];
  /** Hash of what was graded (submission + source + limits), for resuming. */
  key: string;
}

interface PlanCell {
  cell: SourceCell;
  /** What the feedback page shows (a test cell's public part). */
  shown?: string;
  origin: "student" | "source";
  role: CellRecord["role"];
  gradeId?: string;
}

const norm = (s: string) => s.replace(/[ \t]+$/gm, "").trim();

/** Builds the notebook to run, and the tamper flags. */
export function plan(source: SourceNotebook, submission: SourceNotebook): { cells: PlanCell[]; flags: string[]; notes: string[] } {
  const flags: string[] = [];
  const notes: string[] = [];
  const student = studentVersion(source);
  const byGradeId = new Map<string, number>();
  const byId = new Map<string, number>();
  source.cells.forEach((c, i) => {
    const m = meta(c);
    if (m?.grade_id && (m.grade || m.solution || m.locked)) byGradeId.set(m.grade_id, i);
    if (c.id) byId.set(c.id, i);
  });
  // Which source cell each submitted cell stands for (by nbgrader grade_id, else by cell id).
  const matched = new Map<number, SourceCell>();
  const extrasAfter = new Map<number, SourceCell[]>(); // source index (-1: before all) → student's own cells
  let last = -1;
  for (const c of submission.cells) {
    const gid = meta(c)?.grade_id;
    let k = gid !== undefined ? byGradeId.get(gid) : undefined;
    if (k === undefined && c.id !== undefined && byId.has(c.id)) {
      const cand = byId.get(c.id)!;
      // A cell id alone matches an unmarked source cell, or a graded one whose metadata the
      // student removed (which is then a tamper, caught below).
      k = cand;
    }
    if (k !== undefined && !matched.has(k)) {
      matched.set(k, c);
      last = k;
    } else {
      if (!extrasAfter.has(last)) extrasAfter.set(last, []);
      extrasAfter.get(last)!.push(c);
    }
  }
  const out: PlanCell[] = [];
  const pushExtras = (k: number) => {
    for (const c of extrasAfter.get(k) ?? []) if (c.cell_type === "code") out.push({ cell: c, origin: "student", role: "other" });
  };
  pushExtras(-1);
  source.cells.forEach((c, i) => {
    const m = meta(c);
    const sub = matched.get(i);
    const role: CellRecord["role"] = m?.solution ? "answer" : m?.grade ? "tests" : m?.locked ? "locked" : "other";
    const gid = m?.grade_id;
    const label = gid ?? c.id ?? `cell ${i + 1}`;
    if (c.cell_type !== "code") {
      pushExtras(i);
      return;
    }
    if (role === "answer") {
      if (!sub) {
        flags.push(`deleted-cell:${label}`);
        notes.push(`The answer cell ${label} is missing from the submission; it was graded as not answered.`);
        out.push({ cell: { ...c, source: stubLines("", questionOfAnswer(gid!)).join("\n") }, origin: "source", role, gradeId: gid });
      } else out.push({ cell: sub, origin: "student", role, gradeId: gid });
    } else if (role === "tests" || role === "locked") {
      const expected = student.cells[i].source;
      if (!sub) {
        flags.push(`deleted-cell:${label}`);
        notes.push(`The ${role === "tests" ? "test" : "locked"} cell ${label} is missing from the submission; the original was run in its place.`);
      } else if (norm(sub.source) !== norm(expected) || (sub.cell_type as string) !== c.cell_type) {
        flags.push(`${role === "tests" ? "edited-tests" : "edited-locked"}:${label}`);
        notes.push(`The ${role === "tests" ? "test" : "locked"} cell ${label} was edited; the original was run in its place.`);
      }
      out.push({ cell: { ...c, source: solutionSource(c.source) }, shown: expected, origin: "source", role, gradeId: gid });
    } else {
      out.push(sub ? { cell: sub, origin: "student", role } : { cell: { ...c, source: solutionSource(c.source) }, origin: "source", role });
    }
    pushExtras(i);
  });
  return { cells: out, flags, notes };
}

interface ResultPayload {
  questions?: { question: string; points: number; earned: number; tests: TestRecord[]; error?: string }[];
}

/** Kernels tried before a submission is flagged `kernel-start-failed`. */
const START_ATTEMPTS = 3;

function classify(o: CellOutcome): string | null {
  if (o.status === "timeout") return "timeout";
  if (o.status === "died") return /memory/i.test(o.death ?? "") ? "out-of-memory" : /exited/.test(o.death ?? "") ? "kernel-exited" : "kernel-died";
  if (o.status === "error") {
    if (o.error?.ename === "SyntaxError") return "syntax-error";
    // The kernel names type-check failures TSError (a TypeError is one the running code threw).
    if (o.error?.ename === "TSError" && /the cell did not run/.test(o.text)) return "type-error";
    return "error";
  }
  return null;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

export function submissionKey(text: string, source: SourceNotebook, opts: GradeOptions): string {
  return createHash("sha256").update(text).update(JSON.stringify(source)).update(JSON.stringify(opts)).digest("hex").slice(0, 32);
}

/**
 * Grades one submitted notebook. Never throws for anything the submission does. Its kernels come
 * from `kernels` (a pool's warm spares in a batch; by default each is started when needed).
 */
export async function gradeSubmission(student: string, file: string, source: SourceNotebook, opts: GradeOptions, cwd: string, kernels: KernelSource = freshKernels(opts)): Promise<SubmissionGrade> {
  const qs = questions(source);
  const max = round(qs.reduce((s, q) => s + q.points, 0));
  const text = fs.readFileSync(file, "utf8");
  const key = submissionKey(text, source, opts);
  const base: SubmissionGrade = { student, file, questions: qs.map((q) => ({ id: q.id, points: q.points, earned: 0, tests: [] })), total: 0, max, flags: [], notes: [], cells: [], key };
  let submission: SourceNotebook;
  try {
    const { fromIpynb } = await import("../nbsource");
    submission = fromIpynb(text, file);
  } catch (e) {
    base.flags.push("unreadable");
    base.notes.push(`The submission could not be read: ${(e as Error).message}`);
    for (const q of base.questions) q.error = "the notebook could not be read";
    return base;
  }
  const { cells, flags, notes } = plan(source, submission);
  base.flags.push(...flags);
  base.notes.push(...notes);
  const deadline = Date.now() + opts.notebookTimeoutMs;
  const outcomes: (CellOutcome | null)[] = cells.map(() => null);
  let kernel: GradingKernel | null = null;
  let restarts = 0;
  // A kernel that fails to start is the grader's problem, not the submission's (a port taken
  // between choosing it and binding it, a machine too busy to answer in time): try again, with
  // new ports, before the submission is flagged.
  const startKernel = async (): Promise<GradingKernel | null> => {
    const why: string[] = [];
    for (let attempt = 0; attempt < START_ATTEMPTS && Date.now() < deadline; attempt++) {
      try {
        return await kernels.take(cwd, deadline - Date.now());
      } catch (e) {
        why.push((e as Error).message);
      }
    }
    base.flags.push("kernel-start-failed");
    base.notes.push(`A kernel could not be started (${why.length} tries): ${why.join("; ")}`);
    return null;
  };
  try {
    kernel = await startKernel();
    for (let i = 0; i < cells.length && kernel; i++) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const o = await kernel.execute(cells[i].cell.source, Math.min(opts.cellTimeoutMs, left));
      outcomes[i] = o;
      const label = cells[i].gradeId ?? cells[i].cell.id ?? `cell ${i + 1}`;
      const kind = classify(o);
      // Flagged: what the student's own cells did wrong, and anything that stopped a kernel or
      // ran out of time. A test or locked cell failing because an answer is missing is not.
      const fatal = kind === "timeout" || kind === "out-of-memory" || kind === "kernel-exited" || kind === "kernel-died";
      if (kind && kind !== "error" && cells[i].role !== "tests" && (fatal || cells[i].origin === "student")) {
        base.flags.push(`${kind}:${label}`);
      }
      if (o.status === "timeout" && Date.now() >= deadline) break;
      if (o.status === "died" || kernel.dead) {
        base.notes.push(`Cell ${label}: ${o.death ?? kernel.dead}. ${restarts < opts.maxRestarts ? "A fresh kernel re-ran the cells before it and grading went on." : "No more kernels were started."}`);
        await kernel.close();
        kernel = null;
        if (restarts >= opts.maxRestarts) break;
        restarts++;
        kernel = await startKernel();
        // Replay what ran before (results not recorded again), skipping cells that failed.
        for (let j = 0; j < i && kernel; j++) {
          const prev = outcomes[j];
          if (!prev || prev.status !== "ok" || cells[j].role === "tests") continue;
          const r = await kernel.execute(cells[j].cell.source, Math.min(opts.cellTimeoutMs, Math.max(1, deadline - Date.now())));
          if (r.status === "died") {
            await kernel.close();
            kernel = null;
          }
        }
      }
    }
  } finally {
    await kernel?.close();
  }
  if (Date.now() >= deadline && outcomes.some((o) => o === null)) {
    base.flags.push("notebook-timeout");
    base.notes.push(`The notebook ran past its time limit of ${(opts.notebookTimeoutMs / 1000).toFixed(0)} s; the cells not reached were not run.`);
  }
  // Questions.
  for (const q of base.questions) {
    const idx = cells.findIndex((c) => c.role === "tests" && c.gradeId === q.id);
    const o = idx >= 0 ? outcomes[idx] : null;
    const payload = (o?.results ?? []) as ResultPayload[];
    const r = payload.flatMap((p) => p.questions ?? []).filter((x) => x.question === q.id).pop();
    if (r) {
      const scale = r.points > 0 ? q.points / r.points : 0;
      q.tests = r.tests.map((t) => ({ name: t.name, points: round(t.points * scale), earned: round(t.earned * scale), passed: t.passed, message: t.message }));
      q.earned = round(Math.min(q.points, r.earned * scale));
      if (r.error) q.error = r.error;
    } else if (o && o.status === "ok" && !/\btests\(/.test(cells[idx].cell.source)) {
      q.earned = q.points; // a plain test cell that ran without error
      q.tests = [{ name: "(the whole cell)", points: q.points, earned: q.points, passed: true, message: "" }];
    } else {
      q.error = !o ? "its test cell was not run (the notebook stopped before it)" : o.error ? `the test cell failed: ${o.error.ename}: ${o.error.evalue}` : "the tests reported no result";
      q.tests = [{ name: "(the tests could not run)", points: q.points, earned: 0, passed: false, message: q.error }];
    }
    if (o && (o.status === "timeout" || o.status === "died") && !r) base.flags.push(`${classify(o)}:${q.id}`);
  }
  base.total = round(base.questions.reduce((s, q) => s + q.earned, 0));
  base.cells = cells.map((c, i) => {
    const o = outcomes[i];
    return {
      id: c.cell.id ?? `cell-${i + 1}`,
      origin: c.origin,
      role: c.role,
      gradeId: c.gradeId,
      source: c.shown ?? c.cell.source, // hidden tests stay hidden in feedback
      status: o ? o.status : "skipped",
      error: o?.error ? `${o.error.ename}: ${o.error.evalue}` : undefined,
      output: o ? o.text + (o.droppedChars ? `\n[${o.droppedChars} more characters of output not kept]` : "") : "",
      ms: o?.ms,
    };
  });
  if (cells.some((c, i) => c.origin === "student" && outcomes[i]?.droppedChars)) base.flags.push("large-output");
  base.flags = [...new Set(base.flags)].sort();
  return base;
}
