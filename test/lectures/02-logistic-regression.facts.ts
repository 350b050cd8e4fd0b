// 02 teaches: the hand-derived gradient (1/m)Xᵀ(a − y) equals autodiff's and the loop version;
// gradient descent lowers the cost; the model generalises to a held-out test set.
{
  const auto = wTest.grad!;
  const diff = auto.sub(dw).abs().max().item();
  if (diff > 1e-5) throw new Error(`02: ∂J/∂w by hand differs from autodiff by ${diff}`);
  if (Math.abs(bTest.grad!.item() - db.item()) > 1e-5) throw new Error("02: ∂J/∂b by hand differs from autodiff");
  const first = curves[Object.keys(curves)[0]];
  if (!(first[first.length - 1] < first[0])) throw new Error("02: gradient descent should lower the cost");
  const testAcc = accuracy(split.XTest, split.yTest);
  if (testAcc < 0.85) throw new Error(`02: test accuracy of the logistic model should be ≥ 0.85, got ${testAcc}`);
}
