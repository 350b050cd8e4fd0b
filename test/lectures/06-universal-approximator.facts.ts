// 06 teaches: 2m ReLU units placed as steps reproduce m training pairs exactly, yet between them
// the network is a staircase, not the smooth curve behind the data.
{
  const trainErr = fitted.sub(yTrain).abs().max().item();
  if (trainErr > 1e-3) throw new Error(`06: the step network should hit every training point, largest error ${trainErr}`);
  const offTrain = curve.sub(grid.sin()).abs().max().item();
  if (offTrain < 0.1) throw new Error(`06: between the training points the staircase should be visibly off sin(x), largest gap only ${offTrain}`);
}
