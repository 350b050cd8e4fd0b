/**
 * `gradbook grade`: a class of submissions, in parallel, resumable, shardable, with reports.
 *
 * Layout of OUT/:
 *   grades.csv          student, one column per question, total, max, flags
 *   grades.json         every test's outcome, per student
 *   feedback/NAME.html  one page per student: their code, each test's result and message, points
 *   .work/NAME.json     one finished submission (what a resumed run reuses)
 *   shard-I-of-N.json   what `--shard I/N` graded, for `--merge`
 * Every file is written to a temporary name and renamed, so a crash never leaves half a file.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import type { SourceNotebook } from "../nbsource";
import { questions, writeAtomic } from "./homework";
import { DEFAULT_OPTIONS, gradeSubmission, GradeOptions, SubmissionGrade, submissionKey } from "./grade";
import { feedbackHtml } from "./feedback";
import { KernelPool } from "./pool";

export interface Submission {
  student: string;
  file: string;
  /** Folder the kernel runs in (the submission's own, so its data files are found). */
  cwd: string;
}

export interface BatchOptions extends GradeOptions {
  workers: number;
  /** Kernels started ahead for the submissions next in line (default: one per worker; 0: none). */
  spares?: number;
  shard?: { index: number; count: number };
  resume: boolean;
  progress?: (p: Progress) => void;
}

export interface Progress {
  done: number;
  total: number;
  failed: number;
  reused: number;
  elapsedMs: number;
  last?: string;
  /** Kernels handed out warm by the pool, and kernels started while a submission waited. */
  kernels?: { warm: number; cold: number };
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._@-]+/g, "_").replace(/^\.+/, "_") || "_";
}

/** Picks the notebook in a folder: the one named like the source, else the only one. */
function notebookIn(dir: string, preferred: string): string | null {
  const all: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith(".") || e.name === "__MACOSX") continue;
      const p = path.join(d, e.name);
      if (e.isDirectory() && depth < 3) walk(p, depth + 1);
      else if (e.isFile() && e.name.endsWith(".ipynb")) all.push(p);
    }
  };
  walk(dir, 0);
  return all.find((p) => path.basename(p) === preferred) ?? all.find((p) => path.basename(p).endsWith(preferred)) ?? (all.length === 1 ? all[0] : null);
}

function unzip(zip: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-zip-"));
  try {
    execFileSync("unzip", ["-q", "-o", zip, "-d", dir], { stdio: "ignore" });
  } catch {
    execFileSync("/usr/bin/python3", ["-m", "zipfile", "-e", zip, dir], { stdio: "ignore" });
  }
  return dir;
}

/**
 * The submissions in a folder or a zip: a sub-folder per student (named after them), or a
 * notebook per student (`NAME.ipynb`, or a learning platform's `NAME_12345_..._hw1.ipynb`).
 * Sorted by student name.
 */
export function findSubmissions(input: string, sourceName: string): { submissions: Submission[]; skipped: string[] } {
  let dir = input;
  if (fs.statSync(input).isFile() && input.endsWith(".zip")) {
    dir = unzip(input);
    const entries = fs.readdirSync(dir).filter((n) => !n.startsWith(".") && n !== "__MACOSX");
    // A zip of one folder holding the class: look inside it.
    if (entries.length === 1 && fs.statSync(path.join(dir, entries[0])).isDirectory()) dir = path.join(dir, entries[0]);
  }
  const submissions: Submission[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith(".") || e.name === "__MACOSX") continue;
    const p = path.join(dir, e.name);
    let student: string, file: string | null;
    if (e.isDirectory()) {
      student = e.name;
      file = notebookIn(p, sourceName);
      if (!file) {
        skipped.push(`${e.name}/: no notebook found`);
        continue;
      }
    } else if (e.name.endsWith(".ipynb")) {
      student = e.name.slice(0, -6).replace(/_\d+_assignsubmission_file_.*$/, "").replace(new RegExp(`[_-]?${sourceName.replace(/\.ipynb$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`), "") || e.name.slice(0, -6);
      file = p;
    } else continue;
    let name = safeName(student);
    for (let n = 2; seen.has(name); n++) name = `${safeName(student)}-${n}`;
    seen.add(name);
    submissions.push({ student: name, file, cwd: path.dirname(file) });
  }
  return { submissions, skipped };
}

