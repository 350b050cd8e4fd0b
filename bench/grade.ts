/**
 * Grading benchmark: `gradbook grade` on a class of homework 1 submissions against
 * `jupyter nbconvert --execute` running the same notebooks one by one (what a Python-based grader
 * such as nbgrader spends per notebook), in the same run, on the same machine.
 *
 *   npm run bench:grade                       (after `npx tsc -p tsconfig.build.json`)
 *   node dist/bench/grade.js --class 200      (the goal: 200 submissions in under 5 minutes)
 *   node dist/bench/grade.js --nbconvert 4    (notebooks run by nbconvert; default 6)
 *
 * Prints seconds per submission for both, their ratio, and the grader's overhead per submission
 * beyond the notebook's own cell time (kernel start, test injection, reports).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync, spawnSync } from "child_process";
import { toIpynb } from "../kernel/nbsource";
import { readNotebook, solutionVersion } from "../kernel/grading/homework";
import { findSubmissions, gradeBatch } from "../kernel/grading/batch";
import { DEFAULT_OPTIONS } from "../kernel/grading/grade";
import { PACKAGE_ROOT } from "../kernel/paths";
import { GradingKernel } from "../kernel/grading/kernel-client";

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const classSize = arg("--class", 20);
  const nbconvertRuns = arg("--nbconvert", 6);
  const workers = arg("--workers", os.availableParallelism?.() ?? os.cpus().length);
  const hw = "hw1-logistic-regression";
  const src = readNotebook(path.join(PACKAGE_ROOT, "homework", "src", `${hw}.ts`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-bench-grade-"));
  const subs = path.join(dir, "submissions");
  const text = toIpynb(solutionVersion(src));
  for (let i = 0; i < classSize; i++) {
    fs.mkdirSync(path.join(subs, `student-${String(i).padStart(3, "0")}`), { recursive: true });
    fs.writeFileSync(path.join(subs, `student-${String(i).padStart(3, "0")}`, `${hw}.ipynb`), text);
  }
  console.log(`gradbook grade: ${classSize} submissions of ${hw}, ${workers} workers, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"})`);
  const { submissions } = findSubmissions(subs, `${hw}.ipynb`);
  const t0 = performance.now();
  const grades = await gradeBatch(submissions, src, path.join(dir, "out"), { ...DEFAULT_OPTIONS, workers, resume: false });
  const wall = (performance.now() - t0) / 1000;
  const ok = grades.filter((g) => g.total === g.max).length;
  console.log(`  ${wall.toFixed(1)} s wall for ${classSize} (${ok} full marks): ${(wall / classSize).toFixed(2)} s per submission of wall time, ${((wall * workers) / classSize).toFixed(2)} s of worker time each`);
  console.log(`  projected for 200 submissions: ${((wall / classSize) * 200 / 60).toFixed(1)} min (goal: under 5)`);

  // One submission alone, to split kernel start and cells from the grader's own work.
  const single = path.join(dir, "single");
  fs.mkdirSync(path.join(single, "one"), { recursive: true });
  fs.writeFileSync(path.join(single, "one", `${hw}.ipynb`), text);
  const s0 = performance.now();
  await gradeBatch(findSubmissions(single, `${hw}.ipynb`).submissions, src, path.join(dir, "out1"), { ...DEFAULT_OPTIONS, workers: 1, resume: false });
  const one = (performance.now() - s0) / 1000;

  // The notebook's own run time: its cells in a warm kernel, nothing else.
  const k = new GradingKernel({ cwd: dir, env: { GRADBOOK_QUIET: "1" } });
  await k.start();
  await k.execute("undefined", 120_000);
  let own = 0;
  for (const c of solutionVersion(src).cells) if (c.cell_type === "code") own += (await k.execute(c.source, 120_000)).ms / 1000;
  await k.close();

  let nbconvert: number | null = null;
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
    nbconvert = times[Math.floor(times.length / 2)];
  }
  console.log(`  one submission alone: ${one.toFixed(2)} s; its cells alone in a warm kernel: ${own.toFixed(2)} s; grading overhead (kernel start and warm-up, test injection, reports): ${(one - own).toFixed(2)} s`);
  if (nbconvert !== null) {
    console.log(`jupyter nbconvert --execute, the same notebook on the gradbook kernel, one at a time: ${nbconvert.toFixed(2)} s (median of ${nbconvertRuns}); its overhead beyond the cells: ${(nbconvert - own).toFixed(2)} s`);
    console.log(`ratio gradbook grade / nbconvert: ${(one / nbconvert).toFixed(2)} for one notebook alone; ${((wall / classSize) / nbconvert).toFixed(2)} per submission of a class with ${workers} workers`);
  } else console.log("jupyter nbconvert not found: no peer measured");
  fs.rmSync(dir, { recursive: true, force: true });
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
