/**
 * Recurrent layers: RNN (Elman), GRU and LSTM; batch-first, multi-layer, bidirectional.
 *
 * Parameters use PyTorch's names and layouts (`weight_ih_l0` [gates·H, in],
 * `weight_hh_l0` [gates·H, H], `bias_ih_l0`, `bias_hh_l0`, `_reverse` for the backward
 * direction), with gates in PyTorch's order: LSTM i, f, g, o; GRU r, z, n. The unrolled loop
 * is written with tensor ops, so backpropagation through time is autodiff's job.
 *
 * Cells (σ the logistic function, ⊙ elementwise):
 * - RNN:  h' = tanh(Wᵢₕx + bᵢₕ + Wₕₕh + bₕₕ)
 * - LSTM: i,f,g,o = σ,σ,tanh,σ of (Wᵢₕx + bᵢₕ + Wₕₕh + bₕₕ); c' = f⊙c + i⊙g; h' = o⊙tanh(c')
 * - GRU:  r,z = σ(Wᵢₕx + bᵢₕ + Wₕₕh + bₕₕ); n = tanh(Wᵢₙx + bᵢₙ + r⊙(Wₕₙh + bₕₙ));
 *         h' = (1 − z)⊙n + z⊙h
 */
import { Tensor, concat, stack, zeros } from "./core";
import { Module, shapeError, type Shape } from "./module";
import { torchDefault } from "./init";
import { OpError } from "../errors";

type Mode = "rnn" | "gru" | "lstm";
const GATES: Record<Mode, number> = { rnn: 1, gru: 3, lstm: 4 };

export interface RecurrentOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Also run right-to-left and concatenate both directions (default false). */
  bidirectional?: boolean;
  /** `forward` returns every step [N, T, D·H] (default) or only the last state [N, D·H]. */
  returnSequences?: boolean;
  bias?: boolean;
  /** RNN only: "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
}

/** The full result of a recurrent layer, as PyTorch returns it. */
export interface RecurrentOutput {
  /** Top layer's outputs at every step: [N, T, D·H]. */
  output: Tensor;
  /** Final hidden state of every layer and direction: [L·D, N, H]. */
  h: Tensor;
  /** LSTM only: final cell state [L·D, N, H]. */
  c?: Tensor;
}

/** Initial state: h (and c for an LSTM), each [L·D, N, H]. */
export interface RecurrentState {
  h?: Tensor;
  c?: Tensor;
}

abstract class RecurrentBase extends Module {
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly returnSequences: boolean;
  readonly nonlinearity: "tanh" | "relu";
  private readonly useBias: boolean;

