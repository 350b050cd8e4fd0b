/**
 * The GPU check, a plain Node program (no test runner needed, so it runs from the carried
 * bundle on the GPU machine): every backend case on "cuda" against the js reference, then the
 * frontend on "cuda" (to(), model.to(), autodiff, mixed devices, out-of-memory, allocator
 * reuse) against the same computation on "js".
 *
 *   node dist/test/cuda/check.js [--filter REGEX]
 *
 * Exit status: 0 all passed, 1 something failed, 2 CUDA unavailable (the reason is printed).
 */
import { createJsBackend } from "../../lib/backends/js";
import { cuda, loadCudaBackend } from "../../lib/backends/cuda";
import { runAgainst } from "./cases";
import { frontendChecks } from "./frontend";

const filterAt = process.argv.indexOf("--filter");
const filter = filterAt > 0 ? new RegExp(process.argv[filterAt + 1]) : undefined;

if (!cuda.isAvailable()) {
  console.log(`cuda unavailable: ${cuda.unavailableReason()}`);
  process.exit(2);
}
const info = cuda.deviceInfo();
console.log(`gradbook cuda check on ${info.deviceName} (sm_${info.ccMajor}${info.ccMinor}, driver ${info.driverVersion}, ${info.nvrtc}, cuBLAS ${info.cublas ?? "absent: " + info.cublasReason}, cuDNN ${info.cudnn ?? "absent: " + info.cudnnReason})`);

let failed = 0, passed = 0;
const t0 = Date.now();
for (const r of runAgainst(loadCudaBackend(), createJsBackend(), filter)) {
  if (r.ok) passed++;
  else { failed++; console.log(`FAIL backend ${r.name}: ${r.detail}`); }
}
console.log(`backend cases: ${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s, of which NVRTC ${(cuda.compileMs() / 1000).toFixed(1)} s)`);

for (const c of frontendChecks()) {
  if (filter && !filter.test(c.name)) continue;
  try {
    c.run();
    passed++;
    console.log(`ok   ${c.name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${c.name}: ${(e as Error).message}`);
  }
}

const conv = cuda.convolutionCounts();
console.log(`convolutions: ${conv.cudnn} through cuDNN, ${conv.im2col} through im2col + GEMM`);
console.log(`gradbook cuda check: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
