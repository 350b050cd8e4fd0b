// ---
// jupyter:
//   kernelspec:
//     display_name: TypeScript (gradbook)
//     language: typescript
//     name: gradbook
// ---

// %% [markdown] id="13-attention"
// # 13 · Attention
//
// A recurrent encoder-decoder translates by reading the whole input sentence into one state vector and
// then writing the output from that vector alone. Every detail of a long sentence has to squeeze
// through that single bottleneck. **Attention** removes it: at each output step the decoder looks back
// at *all* the encoder's states and takes a weighted mix of the ones it needs. This notebook computes
// attention weights and context vectors by hand, compares **dot-product** and **additive** scores, shows
// an encoder-decoder that solves a sequence task with attention and struggles without it, reads the
// trained attention as an **alignment**, and ends with **self-attention** and **positional encodings**,
// the step towards transformers.

// %% [markdown] id="weights-and-context-vectors"
// ## Weights and context vectors
//
// Let $a^{\langle t'\rangle}$, $t' = 1 \dots T_x$, be the encoder's states and let the decoder be about to produce
// output $t$. A **score** $e^{\langle t,t'\rangle}$ says how relevant input $t'$ is to output $t$. A softmax turns the
// scores into **attention weights** that are positive and sum to one over the inputs,
//
// $$\alpha^{\langle t,t'\rangle} = \frac{\exp(e^{\langle t,t'\rangle})}{\sum_{t''=1}^{T_x} \exp(e^{\langle t,t''\rangle})}, \qquad \sum_{t'=1}^{T_x} \alpha^{\langle t,t'\rangle} = 1,$$
//
// and the **context vector** for output $t$ is the weighted sum of the encoder states,
// $c^{\langle t\rangle} = \sum_{t'} \alpha^{\langle t,t'\rangle} a^{\langle t'\rangle}$. The decoder uses $c^{\langle t\rangle}$ next to its own state. In the
// vocabulary of transformers the decoder state is the **query**, the encoder states are the **keys**
// (what is scored) and the **values** (what is mixed); here keys and values are the same vectors.
//
// A small example by hand: three encoder states in two dimensions and one query, scored with the dot
// product $e^{\langle t'\rangle} = s \cdot a^{\langle t'\rangle}$:

// %% id="code-32eb42d6"
const keys = tensor([[1, 0], [0, 1], [1, 1]]);    // a⟨1⟩, a⟨2⟩, a⟨3⟩
const query = tensor([2, 0.5]);                    // the decoder's state s
const scores = keys.matmul(query);                 // e⟨t'⟩ = s · a⟨t'⟩
const expScores = scores.exp();
const alpha = expScores.div(expScores.sum());      // softmax
const handContext = alpha.unsqueeze(0).matmul(keys).squeeze(0);   // Σ α⟨t'⟩ a⟨t'⟩
console.log("scores  e =", scores.toString());
console.log("weights α =", alpha.toString(), " sum", alpha.sum().item().toFixed(6));
console.log("context c =", handContext.toString());

// The same with the library's layer (batch of one, one query; no 1/√d scaling, to match):
const dotAttention = new nn.Attention({ kind: "dot", scale: false });
const layerResult = dotAttention.forward(query.reshape([1, 1, 2]), keys.reshape([1, 3, 2]));
const handVsLayer = Math.max(
  layerResult.weights.reshape([3]).sub(alpha).abs().max().item(),
  layerResult.output.reshape([2]).sub(handContext).abs().max().item(),
);
console.log("largest difference, by hand vs nn.Attention:", handVsLayer.toExponential(2));

