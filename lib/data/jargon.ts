/**
 * A larger text for character-level language models: the first ~200,000 characters (entries
 * ":(TM):" to "cargo cult programming") of the Jargon File 4.4.7, the hackers' lexicon, which
 * is in the public domain. Taken from Debian's `jargon-text` package
 * (/usr/share/doc/jargon-text/jargon.txt.gz) and shipped as data/jargon.txt, with non-ASCII
 * punctuation replaced by ASCII and each paragraph on one line. Details: docs/data.md.
 */
import * as fs from "fs";
import * as path from "path";

/** Path of the shipped excerpt. Works from lib/ (ts) and dist/lib/ (js). */
export function jargonPath(): string {
  for (const rel of ["../../data/jargon.txt", "../../../data/jargon.txt"]) {
    const p = path.resolve(__dirname, rel);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`loadJargon: data/jargon.txt not found next to the library (looked from ${__dirname})`);
}

export interface JargonOptions {
  /** Keep only the first maxChars characters (default: all, about 200,000). */
  maxChars?: number;
  /** Lower-case the text, which shrinks the vocabulary by 26 characters (default false). */
  lowercase?: boolean;
}

/**
 * The Jargon File excerpt as one string: entries such as ":cruft: n." followed by their
 * definitions, one paragraph per line, ASCII only.
 *
 * @example const text = data.loadJargon({ maxChars: 50_000, lowercase: true });
 */
export function loadJargon(options: JargonOptions = {}): string {
  const { maxChars, lowercase = false } = options;
  if (maxChars !== undefined && (!Number.isInteger(maxChars) || maxChars < 1)) {
    throw new Error(`loadJargon: maxChars must be a positive integer, got ${maxChars}`);
  }
  let text = fs.readFileSync(jargonPath(), "utf8");
  if (maxChars !== undefined) text = text.slice(0, maxChars);
  return lowercase ? text.toLowerCase() : text;
}
