// 13 teaches: attention weights are a softmax of scores and the context their weighted sum (as the
// library computes them); an encoder-decoder with attention beats one without on reversal; the
// trained weights line up with the reversed positions; self-attention needs positional encodings.
{
  const fail = (msg: string) => { throw new Error(`13: ${msg}`); };
  if (!(handVsLayer < 1e-6)) fail(`hand-computed weights and context should equal nn.Attention's, largest difference ${handVsLayer}`);
  if (!(additiveVsLayer < 1e-5)) fail(`hand-computed additive scores should equal the layer's, largest difference ${additiveVsLayer}`);
  if (!(Math.abs(alpha.sum().item() - 1) < 1e-6)) fail(`attention weights should sum to 1, got ${alpha.sum().item()}`);
  const a = reversalAcc["with attention"], b = reversalAcc["without attention"];
  if (!(a > 0.9 && a > b + 0.2)) fail(`reversal: attention should beat no attention clearly, got ${a.toFixed(3)} vs ${b.toFixed(3)}`);
  if (!(alignment > 0.8)) fail(`the trained attention should peak on the reversed input position, it does in ${(100 * alignment).toFixed(1)} % of steps`);
  const rows = withAttention.model.lastWeights!.sum(2).data();
  for (let i = 0; i < rows.length; i++) if (Math.abs(rows[i] - 1) > 1e-4) fail(`every row of attention weights should sum to 1, row ${i} sums to ${rows[i]}`);
  if (!(selfAttentionAcc["with positional encoding"] > 0.9 && selfAttentionAcc["without"] < 0.5)) {
    fail(`self-attention should learn reversal with positional encoding and not without, got ${JSON.stringify(selfAttentionAcc)}`);
  }
}