// %% [markdown] id="how-to-score-dot-product-or-a-small-netw"
// The query points mostly along the first axis, so the states with a large first component, $a^{\langle 1\rangle}$
// and $a^{\langle 3\rangle}$, get most of the weight, and the context lies between them. Because the weights are
// a softmax, attention is **soft**: every input contributes a little, and the whole thing is
// differentiable, so the scores can be learned by gradient descent.
//
// ## How to score: dot product or a small network
//
// - **Dot-product** (Luong) attention: $e = s \cdot a$, or $s^\top W a$ with a learned $W$. Cheap (one
//   matrix product for all pairs). Transformers divide by $\sqrt d$, the vectors' length, because dot
//   products of random $d$-dimensional vectors grow like $\sqrt d$ and would push the softmax into
//   saturation; `nn.Attention` does so unless `scale: false`.
// - **Additive** (Bahdanau) attention: the score is learned by a one-hidden-layer network,
//   $e = v^\top \tanh(W_q s + W_k a)$. Query and key may then have different sizes, at the cost of a
//   hidden layer evaluated for every pair.
//
// The additive score by hand, with the layer's own parameters:

// %% id="code-8aa3b6a6"
manualSeed(0);
const additive = new nn.Attention({ kind: "additive", queryDim: 2, keyDim: 2, units: 4 });
const p = Object.fromEntries(additive.namedParameters());
// e⟨t'⟩ = v · tanh(W_q s + W_k a⟨t'⟩)
const hidden = keys.matmul(p["keyWeight"].T).add(p["queryWeight"].matmul(query)).tanh();   // [3, units]
const additiveScores = hidden.matmul(p["scoreWeight"]).detach();
const additiveLayer = noGrad(() => additive.scores(query.reshape([1, 1, 2]), keys.reshape([1, 3, 2])).reshape([3]));
console.log("additive scores by hand", additiveScores.toString(), "\n             by layer", additiveLayer.toString());
const additiveVsLayer = additiveScores.sub(additiveLayer).abs().max().item();

// %% [markdown] id="a-task-that-needs-attention-reversing-a-"
// Before training, these random scores mean nothing; training shapes them. Both kinds work well in
// practice; dot-product attention won because it is a single matrix product, which GPUs do best
// (lecture 14).
//
// ## A task that needs attention: reversing a sequence
//
// The input is a sequence of 10 random digits, the target the same digits in reverse order. An
// **encoder** GRU reads the input; a **decoder** GRU, started from the encoder's final state, produces
// one output per position (its inputs are learned position embeddings, so it knows which position it
// is writing). Without attention, all ten digits must pass through the encoder's final 32-number
// state. With attention, the decoder state at each step queries the encoder states and the context is
// joined to it before the output layer.

// %% id="code-9ece2468"
const V = 10, T = 10, H = 32, E = 16;

// Random digit sequences and their reversals (int32 [n, T] each), from a seed.
function reversalBatch(n: number, seed: number) {
  manualSeed(seed);
  const X = randint(0, V, [n, T]);
  const reversed = tensor(Array.from({ length: T }, (_, i) => T - 1 - i), { dtype: "int32" });
  return { X, y: X.indexSelect(1, reversed) };
}

class Seq2Seq extends nn.Module {
  emb: nn.Embedding; encoder: nn.GRU; positions: nn.Embedding; decoder: nn.GRU; attention: nn.Attention; out: nn.Linear;
  lastWeights: Tensor | null = null;
  constructor(readonly useAttention: boolean) {
    super();
    this.emb = this.registerModule("emb", new nn.Embedding(V, E));
    this.encoder = this.registerModule("encoder", new nn.GRU(E, H));
    this.positions = this.registerModule("positions", new nn.Embedding(T, E));
    this.decoder = this.registerModule("decoder", new nn.GRU(E, H));
    this.attention = this.registerModule("attention", new nn.Attention({ kind: "dot" }));
    this.out = this.registerModule("out", new nn.Linear(useAttention ? 2 * H : H, V));
  }
  forward(X: Tensor): Tensor {
    const n = X.shape[0];
    const { output: encoderStates, h } = this.encoder.forwardWithState(this.emb.call(X) as Tensor);   // a⟨1..T⟩ and the final state
    const posIds = arange(0, T, 1, { dtype: "int32" }).unsqueeze(0).expand([n, T]);
    const decoderStates = this.decoder.call(this.positions.call(posIds), { h }) as Tensor;           // s⟨1..T⟩
    if (!this.useAttention) return this.out.call(decoderStates) as Tensor;
    const { output: context, weights } = this.attention.forward(decoderStates, encoderStates);       // c⟨t⟩, α⟨t,t'⟩
    this.lastWeights = weights;
    return this.out.call(concat([decoderStates, context], 2)) as Tensor;
  }
}

