// 09 teaches: summary() reproduces the notes' tables except their slips; the inception block's 1×1
// reductions cut FLOPs; depthwise-separable FLOPs fall by 1/K + 1/f²; a residual deep net trains where
// the plain one stalls; transfer learning beats scratch on 200 digits; saliency marks the pixels that
// matter; a localiser beats the average box; the convolutional classifier equals the crop classifier;
// retrieval signatures find the same digit.
{
  const fail = (fact: string, detail: string) => { throw new Error(`09: ${fact}: ${detail}`); };
  const same = (a: string[], b: string[]) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(lenetSlips, ["pool1"])) fail("LeNet should differ from the notes only in pool1 (4704, not 4074)", JSON.stringify(lenetSlips));
  if (!same(alexSlips, ["conv1"])) fail("AlexNet should differ from the notes only in conv1 (34,944)", JSON.stringify(alexSlips));
  if (!same(zfSlips, ["pool2", "conv5", "fc1"])) fail("ZFNet should differ from the notes in pool2, conv5 and fc1", JSON.stringify(zfSlips));
  if (alexSummary.rows[0].params !== 96 * (11 * 11 * 3 + 1)) fail("AlexNet conv1 parameters should be K(f·f·c+1)", String(alexSummary.rows[0].params));
  if (vggSummary.totalParams !== 138357544) fail("VGG16 should have 138,357,544 parameters", String(vggSummary.totalParams));
  const zfShapes = zfSummary.rows.filter((r) => r.type !== "ReLU").slice(0, 8).map((r) => r.outputShape[1]);
  if (!same(zfShapes.map(String), ["110", "55", "26", "13", "13", "13", "13", "6"])) fail("ZFNet's spatial sizes should be the notes' 110, 55, 26, 13, 13, 13, 13, 6", JSON.stringify(zfShapes));
  const seconds = [1, 3, 5, 8].map((i) => vggConvFlops[i]);
  if (new Set(seconds).size !== 1) fail("VGG's second convolution of each of the first four stages should cost the same", JSON.stringify(seconds));
  if (!(viaConv.sub(viaMatmul).abs().max().item() < 1e-5)) fail("a 1×1 convolution should equal a per-pixel matrix product", "difference too large");
  if (!(block3a.flops([192, 28, 28]) < naive3a.flops([192, 28, 28]) / 2)) fail("1×1 reductions should more than halve inception 3a's FLOPs", `${block3a.flops([192, 28, 28])} vs ${naive3a.flops([192, 28, 28])}`);
  if (Math.abs(flopRatio - (1 / K + 1 / f ** 2)) > 1e-9) fail("depthwise-separable FLOP ratio should be 1/K + 1/f²", `${flopRatio}`);
  const plain = depthCurves["plain (21 layers)"], res = depthCurves["residual (10 blocks)"];
  if (!(plain[numEpochs - 1] > 2.2)) fail("the plain 21-layer net should stall near ln 10", `final loss ${plain[numEpochs - 1]}`);
  if (!(res[numEpochs - 1] < 0.6)) fail("the residual net should train (final loss < 0.5)", `final loss ${res[numEpochs - 1]}`);
  if (!(depthAccuracy["residual (10 blocks)"] > 0.8)) fail("the residual net should reach 80% test accuracy", JSON.stringify(depthAccuracy));
  if (features.trainable || features.layers[0].parameters()[0].requiresGrad) fail("the transferred features should be frozen", "they require grad");
  const w0 = nn.loadPretrained("fashion-cnn").layers[0].parameters()[0].data();
  const w1 = features.layers[0].parameters()[0].data();
  if (Array.from(w0).some((v, i) => v !== w1[i])) fail("training the new head should leave the frozen filters unchanged", "first-layer weights moved");
  if (!(meanOf(transferAcc) > meanOf(scratchAcc) + 0.02)) fail("transfer learning should beat training from scratch on 200 digits (mean test accuracy over epochs)", `${meanOf(transferAcc)} vs ${meanOf(scratchAcc)}`);
  if (!(transferAcc[transferEpochs - 1] >= scratchAcc[transferEpochs - 1] - 0.005)) fail("transfer should end at least level with scratch", `${transferAcc[transferEpochs - 1]} vs ${scratchAcc[transferEpochs - 1]}`);
  if (!(scoreClean - scoreSalient > 1.4 * (scoreClean - scoreRandom))) fail("blanking salient pixels should lower the class score clearly more (1.4×) than blanking random ink", `${scoreClean} → ${scoreSalient} vs ${scoreRandom}`);
  if (!(meanIou > baselineIou + 0.1 && meanIou > 0.55)) fail("the localiser should reach a mean IoU above 0.55 and 0.1 above always predicting the average box", `${meanIou} vs ${baselineIou}`);
  if (!(gridMatchesCrop < 0.05 * viaCrop.abs().max().item() && sameClass)) fail("a grid cell of the convolutional classifier should (nearly) equal classifying its crop", `difference ${gridMatchesCrop}, same class ${sameClass}`);
  if (!(precisionAt5 > 0.85)) fail("retrieval by signature should return the query's digit (precision@5 > 0.85)", String(precisionAt5));
}
