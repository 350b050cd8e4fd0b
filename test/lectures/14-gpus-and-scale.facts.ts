// 14 teaches: the notebook knows whether a GPU is here and says so; an n×n matmul does n/6 FLOPs per
// byte; the activations kept for backward grow linearly with the batch size. (Speeds are measured
// and shown, never asserted: they depend on the machine.)
{
  const fail = (msg: string) => { throw new Error(`14: ${msg}`); };
  const actual = deviceAvailable("cuda");
  if (hasGpu !== actual.available) fail(`the notebook's GPU detection (${hasGpu}) disagrees with deviceAvailable("cuda") (${actual.available})`);
  if (!hasGpu && !(typeof actual.reason === "string" && actual.reason.length > 0)) fail("without a GPU, deviceAvailable should say why");
  if (hasGpu !== "cuda (this machine)" in matmulGflops) fail("the cuda timing line must appear exactly when a GPU is present");
  if (hasGpu !== "cuda (this machine)" in throughput) fail("the cuda throughput line must appear exactly when a GPU is present");
  if (!examplesPerSecond.every((r) => Number.isFinite(r) && r > 0)) fail(`throughput should be positive numbers, got ${examplesPerSecond}`);
  sizes.forEach((n, i) => { if (Math.abs(intensity[i] - n / 6) > 1e-9) fail(`intensity of a ${n}×${n} matmul should be n/6 = ${n / 6}, got ${intensity[i]}`); });
  for (const [name, rates] of Object.entries(matmulGflops)) {
    if (!rates.every((r) => Number.isFinite(r) && r > 0)) fail(`timings of "${name}" should be positive numbers, got ${rates}`);
  }
  for (let i = 1; i < activationBytes.length; i++) {
    const expected = activationBytes[0] + perExample * (memoryBatchSizes[i] - memoryBatchSizes[0]);
    if (!(activationBytes[i] > activationBytes[i - 1])) fail(`activation memory should grow with the batch size, got ${activationBytes}`);
    if (Math.abs(activationBytes[i] - expected) > 0.02 * expected) fail(`activation memory should be linear in the batch size: batch ${memoryBatchSizes[i]} holds ${activationBytes[i]} bytes, the line predicts ${expected}`);
  }
  // At least the hidden layer before and after the ReLU and the 10 scores of each example are kept.
  if (!(perExample >= 4 * (2 * 256 + 10))) fail(`each example should keep at least its hidden activations and scores (${4 * (2 * 256 + 10)} bytes), measured ${perExample}`);
  if (measuredElsewhere.some((m) => !m.device || !m.date)) fail("figures measured elsewhere must name their device and date");
}
