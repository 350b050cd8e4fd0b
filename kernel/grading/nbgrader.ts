/**
 * nbgrader's cell metadata (schema version 3), as nbgrader itself reads and writes it:
 * `metadata.nbgrader = { schema_version: 3, grade, solution, locked, task?, grade_id, points?,
 * checksum?, cell_type? }`, and its checksum of a cell (MD5 over the source, the cell type, the
 * grade/solution/locked flags as Python writes booleans, the grade id, and the points as a
 * Python float), so a notebook made here can go through nbgrader and back.
 */
import { createHash } from "crypto";
import type { SourceCell } from "../nbsource";

export interface NbgraderMeta {
  schema_version: 3;
  grade: boolean;
  solution: boolean;
  locked: boolean;
  task?: boolean;
  grade_id?: string;
  points?: number;
  checksum?: string;
  cell_type?: "code" | "markdown" | "raw";
}

export function meta(cell: { metadata?: Record<string, unknown> }): NbgraderMeta | null {
  const m = cell.metadata?.nbgrader;
  return m && typeof m === "object" ? (m as NbgraderMeta) : null;
}

export const isGrade = (c: SourceCell) => !!meta(c)?.grade;
export const isSolution = (c: SourceCell) => !!meta(c)?.solution;
/** nbgrader's rule: solution cells are never locked, grade (test) cells always are. */
export function isLocked(c: SourceCell): boolean {
  const m = meta(c);
  if (!m) return false;
  if (m.solution) return false;
  if (m.grade) return true;
  return !!m.locked;
}

/** Python's str(float(x)). */
function pyFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x);
}

const py = (b: boolean) => (b ? "True" : "False");

/** nbgrader's `compute_checksum` of a cell. */
export function computeChecksum(c: SourceCell): string {
  const m = meta(c);
  if (!m) throw new Error("computeChecksum: the cell has no nbgrader metadata");
  const h = createHash("md5");
  h.update(Buffer.from(c.source, "utf8"));
  h.update(c.cell_type);
  h.update(py(isGrade(c)));
  h.update(py(isSolution(c)));
  h.update(py(isLocked(c)));
  h.update(Buffer.from(m.grade_id ?? "", "utf8"));
  if (isGrade(c)) h.update(pyFloat(Number(m.points)));
  return h.digest("hex");
}

const KEYS = new Set(["schema_version", "grade", "solution", "locked", "task", "grade_id", "points", "checksum", "cell_type"]);

/**
 * Problems with a notebook's nbgrader metadata under schema version 3 (its JSON schema plus the
 * rules nbgrader checks when it reads a notebook); empty when nbgrader would accept it.
 */
export function validateNbgrader(cells: SourceCell[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  cells.forEach((c, i) => {
    const m = meta(c);
    if (c.metadata?.nbgrader === undefined) return;
    const where = `cell ${i + 1}${c.id ? ` (${c.id})` : ""}`;
    if (!m) return problems.push(`${where}: nbgrader metadata must be an object`);
    for (const k of Object.keys(m)) if (!KEYS.has(k)) problems.push(`${where}: unknown nbgrader key ${JSON.stringify(k)}`);
    for (const k of ["schema_version", "grade", "locked", "solution"]) if (!(k in m)) problems.push(`${where}: nbgrader.${k} is required`);
    if (m.schema_version !== 3) problems.push(`${where}: schema_version must be the integer 3`);
    for (const k of ["grade", "locked", "solution", "task"] as const) if (k in m && typeof m[k] !== "boolean") problems.push(`${where}: nbgrader.${k} must be a boolean`);
    if ("grade_id" in m && (typeof m.grade_id !== "string" || !/^[a-zA-Z0-9_-]*$/.test(m.grade_id))) problems.push(`${where}: grade_id must match ^[a-zA-Z0-9_-]*$`);
    if ("points" in m && (typeof m.points !== "number" || !(m.points >= 0))) problems.push(`${where}: points must be a number >= 0`);
    if ("checksum" in m && (typeof m.checksum !== "string" || m.checksum.length !== 32)) problems.push(`${where}: checksum must be a 32-character string`);
    if ("cell_type" in m && !["raw", "code", "markdown"].includes(m.cell_type as string)) problems.push(`${where}: cell_type must be raw, code or markdown`);
    if (m.grade || m.solution || m.locked) {
      if (m.grade_id === undefined) problems.push(`${where}: a grade, solution or locked cell needs a grade_id`);
      else if (m.grade_id === "") problems.push(`${where}: grade_id is empty`);
      else if (ids.has(m.grade_id)) problems.push(`${where}: duplicate grade_id ${m.grade_id}`);
      else ids.add(m.grade_id);
    }
    if (m.grade && m.points === undefined) problems.push(`${where}: a grade cell needs points`);
    if (!m.task) {
      if (c.cell_type === "markdown" && m.grade && !m.solution) problems.push(`${where}: a markdown grade cell must also be a solution cell`);
      if (c.cell_type === "markdown" && !m.grade && m.solution) problems.push(`${where}: a markdown solution cell must also be a grade cell`);
    } else if (c.cell_type !== "markdown") problems.push(`${where}: task cells must be markdown`);
  });
  return problems;
}
