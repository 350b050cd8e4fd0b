// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="12-recurrent-networks"
// # 12 · Recurrent networks
//
// Images arrive all at once; speech, text, sensor logs and prices arrive **over time**. The meaning of
// such data lies both in its parts and in their **order**: "dog bites man" is not "man bites dog". A
// network for sequences needs **context**, and this notebook builds it step by step: a recurrent cell
// unrolled by hand, backpropagation through time and why its gradient **vanishes**, the gated cells
// (**GRU**, **LSTM**) that fix it, **one-hot** codes versus learned **embeddings**, a **bidirectional**
// layer for tasks where the future matters, and finally a character-level **language model** that writes
// (almost) English.

// %% [markdown] id="context-without-a-recurrent-layer-and-wi"
// ## Context without a recurrent layer, and with one
//
// One way to give a model context is to feed it the last $n$ inputs at once,
// $\hat y^{\langle t\rangle} = f(x^{\langle t\rangle}, x^{\langle t-1\rangle}, \dots, x^{\langle t-n\rangle})$.
// That fixes $n$ in advance and multiplies the input size by $n + 1$: it does not scale. A **recurrent**
// layer instead keeps a state, its activation $a^{\langle t-1\rangle}$ from the previous step, and feeds
// it back in together with the new input:
//
// $$a^{\langle t\rangle} = g\big(W_{ax}\,x^{\langle t\rangle} + W_{aa}\,a^{\langle t-1\rangle} + b\big), \qquad a^{\langle 0\rangle} = 0 .$$
//
// $W_{ax}x^{\langle t\rangle}$ is the contribution of the current input and $W_{aa}a^{\langle t-1\rangle}$ that
// of everything seen so far. The **same** weights are used at every step, so one layer handles sequences
// of any length, and how much context to keep is learned along with the mapping itself. The notation:
// example $i$ has inputs $x^{(i)\langle t\rangle}$ for $t = 1 \dots T_x^{(i)}$ and outputs $y^{(i)\langle t\rangle}$ for
// $t = 1 \dots T_y^{(i)}$; lengths may differ between examples and between input and output.
//
// Depending on which inputs and outputs exist, the same cell serves **one to many** (an image caption),
// **many to one** (the sentiment of a sentence), and **many to many** (translation, which also needs an
// end-of-sequence token to know when to stop).
//
// `nn.RNN` is this cell (with PyTorch's two biases, $b = b_{ih} + b_{hh}$, and $g = \tanh$). Here it is
// unrolled by hand, with the layer's own weights, and compared with the layer:

// %% id="code-448bcf0a"
manualSeed(0);
const N = 3, T = 5, D = 4, H = 6;               // batch, time steps, input size, hidden size
const X = randn([N, T, D]);
const rnn = new nn.RNN(D, H);
// The layer's own weight tensors, by PyTorch's names (stateDict() would give copies).
const paramsOf = (layer: nn.Module) => Object.fromEntries(layer.namedParameters());
const w = paramsOf(rnn);
const Wax = w["weight_ih_l0"], Waa = w["weight_hh_l0"];
const b = w["bias_ih_l0"].add(w["bias_hh_l0"]);

let a = zeros([N, H]);                          // a⟨0⟩ = 0
const byHand: Tensor[] = [];
for (let t = 0; t < T; t++) {
  const xt = X.slice(1, t, t + 1).squeeze(1);   // [N, D]: every sequence's input at step t
  a = xt.matmul(Wax.T).add(a.matmul(Waa.T)).add(b).tanh();
  byHand.push(a);
}
const handOutputs = stack(byHand, 1);           // [N, T, H]
const layerOutputs = rnn.call(X) as Tensor;
const handVsLayer = handOutputs.sub(layerOutputs).abs().max().item();
console.log("output shape", layerOutputs.shape, "  largest difference, by hand vs nn.RNN:", handVsLayer.toExponential(2));
console.log("parameters:", rnn.numParameters(), "=", `${H}·${D} + ${H}·${H} + 2·${H}`, "whatever the sequence length");

