/**
 * indexSelect's copy of whole slices (Backend.indexSelect) against the same selection through
 * gather with the index expanded, on every backend that has it: values, gradients (numeric, in
 * float64), repeated indices, and the out-of-range error.
 */
import { describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { cpu } from "../native/common";

const devices: gb.DeviceName[] = ["js", ...(cpu ? (["cpu"] as const) : [])];

function viaGather(x: gb.Tensor, axis: number, index: number[]): gb.Tensor {
  const shape = [...x.shape];
  shape[axis] = index.length;
  const view = gb.tensor(index, { dtype: "int32", device: x.device }).reshape(x.shape.map((_, d) => (d === axis ? index.length : 1)));
  return gb.gather(x, axis, view.expand(shape).contiguous());
}

describe.each(devices)("indexSelect on %s", (device) => {
  const x = gb.arange(0, 4 * 5 * 6, 1, { dtype: "float64" }).reshape([4, 5, 6]).to(device);

  it("equals gather with the index expanded, along every axis", () => {
    for (let axis = 0; axis < 3; axis++) {
      const index = [x.shape[axis] - 1, 0, 1, 0];
      const got = gb.indexSelect(x, axis, gb.tensor(index, { dtype: "int32", device }));
      expect(got.shape).toEqual(viaGather(x, axis, index).shape);
      expect(Array.from(got.dataSync())).toEqual(Array.from(viaGather(x, axis, index).dataSync()));
    }
    // A view (not contiguous) and an index given as numbers.
    const t = x.transpose(0, 2);
    expect(Array.from(gb.indexSelect(t, 1, [4, 2]).dataSync())).toEqual(Array.from(viaGather(t, 1, [4, 2]).dataSync()));
  });

  it("has the gradient of a selection (repeats add up), checked numerically in float64", () => {
    for (let axis = 0; axis < 3; axis++) {
      const w = gb.randn([3, 4, 2], { dtype: "float64" }).to(device).requiresGrad_();
      const index = gb.tensor([1, 0, 1, 1], { dtype: "int32", device }).slice(0, 0, w.shape[axis] === 2 ? 3 : 4);
      const r = gb.gradcheck((a: gb.Tensor) => gb.indexSelect(a, axis, index).mul(gb.indexSelect(a, axis, index)).sum(), [w]);
      expect(r.ok, `axis ${axis}: ${JSON.stringify(r)}`).toBe(true);
    }
    const w = gb.ones([3, 2], { dtype: "float64" }).to(device).requiresGrad_();
    // The index may be disposed before backward (nn.Embedding's callers do).
    const ids = gb.tensor([2, 2, 0], { dtype: "int32", device });
    const picked = gb.indexSelect(w, 0, ids);
    ids.dispose();
    picked.sum().backward();
    expect(Array.from(w.grad!.dataSync())).toEqual([1, 1, 0, 0, 2, 2]);
  });

  it("names the op, the index and the axis when an index is out of range", () => {
    expect(() => gb.indexSelect(x, 1, [0, 5])).toThrow(/indexSelect: index 5 is out of range for axis 1 of size 5/);
    expect(() => gb.indexSelect(x, 0, [-1])).toThrow(/indexSelect: index -1 is out of range for axis 0 of size 4/);
  });
});
