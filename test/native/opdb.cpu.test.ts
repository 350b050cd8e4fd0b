// The tensor core's op database (forward values, strided inputs, gradchecks) on the native
// cpu backend. Skipped, with the reason, where the addon did not build.
import { describe, it } from "vitest";
import { defineOpTests } from "../lib/opdb";
import { cpu, skipReason } from "./common";

if (cpu !== null) {
  defineOpTests("cpu", { backend: () => cpu! });
} else {
  describe("op database on cpu", () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
}
