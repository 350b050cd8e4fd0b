/**
 * Image operations composed from the tensor core (so their gradients come from autodiff):
 * `unfold` (im2col, PyTorch's `F.unfold`) and `gramMatrix` (the style statistic of neural
 * style transfer).
 */
import { Tensor, pad, stack } from "./core";

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : v);

/**
 * im2col: every kh×kw patch of `x` [N, C, H, W] as a column, giving [N, C·kh·kw, L] with
 * L = outH·outW patches (rows ordered channel, then kernel row, then kernel column, as
 * PyTorch's `F.unfold`). A convolution is then one matrix product:
 * `weight.reshape(K, -1).matmul(unfold(x, k))` is [N, K, L], reshaped to [N, K, outH, outW].
 *
 * @example
 * const cols = nn.unfold(zeros([1, 3, 5, 5]), 3); // [1, 27, 9]
 */
export function unfold(x: Tensor, kernelSize: Pair, options: { stride?: Pair; padding?: Pair; dilation?: Pair } = {}): Tensor {
  if (!(x instanceof Tensor) || x.ndim !== 4) {
    throw new Error(`unfold: x must be a tensor of shape [N, C, H, W], got ${x instanceof Tensor ? `[${x.shape}]` : typeof x}`);
  }
  const [kh, kw] = pair(kernelSize), [sh, sw] = pair(options.stride ?? 1), [ph, pw] = pair(options.padding ?? 0), [dh, dw] = pair(options.dilation ?? 1);
  for (const [name, v, min] of [["kernelSize", kh, 1], ["kernelSize", kw, 1], ["stride", sh, 1], ["stride", sw, 1], ["padding", ph, 0], ["padding", pw, 0], ["dilation", dh, 1], ["dilation", dw, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`unfold: ${name} must be an integer >= ${min}, got ${v}`);
  }
  const [n, c, h, w] = x.shape;
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  if (oh < 1 || ow < 1) throw new Error(`unfold: input [${x.shape}] is smaller than the kernel ${kh}×${kw} (padding ${ph}×${pw}, dilation ${dh}×${dw})`);
  const xp = ph || pw ? pad(x, [pw, pw, ph, ph]) : x;
  const patches: Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const rows = xp.slice(2, i * dh, i * dh + sh * (oh - 1) + 1, sh);
      patches.push(rows.slice(3, j * dw, j * dw + sw * (ow - 1) + 1, sw)); // [N, C, oh, ow]
    }
  }
  return stack(patches, 2).reshape(n, c * kh * kw, oh * ow);
}

/**
 * Gram matrix of feature maps [N, C, H, W]: G[c, d] = Σ over positions of F_c·F_d, divided
 * by H·W (so images of different sizes compare), giving [N, C, C]. It keeps which features
 * occur together and drops where they occur: the "style" of neural style transfer.
 *
 * @example
 * nn.gramMatrix(features).shape; // [1, C, C]
 */
export function gramMatrix(features: Tensor): Tensor {
  if (!(features instanceof Tensor) || features.ndim !== 4) {
    throw new Error(`gramMatrix: features must have shape [N, C, H, W], got ${features instanceof Tensor ? `[${features.shape}]` : typeof features}`);
  }
  const [n, c, h, w] = features.shape;
  const f = features.reshape(n, c, h * w);
  return f.matmul(f.transpose(1, 2)).div(h * w);
}