const test = reversalBatch(500, 999);
// Fraction of output digits that are right.
// tidy frees the intermediate tensors of the evaluation at once instead of leaving them to the GC.
const digitAccuracy = (model: Seq2Seq) => tidy(() => noGrad(() => metrics.accuracy((model.call(test.X) as Tensor).reshape([-1, V]), test.y.reshape([-1]))));

function trainReversal(useAttention: boolean, numSteps: number) {
  manualSeed(0);
  const model = new Seq2Seq(useAttention);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const losses: number[] = [], accuracy: number[] = [];
  for (let step = 0; step < numSteps; step++) {
    losses.push(tidy(() => {
      const { X, y } = reversalBatch(64, step);
      const yHat = model.call(X) as Tensor;
      const loss = nn.sparseCategoricalCrossEntropy(yHat.reshape([-1, V]), y.reshape([-1]), { fromLogits: true });
      optimizer.zeroGrad();
      loss.backward();
      return loss.item();
    }));
    optimizer.step();
    if (step % 25 === 24) accuracy.push(digitAccuracy(model));
  }
  return { model, losses, accuracy };
}

const numSteps = 250;
const t0 = performance.now();
const withAttention = trainReversal(true, numSteps);
const withoutAttention = trainReversal(false, numSteps);
const reversalAcc = { "with attention": withAttention.accuracy[withAttention.accuracy.length - 1], "without attention": withoutAttention.accuracy[withoutAttention.accuracy.length - 1] };
console.log(`two models, ${numSteps} steps each, in ${((performance.now() - t0) / 1000).toFixed(1)} s; test accuracy per digit:`, reversalAcc);
plot.lineChart({ "with attention": withAttention.accuracy, "without attention": withoutAttention.accuracy }, {
  x: withAttention.accuracy.map((_, i) => 25 * (i + 1)), title: "Reversing 10 digits: test accuracy per digit",
  xLabel: "training step (batch of 64)", yLabel: "accuracy", legendTitle: "decoder",
})

// %% id="code-fec3d115"
// Accuracy at each output position: which digits get through the bottleneck?
function accuracyByPosition(model: Seq2Seq) {
  const predicted = tidy(() => noGrad(() => (model.call(test.X) as Tensor).argmax(2)).data()), target = test.y.data();
  return Array.from({ length: T }, (_, t) => {
    let ok = 0;
    for (let i = 0; i < test.X.shape[0]; i++) if (predicted[i * T + t] === target[i * T + t]) ok++;
    return ok / test.X.shape[0];
  });
}
plot.lineChart({ "with attention": accuracyByPosition(withAttention.model), "without attention": accuracyByPosition(withoutAttention.model) }, {
  x: Array.from({ length: T }, (_, t) => t + 1), title: "Accuracy by output position", xLabel: "output step t (reads input T + 1 − t)", yLabel: "accuracy", legendTitle: "decoder",
})

// %% [markdown] id="reading-the-attention-as-an-alignment"
// With attention the model reverses nearly every digit after a couple of hundred steps. Without it,
// the accuracy is far lower and uneven across positions: the final encoder state remembers some
// inputs (typically the last ones it read, which are the first to be written) much better than
// others. Given many more steps and a larger state it would improve, but the bottleneck makes it slow
// and limits it for longer sequences.
//
// ## Reading the attention as an alignment
//
// For one test sequence, the heatmap shows $\alpha^{\langle t,t'\rangle}$: one row per output step, one column per
// input step. Reversal should put the weight on the anti-diagonal: output 1 reads input 10, output 2
// reads input 9, and so on. In translation the same picture shows which source words each target
// word was written from, including word-order swaps.