  constructor(
    private readonly mode: Mode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RecurrentOptions = {},
  ) {
    super();
    const { numLayers = 1, bidirectional = false, returnSequences = true, bias = true, nonlinearity = "tanh" } = options;
    for (const [k, v] of [["inputSize", inputSize], ["hiddenSize", hiddenSize], ["numLayers", numLayers]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new OpError(this.name, `${k} must be a positive integer, got ${v}`);
    }
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") {
      throw new OpError(this.name, `nonlinearity must be "tanh" or "relu", got ${JSON.stringify(nonlinearity)}`);
    }
    this.numLayers = numLayers;
    this.bidirectional = bidirectional;
    this.returnSequences = returnSequences;
    this.nonlinearity = nonlinearity;
    this.useBias = bias;
    const G = GATES[mode] * hiddenSize;
    // PyTorch initialises every recurrent weight and bias from U(±1/√H).
    const init = torchDefault(hiddenSize);
    for (let l = 0; l < numLayers; l++) {
      const inSize = l === 0 ? inputSize : hiddenSize * this.directions;
      for (const sfx of this.bidirectional ? ["", "_reverse"] : [""]) {
        this.registerParameter(`weight_ih_l${l}${sfx}`, init([G, inSize]));
        this.registerParameter(`weight_hh_l${l}${sfx}`, init([G, hiddenSize]));
        if (bias) {
          this.registerParameter(`bias_ih_l${l}${sfx}`, init([G]));
          this.registerParameter(`bias_hh_l${l}${sfx}`, init([G]));
        }
      }
    }
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /**
   * Runs the whole sequence and returns outputs and final states, as PyTorch does.
   *
   * @example
   * const lstm = new nn.LSTM(8, 16, { numLayers: 2 });
   * const { output, h, c } = lstm.forwardWithState(x); // x [N, T, 8]
   */
  forwardWithState(x: Tensor, state: RecurrentState = {}): RecurrentOutput {
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize) {
      shapeError(this.name, "input", `[N, T, ${this.inputSize}]`, x.shape);
    }
    const N = x.shape[0];
    const H = this.hiddenSize;
    const LD = this.numLayers * this.directions;
    for (const k of ["h", "c"] as const) {
      const s = state[k];
      if (s && (s.ndim !== 3 || s.shape[0] !== LD || s.shape[1] !== N || s.shape[2] !== H)) {
        shapeError(this.name, `initial ${k}`, `[${LD}, ${N}, ${H}]`, s.shape);
      }
    }
    if (state.c && this.mode !== "lstm") throw new OpError(this.name, `only an LSTM takes an initial cell state c`);
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    let input = x;
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < this.directions; d++) {
        const k = l * this.directions + d;
        const h0 = state.h ? state.h.index(k) : zeros([N, H], { device: x.device, dtype: x.dtype });
        const c0 = state.c ? state.c.index(k) : zeros([N, H], { device: x.device, dtype: x.dtype });
        const r = this.runDirection(input, l, d === 1, h0, c0);
        outs.push(r.output);
        hN.push(r.h);
        if (r.c) cN.push(r.c);
      }
      input = outs.length === 1 ? outs[0] : concat(outs, 2);
    }
    const out: RecurrentOutput = { output: input, h: stack(hN, 0) };
    if (this.mode === "lstm") out.c = stack(cN, 0);
    return out;
  }

  private runDirection(x: Tensor, layer: number, reverse: boolean, h0: Tensor, c0: Tensor) {
    const sfx = reverse ? "_reverse" : "";
    const wIh = this.param(`weight_ih_l${layer}${sfx}`);
    const wHh = this.param(`weight_hh_l${layer}${sfx}`);
    const bIh = this.useBias ? this.param(`bias_ih_l${layer}${sfx}`) : null;
    const bHh = this.useBias ? this.param(`bias_hh_l${layer}${sfx}`) : null;
    const [, T] = x.shape;
    const H = this.hiddenSize;
    // Project every step's input at once: one [N·T, in] × [in, G·H] product instead of T small ones.
    let xProj = x.matmul(wIh.T);
    if (bIh) xProj = xProj.add(bIh);
    let h = h0;
    let c = c0;
    const outputs: Tensor[] = new Array(T);
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const xt = xProj.slice(1, t, t + 1).squeeze(1);
      let hh = h.matmul(wHh.T);
      if (bHh) hh = hh.add(bHh);
      if (this.mode === "rnn") {
        const z = xt.add(hh);
        h = this.nonlinearity === "tanh" ? z.tanh() : z.relu();
      } else if (this.mode === "lstm") {
        const g = xt.add(hh);
        const i = g.slice(1, 0, H).sigmoid();
        const f = g.slice(1, H, 2 * H).sigmoid();
        const gg = g.slice(1, 2 * H, 3 * H).tanh();
        const o = g.slice(1, 3 * H, 4 * H).sigmoid();
        c = f.mul(c).add(i.mul(gg));
        h = o.mul(c.tanh());
      } else {
        const r = xt.slice(1, 0, H).add(hh.slice(1, 0, H)).sigmoid();
        const z = xt.slice(1, H, 2 * H).add(hh.slice(1, H, 2 * H)).sigmoid();
        const n = xt.slice(1, 2 * H, 3 * H).add(r.mul(hh.slice(1, 2 * H, 3 * H))).tanh();
        h = n.sub(z.mul(n)).add(z.mul(h));
      }
      outputs[t] = h;
    }
    return { output: stack(outputs, 1), h, c: this.mode === "lstm" ? c : undefined };
  }

  /**
   * With `returnSequences` (default) the outputs at every step [N, T, D·H]; otherwise the
   * last state [N, D·H] (for a bidirectional layer, the forward direction's state after the
   * last step joined with the backward direction's after the first, as Keras does).
   */
  forward(x: Tensor, state?: RecurrentState): Tensor {
    const r = this.forwardWithState(x, state);
    if (this.returnSequences) return r.output;
    const L = this.numLayers;
    if (!this.bidirectional) return r.h.index(L - 1);
    return concat([r.h.index(2 * L - 2), r.h.index(2 * L - 1)], 1);
  }

  override outputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 2 || inputShape[1] !== this.inputSize) {
      shapeError(this.name, "input", `[N, T, ${this.inputSize}]`, [-1, ...inputShape]);
    }
    const DH = this.directions * this.hiddenSize;
    return this.returnSequences ? [inputShape[0], DH] : [DH];
  }

  /** Multiply-accumulates of the input and recurrent products, every step, layer and direction. */
  override flops(inputShape: Shape): number {
    const T = inputShape[0];
    const G = GATES[this.mode] * this.hiddenSize;
    let total = 0;
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? this.inputSize : this.hiddenSize * this.directions;
      total += this.directions * T * G * (inSize + this.hiddenSize);
    }
    return total;
  }

  override describe(): string {
    const extra = [
      this.numLayers > 1 ? `layers=${this.numLayers}` : "",
      this.bidirectional ? "bidirectional" : "",
      this.returnSequences ? "" : "last state",
    ].filter(Boolean);
    return `${this.name}(${this.inputSize} → ${this.hiddenSize}${extra.length ? ", " + extra.join(", ") : ""})`;
  }
}

/**
 * Elman RNN.
 * @example new nn.RNN(10, 32, { returnSequences: false }).call(x) // x [N, T, 10] → [N, 32]
 */
export class RNN extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super("rnn", inputSize, hiddenSize, options);
  }
}

/**
 * Gated recurrent unit.
 * @example new nn.GRU(10, 32, { bidirectional: true }).call(x) // [N, T, 64]
 */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super("gru", inputSize, hiddenSize, options);
  }
}

/**
 * Long short-term memory.
 * @example
 * const lstm = new nn.LSTM(vocab, 128, { numLayers: 2 });
 * const { output, h, c } = lstm.forwardWithState(x);
 */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super("lstm", inputSize, hiddenSize, options);
  }
}
