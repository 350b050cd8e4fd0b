/**
 * Course sources: a notebook as one TypeScript file in jupytext's "percent" format, and back.
 *
 * ```ts
 * // ---
 * // jupyter:
 * //   kernelspec:
 * //     display_name: TypeScript (gradbook)
 * //     language: typescript
 * //     name: gradbook
 * // ---
 *
 * // %% [markdown] id="intro"
 * // # A title
 * //
 * // Some prose with $x^2$.
 *
 * // %% id="first-code" tags=["setup"]
 * const X = randn([4, 2]);
 * ```
 *
 * - A cell starts at a `// %%` marker line; `[markdown]` and `[raw]` mark non-code cells, whose
 *   lines are written as `// ` comments (an empty line as `//`). Code cells are written as they are.
 * - After the marker come `key=value` pairs with JSON values: `id` is the cell's id (nbformat 4.5),
 *   every other key is cell metadata (`nbgrader={"grade": true, "points": 2}`).
 * - Cells are separated by one blank line. The header is the notebook's metadata in a small YAML
 *   subset (nested mappings of scalars), as jupytext writes it.
 *
 * The conversion is lossless for canonical sources: `renderSource(parseSource(s)) === s`, and
 * `parseSource(renderSource(nb))` gives back `nb`'s cells, ids, metadata and notebook metadata.
 * Outputs and execution counts are not part of a source: `.ipynb` files made from one have them
 * cleared. `language_info` is left to the kernel, which reports it when a notebook runs.
 */

export type CellType = "code" | "markdown" | "raw";

export interface SourceCell {
  cell_type: CellType;
  id?: string;
  metadata: Record<string, unknown>;
  source: string;
}

export interface SourceNotebook {
  metadata: Record<string, unknown>;
  cells: SourceCell[];
}

/** Thrown for a source that cannot be read; `line` is 1-based. */
export class NotebookSourceError extends Error {
  constructor(message: string, readonly file: string, readonly line: number) {
    super(`${file}:${line}: ${message}`);
    this.name = "NotebookSourceError";
  }
}

const MARKER = /^\/\/ %%(?: \[(markdown|raw)\])?(?: (.*))?$/;
const HEADER_OPEN = "// ---";
const IDENT = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export const GRADBOOK_KERNELSPEC = { display_name: "TypeScript (gradbook)", language: "typescript", name: "gradbook" };

/** True for a line that starts a cell. */
export function isMarker(line: string): boolean {
  return MARKER.test(line);
}

/** Reads a percent-format source. `file` names it in error messages. */
export function parseSource(text: string, file = "<source>"): SourceNotebook {
  if (text.includes("\r")) throw new NotebookSourceError("carriage return in the source (use LF line endings)", file, lineOf(text, text.indexOf("\r")));
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  else throw new NotebookSourceError("the file must end with a newline", file, lines.length);
  let i = 0;
  let metadata: Record<string, unknown> = {};
  if (lines[0] === HEADER_OPEN) {
    const end = lines.indexOf(HEADER_OPEN, 1);
    if (end < 0) throw new NotebookSourceError("the header opened with '// ---' is never closed", file, 1);
    const yaml = lines.slice(1, end).map((l, k) => {
      if (l !== "//" && !l.startsWith("// ")) throw new NotebookSourceError("header lines must be '// ' comments", file, k + 2);
      return l.slice(3);
    });
    const parsed = parseYamlSubset(yaml, file, 2);
    if (parsed.jupyter === undefined || typeof parsed.jupyter !== "object") throw new NotebookSourceError("the header must hold a 'jupyter:' mapping", file, 2);
    metadata = parsed.jupyter as Record<string, unknown>;
    i = end + 1;
    if (i < lines.length && lines[i] !== "") throw new NotebookSourceError("a blank line must follow the header", file, i + 1);
    i++;
  }
  const cells: SourceCell[] = [];
  while (i < lines.length) {
    const m = MARKER.exec(lines[i]);
    if (!m) throw new NotebookSourceError(`expected a cell marker ('// %%'), found ${JSON.stringify(lines[i])}`, file, i + 1);
    const markerLine = i + 1;
    const cellType: CellType = (m[1] as CellType | undefined) ?? "code";
    const attrs = parseAttributes(m[2] ?? "", file, markerLine);
    let j = i + 1;
    while (j < lines.length && !MARKER.test(lines[j])) j++;
    let body = lines.slice(i + 1, j);
    if (j < lines.length) {
      if (body.length === 0 || body[body.length - 1] !== "") throw new NotebookSourceError("cells are separated by one blank line", file, j + 1);
      body = body.slice(0, -1);
    }
    if (cellType !== "code") {
      body = body.map((l, k) => {
        if (l === "//") return "";
        if (l.startsWith("// ")) return l.slice(3);
        throw new NotebookSourceError(`every line of a ${cellType} cell starts with '// ' (or is '//')`, file, i + 2 + k);
      });
    }
    const { id, ...rest } = attrs;
    if (id !== undefined && typeof id !== "string") throw new NotebookSourceError("a cell's id must be a string", file, markerLine);
    const cell: SourceCell = { cell_type: cellType, metadata: rest, source: body.join("\n") };
    if (id !== undefined) cell.id = id as string;
    cells.push(cell);
    i = j;
  }
  return { metadata, cells };
}