// %% [markdown] id="backpropagation-through-time"
// ## Backpropagation through time
//
// Unrolled over $T$ steps, a recurrent layer is a very deep network whose layers all share one weight
// matrix. Training it is ordinary backpropagation on that unrolled graph, called **backpropagation
// through time** (BPTT): the loss is summed over the output steps,
// $L(\hat y, y) = \sum_{t=1}^{T_y} L^{\langle t\rangle}(\hat y^{\langle t\rangle}, y^{\langle t\rangle})$, and the gradient of a shared weight
// is the sum of its gradients at every step. Autodiff does this for free, because `nn.RNN` is a loop of
// tensor operations. Long sequences make BPTT expensive, so in practice the gradient is often cut
// after a fixed number of steps (**truncated** BPTT).
//
// The trouble is the chain rule through time. How much the last state depends on an input $k$ steps
// back is a product of $k$ Jacobians,
// $\frac{\partial a^{\langle T\rangle}}{\partial a^{\langle T-k\rangle}} = \prod_{j} \operatorname{diag}\big(\tanh'(\cdot)\big)\, W_{aa}$.
// With $\tanh' \le 1$ and small weights the factors are smaller than one and the product shrinks
// geometrically: the gradient **vanishes**, and early inputs cannot teach the network anything. With
// large weights it can **explode** instead.
//
// `nn.gradientNormsThroughTime(layer, X)` measures this: it backpropagates from the last step's output
// and returns $\lVert \partial L / \partial x^{\langle t\rangle} \rVert$ for every step $t$.

// %% id="code-0d6b5ef7"
const T_LONG = 60;
manualSeed(1);
const XLong = randn([16, T_LONG, 4]);
const tanhRnn = new nn.RNN(4, 32);
const lstmPlain = new nn.LSTM(4, 32);
// An LSTM whose forget gates start mostly open: bias +1 on the forget gate (Keras' default, unitForgetBias).
const lstm = new nn.LSTM(4, 32);
{
  const bias = paramsOf(lstm)["bias_ih_l0"];
  const v = Float32Array.from(bias.data());
  for (let i = 32; i < 64; i++) v[i] += 1;        // PyTorch's gate order is i, f, g, o: f is the second block
  noGrad(() => bias.assign(tensor(v)));
}
const rnnNorms = nn.gradientNormsThroughTime(tanhRnn, XLong);
const lstmPlainNorms = nn.gradientNormsThroughTime(lstmPlain, XLong);
const lstmNorms = nn.gradientNormsThroughTime(lstm, XLong);

// Steps back from the end before the gradient falls below 1/1000 of its value at the last step.
function stepsSurvived(norms: number[]) {
  const last = norms[norms.length - 1];
  let k = 0;
  while (k < norms.length && norms[norms.length - 1 - k] >= 1e-3 * last) k++;
  return k;
}
const survived = { "tanh RNN": stepsSurvived(rnnNorms), "LSTM": stepsSurvived(lstmPlainNorms), "LSTM, forget bias 1": stepsSurvived(lstmNorms) };
console.log("time steps over which the gradient stays above 1/1000 of its last-step size:", survived);
plot.lineChart({ "tanh RNN": rnnNorms, "LSTM": lstmPlainNorms, "LSTM, forget bias 1": lstmNorms }, {
  logY: true, points: false, title: "Gradient of the last output with respect to each input step",
  xLabel: "time step t (the output is read at t = 59)", yLabel: "‖∂L/∂x⟨t⟩‖", legendTitle: "layer",
})

// %% [markdown] id="md-6ce1aac5"
// Read the chart from right to left, going back in time. The tanh RNN's gradient drops by about a
// factor of ten every few steps: an input 30 steps back has almost no influence on the output, so the
// network cannot learn that it should. Multiplying the recurrent weights by a constant shows both
// failure modes, vanishing for small weights and exploding for large ones:

// %% id="code-82acce13"
const scaled: Record<string, number[]> = {};
for (const scale of [0.5, 1, 2]) {
  manualSeed(1);
  const r = new nn.RNN(4, 32);
  noGrad(() => paramsOf(r)["weight_hh_l0"].assign(randn([32, 32]).mul(scale / Math.sqrt(32))));
  scaled[`W_aa ~ N(0, ${scale}²/H)`] = nn.gradientNormsThroughTime(r, XLong);
}
plot.lineChart(scaled, { logY: true, points: false, title: "tanh RNN: the size of W_aa decides", xLabel: "time step t", yLabel: "‖∂L/∂x⟨t⟩‖", legendTitle: "recurrent weights" })

