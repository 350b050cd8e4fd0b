/**
 * `gradbook nb sync` and `gradbook nb check`: keep each course source (`SRC_DIR/NAME.ts`, percent
 * format) and its notebook (`NB_DIR/NAME.ipynb`) the same.
 *
 * - sync: a notebook saved (in JupyterLab) after its source was last written, and different from
 *   it, is written back into the source; then every notebook is written from its source with
 *   outputs cleared. A notebook with no source gets one. Cells without an id get a stable one.
 * - check: nothing is written; every pair that differs, and every source that is not in canonical
 *   form, is reported, and the exit status is 1.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { fromIpynb, parseSource, renderSource, SourceNotebook, toIpynb } from "./nbsource";

export interface SyncOptions {
  /** Folder of the `.ipynb` files. */
  notebooks: string;
  /** Folder of the `.ts` sources. */
  sources: string;
  check?: boolean;
  log?: (line: string) => void;
}

export interface SyncResult {
  written: string[];
  problems: string[];
}

/** Gives every cell without an id one derived from its content and position among equals. */
export function assignIds(nb: SourceNotebook): boolean {
  const used = new Set(nb.cells.map((c) => c.id).filter((id): id is string => id !== undefined));
  let changed = false;
  for (const cell of nb.cells) {
    if (cell.id !== undefined) continue;
    const heading = /^#+\s+(.+)$/m.exec(cell.cell_type === "markdown" ? cell.source : "");
    const base = heading
      ? heading[1].toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "cell"
      : `${cell.cell_type === "code" ? "code" : "md"}-${crypto.createHash("sha1").update(cell.source).digest("hex").slice(0, 8)}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    cell.id = id;
    changed = true;
  }
  return changed;
}

export function syncNotebooks(opts: SyncOptions): SyncResult {
  const log = opts.log ?? (() => {});
  const result: SyncResult = { written: [], problems: [] };
  const names = new Set<string>();
  if (fs.existsSync(opts.sources)) for (const f of fs.readdirSync(opts.sources)) if (f.endsWith(".ts") && !f.endsWith(".d.ts")) names.add(f.slice(0, -3));
  if (fs.existsSync(opts.notebooks)) for (const f of fs.readdirSync(opts.notebooks)) if (f.endsWith(".ipynb")) names.add(f.slice(0, -6));
  const write = (file: string, text: string) => {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    result.written.push(file);
  };
  for (const name of [...names].sort()) {
    const srcFile = path.join(opts.sources, `${name}.ts`);
    const nbFile = path.join(opts.notebooks, `${name}.ipynb`);
    const rel = (f: string) => path.relative(process.cwd(), f) || f;
    const srcText = fs.existsSync(srcFile) ? fs.readFileSync(srcFile, "utf8") : undefined;
    const nbText = fs.existsSync(nbFile) ? fs.readFileSync(nbFile, "utf8") : undefined;
    try {
      if (srcText === undefined) {
        const nb = fromIpynb(nbText!, rel(nbFile));
        if (opts.check) {
          result.problems.push(`${rel(nbFile)} has no source ${rel(srcFile)} (run gradbook nb sync)`);
          continue;
        }
        assignIds(nb);
        fs.mkdirSync(opts.sources, { recursive: true });
        write(srcFile, renderSource(nb, rel(srcFile)));
        write(nbFile, toIpynb(nb));
        log(`${rel(srcFile)}: created from ${rel(nbFile)}`);
        continue;
      }
      let nb = parseSource(srcText, rel(srcFile));
      if (opts.check) {
        const canonical = renderSource(nb, rel(srcFile));
        if (canonical !== srcText) result.problems.push(`${rel(srcFile)} is not in canonical form (run gradbook nb sync)`);
        if (nb.cells.some((c) => c.id === undefined)) result.problems.push(`${rel(srcFile)} has cells without an id (run gradbook nb sync)`);
        if (nbText !== toIpynb(nb)) result.problems.push(`${rel(nbFile)} differs from ${rel(srcFile)} (run gradbook nb sync)`);
        continue;
      }
      if (nbText !== undefined && fs.statSync(nbFile).mtimeMs > fs.statSync(srcFile).mtimeMs) {
        const edited = fromIpynb(nbText, rel(nbFile));
        if (renderSource(edited, rel(srcFile)) !== renderSource(nb, rel(srcFile))) {
          nb = edited;
          log(`${rel(srcFile)}: updated from ${rel(nbFile)} (edited after the source)`);
        }
      }
      assignIds(nb);
      const src = renderSource(nb, rel(srcFile));
      if (src !== srcText) write(srcFile, src);
      const ipynb = toIpynb(nb);
      if (ipynb !== nbText) {
        write(nbFile, ipynb);
        log(`${rel(nbFile)}: written from ${rel(srcFile)}`);
      }
    } catch (e) {
      result.problems.push((e as Error).message);
    }
  }
  return result;
}
