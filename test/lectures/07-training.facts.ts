// 07 teaches: on a small noisy set a big network overfits (training loss keeps falling while
// validation loss rises after its best epoch); early stopping stops and restores the best weights;
// standardised inputs train faster; an MLP learns MNIST digits.
{
  const first = h.loss[0], last = h.loss[h.loss.length - 1];
  if (!(last < 0.5 * first)) throw new Error(`07: the overfit model's training loss should keep falling, ${first} → ${last}`);
  const lastVal = h.val_loss[h.val_loss.length - 1], bestVal = h.val_loss[bestEpoch];
  if (!(bestEpoch < h.val_loss.length - 50 && lastVal > bestVal * 1.2)) throw new Error(`07: validation loss should rise after its best epoch (${bestEpoch + 1}: ${bestVal}) to ${lastVal}`);
  if (!(h.loss[h.loss.length - 1] < h.loss[bestEpoch])) throw new Error("07: training loss should still be falling after the best validation epoch");
  if (stopper.stoppedEpoch < 0 || stopper.stoppedEpoch >= 299) throw new Error(`07: early stopping should stop before the 300th epoch, stopped at ${stopper.stoppedEpoch}`);
  if (Math.abs(after.loss - stopper.best) > 1e-4 * Math.max(1, Math.abs(stopper.best))) throw new Error(`07: restored weights should give the best validation loss ${stopper.best}, got ${after.loss}`);
  if (!(after.loss < lastVal)) throw new Error("07: the stopped model should beat the overfit one on validation data");
  const endOf = (k: string) => (scaling[k] ?? [NaN])[(scaling[k] ?? [NaN]).length - 1];
  const std = endOf("standardised, lr 0.5");
  for (const k of Object.keys(scaling).filter((k) => k.startsWith("raw"))) {
    if (!(std < endOf(k)) && Number.isFinite(endOf(k))) throw new Error(`07: standardised inputs should reach a lower loss than ${k} in the same epochs (${std} vs ${endOf(k)})`);
  }
  if (!Number.isFinite(std)) throw new Error("07: the standardised run should train");
  if (testLogs.accuracy < 0.9) throw new Error(`07: the MNIST MLP's test accuracy should be ≥ 0.9, got ${testLogs.accuracy}`);
}
// The playground: after 300 steps two hidden layers separate the spirals; without a hidden layer
// (one straight line) the same training cannot. Pressed from the toggle, training redraws as it
// runs and stops when the toggle is released.
{
  if (playground.epoch !== 300) throw new Error(`07: the playground should have run 300 steps, ran ${playground.epoch}`);
  const deep = playground.accuracy();
  if (deep < 0.95) throw new Error(`07: two hidden layers of 8 tanh units should separate the spirals (≥ 0.95), got ${deep}`);
  playground.hiddenLayers.value = 0;
  if (playground.epoch > 0) throw new Error("07: changing the network should start it afresh");
  await playground.run(300);
  const flat = playground.accuracy();
  if (flat > 0.75) throw new Error(`07: a single straight line should not separate the spirals (≤ 0.75), got ${flat}`);
  const frames = playground.frames;
  playground.train.value = true;
  const start = Date.now();
  while (playground.epoch < 320 && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 20));
  await playground.pause();
  const stoppedAt = playground.epoch;
  await new Promise((r) => setTimeout(r, 50));
  if (!(stoppedAt >= 320 && playground.epoch === stoppedAt && !playground.playing)) throw new Error(`07: the toggle should train and pause (stopped at ${stoppedAt}, now ${playground.epoch})`);
  if (!(playground.frames > frames)) throw new Error("07: training from the toggle should redraw the charts");
}
