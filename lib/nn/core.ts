/**
 * The parts of the tensor core that nn, optim, data, io and metrics use, imported from the
 * core's own modules rather than from lib/index.ts: index re-exports these namespaces (and
 * plot, which imports nn), so going through it would make an import cycle in which a class
 * could be read before it is defined.
 */
export { Tensor } from "../tensor";
export { tensor, zeros, ones, rand } from "../creation";
export * from "../ops";
export { noGrad } from "../autograd";
export { tidy, keep } from "../memory";
