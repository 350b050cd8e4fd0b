/**
 * `gradbook assign` and `gradbook grade`.
 *
 * ```
 * gradbook assign SRC -o DIR [--no-check]
 * gradbook grade SUBMISSIONS --source SRC -o OUT [--workers N] [--spares N] [--cell-timeout S]
 *                [--timeout S] [--memory MIB] [--shard I/N] [--no-resume]
 * gradbook grade --merge OUT [MORE_OUT ...] --source SRC -o OUT
 * ```
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { toIpynb } from "../nbsource";
import { HomeworkError, questions, readNotebook, solutionVersion, studentVersion, writeAtomic } from "./homework";
import { DEFAULT_OPTIONS, gradeSubmission, GradeOptions, SubmissionGrade } from "./grade";
import { GRADING_USAGE } from "./usage";
import { findSubmissions, gradeBatch, mergeShards, Progress } from "./batch";

class UsageError extends Error {}

function parse(args: string[], flags: string[], valued: string[]): { positional: string[]; opts: Record<string, string | true> } {
  const positional: string[] = [];
  const opts: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("-")) {
      const [k, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
      if (flags.includes(k)) opts[k] = true;
      else if (valued.includes(k)) {
        const v = inline ?? args[++i];
        if (v === undefined) throw new UsageError(`${k} needs a value`);
        opts[k] = v;
      } else throw new UsageError(`unknown option ${a}`);
    } else positional.push(a);
  }
  return { positional, opts };
}

function number(v: string | true | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v === true || !(n > 0)) throw new UsageError(`${name} must be a positive number, got ${String(v)}`);
  return n;
}

function gradeOptions(opts: Record<string, string | true>): GradeOptions {
  return {
    cellTimeoutMs: number(opts["--cell-timeout"], "--cell-timeout", DEFAULT_OPTIONS.cellTimeoutMs / 1000) * 1000,
    notebookTimeoutMs: number(opts["--timeout"], "--timeout", DEFAULT_OPTIONS.notebookTimeoutMs / 1000) * 1000,
    memoryLimit: number(opts["--memory"], "--memory", DEFAULT_OPTIONS.memoryLimit / 2 ** 20) * 2 ** 20,
    maxRestarts: DEFAULT_OPTIONS.maxRestarts,
  };
}

/** Runs the solution as a submission; the failing tests, if any. */
export async function checkSolution(src: string, opts: GradeOptions = DEFAULT_OPTIONS): Promise<{ grade: SubmissionGrade; failures: string[] }> {
  const nb = readNotebook(src);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-assign-"));
  try {
    const file = path.join(dir, "solution.ipynb");
    fs.writeFileSync(file, toIpynb(solutionVersion(nb)));
    const grade = await gradeSubmission("solution", file, nb, opts, path.dirname(path.resolve(src)));
    const failures: string[] = [];
    for (const q of grade.questions) {
      for (const t of q.tests) if (!t.passed) failures.push(`${q.id} · ${t.name}: ${t.message}`);
      if (q.earned < q.points && !q.tests.some((t) => !t.passed)) failures.push(`${q.id}: ${q.error ?? "not full marks"}`);
    }
    for (const c of grade.cells) if (c.status !== "ok" && c.role !== "tests") failures.push(`cell ${c.gradeId ?? c.id}: ${c.status}${c.error ? ` (${c.error})` : ""}`);
    return { grade, failures };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function assign(args: string[]): Promise<number> {
  const { positional, opts } = parse(args, ["--no-check"], ["-o", "--output"]);
  const out = (opts["-o"] ?? opts["--output"]) as string | undefined;
  if (positional.length !== 1 || !out) throw new UsageError("gradbook assign: expected SRC -o DIR");
  const src = positional[0];
  const nb = readNotebook(src);
  const student = studentVersion(nb, src);
  if (!opts["--no-check"]) {
    const { grade, failures } = await checkSolution(src);
    if (failures.length) {
      process.stderr.write(`gradbook assign: the solution in ${src} does not pass its own tests (${grade.total}/${grade.max}); no student version written:\n  ${failures.join("\n  ")}\n`);
      return 1;
    }
    process.stdout.write(`gradbook assign: the solution scores ${grade.total}/${grade.max}\n`);
  }
  const name = path.basename(src).replace(/\.(ts|ipynb)$/, "") + ".ipynb";
  const file = path.join(out, name);
  writeAtomic(file, toIpynb(student));
  const qs = questions(nb);
  process.stdout.write(`gradbook assign: wrote ${file} (${qs.length} questions, ${qs.reduce((s, q) => s + q.points, 0)} points)\n`);
  return 0;
}

function fmtTime(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function progressPrinter(): (p: Progress) => void {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  return (p) => {
    const width = 30;
    const filled = p.total ? Math.round((p.done / p.total) * width) : width;
    const eta = p.done > p.reused && p.done < p.total ? fmtTime((p.elapsedMs / (p.done - p.reused)) * (p.total - p.done)) : p.done >= p.total ? "done" : "…";
    const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${p.done}/${p.total} graded · ${p.failed} with failures${p.reused ? ` · ${p.reused} reused` : ""} · ${fmtTime(p.elapsedMs)} elapsed · ETA ${eta}`;
    if (tty) process.stderr.write(`\r${line}\x1b[K${p.done >= p.total ? "\n" : ""}`);
    else if (p.done !== lastLine || p.done === 0) process.stderr.write(`${line}${p.last ? ` (${p.last})` : ""}\n`);
    lastLine = p.done;
  };
}

async function grade(args: string[]): Promise<number> {
  const { positional, opts } = parse(args, ["--no-resume", "--merge"], ["-o", "--output", "--source", "--workers", "--spares", "--cell-timeout", "--timeout", "--memory", "--shard"]);
  const out = (opts["-o"] ?? opts["--output"]) as string | undefined;
  const src = opts["--source"] as string | undefined;
  if (!src || !out) throw new UsageError("gradbook grade: --source SRC and -o OUT are required");
  const source = readNotebook(src);
  studentVersion(source, src); // validates the homework
  if (opts["--merge"]) {
    if (positional.length === 0) throw new UsageError("gradbook grade --merge: name the shards' output folders");
    const { grades, missing } = mergeShards(positional, out, source);
    process.stdout.write(`gradbook grade --merge: ${grades.length} students in ${path.join(out, "grades.csv")}\n`);
    if (missing.length) {
      process.stderr.write(`gradbook grade --merge: missing: ${missing.join(", ")}\n`);
      return 1;
    }
    return 0;
  }
  if (positional.length !== 1) throw new UsageError("gradbook grade: expected one SUBMISSIONS folder or zip");
  let shard: { index: number; count: number } | undefined;
  if (opts["--shard"] !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(String(opts["--shard"]));
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be I/N with 1 <= I <= N, got ${String(opts["--shard"])}`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const sourceName = path.basename(src).replace(/\.(ts|ipynb)$/, "") + ".ipynb";
  const { submissions, skipped } = findSubmissions(positional[0], sourceName);
  for (const s of skipped) process.stderr.write(`gradbook grade: skipped ${s}\n`);
  const workers = Math.floor(number(opts["--workers"], "--workers", os.availableParallelism?.() ?? os.cpus().length));
  // Kernels started ahead: one per worker unless told (0 turns the pool off, e.g. where each
  // kernel needs much of the machine's memory).
  let spares: number | undefined;
  if (opts["--spares"] !== undefined) {
    spares = Number(opts["--spares"]);
    if (opts["--spares"] === true || !Number.isInteger(spares) || spares < 0) throw new UsageError(`--spares must be a whole number of kernels (0 or more), got ${String(opts["--spares"])}`);
  }
  const grades = await gradeBatch(submissions, source, out, { ...gradeOptions(opts), workers, spares, shard, resume: !opts["--no-resume"], progress: progressPrinter() });
  const full = grades.filter((g) => g.total >= g.max).length;
  process.stdout.write(
    `gradbook grade: ${grades.length} submissions${shard ? ` (shard ${shard.index}/${shard.count})` : ""}, ${full} with full marks; ` +
      `${shard ? `records in ${path.join(out, ".work")} (join with --merge)` : `grades in ${path.join(out, "grades.csv")}`}\n`,
  );
  return 0;
}

/** Entry for the two commands; resolves to the exit status. */
export async function gradingMain(command: "assign" | "grade", args: string[]): Promise<number> {
  try {
    return command === "assign" ? await assign(args) : await grade(args);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`gradbook ${command}: ${e.message}\nusage:\n${GRADING_USAGE}`);
      return 2;
    }
    if (e instanceof HomeworkError || (e as { name?: string }).name === "NotebookSourceError") {
      process.stderr.write(`gradbook ${command}: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
