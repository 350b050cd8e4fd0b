/** The shipped transfer-learning weights load into nn.fashionCnn() and classify garments. */
import { describe, expect, it } from "vitest";
import * as nn from "../../lib/nn";
import * as data from "../../lib/data";

describe("loadPretrained", () => {
  it("loads fashion-cnn with every parameter, and names unknown weights", () => {
    const model = nn.loadPretrained("fashion-cnn");
    expect(model.numParameters()).toBe(nn.fashionCnn().numParameters());
    expect(() => nn.loadPretrained("resnet50")).toThrow(/unknown weights "resnet50"; available: fashion-cnn/);
  });

  it.skipIf(!data.fashionMnistAvailable())("classifies Fashion-MNIST test images far above chance", () => {
    const model = nn.loadPretrained("fashion-cnn");
    model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropyFromLogits", metrics: ["accuracy"] });
    const test = data.loadFashionMnist({ split: "test", limit: 500 });
    expect(model.evaluate(test.X, test.y).accuracy).toBeGreaterThan(0.8);
  });
});
