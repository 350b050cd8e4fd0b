// 08 teaches: a convolution by hand equals conv2d; the output-size formula; the receptive field of L
// stacked 3×3 layers is 2L + 1; summary() counts K(f·f·c_in + 1) parameters and h·w·K·f·f·c_in FLOPs;
// im2col is the same convolution; dJ/dw = x * dJ/dv (the notes' first entry is 14, not 12); the CNN
// beats 07's MLP on the same digits; FGSM and the targeted attack change predictions; the Gram-matrix
// style loss falls.
{
  const fail = (fact: string, detail: string) => { throw new Error(`08: ${fact}: ${detail}`); };
  const lib = (withLibrary.toArray() as number[][][][])[0][0];
  if (JSON.stringify(lib) !== JSON.stringify(byHand)) fail("the convolution by hand should equal conv2d", `${JSON.stringify(byHand)} vs ${JSON.stringify(lib)}`);
  if (byHand[0][1] !== 30 || byHand[0][0] !== 0) fail("the vertical edge should give 30 across the edge and 0 on flat parts", JSON.stringify(byHand[0]));
  for (const r of sizeRows) if (r.formula !== r.conv2d) fail("output size formula", JSON.stringify(r));
  if (JSON.stringify(widths) !== JSON.stringify([3, 5, 7, 9])) fail("receptive fields of 1-4 stacked 3×3 layers should be 3, 5, 7, 9", JSON.stringify(widths));
  const rows = cnnSummary.rows;
  const expect: [number, keyof typeof byFormula][] = [[0, "conv1"], [2, "pool1"], [3, "conv2"], [5, "pool2"], [7, "dense"]];
  for (const [i, name] of expect) {
    if (rows[i].params !== byFormula[name].params || rows[i].flops !== byFormula[name].flops) {
      fail(`summary row ${i} (${name}) should match the notes' formulas`, `params ${rows[i].params} vs ${byFormula[name].params}, FLOPs ${rows[i].flops} vs ${byFormula[name].flops}`);
    }
  }
  if (maxDiff(loopOut, colOut) > 1e-4 || maxDiff(loopOut, libOut) > 1e-4) fail("loops, im2col and conv2d should agree", `${maxDiff(loopOut, colOut)}, ${maxDiff(loopOut, libOut)}`);
  const dw = (wSmall.grad!.toArray() as number[][][][])[0][0];
  if (JSON.stringify(dw) !== JSON.stringify([[14, -20], [2, -8]])) fail("dJ/dw of the notes' example should be [[14, -20], [2, -8]]", JSON.stringify(dw));
  if (!(cnnTest.accuracy > mlpTest.accuracy + 0.01)) fail("the CNN should beat 07's MLP on the same test digits by more than a point", `CNN ${cnnTest.accuracy}, MLP ${mlpTest.accuracy}`);
  if (!(cnnTest.accuracy > 0.93)) fail("the CNN should reach 93% test accuracy", String(cnnTest.accuracy));
  if (model.numParameters() * 10 > mlp.numParameters()) fail("the CNN should have under a tenth of the MLP's parameters", `${model.numParameters()} vs ${mlp.numParameters()}`);
  if (flipped < 2) fail(`FGSM with ε = ${epsilon} should change at least 2 of the ${nShow} predictions shown`, `${flipped} changed`);
  if (!(advAccuracy < cnnTest.accuracy / 2)) fail(`FGSM with ε = ${epsilon} should halve the test accuracy`, `${cnnTest.accuracy} → ${advAccuracy}`);
  if (Xadv.sub(Xclean).abs().max().item() > epsilon + 1e-6) fail("FGSM should change no pixel by more than ε", String(Xadv.sub(Xclean).abs().max().item()));
  if (endClass !== target || startClass === target) fail(`the targeted attack should turn the prediction into a ${target}`, `from ${startClass} to ${endClass}`);
  if (!(styleEnd < styleStart / 3)) fail("the style loss should fall to under a third", `${styleStart} → ${styleEnd}`);
  if (model.trainable) fail("the style section should have frozen the CNN", "model.trainable is true");
}
