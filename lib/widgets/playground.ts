/**
 * A decision-boundary playground in the manner of playground.tensorflow.org: pick a data set
 * (XOR, circles, spirals, moons), the hidden layers, their width and activation and the learning
 * rate, press train, and watch the boundary and the loss curve redrawn while a small network
 * trains in the kernel. Pause stops it; changing the network or the data starts a fresh one;
 * the learning rate changes the running optimizer.
 *
 * Training runs between the kernel's other work: each step is followed by a return to the event
 * loop, so the front end's clicks and slider moves are handled while it trains, during a cell's
 * await as well as after the cell has finished.
 *
 * ```ts
 * const pg = new widgets.Playground({ dataset: "circles", hiddenLayers: 2, units: 6 });
 * display(pg);              // the controls and both charts
 * await pg.run(200);        // 200 training steps from code, the same as pressing train
 * pg.accuracy();            // fraction of the points on the right side of the boundary
 * ```
 */
import { noGrad, tensor, tidy, type Tensor } from "../index";
import * as nn from "../nn";
import * as optim from "../optim";
import * as data from "../data";
import { decisionBoundary, lineChart, VEGALITE_MIME, type Chart } from "../plot";
import { Button, Dropdown, FloatLogSlider, HBox, IntSlider, Label, ToggleButton, VBox } from "./controls";
import { Output } from "./output";
import { WidgetError } from "./widget";

/** The data sets the playground offers. */
export const PLAYGROUND_DATASETS = ["xor", "circles", "spirals", "moons"] as const;
export type PlaygroundDataset = (typeof PLAYGROUND_DATASETS)[number];
/** The hidden layers' activations the playground offers. */
export const PLAYGROUND_ACTIVATIONS = ["relu", "tanh", "sigmoid"] as const;
export type PlaygroundActivation = (typeof PLAYGROUND_ACTIVATIONS)[number];

export interface PlaygroundOptions {
  /** The data set shown first (default "circles"). */
  dataset?: PlaygroundDataset;
  /** Hidden layers, 0 to 4 (default 2); 0 is logistic regression, one straight boundary. */
  hiddenLayers?: number;
  /** Units in each hidden layer, 1 to 16 (default 4). */
  units?: number;
  /** The hidden layers' activation (default "tanh"). */
  activation?: PlaygroundActivation;
  /** Adam's learning rate, 0.001 to 1 on a log slider (default 0.03). */
  lr?: number;
  /** Points in each data set (default 200). */
  samples?: number;
  /** Seed of the data sets and of the weights, so a setting always starts from the same network (default 0). */
  seed?: number;
  /** Grid cells per axis of the boundary chart (default 40). */
  resolution?: number;
  /**
   * Least milliseconds between two redraws while training (default 500; 0 redraws after every
   * step). Each redraw replaces both charts in the browser, which must draw them in that time.
   */
  frameMs?: number;
}

/** What the playground trains on: 2-D points and 0/1 labels [n, 1]. */
function makeDataset(name: PlaygroundDataset, samples: number, seed: number): { X: Tensor; y: Tensor } {
  switch (name) {
    case "xor": {
      // Centred on the origin, where the first layer's corners start (zero biases).
      const d = data.xor({ samples, noise: 0.15, seed });
      return { X: d.X.sub(0.5).mul(2), y: d.y };
    }
    case "circles":
      return data.circles({ samples, noise: 0.08, factor: 0.5, seed });
    case "moons": {
      const d = data.moons({ samples, noise: 0.12, seed });
      return { X: d.X.sub(tensor([0.5, 0.25])), y: d.y };
    }
    case "spirals": {
      const d = data.spirals({ samples, classes: 2, noise: 0.1, seed });
      return { X: d.X.mul(2), y: d.y.float().reshape(-1, 1) };
    }
  }
}

function checkInt(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new WidgetError("Playground", `${name} must be an integer from ${lo} to ${hi}, got ${v}`);
  return v;
}

/** Returns to the event loop, so that comm messages (clicks, slider moves) are handled. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Only the spec and the text: a live redraw skips the SVG and PNG renderings made in Node. */
function liveBundle(chart: Chart): Record<string, unknown> {
  return { [VEGALITE_MIME]: chart.spec, "text/plain": chart.toString() };
}

/**
 * The playground: controls on top (data set, hidden layers, units, activation, learning rate,
 * a train/pause toggle, reset), the decision boundary and the loss curve below, and a status line.
 * A network of `hiddenLayers` Dense layers of `units` units and one output logit is trained with
 * Adam on the whole data set per step (binary cross-entropy from logits).
 */
