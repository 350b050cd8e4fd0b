/**
 * Probes that read what happens inside a layered model: each layer's outputs (activations),
 * the gradient of the loss with respect to them, and its weights and their gradients. The
 * notes' advice "monitor histograms of gradients, parameters and activations" needs exactly
 * these; `plot.layerHistograms` draws them.
 */
import { Tensor, tidy } from "./core";
import { backward, enableGrad } from "../autograd";
import { Module } from "./module";
import { getLoss, type LossFn } from "./losses";
import { OpError } from "../errors";

/** Summary statistics of a set of values. */
export interface ValueStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Fraction of values whose magnitude is at most `tol` (default 0: exact zeros). */
  zeros: number;
}

/**
 * Mean, standard deviation, extremes and the share of (near-)zero values.
 * @example nn.valueStats(layer.weight.data()).std
 */
export function valueStats(values: ArrayLike<number>, tol = 0): ValueStats {
  const n = values.length;
  if (n === 0) throw new Error("valueStats: no values");
  let sum = 0, min = Infinity, max = -Infinity, zeros = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (Math.abs(v) <= tol) zeros++;
  }
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n), min, max, zeros: zeros / n };
}

/** What one layer did on one batch. */
export interface LayerProbe {
  /** Position in the model (0-based). */
  index: number;
  /** `index` and the layer's description, e.g. "1 Dense(64 → 64, tanh)". */
  name: string;
  /** The layer's outputs on the batch. */
  activations: Float32Array;
  /** ∂loss/∂(the layer's outputs); null when no targets were given. */
  gradients: Float32Array | null;
  /** The layer's weight (its first parameter named "weight"); null for a layer without one. */
  weights: Float32Array | null;
  /** ∂loss/∂weight; null without targets or weights. */
  weightGradients: Float32Array | null;
}

export interface ProbeOptions {
  /** Targets: with them (and `loss`) the probe also backpropagates and reports gradients. */
  y?: Tensor;
  /** Loss function or its name (default "mse"; e.g. "sparseCategoricalCrossentropyFromLogits"). */
  loss?: LossFn | string;
  /** Run in training mode (dropout active, batch statistics) instead of the model's current mode. */
  training?: boolean;
}

function weightOf(layer: Module): Tensor | null {
  const found = layer.namedParameters().find(([n]) => n === "weight" || n.endsWith(".weight"));
  return found ? found[1] : null;
}

function copy(t: Tensor): Float32Array {
  return Float32Array.from(t.data() as ArrayLike<number>);
}

/**
 * Runs X through the layers of a `Sequential` (any module whose children run one after
 * another) and records each layer's outputs; given `y`, also the gradients of the loss with
 * respect to those outputs and to each layer's weight. Leaves `.grad` of the parameters alone.
 *
 * @example
 * const probes = nn.probeLayers(model, X, { y, loss: "binaryCrossentropyFromLogits" });
 * probes.map((p) => nn.valueStats(p.activations).std); // spread of each layer's outputs
 * plot.layerHistograms(probes, { kind: "gradients" })
 */
export function probeLayers(model: Module, X: Tensor, options: ProbeOptions = {}): LayerProbe[] {
  if (!(model instanceof Module)) throw new OpError("probeLayers", `model must be an nn.Module, got ${typeof model}`);
  if (!(X instanceof Tensor)) throw new OpError("probeLayers", `X must be a Tensor, got ${typeof X}`);
  const layers = model.children();
  if (layers.length === 0) throw new OpError("probeLayers", `${model.name} has no layers to probe (use an nn.Sequential)`);
  const { y, training } = options;
  if (y !== undefined && !(y instanceof Tensor)) throw new OpError("probeLayers", `y must be a Tensor, got ${typeof y}`);
  const lossFn = getLoss(options.loss ?? "mse");
  const was = model.training;
  if (training !== undefined) model.train(training);
  try {
    return tidy(() =>
      enableGrad(() => {
        const outputs: Tensor[] = [];
        let h = X;
        for (const layer of layers) {
          h = layer.call(h) as Tensor;
          if (!(h instanceof Tensor)) throw new OpError("probeLayers", `layer ${outputs.length} (${layer.describe()}) did not return a Tensor`);
          outputs.push(h);
        }
        const weights = layers.map(weightOf);
        let gOut: (Tensor | null)[] = outputs.map(() => null);
        let gW: (Tensor | null)[] = weights.map(() => null);
        if (y !== undefined) {
          const loss = lossFn(h, y);
          const ws = weights.filter((w): w is Tensor => w !== null);
          const inputs = [...outputs.filter((o) => o.requiresGrad), ...ws];
          if (inputs.length > 0 && loss.requiresGrad) {
            const grads = backward(loss, { inputs });
            const byTensor = new Map(inputs.map((t, i) => [t, grads[i]]));
            gOut = outputs.map((o) => byTensor.get(o) ?? null);
            gW = weights.map((w) => (w ? byTensor.get(w) ?? null : null));
          }
        }
        return layers.map((layer, i) => ({
          index: i,
          name: `${i} ${layer.describe()}`,
          activations: copy(outputs[i]),
          gradients: gOut[i] ? copy(gOut[i]!) : null,
          weights: weights[i] ? copy(weights[i]!) : null,
          weightGradients: gW[i] ? copy(gW[i]!) : null,
        }));
      }),
    );
  } finally {
    model.train(was);
  }
}
