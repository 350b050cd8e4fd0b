/**
 * Random op graphs against PyTorch (test/fixtures/fuzz.json, from scripts/gen_fuzz_fixtures.py):
 * each graph's op list is replayed on every available backend in float32 and float64, and the
 * output and every leaf's gradient are compared with PyTorch's. Also single ops at their kinks
 * and degenerate points, compared with the gradient PyTorch chooses there.
 *
 * A longer run: generate a bigger file (see the script's docstring) and point GRADBOOK_FUZZ at it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { Engine, noGrad, tensor, withEngine, type Tensor } from "../../lib";
import type { DType, DeviceName } from "../../lib/backend";

interface Enc { shape: number[]; data: (number | string)[] }
interface Op { op: string; in: number[]; [k: string]: unknown }
interface Graph { leaves: Enc[]; ops: Op[]; weight: Enc; out: Enc; grads: Enc[] }
interface Kink { name: string; x: Enc; out: Enc; grad: Enc; note: string }

const file = process.env.GRADBOOK_FUZZ ?? path.join(__dirname, "..", "fixtures", "fuzz.json");
const fixture = JSON.parse(fs.readFileSync(file, "utf8")) as { graphs: Graph[]; kinks: Kink[] };

const num = (v: number | string): number => (typeof v === "number" ? v : Number(v.replace("inf", "Infinity")));
const values = (e: Enc): number[] => e.data.map(num);

function devices(): DeviceName[] {
  const out: DeviceName[] = ["js"];
  if (new Engine().availability("cpu").available) out.push("cpu");
  return out;
}

function make(e: Enc, dtype: DType, device: DeviceName, requiresGrad = false): Tensor {
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
function worst(actual: ArrayLike<number>, expected: number[], atol: number, rtol: number): number {
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

for (const device of devices()) {
  for (const dtype of ["float64", "float32"] as DType[]) {
    describe(`random op graphs against PyTorch (${device}, ${dtype})`, () => {
      it(`${fixture.graphs.length} graphs: outputs and gradients`, () => {
        withEngine(new Engine({ defaultDevice: device }), () => {
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
          expect(failures).toEqual([]);
        });
      });
    });
  }
}

describe("gradients at kinks and degenerate points, as PyTorch chooses them", () => {
  const fns: Record<string, (x: Tensor) => Tensor> = {
    std: (x) => x.std(1),
    stdAll: (x) => x.std(),
    sqrt: (x) => x.sqrt(),
    abs: (x) => x.abs(),
    relu: (x) => x.relu(),
    square: (x) => x.square(),
    powHalf: (x) => x.pow(0.5),
    powTwo: (x) => x.pow(2),
    powZero: (x) => x.pow(0),
    sigmoidSaturated: (x) => x.sigmoid(),
    tanhSaturated: (x) => x.tanh(),
    maxTies: (x) => x.max(1),
    maxAllTies: (x) => x.max(),
    maximumTie: (x) => gb.maximum(x, tensor([2, 0], { dtype: "float64", device: x.device })),
    sortTies: (x) => x.sort().values.mul(tensor([1, 2, 3, 4], { dtype: "float64", device: x.device })),
    clipEdges: (x) => x.clip(-1, 1),
    logsumexpInf: (x) => x.logsumexp(1),
    softmaxTie: (x) => x.softmax(0).mul(tensor([1, 2, 3], { dtype: "float64", device: x.device })),
  };
  it("covers every kink of the fixture", () => {
    expect(Object.keys(fns).sort()).toEqual(fixture.kinks.map((k) => k.name).sort());
  });
  for (const device of devices()) {
    for (const k of fixture.kinks) {
      it(`${k.name} on ${device}: ${k.note}`, () => {
        withEngine(new Engine({ defaultDevice: device }), () => {
          const x = make(k.x, "float64", device, true);
          const y = fns[k.name](x);
          expect(worst(y.data(), values(k.out), 1e-12, 1e-9)).toBeLessThanOrEqual(1);
          y.sum().backward();
          // Within rounding; special values (0 beside inf, NaN) must match exactly.
          expect(worst(x.grad!.data(), values(k.grad), 1e-12, 1e-9)).toBeLessThanOrEqual(1);
        });
      });
    }
  }
});