export class Playground extends VBox {
  readonly dataset: Dropdown<PlaygroundDataset>;
  readonly hiddenLayers: IntSlider;
  readonly units: IntSlider;
  readonly activation: Dropdown<PlaygroundActivation>;
  readonly lr: FloatLogSlider;
  /** Pressed: training runs; released: it pauses after the current step. */
  readonly train: ToggleButton;
  readonly reset: Button;
  readonly status: Label;
  readonly boundaryOut: Output;
  readonly lossOut: Output;
  /** The data set being learned: X [n, 2], y [n, 1] of 0/1. */
  X!: Tensor;
  y!: Tensor;
  /** The network being trained (rebuilt when the data set or the architecture changes). */
  model!: nn.Sequential;
  optimizer!: optim.Adam;
  /** The loss after each step of the current network. */
  losses: number[] = [];
  /** How many times the charts were redrawn (a fresh network, a training frame, a pause). */
  frames = 0;
  private readonly samples: number;
  private readonly seed: number;
  private readonly resolution: number;
  private readonly frameMs: number;
  private loop: Promise<void> | null = null;
  private stopAfter = Infinity;

  constructor(options: PlaygroundOptions = {}) {
    // Wide enough for "learning rate" and "hidden layers" (the default width cuts them short).
    const LABELS = { description_width: "100px" };
    const dataset = new Dropdown<PlaygroundDataset>({ options: PLAYGROUND_DATASETS, value: options.dataset ?? "circles", description: "data", style: LABELS });
    const hiddenLayers = new IntSlider({ value: checkInt("hiddenLayers", options.hiddenLayers ?? 2, 0, 4), min: 0, max: 4, description: "hidden layers", style: LABELS });
    const units = new IntSlider({ value: checkInt("units", options.units ?? 4, 1, 16), min: 1, max: 16, description: "units", style: LABELS });
    const activation = new Dropdown<PlaygroundActivation>({ options: PLAYGROUND_ACTIVATIONS, value: options.activation ?? "tanh", description: "activation", style: LABELS });
    const lrValue = options.lr ?? 0.03;
    if (!(lrValue >= 1e-3 && lrValue <= 1)) throw new WidgetError("Playground", `lr must be from 0.001 to 1, got ${lrValue}`);
    const lr = new FloatLogSlider({ value: lrValue, min: -3, max: 0, step: 0.1, description: "learning rate", readout_format: ".3f", style: LABELS });
    const train = new ToggleButton({ description: "train", icon: "play", button_style: "success", tooltip: "train / pause" });
    const reset = new Button({ description: "reset", icon: "refresh", tooltip: "new weights, same settings" });
    const status = new Label({ value: "" });
    const boundaryOut = new Output();
    const lossOut = new Output();
    super([
      new HBox([dataset, activation]),
      new HBox([hiddenLayers, units]),
      new HBox([lr, train, reset]),
      status,
      new HBox([boundaryOut, lossOut]),
    ]);
    this.dataset = dataset;
    this.hiddenLayers = hiddenLayers;
    this.units = units;
    this.activation = activation;
    this.lr = lr;
    this.train = train;
    this.reset = reset;
    this.status = status;
    this.boundaryOut = boundaryOut;
    this.lossOut = lossOut;
    this.samples = checkInt("samples", options.samples ?? 200, 8, 5000);
    this.seed = options.seed ?? 0;
    this.resolution = checkInt("resolution", options.resolution ?? 40, 4, 200);
    this.frameMs = options.frameMs ?? 500;
    this.loadData();
    this.rebuild();

    dataset.observe(() => {
      this.loadData();
      this.rebuild();
    }, "value");
    for (const w of [hiddenLayers, units]) w.observe(() => this.rebuild(), "value");
    activation.observe(() => this.rebuild(), "value");
    lr.observe(({ new: v }) => {
      this.optimizer.lr = v;
    }, "value");
    reset.onClick(() => this.rebuild());
    train.observe(({ new: on }) => {
      train.setState({ description: on ? "pause" : "train", icon: on ? "pause" : "play", button_style: on ? "warning" : "success" });
      if (on) this.start();
    }, "value");
  }

  /** True while training runs. */
  get playing(): boolean {
    return this.loop !== null;
  }

  /** Steps taken by the current network. */
  get epoch(): number {
    return this.losses.length;
  }

  /** The fraction of the data set's points the network classifies right. */
  accuracy(): number {
    return tidy(() => noGrad(() => (this.model.call(this.X) as Tensor).gt(0).float().eq(this.y).float().mean().item()));
  }

  /** One training step on the whole data set; returns its loss. */
  step(): number {
    const loss = tidy(() => {
      const yHat = this.model.call(this.X) as Tensor;
      const loss = nn.binaryCrossEntropy(yHat, this.y, { fromLogits: true });
      this.optimizer.zeroGrad();
      loss.backward();
      return loss.item();
    });
    this.optimizer.step();
    this.losses.push(loss);
    return loss;
  }

