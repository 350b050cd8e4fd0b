// 03 teaches: AND and OR are one perceptron each; XOR is not (a grid search gets at most 3 of 4
// rows, a trained logistic unit stays near chance); two layers get it right, by hand and trained.
{
  const same = (a: Tensor, b: Tensor) => a.reshape(-1).eq(b.reshape(-1)).all().item();
  if (!same(and(X), yAnd) || !same(or(X), yOr)) throw new Error("03: the AND (−1.5, 1, 1) and OR (−0.5, 1, 1) perceptrons should match their truth tables");
  if (best !== 3) throw new Error(`03: the best single perceptron should get exactly 3 of 4 XOR rows, got ${best}`);
  const linAcc = linearHistory.history.accuracy[99];
  if (linAcc > 0.7) throw new Error(`03: one logistic unit should stay near chance on XOR (≤ 0.7), got ${linAcc}`);
  if (!same(xorNet(X), y)) throw new Error("03: the hand-built two-layer network should compute XOR");
  const netAcc = history.history.accuracy[numEpochs - 1];
  if (netAcc < 0.95) throw new Error(`03: the trained two-layer network should get XOR right (≥ 0.95), got ${netAcc}`);
}
// The perceptron's sliders: AND's weights leave no corner wrong, and no value the sliders can take
// separates XOR (the best leaves exactly one corner wrong).
{
  const c = perceptronExplorer.controls;
  c.gate.value = "AND";
  c.w1.value = 1;
  c.w2.value = 1;
  c.w0.value = -1.5;
  await perceptronExplorer.update();
  const shown = perceptronExplorer.out.outputs.map((o) => (o.output_type === "stream" ? o.text : "")).join("");
  if (!shown.includes("AND: 0 of 4 points misclassified")) throw new Error(`03: the sliders at (−1.5, 1, 1) should show AND with no mistake, shown: ${JSON.stringify(shown)}`);
  const charts = perceptronExplorer.out.outputs.filter((o) => o.output_type === "display_data");
  if (charts.length !== 1 || !("application/vnd.vegalite.v5+json" in (charts[0] as { data: object }).data)) throw new Error("03: the sliders should redraw one decision-boundary chart");
  const grid = (slider: widgets.Widget) => {
    const { min, max, step } = slider.fullState() as { min: number; max: number; step: number };
    return Array.from({ length: Math.round((max - min) / step) + 1 }, (_, i) => min + i * step);
  };
  let fewest = 4, settings = 0;
  for (const w0 of grid(c.w0)) for (const w1 of grid(c.w1)) for (const w2 of grid(c.w2)) {
    fewest = Math.min(fewest, mistakes("XOR", w0, w1, w2));
    settings++;
  }
  if (settings !== 25 ** 3 || fewest !== 1) throw new Error(`03: over the sliders' ${settings} settings the fewest XOR mistakes should be 1, got ${fewest}`);
}
