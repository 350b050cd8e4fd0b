// 10 teaches: momentum and adaptive rates cross the ravine in fewer steps than SGD; Adam's bias
// correction makes the first step lr (about 3.16 lr without it); schedules end lower than a constant
// rate; too-small init vanishes and too-large saturates while Xavier/He keep the spread; zero init
// never breaks symmetry; all-positive inputs give one-signed gradients; batch norm trains faster.
{
  const fail = (fact: string, detail: string) => { throw new Error(`10: ${fact} (${detail})`); };
  if (!(steps.SGD > 0 && steps.momentum > 0 && steps.momentum < steps.SGD / 2)) fail("momentum reaches the ravine's minimum in under half SGD's steps", JSON.stringify(steps));
  if (!(steps.Nesterov > 0 && steps.Nesterov <= steps.momentum)) fail("Nesterov arrives no later than momentum", JSON.stringify(steps));
  for (const [name, run] of Object.entries(adaptive)) {
    const n = stepsToReach(run.path, [0, 0]);
    if (!(n > 0 && n < steps.SGD)) fail(`${name} reaches the minimum in fewer steps than SGD`, `${n} vs ${steps.SGD}`);
  }
  if (!(escape.SGD > escape.momentum && escape.SGD > escape.Adam && escape.SGD > escape.RMSProp)) fail("SGD is the slowest to leave the saddle", JSON.stringify(escape));
  if (Math.abs(withBC.stepSizes[0] - 0.5) > 1e-3) fail("with bias correction Adam's first step is lr", `${withBC.stepSizes[0]}`);
  if (Math.abs(withoutBC.stepSizes[0] / 0.5 - 0.1 / Math.sqrt(0.001)) > 0.01) fail("without bias correction the first step is (1-β1)/√(1-β2) ≈ 3.16 lr", `${withoutBC.stepSizes[0] / 0.5}`);
  const d = Math.hypot(withBC.path[40][0] - libraryAdam[40][0], withBC.path[40][1] - libraryAdam[40][1]);
  if (d > 1e-3) fail("the written-out Adam follows optim.Adam", `distance ${d}`);
  const last = (k: string) => scheduleLosses[k][numEpochs - 1];
  if (!(last("step") < last("constant") / 2 && last("cosine") < last("constant") / 2)) fail("step and cosine schedules end at under half the constant rate's loss", `${last("constant")}, ${last("step")}, ${last("cosine")}`);
  const ratio = (k: string) => activationStd[k][7] / activationStd[k][0];
  if (!(activationStd["tanh, N(0, 0.01²)"][7] < 1e-5)) fail("too-small init makes the 8th layer's activations vanish", `${activationStd["tanh, N(0, 0.01²)"][7]}`);
  if (!(gradientStd["tanh, N(0, 0.01²)"][0] < 1e-8)) fail("too-small init makes the first layer's gradients vanish", `${gradientStd["tanh, N(0, 0.01²)"][0]}`);
  const sat = probes["tanh, N(0, 1)"][7].activations;
  const saturated = Array.from(sat).filter((a) => Math.abs(a) > 0.99).length / sat.length;
  if (!(saturated > 0.7)) fail("N(0, 1) init saturates most tanh units", `${saturated}`);
  if (!(gradientStd["tanh, N(0, 1)"][0] > 10 * gradientStd["tanh, N(0, 1)"][7])) fail("N(0, 1) init makes gradients grow towards the input", `${gradientStd["tanh, N(0, 1)"]}`);
  if (!(ratio("ReLU, He") > 0.5 && ratio("ReLU, He") < 2)) fail("He init keeps a ReLU network's spread", `${ratio("ReLU, He")}`);
  if (!(ratio("ReLU, Xavier") < 0.2)) fail("Xavier init lets a ReLU network's spread shrink", `${ratio("ReLU, Xavier")}`);
  if (!(ratio("tanh, Xavier") > 0.25)) fail("Xavier keeps most of tanh's spread over 8 layers", `${ratio("tanh, Xavier")}`);
  if (zeroGrads.some((s) => s !== 0)) fail("zero init gives zero weight gradients", `${zeroGrads}`);
  if (!(Math.min(rawSigns.positive, rawSigns.negative) === 0 && rawSigns.positive + rawSigns.negative > 50)) fail("with all-positive inputs a unit's weight gradients share one sign", JSON.stringify(rawSigns));
  if (!(centredSigns.positive > 50 && centredSigns.negative > 50)) fail("after mean subtraction the gradients have both signs", JSON.stringify(centredSigns));
  if (!(bnAccuracy["batch norm, lr 0.02"] > bnAccuracy["plain, lr 0.02"] + 0.1)) fail("batch norm trains much faster at the small rate", JSON.stringify(bnAccuracy));
  if (!(bnCurves["batch norm, lr 0.2"][0] < bnCurves["plain, lr 0.2"][0])) fail("batch norm lowers the first epoch's loss at the large rate", `${bnCurves["batch norm, lr 0.2"][0]} vs ${bnCurves["plain, lr 0.2"][0]}`);
  if (!(reluStd["batch norm"][4] > 0.3 && reluStd.plain[4] < 1e-4)) fail("batch norm keeps the signal that a too-small init loses", JSON.stringify(reluStd));
  console.log("10: all facts hold");
}
