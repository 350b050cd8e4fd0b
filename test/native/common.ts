/**
 * Shared utilities of the native backend tests: loading the addon (or the reason it did not
 * load, for a clean skip), a seeded generator, and storages built identically on the js
 * reference backend and on cpu so every kernel can be checked against the oracle.
 */
import { expect } from "vitest";
import type { Backend, DType, Storage, TypedArray, View } from "../../lib/backend";
import { contiguousStrides } from "../../lib/backend";
import { createJsBackend } from "../../lib/backends/js";
import { loadNativeBackend, type NativeBackend } from "../../lib/backends/native";

export let cpu: NativeBackend | null = null;
export let skipReason = "";
try {
  cpu = loadNativeBackend();
} catch (e) {
  skipReason = `native addon not built: ${(e as Error).message}`;
  // Say why in the test output: a silent skip would hide a broken build.
  console.warn(`test/native skipped: ${skipReason}`);
}
export const js: Backend = createJsBackend();

/** Mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n values uniform in [lo, hi), rounded for integer dtypes. */
export function randomValues(n: number, seed: number, lo = -3, hi = 3, dtype: DType = "float32"): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = lo + (hi - lo) * r();
    out[i] = dtype === "int32" ? Math.round(v) : dtype === "bool" ? (v > (lo + hi) / 2 ? 1 : 0) : v;
  }
  return out;
}

/** The same data as a storage on js and on cpu. */
export interface Pair { js: Storage; cpu: Storage }
export function pair(values: ArrayLike<number>, dtype: DType): Pair {
  const data = Float64Array.from(values);
  return { js: js.fromArray(data, dtype), cpu: cpu!.fromArray(data, dtype) };
}

/** A view of a storage with explicit strides (default: contiguous). */
export function view(s: Storage, shape: number[], strides?: number[], offset = 0): View {
  return { storage: s, shape, strides: strides ?? contiguousStrides(shape), offset };
}

/**
 * Asserts two typed arrays agree: same dtype-class and length, NaN where the other has NaN,
 * equal infinities, |a - e| <= atol + rtol * |e| elsewhere. Names the first mismatch.
 */
export function expectClose(actual: TypedArray, expected: TypedArray, label: string, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.constructor.name, `${label}: array type`).toBe(expected.constructor.name);
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) expect.fail(`${label}: element ${i} is ${a}, expected ${e}`);
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) expect.fail(`${label}: element ${i} is ${a}, expected ${e}`);
      continue;
    }
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) {
      expect.fail(`${label}: element ${i} is ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|e|)`);
    }
  }
}

/** Runs the same kernel call on both backends and compares the results. */
export function same(label: string, f: (b: Backend, side: "js" | "cpu") => Storage, rtol = 1e-5, atol = 1e-6): void {
  const e = f(js, "js");
  const a = f(cpu!, "cpu");
  expect(a.dtype, `${label}: dtype`).toBe(e.dtype);
  expect(a.size, `${label}: size`).toBe(e.size);
  expectClose(cpu!.read(a), js.read(e), label, rtol, atol);
  cpu!.dispose(a);
}
