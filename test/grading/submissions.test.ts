/** Finding the submissions of a class: folders, files, a platform's names, a zip. */
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { findSubmissions } from "../../kernel/grading/batch";

describe("findSubmissions", () => {
  it("reads folders, plain files and a learning platform's file names, sorted, from a folder or a zip", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gb-find-"));
    const d = path.join(tmp, "class");
    const nb = "hw1.ipynb";
    for (const f of ["zoe/work/hw1.ipynb", "amir/hw1.ipynb", "amir/scratch.ipynb", "bo.ipynb", "Jane Doe_12345_assignsubmission_file_hw1.ipynb", "empty/readme.txt", "__MACOSX/x.ipynb"]) {
      fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
      fs.writeFileSync(path.join(d, f), "{}");
    }
    const { submissions, skipped } = findSubmissions(d, nb);
    expect(submissions.map((s) => [s.student, path.relative(d, s.file)])).toEqual([
      ["Jane_Doe", "Jane Doe_12345_assignsubmission_file_hw1.ipynb"],
      ["amir", path.join("amir", "hw1.ipynb")],
      ["bo", "bo.ipynb"],
      ["zoe", path.join("zoe", "work", "hw1.ipynb")],
    ]);
    expect(skipped).toEqual(["empty/: no notebook found"]);
    const zip = path.join(tmp, "class.zip");
    execFileSync("/usr/bin/python3", ["-m", "zipfile", "-c", zip, "class"], { cwd: tmp });
    expect(findSubmissions(zip, nb).submissions.map((s) => s.student)).toEqual(["Jane_Doe", "amir", "bo", "zoe"]);
  });
});
