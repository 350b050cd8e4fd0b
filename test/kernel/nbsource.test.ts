import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { fromIpynb, NotebookSourceError, parseSource, renderSource, SourceNotebook, toIpynb } from "../../kernel/nbsource";
import { syncNotebooks } from "../../kernel/nbsync";

const root = path.resolve(__dirname, "..", "..");
const srcDir = path.join(root, "notebooks", "src");
const lectures = fs.readdirSync(srcDir).filter((f) => /^\d\d-.*\.ts$/.test(f) && !f.endsWith(".d.ts")).sort();

const HEADER = "// ---\n// jupyter:\n//   kernelspec:\n//     display_name: TypeScript (gradbook)\n//     language: typescript\n//     name: gradbook\n// ---\n\n";

/** The error a source raises, for asserting its message and line. */
function sourceError(text: string): NotebookSourceError {
  try {
    parseSource(text, "lesson.ts");
  } catch (e) {
    expect(e).toBeInstanceOf(NotebookSourceError);
    return e as NotebookSourceError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe("every lecture source", () => {
  it("has lectures to check", () => expect(lectures.length).toBeGreaterThanOrEqual(8));
  for (const f of lectures) {
    it(`${f}: source → ipynb → source gives the same bytes`, () => {
      const text = fs.readFileSync(path.join(srcDir, f), "utf8");
      const nb = parseSource(text, f);
      expect(renderSource(nb)).toBe(text);
      const ipynb = toIpynb(nb);
      const back = fromIpynb(ipynb, f);
      expect(renderSource(back)).toBe(text);
      // ...and through JSON as Jupyter would re-save it (sources as line lists, outputs added).
      const saved = JSON.parse(ipynb);
      for (const c of saved.cells) if (c.cell_type === "code") c.outputs = [{ output_type: "stream", name: "stdout", text: ["x\n"] }];
      expect(renderSource(fromIpynb(JSON.stringify(saved, null, 2), f))).toBe(text);
      // Every cell keeps a stable id, unique in the notebook.
      const ids = nb.cells.map((c) => c.id);
      expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    });
  }
});

describe("percent format", () => {
  it("reads cell types, ids and metadata (nbgrader dicts included) from marker lines", () => {
    const text =
      HEADER +
      '// %% [markdown] id="intro"\n// # Title\n//\n// Prose with $x^2$.\n\n' +
      '// %% id="q1" nbgrader={"grade": false, "grade_id": "q1", "locked": false, "schema_version": 3, "solution": true} tags=["solution"]\n' +
      "const answer = 42;\n\n" +
      '// %% id="q1-tests" nbgrader={"grade": true, "grade_id": "q1-tests", "points": 2}\nif (answer !== 42) throw new Error("no");\n\n' +
      '// %% [raw] id="r"\n// raw text\n';
    const nb = parseSource(text);
    expect(nb.metadata).toEqual({ kernelspec: { display_name: "TypeScript (gradbook)", language: "typescript", name: "gradbook" } });
    expect(nb.cells.map((c) => [c.cell_type, c.id])).toEqual([
      ["markdown", "intro"],
      ["code", "q1"],
      ["code", "q1-tests"],
      ["raw", "r"],
    ]);
    expect(nb.cells[0].source).toBe("# Title\n\nProse with $x^2$.");
    expect(nb.cells[1].metadata).toEqual({ nbgrader: { grade: false, grade_id: "q1", locked: false, schema_version: 3, solution: true }, tags: ["solution"] });
    expect(nb.cells[2].metadata.nbgrader).toEqual({ grade: true, grade_id: "q1-tests", points: 2 });
    expect(nb.cells[3].source).toBe("raw text");
    expect(renderSource(nb)).toBe(text);
    // The notebook carries the same metadata and ids.
    const ipynb = JSON.parse(toIpynb(nb));
    expect(ipynb.nbformat).toBe(4);
    expect(ipynb.nbformat_minor).toBe(5);
    expect(ipynb.cells[1]).toEqual({
      cell_type: "code",
      execution_count: null,
      id: "q1",
      metadata: nb.cells[1].metadata,
      outputs: [],
      source: ["const answer = 42;"],
    });
    expect(ipynb.cells[3]).toEqual({ cell_type: "raw", id: "r", metadata: {}, source: ["raw text"] });
  });

  it("keeps empty markdown lines, trailing blank code lines, empty cells and strings with spaces and braces in metadata", () => {
    const nb: SourceNotebook = {
      metadata: {},
      cells: [
        { cell_type: "markdown", id: "a", metadata: {}, source: "one\n\n\ntwo\n" },
        { cell_type: "code", id: "b", metadata: {}, source: "" },
        { cell_type: "code", id: "c", metadata: { note: "a } b ] \" c", deep: { x: [1, { y: null }] } }, source: "x\n\n" },
        { cell_type: "markdown", id: "d", metadata: {}, source: "  indented\n\tTAB" },
        { cell_type: "code", id: "e", metadata: {}, source: "last" },
      ],
    };
    const text = renderSource(nb);
    expect(text).toContain('// %% id="c" deep={"x": [1, {"y": null}]} note="a } b ] \\" c"\n');
    const back = parseSource(text);
    expect(back).toEqual(nb);
    expect(renderSource(back)).toBe(text);
    expect(fromIpynb(toIpynb(nb))).toEqual(nb);
  });

  it("writes metadata keys in a fixed order, so a re-saved notebook does not reorder the source", () => {
    const a = renderSource({ metadata: {}, cells: [{ cell_type: "code", id: "x", metadata: { tags: ["t"], editable: false }, source: "1" }] });
    const b = renderSource({ metadata: {}, cells: [{ cell_type: "code", id: "x", metadata: { editable: false, tags: ["t"] }, source: "1" }] });
    expect(a).toBe(b);
    expect(a).toBe('// %% id="x" editable=false tags=["t"]\n1\n');
  });

  it("drops what JupyterLab adds for its own UI state, outputs, execution counts and language_info", () => {
    const ipynb = JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "gradbook", display_name: "TypeScript (gradbook)", language: "typescript" }, language_info: { name: "typescript", version: "5" } },
      cells: [
        { cell_type: "code", id: "k", execution_count: 7, metadata: { collapsed: true, scrolled: true, execution: { "iopub.status.busy": "x" }, tags: ["keep"] }, outputs: [{ output_type: "stream" }], source: ["a\r\n", "b"] },
      ],
    });
    const nb = fromIpynb(ipynb);
    expect(nb.metadata).toEqual({ kernelspec: { name: "gradbook", display_name: "TypeScript (gradbook)", language: "typescript" } });
    expect(nb.cells).toEqual([{ cell_type: "code", id: "k", metadata: { tags: ["keep"] }, source: "a\nb" }]);
  });
});

