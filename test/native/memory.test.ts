// Native memory ownership: dispose frees at once, garbage collection frees what was never
// disposed (the External's finalizer), and the size reported to V8 makes it collect on its
// own under pressure. GC-driven checks run in a child `node --expose-gc` so they can force
// and observe collections.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { cpu, skipReason, view } from "./common";

const addonPath = path.resolve(__dirname, "..", "..", "build", "Release", "gradbook_native.node");
const distLib = path.resolve(__dirname, "..", "..", "dist", "lib", "index.js");

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

  // Tensors collected undisposed are freed by the engine's FinalizationRegistry calling
  // release(handle); this runs on the compiled library (dist/, built by npm test first).
  it.skipIf(!fs.existsSync(distLib))("garbage collection frees the memory of tensors that were never disposed (dist/ build)", () => {
    const r = child(`
      const gb = require(${JSON.stringify(distLib)});
      gb.setDefaultDevice("cpu");
      const be = gb.getEngine().backend("cpu");
      const base = be.stats().liveBytes;
      let keep = [];
      for (let i = 0; i < 50; i++) keep.push(gb.full([1 << 18], i));
      const held = be.stats().liveBytes - base;
      keep = null;
      for (let i = 0; i < 5; i++) { global.gc(); await tick(); }
      console.log(JSON.stringify({ held, after: be.stats().liveBytes - base }));`);
    expect(r.held).toBe(50 * (1 << 20));
    expect(r.after).toBe(0);
  });

  it("ten epochs of small training steps without dispose do not grow native memory (dist/ build)", () => {
    if (!fs.existsSync(distLib)) return;
    const r = child(`
      const gb = require(${JSON.stringify(distLib)});
      gb.setDefaultDevice("cpu");
      const be = gb.getEngine().backend("cpu");
      const W = gb.randn([64, 32]).requiresGrad_(true);
      const X = gb.randn([256, 64]);
      const epoch = () => { for (let i = 0; i < 256; i += 32) {
        const loss = gb.matmul(X.slice(0, i, i + 32), W).tanh().square().mean();
        loss.backward();
        gb.noGrad(() => W.addInPlace(W.grad, -0.01));
        W.grad = null;
      } };
      epoch(); global.gc(); await tick(); global.gc(); await tick();
      const first = be.stats().liveBytes;
      for (let e = 0; e < 10; e++) epoch();
      for (let i = 0; i < 3; i++) { global.gc(); await tick(); }
      console.log(JSON.stringify({ first, last: be.stats().liveBytes }));`);
    expect(r.last).toBeLessThanOrEqual(r.first);
  });

  it.skipIf(!fs.existsSync(distLib))("V8 collects on its own under native memory pressure: no dispose, no explicit gc (dist/ build)", () => {
    // 600 x 4 MiB = 2.4 GiB allocated in total; without the sizes reported to V8 it would not
    // collect the small JS objects and the process would hold all of it.
    const r = child(`
      const gb = require(${JSON.stringify(distLib)});
      gb.setDefaultDevice("cpu");
      const be = gb.getEngine().backend("cpu");
      for (let i = 0; i < 600; i++) { gb.full([1 << 20], 1); if (i % 50 === 0) await tick(); }
      await tick();
      console.log(JSON.stringify({ peak: be.stats().peakLiveBytes }));`, []);
    expect(r.peak).toBeLessThan(1024 * 1024 * 1024);
  });

  it("a stale handle is neither freed twice nor usable after its slot is reused", () => {
    const r = child(`
      const s = A.fill(1000, 1, 0);
      A.dispose(s); A.dispose(s);
      const t = A.fill(1000, 2, 0);  // reuses the slot and the cached block
      A.dispose(s);                  // stale: must not free t
      let err = "";
      try { A.read(s); } catch (e) { err = e.message; }
      console.log(JSON.stringify({ tLive: A.isLive(t) ? 1 : 0, sLive: A.isLive(s) ? 1 : 0, t0: A.read(t)[0], disposedMsg: /disposed/.test(err) ? 1 : 0, buffers: A.stats().liveBuffers }));`);
    expect(r).toEqual({ tLive: 1, sLive: 0, t0: 2, disposedMsg: 1, buffers: 1 });
  });
});