  /**
   * Trains for `steps` steps (until paused without a count), redrawing as it goes, as pressing
   * train does; the toggle shows it. Settles when training stops.
   */
  async run(steps = Infinity): Promise<void> {
    if (!(steps >= 0)) throw new WidgetError("Playground", `run: steps must be >= 0, got ${steps}`);
    this.stopAfter = this.epoch + steps;
    if (!this.train.value) this.train.value = true; // starts the loop through the toggle's observer
    else this.start();
    await this.loop;
  }

  /** Stops training after the current step; settles when it has stopped. */
  async pause(): Promise<void> {
    this.train.value = false;
    await this.loop;
  }

  /** The decision boundary of the current network over the data set, as a chart. */
  boundaryChart(): Chart {
    return decisionBoundary(this.model, this.X, this.y.reshape(-1), {
      resolution: this.resolution,
      threshold: 0,
      title: `${this.dataset.value}: ${this.describeNetwork()}, epoch ${this.epoch}`,
      width: 300,
      height: 300,
    });
  }

  /** The loss curve of the current network, as a chart. */
  lossChart(): Chart {
    const n = this.losses.length;
    // At most about 400 points: a long run's curve stays a small spec.
    const every = Math.max(1, Math.ceil(n / 400));
    const x: number[] = [], ys: number[] = [];
    for (let i = 0; i < n; i += every) {
      x.push(i + 1);
      ys.push(this.losses[i]);
    }
    if (n > 0 && x[x.length - 1] !== n) {
      x.push(n);
      ys.push(this.losses[n - 1]);
    }
    return lineChart(n ? ys : [NaN], { x: n ? x : [0], title: "training loss", xLabel: "epoch", yLabel: "loss", points: false, width: 300, height: 300 });
  }

  /** Stops training and closes the playground's view. */
  override close(): void {
    if (this.train.value) this.train.value = false;
    super.close();
  }

  override toString(): string {
    return `Playground(${this.dataset.value}, ${this.describeNetwork()}, lr ${this.lr.value.toPrecision(2)}; ${this.statusText()})`;
  }

  private describeNetwork(): string {
    const h = this.hiddenLayers.value;
    return h === 0 ? "no hidden layer" : `${h} × ${this.units.value} ${this.activation.value}`;
  }

  private statusText(): string {
    if (this.epoch === 0) return "epoch 0, untrained";
    return `epoch ${this.epoch}, loss ${this.losses[this.epoch - 1].toFixed(4)}, accuracy ${this.accuracy().toFixed(3)}`;
  }

  private loadData(): void {
    const d = makeDataset(this.dataset.value, this.samples, this.seed);
    this.X = d.X;
    this.y = d.y;
  }

  /** A fresh network for the current settings, from the same seed every time. */
  private rebuild(): void {
    const layers: nn.Module[] = [];
    let inputDim = 2;
    // Each layer's Glorot weights from its own seed: the global generator is left alone.
    const seeded = (i: number): nn.init.Initializer => (shape, opts) => nn.init.glorotUniform(shape, { ...opts, seed: this.seed * 1000 + i });
    for (let i = 0; i <= this.hiddenLayers.value; i++) {
      const last = i === this.hiddenLayers.value;
      layers.push(new nn.Dense(last ? 1 : this.units.value, { inputDim, kernelInitializer: seeded(i), ...(last ? {} : { activation: this.activation.value }) }));
      inputDim = this.units.value;
    }
    this.model = new nn.Sequential(layers);
    this.optimizer = new optim.Adam(this.model.parameters(), { lr: this.lr.value });
    this.losses = [];
    this.redraw();
  }

  private redraw(): void {
    this.frames++;
    this.status.value = this.statusText();
    const boundary = this.boundaryChart(), loss = this.lossChart();
    this.boundaryOut.clearOutput({ wait: true });
    this.boundaryOut.appendDisplayData({ toMimeBundle: () => liveBundle(boundary) });
    this.lossOut.clearOutput({ wait: true });
    this.lossOut.appendDisplayData({ toMimeBundle: () => liveBundle(loss) });
  }

  private start(): void {
    if (this.loop) return;
    this.loop = (async () => {
      // The body starts after `this.loop` is set, so that a failure in the first step (before
      // any await) still clears it at the end.
      await Promise.resolve();
      let last = Date.now();
      let failure: unknown = null;
      try {
        while (this.train.value && this.epoch < this.stopAfter) {
          this.step();
          if (Date.now() - last >= this.frameMs) {
            this.redraw();
            last = Date.now();
          }
          await yieldToEventLoop();
        }
      } catch (e) {
        failure = e;
      }
      this.loop = null;
      this.stopAfter = Infinity;
      if (this.train.value) this.train.value = false;
      if (failure === null) this.redraw();
      // Shown where the student looks; the loop has no cell to fail in.
      else this.status.value = `training stopped: ${failure instanceof Error ? failure.message : String(failure)}`;
    })();
  }
}
