/**
 * The project's small text corpus (data/corpus.txt, written for gradbook, MIT like the
 * rest of the repository) and helpers for a character-level language model.
 */
import * as fs from "fs";
import * as path from "path";
import { tensor, type Tensor } from "../nn/core";

/** Path of the shipped corpus. Works from lib/ (ts) and dist/lib/ (js). */
export function corpusPath(): string {
  for (const rel of ["../../data/corpus.txt", "../../../data/corpus.txt"]) {
    const p = path.resolve(__dirname, rel);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`loadCorpus: data/corpus.txt not found next to the library (looked from ${__dirname})`);
}

/**
 * The corpus as one string (lower-case English prose, about 3,500 characters).
 * @example const text = data.loadCorpus();
 */
export function loadCorpus(): string {
  return fs.readFileSync(corpusPath(), "utf8");
}

/**
 * A character vocabulary: every distinct character gets an id, in sorted order.
 *
 * @example
 * const vocab = new data.CharVocab(text);
 * vocab.decode(vocab.encode("the")); // "the"
 */
export class CharVocab {
  readonly chars: string[];
  private readonly ids: Map<string, number>;

  constructor(text: string) {
    this.chars = [...new Set(Array.from(text))].sort();
    if (this.chars.length === 0) throw new Error("CharVocab: the text is empty");
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  get size(): number {
    return this.chars.length;
  }

  encode(text: string): Int32Array {
    return Int32Array.from(Array.from(text), (c) => {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`CharVocab.encode: character ${JSON.stringify(c)} is not in the vocabulary`);
      return id;
    });
  }

  decode(ids: ArrayLike<number> | Tensor): string {
    const a = "data" in (ids as object) && typeof (ids as Tensor).data === "function" ? (ids as Tensor).data() : (ids as ArrayLike<number>);
    let s = "";
    for (let i = 0; i < a.length; i++) {
      const c = this.chars[a[i]];
      if (c === undefined) throw new Error(`CharVocab.decode: id ${a[i]} is outside [0, ${this.size})`);
      s += c;
    }
    return s;
  }
}

/**
 * Next-character training pairs: X[i] is `seqLength` characters starting at i·stride and
 * y[i] the same window shifted by one (int32 [N, seqLength] each).
 *
 * @example
 * const { X, y, vocab } = data.charSequences(data.loadCorpus(), { seqLength: 32, stride: 16 });
 */
export function charSequences(
  text: string,
  options: { seqLength?: number; stride?: number; vocab?: CharVocab } = {},
): { X: Tensor; y: Tensor; vocab: CharVocab } {
  const { seqLength = 32, stride = seqLength } = options;
  if (!Number.isInteger(seqLength) || seqLength < 1) throw new Error(`charSequences: seqLength must be a positive integer, got ${seqLength}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`charSequences: stride must be a positive integer, got ${stride}`);
  const vocab = options.vocab ?? new CharVocab(text);
  const ids = vocab.encode(text);
  if (ids.length < seqLength + 1) throw new Error(`charSequences: the text (${ids.length} characters) is shorter than seqLength + 1 (${seqLength + 1})`);
  const n = Math.floor((ids.length - seqLength - 1) / stride) + 1;
  const X = new Int32Array(n * seqLength);
  const y = new Int32Array(n * seqLength);
  for (let i = 0; i < n; i++) {
    X.set(ids.subarray(i * stride, i * stride + seqLength), i * seqLength);
    y.set(ids.subarray(i * stride + 1, i * stride + seqLength + 1), i * seqLength);
  }
  return {
    X: tensor(X, { dtype: "int32", shape: [n, seqLength] }),
    y: tensor(y, { dtype: "int32", shape: [n, seqLength] }),
    vocab,
  };
}
