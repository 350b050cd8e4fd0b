/**
 * The feedback page of one submission: the points, each question's tests with their messages,
 * and the notebook as it ran (the student's code, the cells' errors and output).
 */
import type { SubmissionGrade } from "./grade";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (x: number) => String(Number(x.toFixed(2)));

export function feedbackHtml(g: SubmissionGrade): string {
  const qrows = g.questions
    .map((q) => {
      const tests = q.tests
        .map(
          (t) =>
            `<tr class="${t.passed ? "pass" : "fail"}"><td>${esc(q.id)}</td><td>${esc(t.name)}</td><td class="n">${num(t.earned)} / ${num(t.points)}</td>` +
            `<td>${t.passed ? "✓ pass" : "✗ fail"}</td><td>${esc(t.message)}</td></tr>`,
        )
        .join("");
      return tests + `<tr class="sum"><td colspan="2">${esc(q.id)} total</td><td class="n">${num(q.earned)} / ${num(q.points)}</td><td colspan="2">${q.error ? esc(q.error) : ""}</td></tr>`;
    })
    .join("");
  const cells = g.cells
    .map((c) => {
      const tag = c.role === "answer" ? "your answer" : c.role === "tests" ? "tests (public part)" : c.role === "locked" ? "given code" : c.origin === "student" ? "your cell" : "given code";
      const status = c.status === "ok" ? "" : `<div class="err">${esc(c.status)}${c.error ? `: ${esc(c.error)}` : ""}</div>`;
      const out = c.output ? `<pre class="out">${esc(c.output.length > 8000 ? c.output.slice(0, 8000) + "\n…" : c.output)}</pre>` : "";
      return `<section class="cell ${c.role}"><div class="tag">${esc(tag)}${c.gradeId ? ` · ${esc(c.gradeId)}` : ""}</div><pre class="src">${esc(c.source)}</pre>${status}${out}</section>`;
    })
    .join("\n");
  const notes = g.notes.length ? `<h2>Notes</h2><ul>${g.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback: ${esc(g.student)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;white-space:nowrap}tr.pass td:nth-child(4){color:#1a7f37}tr.fail td:nth-child(4){color:#cf222e;font-weight:bold}tr.sum td{font-weight:bold;background:#f6f8fa}
.cell{margin:1rem 0;border-left:4px solid #d0d7de;padding-left:.6rem}.cell.answer{border-color:#0969da}.cell.tests{border-color:#8250df}
.tag{font-size:.8rem;color:#57606a}pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;margin:.3rem 0}pre.out{background:#fff;border:1px solid #d0d7de}.err{color:#cf222e;font-weight:bold}
</style></head><body>
<h1>${esc(g.student)}: ${num(g.total)} / ${num(g.max)} points</h1>
${g.flags.length ? `<p>Flags: ${g.flags.map((f) => `<code>${esc(f)}</code>`).join(" ")}</p>` : ""}
<table><thead><tr><th>question</th><th>test</th><th>points</th><th>result</th><th>message</th></tr></thead><tbody>${qrows}</tbody></table>
${notes}
<h2>Your notebook as it ran</h2>
${cells}
</body></html>
`;
}
