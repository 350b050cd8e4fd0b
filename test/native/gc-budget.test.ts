/**
 * Native memory a student never disposes: in a fresh Node without --expose-gc (as in a
 * notebook), a synchronous loop of undisposed cpu tensors holds steady. The engine guards each
 * storage that leaves every tidy scope (a weak handle the addon frees it by, in any collection),
 * runs a scavenge itself after every young budget (16 MiB) of them, and a full collection once
 * live native bytes still grow by its budget. Runs the built library (dist/, made by
 * `npx tsc -p tsconfig.build.json`).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cgroupSkip, TestCgroup } from "../cgroup";
import { cpu, skipReason } from "./common";

const root = path.join(__dirname, "..", "..");
const dist = path.join(root, "dist", "lib", "index.js");

/** The GRADBOOK_* settings of memory, removed for the tests of the defaults. */
const OVERRIDES = ["GRADBOOK_GC_BUDGET_MB", "GRADBOOK_GC_YOUNG_MB", "GRADBOOK_MEMORY_LIMIT", "GRADBOOK_TRACK_JS"];

function run(body: string, env: Record<string, string> = {}, wrap = (argv: string[]) => argv): Record<string, number> {
  const script = `
    const gb = require(${JSON.stringify(dist)});
    gb.setDefaultDevice("cpu");
    let peak = 0;
    const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
    ${body}
    // Read before yielding: FinalizationRegistry callbacks alone would only run after this.
    const m = gb.memory().cpu;
    const e = gb.getEngine();
    console.log(JSON.stringify({ ...(globalThis.extra || {}), peakMB: peak / 2 ** 20, live: m.tensors, liveMB: m.bytes / 2 ** 20, collections: e.collections, young: e.youngCollections, budgetMB: e.gcBudget / 2 ** 20 }));`;
  const full = { ...process.env, ...env };
  for (const k of OVERRIDES) if (!(k in env)) delete full[k];
  const [cmd, ...args] = wrap([process.execPath, "-e", script]);
  const r = spawnSync(cmd, args, { encoding: "utf8", env: full, timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

describe.skipIf(cpu === null || !fs.existsSync(dist))(`undisposed native tensors ${cpu === null ? `(${skipReason})` : ""}`, () => {
  it("a loop of 1 MiB tensors that disposes nothing holds steady, freed by scavenges alone", () => {
    // 600 MiB allocated in all; a scavenge every 16 MiB frees what the loop dropped, so the
    // live set stays near one young budget and no full collection is ever needed.
    const r = run(`for (let i = 0; i < 300; i++) { gb.zeros([256, 1024]).add(1); if (i % 10 === 0) sample(); }`, { GRADBOOK_GC_BUDGET_MB: "64" });
    expect(r.young).toBeGreaterThanOrEqual(30);
    expect(r.collections).toBe(0);
    expect(r.liveMB).toBeLessThan(24);
    expect(r.peakMB).toBeLessThan(250);
  });

  it("tiny tensors are freed too, by the scavenges V8 runs on its own", () => {
    const r = run(`for (let i = 0; i < 200000; i++) { gb.tensor([i]).add(1); if (i % 10000 === 0) sample(); }`, { GRADBOOK_GC_BUDGET_MB: "64" });
    expect(r.live).toBeLessThan(50000);
  });

  it("with the default budget (no GRADBOOK_* settings), 2,000 iterations of 2 MiB stay far under 1 GB", () => {
    // 4 GB allocated in all, nothing disposed, under a real 1 GiB cgroup limit where one can be
    // made (the process is killed if it passes it), else under the machine's own memory.
    const limited = cgroupSkip === "";
    const cg = limited ? new TestCgroup("autogc", 1024 * 2 ** 20) : null;
    try {
      const r = run(`for (let i = 0; i < 2000; i++) { gb.zeros([256, 1024]).add(1); if (i % 20 === 0) sample(); }`, {}, cg ? (argv) => cg.wrap(argv) : undefined);
      // A sixteenth of 1 GiB is the 64 MiB floor; the machine's memory gives at least as much.
      if (limited) expect(r.budgetMB).toBe(64);
      else expect(r.budgetMB).toBeGreaterThanOrEqual(64);
      expect(r.young).toBeGreaterThanOrEqual(200);
      expect(r.peakMB).toBeLessThan(1024);
      expect(r.peakMB).toBeLessThan(300);
    } finally {
      cg?.remove();
    }
  });

  it("keeps every tensor still reachable", () => {
    const r = run(`
      const kept = [];
      for (let i = 0; i < 200; i++) { const t = gb.zeros([256, 1024]).add(i); if (i % 20 === 0) kept.push([i, t]); }
      for (const [i, t] of kept) if (t.get(0, 0) !== i + 0) throw new Error("lost tensor " + i);`, { GRADBOOK_GC_BUDGET_MB: "64" });
    expect(r.young).toBeGreaterThanOrEqual(10);
    expect(r.live).toBeGreaterThanOrEqual(10);
  });

  it("a hand-written training loop with no memory management runs 10 epochs in constant memory", () => {
    // Lecture 07's loop without tidy or dispose: forward, loss, zeroGrad, backward, step.
    const r = run(`
      gb.manualSeed(0);
      const X = gb.randn([4096, 64]), y = gb.randint(0, 10, [4096]);
      const model = new gb.nn.Sequential([new gb.nn.Dense(256, { inputDim: 64, activation: "relu" }), new gb.nn.Dense(10)]);
      const opt = new gb.optim.SGD(model.parameters(), { lr: 0.05 });
      const rss = [];
      for (let epoch = 0; epoch < 10; epoch++) {
        for (let i = 0; i < 4096; i += 64) {
          const xb = X.slice(0, i, i + 64), yb = y.slice(0, i, i + 64);
          const loss = gb.nn.sparseCategoricalCrossEntropy(model.forward(xb), yb, { fromLogits: true });
          opt.zeroGrad();
          loss.backward();
          opt.step();
        }
        sample();
        rss.push(process.memoryUsage().rss / 2 ** 20);
      }
      globalThis.extra = { growthMB: rss[9] - rss[2] };`, { GRADBOOK_GC_BUDGET_MB: "64" });
    expect(r.young + r.collections).toBeGreaterThanOrEqual(2);
    expect(r.liveMB).toBeLessThan(160);
    // Epochs 3 to 10 add (next to) nothing: the collector keeps up with the undisposed tensors.
    expect(r.growthMB).toBeLessThan(64);
    expect(r.peakMB).toBeLessThan(450);
  });

  it("a budget of 0 turns the automatic collection off", () => {
    const r = run(`for (let i = 0; i < 40; i++) gb.zeros([256, 1024]).add(1);`, { GRADBOOK_GC_BUDGET_MB: "0" });
    expect(r.collections).toBe(0);
    expect(r.live).toBe(80);
  });
});