// %% [markdown] id="gated-cells-gru-and-lstm"
// Exploding gradients are easy to spot (the loss jumps or turns into NaN) and are usually tamed by
// **clipping** the gradient norm (`optim.clipGradNorm`). Vanishing ones fail silently, and need a
// different cell.
//
// ## Gated cells: GRU and LSTM
//
// The fix is to let the cell **hold** its previous value instead of always squashing it through
// another matrix and tanh. A **gate** is a sigmoid unit, a number between 0 and 1 computed from the same
// inputs as the cell,
// $\Gamma = \sigma(W_{\Gamma x}x^{\langle t\rangle} + W_{\Gamma a}a^{\langle t-1\rangle} + b_\Gamma)$, that blends two values.
//
// The **gated recurrent unit** (GRU) turns the plain RNN's output into a *candidate*
// $\tilde a^{\langle t\rangle} = \tanh(W_{ax}x^{\langle t\rangle} + W_{aa}a^{\langle t-1\rangle} + b)$ and lets an update gate choose between it and
// the old state: $a^{\langle t\rangle} = \Gamma_u\,\tilde a^{\langle t\rangle} + (1 - \Gamma_u)\,a^{\langle t-1\rangle}$. Where $\Gamma_u \approx 0$ the state is
// copied forward unchanged, and so is its gradient. (`nn.GRU` adds PyTorch's reset gate, which
// decides how much of the old state enters the candidate.)
//
// The **long short-term memory** (LSTM) keeps a separate memory cell $c$ and three gates, update
// (input) $\Gamma_u$, forget $\Gamma_f$ and output $\Gamma_o$:
//
// $$\tilde c^{\langle t\rangle} = \tanh(W_{cx}x^{\langle t\rangle} + W_{ca}a^{\langle t-1\rangle} + b_c), \qquad
//   c^{\langle t\rangle} = \Gamma_u\,\tilde c^{\langle t\rangle} + \Gamma_f\,c^{\langle t-1\rangle}, \qquad
//   a^{\langle t\rangle} = \Gamma_o \tanh c^{\langle t\rangle}.$$
//
// The memory is updated by **addition**, so $\partial c^{\langle t\rangle}/\partial c^{\langle t-1\rangle} = \Gamma_f$: as long as the forget gate
// stays near 1 the gradient passes through many steps almost undamped. That is the chart above: the
// LSTM with forget gates starting near $\sigma(1) \approx 0.73$ loses a factor of about $10^4$ over the
// whole 60-step window, where the RNN loses about $10^{16}$; a freshly initialised LSTM, with forget
// gates near $\sigma(0) = 0.5$, still decays geometrically, if more slowly than the RNN. Training moves
// the gates wherever the data needs memory.
// Sequences are full of information that is needed for a stretch and can then be dropped (the subject
// of a sentence until its verb arrives), which is why GRUs and LSTMs are the usual choice, especially
// for language. We will look at a trained LSTM's gates below.

// %% [markdown] id="words-as-numbers-one-hot-codes-and-embed"
// ## Words as numbers: one-hot codes and embeddings
//
// A network takes numbers. Numbering the words of a vocabulary alphabetically and feeding the number
// itself would be a bad code: it suggests that "aardvark" is close to "abacus" and that their average
// means something, a bias nobody intended. A **one-hot** vector, all zeros except a 1 at the word's
// position, has no such order. Words outside the vocabulary share one extra "unknown" entry.
//
// One-hot vectors are as long as the vocabulary and say nothing about which words are alike. An
// **embedding** gives each word a short dense vector $e_v$ instead, one column of an embedding matrix
// $E$ of size (attributes × words), whose entries are learned by gradient descent like any other
// weight. Multiplying $E$ by a one-hot vector $o_v$ just picks column $v$, $E\,o_v = e_v$, which is why
// `nn.Embedding` is implemented as a lookup rather than a product (it stores $E^\top$, one row per word):

// %% id="code-e0060857"
const vocabSize = 8, embDim = 3;
manualSeed(0);
const emb = new nn.Embedding(vocabSize, embDim);
const wordIds = tensor([5, 2], { dtype: "int32" });
const oneHot = data.oneHot(wordIds, vocabSize);                // [2, 8]
const viaProduct = oneHot.matmul(emb.weight);                  // one-hot times the matrix
const viaLookup = emb.call(wordIds) as Tensor;                 // row lookup
console.log("one-hot codes:\n" + oneHot.toString());
console.log("product equals lookup:", viaProduct.sub(viaLookup).abs().max().item() === 0);

