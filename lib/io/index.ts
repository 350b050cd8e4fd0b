/**
 * Input and output of tensors and weights (safetensors).
 * @example io.saveWeights(model, "model.safetensors");
 */
export {
  saveSafetensors, loadSafetensors, serializeSafetensors, deserializeSafetensors, saveWeights, loadWeights,
} from "./safetensors";
export { encodeSafetensors, decodeSafetensors, type SafeDType, type SafeEntry, type DecodedSafetensors } from "./safetensors-format";