describe("errors name the file and line", () => {
  it("a line before the first marker", () => {
    const e = sourceError(HEADER + "const x = 1;\n");
    expect(e.line).toBe(9);
    expect(e.message).toMatch(/^lesson\.ts:9: expected a cell marker/);
  });
  it("bad JSON in an attribute", () => {
    const e = sourceError('// %% id="a"\nx\n\n// %% id="b" nbgrader={"points": 2,}\ny\n');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/lesson\.ts:4: the value of nbgrader is not JSON/);
  });
  it("an attribute that is not key=value", () => {
    expect(sourceError("// %% tags\nx\n").message).toMatch(/lesson\.ts:1: cell attributes are key=value pairs/);
    expect(sourceError('// %% id="a"tags=[]\nx\n').message).toMatch(/lesson\.ts:1: expected a space after id="a"/);
    expect(sourceError('// %% 9x="a"\nx\n').message).toMatch(/lesson\.ts:1: bad attribute name "9x"/);
  });
  it("an id that is not a string", () => {
    expect(sourceError("// %% id=3\nx\n").message).toMatch(/lesson\.ts:1: a cell's id must be a string/);
  });
  it("a markdown line that is not a comment", () => {
    const e = sourceError('// %% [markdown] id="m"\n// fine\nnot a comment\n');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/every line of a markdown cell starts with '\/\/ '/);
  });
  it("cells not separated by one blank line", () => {
    const e = sourceError('// %% id="a"\nx\n// %% id="b"\ny\n');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/separated by one blank line/);
  });
  it("an unclosed header, a header line that is not a comment, an unreadable header line", () => {
    expect(sourceError("// ---\n// jupyter:\n").message).toMatch(/lesson\.ts:1: the header opened with '\/\/ ---' is never closed/);
    expect(sourceError("// ---\njupyter:\n// ---\n\n// %%\nx\n").message).toMatch(/lesson\.ts:2: header lines must be '\/\/ ' comments/);
    expect(sourceError("// ---\n// jupyter:\n//   - item\n// ---\n\n// %%\nx\n").message).toMatch(/lesson\.ts:3: cannot read header line/);
    expect(sourceError("// ---\n// other: x\n// ---\n\n// %%\nx\n").message).toMatch(/must hold a 'jupyter:' mapping/);
    expect(sourceError("// ---\n// jupyter:\n//   kernelspec: {}\n// ---\n// %%\nx\n").message).toMatch(/lesson\.ts:5: a blank line must follow the header/);
  });
  it("CR line endings and a missing final newline", () => {
    expect(sourceError('// %% id="a"\r\nx\r\n').message).toMatch(/lesson\.ts:1: carriage return/);
    expect(sourceError('// %% id="a"\nx\ny').message).toMatch(/lesson\.ts:3: the file must end with a newline/);
  });
  it("a notebook that cannot be written as a source says which cell", () => {
    const cell = (source: string, cell_type: "code" | "markdown" = "code", metadata: Record<string, unknown> = {}) => ({ metadata: {}, cells: [{ cell_type, id: "c1", metadata, source }] });
    expect(() => renderSource(cell("x\n// %% sneaky"), "n.ipynb")).toThrow(/n\.ipynb: cell 1 \(c1\), line 2: a code line cannot start with '\/\/ %%'/);
    expect(() => renderSource(cell("%% not a marker", "markdown"), "n.ipynb")).toThrow(/cell 1 \(c1\), line 1: a markdown line cannot start with '%%'/);
    expect(() => renderSource(cell("x", "code", { id: "clash" }), "n.ipynb")).toThrow(/metadata key named "id"/);
    expect(() => renderSource(cell("x", "code", { "bad key": 1 }), "n.ipynb")).toThrow(/metadata key "bad key" cannot be written/);
    expect(() => renderSource(cell("a\r\nb"), "n.ipynb")).toThrow(/carriage return/);
  });
  it("an .ipynb that is not a notebook, has an unknown cell type, or attachments", () => {
    expect(() => fromIpynb("{", "n.ipynb")).toThrow(/n\.ipynb: not a notebook \(invalid JSON/);
    expect(() => fromIpynb(JSON.stringify({ nbformat: 3, worksheets: [] }), "n.ipynb")).toThrow(/not an nbformat 4 notebook/);
    expect(() => fromIpynb(JSON.stringify({ nbformat: 4, metadata: {}, cells: [{ cell_type: "heading", source: "x", metadata: {} }] }), "n.ipynb")).toThrow(/cell 1: unknown cell type "heading"/);
    const withImage = { nbformat: 4, metadata: {}, cells: [{ cell_type: "markdown", id: "m", source: "![](attachment:a.png)", metadata: {}, attachments: { "a.png": { "image/png": "AAAA" } } }] };
    expect(() => fromIpynb(JSON.stringify(withImage), "n.ipynb")).toThrow(/cell 1 \(m\): has attachments \(a\.png\)/);
  });
});

