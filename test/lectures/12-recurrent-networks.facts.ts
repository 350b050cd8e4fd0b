// 12 teaches: nn.RNN is the hand-written recurrence; the tanh RNN's gradient vanishes where the
// LSTM's survives; a bidirectional layer uses the future; the language model learns, and the
// sampling temperature changes how spread out the next-character distribution is.
{
  const fail = (msg: string) => { throw new Error(`12: ${msg}`); };
  if (!(handVsLayer < 1e-5)) fail(`the hand-unrolled RNN should equal nn.RNN, largest difference ${handVsLayer}`);
  if (!(gruHandVsLayer < 1e-5)) fail(`the hand-unrolled right-to-left GRU should equal nn.GRU's backward half, largest difference ${gruHandVsLayer}`);
  const rnnSteps = stepsSurvived(rnnNorms), lstmSteps = stepsSurvived(lstmNorms);
  if (!(lstmSteps > 2 * rnnSteps)) fail(`the LSTM's gradient should survive many more steps than the tanh RNN's: ${lstmSteps} vs ${rnnSteps}`);
  if (!(rnnNorms[0] / rnnNorms[T_LONG - 1] < 1e-6)) fail(`the tanh RNN's gradient should vanish over ${T_LONG} steps, ratio first/last ${rnnNorms[0] / rnnNorms[T_LONG - 1]}`);
  const rnnRatio = rnnNorms[0] / rnnNorms[T_LONG - 1], lstmRatio = lstmNorms[0] / lstmNorms[T_LONG - 1];
  if (!(lstmRatio > 1e6 * rnnRatio)) fail(`over ${T_LONG} steps the LSTM (forget bias 1) should keep far more of its gradient than the RNN: first/last ${lstmRatio} vs ${rnnRatio}`);
  const big = scaled["W_aa ~ N(0, 2²/H)"], small = scaled["W_aa ~ N(0, 0.5²/H)"];
  if (!(big[0] > big[T_LONG - 1] && small[0] < small[T_LONG - 1])) fail("large recurrent weights should explode the gradient and small ones make it vanish");
  if (!(bidirectionalAcc["bidirectional"] > 0.95 && bidirectionalAcc["left to right"] < 0.65)) {
    fail(`predicting x⟨t+2⟩: bidirectional should be near 100 % and left-to-right near chance, got ${JSON.stringify(bidirectionalAcc)}`);
  }
  const first = lmLosses.slice(0, 20).reduce((s, v) => s + v, 0) / 20, last = lmLosses.slice(-20).reduce((s, v) => s + v, 0) / 20;
  if (!(last < first - 0.8 && last < 2.4)) fail(`the language model's loss should fall well below its start: first 20 steps ${first.toFixed(3)}, last 20 ${last.toFixed(3)}`);
  for (let i = 1; i < entropyByTemperature.length; i++) {
    if (!(entropyByTemperature[i] > entropyByTemperature[i - 1])) fail(`entropy should rise with temperature, got ${entropyByTemperature.map((h) => h.toFixed(3))} for τ = ${temperatures}`);
  }
  const cold = generate(prompt, 60, 0.2), hot = generate(prompt, 60, 1.5);
  if (cold === hot) fail("samples at τ = 0.2 and τ = 1.5 should differ");
}
