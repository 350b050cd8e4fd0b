// 01 teaches: one linear neuron recovers F = 1.8 C + 32 from noisy examples (inputs C/10, so the
// weight is 18); the perceptron rule stops making mistakes on separable data; a hidden layer makes
// the two rings separable for the last, linear unit.
{
  const wF = weight.item(), bF = bias.item();
  if (Math.abs(wF - 18) > 1 || Math.abs(bF - 32) > 1.5) throw new Error(`01: the neuron should learn F = 18·(C/10) + 32, got weight ${wF}, bias ${bF}`);
  if (mistakesPerPass[mistakesPerPass.length - 1] !== 0) throw new Error(`01: the perceptron rule should converge on separable blobs, mistakes per pass ${mistakesPerPass}`);
  if (mistakesPerPass[0] === 0) throw new Error("01: the perceptron should start by making mistakes");
  const ltuAcc = ltu(points).reshape(-1).eq(labels.float()).float().mean().item();
  if (ltuAcc !== 1) throw new Error(`01: the trained perceptron should classify every blob point, got ${ltuAcc}`);
  const ringAcc = ringHistory.history.accuracy[149];
  if (ringAcc < 0.95) throw new Error(`01: the network should separate the rings (training accuracy ≥ 0.95), got ${ringAcc}`);
}