describe("gradbook nb sync and check", () => {
  const lesson = (body: string) => `${HEADER}// %% [markdown] id="t"\n// # Lesson\n\n// %% id="code"\n${body}\n`;
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gb-nbsync-"));
    fs.mkdirSync(path.join(dir, "src"));
    return dir;
  };
  const run = (dir: string, check = false) => syncNotebooks({ notebooks: dir, sources: path.join(dir, "src"), check });
  const setMtime = (f: string, secondsAgo: number) => {
    const t = new Date(Date.now() - secondsAgo * 1000);
    fs.utimesSync(f, t, t);
  };

  it("writes the notebook from its source with outputs cleared, then check passes", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "src", "a.ts"), lesson("1 + 1"));
    expect(run(dir).problems).toEqual([]);
    const nb = JSON.parse(fs.readFileSync(path.join(dir, "a.ipynb"), "utf8"));
    expect(nb.cells.map((c: { id: string }) => c.id)).toEqual(["t", "code"]);
    expect(nb.cells[1].outputs).toEqual([]);
    expect(run(dir, true).problems).toEqual([]);
    // A second sync changes nothing.
    expect(run(dir).written).toEqual([]);
  });

  it("writes a notebook edited after its source back into the source (outputs dropped)", () => {
    const dir = tmp();
    const src = path.join(dir, "src", "a.ts");
    const nbFile = path.join(dir, "a.ipynb");
    fs.writeFileSync(src, lesson("1 + 1"));
    run(dir);
    const nb = JSON.parse(fs.readFileSync(nbFile, "utf8"));
    nb.cells[1].source = ["2 + 2"];
    nb.cells[1].outputs = [{ output_type: "execute_result", data: { "text/plain": "4" }, metadata: {}, execution_count: 1 }];
    nb.cells[1].execution_count = 1;
    nb.cells.push({ cell_type: "markdown", metadata: {}, source: ["## Added in JupyterLab"] });
    fs.writeFileSync(nbFile, JSON.stringify(nb));
    setMtime(src, 60);
    expect(run(dir).problems).toEqual([]);
    const text = fs.readFileSync(src, "utf8");
    expect(text).toContain('// %% id="code"\n2 + 2\n');
    // The new cell got a stable id from its heading.
    expect(text).toContain('// %% [markdown] id="added-in-jupyterlab"\n// ## Added in JupyterLab\n');
    const written = JSON.parse(fs.readFileSync(nbFile, "utf8"));
    expect(written.cells[1].outputs).toEqual([]);
    expect(written.cells[1].execution_count).toBeNull();
    expect(run(dir, true).problems).toEqual([]);
  });

  it("keeps the source when the source is the newer one", () => {
    const dir = tmp();
    const src = path.join(dir, "src", "a.ts");
    const nbFile = path.join(dir, "a.ipynb");
    fs.writeFileSync(src, lesson("1 + 1"));
    run(dir);
    setMtime(nbFile, 60);
    fs.writeFileSync(src, lesson("3 + 3"));
    run(dir);
    expect(fs.readFileSync(src, "utf8")).toBe(lesson("3 + 3"));
    expect(JSON.parse(fs.readFileSync(nbFile, "utf8")).cells[1].source).toEqual(["3 + 3"]);
  });

  it("creates a source for a notebook that has none", () => {
    const dir = tmp();
    const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", metadata: {}, source: "x", outputs: [], execution_count: null }] };
    fs.writeFileSync(path.join(dir, "b.ipynb"), JSON.stringify(nb));
    expect(run(dir, true).problems).toEqual([expect.stringMatching(/b\.ipynb has no source .*b\.ts/)]);
    expect(run(dir).problems).toEqual([]);
    expect(fs.readFileSync(path.join(dir, "src", "b.ts"), "utf8")).toMatch(/^\/\/ %% id="code-[0-9a-f]{8}"\nx\n$/);
    expect(run(dir, true).problems).toEqual([]);
  });

  it("check fails on any difference and writes nothing", () => {
    const dir = tmp();
    const src = path.join(dir, "src", "a.ts");
    const nbFile = path.join(dir, "a.ipynb");
    fs.writeFileSync(src, lesson("1 + 1"));
    run(dir);
    const good = fs.readFileSync(nbFile, "utf8");
    // One character of one cell.
    fs.writeFileSync(nbFile, good.replace('"1 + 1"', '"1 + 2"'));
    expect(run(dir, true).problems).toEqual([expect.stringMatching(/a\.ipynb differs from .*a\.ts/)]);
    // Outputs only.
    const withOutput = JSON.parse(good);
    withOutput.cells[1].outputs = [{ output_type: "stream", name: "stdout", text: ["2\n"] }];
    fs.writeFileSync(nbFile, JSON.stringify(withOutput, null, 1) + "\n");
    expect(run(dir, true).problems).toHaveLength(1);
    // Formatting only.
    fs.writeFileSync(nbFile, JSON.stringify(JSON.parse(good), null, 2) + "\n");
    expect(run(dir, true).problems).toHaveLength(1);
    expect(fs.readFileSync(nbFile, "utf8")).not.toBe(good);
    // A source out of canonical form, or with a cell without id.
    fs.writeFileSync(nbFile, good);
    fs.writeFileSync(src, lesson("1 + 1").replace('id="code"', 'id="code"  '));
    expect(run(dir, true).problems.length).toBeGreaterThan(0);
    fs.writeFileSync(src, lesson("1 + 1").replace(' id="code"', ""));
    expect(run(dir, true).problems).toContainEqual(expect.stringMatching(/cells without an id/));
    // A broken source is reported with its line.
    fs.writeFileSync(src, lesson("1 + 1") + "stray\n");
    expect(run(dir, true).problems).toEqual([expect.stringMatching(/a\.ipynb differs/)]); // "stray" joins the last code cell
    fs.writeFileSync(src, "stray\n" + lesson("1 + 1"));
    expect(run(dir, true).problems).toEqual([expect.stringMatching(/a\.ts:1: /)]);
  });
});
