// 05 teaches: two linear layers collapse into one; σ′ peaks at 0 (1/4) and vanishes in the tails;
// a ReLU with a large negative bias is dead (no gradient); softmax + cross-entropy has gradient ŷ − y.
{
  if (twoLayers.sub(oneLayer).abs().max().item() > 1e-4) throw new Error("05: two linear layers should equal one linear layer");
  const s = Array.from(slopes.data());
  if (Math.abs(s[2] - 0.25) > 1e-6 || !(s[0] < 0.01 && s[4] < 0.01)) throw new Error(`05: σ′ should be 1/4 at 0 and below 0.01 at ±6, got ${s}`);
  if (weight.grad && weight.grad.abs().max().item() !== 0) throw new Error("05: a dead ReLU passes no gradient to its weights");
  const g = z.grad!.sub(yHat.detach().sub(yTrue)).abs().max().item();
  if (g > 1e-6) throw new Error(`05: the gradient of softmax cross-entropy should be ŷ − y, off by ${g}`);
}