/** Writes a notebook as a canonical percent-format source. */
export function renderSource(nb: SourceNotebook, file = "<notebook>"): string {
  const out: string[] = [];
  if (Object.keys(nb.metadata).length > 0) {
    out.push(HEADER_OPEN);
    for (const l of renderYamlSubset({ jupyter: nb.metadata }, "")) out.push(l === "" ? "//" : `// ${l}`);
    out.push(HEADER_OPEN, "");
  }
  nb.cells.forEach((cell, k) => {
    if (k > 0) out.push("");
    const where = `${file}: cell ${k + 1} (${cell.id ?? "no id"})`;
    if ("id" in cell.metadata) throw new Error(`${where}: a metadata key named "id" cannot be written in a source (it would be read as the cell's id)`);
    if (cell.source.includes("\r")) throw new Error(`${where}: carriage return in the cell (use LF line endings)`);
    const attrs: Record<string, unknown> = {};
    if (cell.id !== undefined) attrs.id = cell.id;
    for (const key of Object.keys(cell.metadata).sort()) attrs[key] = cell.metadata[key];
    const tail = renderAttributes(attrs, file, k);
    out.push(`// %%${cell.cell_type === "code" ? "" : ` [${cell.cell_type}]`}${tail ? ` ${tail}` : ""}`);
    const lines = cell.source.split("\n");
    if (cell.cell_type === "code") {
      lines.forEach((l, n) => {
        if (MARKER.test(l)) throw new Error(`${where}, line ${n + 1}: a code line cannot start with '// %%' in a source`);
      });
      out.push(...lines);
    } else {
      const commented = lines.map((l) => (l === "" ? "//" : `// ${l}`));
      commented.forEach((l, n) => {
        if (MARKER.test(l)) throw new Error(`${where}, line ${n + 1}: a ${cell.cell_type} line cannot start with '%%' in a source (it would read as a cell marker)`);
      });
      out.push(...commented);
    }
  });
  return out.join("\n") + "\n";
}

// ---- key=value attributes on the marker line ----

function parseAttributes(text: string, file: string, line: number): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  let p = 0;
  while (p < text.length) {
    const eq = text.indexOf("=", p);
    if (eq < 0) throw new NotebookSourceError(`cell attributes are key=value pairs; cannot read ${JSON.stringify(text.slice(p))}`, file, line);
    const key = text.slice(p, eq);
    if (!IDENT.test(key)) throw new NotebookSourceError(`bad attribute name ${JSON.stringify(key)}`, file, line);
    const end = jsonValueEnd(text, eq + 1);
    const raw = text.slice(eq + 1, end);
    try {
      attrs[key] = JSON.parse(raw);
    } catch (e) {
      throw new NotebookSourceError(`the value of ${key} is not JSON: ${raw} (${(e as Error).message})`, file, line);
    }
    p = end;
    if (p < text.length) {
      if (text[p] !== " ") throw new NotebookSourceError(`expected a space after ${key}=${raw}`, file, line);
      p++;
    }
  }
  return attrs;
}

/** Index just past the JSON value starting at `start` (strings, arrays, objects, literals). */
function jsonValueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let p = start; p < text.length; p++) {
    const c = text[p];
    if (inString) {
      if (c === "\\") p++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return p + 1;
      }
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") {
      depth--;
      if (depth === 0) return p + 1;
    } else if (c === " " && depth === 0) return p;
  }
  return text.length;
}

function renderAttributes(attrs: Record<string, unknown>, file: string, k: number): string {
  return Object.entries(attrs)
    .map(([key, value]) => {
      if (!IDENT.test(key)) throw new Error(`${file}: cell ${k + 1}: metadata key ${JSON.stringify(key)} cannot be written in a source`);
      return `${key}=${jsonOneLine(value)}`;
    })
    .join(" ");
}

/** JSON on one line with a space after ':' and ',' (as jupytext writes), keys sorted. */
function jsonOneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonOneLine).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}: ${jsonOneLine(o[k])}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

// ---- the header's YAML subset: nested mappings; scalars plain or as JSON ----

const PLAIN = /^[A-Za-z_][A-Za-z0-9 _().,\/-]*[A-Za-z0-9_)]$|^[A-Za-z_]$/;
const RESERVED = /^(true|false|null|yes|no|on|off|~)$/i;

