// 11 teaches: a large network overfits a small set and each regularizer lowers its final validation
// loss; L1 makes more weights (near) zero than L2; inverted dropout zeroes about p of the values, scales
// the rest by 1/(1-p) so the mean is kept, and is the identity in evaluation; DropConnect drops weights,
// not units; early stopping restores the best epoch; augmentation helps on shifted digits; random search
// beats the grid with the same budget on this plane.
{
  const fail = (fact: string, detail: string) => { throw new Error(`11: ${fact} (${detail})`); };
  const last = (k: string, key = "val_loss") => fits[k][key][numEpochs - 1];
  if (!(last("none", "accuracy") > 0.97 && last("none", "val_accuracy") < last("none", "accuracy") - 0.1)) fail("the large network overfits", `${last("none", "accuracy")} vs ${last("none", "val_accuracy")}`);
  if (!(last("logistic", "accuracy") < 0.9)) fail("the logistic unit underfits", `${last("logistic", "accuracy")}`);
  for (const k of ["L2", "L1", "dropout", "DropConnect"]) {
    if (!(last(k) < last("none") * 0.6)) fail(`${k} lowers the final validation loss`, `${last(k)} vs ${last("none")}`);
  }
  if (!(sparsity.L1 > sparsity.L2 + 0.2 && sparsity.L2 > sparsity.none)) fail("L1 makes more weights near zero than L2, L2 more than none", JSON.stringify(sparsity));
  if (JSON.stringify(dropStats.values) !== JSON.stringify([0, 2])) fail("inverted dropout outputs 0 or 1/(1-p)", `${dropStats.values}`);
  if (Math.abs(dropStats.zeroShare - 0.5) > 0.03) fail("dropout zeroes about p of the values", `${dropStats.zeroShare}`);
  if (Math.abs(dropStats.trainMean - 1) > 0.05) fail("inverted scaling keeps the mean", `${dropStats.trainMean}`);
  if (!dropStats.masksDiffer || !dropStats.evalIsIdentity) fail("masks differ between passes and evaluation is the identity", JSON.stringify(dropStats));
  if (connectOut.eq(0).sum().item() !== 0) fail("DropConnect zeroes weights, not whole outputs", connectOut.toString());
  if (!(stopper.stoppedEpoch < numEpochs - 1 && Math.abs(restored.loss - bestValLoss) < 1e-4)) fail("early stopping stops early and restores the best epoch", `${stopper.stoppedEpoch}, ${restored.loss} vs ${bestValLoss}`);
  if (!(augResults.augmented.shifted > augResults.plain.shifted + 0.1)) fail("augmentation helps on shifted digits", JSON.stringify(augResults));
  if (!(Math.min(...randomScores) < Math.min(...gridScores))) fail("random search finds a better point than the grid with the same budget", `${Math.min(...randomScores)} vs ${Math.min(...gridScores)}`);
  if (new Set(gridPoints.map((p) => p[0])).size !== 3 || new Set(randomPoints.map((p) => p[0])).size !== 9) fail("the grid tries 3 learning rates, random search 9", "");
  if (!(Math.min(...fineScores) <= Math.min(...randomScores) + 0.01)) fail("coarse to fine does at least as well as the coarse search", `${Math.min(...fineScores)} vs ${Math.min(...randomScores)}`);
  console.log("11: all facts hold");
}
