/**
 * The `gradbook` command. Every command answers `--help`; `gradbook --version` prints the version.
 *
 * ```
 * gradbook install [--user | --sys-prefix | --prefix DIR]     register the Jupyter kernelspec
 * gradbook uninstall [--user | --sys-prefix | --prefix DIR]   remove it
 * gradbook list                                               where gradbook kernelspecs are installed
 * gradbook kernel CONNECTION_FILE                             run the kernel (Jupyter calls this)
 * gradbook nb sync|check [DIR ...]                            course sources (DIR/src/*.ts) and notebooks (DIR/*.ipynb)
 * gradbook assign SRC -o DIR                                  student version of a homework
 * gradbook grade SUBMISSIONS --source SRC -o OUT              grade a class (see docs/grading.md)
 * ```
 */
import * as fs from "fs";
import * as path from "path";
import { install, InstallScope, listInstalled, uninstall } from "./install";
import { PACKAGE_ROOT } from "./paths";

interface Command {
  usage: string;
  summary: string;
  help: string;
  run(args: string[]): void;
}

const SCOPE_HELP = `  --user          for this user (the default): Jupyter's user data directory
  --sys-prefix    for the active environment (conda, virtualenv; Binder uses this)
  --prefix DIR    under DIR/share/jupyter/kernels`;

const COMMANDS: Record<string, Command> = {
  install: {
    usage: "gradbook install [--user | --sys-prefix | --prefix DIR]",
    summary: "register the kernel with Jupyter",
    help: `Writes the "gradbook" kernelspec (kernel.json and logos) where Jupyter looks for kernels.\n\n${SCOPE_HELP}`,
    run(args) {
      const scope = parseScope("install", args);
      if (!scope) return;
      const dir = install(scope);
      if (process.env.GRADBOOK_QUIET !== "1") process.stdout.write(`gradbook: installed the kernelspec "gradbook" (TypeScript (gradbook)) in ${dir}\n`);
    },
  },
  uninstall: {
    usage: "gradbook uninstall [--user | --sys-prefix | --prefix DIR]",
    summary: "remove the kernelspec",
    help: `Removes the "gradbook" kernelspec that install wrote for the same scope.\n\n${SCOPE_HELP}`,
    run(args) {
      const scope = parseScope("uninstall", args);
      if (!scope) return;
      const dir = uninstall(scope);
      if (dir) process.stdout.write(`gradbook: removed the kernelspec in ${dir}\n`);
      else {
        process.stderr.write(`gradbook uninstall: no gradbook kernelspec for this scope (run gradbook list to see where one is)\n`);
        process.exitCode = 1;
      }
    },
  },
  list: {
    usage: "gradbook list",
    summary: "where gradbook kernelspecs are installed",
    help: "Lists every kernelspec in Jupyter's search path that starts gradbook, with the launcher it runs.",
    run(args) {
      if (args.length) return fail(`gradbook list: unexpected argument ${args[0]}`, "list");
      const specs = listInstalled();
      if (!specs.length) {
        process.stdout.write("gradbook: no kernelspec installed (run gradbook install)\n");
        return;
      }
      for (const s of specs) process.stdout.write(`${s.name}\t${s.dir}\t${s.launcher}\n`);
    },
  },
  kernel: {
    usage: "gradbook kernel CONNECTION_FILE",
    summary: "run the kernel (Jupyter starts it this way)",
    help: "Runs the kernel on the sockets a Jupyter connection file describes. Jupyter calls this; you rarely do.",
    run(args) {
      if (!args[0]) return fail("gradbook kernel: missing CONNECTION_FILE", "kernel");
      // Loaded only here: the other commands must not pay for the kernel's modules.
      (require("./kernel") as typeof import("./kernel")).runKernel(args[0]);
    },
  },
  nb: {
    usage: "gradbook nb sync|check [DIR ...]",
    summary: "keep course sources (DIR/src/*.ts) and notebooks (DIR/*.ipynb) the same",
    help: `sync   writes DIR/*.ipynb from DIR/src/*.ts (outputs cleared); a notebook saved in Jupyter after its
       source was written is first copied back into the source; cells without an id get one
check  writes nothing and fails when a notebook and its source differ
DIR defaults to notebooks.`,
    run(args) {
      const [sub, ...dirs] = args;
      if (sub !== "sync" && sub !== "check") return fail(`gradbook nb: expected sync or check, got ${sub === undefined ? "nothing" : JSON.stringify(sub)}`, "nb");
      const { syncNotebooks } = require("./nbsync") as typeof import("./nbsync");
      let problems = 0;
      for (const dir of dirs.length ? dirs : ["notebooks"]) {
        const r = syncNotebooks({ notebooks: dir, sources: path.join(dir, "src"), check: sub === "check", log: (l) => process.stdout.write(`${l}\n`) });
        for (const p of r.problems) process.stderr.write(`gradbook nb ${sub}: ${p}\n`);
        problems += r.problems.length;
      }
      if (problems) process.exitCode = 1;
      else if (sub === "check") process.stdout.write("gradbook nb check: every notebook matches its source\n");
    },
  },
};

