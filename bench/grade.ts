/**
 * Grading benchmark: `gradbook grade` on a class of a homework's correct submissions against
 * `jupyter nbconvert --execute` running the same notebook one at a time (what a Python-based
 * grader such as nbgrader spends per notebook), in the same run, on the same machine.
 *
 *   npm run bench:grade                           (after `npx tsc -p tsconfig.build.json`)
 *   node dist/bench/grade.js --class 200          (the goal: 200 submissions in under 5 minutes)
 *   node dist/bench/grade.js --homework hw4-adam  (any homework in homework/src; default hw1)
 *   node dist/bench/grade.js --nbconvert 4        (notebooks run by nbconvert; default 6)
 *   node dist/bench/grade.js --spares 0           (no kernel pool: each kernel started when needed)
 *
 * Prints, for the class (all workers) and for a run with one worker: seconds per submission,
 * the sum of the cells' own run times (as the grader timed them), the overhead (the rest:
 * kernel start and warm-up where the pool did not hide them, test injection, reports), the
 * time measured or projected for 200 submissions, and the ratio to nbconvert.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync, spawnSync } from "child_process";
import { toIpynb, SourceNotebook } from "../kernel/nbsource";
import { readNotebook, solutionSource, studentVersion } from "../kernel/grading/homework";
import { meta } from "../kernel/grading/nbgrader";
import { findSubmissions, gradeBatch } from "../kernel/grading/batch";
import { DEFAULT_OPTIONS, SubmissionGrade } from "../kernel/grading/grade";
import { PACKAGE_ROOT } from "../kernel/paths";
import { GradingKernel } from "../kernel/grading/kernel-client";

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
function argString(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

/** A correct submission: the student version with every answer filled in (no hidden tests). */
function correctSubmission(src: SourceNotebook): SourceNotebook {
  const student = studentVersion(src);
  return { metadata: student.metadata, cells: student.cells.map((c, i) => (meta(c)?.solution ? { ...c, source: solutionSource(src.cells[i].source) } : c)) };
}

const load = () => os.loadavg().map((x) => x.toFixed(1)).join(" ");
const cellSeconds = (g: SubmissionGrade) => g.cells.reduce((s, c) => s + (c.ms ?? 0), 0) / 1000;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const classSize = arg("--class", 20);
  const nbconvertRuns = arg("--nbconvert", 6);
  const workers = arg("--workers", os.availableParallelism?.() ?? os.cpus().length);
  const spares = process.argv.includes("--spares") ? arg("--spares", 0) : undefined;
  const hw = argString("--homework", "hw1-logistic-regression");
  const src = readNotebook(path.join(PACKAGE_ROOT, "homework", "src", `${hw}.ts`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-bench-grade-"));
  const text = toIpynb(correctSubmission(src));
  const writeClass = (where: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const d = path.join(where, `student-${String(i).padStart(3, "0")}`);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, `${hw}.ipynb`), text);
    }
    return findSubmissions(where, `${hw}.ipynb`).submissions;
  };
  const opts = { ...DEFAULT_OPTIONS, resume: false, spares };
  console.log(`gradbook grade: ${hw}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), kernel pool ${spares === 0 ? "off" : `with ${spares ?? "one per worker"} spares`}; load average ${load()} (the machine may be shared)`);

  // The class, with every worker.
  const t0 = performance.now();
  let kernels = { warm: 0, cold: 0 };
  const grades = await gradeBatch(writeClass(path.join(dir, "class"), classSize), src, path.join(dir, "out"), { ...opts, workers, progress: (p) => (kernels = p.kernels ?? kernels) });
  const wall = (performance.now() - t0) / 1000;
  const ok = grades.filter((g) => g.total === g.max && g.flags.length === 0).length;
  const cells = mean(grades.map(cellSeconds));
  const perWorker = (wall * workers) / classSize;
  console.log(`  class of ${classSize}, ${workers} workers: ${wall.toFixed(1)} s wall (${ok} full marks, no flags; kernels warm from the pool ${kernels.warm}, started while waiting ${kernels.cold}), ${(wall / classSize).toFixed(2)} s per submission; ${perWorker.toFixed(2)} s of a worker's time each, of which cells ${cells.toFixed(2)} s, overhead ${(perWorker - cells).toFixed(2)} s`);
  console.log(`  ${classSize >= 200 ? "measured" : "projected"} for 200 submissions: ${((wall / classSize) * 200 / 60).toFixed(1)} min (goal: under 5); load average ${load()}`);

  // One worker, one submission after another: the overhead on a worker's critical path.
  const n1 = Math.max(2, Math.min(6, classSize));
  const s0 = performance.now();
  const seq = await gradeBatch(writeClass(path.join(dir, "seq"), n1), src, path.join(dir, "out1"), { ...opts, workers: 1 });
  const one = (performance.now() - s0) / 1000 / n1;
  const cells1 = mean(seq.map(cellSeconds));
  console.log(`  ${n1} submissions, 1 worker: ${one.toFixed(2)} s per submission, of which cells ${cells1.toFixed(2)} s, overhead ${(one - cells1).toFixed(2)} s (goal: under 0.5); load average ${load()}`);

  // The notebook's own run time: its cells in a warm kernel, nothing else.
  const k = new GradingKernel({ cwd: dir, env: { GRADBOOK_QUIET: "1" } });
  await k.start();
  await k.execute("undefined", 120_000);
  let own = 0;
  for (const c of correctSubmission(src).cells) if (c.cell_type === "code") own += (await k.execute(c.source, 120_000)).ms / 1000;
  await k.close();
  console.log(`  its cells alone in a warm kernel: ${own.toFixed(2)} s (the public tests only)`);

  const jupyter = spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" });
  if (jupyter.status === 0 && nbconvertRuns > 0) {
    const env = { ...process.env, JUPYTER_DATA_DIR: path.join(dir, "jupyter-data"), GRADBOOK_QUIET: "1" };
    execFileSync(process.execPath, [path.join(PACKAGE_ROOT, "bin", "gradbook.js"), "install", "--user"], { env, stdio: "ignore" });
    const times: number[] = [];
    for (let i = 0; i < nbconvertRuns; i++) {
      const f = path.join(dir, `nbc-${i}.ipynb`);
      fs.writeFileSync(f, text);
      const t = performance.now();
      const r = spawnSync("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=gradbook", "--ExecutePreprocessor.timeout=600", "--output", f, f], { env, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`nbconvert failed: ${r.stderr}`);
      times.push((performance.now() - t) / 1000);
    }
    times.sort((a, b) => a - b);
    const nbconvert = times[Math.floor(times.length / 2)];
    console.log(`jupyter nbconvert --execute, the same notebook on the gradbook kernel, one at a time: ${nbconvert.toFixed(2)} s (median of ${nbconvertRuns}); load average ${load()}`);
    console.log(`ratio gradbook grade / nbconvert: ${(one / nbconvert).toFixed(2)} per submission with 1 worker; ${(wall / classSize / nbconvert).toFixed(2)} per submission of the class with ${workers} workers`);
  } else console.log(nbconvertRuns > 0 ? "jupyter nbconvert not found: no peer measured" : "jupyter nbconvert not run (--nbconvert 0)");
  fs.rmSync(dir, { recursive: true, force: true });
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
