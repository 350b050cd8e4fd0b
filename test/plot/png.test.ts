import { describe, expect, it } from "vitest";
import { encodeChartPNG } from "../../lib/plot/png";
import { decodePNG } from "../../lib/data/png";
import { plot } from "../../lib/index";

const colorType = (png: Buffer) => png[25];

function rgba(width: number, height: number, color: (x: number, y: number) => [number, number, number]): Uint8Array {
  const px = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) px.set([...color(x, y), 255], 4 * (y * width + x));
  return px;
}

function rgbOf(png: Buffer): number[] {
  const img = decodePNG(png);
  expect(img.channels).toBe(3);
  return Array.from(img.pixels);
}

const dropAlpha = (px: Uint8Array) => Array.from(px).filter((_, i) => i % 4 !== 3);

describe("encodeChartPNG", () => {
  it("writes a chart's few colors with a palette, exactly", () => {
    const px = rgba(40, 30, (x, y) => (x === y ? [76, 120, 168] : x + 1 === y ? [245, 133, 24] : [255, 255, 255]));
    const png = encodeChartPNG(40, 30, px);
    expect(colorType(png)).toBe(3);
    expect(rgbOf(png)).toEqual(dropAlpha(px));
  });

  it("gives shades past the 256th their nearest palette color when they are rare", () => {
    // 256 common grays, and a few pixels of 300 other shades.
    const px = rgba(300, 100, (x, y) => (y === 0 ? [x % 256, 10, (x * 7) % 256] : [y + 100, y + 100, y + 100]));
    const png = encodeChartPNG(300, 100, px);
    expect(colorType(png)).toBe(3);
    const out = rgbOf(png);
    const want = dropAlpha(px);
    // The common colors are exact; every pixel is within a small distance of its own color.
    for (let i = 300 * 3; i < want.length; i++) expect(out[i]).toBe(want[i]);
    let changed = 0;
    for (let i = 0; i < 300 * 3; i += 3) if (out[i] !== want[i] || out[i + 1] !== want[i + 1] || out[i + 2] !== want[i + 2]) changed++;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(300);
  });

  it("keeps truecolor, losslessly and filtered, where a palette would not be faithful", () => {
    const px = rgba(64, 64, (x, y) => [(x * 4) % 256, (y * 4) % 256, (x * y) % 256]);
    const png = encodeChartPNG(64, 64, px);
    expect(colorType(png)).toBe(2);
    expect(rgbOf(png)).toEqual(dropAlpha(px));
  });

  it("rejects a buffer of the wrong size", () => {
    expect(() => encodeChartPNG(2, 2, new Uint8Array(15))).toThrow("encodeChartPNG: expected 2x2x4 = 16 bytes, got 15");
  });

  it("makes the activations chart's whole bundle a third of what it was", () => {
    const b = plot.plotActivations().toMimeBundle() as Record<string, unknown>;
    const size = (v: unknown) => (typeof v === "string" ? v.length : JSON.stringify(v).length);
    // 121 KB of spec, 81 KB of SVG and 163 KB of PNG before: 365 KB.
    const total = Object.values(b).reduce((s: number, v) => s + size(v), 0);
    expect(total).toBeLessThan(160_000);
    const png = Buffer.from(b["image/png"] as string, "base64");
    expect(colorType(png)).toBe(3);
    expect(decodePNG(png).width).toBe(2 * Number(/width="(\d+)"/.exec(b["image/svg+xml"] as string)![1]));
  });
});
