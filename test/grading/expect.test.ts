/** The assertion vocabulary and questions, in-process (no kernel). */
import { describe, expect as vexpect, it } from "vitest";
import { tensor, zeros } from "../../lib";
import { check, CheckFailure, expect, expectClose, expectGradClose, expectShape, expectThrows, test, tests } from "../../lib/grading";
import { setDisplaySink } from "../../lib/display";

const fails = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    vexpect(e).toBeInstanceOf(CheckFailure);
    return (e as Error).message;
  }
  throw new Error("the check did not fail");
};

describe("expectClose", () => {
  it("passes within tolerance, for tensors, numbers and nested arrays", () => {
    expectClose(tensor([[1, 2], [3, 4]]), [[1, 2], [3, 4.000001]]);
    expectClose(0.1 + 0.2, 0.3);
    expectClose(tensor([5]), 5);
  });
  it("names the first differing element, its index and the largest error", () => {
    const m = fails(() => expectClose(tensor([[1, 2], [3, 9]], { dtype: "float64" }), [[1, 2.5], [3, 4]], { what: "dW1" }));
    vexpect(m).toBe("dW1: 2 of 4 values differ; the first at index [0, 1]: expected 2.5, got 2. Largest error 5 at [1, 1]; tolerance 1e-6 + 1e-5·|expected|");
  });
  it("explains shape mismatches", () => {
    vexpect(fails(() => expectClose(zeros([3]), zeros([3, 1])))).toMatch(/expected shape \[3, 1\], got \[3\] \(the same 3 elements arranged differently/);
    vexpect(fails(() => expectClose(undefined, zeros([2])))).toMatch(/got undefined \(did the function forget to return\?\)/);
    vexpect(fails(() => expectClose(tensor([NaN]), 1))).toMatch(/got NaN/);
  });
});

describe("expectShape, expectThrows, expect", () => {
  it("checks shapes with wildcards and hints at missing axes", () => {
    expectShape(zeros([4, 2]), [null, 2]);
    vexpect(fails(() => expectShape(zeros([4]), [4, 1]))).toMatch(/expected shape \[4, 1\], got \[4\] \(an axis of size 1 is missing/);
  });
  it("expectThrows matches messages, sync and async", async () => {
    expectThrows(() => {
      throw new Error("bad shape");
    }, /shape/);
    vexpect(fails(() => expectThrows(() => 1))).toMatch(/expected an error, but the call finished normally/);
    await vexpect(expectThrows(async () => 1) as Promise<Error>).rejects.toThrow(/finished normally/);
  });
  it("expect matchers and negation", () => {
    expect(3).toBe(3);
    expect([1, 2]).toEqual([1, 2]);
    expect(2).not.toBeGreaterThan(3);
    vexpect(fails(() => expect(5, "the last cost").toBeLessThan(1))).toBe("expected the last cost to be less than 1, got 5");
  });
});

describe("expectGradClose", () => {
  it("checks autodiff and hand-computed gradients against central differences", () => {
    const w = tensor([0.5, -1], { dtype: "float64" });
    expectGradClose((w) => w.square().sum(), [w]);
    expectGradClose((w) => w.square().sum(), [w], { grads: [tensor([1, -2], { dtype: "float64" })] });
    vexpect(fails(() => expectGradClose((w) => w.square().sum(), [w], { grads: [tensor([1, 2], { dtype: "float64" })], what: "dw" }))).toMatch(
      /^dw: the gradient \(against central differences\): 1 of 2 values differ; the first at index \[1\]: expected -2, got 2/,
    );
  });
});

describe("tests() and check()", () => {
  it("splits points over weighted tests and shows a table; check re-runs; check.all() sums", async () => {
    const shown: Record<string, unknown>[] = [];
    setDisplaySink({ display: (b) => shown.push(b), update: () => {} });
    try {
      let fixed = false;
      await tests("qa", { points: 3 }, () => {
        test("shape", () => expect(1).toBe(1));
        test("values", () => expect(fixed, "fixed").toBe(true), { weight: 2 });
      });
      const r = (shown[0]["application/vnd.gradbook.results+json"] as { questions: { earned: number; tests: { points: number }[] }[] }).questions[0];
      vexpect(r.earned).toBe(1);
      vexpect(r.tests.map((t) => t.points)).toEqual([1, 2]);
      vexpect(String(shown[0]["text/plain"])).toMatch(/values\s+0\/2\s+FAIL\s+expected fixed to be true, got false/);
      vexpect(String(shown[0]["text/html"])).toContain("<table");
      fixed = true;
      const again = await check("qa");
      vexpect(again.earned).toBe(3);
      vexpect(again.toMimeBundle()["text/plain"]).toContain("total 3/3");
      await tests("qb", { points: 1 }, () => {
        test("stub", () => {
          throw new Error("not implemented: qb");
        });
      });
      const all = await check.all();
      vexpect(all.questions.map((q) => q.question)).toEqual(["qa", "qb"]);
      vexpect([all.earned, all.points]).toEqual([3, 4]);
      vexpect(all.questions[1].tests[0].message).toMatch(/not implemented yet \(qb\): replace the line/);
      await vexpect(check("nope")).rejects.toThrow(/no tests for "nope" in this session yet/);
    } finally {
      setDisplaySink(null);
    }
  });
});
