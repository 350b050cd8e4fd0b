// 06 teaches: 2m ReLU units placed as steps reproduce m training pairs exactly, yet between them
// the network is a staircase, not the smooth curve behind the data.
{
  const trainErr = fitted.sub(yTrain).abs().max().item();
  if (trainErr > 1e-3) throw new Error(`06: the step network should hit every training point, largest error ${trainErr}`);
  const offTrain = curve.sub(grid.sin()).abs().max().item();
  if (offTrain < 0.1) throw new Error(`06: between the training points the staircase should be visibly off sin(x), largest gap only ${offTrain}`);
}
// The sliders: the neuron's corner sits at −b/W; the two-sigmoid bump approaches its box as the
// steepness grows (the mean gap falls at every step of the slider and ends below 0.01).
{
  neuronExplorer.controls.W.value = 2;
  neuronExplorer.controls.b.value = -1;
  await neuronExplorer.update();
  const said = neuronExplorer.out.outputs.map((o) => (o.output_type === "stream" ? o.text : "")).join("");
  if (!said.includes("corner at x = -b/W = 0.50")) throw new Error(`06: W = 2, b = −1 should put the corner at 0.5, shown: ${JSON.stringify(said)}`);
  const K = bumpExplorer.controls.K;
  const { min, max, step, base } = K.fullState() as { min: number; max: number; step: number; base: number };
  const steepness = Array.from({ length: Math.round((max - min) / step) + 1 }, (_, i) => Math.pow(base, min + i * step));
  const gaps = steepness.map((k) => bumpError(-0.5, 1, 1, k));
  for (let i = 1; i < gaps.length; i++) {
    if (!(gaps[i] < gaps[i - 1])) throw new Error(`06: the bump's gap to the box should shrink as K grows, K ${steepness[i - 1]} → ${steepness[i]}: ${gaps[i - 1]} → ${gaps[i]}`);
  }
  if (!(gaps[0] > 0.2 && gaps[gaps.length - 1] < 0.01)) throw new Error(`06: the gap should go from above 0.2 at K = 1 to below 0.01 at K = 1000, got ${gaps[0]} and ${gaps[gaps.length - 1]}`);
  K.value = 1000;
  await bumpExplorer.update();
  const shown = bumpExplorer.out.outputs.map((o) => (o.output_type === "stream" ? o.text : "")).join("");
  const m = /mean \|bump − box\| = ([\d.]+)/.exec(shown);
  if (!m || !(Number(m[1]) < 0.01)) throw new Error(`06: at the steepest setting the widget should show a gap below 0.01, shown: ${JSON.stringify(shown)}`);
}
// Bumps on n pieces follow sin x ever more closely as n grows (steep sigmoids), a moderate
// steepness rounds the stairs off and does better still, and the widget shows the gap.
{
  const gaps = [2, 5, 10, 20, 40].map((n) => sineGap(n, 1000));
  for (let i = 1; i < gaps.length; i++) {
    if (!(gaps[i] < gaps[i - 1])) throw new Error(`06: more bumps should follow sin x more closely, gaps ${gaps.map((g) => g.toFixed(4)).join(", ")}`);
  }
  if (!(gaps[gaps.length - 1] < 0.05)) throw new Error(`06: 40 steep bumps should stay within a mean 0.05 of sin x, got ${gaps[gaps.length - 1]}`);
  const soft = sineGap(40, 10);
  if (!(soft < gaps[gaps.length - 1])) throw new Error(`06: with 40 pieces, K = 10 should follow sin x more closely than K = 1000 (${soft} vs ${gaps[gaps.length - 1]})`);
  sineExplorer.controls.n.value = 40;
  sineExplorer.controls.K.value = 1000;
  await sineExplorer.update();
  const shown = sineExplorer.out.outputs.map((o) => (o.output_type === "stream" ? o.text : "")).join("");
  if (!shown.includes(`40 bumps (80 sigmoid units): mean |sum − sin x| = ${gaps[gaps.length - 1].toFixed(4)}`)) throw new Error(`06: the widget should show the 40-bump gap, shown: ${JSON.stringify(shown)}`);
}