// %% id="code-49123c95"
const example = test.X.slice(0, 0, 1);
const exampleOut = noGrad(() => (withAttention.model.call(example) as Tensor).argmax(2));
const weights = withAttention.model.lastWeights!.index(0);          // [T outputs, T inputs]
const inputDigits = Array.from(example.data(), (d, i) => `${i + 1}: ${d}`);
const outputDigits = Array.from(exampleOut.data(), (d, i) => `${i + 1}: ${d}`);
console.log("input ", Array.from(example.data()).join(" "), "\noutput", Array.from(exampleOut.data()).join(" "));
plot.heatmap(weights, {
  title: "Attention weights while reversing one sequence", xLabel: "input step t' : digit", yLabel: "output step t : digit",
  xLabels: inputDigits, yLabels: outputDigits, colorTitle: "α", digits: 2,
})

// %% id="code-0eb158d7"
// How often is the largest weight exactly on the reversed position, over the whole test set?
const allWeights = noGrad(() => { withAttention.model.call(test.X); return withAttention.model.lastWeights!; });
const peaks = allWeights.argmax(2).data();                           // [500, T]
let aligned = 0;
for (let i = 0; i < peaks.length; i++) if (peaks[i] === T - 1 - (i % T)) aligned++;
const alignment = aligned / peaks.length;
console.log(`the largest attention weight falls on input T−t in ${(100 * alignment).toFixed(1)} % of output steps`);

// %% [markdown] id="self-attention-and-positional-encoding"
// Nobody told the model which input to look at: the alignment was learned from the reversal targets
// alone, because looking at the right input was the easiest way to lower the loss.
//
// ## Self-attention and positional encoding
//
// Attention does not need a recurrent layer at all. In **self-attention** every position of a sequence
// is a query, a key and a value at once, usually after three learned linear maps,
// $q = W_q x$, $k = W_k x$, $v = W_v x$: each position builds its output from a weighted mix of all the
// positions. All pairs are computed in one matrix product instead of a step-by-step loop, so it
// parallelises over the sequence, which is what made transformers fast to train.
//
// A set of vectors has no order, though, and neither does self-attention: permute the inputs and the
// outputs are permuted the same way. Word order must be added to the inputs. The transformer's
// **positional encoding** adds a fixed pattern of sines and cosines of different frequencies to each
// position's vector,
// $PE_{pos,2i} = \sin(pos / 10000^{2i/d})$, $PE_{pos,2i+1} = \cos(pos / 10000^{2i/d})$:

// %% id="code-8a4bf230"
const dModel = 32;
function positionalEncoding(length: number, d: number): Tensor {
  const pe: number[][] = [];
  for (let pos = 0; pos < length; pos++) {
    const row: number[] = [];
    for (let i = 0; i < d; i += 2) {
      const angle = pos / Math.pow(10000, i / d);
      row.push(Math.sin(angle), Math.cos(angle));
    }
    pe.push(row.slice(0, d));
  }
  return tensor(pe);
}
const PE = positionalEncoding(T, dModel);
plot.heatmap(PE, { title: "Positional encoding (10 positions, 32 dimensions)", xLabel: "dimension", yLabel: "position", annotate: false, scheme: "redblue", colorTitle: "PE" })

// %% [markdown] id="md-4f915768"
// A single self-attention layer, with and without the positional encoding, trained on the same
// reversal task. Without it, position $t$'s query knows only its own digit, not where it is, so it
// cannot know which digit to fetch.

