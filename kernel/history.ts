/**
 * Execution history kept in a JSON-lines file, so `history_request` (tail, range, search)
 * sees earlier kernel sessions too. Each kernel start is a new session number.
 *
 * The file is `$GRADBOOK_HISTORY`, else `$XDG_DATA_HOME/gradbook/history.jsonl`
 * (`~/.local/share/gradbook/history.jsonl`). Writes are appended in order, off the
 * critical path; a missing or unwritable file only disables persistence.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { log } from "./log";

export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  output: string | null;
}

export type HistoryItem = [number, number, string] | [number, number, [string, string | null]];

const KEEP = 20_000;

export function defaultHistoryFile(): string {
  if (process.env.GRADBOOK_HISTORY) return process.env.GRADBOOK_HISTORY;
  const data = process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share");
  return path.join(data, "gradbook", "history.jsonl");
}

export class History {
  readonly session: number;
  private readonly entries: HistoryEntry[] = [];
  private writeChain: Promise<void> = Promise.resolve();
  private dirMade = false;

  constructor(private readonly file: string | null = defaultHistoryFile()) {
    let maxSession = 0;
    if (file) {
      try {
        const text = fs.readFileSync(file, "utf8");
        const byKey = new Map<string, HistoryEntry>();
        for (const line of text.split("\n")) {
          if (!line) continue;
          let r: { s: number; n: number; i?: string; o?: string };
          try {
            r = JSON.parse(line);
          } catch {
            continue; // a torn last line from a killed kernel
          }
          maxSession = Math.max(maxSession, r.s);
          const key = `${r.s}:${r.n}`;
          if (r.i !== undefined) {
            const e = { session: r.s, line: r.n, input: r.i, output: null };
            byKey.set(key, e);
            this.entries.push(e);
          } else if (r.o !== undefined && byKey.has(key)) byKey.get(key)!.output = r.o;
        }
        if (this.entries.length > KEEP) this.entries.splice(0, this.entries.length - KEEP);
      } catch (e) {
        if ((e as { code?: string }).code !== "ENOENT") log(`history: cannot read ${file}: ${(e as Error).message}`);
      }
    }
    this.session = maxSession + 1;
  }

  add(line: number, input: string): void {
    this.entries.push({ session: this.session, line, input, output: null });
    this.write({ s: this.session, n: line, i: input });
  }

  setOutput(line: number, output: string): void {
    let e: HistoryEntry | undefined;
    for (let i = this.entries.length - 1; i >= 0 && !e; i--) {
      if (this.entries[i].session === this.session && this.entries[i].line === line) e = this.entries[i];
    }
    if (!e) return;
    e.output = output;
    this.write({ s: this.session, n: line, o: output });
  }

  private write(record: object): void {
    if (!this.file) return;
    const file = this.file;
    const text = JSON.stringify(record) + "\n";
    const first = !this.dirMade;
    this.dirMade = true;
    this.writeChain = this.writeChain.then(async () => {
      try {
        if (first) await fs.promises.mkdir(path.dirname(file), { recursive: true });
        await fs.promises.appendFile(file, text);
      } catch (e) {
        log(`history: cannot write ${file}: ${(e as Error).message}`);
      }
    });
  }

  /** Resolves when every write so far reached the file. */
  flushed(): Promise<void> {
    return this.writeChain;
  }

  private items(list: HistoryEntry[], output: boolean): HistoryItem[] {
    return list.map((e) => (output ? [e.session, e.line, [e.input, e.output]] : [e.session, e.line, e.input]));
  }

  tail(n: number, output = false): HistoryItem[] {
    return this.items(n > 0 ? this.entries.slice(-n) : [], output);
  }

  /** Lines [start, stop) of a session; 0 or negative sessions count back from the current one. */
  range(session: number, start: number, stop: number | null, output = false): HistoryItem[] {
    const s = session <= 0 ? this.session + session : session;
    return this.items(this.entries.filter((e) => e.session === s && e.line >= start && (stop === null || stop <= 0 || e.line < stop)), output);
  }

  /** Inputs matching a glob (`*`, `?`), newest last; `unique` keeps the last of duplicates. */
  search(pattern: string, n: number | null, unique: boolean, output = false): HistoryItem[] {
    const re = new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]") + "$");
    let hits = this.entries.filter((e) => re.test(e.input));
    if (unique) {
      const seen = new Set<string>();
      hits = hits.reverse().filter((e) => (seen.has(e.input) ? false : (seen.add(e.input), true))).reverse();
    }
    if (n !== null && n > 0) hits = hits.slice(-n);
    return this.items(hits, output);
  }
}