// %% [markdown] id="looking-both-ways-bidirectional-layers"
// An embedding trained on a large, good data set can be reused for another task with less data, just
// as a pretrained CNN is (word2vec and GloVe are famous examples). We will train one on characters
// below and look at which characters end up close together.
//
// ## Looking both ways: bidirectional layers
//
// Context does not only flow forwards. Once a whole sentence is recorded, a model may look ahead as well
// (and even a live system can buffer a little input to do so). A **bidirectional** layer runs one
// recurrent layer left to right and another right to left, both starting from zero state, and joins
// their outputs at each step.
//
// A toy task where the future is all that matters: a sequence of random bits, and the target at step
// $t$ is the bit at step $t + 2$. A left-to-right layer has not seen that bit yet and can only guess;
// a bidirectional one can read it.

// %% id="code-da5b7a6b"
function futureBits(n: number, len: number, seed: number) {
  const rng = new data.Rng(seed);
  const bits = Array.from({ length: n * len }, () => (rng.uniform() < 0.5 ? 0 : 1));
  const target = bits.map((_, i) => (i % len < len - 2 ? bits[i + 2] : 0));   // the last two steps have no future: 0
  return {
    X: tensor(bits, { shape: [n, len, 1] }).mul(2).sub(1),                  // bits as ±1
    y: tensor(target, { shape: [n, len] }),
  };
}
const bitsTrain = futureBits(256, 12, 0), bitsTest = futureBits(256, 12, 1);

async function trainTagger(bidirectional: boolean) {
  manualSeed(0);
  const model = new nn.Sequential([
    new nn.GRU(1, 16, { bidirectional }),
    new nn.Dense(1, { inputDim: bidirectional ? 32 : 16 }),
  ]);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.03 });
  const losses: number[] = [];
  for (let step = 0; step < 80; step++) {
    losses.push(tidy(() => {
      const yHat = (model.call(bitsTrain.X) as Tensor).squeeze(2);
      const loss = nn.binaryCrossEntropy(yHat, bitsTrain.y, { fromLogits: true });
      optimizer.zeroGrad();
      loss.backward();
      return loss.item();
    }));
    optimizer.step();
  }
  const logits = noGrad(() => (model.call(bitsTest.X) as Tensor).squeeze(2));
  // Score only the steps that have a future bit.
  const keep = bitsTest.y.shape[1] - 2;
  const acc = metrics.accuracy(logits.slice(1, 0, keep).gt(0).float().reshape([-1]), bitsTest.y.slice(1, 0, keep).reshape([-1]));
  return { model, losses, acc };
}
const forwardOnly = await trainTagger(false), bothWays = await trainTagger(true);
const bidirectionalAcc = { "left to right": forwardOnly.acc, "bidirectional": bothWays.acc };
console.log("test accuracy at predicting the bit two steps ahead:", bidirectionalAcc);
plot.lineChart({ "GRU, left to right": forwardOnly.losses, "GRU, bidirectional": bothWays.losses }, { title: "Predicting x⟨t+2⟩ at step t", xLabel: "training step", yLabel: "training loss", legendTitle: "layer" })

// %% [markdown] id="a-character-level-language-model"
// The one-way GRU stays at chance (about 50 %, loss log 2 ≈ 0.69): the information simply is not
// there yet. The bidirectional one solves the task. Bidirectional recurrent layers over whole
// sentences were, for years, the standard model for most language tasks.
//
// ### Inside the GRU
//
// The right-to-left half of the trained layer has to carry each bit two steps back. Its gates can be
// computed by hand from its weights (`_reverse` in PyTorch's names, gates r, z, n in that order):
// $r, z = \sigma(W_{i\cdot}x + b_{i\cdot} + W_{h\cdot}h + b_{h\cdot})$, $n = \tanh(W_{in}x + b_{in} + r \odot (W_{hn}h + b_{hn}))$,
// $h' = (1 - z) \odot n + z \odot h$. Here $z$ plays the role of $1 - \Gamma_u$ above: near 1 the unit holds its
// old state, near 0 it takes the candidate. Unrolled over one test sequence and checked against the
// layer's own output:

