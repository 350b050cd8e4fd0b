/** Optimizers by the names `compile({ optimizer: "adam" })` accepts. */
import type { Optimizer, Params } from "./optimizer";
import { SGD } from "./sgd";
import { Adagrad, Adam, AdamW, RMSProp } from "./adaptive";
import { OpError } from "../errors";

const TABLE: Record<string, (params: Params, lr?: number) => Optimizer> = {
  sgd: (p, lr) => new SGD(p, { lr }),
  adagrad: (p, lr) => new Adagrad(p, { lr }),
  rmsprop: (p, lr) => new RMSProp(p, { lr: lr ?? 0.001 }),
  adam: (p, lr) => new Adam(p, { lr }),
  adamw: (p, lr) => new AdamW(p, { lr }),
};

/**
 * Creates an optimizer by name with its default hyperparameters (Keras' defaults for the
 * learning rate: 0.01 for SGD, 0.001 for RMSProp and Adam).
 * @example optim.getOptimizer("adam", model.parameters())
 */
export function getOptimizer(name: string, params: Params, lr?: number): Optimizer {
  const make = TABLE[name.toLowerCase()];
  if (!make) throw new OpError("compile", `unknown optimizer "${name}"; known: ${Object.keys(TABLE).join(", ")}`);
  return make(params, lr);
}
