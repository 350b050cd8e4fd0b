/**
 * gradbook's tensor library: tensors on the js / cpu / cuda backends, reverse-mode autodiff,
 * and the ops everything else (layers, losses, optimizers, plots) is built from.
 *
 * @example
 * import { tensor, randn, noGrad } from "gradbook";
 * const w = randn([3, 1], { requiresGrad: true });
 * const loss = tensor([[1, 2, 3]]).matmul(w).square().sum();
 * loss.backward();
 * w.grad;   // d loss / d w
 */
export { Tensor, isTensor } from "./tensor";
export type { VarOptions, TensorBackwardOptions } from "./tensor";
export type { DType, DeviceName, Backend, Storage, View, TypedArray } from "./backend";
export {
  tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, checkShape,
  rand, randn, randint, randperm, manualSeed, Generator, defaultGenerator,
} from "./creation";
export type { TensorOptions, NestedArray } from "./creation";
export * from "./ops";
export { variance as var } from "./ops";
export { noGrad, enableGrad, isGradEnabled, grad, valueAndGrad, backward } from "./autograd";
export type { BackwardOptions } from "./autograd";
export { gradcheck } from "./gradcheck";
export type { GradcheckOptions, GradcheckResult, GradcheckDetail } from "./gradcheck";
export { tidy, dispose, keep, memory } from "./memory";
export { Engine, getEngine, setEngine, withEngine } from "./engine";
export type { DeviceMemory } from "./engine";
export { OpError } from "./errors";
export { setPrintOptions } from "./print";
export type { PrintOptions } from "./print";
export { isFloat, promoteTypes, promoteOperands } from "./dtype";

import { getEngine } from "./engine";
import type { DeviceName } from "./backend";

/** The device new tensors go to ("cpu" where the native addon loads, else "js"). */
export function getDefaultDevice(): DeviceName {
  return getEngine().getDefaultDevice();
}

/** Sets the device new tensors go to. */
export function setDefaultDevice(device: DeviceName): void {
  getEngine().setDefaultDevice(device);
}

/** Whether a device's backend is available, and why not when it is not. */
export function deviceAvailable(device: DeviceName): { available: boolean; reason?: string } {
  return getEngine().availability(device);
}

export * as nn from "./nn";
export * as optim from "./optim";
export * as data from "./data";
export * as metrics from "./metrics";
export * as io from "./io";
export * as plot from "./plot";
export * as widgets from "./widgets";
export { cuda } from "./backends/cuda";
export type { NativeBackend, NativeStats } from "./backends/native";
export { check, tests, test, expect, expectClose, expectShape, expectGradClose, expectThrows, CheckFailure } from "./grading";
export type { QuestionReport, QuestionResult, TestOutcome } from "./grading";