/** The grading commands load their modules only when run. */
function grading(command: "assign" | "grade"): (args: string[]) => void {
  return (args) => {
    const { gradingMain } = require("./grading/cli") as typeof import("./grading/cli");
    gradingMain(command, args).then(
      (code) => {
        process.exitCode = code;
      },
      (e) => {
        process.stderr.write(`gradbook ${command}: ${(e as Error).stack ?? e}\n`);
        process.exitCode = 1;
      },
    );
  };
}

COMMANDS.assign = {
  usage: "gradbook assign SRC -o DIR [--no-check]",
  summary: "write the student version of a homework",
  help: `Writes DIR/NAME.ipynb for students from a homework (SRC: its .ts source or .ipynb): solution
regions become "// YOUR CODE HERE" stubs, hidden tests are removed, outputs cleared, and nbgrader
checksums recorded. The solution is run first in a fresh kernel; if any test fails nothing is
written. --no-check skips that run. See docs/grading.md.`,
  run: grading("assign"),
};
COMMANDS.grade = {
  usage: "gradbook grade SUBMISSIONS --source SRC -o OUT",
  summary: "grade a folder (or .zip) of submissions (see docs/grading.md)",
  help: `Runs every submission in SUBMISSIONS (a folder of notebooks or of one folder per student, or a
.zip from a learning platform) top to bottom in a fresh kernel, with the tests and locked cells
taken from the source SRC, and writes OUT/grades.csv, OUT/grades.json and one feedback page per
student. A crash, an endless loop or an exit costs only that submission. Interrupted, it resumes.

  --workers N        kernels in parallel (default: one per CPU)
  --cell-timeout S   seconds a cell may run (default 60)
  --timeout S        seconds a whole notebook may run (default 600)
  --memory MIB       memory per kernel (default 2048)
  --shard I/N        grade every Nth submission starting at the Ith (cluster job arrays)
  --no-resume        grade again what OUT already holds
  --merge OUT ...    join the shards' output folders into -o OUT`,
  run: grading("grade"),
};

function usage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}   ${c.summary}`);
  return `usage:\n${lines.join("\n")}\n  gradbook --version\n\nRun gradbook COMMAND --help for a command's options.\n`;
}

export function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

export function main(argv: string[]): void {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    const topic = command === "help" ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) return printHelp(topic);
    process.stdout.write(usage());
    return;
  }
  if (command === "--version" || command === "-V" || command === "version") {
    process.stdout.write(`gradbook ${version()}\n`);
    return;
  }
  const cmd = COMMANDS[command];
  if (!cmd) return fail(`gradbook: unknown command ${JSON.stringify(command)}`);
  if (rest.includes("--help") || rest.includes("-h")) return printHelp(command);
  cmd.run(rest);
}

function printHelp(name: string): void {
  const c = COMMANDS[name];
  process.stdout.write(`usage: ${c.usage}\n\n${c.help}\n`);
}

function parseScope(command: string, args: string[]): InstallScope | null {
  let scope: InstallScope = { kind: "user" };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--user") scope = { kind: "user" };
    else if (a === "--sys-prefix") scope = { kind: "sys-prefix" };
    else if (a === "--prefix") {
      const p = args[++i];
      if (!p) return fail(`gradbook ${command}: --prefix needs a directory`, command), null;
      scope = { kind: "prefix", prefix: p };
    } else if (a.startsWith("--prefix=")) scope = { kind: "prefix", prefix: a.slice(9) };
    else return fail(`gradbook ${command}: unknown option ${a}`, command), null;
  }
  return scope;
}

function fail(message: string, command?: string): void {
  const hint = command ? `usage: ${COMMANDS[command].usage}\n` : usage();
  process.stderr.write(`${message}\n${hint}`);
  process.exitCode = 2;
}
