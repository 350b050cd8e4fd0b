/**
 * A homework notebook: reading it (a percent-format `.ts` source or an `.ipynb`), its questions,
 * and the student version `gradbook assign` writes.
 *
 * Markers, in TypeScript comments, each alone on its line:
 * - `// BEGIN SOLUTION` … `// END SOLUTION` in a solution cell: the region becomes
 *   `// YOUR CODE HERE` and `throw new Error("not implemented: q1")` at the marker's indentation.
 *   A solution cell without markers is replaced whole.
 * - `// BEGIN HIDDEN TESTS` … `// END HIDDEN TESTS` in a test (grade) cell: removed.
 *
 * Questions are named by their test cell's `grade_id`; a solution cell's grade_id is the
 * question's name followed by `-answer` (and optionally more: `q2-answer-b`).
 */
import * as fs from "fs";
import * as path from "path";
import { fromIpynb, parseSource, SourceCell, SourceNotebook, toIpynb } from "../nbsource";
import * as library from "../../lib";
import { computeChecksum, isGrade, isLocked, isSolution, meta, validateNbgrader } from "./nbgrader";

export interface Question {
  /** The test cell's grade_id. */
  id: string;
  points: number;
  /** Index of the test cell in the notebook. */
  cell: number;
}

export function readNotebook(file: string): SourceNotebook {
  const text = fs.readFileSync(file, "utf8");
  return file.endsWith(".ts") ? parseSource(text, file) : fromIpynb(text, file);
}

/** The question a solution cell answers. */
export function questionOfAnswer(gradeId: string): string {
  const m = /^(.+?)-answer(?:[-_].*)?$/.exec(gradeId);
  return m ? m[1] : gradeId;
}

export function questions(nb: SourceNotebook): Question[] {
  const out: Question[] = [];
  nb.cells.forEach((c, i) => {
    const m = meta(c);
    if (m && m.grade && !m.solution && c.cell_type === "code") out.push({ id: m.grade_id!, points: Number(m.points), cell: i });
  });
  return out;
}

const BEGIN_SOLUTION = /^(\s*)\/\/\s*BEGIN SOLUTION\s*$/;
const END_SOLUTION = /^\s*\/\/\s*END SOLUTION\s*$/;
const BEGIN_HIDDEN = /^\s*\/\/\s*BEGIN HIDDEN TESTS\s*$/;
const END_HIDDEN = /^\s*\/\/\s*END HIDDEN TESTS\s*$/;

export class HomeworkError extends Error {}

let prelude: Set<string> | null = null;
/** The globals every cell sees: the library's exports. */
function preludeNames(): Set<string> {
  if (!prelude) {
    prelude = new Set(Object.keys(library));
  }
  return prelude;
}

function replaceRegions(source: string, begin: RegExp, end: RegExp, replacement: (indent: string) => string[], what: string, where: string): { text: string; regions: number } {
  const lines = source.split("\n");
  const out: string[] = [];
  let regions = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = begin.exec(lines[i]);
    if (!m) {
      if (end.test(lines[i])) throw new HomeworkError(`${where}: END ${what} on line ${i + 1} without a BEGIN`);
      out.push(lines[i]);
      continue;
    }
    let j = i + 1;
    while (j < lines.length && !end.test(lines[j])) {
      if (begin.test(lines[j])) throw new HomeworkError(`${where}: BEGIN ${what} on line ${j + 1} inside another region`);
      j++;
    }
    if (j >= lines.length) throw new HomeworkError(`${where}: BEGIN ${what} on line ${i + 1} is never closed by END ${what}`);
    out.push(...replacement(m[1] ?? ""));
    regions++;
    i = j;
  }
  return { text: out.join("\n"), regions };
}

function cellName(c: SourceCell, i: number): string {
  return `cell ${i + 1}${c.id ? ` (${c.id})` : ""}${meta(c)?.grade_id ? ` [${meta(c)!.grade_id}]` : ""}`;
}

/** The stub a solution region becomes. */
export function stubLines(indent: string, question: string): string[] {
  return [`${indent}// YOUR CODE HERE`, `${indent}throw new Error("not implemented: ${question}");`];
}

/** The source with hidden tests removed (what a student sees in a test cell). */
export function withoutHiddenTests(source: string, where = "cell"): string {
  return replaceRegions(source, BEGIN_HIDDEN, END_HIDDEN, () => [], "HIDDEN TESTS", where).text;
}