// %% id="code-2e0b6f23"
const gru = bothWays.model.children()[0] as nn.GRU;
const g16 = paramsOf(gru), Hg = 16;
const oneSequence = bitsTest.X.slice(0, 0, 1);                    // [1, 12, 1]
const updateRows: number[][] = [];
const gruByHand: Tensor[] = new Array(12);
noGrad(() => {
  let h = zeros([1, Hg]);
  for (let t = 11; t >= 0; t--) {                                 // right to left
    const xt = oneSequence.slice(1, t, t + 1).squeeze(1);
    const gi = xt.matmul(g16["weight_ih_l0_reverse"].T).add(g16["bias_ih_l0_reverse"]);
    const gh = h.matmul(g16["weight_hh_l0_reverse"].T).add(g16["bias_hh_l0_reverse"]);
    const r = gi.slice(1, 0, Hg).add(gh.slice(1, 0, Hg)).sigmoid();
    const z = gi.slice(1, Hg, 2 * Hg).add(gh.slice(1, Hg, 2 * Hg)).sigmoid();
    const n = gi.slice(1, 2 * Hg, 3 * Hg).add(r.mul(gh.slice(1, 2 * Hg, 3 * Hg))).tanh();
    h = z.neg().add(1).mul(n).add(z.mul(h));
    gruByHand[t] = h;
    updateRows[t] = Array.from(z.reshape([-1]).data());
  }
});
const gruLayerBackward = noGrad(() => (gru.call(oneSequence) as Tensor).slice(2, Hg, 2 * Hg));
const gruHandVsLayer = stack(gruByHand, 1).sub(gruLayerBackward).abs().max().item();
console.log("right-to-left GRU by hand vs nn.GRU, largest difference:", gruHandVsLayer.toExponential(2));
const bitLabels = Array.from(oneSequence.data(), (v, t) => `${t}:${v > 0 ? "1" : "0"}`);
plot.heatmap(updateRows[0].map((_, unit) => updateRows.map((row) => row[unit])), {
  title: "Update gate z of the right-to-left GRU on one test sequence", xLabel: "step : input bit", yLabel: "unit",
  xLabels: bitLabels, annotate: false, scheme: "viridis", colorTitle: "z",
})

// %% [markdown] id="a-character-level-language-model-2"
// Most units have $z$ near 0: they overwrite their state with every new bit, which is all a
// two-step memory needs. A few (the bright rows) hold their state over several steps instead, and the
// output layer can read both kinds. Nobody assigned these roles; training found them.
//
// ## A character-level language model
//
// A **language model** predicts what comes next from what came before. Trained on enough text, its
// predictions become a model of the language itself, and sampling from it one symbol at a time
// generates new text. We use characters rather than words (a vocabulary of a few dozen symbols instead
// of tens of thousands) and train on the first 100,000 characters of the **Jargon File**, the public
// domain lexicon of hacker slang (`data.loadJargon`; see docs/data.md). An entry looks like this:

// %% id="code-be86be86"
const text = data.loadJargon({ maxChars: 100_000, lowercase: true });
console.log(text.slice(text.indexOf(":cruft:"), text.indexOf(":cruft:") + 330));

// %% [markdown] id="md-e7df002f"
// `data.charSequences` cuts the text into windows of `seqLength` characters; the target of each window
// is the same window shifted by one character, so every step is a next-character prediction. The model
// is an embedding, an LSTM and a dense layer giving one score per character:
// $x^{\langle t\rangle} \to e^{\langle t\rangle} \to a^{\langle t\rangle} \to \hat y^{\langle t\rangle} = \operatorname{softmax}(W_{ya}a^{\langle t\rangle} + b_y)$,
// trained with the cross-entropy summed (here: averaged) over all steps. The learned parameters are
// $E$, the LSTM's weights and $W_{ya}$.

// %% id="code-574ca009"
const seqLength = 48;
const corpus = data.charSequences(text, { seqLength, stride: 24 });
const vocab = corpus.vocab;
console.log(`${corpus.X.shape[0]} windows of ${seqLength} characters, vocabulary of ${vocab.size}: ${JSON.stringify(vocab.chars.join(""))}`);