/** Grades every submission (of this shard); returns the grades in student order. */
export async function gradeBatch(submissions: Submission[], source: SourceNotebook, out: string, opts: BatchOptions): Promise<SubmissionGrade[]> {
  const mine = opts.shard ? submissions.filter((_, i) => i % opts.shard!.count === opts.shard!.index - 1) : submissions;
  const work = path.join(out, ".work");
  fs.mkdirSync(work, { recursive: true });
  fs.mkdirSync(path.join(out, "feedback"), { recursive: true });
  const gradeOpts: GradeOptions = { cellTimeoutMs: opts.cellTimeoutMs, notebookTimeoutMs: opts.notebookTimeoutMs, memoryLimit: opts.memoryLimit, maxRestarts: opts.maxRestarts };
  const results = new Map<string, SubmissionGrade>();
  const t0 = Date.now();
  const prog: Progress = { done: 0, total: mine.length, failed: 0, reused: 0, elapsedMs: 0 };
  let pool: KernelPool | null = null;
  const report = (last?: string) => {
    prog.elapsedMs = Date.now() - t0;
    prog.last = last;
    if (pool) prog.kernels = { warm: pool.hits, cold: pool.misses };
    opts.progress?.({ ...prog });
  };
  report();
  // A finished record of an earlier run, when it is of the same submission under the same limits.
  const reusable = new Map<number, SubmissionGrade | null>();
  const previous = (i: number): SubmissionGrade | null => {
    if (reusable.has(i)) return reusable.get(i)!;
    let prev: SubmissionGrade | null = null;
    const record = path.join(work, `${mine[i].student}.json`);
    if (opts.resume && fs.existsSync(record)) {
      try {
        const r = JSON.parse(fs.readFileSync(record, "utf8")) as SubmissionGrade;
        if (r.key === submissionKey(fs.readFileSync(mine[i].file, "utf8"), source, gradeOpts)) prev = r;
      } catch {
        /* a record that cannot be read is graded again */
      }
    }
    reusable.set(i, prev);
    return prev;
  };
  // While a worker grades a submission, the kernel of the next one waiting starts (one spare per worker).
  const workers = Math.max(1, Math.min(opts.workers, mine.length || 1));
  let next = 0;
  let prepared = 0;
  // Run when a worker takes its kernel (and before, to fill the pool at the start).
  const prepareAhead = (): void => {
    for (prepared = Math.max(prepared, next); prepared < mine.length && pool!.waiting < (opts.spares ?? workers); prepared++) {
      if (!previous(prepared)) pool!.prepare(mine[prepared].cwd);
    }
  };
  pool = new KernelPool({ memoryLimit: opts.memoryLimit, spares: opts.spares ?? workers, refill: prepareAhead });
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= mine.length) return;
      const s = mine[i];
      const record = path.join(work, `${s.student}.json`);
      let g = previous(i);
      if (g) prog.reused++;
      else prepareAhead();
      if (!g) {
        try {
          g = await gradeSubmission(s.student, s.file, source, gradeOpts, s.cwd, pool!);
        } catch (e) {
          // A fault of the grader itself on this submission: recorded, the others go on.
          const qs = questions(source);
          g = {
            student: s.student, file: s.file, total: 0, max: qs.reduce((a, q) => a + q.points, 0), cells: [], key: "",
            questions: qs.map((q) => ({ id: q.id, points: q.points, earned: 0, tests: [], error: "not graded" })),
            flags: ["grader-error"], notes: [`The grader failed on this submission: ${(e as Error).stack ?? e}`],
          };
        }
        g.file = path.relative(process.cwd(), s.file) || s.file;
        writeAtomic(record, JSON.stringify(g, null, 1) + "\n");
        writeAtomic(path.join(out, "feedback", `${s.student}.html`), feedbackHtml(g));
      }
      results.set(s.student, g);
      prog.done++;
      if (g.total < g.max && g.flags.some((f) => !f.startsWith("edited") && !f.startsWith("deleted") && f !== "large-output")) prog.failed++;
      report(s.student);
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    await pool.close();
  }
  const grades = mine.map((s) => results.get(s.student)!);
  if (opts.shard) writeAtomic(path.join(out, `shard-${opts.shard.index}-of-${opts.shard.count}.json`), JSON.stringify({ shard: opts.shard, students: grades.map((g) => g.student) }, null, 1) + "\n");
  else writeReports(out, source, grades);
  return grades;
}

