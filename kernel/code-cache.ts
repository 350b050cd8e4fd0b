/**
 * Loads a large CommonJS module (TypeScript's 9 MB compiler) with V8's code cache, so a kernel
 * start does not compile it again: compiling it is about a quarter of a second on this
 * machine, and the functions the type checker's first run compiles lazily are as much again.
 * The cache is written after that first run (so it holds those functions too) and is keyed by
 * the module's path, size and modification time and by Node's version; V8 itself rejects a
 * cache made by another V8 or with other flags, and the module is then compiled as usual.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";
import Module = require("module");
import { createHash } from "crypto";

/** Where caches live: $GRADBOOK_CACHE_DIR, else $XDG_CACHE_HOME/gradbook, else ~/.cache/gradbook. */
export function cacheDir(): string {
  if (process.env.GRADBOOK_CACHE_DIR) return process.env.GRADBOOK_CACHE_DIR;
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "gradbook");
}

/**
 * The cache file for a module file: `NAME-WHERE-VERSION.v8cache`, a new one whenever the module
 * or Node changes. WHERE (the module's path and Node's flags) keeps the caches of two checkouts
 * apart, so each replaces only its own; V8 rejects a cache made under other flags (the grader's
 * kernels run with a heap limit), so those get their own too.
 */
export function cacheFileFor(file: string, dir = cacheDir()): string {
  const stat = fs.statSync(file);
  const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 12);
  return path.join(dir, `${cachePrefix(file)}${hash(`${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`)}.v8cache`);
}

/** What every cache of this module file, at this path and under these flags, starts with. */
function cachePrefix(file: string): string {
  return `${path.basename(file, ".js")}-${createHash("sha256").update(`${file}\0${process.execArgv.join(" ")}`).digest("hex").slice(0, 12)}-`;
}

/** A file not touched for an hour (a write that nobody finishes any more). */
function isOld(file: string): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > 3600_000;
  } catch {
    return false;
  }
}

export interface CachedLoad<T> {
  exports: T;
  /** "hit": compiled from the cache; "miss": none was there; "rejected": V8 refused it; "off": not used. */
  cache: "hit" | "miss" | "rejected" | "off";
  /** Writes the cache (when it was not a hit), holding every function compiled so far. Never throws. */
  save(): string | null;
}

interface ModuleInternals {
  filename: string;
  paths: string[];
  loaded: boolean;
  exports: unknown;
  require(id: string): unknown;
}

/**
 * Requires `id` (resolved from this file) through V8's code cache and registers it in
 * `require.cache`, so later `require(id)` calls anywhere get the same instance.
 *
 * @example
 * const ts = requireWithCodeCache<typeof import("typescript")>("typescript");
 * // ... use ts.exports, then, once the hot paths have run:
 * ts.save();
 */
export function requireWithCodeCache<T>(id: string, dir = cacheDir()): CachedLoad<T> {
  const file = require.resolve(id);
  const existing = require.cache[file];
  if (existing) return { exports: existing.exports as T, cache: "off", save: () => null };
  const cacheFile = cacheFileFor(file, dir);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), { filename: file, cachedData });
  const cache: CachedLoad<T>["cache"] = cachedData ? (script.cachedDataRejected ? "rejected" : "hit") : "miss";
  const mod = new Module(file) as unknown as ModuleInternals;
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(file));
  // Registered before it runs, as Node does, so a cycle back to it finds it.
  require.cache[file] = mod as unknown as NodeJS.Module;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, req: (id: string) => unknown, module: unknown, filename: string, dirname: string) => void;
    wrapper.call(mod.exports, mod.exports, (r: string) => mod.require(r), mod, file, path.dirname(file));
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  mod.loaded = true;
  return {
    exports: mod.exports as T,
    cache,
    save: () => {
      if (cache === "hit") return null;
      try {
        fs.mkdirSync(dir, { recursive: true });
        // Another kernel may be writing the same cache: write aside, then rename (atomic).
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
        // Caches of an earlier version of the module at this path are dead weight, and so are
        // writes a killed process left behind. Other checkouts' caches stay.
        const prefix = cachePrefix(file);
        for (const f of fs.readdirSync(dir)) {
          const stale = f.endsWith(".v8cache") ? path.join(dir, f) !== cacheFile : f.endsWith(".tmp") && f !== path.basename(tmp) && isOld(path.join(dir, f));
          if (f.startsWith(prefix) && stale) fs.rmSync(path.join(dir, f), { force: true });
        }
        return cacheFile;
      } catch {
        return null;
      }
    },
  };
}
