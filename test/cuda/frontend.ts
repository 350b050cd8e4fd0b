/**
 * Frontend checks on device "cuda" against the same computation on "js": to(), model.to(),
 * autodiff through matmul, convolution, pooling and an LSTM, mixed devices, out-of-memory and
 * allocator reuse. Used by the GPU check (check.ts) and by cuda.test.ts.
 */
import { Tensor, nn, randn, randint, tensor, zeros } from "../../lib";
import { cuda } from "../../lib/backends/cuda";
import { compareArrays } from "./cases";

export interface FrontendCheck { name: string; run(): void }

function close(a: Tensor, b: Tensor, tol: number, what: string): void {
  const r = compareArrays(a.to("js").data(), b.to("js").data(), tol);
  if (!r.ok) throw new Error(`${what}: ${r.detail} (max relative error ${r.maxErr})`);
}

/**
 * The checks. `memoryStats` is passed in so they can run on a backend registered by hand (the
 * CPU emulation in the tests) as well as on the one `cuda` loads.
 */
export function frontendChecks(memoryStats: () => { driverAllocs: number; allocatedBytes: number } = () => cuda.memoryStats()): FrontendCheck[] {
  const list: FrontendCheck[] = [];
  const check = (name: string, run: () => void): void => { list.push({ name, run }); };
  check("tensor.to('cuda') round trip keeps values and dtype", () => {
    for (const dtype of ["float32", "float64", "int32", "bool"] as const) {
      const x = tensor([[1, 0, -2.5], [3, 4, 5]], { dtype, device: "js" });
      const y = x.to("cuda");
      if (y.device !== "cuda" || y.dtype !== dtype) throw new Error(`got ${y.device} ${y.dtype}`);
      close(y, x, 0, dtype);
    }
  });

  check("mixing devices in one op names both", () => {
    const a = tensor([1, 2], { device: "js" }), b = tensor([1, 2], { device: "cuda" });
    let msg = "";
    try { a.add(b); } catch (e) { msg = (e as Error).message; }
    if (!/js/.test(msg) || !/cuda/.test(msg)) throw new Error(`message does not name both devices: "${msg}"`);
  });

  check("an MLP's loss and gradients on cuda match js", () => {
    const model = new nn.Sequential([new nn.Linear(20, 16), new nn.Tanh(), new nn.Linear(16, 5)]);
    model.to("js");
    const X = randn([32, 20], { device: "js" }), y = randint(0, 5, [32], { device: "js" });
    const run = (device: "js" | "cuda"): { loss: Tensor; grads: Tensor[] } => {
      model.to(device);
      for (const p of model.parameters()) p.grad = null;
      const loss = nn.sparseCategoricalCrossEntropy(model.forward(X.to(device)), y.to(device), { fromLogits: true });
      loss.backward();
      return { loss, grads: model.parameters().map((p) => p.grad!) };
    };
    const ref = run("js"), got = run("cuda");
    close(got.loss, ref.loss, 1e-5, "loss");
    got.grads.forEach((g, i) => close(g, ref.grads[i], 1e-4, `gradient ${i}`));
  });

  check("a conv net's gradients on cuda match js", () => {
    const model = new nn.Sequential([new nn.Conv2d(2, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(4 * 4 * 4, 3)]);
    const X = randn([5, 2, 8, 8], { device: "js" }), y = randint(0, 3, [5], { device: "js" });
    const grads = (device: "js" | "cuda"): Tensor[] => {
      model.to(device);
      for (const p of model.parameters()) p.grad = null;
      nn.sparseCategoricalCrossEntropy(model.forward(X.to(device)), y.to(device), { fromLogits: true }).backward();
      return model.parameters().map((p) => p.grad!);
    };
    const ref = grads("js"), got = grads("cuda");
    got.forEach((g, i) => close(g, ref[i], 1e-4, `gradient ${i}`));
  });

  check("an LSTM's output on cuda matches js", () => {
    const lstm = new nn.LSTM(6, 8, { returnSequences: false });
    const X = randn([3, 7, 6], { device: "js" });
    lstm.to("js");
    const ref = lstm.forward(X);
    lstm.to("cuda");
    close(lstm.forward(X.to("cuda")), ref, 1e-5, "LSTM output");
  });

  check("out of memory is an Error saying how much was asked and how much is free", () => {
    let msg = "";
    try { zeros([2 ** 38], { device: "cuda" }); } catch (e) { msg = (e as Error).message; }
    if (!/out of memory: tried to allocate 1\.00 TiB|out of memory: tried to allocate 1024\.00 GiB/.test(msg) || !/free of/.test(msg)) {
      throw new Error(`unexpected message: "${msg}"`);
    }
    // The backend still works afterwards.
    close(tensor([1, 2, 3], { device: "cuda" }).mul(2), tensor([2, 4, 6], { device: "js" }), 0, "after OOM");
  });

  check("freed blocks are reused (caching allocator)", () => {
    const before = memoryStats();
    for (let i = 0; i < 20; i++) zeros([1000, 1000], { device: "cuda" }).dispose();
    const after = memoryStats();
    if (after.driverAllocs - before.driverAllocs > 1) throw new Error(`${after.driverAllocs - before.driverAllocs} cuMemAlloc calls for 20 same-size tensors`);
    if (after.allocatedBytes !== before.allocatedBytes) throw new Error(`allocated ${before.allocatedBytes} -> ${after.allocatedBytes}`);
  });
  return list;
}
