// 00 teaches that backward() fills .grad with the derivative: for f(w) = Σ w², it is 2w.
{
  const expected = [2, -4, 6];
  const got = Array.from(w.grad!.data());
  if (got.some((g, i) => Math.abs(g - expected[i]) > 1e-6)) throw new Error(`00: d/dw Σw² should be 2w = ${expected}, got ${got}`);
}
