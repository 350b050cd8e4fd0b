/**
 * The fused optimizer update (Backend.optimizerStep) on typed arrays: the reference the cpu
 * and cuda kernels are tested against. Values are computed in double and stored into the
 * storage's typed array, as every js kernel does. A zero weight decay adds nothing (not 0·p,
 * which is NaN for an infinite weight), as the composed path skips it.
 */
import type { OptimizerStep, Storage } from "../../backend";
import { OPTIM_FLAGS as F, packOptimizerStep } from "../../backend";
import { arr } from "./storage";

type Floats = Float32Array | Float64Array;

export function optimizerStep(ps: Storage, gs: Storage, state: readonly (Storage | null)[], step: OptimizerStep): void {
  const [lr, wd, decay, c1, c2, c3, eps, flags] = packOptimizerStep(step);
  const p = arr(ps) as Floats, grad = arr(gs) as Floats;
  const s0 = state[0] ? (arr(state[0]) as Floats) : null;
  const s1 = state[1] ? (arr(state[1]) as Floats) : null;
  const s2 = state[2] ? (arr(state[2]) as Floats) : null;
  const n = p.length;
  switch (step.kind) {
    case "sgd": {
      const v = flags & F.momentum ? s0! : null;
      const first = (flags & F.first) !== 0, nesterov = (flags & F.nesterov) !== 0;
      for (let i = 0; i < n; i++) {
        const g = wd !== 0 ? grad[i] + p[i] * wd : grad[i];
        let d = g;
        if (v) {
          const vi = first ? g : v[i] * c1 + g * c2;
          v[i] = vi;
          // The composed path reads v back from its storage: use the stored (rounded) value.
          d = nesterov ? g + v[i] * c1 : v[i];
        }
        p[i] = p[i] + d * -lr;
      }
      break;
    }
    case "adam": {
      const m = s0!, v = s1!, vMax = flags & F.amsgrad ? s2! : null;
      for (let i = 0; i < n; i++) {
        if (decay !== 1) p[i] = p[i] * decay;
        const g = wd !== 0 ? grad[i] + p[i] * wd : grad[i];
        m[i] = m[i] + (g - m[i]) * c1;
        v[i] = v[i] + (g * g - v[i]) * c2;
        let vh = v[i];
        if (vMax) {
          const a = vMax[i];
          vMax[i] = a !== a || vh !== vh ? a + vh : a > vh ? a : vh;
          vh = vMax[i];
        }
        p[i] = p[i] + (m[i] / (Math.sqrt(vh) + eps)) * -lr;
      }
      break;
    }
    case "rmsprop": {
      const S = s0!, gAvg = flags & F.centered ? s1! : null, b = flags & F.momentum ? s2! : null;
      for (let i = 0; i < n; i++) {
        const g = wd !== 0 ? grad[i] + p[i] * wd : grad[i];
        S[i] = S[i] * c1 + g * g * c2;
        let d: number;
        if (gAvg) {
          gAvg[i] = gAvg[i] * c1 + g * c2;
          d = Math.sqrt(S[i] - gAvg[i] * gAvg[i]) + eps;
        } else {
          d = Math.sqrt(S[i]) + eps;
        }
        if (b) {
          b[i] = b[i] * c3 + g / d;
          p[i] = p[i] + b[i] * -lr;
        } else {
          p[i] = p[i] + (g / d) * -lr;
        }
      }
      break;
    }
    case "adagrad": {
      const G = s0!;
      for (let i = 0; i < n; i++) {
        const g = wd !== 0 ? grad[i] + p[i] * wd : grad[i];
        G[i] = G[i] + g * g;
        p[i] = p[i] + (g / (Math.sqrt(G[i]) + eps)) * -lr;
      }
      break;
    }
  }
}
