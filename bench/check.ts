/**
 * The type check of a new cell, in-process (kernel/language.ts), with the declarations read as
 * one file each (the standard library and the library: dts-bundle.ts) and as separate files
 * (GRADBOOK_DTS_BUNDLE=0), in the same run: CPU milliseconds per cell (garbage collection
 * included) for new expression cells and new three-line declaration cells, the cells of
 * `npm run bench:kernel`. Each set-up runs in its own child process, alternating over rounds.
 *
 * Run: node dist/bench/check.js [rounds] [cells]   (after `npx tsc -p tsconfig.build.json`)
 */
import { execFileSync } from "child_process";
import * as os from "os";

const KINDS = {
  expression: (i: number) => `${i + 5000} * 2 + 1`,
  declaration: (i: number) => `let total${i} = 0\nfor (let j = 0; j < 10; j++) total${i} += j * ${i}\ntotal${i}`,
};
type Kind = keyof typeof KINDS;

function child(kind: Kind, cells: number): void {
  // Loaded here, after the parent set the environment the language reads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CellLanguage, warmUp, defaultPreludeModule } = require("../kernel/language") as typeof import("../kernel/language");
  const lang = new CellLanguage({ cwd: os.tmpdir() });
  const w0 = process.cpuUsage();
  warmUp(lang, defaultPreludeModule());
  const w = process.cpuUsage(w0);
  const c0 = process.cpuUsage();
  for (let i = 0; i < cells; i++) {
    const r = lang.compile(i, KINDS[kind](i));
    if (!r.ok) throw new Error(r.error.evalue);
    lang.commit(i);
  }
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ warm: (w.user + w.system) / 1000, perCell: (c.user + c.system) / 1000 / cells }));
}

function main(): void {
  if (process.argv[2] === "--child") return child(process.argv[3] as Kind, Number(process.argv[4]));
  const rounds = Number(process.argv[2] ?? 3);
  const cells = Number(process.argv[3] ?? 300);
  const setups = { bundled: "1", "separate files": "0" } as const;
  const got: Record<string, { warm: number[]; perCell: number[] }> = {};
  for (let r = 0; r < rounds; r++)
    for (const kind of Object.keys(KINDS) as Kind[])
      for (const [name, flag] of Object.entries(setups)) {
        const out = execFileSync(process.execPath, [__filename, "--child", kind, String(cells)], { env: { ...process.env, GRADBOOK_DTS_BUNDLE: flag }, encoding: "utf8" });
        const m = JSON.parse(out) as { warm: number; perCell: number };
        const key = `${kind}\t${name}`;
        got[key] ??= { warm: [], perCell: [] };
        got[key].warm.push(m.warm);
        got[key].perCell.push(m.perCell);
      }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`cells per run ${cells}, rounds ${rounds}; CPU ms, median of rounds`);
  console.log("cell kind     set-up            warm-up   per cell   bundled/separate");
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const b = got[`${kind}\tbundled`], s = got[`${kind}\tseparate files`];
    console.log(`${kind.padEnd(13)} bundled          ${median(b.warm).toFixed(0).padStart(8)} ${median(b.perCell).toFixed(2).padStart(10)}   ${(median(b.perCell) / median(s.perCell)).toFixed(2)}×`);
    console.log(`${"".padEnd(13)} separate files   ${median(s.warm).toFixed(0).padStart(8)} ${median(s.perCell).toFixed(2).padStart(10)}`);
  }
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
}

main();
