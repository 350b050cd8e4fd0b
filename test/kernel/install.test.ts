import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { inflateSync } from "zlib";
import { install, kernelspecDir } from "../../kernel/install";
import { logo } from "../../kernel/png";
import { encodePNG } from "../../lib/plot/png";

describe("kernelspec install", () => {
  it("writes kernel.json and logos under --prefix", () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "gb-prefix-"));
    const dir = install({ kind: "prefix", prefix });
    expect(dir).toBe(path.join(prefix, "share", "jupyter", "kernels", "gradbook"));
    const spec = JSON.parse(fs.readFileSync(path.join(dir, "kernel.json"), "utf8"));
    expect(spec).toMatchObject({ display_name: "TypeScript (gradbook)", language: "typescript", interrupt_mode: "message" });
    expect(spec.argv[0]).toBe(process.execPath);
    expect(spec.argv).toContain("{connection_file}");
    const bin = spec.argv.find((a: string) => a.endsWith("gradbook.js"));
    expect(path.isAbsolute(bin) && fs.existsSync(bin)).toBe(true);
    for (const size of [32, 64]) {
      const png = fs.readFileSync(path.join(dir, `logo-${size}x${size}.png`));
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(png.readUInt32BE(16)).toBe(size);
    }
  });

  it("installs for the user under JUPYTER_DATA_DIR", () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), "gb-data-"));
    const prev = process.env.JUPYTER_DATA_DIR;
    process.env.JUPYTER_DATA_DIR = data;
    try {
      expect(kernelspecDir({ kind: "user" })).toBe(path.join(data, "kernels", "gradbook"));
    } finally {
      if (prev === undefined) delete process.env.JUPYTER_DATA_DIR;
      else process.env.JUPYTER_DATA_DIR = prev;
    }
  });
});

describe("PNG encoder", () => {
  it("stores RGBA pixels as given, and draws the logos with it", () => {
    const px = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128]);
    const png = encodePNG(2, 1, px, 4);
    expect(png[png.indexOf("IHDR") + 4 + 9]).toBe(6); // colour type RGBA
    const idatAt = png.indexOf("IDAT");
    const len = png.readUInt32BE(idatAt - 4);
    const raw = inflateSync(png.subarray(idatAt + 4, idatAt + 4 + len));
    expect([...raw]).toEqual([0, ...px]);
    expect(() => encodePNG(2, 2, px, 4)).toThrow(/expected 2x2x4 = 16 pixels, got 8/);
    expect(logo(16).length).toBeGreaterThan(50);
  });
});