// %% id="code-52aad0f3"
class SelfAttentionModel extends nn.Module {
  emb: nn.Embedding; wq: nn.Linear; wk: nn.Linear; wv: nn.Linear; attention: nn.Attention; out: nn.Linear;
  lastWeights: Tensor | null = null;
  constructor(readonly usePositions: boolean) {
    super();
    this.emb = this.registerModule("emb", new nn.Embedding(V, dModel));
    this.wq = this.registerModule("wq", new nn.Linear(dModel, dModel));
    this.wk = this.registerModule("wk", new nn.Linear(dModel, dModel));
    this.wv = this.registerModule("wv", new nn.Linear(dModel, dModel));
    this.attention = this.registerModule("attention", new nn.Attention({ kind: "dot" }));
    this.out = this.registerModule("out", new nn.Linear(dModel, V));
  }
  forward(X: Tensor): Tensor {
    let x = this.emb.call(X) as Tensor;                              // [N, T, d]
    if (this.usePositions) x = x.add(PE);                            // broadcast over the batch
    const { output, weights } = this.attention.forward(this.wq.call(x), this.wk.call(x), this.wv.call(x));
    this.lastWeights = weights;
    return this.out.call(output) as Tensor;
  }
}

function trainSelfAttention(usePositions: boolean, numSteps: number) {
  manualSeed(0);
  const model = new SelfAttentionModel(usePositions);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const losses: number[] = [];
  for (let step = 0; step < numSteps; step++) {
    losses.push(tidy(() => {
      const { X, y } = reversalBatch(64, step);
      const loss = nn.sparseCategoricalCrossEntropy((model.call(X) as Tensor).reshape([-1, V]), y.reshape([-1]), { fromLogits: true });
      optimizer.zeroGrad();
      loss.backward();
      return loss.item();
    }));
    optimizer.step();
  }
  const acc = tidy(() => noGrad(() => metrics.accuracy((model.call(test.X) as Tensor).reshape([-1, V]), test.y.reshape([-1]))));
  return { model, losses, acc };
}
const withPE = trainSelfAttention(true, 200), withoutPE = trainSelfAttention(false, 200);
const selfAttentionAcc = { "with positional encoding": withPE.acc, "without": withoutPE.acc };
console.log("one self-attention layer, test accuracy per digit:", selfAttentionAcc);
plot.lineChart({ "with positional encoding": withPE.losses, "without positional encoding": withoutPE.losses }, { title: "Self-attention on the reversal task", xLabel: "training step", yLabel: "training loss", points: false, legendTitle: "inputs" })

// %% [markdown] id="summary"
// Without positions the layer is stuck well below: all it can do is guess a digit from the set of
// digits it sees, which is right about a quarter of the time. With them, one attention layer and no recurrence at all learns the
// reversal. A **transformer** stacks such layers, runs several attention "heads" side by side, and adds
// a small feed-forward network, residual connections and normalisation to each layer; the heart of it
// is the attention you computed by hand at the top of this notebook.
//
// ## Summary
//
// - Attention scores every input state against the current query, turns the scores into weights
//   with a softmax ($\sum_{t'} \alpha^{\langle t,t'\rangle} = 1$), and mixes the states into a context vector
//   $c^{\langle t\rangle} = \sum_{t'} \alpha^{\langle t,t'\rangle} a^{\langle t'\rangle}$.
// - Scores can be dot products (scaled by $1/\sqrt d$; one matrix product) or come from a small
//   network (additive attention); both are learned end to end.
// - An encoder-decoder that must pass the whole input through one state vector learns reversal
//   slowly; with attention it learns it quickly, and its weights show the alignment it found.
// - Self-attention lets every position attend to every other in parallel; it ignores order, so
//   positional encodings are added to the inputs. Stacked, this is the transformer.
//
// ## Exercises
//
// 1. Compute the hand example with the scaled score $e = s \cdot a / \sqrt 2$. Are the weights
//    sharper or flatter? Check against `new nn.Attention({ kind: "dot" })`.
// 2. Replace the dot-product attention in `Seq2Seq` by additive attention
//    (`new nn.Attention({ kind: "additive", queryDim: H, keyDim: H, units: 16 })`). Does it learn
//    faster or slower?
// 3. Make the sequences longer (`T = 16`). What happens to the model without attention, and to the
//    one with it?
// 4. Change the task from reversal to sorting the digits. What does the attention heatmap look like
//    now, and why is it not a fixed pattern?
// 5. Shuffle the rows of `PE` (give each position another position's code). Does the self-attention
//    model still learn? What does that say about what the encoding must provide?
