/**
 * Checks on rendered charts shared by the plot tests: well-formed SVG, the marks inside it,
 * and the PNG header.
 */
import { Resvg } from "@resvg/resvg-js";
import { decodePNG as decodeAnyPNG } from "../../lib/data/png";

/** Throws unless `svg` is well-formed XML as far as tags go (every tag closed, in order). */
export function assertWellFormedSVG(svg: string): void {
  if (!svg.startsWith("<svg")) throw new Error(`SVG must start with <svg, got ${svg.slice(0, 40)}`);
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let m = re.exec(svg); m; m = re.exec(svg)) {
    const between = svg.slice(last, m.index);
    if (between.includes("<")) throw new Error(`malformed markup near: ${between.slice(between.indexOf("<"), between.indexOf("<") + 60)}`);
    last = re.lastIndex;
    if (!m[2]) continue;
    if (m[1]) {
      const open = stack.pop();
      if (open !== m[2]) throw new Error(`</${m[2]}> closes <${open}>`);
    } else if (!m[4]) stack.push(m[2]);
  }
  if (stack.length) throw new Error(`unclosed tags: ${stack.join(", ")}`);
  if (svg.slice(last).trim() !== "") throw new Error("trailing content after </svg>");
  // A real SVG parser (resvg's usvg) must accept it too.
  new Resvg(svg).render();
}

/** The inner markup of every <g class="mark-TYPE role-ROLE ..."> group. */
export function markGroups(svg: string, type: string, role = "mark"): string[] {
  const out: string[] = [];
  const open = new RegExp(`<g class="mark-${type} role-${role}[^"]*"[^>]*>`, "g");
  for (let m = open.exec(svg); m; m = open.exec(svg)) {
    let depth = 1, i = open.lastIndex;
    const tag = /<(\/?)g[\s>]/g;
    tag.lastIndex = i;
    for (let t = tag.exec(svg); t; t = tag.exec(svg)) {
      depth += t[1] ? -1 : 1;
      if (depth === 0) { out.push(svg.slice(i, t.index)); break; }
    }
  }
  return out;
}

/** Counts the drawn items (paths, texts, images) in the groups of a mark type. */
export function countMarks(svg: string, type: string, element: string, role = "mark"): number {
  return markGroups(svg, type, role).reduce((n, g) => n + (g.match(new RegExp(`<${element}[\\s>/]`, "g"))?.length ?? 0), 0);
}

/** Width and height from a base64 PNG's IHDR chunk. */
export function pngSize(base64: string): { width: number; height: number } {
  const b = Buffer.from(base64, "base64");
  if (b.subarray(0, 8).toString("hex") !== "89504e470d0a1a0a") throw new Error("not a PNG");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** The SVG's declared size. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error("SVG has no width/height");
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** Decodes a PNG (base64 or a data URL) with the library's decoder, so tests can look at pixels. */
export function decodePNG(input: string) {
  const img = decodeAnyPNG(Buffer.from(input.replace(/^data:image\/png;base64,/, ""), "base64"));
  return {
    width: img.width, height: img.height, channels: img.channels,
    pixel(x: number, y: number): number[] {
      const o = (y * img.width + x) * img.channels;
      return Array.from(img.pixels.subarray(o, o + img.channels));
    },
  };
}

/**
 * Throws if two visible labels of one axis overlap in the SVG. Widths are estimated for DejaVu
 * Sans (at most 0.62 em per character); rotated labels need one line height between them.
 */
export function assertNoOverlappingLabels(svg: string): void {
  for (const g of markGroups(svg, "text", "axis-label")) {
    const labels = [...g.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)]
      .filter((m) => !/opacity="0"/.test(m[1]))
      .map((m) => {
        const t = /translate\(([-\d.]+),([-\d.]+)\)(?:\s*rotate\(([-\d.]+)\))?/.exec(m[1])!;
        const size = Number(/font-size="([\d.]+)px"/.exec(m[1])?.[1] ?? 11);
        const anchor = /text-anchor="(\w+)"/.exec(m[1])?.[1] ?? "start";
        return { text: m[2], x: Number(t[1]), y: Number(t[2]), rotated: t[3] !== undefined && Number(t[3]) !== 0, size, anchor };
      });
    const horizontal = labels.length > 1 && labels.every((l) => l.y === labels[0].y);
    if (!horizontal) {
      // A vertical axis: labels stacked, one line height apart at least.
      const ys = labels.map((l) => l.y).sort((a, b) => a - b);
      for (let i = 1; i < ys.length; i++) if (ys[i] - ys[i - 1] < labels[0].size * 0.9) throw new Error(`axis labels ${ys[i - 1]} and ${ys[i]} overlap`);
      continue;
    }
    const spans = labels.map((l) => {
      const w = l.rotated ? l.size : l.text.length * l.size * 0.62;
      const start = l.rotated || l.anchor === "middle" ? l.x - w / 2 : l.anchor === "end" ? l.x - w : l.x;
      return { text: l.text, start, end: start + w };
    }).sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i].start < spans[i - 1].end - 0.5) throw new Error(`axis labels "${spans[i - 1].text}" and "${spans[i].text}" overlap`);
    }
  }
}
