// Without the addon the library must still work on "js" and say why the cpu backend is missing.
// GRADBOOK_NATIVE_PATH points the loader at a file that is not there (or not an addon).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { loadNativeBackend } from "../../lib/backends/native";

const distEngine = path.resolve(__dirname, "..", "..", "dist", "lib", "engine.js");
const saved = process.env.GRADBOOK_NATIVE_PATH;
afterEach(() => {
  if (saved === undefined) delete process.env.GRADBOOK_NATIVE_PATH;
  else process.env.GRADBOOK_NATIVE_PATH = saved;
});

describe("cpu backend: missing addon", () => {
  it("loadNativeBackend names the path tried and how to fix it", () => {
    process.env.GRADBOOK_NATIVE_PATH = "/nonexistent/gradbook_native.node";
    expect(() => loadNativeBackend()).toThrow(/\/nonexistent\/gradbook_native\.node: not found.*npm run build:native.*python3, make and g\+\+/);
  });

  it("a file that is not the addon is rejected with the reason", () => {
    process.env.GRADBOOK_NATIVE_PATH = path.resolve(__dirname, "..", "..", "package.json");
    expect(() => loadNativeBackend()).toThrow(/not a gradbook native addon/);
  });

  // The engine loads backends with require(), so this runs on the compiled library (dist/),
  // which `npm test` builds first, in a child process with its own environment.
  it.skipIf(!fs.existsSync(distEngine))("the engine falls back to js and reports why cpu is unavailable (dist/ build)", () => {
    const code = `const { Engine } = require(${JSON.stringify(distEngine)}); const e = new Engine();
      e.getDefaultDevice();
      console.log(JSON.stringify({ device: e.getDefaultDevice(), reason: e.availability("cpu").reason ?? "" }));`;
    const run = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ["-e", code],
        { encoding: "utf8", env: { ...process.env, GRADBOOK_DEVICE: "", ...env } });
      return { ...JSON.parse(r.stdout.trim()), stderr: r.stderr as string };
    };
    const bad = run({ GRADBOOK_NATIVE_PATH: "/nonexistent/gradbook_native.node" });
    expect(bad.device).toBe("js");
    expect(bad.reason).toMatch(/not found.*npm run build:native/);
    // Said once, on stderr, with the reason and the fix.
    expect(bad.stderr.match(/native "cpu" backend is unavailable/g)).toHaveLength(1);
    expect(bad.stderr).toMatch(/npm run build:native/);
    if (fs.existsSync(path.resolve(__dirname, "..", "..", "build", "Release", "gradbook_native.node"))) {
      const good = run({ GRADBOOK_NATIVE_PATH: "" });
      expect(good.device, good.reason).toBe("cpu");
    }
  });
});
