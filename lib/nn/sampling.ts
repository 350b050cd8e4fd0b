/**
 * Sampling from a model's output scores, as a language model generates text: divide the
 * logits by a temperature τ, apply the softmax, draw one class.
 *
 *   p_i = exp(z_i / τ) / Σ_j exp(z_j / τ)
 *
 * τ = 1 samples from the model's own distribution; τ → 0 approaches the arg-max (τ = 0 is
 * exactly greedy decoding); τ > 1 flattens the distribution towards uniform. The entropy
 * H(p) = −Σ p_i log p_i (in nats) measures how spread out the result is.
 */
import { Tensor } from "./core";
import { Generator, defaultGenerator } from "../random";

type Logits = Tensor | ArrayLike<number>;

function values(op: string, logits: Logits): Float64Array {
  if (logits instanceof Tensor) {
    if (logits.ndim !== 1) throw new Error(`${op}: logits must be one vector [C], got shape [${logits.shape.join(",")}]`);
    return Float64Array.from(logits.data());
  }
  const v = Float64Array.from(logits as ArrayLike<number>);
  if (v.length === 0) throw new Error(`${op}: logits are empty`);
  return v;
}

function checkTemperature(op: string, temperature: number): void {
  if (typeof temperature !== "number" || !Number.isFinite(temperature) || temperature < 0) {
    throw new Error(`${op}: temperature must be a finite number ≥ 0, got ${temperature}`);
  }
}

/**
 * Class probabilities softmax(z / τ) of one logit vector, as plain numbers. τ = 0 puts all
 * the mass on the largest logit (the first one on a tie).
 *
 * @example nn.softmaxWithTemperature([2, 1, 0], 0.5) // sharper than softmax([2, 1, 0])
 */
export function softmaxWithTemperature(logits: Logits, temperature = 1): Float64Array {
  const op = "softmaxWithTemperature";
  checkTemperature(op, temperature);
  const z = values(op, logits);
  let best = 0;
  for (let i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
  const p = new Float64Array(z.length);
  if (temperature === 0) {
    p[best] = 1;
    return p;
  }
  // Subtracting the maximum keeps exp finite for any temperature.
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += p[i] = Math.exp((z[i] - z[best]) / temperature);
  for (let i = 0; i < z.length; i++) p[i] /= sum;
  return p;
}

/**
 * Entropy −Σ pᵢ log pᵢ of a probability vector, in nats (0 for a certain outcome, log C for
 * the uniform distribution over C classes).
 *
 * @example nn.entropy([0.5, 0.5]) // Math.LN2
 */
export function entropy(probs: ArrayLike<number> | Tensor): number {
  const p = probs instanceof Tensor ? probs.reshape([-1]).data() : probs;
  let h = 0, total = 0;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0)) throw new Error(`entropy: probabilities must be ≥ 0, got ${p[i]} at index ${i}`);
    total += p[i];
    if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  }
  if (Math.abs(total - 1) > 1e-4) throw new Error(`entropy: probabilities must sum to 1, they sum to ${total}`);
  return h;
}

/**
 * Draws one class index from softmax(logits / τ).
 *
 * @example
 * const next = nn.sampleWithTemperature(logits, { temperature: 0.8 }); // logits [vocabSize]
 */
export function sampleWithTemperature(logits: Logits, options: { temperature?: number; generator?: Generator } = {}): number {
  const p = softmaxWithTemperature(logits, options.temperature ?? 1);
  const u = (options.generator ?? defaultGenerator()).uniform();
  let acc = 0;
  for (let i = 0; i < p.length; i++) {
    acc += p[i];
    if (u < acc) return i;
  }
  // Rounding can leave the cumulative sum a hair below 1; the last class with mass takes it.
  for (let i = p.length - 1; i >= 0; i--) if (p[i] > 0) return i;
  return p.length - 1;
}