class CharModel extends nn.Module {
  emb: nn.Embedding;
  lstm: nn.LSTM;
  head: nn.Linear;
  constructor(vocabSize: number, embDim: number, hiddenSize: number) {
    super();
    this.emb = this.registerModule("emb", new nn.Embedding(vocabSize, embDim));
    this.lstm = this.registerModule("lstm", new nn.LSTM(embDim, hiddenSize));
    this.head = this.registerModule("head", new nn.Linear(hiddenSize, vocabSize));
  }
  // Returns the scores and the final state, so generation can continue from where it stopped.
  forward(ids: Tensor, state?: nn.RecurrentState) {
    const r = this.lstm.forwardWithState(this.emb.call(ids) as Tensor, state);
    return { logits: this.head.call(r.output) as Tensor, state: { h: r.h, c: r.c } };
  }
}

manualSeed(0);
const model = new CharModel(vocab.size, 24, 128);
const lr = 0.01, numSteps = 300, batchSize = 32;
const optimizer = new optim.Adam(model.parameters(), { lr });
const lmLosses: number[] = [];
const t0 = performance.now();
for (let step = 0; step < numSteps; step++) {
  // tidy frees the step's tensors (batch, activations, gradients' temporaries) as soon as it ends.
  lmLosses.push(tidy(() => {
    const idx = randint(0, corpus.X.shape[0], [batchSize]);
    const xb = corpus.X.indexSelect(0, idx), yb = corpus.y.indexSelect(0, idx);
    const { logits } = model.call(xb);
    const loss = nn.sparseCategoricalCrossEntropy(logits.reshape([-1, vocab.size]), yb.reshape([-1]), { fromLogits: true });
    optimizer.zeroGrad();
    loss.backward();
    return loss.item();
  }));
  optimizer.step();
}
console.log(`${numSteps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s; loss ${lmLosses[0].toFixed(2)} → ${lmLosses[numSteps - 1].toFixed(2)} (guessing uniformly: log ${vocab.size} = ${Math.log(vocab.size).toFixed(2)})`);
plot.lineChart(lmLosses, { title: "Character-level language model on the Jargon File", xLabel: "training step (batch of 32 windows)", yLabel: "cross-entropy per character", points: false })

// %% [markdown] id="sampling-with-a-temperature"
// ### Sampling with a temperature
//
// To generate text, feed a prompt, turn the scores for the next character into probabilities, draw one
// character, feed it back in, and repeat. The **temperature** $\tau$ divides the scores before the
// softmax, $p_i \propto \exp(z_i/\tau)$: $\tau = 1$ samples the model's own distribution, small $\tau$
// sharpens it towards the single most likely character (repetitive, safe text), large $\tau$ flattens
// it towards uniform (creative, then garbled). The **entropy** $H = -\sum_i p_i \log p_i$ measures how
// spread out the distribution is. Change `temperature` and run the cell again.

// %% id="code-f637a73a"
const temperature = 0.7;          // try 0.2, 1.0, 1.5

function generate(prompt: string, length: number, temperature: number, seed = 0) {
  const generator = new Generator(seed);
  return tidy(() => noGrad(() => {
    let { logits, state } = model.call(tensor(vocab.encode(prompt), { dtype: "int32", shape: [1, prompt.length] }));
    let out = prompt;
    for (let i = 0; i < length; i++) {
      const last = logits.index(0).index(logits.shape[1] - 1);      // scores for the next character
      const next = nn.sampleWithTemperature(last, { temperature, generator });
      out += vocab.chars[next];
      ({ logits, state } = model.call(tensor([next], { dtype: "int32", shape: [1, 1] }), state));
    }
    return out;
  }));
}
console.log(`τ = ${temperature}:\n${generate(":hacker: n.\n", 240, temperature)}`);

// %% id="code-3a75ac8f"
// The same prompt at several temperatures, and the entropy of the first next-character distribution.
const prompt = ":cruft: n.\n";
const nextScores = noGrad(() => {
  const { logits } = model.call(tensor(vocab.encode(prompt), { dtype: "int32", shape: [1, prompt.length] }));
  return logits.index(0).index(prompt.length - 1);
});
const temperatures = [0.2, 0.5, 1, 1.5, 2];
const entropyByTemperature = temperatures.map((tau) => nn.entropy(nn.softmaxWithTemperature(nextScores, tau)));
for (const tau of [0.2, 1, 1.5]) console.log(`τ = ${tau}: ${JSON.stringify(generate(prompt, 120, tau).slice(prompt.length))}`);
plot.lineChart(entropyByTemperature, { x: temperatures, title: "Temperature spreads the next-character distribution", xLabel: "temperature τ", yLabel: "entropy (nats)" })

