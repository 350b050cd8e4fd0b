/**
 * Questions and their tests, in the running kernel.
 *
 * A homework's test cell holds one question's tests:
 *
 * ```ts
 * await tests("q1", { points: 2 }, () => {
 *   test("shape", () => expectShape(sigmoid(zeros([3, 1])), [3, 1]));
 *   test("values", () => expectClose(sigmoid(tensor([0, 100])), [0.5, 1]));
 * });
 * ```
 *
 * Running the cell runs the tests and shows a table (test, points, result, message). A question's
 * points are split over its tests by weight (default 1 each), so half right earns half the
 * points. `await check("q1")` runs the question's tests again (after a fix, say) and
 * `await check.all()` runs every question seen so far. Outside a notebook the table is printed.
 *
 * Each table also carries the outcome as `application/vnd.gradbook.results+json`, which is what
 * `gradbook grade` reads.
 */
import { getDisplaySink, MimeBundle } from "../display";
import { CheckFailure } from "./expect";

export const RESULTS_MIME = "application/vnd.gradbook.results+json";

export interface TestOutcome {
  name: string;
  weight: number;
  /** Points this test is worth (the question's points times its share of the weight). */
  points: number;
  earned: number;
  passed: boolean;
  /** Empty when it passed; else what went wrong, for the student. */
  message: string;
}

export interface QuestionResult {
  question: string;
  points: number;
  earned: number;
  tests: TestOutcome[];
  /** Set when the question's test body itself failed (no test could be run). */
  error?: string;
}

export interface TestsOptions {
  /** The question's points (the test cell's nbgrader `points`). */
  points: number;
}

export interface TestOptions {
  /** Share of the question's points (default 1; shares are normalised over the question). */
  weight?: number;
}

type Body = () => void | Promise<void>;
interface Registered {
  question: string;
  points: number;
  body: Body;
}
interface Pending {
  name: string;
  fn: () => unknown;
  weight: number;
}

const REGISTRY = Symbol.for("gradbook.grading.questions");
function registry(): Map<string, Registered> {
  const g = globalThis as unknown as Record<symbol, Map<string, Registered>>;
  return (g[REGISTRY] ??= new Map());
}

let collecting: Pending[] | null = null;

