/**
 * Numeric gradient checking: compares the gradients autodiff computes with central
 * differences (f(x + eps) - f(x - eps)) / 2eps, element by element, in float64. This is how
 * every gradient in the library is tested, and what the backpropagation lecture teaches.
 */
import { backward, noGrad } from "./autograd";
import { OpError, fmtShape } from "./errors";
import { Tensor } from "./tensor";
import { tensor } from "./creation";
import { detach } from "./ops/shape";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

/** One compared entry of the Jacobian. */
export interface GradcheckDetail {
  /** Which input (position in `inputs`). */
  input: number;
  /** Flat index of the input element. */
  element: number;
  /** Flat index of the output element. */
  output: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic - numeric| over all compared entries. */
  maxError: number;
  /** The entries outside tolerance (at most 10), worst first. */
  details: GradcheckDetail[];
  /** A one-line summary. */
  message: string;
}

/**
 * Checks the gradients of f at `inputs` (those with requiresGrad are checked; use float64).
 * Entry (i, j) passes when |analytic - numeric| <= atol + rtol * |numeric|.
 * @example
 * const x = randn([3], { dtype: "float64", requiresGrad: true });
 * gradcheck((x) => x.tanh().sum(), [x]).ok   // true
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  if (!Array.isArray(inputs) || inputs.some((x) => !(x instanceof Tensor))) throw new OpError("gradcheck", "inputs must be an array of tensors");
  const checked = inputs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (checked.length === 0) throw new OpError("gradcheck", "no input has requiresGrad: mark the inputs to check with { requiresGrad: true }");
  for (const i of checked) {
    if (inputs[i].dtype !== "float64") {
      throw new OpError("gradcheck", `input ${i} is ${inputs[i].dtype}; central differences need float64 (use .double() or { dtype: "float64" })`);
    }
  }
  // Leaves we own, so that the caller's tensors and their .grad stay untouched.
  const leaves = inputs.map((x) => (x.requiresGrad ? detach(x).requiresGrad_(true) : x));
  const out = f(...leaves);
  if (!(out instanceof Tensor)) throw new OpError("gradcheck", "f must return a tensor");
  const nOut = out.size;
  const analytic = checked.map((i) => new Float64Array(nOut * inputs[i].size));
  if (out.requiresGrad) {
    for (let o = 0; o < nOut; o++) {
      const seed = new Float64Array(nOut);
      seed[o] = 1;
      const grads = backward(out, { grad: tensor(seed, { dtype: out.dtype, device: out.device, shape: out.shape }), inputs: checked.map((i) => leaves[i]), retainGraph: o < nOut - 1 });
      grads.forEach((g, k) => {
        const d = g.data();
        for (let j = 0; j < d.length; j++) analytic[k][o * d.length + j] = d[j];
      });
    }
  }
  const details: GradcheckDetail[] = [];
  let maxError = 0, failures = 0;
  checked.forEach((i, k) => {
    const x = inputs[i];
    const base = Float64Array.from(x.data());
    const evalAt = (j: number, v: number): Float64Array => {
      const data = base.slice();
      data[j] = v;
      const xs = leaves.map((l, q) => (q === i ? tensor(data, { dtype: "float64", device: x.device, shape: x.shape }) : detach(l)));
      const y = noGrad(() => f(...xs));
      if (y.size !== nOut) throw new OpError("gradcheck", `f's output changed shape from ${fmtShape(out.shape)} to ${fmtShape(y.shape)}`);
      return Float64Array.from(y.data());
    };
    for (let j = 0; j < base.length; j++) {
      const plus = evalAt(j, base[j] + eps), minus = evalAt(j, base[j] - eps);
      for (let o = 0; o < nOut; o++) {
        const numeric = (plus[o] - minus[o]) / (2 * eps);
        const a = analytic[k][o * base.length + j];
        const err = Math.abs(a - numeric);
        const bad = !(err <= atol + rtol * Math.abs(numeric));
        if (Number.isNaN(err)) maxError = NaN;
        else if (err > maxError) maxError = err;
        if (bad) {
          failures++;
          details.push({ input: i, element: j, output: o, analytic: a, numeric });
        }
      }
    }
  });
  details.sort((p, q) => Math.abs(q.analytic - q.numeric) - Math.abs(p.analytic - p.numeric));
  const worst = details[0];
  const message = failures === 0
    ? `gradcheck passed: max |analytic - numeric| = ${maxError.toExponential(2)}`
    : `gradcheck failed: ${failures} Jacobian entries differ; worst: input ${worst.input} element ${worst.element} output ${worst.output}: analytic ${worst.analytic} vs numeric ${worst.numeric}`;
  return { ok: failures === 0, maxError, details: details.slice(0, 10), message };
}
