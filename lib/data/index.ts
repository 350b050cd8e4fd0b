/**
 * Data: MNIST and Fashion-MNIST readers, synthetic sets, the text corpus, preprocessing,
 * and the DataLoader. Sources and licences: docs/data.md.
 *
 * @example
 * const { X, y } = data.loadMnist({ split: "test", limit: 100 });
 */
export { readIdx, decodeIdx, encodeIdx, type IdxArray } from "./idx";
export {
  loadMnist, loadFashionMnist, fashionMnistAvailable, mnistDir, FASHION_MNIST_CLASSES, FASHION_MNIST_DIR,
  type MnistOptions, type ImageDataset,
} from "./mnist";
export { xor, moons, circles, spirals, blobs, noisySine, type Dataset } from "./synthetic";
export { loadCorpus, corpusPath, CharVocab, charSequences } from "./text";
export { standardize, minMaxScale, oneHot, trainTestSplit, trainValTestSplit } from "./preprocessing";
export { TensorDataset, DataLoader, type DataLoaderOptions } from "./dataloader";
export { Rng } from "./random";
export { loadJargon, jargonPath, type JargonOptions } from "./jargon";
export { loadPhoto, photosDir, PHOTOS } from "./photos";
export { decodePNG, type DecodedPNG } from "./png";
export { iou, boxIou, boxArea, nms, slidingWindowCount, type Box } from "./boxes";
export { digitCanvas, type DigitCanvas, type DigitCanvasOptions } from "./canvas";