function messageOf(e: unknown): string {
  if (e instanceof CheckFailure) return e.message;
  if (e instanceof Error) {
    const m = /^not implemented(?::\s*(.*))?$/.exec(e.message);
    if (m) return `not implemented yet${m[1] ? ` (${m[1]})` : ""}: replace the line throw new Error("${e.message}") with your code`;
    return `${e.name}: ${e.message}`;
  }
  return `threw ${String(e)}`;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

async function runQuestion(q: Registered): Promise<QuestionResult> {
  const pending: Pending[] = [];
  const outer = collecting;
  collecting = pending;
  let bodyError: string | undefined;
  try {
    const r = q.body();
    if (r && typeof (r as Promise<void>).then === "function") await r;
  } catch (e) {
    bodyError = messageOf(e);
  } finally {
    collecting = outer;
  }
  const result: QuestionResult = { question: q.question, points: q.points, earned: 0, tests: [] };
  if (bodyError !== undefined) {
    result.error = bodyError;
    result.tests.push({ name: "(the tests could not run)", weight: 1, points: q.points, earned: 0, passed: false, message: bodyError });
    return result;
  }
  const total = pending.reduce((s, t) => s + t.weight, 0);
  for (const t of pending) {
    let message = "";
    try {
      const r = t.fn();
      if (r && typeof (r as Promise<unknown>).then === "function") await r;
    } catch (e) {
      message = messageOf(e);
    }
    const points = total > 0 ? round((q.points * t.weight) / total) : 0;
    const passed = message === "";
    result.tests.push({ name: t.name, weight: t.weight, points, earned: passed ? points : 0, passed, message });
  }
  if (pending.length === 0) {
    // A test cell without named checks: it passes (full points) when it runs without error.
    result.tests.push({ name: "(the whole cell)", weight: 1, points: q.points, earned: q.points, passed: true, message: "" });
  }
  result.earned = round(result.tests.reduce((s, t) => s + t.earned, 0));
  return result;
}

/** One named check of the current question; outside `tests(...)` it runs at once and prints. */
export function test(name: string, fn: () => unknown, options: TestOptions = {}): void {
  if (typeof name !== "string" || typeof fn !== "function") throw new TypeError('test: expected test("name", () => { ...checks... })');
  const weight = options.weight ?? 1;
  if (!(weight >= 0)) throw new RangeError(`test ${JSON.stringify(name)}: weight must be a number >= 0, got ${weight}`);
  if (collecting) {
    collecting.push({ name, fn, weight });
    return;
  }
  void runQuestion({ question: name, points: 1, body: () => test(name, fn) }).then((r) => show(new QuestionReport([r])));
}

/**
 * Declares question `question`'s tests, runs them, and shows the result table. The returned
 * promise resolves once every test has run.
 */
export async function tests(question: string, options: TestsOptions, body: Body): Promise<void> {
  if (typeof question !== "string" || !options || typeof options.points !== "number" || typeof body !== "function") {
    throw new TypeError('tests: expected tests("q1", { points: 2 }, () => { test("name", () => ...); })');
  }
  const q: Registered = { question, points: options.points, body };
  registry().set(question, q);
  show(new QuestionReport([await runQuestion(q)]));
}

/** The outcome of one or more questions; shows as a table in a notebook. */
export class QuestionReport {
  constructor(readonly questions: QuestionResult[]) {}
  get earned(): number {
    return round(this.questions.reduce((s, q) => s + q.earned, 0));
  }
  get points(): number {
    return round(this.questions.reduce((s, q) => s + q.points, 0));
  }
  get passed(): boolean {
    return this.questions.every((q) => q.tests.every((t) => t.passed));
  }
  toString(): string {
    const rows: string[][] = [["question", "test", "points", "result", "message"]];
    for (const q of this.questions) for (const t of q.tests) rows.push([q.question, t.name, `${fmt(t.earned)}/${fmt(t.points)}`, t.passed ? "pass" : "FAIL", t.message]);
    const widths = [0, 1, 2, 3].map((c) => Math.min(40, Math.max(...rows.map((r) => r[c].length))));
    const lines = rows.map((r) => [...r.slice(0, 4).map((s, c) => s.padEnd(widths[c])), r[4]].join("  ").trimEnd());
    lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
    lines.push(`total ${fmt(this.earned)}/${fmt(this.points)}`);
    return lines.join("\n");
  }
  toMimeBundle(): MimeBundle {
    const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const body = this.questions
      .flatMap((q) =>
        q.tests.map(
          (t) =>
            `<tr><td style="text-align:left">${esc(q.question)}</td><td style="text-align:left">${esc(t.name)}</td><td style="text-align:right">${fmt(t.earned)}/${fmt(t.points)}</td>` +
            `<td style="color:${t.passed ? "#1a7f37" : "#cf222e"};font-weight:bold">${t.passed ? "✓ pass" : "✗ fail"}</td><td style="text-align:left">${esc(t.message)}</td></tr>`,
        ),
      )
      .join("");
    const html =
      `<table class="gradbook-check"><thead><tr><th style="text-align:left">question</th><th style="text-align:left">test</th><th>points</th><th>result</th><th style="text-align:left">message</th></tr></thead>` +
      `<tbody>${body}</tbody><tfoot><tr><td colspan="2"><b>total</b></td><td style="text-align:right"><b>${fmt(this.earned)}/${fmt(this.points)}</b></td><td colspan="2"></td></tr></tfoot></table>`;
    return { "text/plain": this.toString(), "text/html": html, [RESULTS_MIME]: { questions: this.questions } };
  }
}

function fmt(x: number): string {
  return String(Number(x.toFixed(2)));
}

function show(report: QuestionReport): void {
  const sink = getDisplaySink();
  if (sink) sink.display(report.toMimeBundle());
  else process.stdout.write(report.toString() + "\n");
}

export interface Check {
  /** Runs one question's tests again and returns the report (a table in a notebook). */
  (question: string): Promise<QuestionReport>;
  /** Runs every question whose test cell has run in this session. */
  all(): Promise<QuestionReport>;
}

/** Self-check: `await check("q1")`, `await check.all()`. */
export const check: Check = Object.assign(
  async (question: string): Promise<QuestionReport> => {
    const q = registry().get(question);
    if (!q) {
      const known = [...registry().keys()];
      throw new Error(
        `check: no tests for ${JSON.stringify(question)} in this session yet; run the test cell that starts with tests(${JSON.stringify(question)}, ...) first` +
          (known.length ? ` (questions seen so far: ${known.join(", ")})` : ""),
      );
    }
    return new QuestionReport([await runQuestion(q)]);
  },
  {
    all: async (): Promise<QuestionReport> => {
      const out: QuestionResult[] = [];
      for (const q of registry().values()) out.push(await runQuestion(q));
      return new QuestionReport(out);
    },
  },
);
