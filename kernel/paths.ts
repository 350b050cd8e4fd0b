/**
 * Where the gradbook package lives: the nearest directory above this file with gradbook's
 * package.json. Works from the compiled `dist/kernel/` and from `kernel/` (tests run sources).
 */
import * as fs from "fs";
import * as path from "path";

function findRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name === "gradbook") return dir;
    } catch {
      // no package.json here
    }
    if (path.dirname(dir) === dir) return path.resolve(__dirname, "..", "..");
  }
}

export const PACKAGE_ROOT = findRoot();
