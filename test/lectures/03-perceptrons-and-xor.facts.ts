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