/** The solution with its markers removed (what runs when the solution is checked). */
export function solutionSource(source: string): string {
  return source
    .split("\n")
    .filter((l) => !BEGIN_SOLUTION.test(l) && !END_SOLUTION.test(l) && !BEGIN_HIDDEN.test(l) && !END_HIDDEN.test(l))
    .join("\n");
}

/** Checks a homework's structure; throws HomeworkError naming the cell. */
export function validateHomework(nb: SourceNotebook, file: string): void {
  const problems = validateNbgrader(nb.cells);
  if (problems.length) throw new HomeworkError(`${file}: nbgrader metadata:\n  ${problems.join("\n  ")}`);
  const qs = questions(nb);
  if (qs.length === 0) throw new HomeworkError(`${file}: no test cells (code cells with nbgrader grade: true and solution: false)`);
  const ids = new Set(qs.map((q) => q.id));
  nb.cells.forEach((c, i) => {
    const m = meta(c);
    if (!m) return;
    const where = `${file}: ${cellName(c, i)}`;
    if (m.solution && c.cell_type === "code" && !m.grade) {
      // A name the prelude also defines would fall back to the library's when the student's
      // cell fails to compile, and the tests would pass.
      for (const d of c.source.matchAll(/^(?:export\s+)?(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/gm)) {
        if (preludeNames().has(d[1])) throw new HomeworkError(`${where}: the answer declares ${d[1]}, which the kernel's prelude already defines; choose another name (a failing answer would fall back to the library's ${d[1]})`);
      }
      const q = questionOfAnswer(m.grade_id!);
      if (!ids.has(q)) throw new HomeworkError(`${where}: solution cell for question ${JSON.stringify(q)}, which has no test cell (a test cell's grade_id names its question)`);
    }
    if (m.grade && !m.solution && c.cell_type === "code") {
      const t = /\btests\(\s*"([^"]+)"\s*,\s*\{\s*points:\s*([0-9.]+)/.exec(c.source);
      if (t && (t[1] !== m.grade_id || Number(t[2]) !== m.points)) {
        throw new HomeworkError(`${where}: tests("${t[1]}", { points: ${t[2]} }) does not match the cell's nbgrader metadata (grade_id ${m.grade_id}, points ${m.points})`);
      }
      withoutHiddenTests(c.source, where); // markers well formed
    }
  });
}

/** The student version: solutions stubbed, hidden tests removed, checksums recorded. */
export function studentVersion(nb: SourceNotebook, file = "<homework>"): SourceNotebook {
  validateHomework(nb, file);
  const cells = nb.cells.map((c, i): SourceCell => {
    const m = meta(c);
    const where = `${file}: ${cellName(c, i)}`;
    let source = c.source;
    if (m && isSolution(c) && c.cell_type === "code") {
      const q = questionOfAnswer(m.grade_id!);
      const r = replaceRegions(source, BEGIN_SOLUTION, END_SOLUTION, (indent) => stubLines(indent, q), "SOLUTION", where);
      source = r.regions > 0 ? r.text : stubLines("", q).join("\n");
    } else if (m && isSolution(c)) {
      source = replaceRegions(source, BEGIN_SOLUTION, END_SOLUTION, () => ["YOUR ANSWER HERE"], "SOLUTION", where).text;
      if (source === c.source) source = "YOUR ANSWER HERE";
    }
    if (m && isGrade(c) && !isSolution(c)) source = withoutHiddenTests(source, where);
    const cell: SourceCell = { ...c, metadata: { ...c.metadata }, source };
    if (m) {
      const nm = { ...m };
      delete nm.checksum;
      delete nm.cell_type;
      cell.metadata.nbgrader = nm;
      if (isGrade(cell) || isSolution(cell) || isLocked(cell)) {
        nm.checksum = computeChecksum(cell);
        nm.cell_type = cell.cell_type;
      }
    }
    return cell;
  });
  return { metadata: nb.metadata, cells };
}

/** The notebook as the instructor runs it to check the solution: markers dropped. */
export function solutionVersion(nb: SourceNotebook): SourceNotebook {
  return { metadata: nb.metadata, cells: nb.cells.map((c) => (c.cell_type === "code" ? { ...c, source: solutionSource(c.source) } : c)) };
}

export function writeAtomic(file: string, text: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function writeNotebook(file: string, nb: SourceNotebook): void {
  writeAtomic(file, toIpynb(nb));
}
