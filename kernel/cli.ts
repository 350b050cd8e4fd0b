/**
 * The `gradbook` command.
 *
 * ```
 * gradbook install [--user | --sys-prefix | --prefix DIR]   register the Jupyter kernelspec
 * gradbook kernel CONNECTION_FILE                           run the kernel (Jupyter calls this)
 * ```
 */
import { install, InstallScope } from "./install";

const USAGE = `usage:
  gradbook install [--user | --sys-prefix | --prefix DIR]   register the kernel with Jupyter (default --user)
  gradbook kernel CONNECTION_FILE                           run the kernel (Jupyter starts it this way)
`;

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
