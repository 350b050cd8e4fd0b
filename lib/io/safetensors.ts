/**
 * Saving and loading tensors and model weights as safetensors files, the format PyTorch
 * (`safetensors.torch`) and Hugging Face use, so weights move between gradbook and PyTorch.
 *
 * Model weights are saved under their state-dict names (`0.weight`, `0.bias`,
 * `1.running_mean`, ...), which are PyTorch's names for the equivalent modules.
 */
import { OpError } from "../errors";
import * as fs from "fs";
import { Tensor, tensor } from "../nn/core";
import type { DType } from "../backend";
import { decodeSafetensors, encodeSafetensors, type SafeDType, type SafeEntry } from "./safetensors-format";

const TO_SAFE: Record<DType, SafeDType> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };
const FROM_SAFE: Record<SafeDType, DType> = { F32: "float32", F64: "float64", I32: "int32", BOOL: "bool" };

/**
 * Serialises named tensors to safetensors bytes.
 * @example const bytes = io.serializeSafetensors({ w: tensor([1, 2]) });
 */
export function serializeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const entries: Record<string, SafeEntry> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) throw new Error(`saveSafetensors: "${name}" is not a Tensor`);
    const data = t.data();
    entries[name] = { dtype: TO_SAFE[t.dtype], shape: [...t.shape], data: data as SafeEntry["data"] };
  }
  return encodeSafetensors(entries, metadata);
}

/**
 * Parses safetensors bytes into tensors (on `device`, default the default device).
 * @example const { tensors } = io.deserializeSafetensors(bytes);
 */
export function deserializeSafetensors(
  bytes: Uint8Array,
  options: { device?: Tensor["device"]; name?: string } = {},
): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(bytes, options.name);
  const out = Object.create(null) as Record<string, Tensor>;
  for (const [k, e] of Object.entries(tensors)) {
    const t = tensor(e.data, { dtype: FROM_SAFE[e.dtype], shape: e.shape });
    out[k] = options.device ? t.to(options.device) : t;
  }
  return { tensors: out, metadata };
}

/**
 * Writes named tensors to a .safetensors file.
 * @example io.saveSafetensors("weights.safetensors", { w: tensor([[1, 2]]) }, { note: "demo" });
 */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  fs.writeFileSync(path, serializeSafetensors(tensors, metadata));
}

/**
 * Reads every tensor of a .safetensors file (F32, F64, I32, BOOL; I64 read as int32).
 * @example const tensors = io.loadSafetensors("weights.safetensors");
 */
export function loadSafetensors(path: string, options: { device?: Tensor["device"] } = {}): Record<string, Tensor> {
  if (!fs.existsSync(path)) throw new OpError("loadSafetensors", `file not found: ${path}`);
  return deserializeSafetensors(fs.readFileSync(path), { ...options, name: path }).tensors;
}

/** Anything with a state dict: every `nn.Module`. */
interface HasState {
  stateDict(): Record<string, Tensor>;
  loadStateDict(state: Record<string, unknown>, strict?: boolean): void;
}

/**
 * Saves a model's parameters and buffers (PyTorch's `state_dict` names).
 *
 * @example
 * io.saveWeights(model, "mlp.safetensors");
 * // in Python: model.load_state_dict(safetensors.torch.load_file("mlp.safetensors"))
 */
export function saveWeights(model: HasState, path: string, metadata?: Record<string, string>): void {
  saveSafetensors(path, model.stateDict(), { format: "pt", ...(metadata ?? {}) });
}

/**
 * Loads weights saved by `saveWeights` or by PyTorch into a model of the same architecture.
 * With `strict` (default) missing or extra names are an error. PyTorch's
 * `num_batches_tracked` counters, which gradbook does not keep, are ignored.
 *
 * @example io.loadWeights(model, "mlp.safetensors");
 */
export function loadWeights(model: HasState, path: string, options: { strict?: boolean } = {}): void {
  const tensors = loadSafetensors(path);
  for (const k of Object.keys(tensors)) if (k.endsWith("num_batches_tracked")) delete tensors[k];
  model.loadStateDict(tensors, options.strict ?? true);
}
