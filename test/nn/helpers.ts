/** Shared helpers of the nn tests: fixture loading and tolerant comparisons. */
import * as fs from "fs";
import * as path from "path";
import { expect } from "vitest";
import { Tensor, tensor } from "../../lib/index";

export function fixture<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", name), "utf8"));
}

function flat(v: unknown): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as number];
}

function shapeOf(v: unknown): number[] {
  return Array.isArray(v) ? [v.length, ...(v.length ? shapeOf(v[0]) : [])] : [];
}

/** Asserts t equals the nested array `expected` in shape and, within atol + rtol·|e|, in value. */
export function expectClose(t: Tensor | null | undefined, expected: unknown, what: string, atol = 1e-4, rtol = 1e-3): void {
  expect(t, `${what}: missing`).toBeTruthy();
  expect(t!.shape, `${what}: shape`).toEqual(shapeOf(expected));
  const got = Array.from(t!.data() as ArrayLike<number>);
  const want = flat(expected);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]) - (atol + rtol * Math.abs(want[i]));
    if (!(err <= worst) || Number.isNaN(got[i])) {
      worst = Number.isNaN(got[i]) ? Infinity : err;
      at = i;
    }
  }
  expect(at, `${what}: element ${at} is ${got[at]}, expected ${want[at]}`).toBe(-1);
}

/** A float tensor from nested arrays that requires grad. */
export function leaf(v: unknown): Tensor {
  return tensor(v as number[]).requiresGrad_(true);
}
