/**
 * Random op graphs against PyTorch (test/fixtures/fuzz.json, from scripts/gen_fuzz_fixtures.py):
 * each graph's op list is replayed on every available backend in float32 and float64 (cuda
 * through its CPU emulation in test/cuda), and the output and every leaf's gradient are
 * compared with PyTorch's. Also single ops at their kinks and degenerate points, compared with
 * the gradient PyTorch chooses there.
 *
 * A longer run: generate a bigger file (see the script's docstring) and point GRADBOOK_FUZZ at it.
 */
import { describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { Engine, tensor, withEngine, type Tensor } from "../../lib";
import type { DType } from "../../lib/backend";
import { devices, fixture, make, replayGraphs, values, worst } from "./fuzz";

for (const device of devices()) {
  for (const dtype of ["float64", "float32"] as DType[]) {
    describe(`random op graphs against PyTorch (${device}, ${dtype})`, () => {
      it(`${fixture.graphs.length} graphs: outputs and gradients`, () => {
        withEngine(new Engine({ defaultDevice: device }), () => {
          expect(replayGraphs(device, dtype)).toEqual([]);
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
