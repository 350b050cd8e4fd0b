/** tidy keeps every tensor reachable from its return value, whatever holds it. */
import { describe, expect, it } from "vitest";
import * as gb from "../../lib";
import { Engine, tidy, withEngine, type Tensor } from "../../lib";

const tracked = (): Engine => new Engine({ defaultDevice: "js", trackJs: true });

class Pair {
  constructor(readonly a: Tensor, readonly b: Tensor) {}
}
class Holder extends Pair {
  extra: { deep: Tensor[] };
  constructor(a: Tensor, b: Tensor, c: Tensor) { super(a, b); this.extra = { deep: [c] }; }
}

/** Runs make() inside tidy; returns the kept tensors found by `pick`, and checks the rest went. */
function check<T>(make: (t: () => Tensor) => T, pick: (r: T) => Tensor[]): void {
  withEngine(tracked(), () => {
    const base = gb.memory().js?.tensors ?? 0;
    const r = tidy(() => {
      gb.ones([3]).mul(7);   // a temporary that must go
      return make(() => gb.ones([2]).mul(2));
    });
    const kept = pick(r);
    expect(kept.length).toBeGreaterThan(0);
    for (const t of kept) {
      expect(t.isDisposed).toBe(false);
      expect(t.toArray()).toEqual([2, 2]);
    }
    expect(gb.memory().js!.tensors).toBe(base + kept.length);
  });
}

describe("tidy keeps what it returns", () => {
  it("in a Set", () => check((t) => new Set([t(), t()]), (r) => [...r]));
  it("in a class instance, and one of a subclass with nested fields", () => {
    check((t) => new Pair(t(), t()), (r) => [r.a, r.b]);
    check((t) => new Holder(t(), t(), t()), (r) => [r.a, r.b, r.extra.deep[0]]);
  });
  it("nested deeper than 4 levels", () => {
    check((t) => ({ a: [{ b: [{ c: [{ d: { e: t() } }] }] }] }), (r) => [r.a[0].b[0].c[0].d.e]);
  });
  it("as Map keys and values", () => {
    check((t) => new Map<Tensor, Tensor>([[t(), t()]]), (r) => [...r.entries()].flat());
  });
  it("in a cyclic structure", () => {
    check((t) => { const o: { x: Tensor; self?: unknown } = { x: t() }; o.self = o; return o; }, (r) => [r.x]);
  });
  it("in an object without prototype, and beside non-tensor values", () => {
    check((t) => Object.assign(Object.create(null) as { x: Tensor }, { x: t(), n: 3, s: "s", d: new Float32Array(2) }), (r) => [r.x]);
  });
  it("refuses a WeakMap or WeakSet, before disposing anything", () => {
    withEngine(tracked(), () => {
      let inner: Tensor | null = null;
      expect(() => tidy(() => { inner = gb.ones([2]); return new WeakSet([inner]); })).toThrow(/tidy: cannot look inside a WeakSet: tensors held in it would be disposed without notice/);
      expect(inner!.isDisposed).toBe(false);
      expect(() => tidy(() => new WeakMap())).toThrow(/tidy: cannot look inside a WeakMap/);
    });
  });
  it("dispose() reaches the same containers", () => {
    withEngine(tracked(), () => {
      const a = gb.ones([2]), b = gb.ones([2]);
      gb.dispose(new Pair(a, b));
      expect(a.isDisposed && b.isDisposed).toBe(true);
      const c = gb.ones([2]);
      gb.dispose(new Set([c]));
      expect(c.isDisposed).toBe(true);
    });
  });
});
