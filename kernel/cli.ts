/**
 * The `gradbook` command.
 *
 * ```
 * gradbook install [--user | --sys-prefix | --prefix DIR]   register the Jupyter kernelspec
 * gradbook kernel CONNECTION_FILE                           run the kernel (Jupyter calls this)
 * gradbook nb sync|check [DIR ...]                          course sources (DIR/src/*.ts) and notebooks (DIR/*.ipynb)
 * gradbook assign SRC -o DIR                                student version of a homework
 * gradbook grade SUBMISSIONS --source SRC -o OUT            grade a class (see docs/grading.md)
 * ```
 */
import { install, InstallScope } from "./install";
import { GRADING_USAGE } from "./grading/usage";

const USAGE = `usage:
  gradbook install [--user | --sys-prefix | --prefix DIR]   register the kernel with Jupyter (default --user)
  gradbook kernel CONNECTION_FILE                           run the kernel (Jupyter starts it this way)
  gradbook nb sync [DIR ...]                                write DIR/*.ipynb from DIR/src/*.ts (and edits made in Jupyter back); default DIR: notebooks
  gradbook nb check [DIR ...]                               fail if a notebook and its source differ
${GRADING_USAGE}`;

export function main(argv: string[]): void {
  const [command, ...rest] = argv;
  if (command === "kernel") {
    if (!rest[0]) {
      process.stderr.write(`gradbook kernel: missing CONNECTION_FILE\n${USAGE}`);
      process.exit(2);
    }
    // Loaded only here: `install` must not pay for the kernel's modules.
    (require("./kernel") as typeof import("./kernel")).runKernel(rest[0]);
    return;
  }
  if (command === "install") {
    let scope: InstallScope = { kind: "user" };
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      if (a === "--user") scope = { kind: "user" };
      else if (a === "--sys-prefix") scope = { kind: "sys-prefix" };
      else if (a === "--prefix") {
        const p = rest[++i];
        if (!p) return fail("gradbook install: --prefix needs a directory");
        scope = { kind: "prefix", prefix: p };
      } else if (a.startsWith("--prefix=")) scope = { kind: "prefix", prefix: a.slice(9) };
      else return fail(`gradbook install: unknown option ${a}`);
    }
    const dir = install(scope);
    if (process.env.GRADBOOK_QUIET !== "1") process.stdout.write(`gradbook: installed the kernelspec "gradbook" (TypeScript (gradbook)) in ${dir}\n`);
    return;
  }
  if (command === "nb") {
    const [sub, ...dirs] = rest;
    if (sub !== "sync" && sub !== "check") return fail(`gradbook nb: expected sync or check, got ${sub === undefined ? "nothing" : JSON.stringify(sub)}`);
    const { syncNotebooks } = require("./nbsync") as typeof import("./nbsync");
    const path = require("path") as typeof import("path");
    let problems = 0;
    for (const dir of dirs.length ? dirs : ["notebooks"]) {
      const r = syncNotebooks({ notebooks: dir, sources: path.join(dir, "src"), check: sub === "check", log: (l) => process.stdout.write(`${l}\n`) });
      for (const p of r.problems) process.stderr.write(`gradbook nb ${sub}: ${p}\n`);
      problems += r.problems.length;
    }
    if (problems) process.exitCode = 1;
    else if (sub === "check") process.stdout.write("gradbook nb check: every notebook matches its source\n");
    return;
  }
  if (command === "assign" || command === "grade") {
    const { gradingMain } = require("./grading/cli") as typeof import("./grading/cli");
    gradingMain(command, rest).then(
      (code) => {
        process.exitCode = code;
      },
      (e) => {
        process.stderr.write(`gradbook ${command}: ${(e as Error).stack ?? e}\n`);
        process.exitCode = 1;
      },
    );
    return;
  }
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return;
  }
  fail(`gradbook: unknown command ${JSON.stringify(command)}`);
}

function fail(message: string): void {
  process.stderr.write(`${message}\n${USAGE}`);
  process.exitCode = 2;
}
