import { beforeAll, describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { Engine, setEngine, tensor } from "../../lib";

beforeAll(() => {
  setEngine(new Engine({ defaultDevice: "js" }));
});

// Each message starts with the op, names the argument and shows both shapes / values.
describe("error messages", () => {
  const cases: [string, () => unknown, string | RegExp][] = [
    ["matmul inner dimensions", () => gb.matmul(gb.zeros([2, 3]), gb.zeros([4, 5])), "matmul: cannot multiply [2,3] by [4,5]: inner dimensions 3 and 4 differ"],
    ["matmul of vectors", () => gb.matmul(gb.zeros([3]), gb.zeros([4])), "matmul: cannot multiply [3] by [4]: inner dimensions 3 and 4 differ"],
    ["matmul batch", () => gb.matmul(gb.zeros([2, 2, 3]), gb.zeros([3, 3, 1])), "matmul: cannot broadcast shapes [2] and [3]: dimension -1 is 2 vs 3"],
    ["broadcasting", () => gb.zeros([2, 3]).add(gb.zeros([4])), "add: cannot broadcast shapes [2,3] and [4]: dimension -1 is 3 vs 4"],
    ["axis out of range", () => gb.zeros([2, 3]).sum(2), "sum: axis 2 is out of range for a tensor of rank 2: expected an axis in [-2, 1]"],
    ["repeated axis", () => gb.zeros([2, 3]).sum([1, -1]), "sum: axis -1 appears twice in [1,-1]"],
    ["index out of range", () => gb.zeros([2, 3]).get(0, 3), "get: index 3 is out of range for axis 1 of size 3 (shape [2,3])"],
    ["index spec out of range", () => gb.zeros([2, 3]).index(5), "index: index 5 is out of range for axis 0 of size 2 (shape [2,3])"],
    ["reshape", () => gb.zeros([2, 3]).reshape(4, 2), "reshape: cannot reshape a tensor of shape [2,3] (6 elements) into [4,2] (8 elements)"],
    ["expand", () => gb.zeros([2, 3]).expand(2, 4), "expand: cannot expand shape [2,3] to [2,4]: dimension 1 is 3, not 1"],
    ["item", () => gb.zeros([2]).item(), "item: only a one-element tensor converts to a number, got shape [2]"],
    ["max of empty", () => gb.zeros([0, 2]).max(0), /max: cannot reduce over axis 0 of size 0 \(shape \[0,2\]\)/],
    ["conv2d channels", () => gb.conv2d(gb.zeros([1, 3, 5, 5]), gb.zeros([4, 2, 3, 3])), "conv2d: x has 3 channels but w [4,2,3,3] expects 2 (2 per group × 1 groups)"],
    ["conv2d rank", () => gb.conv2d(gb.zeros([5, 5]), gb.zeros([4, 3, 3, 3])), "conv2d: x must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape [5,5]"],
    ["conv2d kernel too large", () => gb.conv2d(gb.zeros([1, 1, 2, 2]), gb.zeros([1, 1, 3, 3])), /conv2d: the kernel 3x3 \(dilation 1x1\) is larger than the padded input 2x2/],
    ["conv2d same with stride", () => gb.conv2d(gb.zeros([1, 1, 4, 4]), gb.zeros([1, 1, 3, 3]), null, { padding: "same", stride: 2 }), 'conv2d: padding "same" needs stride 1, got stride [2,2]'],
    ["gather dtype", () => gb.gather(gb.zeros([2, 3]), 1, gb.zeros([2, 1])), "gather: index must be int32, got float32"],
    ["gather range", () => gb.gather(gb.zeros([2, 3]), 1, tensor([[3]], { dtype: "int32" })), "gather: index 3 is out of range for axis 1 of size 3"],
    ["concat shapes", () => gb.concat([gb.zeros([2, 3]), gb.zeros([2, 4])], 0), "concat: tensors[1] has shape [2,4] but tensors[0] has [2,3]: all dimensions except axis 0 must match"],
    ["split sections", () => gb.split(gb.zeros([5]), [2, 2]), "split: sections [2,2] add up to 4, but axis 0 of shape [5] has size 5"],
    ["topk k", () => gb.topk(gb.zeros([3]), 4), "topk: k = 4 is out of range for axis 0 of size 3 (shape [3])"],
    ["not a tensor", () => gb.matmul([[1]] as never, gb.zeros([1, 1])), "matmul: argument a must be a Tensor, got an array (wrap it with tensor(...))"],
    ["unknown dtype", () => gb.zeros([2], { dtype: "float16" as never }), /zeros: unknown dtype "float16"; expected one of float32, float64, int32, bool/],
    ["bad shape", () => gb.zeros([2, -1]), "zeros: shape must be an array of non-negative integers, got [2,-1]"],
    ["dropout p", () => gb.dropout(gb.zeros([2]), 1.5), "dropout: p must be a probability in [0, 1], got 1.5"],
    ["clip bounds", () => gb.clip(gb.zeros([2]), 1, 0), "clip: min 1 is greater than max 0"],
    ["permute axes", () => gb.zeros([2, 3]).permute(0, 0), "permute: axes [0,0] repeat an axis"],
    ["pool rank", () => gb.maxPool2d(gb.zeros([4, 4]), 2), "maxPool2d: x must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape [4,4]"],
    ["T on 3-D", () => gb.zeros([2, 3, 4]).T, "T: expects a 2-D tensor, got shape [2,3,4]; use mT or permute for other ranks"],
  ];
  for (const [name, fn, msg] of cases) {
    it(name, () => {
      expect(fn).toThrow(msg);
      try { fn(); } catch (e) { expect(e).toBeInstanceOf(Error); }
    });
  }

  it("a disposed tensor says so when used", () => {
    const x = gb.ones([2]);
    x.dispose();
    expect(() => x.add(1)).toThrow("add: argument a was disposed (by dispose() or a tidy() scope) and can no longer be used");
    expect(() => gb.exp(x)).toThrow("exp: argument x was disposed (by dispose() or a tidy() scope) and can no longer be used");
    expect(String(x)).toBe("tensor(<disposed>)");
  });
});
