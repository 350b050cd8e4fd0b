import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cacheFileFor, requireWithCodeCache } from "../../kernel/code-cache";

describe("requireWithCodeCache", () => {
  it("writes a cache, loads from it next time, and falls back when V8 rejects it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-cc-"));
    const cacheDir = path.join(dir, "cache");
    const file = path.join(dir, "mod.js");
    fs.writeFileSync(file, "exports.square = (x) => x * x;\nexports.dir = __dirname;\nexports.sep = require('path').sep;\n");
    type Mod = { square(x: number): number; dir: string; sep: string };

    const first = requireWithCodeCache<Mod>(file, cacheDir);
    expect(first.cache).toBe("miss");
    expect(first.exports.square(3)).toBe(9);
    expect(first.exports.dir).toBe(dir);
    expect(first.exports.sep).toBe(path.sep);
    // Registered like any required module: the same instance for everyone.
    expect(require(file)).toBe(first.exports);
    expect(requireWithCodeCache<Mod>(file, cacheDir).cache).toBe("off");
    const saved = first.save();
    expect(saved).not.toBeNull();
    expect(fs.statSync(saved!).size).toBeGreaterThan(0);

    delete require.cache[file];
    const second = requireWithCodeCache<Mod>(file, cacheDir);
    expect(second.cache).toBe("hit");
    expect(second.exports.square(4)).toBe(16);
    expect(second.save()).toBeNull();

    delete require.cache[file];
  });

  it("compiles as usual when V8 rejects the cache, and replaces it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-cc-"));
    const file = path.join(dir, "other.js");
    // A source this process never compiled: V8 would otherwise answer from its own memory.
    fs.writeFileSync(file, `exports.cube = (x) => x * x * x; // ${dir}\n`);
    const cacheFile = cacheFileFor(file, dir);
    fs.writeFileSync(cacheFile, Buffer.from("not a V8 code cache"));
    const r = requireWithCodeCache<{ cube(x: number): number }>(file, dir);
    expect(r.cache).toBe("rejected");
    expect(r.exports.cube(2)).toBe(8);
    expect(r.save()).toBe(cacheFile);
    expect(fs.readFileSync(cacheFile).toString()).not.toBe("not a V8 code cache");
    delete require.cache[file];
  });

  it("does not fail the load when the cache cannot be written", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-cc-"));
    const file = path.join(dir, "mod.js");
    fs.writeFileSync(file, "module.exports = 42;\n");
    // A file where the cache folder should be: mkdir fails.
    const blocked = path.join(dir, "blocked");
    fs.writeFileSync(blocked, "");
    const r = requireWithCodeCache<number>(file, blocked);
    expect(r.exports).toBe(42);
    expect(r.save()).toBeNull();
    delete require.cache[file];
  });

  it("keeps the caches of two checkouts apart and replaces only an old version of its own", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-cc-"));
    const cacheDir = path.join(dir, "cache");
    const a = path.join(dir, "a", "typescript.js");
    const b = path.join(dir, "b", "typescript.js");
    for (const f of [a, b]) {
      fs.mkdirSync(path.dirname(f));
      fs.writeFileSync(f, `exports.where = ${JSON.stringify(f)};\n`);
    }
    const load = (f: string) => {
      const r = requireWithCodeCache<{ where: string }>(f, cacheDir);
      r.save();
      delete require.cache[f];
      return r;
    };
    const cacheA = path.basename(cacheFileFor(a, cacheDir));
    load(a);
    load(b);
    // Both checkouts keep a cache: neither one's save removed the other's.
    expect(fs.readdirSync(cacheDir).sort()).toEqual([cacheA, path.basename(cacheFileFor(b, cacheDir))].sort());
    expect(load(a).cache).toBe("hit");
    // A new version of a's module: its old cache goes, b's stays.
    fs.writeFileSync(a, `exports.where = "a, version 2";\n`);
    fs.utimesSync(a, new Date(), new Date(Date.now() + 5000));
    expect(load(a).cache).toBe("miss");
    const left = fs.readdirSync(cacheDir);
    expect(left).not.toContain(cacheA);
    expect(left).toContain(path.basename(cacheFileFor(b, cacheDir)));
    expect(left).toHaveLength(2);
  });
});
