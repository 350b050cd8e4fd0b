import { describe, expect, it } from "vitest";
import * as fs from "fs";
import { jargonPath, loadJargon } from "../../lib/data/jargon";
import { charSequences } from "../../lib/data/text";

describe("loadJargon", () => {
  it("reads the shipped Jargon File excerpt: ASCII entries, about 200,000 characters", () => {
    const text = loadJargon();
    expect(text.length).toBe(fs.readFileSync(jargonPath(), "utf8").length);
    expect(text.length).toBeGreaterThan(190_000);
    expect(/^[\x0a\x20-\x7e]*$/.test(text)).toBe(true);
    expect(text.startsWith(":(TM):")).toBe(true);
    expect(text).toContain(":cargo cult programming:");
  });
  it("cuts and lower-cases on request, and feeds charSequences", () => {
    const t = loadJargon({ maxChars: 1000, lowercase: true });
    expect(t.length).toBe(1000);
    expect(t).toBe(t.toLowerCase());
    const { X, vocab } = charSequences(t, { seqLength: 50 });
    expect(X.shape).toEqual([19, 50]);
    expect(vocab.size).toBeLessThan(60);
    expect(() => loadJargon({ maxChars: 0 })).toThrow(/maxChars must be a positive integer, got 0/);
  });
});