// %% [markdown] id="what-the-gates-do"
// At low temperature the model loops over its favourite words ("the", "computer", "compare") and
// the entry headers it has seen most; around 0.7 to 1 it produces made-up words with the right look,
// real short words, punctuation in plausible places, and the braces of the Jargon File's
// `{cross-references}`; at 1.5 and above spelling falls apart. Remember that this is a few seconds of
// training on a CPU.
//
// ### What the gates do
//
// The trained LSTM's gates can be computed by hand from its weights, step by step along a piece of text
// (the same equations as above, in PyTorch's gate order i, f, g, o). Each row of the heatmap is one
// memory unit's forget gate $\Gamma_f$: near 1 the unit keeps its memory, near 0 it wipes it.

// %% id="code-1000fec8"
const snippet = "a hack is a quick job. see {kludge}.";
const sd = paramsOf(model.lstm);
const Hs = model.lstm.hiddenSize;
const gateWeights = { ih: sd["weight_ih_l0"], hh: sd["weight_hh_l0"], b: sd["bias_ih_l0"].add(sd["bias_hh_l0"]) };
const forgetRows: number[][] = [];
const meanGates: Record<string, number[]> = { "input Γu": [], "forget Γf": [], "output Γo": [] };
noGrad(() => {
  const e = model.emb.call(tensor(vocab.encode(snippet), { dtype: "int32", shape: [1, snippet.length] })) as Tensor;
  let h = zeros([1, Hs]), c = zeros([1, Hs]);
  for (let t = 0; t < snippet.length; t++) {
    const z = e.slice(1, t, t + 1).squeeze(1).matmul(gateWeights.ih.T).add(h.matmul(gateWeights.hh.T)).add(gateWeights.b);
    const i = z.slice(1, 0, Hs).sigmoid(), f = z.slice(1, Hs, 2 * Hs).sigmoid();
    const g = z.slice(1, 2 * Hs, 3 * Hs).tanh(), o = z.slice(1, 3 * Hs, 4 * Hs).sigmoid();
    c = f.mul(c).add(i.mul(g));
    h = o.mul(c.tanh());
    forgetRows.push(Array.from(f.reshape([-1]).slice(0, 0, 12).data()));
    meanGates["input Γu"].push(i.mean().item());
    meanGates["forget Γf"].push(f.mean().item());
    meanGates["output Γo"].push(o.mean().item());
  }
});
const charLabels = Array.from(snippet, (ch, t) => `${t} ${ch === " " ? "␣" : ch}`);
const forgetMap = forgetRows[0].map((_, unit) => forgetRows.map((row) => row[unit]));   // [units, time]
plot.heatmap(forgetMap, {
  title: "Forget gates of 12 LSTM units along the text", xLabel: "character", yLabel: "unit",
  xLabels: charLabels, annotate: false, scheme: "viridis", colorTitle: "Γf",
})

// %% id="code-c06d3de0"
plot.lineChart(meanGates, { x: Array.from(snippet, (_, t) => t), title: `Mean gate values over "${snippet}"`, xLabel: "character position", yLabel: "mean over 128 units", legendTitle: "gate" })

// %% [markdown] id="which-characters-did-the-embedding-put-t"
// The gates follow the structure of the text. In this run the mean output gate drops at every space
// (positions 1, 6, 9, 11, ...): between words the cell shows less of its memory to the output, and
// individual units in the heatmap switch their forget gates at word boundaries and punctuation, the
// kind of "keep this until the word ends" behaviour the gates were designed to allow. (Which units do
// what changes with the seed; reading meaning into single units is an art, not a guarantee.)
//
// ### Which characters did the embedding put together?
//
// The model learned a 24-number vector for each character. Characters that play similar roles in the
// text should end up with similar vectors. Cosine similarity between rows of the embedding matrix, among
// the characters that occur at least 300 times:

