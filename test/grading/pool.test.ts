/**
 * The kernel pool: a spare is started ahead in the folder it was asked for, handed out warm
 * (its first cell already run) only to a taker for that folder, and the ones never handed out
 * are closed. Real kernels.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KernelPool } from "../../kernel/grading/pool";
import type { GradingKernel } from "../../kernel/grading/kernel-client";

describe("the grading kernel pool", () => {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "gb-pool-")));
  const a = path.join(tmp, "a");
  const b = path.join(tmp, "b");
  fs.mkdirSync(a);
  fs.mkdirSync(b);
  const taken: GradingKernel[] = [];
  afterAll(async () => {
    for (const k of taken) await k.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("hands out a spare started ahead for the same folder, warm, and starts the next one then", async () => {
    let refills = 0;
    const pool = new KernelPool({ memoryLimit: 640 * 2 ** 20, spares: 1, refill: () => refills++ });
    pool.prepare(a);
    pool.prepare(b); // over its one spare: not started
    expect(pool.waiting).toBe(1);
    const k = await pool.take(a, 60_000);
    taken.push(k);
    expect([pool.hits, pool.misses, refills, pool.waiting]).toEqual([1, 0, 1, 0]);
    // Warm: the first cell was run already, so this one is not charged the type checker's start.
    const o = await k.execute("process.cwd()", 20_000);
    expect(o.status).toBe("ok");
    expect(o.text).toContain(a);

    // No spare for b: a kernel is started for the taker, in b.
    pool.prepare(a);
    const k2 = await pool.take(b, 60_000);
    taken.push(k2);
    expect([pool.hits, pool.misses, pool.waiting]).toEqual([1, 1, 1]);
    expect((await k2.execute("process.cwd()", 20_000)).text).toContain(b);

    // The spare for a, never handed out, is closed with the pool; no more are started.
    await pool.close();
    expect(pool.waiting).toBe(0);
    pool.prepare(a);
    expect(pool.waiting).toBe(0);
  }, 120_000);
});
