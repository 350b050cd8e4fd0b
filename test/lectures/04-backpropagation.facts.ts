// 04 teaches: gradients of (x + y)·z by the chain rule; the hand-written backward pass of the
// 2-layer net equals autodiff; gradient descent with it learns the moons; a gradient check catches
// a missing tanh′.
{
  if (q.grad!.item() !== 2 || x.grad!.item() !== 2 || y.grad!.item() !== 2 || z.grad!.item() !== 2) throw new Error("04: for f = (x + y)·z at (3, −1, 2), every gradient is 2");
  for (const [name, mine, param] of pairs) {
    const d = mine.sub(param.grad!).abs().max().item();
    if (d > 1e-10) throw new Error(`04: hand-written ∂J/∂${name} differs from autodiff by ${d}`);
  }
  if (!(costs[costs.length - 1] < 0.5 * costs[0])) throw new Error(`04: training by hand should at least halve the cost, ${costs[0]} → ${costs[costs.length - 1]}`);
  if (accuracy < 0.9) throw new Error(`04: the hand-trained network should classify the moons (≥ 0.9), got ${accuracy}`);
  const good = relativeError(dW1Numeric, byHand.dW1), bad = relativeError(dW1Numeric, dW1Wrong);
  if (!(good < 1e-7 && bad > 1e-2)) throw new Error(`04: the gradient check should pass the right gradient (${good}) and flag the one without tanh′ (${bad})`);
}
