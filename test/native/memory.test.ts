// Native memory ownership: dispose frees at once, garbage collection frees what was never
// disposed (the External's finalizer), and the size reported to V8 makes it collect on its
// own under pressure. GC-driven checks run in a child `node --expose-gc` so they can force
// and observe collections.
import { execFileSync } from "child_process";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { cpu, skipReason, view } from "./helpers";

const addonPath = path.resolve(__dirname, "..", "..", "build", "Release", "gradbook_native.node");

/** Runs a JavaScript snippet in a child node (the addon path bound as ADDON); returns its JSON output. */
function child(code: string, flags: string[] = ["--expose-gc"]): Record<string, number> {
  const src = `const A = require(${JSON.stringify(addonPath)}); A.init(new Float64Array(256));
const tick = () => new Promise((r) => setImmediate(r));
(async () => { ${code} })().catch((e) => { console.error(e); process.exit(1); });`;
  const out = execFileSync(process.execPath, [...flags, "-e", src], { encoding: "utf8", timeout: 60_000 });
  return JSON.parse(out.trim().split("\n").pop()!);
}

describe.skipIf(cpu === null)(`cpu backend: memory ${skipReason}`, () => {
  it("dispose returns a storage's bytes at once", () => {
    const before = cpu!.stats().liveBytes;
    const s = cpu!.fill(1 << 20, 1, "float32");
    expect(cpu!.stats().liveBytes - before).toBeGreaterThanOrEqual(4 << 20);
    cpu!.dispose(s);
    expect(cpu!.stats().liveBytes).toBe(before);
  });

  it("freed blocks are reused by the caching allocator", () => {
    const a = cpu!.fill(1 << 18, 1, "float32");
    cpu!.dispose(a);
    const cachedBefore = cpu!.stats().cachedBytes;
    const b = cpu!.unary("exp", view(cpu!.fill(1 << 18, 0, "float32"), [1 << 18]));
    expect(cpu!.stats().cachedBytes).toBeLessThan(cachedBefore);
    expect(cpu!.read(b)[123]).toBe(1);
    cpu!.dispose(b);
    cpu!.emptyCache();
    expect(cpu!.stats().cachedBytes).toBe(0);
  });

  it("garbage collection frees storages that were never disposed", () => {
    const r = child(`
      const base = A.stats().liveBytes;
      let keep = [];
      for (let i = 0; i < 50; i++) keep.push(A.fill(1 << 18, i, 0));
      const held = A.stats().liveBytes - base;
      keep = null;
      for (let i = 0; i < 5; i++) { global.gc(); await tick(); }
      console.log(JSON.stringify({ held, after: A.stats().liveBytes - base, buffers: A.stats().liveBuffers }));`);
    expect(r.held).toBe(50 * (1 << 20));
    expect(r.after).toBe(0);
    expect(r.buffers).toBe(0);
  });

  it("V8 collects on its own under native memory pressure (no dispose, no explicit gc)", () => {
    // 600 x 4 MiB = 2.4 GiB allocated in total; without the reported pressure V8 would not
    // collect the small JS handles and the process would hold all of it.
    const r = child(`
      for (let i = 0; i < 600; i++) { A.fill(1 << 20, 1, 0); if (i % 50 === 0) await tick(); }
      await tick();
      console.log(JSON.stringify({ peak: A.stats().peakLiveBytes, rss: process.memoryUsage().rss }));`, []);
    expect(r.peak).toBeLessThan(1024 * 1024 * 1024);
  });

  it("a disposed storage is not freed again by its finalizer", () => {
    const r = child(`
      let s = A.fill(1000, 1, 0);
      A.dispose(s); A.dispose(s);
      const live = A.stats().liveBuffers;
      s = null;
      for (let i = 0; i < 3; i++) { global.gc(); await tick(); }
      console.log(JSON.stringify({ live, after: A.stats().liveBuffers, cached: A.stats().cachedBytes }));`);
    expect(r.live).toBe(0);
    expect(r.after).toBe(0);
    expect(r.cached).toBe(4096);  // one 4000-byte block in the 4096 size class, freed once
  });
});
