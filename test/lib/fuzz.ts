/**
 * The replay of random op graphs against PyTorch (test/fixtures/fuzz.json, from
 * scripts/gen_fuzz_fixtures.py), shared by test/lib/fuzz.test.ts and the cuda emulation tests:
 * each graph's op list is replayed on every available backend in float32 and float64, and the
 * output and every leaf's gradient are compared with PyTorch's. Also single ops at their kinks
 * and degenerate points, compared with the gradient PyTorch chooses there.
 *
 * A longer run: generate a bigger file (see the script's docstring) and point GRADBOOK_FUZZ at it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import * as gb from "../../lib";
import { Engine, noGrad, tensor, type Tensor } from "../../lib";
import type { DType, DeviceName } from "../../lib/backend";

interface Enc { shape: number[]; data: (number | string)[] }
interface Op { op: string; in: number[]; [k: string]: unknown }
interface Graph { leaves: Enc[]; ops: Op[]; weight: Enc; out: Enc; grads: Enc[] }
export interface Kink { name: string; x: Enc; out: Enc; grad: Enc; note: string }

const file = process.env.GRADBOOK_FUZZ ?? path.join(__dirname, "..", "fixtures", "fuzz.json");
export const fixture = JSON.parse(fs.readFileSync(file, "utf8")) as { graphs: Graph[]; kinks: Kink[] };

const num = (v: number | string): number => (typeof v === "number" ? v : Number(v.replace("inf", "Infinity")));
export const values = (e: Enc): number[] => e.data.map(num);

export function devices(): DeviceName[] {
  const out: DeviceName[] = ["js"];
  if (new Engine().availability("cpu").available) out.push("cpu");
  return out;
}

export function make(e: Enc, dtype: DType, device: DeviceName, requiresGrad = false): Tensor {
  return tensor(values(e), { dtype, device, requiresGrad, shape: e.shape });
}

function run(op: Op, nodes: Tensor[], dtype: DType, device: DeviceName): Tensor {
  const x = nodes[op.in[0]], y = nodes[op.in[1]];
  const axis = op.axis as number;
  switch (op.op) {
    case "tanh": case "sigmoid": case "sin": case "cos": case "neg": case "square": case "abs": case "relu": case "exp":
      return (x[op.op] as () => Tensor).call(x);
    case "logPos": return x.mul(x).add(1).log();
    case "sqrtPos": return x.mul(x).add(0.5).sqrt();
    case "add": return x.add(y);
    case "sub": return x.sub(y);
    case "mul": return x.mul(y);
    case "divPos": return x.div(y.mul(y).add(1));
    case "maximum": return gb.maximum(x, y);
    case "minimum": return gb.minimum(x, y);
    case "sum": return x.sum(axis, op.keepdim as boolean);
    case "mean": return x.mean(axis, op.keepdim as boolean);
    case "max": return x.max(axis, op.keepdim as boolean);
    case "logsumexp": return x.logsumexp(axis, op.keepdim as boolean);
    case "std": return x.std(axis, true);
    case "softmax": return x.softmax(axis);
    case "logSoftmax": return x.logSoftmax(axis);
    case "transpose": return x.transpose(op.a as number, op.b as number);
    case "slice": return x.slice(axis, op.start as number, null, op.step as number);
    case "expand": return x.unsqueeze(0).expand([op.n as number, ...x.shape]);
    case "reshape": return x.reshape([-1]);
    case "matmulT": return x.matmul(x.T);
    case "sort": return x.sort(axis, op.descending as boolean).values;
    case "topk": return x.topk(op.k as number, axis).values;
    case "gather": return x.gather(axis, make(op.index as Enc, "int32", device));
    case "scatterAdd": return gb.scatterAdd(make(op.base as Enc, dtype, device), axis, make(op.index as Enc, "int32", device), x);
    case "concat": return gb.concat([x, y], axis);
    case "inplaceConst": {
      // A constant of the graph made by an in-place write on a detached copy.
      const t = noGrad(() => x.detach().clone());
      noGrad(() => t.addInPlace(op.c as number));
      return t;
    }
    default: throw new Error(`fuzz: unknown op ${op.op}`);
  }
}

/** Largest |a - b| / (atol + rtol |b|): at most 1 passes. */
export function worst(actual: ArrayLike<number>, expected: number[], atol: number, rtol: number): number {
  expect(actual.length).toBe(expected.length);
  let w = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], b = expected[i];
    if (!Number.isFinite(b)) { if (!Object.is(a, b) && !(Number.isNaN(a) && Number.isNaN(b))) return Infinity; continue; }
    w = Math.max(w, Math.abs(a - b) / (atol + rtol * Math.abs(b)));
  }
  return w;
}

const TOL: Record<string, [number, number]> = { float64: [1e-9, 1e-7], float32: [2e-4, 2e-3] };

/**
 * Replays every graph on the current engine's `device` in `dtype`; returns the mismatches
 * (empty when every output and gradient is within tolerance of PyTorch's).
 */
export function replayGraphs(device: DeviceName, dtype: DType): string[] {
  const [atol, rtol] = TOL[dtype];
  const failures: string[] = [];
  fixture.graphs.forEach((g, gi) => {
    const leaves = g.leaves.map((e) => make(e, dtype, device, true));
    const nodes = [...leaves];
    for (const op of g.ops) nodes.push(run(op, nodes, dtype, device));
    const out = nodes[nodes.length - 1];
    const ops = g.ops.map((o) => o.op).join(" → ");
    const wOut = worst(out.double().data(), values(g.out), atol, rtol);
    if (!(wOut <= 1)) failures.push(`graph ${gi} (${ops}): output off by ${wOut.toFixed(1)}× the tolerance`);
    out.mul(make(g.weight, dtype, device)).sum().backward();
    leaves.forEach((l, k) => {
      const got = l.grad === null ? new Float64Array(l.size) : l.grad.double().data();
      const w = worst(got, values(g.grads[k]), atol, rtol);
      if (!(w <= 1)) failures.push(`graph ${gi} (${ops}): gradient of leaf ${k} off by ${w.toFixed(1)}× the tolerance`);
    });
  });
  return failures;
}
