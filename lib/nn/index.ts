/**
 * Layers, losses, initializers, regularizers, callbacks and the Keras-like training API.
 *
 * @example
 * const model = new nn.Sequential([new nn.Dense(8, { inputDim: 2, activation: "tanh" }), new nn.Dense(1)]);
 */
export { Module, type Shape } from "./module";
export { Linear, Dense, type LinearOptions, type DenseOptions } from "./linear";
export { Conv2d, Conv2d as Conv2D, MaxPool2d, MaxPool2d as MaxPooling2D, AvgPool2d as AveragePooling2D, AvgPool2d, GlobalAvgPool2d, Flatten, type Conv2dOptions, type Pool2dOptions } from "./conv";
export { BatchNorm1d, BatchNorm2d, Dropout, type BatchNormOptions } from "./norm";
export { Embedding } from "./embedding";
export { RNN, GRU, LSTM, type RecurrentOptions, type RecurrentOutput, type RecurrentState } from "./recurrent";
export { Attention, type AttentionOptions, type AttentionOutput } from "./attention";
export { ResidualBlock } from "./residual";
export {
  Activation, ReLU, LeakyReLU, PReLU, ELU, SELU, Softplus, Sigmoid, Tanh, Softmax, Identity, getActivation,
} from "./activations";
export * as functional from "./functional";
export {
  mseLoss, maeLoss, binaryCrossEntropy, categoricalCrossEntropy, sparseCategoricalCrossEntropy,
  hingeLoss, exponentialLoss, getLoss, type LossFn, type LossModule,
} from "./losses";
export { MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, type Reduction } from "./loss-modules";
export * as init from "./init";
export { l1, l2, elasticNet, type Regularizer } from "./regularizers";
export {
  type Callback, type Logs, type TrainParams, type CallbackModel, CallbackList, EarlyStopping, LambdaCallback,
  type EarlyStoppingOptions,
} from "./callbacks";
export { ModelCheckpoint, type ModelCheckpointOptions } from "./checkpoint";
export { Model, History, interruptTraining, INTERRUPT_EVENT, type CompileOptions, type FitOptions, type Metric } from "./model";
export { Sequential } from "./sequential";
export { summarize, formatFlops, formatCount, type ModelSummary, type SummaryRow } from "./summary";
export { softmaxWithTemperature, sampleWithTemperature, entropy } from "./sampling";
export { gradientNormsThroughTime, type GradientProbeOptions } from "./probes";
export { registerForwardHook, captureActivations, type ForwardHook, type HookHandle } from "./hooks";
export { inputGradient, saliencyMap, fgsm } from "./saliency";
export { unfold, gramMatrix } from "./vision";
export { fashionCnn, loadPretrained, pretrainedPath } from "./pretrained";
