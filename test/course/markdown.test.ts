import * as fs from "fs";
import * as path from "path";
import katex from "katex";
import { describe, expect, it } from "vitest";
import { parseSource } from "../../kernel/nbsource";

// The prose of every course source: no control characters (a TAB or CR in a formula is the mark
// of a broken escape), every formula parses with KaTeX, every relative link and image exists.
const root = path.resolve(__dirname, "..", "..");
const notebooks = path.join(root, "notebooks");
const srcDir = path.join(notebooks, "src");
const sources = fs.readdirSync(srcDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort();

/** `$$…$$` and `$…$` formulas of a markdown text, outside code spans and fenced blocks. */
export function formulas(md: string): { tex: string; display: boolean }[] {
  const found: { tex: string; display: boolean }[] = [];
  const text = md.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const re = /\$\$([\s\S]+?)\$\$|(?<![\\$])\$(?!\s)((?:\\\$|[^$\n])+?)(?<!\s)\$(?!\d)/g;
  for (const m of text.matchAll(re)) found.push(m[1] !== undefined ? { tex: m[1], display: true } : { tex: m[2], display: false });
  return found;
}

/** Link and image targets of a markdown text (inline `[..](target)` and `<img src>`). */
export function targets(md: string): string[] {
  const text = md.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const out: string[] = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]);
  for (const m of text.matchAll(/<img[^>]*\ssrc="([^"]+)"/g)) out.push(m[1]);
  return out;
}

describe("course markdown", () => {
  it("finds formulas and links the way a renderer does", () => {
    expect(formulas("cost $5 and $x^2$, `$notmath$`, $$\\sum_i x_i$$")).toEqual([
      { tex: "x^2", display: false },
      { tex: "\\sum_i x_i", display: true },
    ]);
    expect(targets("see [the docs](../docs/course.md#top) and ![plot](img/a.png \"t\") and [web](https://x.org)")).toEqual(["../docs/course.md#top", "img/a.png", "https://x.org"]);
    expect(() => katex.renderToString("\\frac{1}{", { throwOnError: true })).toThrow();
  });

  for (const f of sources) {
    it(f, () => {
      const nb = parseSource(fs.readFileSync(path.join(srcDir, f), "utf8"), f);
      const problems: string[] = [];
      nb.cells.forEach((c) => {
        const where = `${f} cell ${c.id}`;
        // eslint-disable-next-line no-control-regex
        const ctrl = /[\u0000-\u0009\u000b-\u001f\u007f]/.exec(c.source);
        if (ctrl) problems.push(`${where}: control character U+${ctrl[0].charCodeAt(0).toString(16).padStart(4, "0")} at ${JSON.stringify(c.source.slice(Math.max(0, ctrl.index - 20), ctrl.index + 20))}`);
        if (c.cell_type !== "markdown") return;
        for (const { tex, display } of formulas(c.source)) {
          try {
            katex.renderToString(tex, { throwOnError: true, displayMode: display, strict: "error" });
          } catch (e) {
            problems.push(`${where}: ${display ? "$$" : "$"}${tex}${display ? "$$" : "$"}: ${(e as Error).message}`);
          }
        }
        for (const t of targets(c.source)) {
          if (/^[a-z][a-z0-9+.-]*:/i.test(t) || t.startsWith("#")) continue;
          const file = decodeURI(t.split("#")[0]);
          if (!fs.existsSync(path.resolve(notebooks, file))) problems.push(`${where}: link or image ${t} does not resolve (from notebooks/)`);
        }
      });
      expect(problems).toEqual([]);
    });
  }
});