function renderYamlSubset(obj: Record<string, unknown>, indent: string): string[] {
  const out: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      out.push(`${indent}${key}:`);
      out.push(...renderYamlSubset(v as Record<string, unknown>, indent + "  "));
    } else if (typeof v === "string" && PLAIN.test(v) && !RESERVED.test(v)) {
      out.push(`${indent}${key}: ${v}`);
    } else {
      out.push(`${indent}${key}: ${jsonOneLine(v)}`);
    }
  }
  return out;
}

function parseYamlSubset(lines: string[], file: string, firstLine: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const stack: { indent: number; obj: Record<string, unknown> }[] = [{ indent: -1, obj: root }];
  lines.forEach((l, k) => {
    const lineNo = firstLine + k;
    const m = /^( *)([A-Za-z_][A-Za-z0-9_.-]*):(?: (.*))?$/.exec(l);
    if (!m) throw new NotebookSourceError(`cannot read header line ${JSON.stringify(l)}`, file, lineNo);
    const indent = m[1].length;
    while (stack[stack.length - 1].indent >= indent) stack.pop();
    const parent = stack[stack.length - 1].obj;
    if (m[3] === undefined) {
      const child: Record<string, unknown> = {};
      parent[m[2]] = child;
      stack.push({ indent, obj: child });
    } else {
      const raw = m[3];
      if (PLAIN.test(raw) && !RESERVED.test(raw)) parent[m[2]] = raw;
      else {
        try {
          parent[m[2]] = JSON.parse(raw);
        } catch {
          throw new NotebookSourceError(`header value ${JSON.stringify(raw)} is neither a plain string nor JSON`, file, lineNo);
        }
      }
    }
  });
  return root;
}

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let p = 0; p < index; p++) if (text.charCodeAt(p) === 10) n++;
  return n;
}

// ---- .ipynb ----

interface IpynbCell {
  cell_type: CellType;
  id?: string;
  metadata?: Record<string, unknown>;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

/** A source notebook as the `.ipynb` text Jupyter writes (outputs cleared, keys sorted, indent 1). */
export function toIpynb(nb: SourceNotebook): string {
  const cells = nb.cells.map((c) => {
    const cell: Record<string, unknown> = { cell_type: c.cell_type, id: c.id, metadata: c.metadata, source: splitLines(c.source) };
    if (c.cell_type === "code") {
      cell.execution_count = null;
      cell.outputs = [];
    }
    return cell;
  });
  const metadata = { ...nb.metadata, language_info: { file_extension: ".ts", mimetype: "text/typescript", name: "typescript" } };
  return stableJson({ cells, metadata, nbformat: 4, nbformat_minor: 5 }) + "\n";
}

/** An `.ipynb`'s text as a source notebook: outputs, execution counts and language_info dropped. */
export function fromIpynb(text: string, file = "<notebook>"): SourceNotebook {
  let nb: { cells?: IpynbCell[]; metadata?: Record<string, unknown>; nbformat?: number };
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not a notebook (invalid JSON: ${(e as Error).message})`);
  }
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) throw new Error(`${file}: not an nbformat 4 notebook`);
  const { language_info: _languageInfo, ...metadata } = nb.metadata ?? {};
  const cells = nb.cells.map((c, k): SourceCell => {
    const where = `${file}: cell ${k + 1}${c.id !== undefined ? ` (${c.id})` : ""}`;
    if (c.cell_type !== "code" && c.cell_type !== "markdown" && c.cell_type !== "raw") throw new Error(`${where}: unknown cell type ${JSON.stringify(c.cell_type)}`);
    // A source has nowhere to keep a markdown cell's attached images: refuse rather than drop them.
    if (c.attachments && Object.keys(c.attachments).length > 0) throw new Error(`${where}: has attachments (${Object.keys(c.attachments).join(", ")}); save the images as files next to the notebook and link them instead`);
    const text = Array.isArray(c.source) ? c.source.join("") : (c.source ?? "");
    const cell: SourceCell = { cell_type: c.cell_type, metadata: { ...(c.metadata ?? {}) }, source: text.replace(/\r\n?/g, "\n") };
    // JupyterLab records UI state (collapsed, scrolled, execution timing) that a source does not keep.
    for (const k of ["collapsed", "scrolled", "execution", "jp-MarkdownHeadingCollapsed"]) delete cell.metadata[k];
    if (c.id !== undefined) cell.id = c.id;
    return cell;
  });
  return { metadata, cells };
}

function splitLines(s: string): string[] {
  if (s === "") return [];
  const parts = s.split("\n");
  return parts.map((p, i) => (i < parts.length - 1 ? p + "\n" : p)).filter((p) => p !== "");
}

/** JSON with sorted keys and one-space indentation, as nbformat writes notebooks. */
export function stableJson(value: unknown, indent = ""): string {
  if (value === undefined) return "null";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const inner = indent + " ";
    return `[\n${value.map((v) => inner + stableJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    if (keys.length === 0) return "{}";
    const inner = indent + " ";
    return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${stableJson(o[k], inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
