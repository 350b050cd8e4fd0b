import { describe, expect, it } from "vitest";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import * as gb from "../../lib";
import { Engine, tensor, withEngine, type Tensor } from "../../lib";

/** Node's collector, also without --expose-gc (the flag can be set at run time). */
function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

const tracked = (): Engine => new Engine({ defaultDevice: "js", trackJs: true });

describe("dispose and tidy", () => {
  it("dispose frees a storage once no view uses it", () => {
    withEngine(tracked(), () => {
      const x = gb.ones([4]);
      const v = x.reshape(2, 2);
      expect(gb.memory().js).toEqual({ tensors: 1, bytes: 16 });
      x.dispose();
      expect(x.isDisposed).toBe(true);
      const s = v.sum();
      expect(s.item()).toBe(4);
      s.dispose();
      v.dispose();
      expect(gb.memory().js).toEqual({ tensors: 0, bytes: 0 });
      x.dispose();
      expect(gb.memory().js).toEqual({ tensors: 0, bytes: 0 });
    });
  });

  it("tidy disposes intermediates and keeps what it returns", () => {
    withEngine(tracked(), () => {
      const w = gb.randn([3, 3]);
      const before = gb.memory().js!.tensors;
      const { out, parts } = gb.tidy(() => {
        const h = w.matmul(w).relu().add(1);
        return { out: h.sum(), parts: [h.mean()] };
      });
      expect(gb.memory().js!.tensors).toBe(before + 2);
      expect(out.isDisposed).toBe(false);
      expect(parts[0].isDisposed).toBe(false);
      expect(w.isDisposed).toBe(false);
    });
  });

  it("nested scopes hand results to the enclosing scope", () => {
    withEngine(tracked(), () => {
      let inner!: Tensor;
      const base = gb.memory().js?.tensors ?? 0;
      gb.tidy(() => {
        inner = gb.tidy(() => gb.ones([2]).mul(2));
        expect(inner.isDisposed).toBe(false);
        return null;
      });
      expect(inner.isDisposed).toBe(true);
      expect(gb.memory().js?.tensors ?? 0).toBe(base);
    });
  });

  it("a training step inside tidy keeps parameters and their gradients", () => {
    withEngine(tracked(), () => {
      const p = gb.randn([4, 2], { requiresGrad: true });
      const x = gb.randn([8, 4]);
      const base = gb.memory().js!.tensors;
      for (let step = 0; step < 3; step++) {
        gb.tidy(() => {
          // zeroGrad leaves the old gradient to its holders and the collector (PyTorch's
          // set-to-None); freeing it now is the caller's choice.
          gb.dispose(p.grad);
          p.zeroGrad();
          x.matmul(p).tanh().square().mean().backward();
          gb.noGrad(() => p.addInPlace(p.grad!, -0.1));
        });
      }
      expect(p.grad!.isDisposed).toBe(false);
      // p, x and p.grad (one storage each) remain; everything else was freed.
      expect(gb.memory().js!.tensors).toBe(base + 1);
    });
  });

  it("refuses async functions", () => {
    expect(() => gb.tidy(() => Promise.resolve(1) as never)).toThrow(/tidy: fn returned a Promise/);
  });
});

describe("garbage collection", () => {
  it("frees storages that were never disposed through the FinalizationRegistry", async () => {
    const gc = collector();
    const e = tracked();
    withEngine(e, () => {
      for (let i = 0; i < 50; i++) gb.ones([1000]).mul(2);
    });
    expect(e.memory().js!.tensors).toBeGreaterThanOrEqual(100);
    // Finalizers run after a collection, on a later turn of the event loop.
    for (let i = 0; i < 20 && e.memory().js!.tensors > 10; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(e.memory().js!.tensors).toBeLessThanOrEqual(10);
  });

  it("calls the backend's release with the handle of a collected storage", async () => {
    const gc = collector();
    const released: unknown[] = [];
    const e = new Engine({ defaultDevice: "js" });
    const js = e.backend("js");
    // A backend whose storages carry a handle, as the native and CUDA backends' do.
    const withHandles = {
      ...js,
      name: "cpu" as const,
      fill(size: number, value: number, dtype: gb.DType) {
        const s = js.fill(size, value, dtype);
        return Object.assign(Object.create(Object.getPrototypeOf(s)), s, { backend: withHandles, handle: { id: released.length + size } });
      },
      release(h: unknown) { released.push(h); },
    };
    e.registerBackend(withHandles as gb.Backend);
    withEngine(e, () => {
      for (let i = 0; i < 20; i++) gb.zeros([3], { device: "cpu" });
    });
    for (let i = 0; i < 20 && released.length < 20; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(released.length).toBeGreaterThanOrEqual(15);
    expect(released[0]).toHaveProperty("id");
  });
});

describe("self-releasing backends", () => {
  it("are not registered with the engine, and memory() reports their own figures", async () => {
    const gc = collector();
    const released: unknown[] = [];
    let live = 0;
    const e = new Engine({ defaultDevice: "js" });
    const js = e.backend("js");
    const selfReleasing = {
      ...js,
      name: "cpu" as const,
      releasesOnCollect: true,
      memoryStats: () => ({ tensors: live, bytes: live * 4 }),
      fill(size: number, value: number, dtype: gb.DType) {
        live++;
        const s = js.fill(size, value, dtype);
        return Object.assign(Object.create(Object.getPrototypeOf(s)), s, { backend: selfReleasing, handle: { size } });
      },
      release(h: unknown) { released.push(h); },
    };
    e.registerBackend(selfReleasing as gb.Backend);
    withEngine(e, () => {
      for (let i = 0; i < 5; i++) gb.zeros([3], { device: "cpu" });
    });
    expect(e.memory().cpu).toEqual({ tensors: 5, bytes: 20 });
    gc();
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toEqual([]);
  });
});

describe("untracked js storages", () => {
  it("are not counted by default (the JS heap frees them)", () => {
    withEngine(new Engine({ defaultDevice: "js" }), () => {
      tensor([1, 2, 3]);
      expect(gb.memory().js).toBeUndefined();
    });
  });
});
