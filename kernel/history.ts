/**
 * Execution history kept in a JSON-lines file, so `history_request` (tail, range, search)
 * sees earlier kernel sessions too. Each kernel start is a new session number.
 *
 * The file is `$GRADBOOK_HISTORY`, else `$XDG_DATA_HOME/gradbook/history.jsonl`
 * (`~/.local/share/gradbook/history.jsonl`). Writes are appended in order, off the
 * critical path; a missing or unwritable file only disables persistence, and `problem` says
 * why (the protocol tells the user once). The file holds every cell a student typed: it is
 * created private (0600). Each kernel reserves its session number with a marker line, so
 * kernels sharing the file never take the same one.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { randomUUID } from "crypto";
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
  /** Why history is not being saved, until someone takes the message (once). */
  private problemText: string | null = null;
  private problemTold = false;

  constructor(private readonly file: string | null = defaultHistoryFile()) {
    let maxSession = 0;
    let readBytes = 0;
    if (file) {
      try {
        const buf = fs.readFileSync(file);
        readBytes = buf.length;
        const text = buf.toString("utf8");
        const byKey = new Map<string, HistoryEntry>();
        for (const line of text.split("\n")) {
          if (!line) continue;
          let r: { s: number; n: number; i?: string; o?: string };
          try {
            r = JSON.parse(line);
          } catch {
            continue; // a torn last line from a killed kernel
          }
          if (typeof r.s !== "number") continue;
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
    this.session = file ? this.reserveSession(file, maxSession + 1, readBytes) : maxSession + 1;
  }

  /**
   * Appends a marker `{"s": N, "k": id}` and reads what was appended meanwhile: if another
   * kernel's line with a session >= N comes first, tries the next free number.
   */
  private reserveSession(file: string, candidate: number, offset: number): number {
    const me = randomUUID();
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      this.dirMade = true;
      for (let attempt = 0; attempt < 20; attempt++) {
        fs.appendFileSync(file, JSON.stringify({ s: candidate, k: me }) + "\n", { mode: 0o600 });
        const fd = fs.openSync(file, "r");
        let tail: string;
        try {
          const size = fs.fstatSync(fd).size;
          const buf = Buffer.alloc(Math.max(0, size - offset));
          fs.readSync(fd, buf, 0, buf.length, offset);
          tail = buf.toString("utf8");
        } finally {
          fs.closeSync(fd);
        }
        let clash = 0;
        for (const line of tail.split("\n")) {
          if (!line) continue;
          let r: { s?: number; k?: string };
          try {
            r = JSON.parse(line);
          } catch {
            continue;
          }
          if (r.k === me && r.s === candidate) break;
          if (typeof r.s === "number" && r.s >= candidate) clash = Math.max(clash, r.s);
        }
        if (!clash) break;
        candidate = clash + 1;
      }
      // Files written by earlier versions were 0644; what students typed is theirs alone.
      if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    } catch (e) {
      this.fail(e);
    }
    return candidate;
  }

  private fail(e: unknown): void {
    const reason = (e as Error).message;
    log(`history: cannot write ${this.file}: ${reason}`);
    this.problemText ??= `[gradbook] the history of this session is not saved: cannot write ${this.file} (${reason}). Set GRADBOOK_HISTORY to a writable file to keep it.\n`;
  }

  /** The message explaining why history is not saved, the first time it is asked for. */
  takeProblem(): string | null {
    if (!this.problemText || this.problemTold) return null;
    this.problemTold = true;
    return this.problemText;
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
        if (first) await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        await fs.promises.appendFile(file, text, { mode: 0o600 });
      } catch (e) {
        if (!this.problemText) this.fail(e);
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
