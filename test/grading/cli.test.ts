/**
 * The gradbook assign and grade commands as an instructor runs them: exit codes, messages,
 * progress, and a grader killed mid-run resuming without losing a grade.
 */
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn, spawnSync } from "child_process";
import { readNotebook } from "../../kernel/grading/homework";
import { renderSource } from "../../kernel/nbsource";
import { hw1Class, ROOT, sourceOf, writeClass } from "./synthetic";

const BIN = path.join(ROOT, "bin", "gradbook.js");
const HW = "hw1-logistic-regression";
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, GRADBOOK_QUIET: "1" } });

describe("gradbook assign and grade", () => {
  it("assign refuses a solution that fails its own tests, naming the test", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gb-assign-"));
    const nb = readNotebook(sourceOf(HW));
    const c = nb.cells.find((x) => x.id === "q2-answer")!;
    c.source = c.source.replace(".mean().neg()", ".sum().neg()");
    const src = path.join(tmp, `${HW}.ts`);
    fs.writeFileSync(src, renderSource(nb));
    const r = run(["assign", src, "-o", path.join(tmp, "release")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/does not pass its own tests \(8\.8333\/10\); no student version written/);
    expect(r.stderr).toMatch(/q2 · value: expected 0\.2797\d*, got 0\.8393/);
    expect(fs.existsSync(path.join(tmp, "release"))).toBe(false);
  }, 120_000);

  it("grade: usage errors are clear", () => {
    const r = run(["grade", "nowhere"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--source SRC and -o OUT are required/);
    const s = run(["grade", ".", "--source", sourceOf(HW), "-o", os.tmpdir(), "--shard", "3/2"]);
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/--shard must be I\/N with 1 <= I <= N, got 3\/2/);
    const p = run(["grade", ".", "--source", sourceOf(HW), "-o", os.tmpdir(), "--spares", "-1"]);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/--spares must be a whole number of kernels \(0 or more\), got -1/);
  });

  it("a grader killed mid-run resumes: finished grades are kept, the rest graded, progress shown", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gb-resume-"));
    const subs = path.join(tmp, "subs"), out = path.join(tmp, "out");
    const pick = new Set(["correct-01", "correct-02", "stub-01", "partial-q1", "wrong-db-shape"]);
    writeClass(subs, hw1Class().filter((e) => pick.has(e.name)), HW);
    const args = [BIN, "grade", subs, "--source", sourceOf(HW), "-o", out, "--workers", "1"];
    const child = spawn(process.execPath, args, { stdio: "ignore", env: { ...process.env, GRADBOOK_QUIET: "1" } });
    const work = path.join(out, ".work");
    const t0 = Date.now();
    while (!(fs.existsSync(work) && fs.readdirSync(work).some((f) => f.endsWith(".json")))) {
      if (Date.now() - t0 > 90_000) throw new Error("no record written");
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const kept = fs.readdirSync(work).filter((f) => f.endsWith(".json"));
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(pick.size);
    expect(fs.existsSync(path.join(out, "grades.csv"))).toBe(false);
    // Resumed on two workers with the pool off: the same grades.
    const r = spawnSync(process.execPath, args.slice(0, -2).concat(["--workers", "2", "--spares", "0"]), { encoding: "utf8", env: { ...process.env, GRADBOOK_QUIET: "1" } });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`5/5 graded · \\d+ with failures · ${kept.length} reused`));
    expect(r.stdout).toMatch(/5 submissions, 2 with full marks/);
    const csv = fs.readFileSync(path.join(out, "grades.csv"), "utf8").trim().split("\n");
    expect(csv.slice(1).map((l) => l.split(",").slice(0, 7).join(","))).toEqual([
      "correct-01,2,2,3,2,1,10",
      "correct-02,2,2,3,2,1,10",
      "partial-q1,2,0,0,0,0,2",
      "stub-01,0,0,0,0,0,0",
      "wrong-db-shape,2,2,1.5,2,1,8.5",
    ]);
  }, 240_000);
});