// %% id="code-7f2893a9"
const E = model.emb.weight.detach();
const unit = E.div(E.square().sum(1, true).sqrt());
const cosine = unit.matmul(unit.T);                                  // [vocab, vocab]
const simRows = cosine.data();
// Rare characters (a few dozen occurrences) keep nearly random vectors, so compare common ones only.
const counts = new Array<number>(vocab.size).fill(0);
for (const id of vocab.encode(text)) counts[id]++;
const common = counts.map((n, j) => (n >= 300 ? j : -1)).filter((j) => j >= 0);
function nearest(ch: string, k = 4) {
  const i = vocab.encode(ch)[0];
  return common
    .filter((j) => j !== i)
    .sort((p, q) => simRows[i * vocab.size + q] - simRows[i * vocab.size + p])
    .slice(0, k)
    .map((j) => `${JSON.stringify(vocab.chars[j])} ${simRows[i * vocab.size + j].toFixed(2)}`);
}
for (const ch of ["a", "e", "o", "t", "s", "("]) console.log(`${JSON.stringify(ch)} is nearest to ${nearest(ch).join(", ")}`);
const shown = Array.from("aeioutnsrlcdhpy .,({").filter((ch) => common.includes(vocab.encode(ch)[0]));
const shownIds = shown.map((ch) => vocab.encode(ch)[0]);
// The diagonal (each character with itself, always 1) is left blank so the colours show the rest.
const shownLabels = shown.map((ch) => (ch === " " ? "␣" : ch));
plot.heatmap(shownIds.map((i) => shownIds.map((j) => (i === j ? 0 : simRows[i * vocab.size + j]))), {
  title: "Cosine similarity of learned character embeddings", xLabels: shownLabels, yLabels: shownLabels,
  xLabel: "character", yLabel: "character", annotate: false, scheme: "redblue", colorTitle: "cosine",
})

// %% [markdown] id="summary"
// After such a short training run the structure is rough, but some of it is visible: the nearest
// neighbours of a vowel tend to be other vowels, and consonants that can follow each other in the same
// places sit together, because each group appears in similar contexts. Nobody told the model what a
// vowel is. Longer training on more text sharpens these groups (try doubling `numSteps`).
//
// ## Summary
//
// - A recurrent layer computes $a^{\langle t\rangle} = g(W_{ax}x^{\langle t\rangle} + W_{aa}a^{\langle t-1\rangle} + b)$ with the same weights at
//   every step; `nn.RNN` and `nn.GRU` are exactly their loops (checked by hand above, to float precision).
// - Training is backpropagation through the unrolled loop (BPTT), with the loss summed over steps.
// - The gradient reaching early steps is a product of per-step Jacobians: it vanishes in a tanh RNN
//   (or explodes with large weights; clip it). Gates fix this: the LSTM's additive memory with forget
//   gates near 1 carries the gradient across the whole sequence; the GRU blends old and candidate state.
// - One-hot codes carry no false order; embeddings ($E\,o_v = e_v$) are short, learned and reusable.
// - Bidirectional layers read the sequence both ways when the future is available.
// - A character-level LSTM language model learns word shapes in seconds; the sampling temperature
//   trades safe repetition (low τ, low entropy) against variety and noise (high τ).
//
// ## Exercises
//
// 1. Unroll an `nn.LSTM` by hand (gates i, f, g, o in PyTorch's order) and check it against the
//    layer, as was done above for the RNN and the GRU.
// 2. Add a GRU to the gradient-norm chart. Where does it fall between the RNN and the LSTMs? What
//    happens to the LSTM's curve with a forget bias of 3?
// 3. Train the tanh RNN and the LSTM on the bit task with a delay of 8 instead of 2 (target at $t$
//    is the bit at $t - 8$, so a left-to-right layer can solve it). Which one learns it?
// 4. Replace the LSTM in the language model by `nn.RNN` with the same hidden size. Compare the loss
//    after the same number of steps, and the samples.
// 5. Train the language model on `data.loadJargon()` without `lowercase`. How does the vocabulary
//    change, and do capitals appear in sensible places in the samples?
// 6. Why is the entropy at τ → 0 zero, and what is its limit for τ → ∞? Check both numerically with
//    `nn.entropy(nn.softmaxWithTemperature(nextScores, tau))`.