/** Joins shards: reads each shard's list and the finished records, writes the class reports. */
export function mergeShards(dirs: string[], out: string, source: SourceNotebook): { grades: SubmissionGrade[]; missing: string[] } {
  const byStudent = new Map<string, SubmissionGrade>();
  const missing: string[] = [];
  let counts = new Set<number>();
  const found = new Set<number>();
  for (const dir of dirs) {
    for (const f of fs.readdirSync(dir).filter((n) => /^shard-\d+-of-\d+\.json$/.test(n)).sort()) {
      const s = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { shard: { index: number; count: number }; students: string[] };
      counts.add(s.shard.count);
      found.add(s.shard.index);
      for (const st of s.students) {
        const rec = path.join(dir, ".work", `${st}.json`);
        if (!fs.existsSync(rec)) {
          missing.push(`${st} (shard ${s.shard.index}: record missing)`);
          continue;
        }
        byStudent.set(st, JSON.parse(fs.readFileSync(rec, "utf8")));
        const fb = path.join(dir, "feedback", `${st}.html`);
        if (path.resolve(dir) !== path.resolve(out) && fs.existsSync(fb)) writeAtomic(path.join(out, "feedback", `${st}.html`), fs.readFileSync(fb));
      }
    }
  }
  if (counts.size > 1) throw new Error(`gradbook grade --merge: the shards disagree on N (${[...counts].join(", ")})`);
  const n = [...counts][0] ?? 0;
  if (n === 0) throw new Error(`gradbook grade --merge: no shard-I-of-N.json in ${dirs.join(", ")}`);
  for (let i = 1; i <= n; i++) if (!found.has(i)) missing.push(`shard ${i} of ${n}`);
  counts = new Set();
  const grades = [...byStudent.values()].sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));
  writeReports(out, source, grades);
  return { grades, missing };
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function num(x: number): string {
  return String(Number(x.toFixed(4)));
}

export function writeReports(out: string, source: SourceNotebook, grades: SubmissionGrade[]): void {
  const qs = questions(source);
  const sorted = [...grades].sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));
  const header = ["student", ...qs.map((q) => `${q.id} (${num(q.points)})`), "total", "max", "flags"];
  const rows = sorted.map((g) => [g.student, ...qs.map((q) => num(g.questions.find((x) => x.id === q.id)?.earned ?? 0)), num(g.total), num(g.max), g.flags.join(";")]);
  writeAtomic(path.join(out, "grades.csv"), [header, ...rows].map((r) => r.map(csvField).join(",")).join("\n") + "\n");
  const json = {
    questions: qs.map((q) => ({ id: q.id, points: q.points })),
    students: sorted.map((g) => ({ student: g.student, file: g.file, total: g.total, max: g.max, flags: g.flags, notes: g.notes, questions: g.questions })),
  };
  writeAtomic(path.join(out, "grades.json"), JSON.stringify(json, null, 1) + "\n");
}

export { DEFAULT_OPTIONS };
