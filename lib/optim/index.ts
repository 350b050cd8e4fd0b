/**
 * Optimizers, learning-rate schedules and gradient clipping.
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * const sched = new optim.CosineAnnealingLR(opt, { tMax: numEpochs });
 */
export { Optimizer, type OptimizerOptions, type Params } from "./optimizer";
export { SGD, type SGDOptions } from "./sgd";
export { Adagrad, RMSProp, RMSProp as RMSprop, Adam, AdamW, type AdagradOptions, type RMSPropOptions, type AdamOptions } from "./adaptive";
export {
  LRScheduler, StepLR, ExponentialLR, LinearLR, CosineAnnealingLR, InverseSqrtLR, InverseTimeLR,
  ReduceLROnPlateau, type PlateauOptions,
} from "./schedules";
export { clipGradNorm, clipGradValue } from "./clip";
export { getOptimizer } from "./registry";
