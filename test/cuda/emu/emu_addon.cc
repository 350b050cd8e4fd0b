// gradbook_cuda_emu: the gradbook_cuda addon's interface over host memory, running the real
// kernel sources (compiled for the CPU with cuda_emu.h) and a column-major reference GEMM in
// place of cuBLAS. It lets test/cuda run the CUDA backend's TypeScript and kernels end to end
// on machines without a GPU. Device pointers are host addresses; each allocation is followed
// by guard bytes, checked when it is freed or read, so out-of-bounds kernel writes are caught.
#include <napi.h>

#include <map>
#include <string>
#include <ucontext.h>
#include <vector>

#include "cuda_emu.h"
#include "emu_invoke.h"

thread_local gb_dim3 threadIdx;
gb_dim3 blockIdx, blockDim, gridDim;
gb_emu_barrier* gb_emu_block_barrier = nullptr;
gb_emu_barrier* gb_emu_warp_barriers[32] = {nullptr};
unsigned long long gb_emu_warp_slots[32][32];
std::mutex gb_emu_atomic_mutex;

namespace {

// Fibers of the running block: one per CUDA thread, switched with swapcontext.
struct Fiber {
  ucontext_t ctx;
  std::vector<char> stack;
  bool done = false;
  gb_dim3 tid;
};
ucontext_t scheduler;
std::vector<Fiber> fibers;
Fiber* current = nullptr;
gb_emu_fn fiberFn = nullptr;
void** fiberParams = nullptr;

void fiberMain() {
  fiberFn(fiberParams);
  current->done = true;
  swapcontext(&current->ctx, &scheduler);
}

// Runs every fiber until it finishes, switching at barriers.
void runFibers(unsigned n) {
  for (;;) {
    bool any = false;
    for (unsigned i = 0; i < n; i++) {
      Fiber& f = fibers[i];
      if (f.done) continue;
      any = true;
      current = &f;
      threadIdx = f.tid;
      swapcontext(&scheduler, &f.ctx);
    }
    if (!any) return;
  }
}

}  // namespace

void gb_emu_barrier::arrive_and_wait() {
  unsigned gen = generation;
  if (++arrived == count) {
    arrived = 0;
    generation++;
    return;
  }
  while (generation == gen) {
    Fiber* self = current;
    swapcontext(&self->ctx, &scheduler);
  }
}

namespace {

struct Kernel {
  std::string name;
  gb_emu_fn fn;
  bool threaded;  // synchronises: each CUDA thread runs as a fiber
};

std::map<std::string, std::map<std::string, gb_emu_fn>>& registry() {
  static std::map<std::string, std::map<std::string, gb_emu_fn>> r;
  return r;
}

const size_t kGuard = 64;
const unsigned char kGuardByte = 0xA7;
std::map<uintptr_t, size_t> allocations;
size_t liveBytes = 0;
std::vector<std::string> errors;
std::vector<std::string> moduleFiles;
std::vector<Kernel> kernels;

uintptr_t P(const Napi::Value& v) { return static_cast<uintptr_t>(v.As<Napi::Number>().Int64Value()); }

// Checks that [p, p + bytes) lies inside one allocation.
void checkRange(uintptr_t p, size_t bytes, const char* what) {
  if (bytes == 0) return;
  auto it = allocations.upper_bound(p);
  if (it == allocations.begin() || p + bytes > std::prev(it)->first + std::prev(it)->second) {
    errors.push_back(std::string(what) + ": range outside any allocation");
  }
}

void checkGuard(uintptr_t p, size_t bytes) {
  const unsigned char* g = reinterpret_cast<const unsigned char*>(p + bytes);
  for (size_t i = 0; i < kGuard; i++) {
    if (g[i] != kGuardByte) {
      errors.push_back("a kernel wrote past the end of a " + std::to_string(bytes) + "-byte allocation");
      return;
    }
  }
}

void checkAllGuards() {
  for (auto& [p, n] : allocations) checkGuard(p, n);
}

Napi::Value Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("ok", true);
  o.Set("reason", "");
  o.Set("deviceName", "CPU emulation of the CUDA kernels");
  o.Set("ccMajor", 9);
  o.Set("ccMinor", 0);
  o.Set("smCount", 4);
  o.Set("totalMem", 1 << 30);
  o.Set("driverVersion", 0);
  o.Set("nvrtc", "none (kernels compiled for the host)");
  o.Set("cublas", "reference GEMM");
  o.Set("cublasReason", "");
  o.Set("cudnn", info.Env().Null());
  o.Set("cudnnReason", "not emulated");
  return o;
}

Napi::Value MemGetInfo(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("free", static_cast<double>((1u << 30) - liveBytes));
  o.Set("total", static_cast<double>(1u << 30));
  return o;
}

Napi::Value Malloc(const Napi::CallbackInfo& info) {
  size_t bytes = static_cast<size_t>(info[0].As<Napi::Number>().DoubleValue());
  unsigned char* p = static_cast<unsigned char*>(malloc(bytes + kGuard));
  if (!p || liveBytes + bytes > (size_t(1) << 30)) {
    free(p);
    Napi::Error e = Napi::Error::New(info.Env(), "cuda: cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY (emulated: 1 GiB device)");
    e.Set("cuResult", Napi::Number::New(info.Env(), 2));
    throw e;
  }
  // Uninitialised device memory: all-ones bytes read as NaN (floats) or -1 (ints), so a kernel
  // that leaves an output element unwritten fails the comparison.
  memset(p, 0xFF, bytes);
  memset(p + bytes, kGuardByte, kGuard);
  allocations[reinterpret_cast<uintptr_t>(p)] = bytes;
  liveBytes += bytes;
  return Napi::Number::New(info.Env(), static_cast<double>(reinterpret_cast<uintptr_t>(p)));
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  uintptr_t p = P(info[0]);
  auto it = allocations.find(p);
  if (it == allocations.end()) {
    errors.push_back("free of an unknown pointer");
  } else {
    checkGuard(p, it->second);
    liveBytes -= it->second;
    allocations.erase(it);
    free(reinterpret_cast<void*>(p));
  }
  return info.Env().Undefined();
}

Napi::Value Upload(const Napi::CallbackInfo& info) {
  Napi::TypedArray a = info[1].As<Napi::TypedArray>();
  checkRange(P(info[0]), a.ByteLength(), "upload");
  memcpy(reinterpret_cast<void*>(P(info[0])), static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset(), a.ByteLength());
  return info.Env().Undefined();
}

Napi::Value Download(const Napi::CallbackInfo& info) {
  Napi::TypedArray a = info[1].As<Napi::TypedArray>();
  checkRange(P(info[0]), a.ByteLength(), "download");
  checkAllGuards();
  memcpy(static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset(), reinterpret_cast<void*>(P(info[0])), a.ByteLength());
  return info.Env().Undefined();
}

Napi::Value CopyDtoD(const Napi::CallbackInfo& info) {
  size_t n = static_cast<size_t>(info[2].As<Napi::Number>().DoubleValue());
  checkRange(P(info[0]), n, "copyDtoD");
  memmove(reinterpret_cast<void*>(P(info[0])), reinterpret_cast<void*>(P(info[1])), n);
  return info.Env().Undefined();
}

Napi::Value Memset32(const Napi::CallbackInfo& info) {
  uint32_t bits = info[1].As<Napi::Number>().Uint32Value();
  size_t n = static_cast<size_t>(info[2].As<Napi::Number>().DoubleValue());
  checkRange(P(info[0]), n * 4, "memset32");
  uint32_t* p = reinterpret_cast<uint32_t*>(P(info[0]));
  for (size_t i = 0; i < n; i++) p[i] = bits;
  return info.Env().Undefined();
}

Napi::Value Memset8(const Napi::CallbackInfo& info) {
  size_t n = static_cast<size_t>(info[2].As<Napi::Number>().DoubleValue());
  checkRange(P(info[0]), n, "memset8");
  memset(reinterpret_cast<void*>(P(info[0])), info[1].As<Napi::Number>().Int32Value(), n);
  return info.Env().Undefined();
}

Napi::Value Nothing(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

Napi::Value Compile(const Napi::CallbackInfo& info) {
  std::string name = info[1].As<Napi::String>();
  std::string file = name.substr(0, name.rfind(".cu"));
  if (!registry().count(file)) throw Napi::Error::New(info.Env(), "cuda_emu: no kernels built for " + name);
  moduleFiles.push_back(file);
  return Napi::Number::New(info.Env(), static_cast<double>(moduleFiles.size() - 1));
}

Napi::Value GetFunction(const Napi::CallbackInfo& info) {
  uint32_t m = info[0].As<Napi::Number>().Uint32Value();
  std::string name = info[1].As<Napi::String>();
  auto& table = registry()[moduleFiles.at(m)];
  auto it = table.find(name);
  if (it == table.end()) throw Napi::Error::New(info.Env(), "cuda: cuModuleGetFunction(" + name + ") failed: CUDA_ERROR_NOT_FOUND (emulated)");
  bool threaded = (name.rfind("reduce_", 0) == 0) || name.rfind("gemm_", 0) == 0 || name.rfind("softmax_", 0) == 0;
  kernels.push_back({name, it->second, threaded});
  return Napi::Number::New(info.Env(), static_cast<double>(kernels.size() - 1));
}

Napi::Value Launch(const Napi::CallbackInfo& info) {
  const Kernel& k = kernels.at(info[0].As<Napi::Number>().Uint32Value());
  unsigned d[6];
  for (int i = 0; i < 6; i++) d[i] = info[1 + i].As<Napi::Number>().Uint32Value();
  Napi::Uint8Array blob = info[8].As<Napi::Uint8Array>();
  Napi::Uint32Array offsets = info[9].As<Napi::Uint32Array>();
  std::vector<void*> params;
  for (size_t i = 0; i < offsets.ElementLength(); i++) params.push_back(blob.Data() + offsets[i]);
  gridDim = {d[0], d[1], d[2]};
  blockDim = {d[3], d[4], d[5]};
  const unsigned nThreads = d[3] * d[4] * d[5];
  if (nThreads == 0 || nThreads > 1024) throw Napi::Error::New(info.Env(), "cuda: cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE (emulated: " + std::to_string(nThreads) + " threads)");
  for (unsigned bz = 0; bz < d[2]; bz++)
    for (unsigned by = 0; by < d[1]; by++)
      for (unsigned bx = 0; bx < d[0]; bx++) {
        blockIdx = {bx, by, bz};
        if (!k.threaded) {
          for (unsigned t = 0; t < nThreads; t++) {
            threadIdx = {t % d[3], (t / d[3]) % d[4], t / (d[3] * d[4])};
            k.fn(params.data());
          }
          continue;
        }
        gb_emu_barrier block(nThreads);
        std::vector<gb_emu_barrier*> warps;
        for (unsigned w = 0; w * 32 < nThreads; w++) {
          warps.push_back(new gb_emu_barrier(std::min(32u, nThreads - w * 32)));
          gb_emu_warp_barriers[w] = warps.back();
        }
        gb_emu_block_barrier = &block;
        if (fibers.size() < nThreads) fibers.resize(nThreads);
        fiberFn = k.fn;
        fiberParams = params.data();
        for (unsigned t = 0; t < nThreads; t++) {
          Fiber& f = fibers[t];
          if (f.stack.empty()) f.stack.resize(256 * 1024);
          f.done = false;
          f.tid = {t % d[3], (t / d[3]) % d[4], t / (d[3] * d[4])};
          getcontext(&f.ctx);
          f.ctx.uc_stack.ss_sp = f.stack.data();
          f.ctx.uc_stack.ss_size = f.stack.size();
          f.ctx.uc_link = &scheduler;
          makecontext(&f.ctx, fiberMain, 0);
        }
        runFibers(nThreads);
        gb_emu_block_barrier = nullptr;
        for (unsigned w = 0; w < warps.size(); w++) { delete warps[w]; gb_emu_warp_barriers[w] = nullptr; }
      }
  return info.Env().Undefined();
}

// cuBLAS's column-major strided-batched GEMM, by definition.
template <typename T>
void gemmRef(int opA, int opB, int m, int n, int k, double alpha, const T* A, int lda, long long sA,
             const T* B, int ldb, long long sB, double beta, T* C, int ldc, long long sC, int batch) {
  for (int b = 0; b < batch; b++)
    for (int j = 0; j < n; j++)
      for (int i = 0; i < m; i++) {
        double s = 0;
        for (int q = 0; q < k; q++) {
          double a = opA ? A[b * sA + i * lda + q] : A[b * sA + q * lda + i];
          double bb = opB ? B[b * sB + q * ldb + j] : B[b * sB + j * ldb + q];
          s += a * bb;
        }
        T* c = &C[b * sC + j * ldc + i];
        *c = static_cast<T>(alpha * s + (beta != 0 ? beta * static_cast<double>(*c) : 0.0));
      }
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  auto I = [&](int i) { return static_cast<int>(info[i].As<Napi::Number>().Int64Value()); };
  auto L = [&](int i) { return static_cast<long long>(info[i].As<Napi::Number>().Int64Value()); };
  auto D = [&](int i) { return info[i].As<Napi::Number>().DoubleValue(); };
  int dtype = I(0), opA = I(1), opB = I(2), m = I(3), n = I(4), k = I(5), lda = I(8), ldb = I(11), ldc = I(15), batch = I(17);
  if (lda < (opA ? k : m) || ldb < (opB ? n : k) || ldc < m) throw Napi::Error::New(info.Env(), "cuda: cublas gemm failed with status 7 (emulated: bad leading dimension)");
  if (dtype == 0)
    gemmRef<float>(opA, opB, m, n, k, D(6), reinterpret_cast<const float*>(P(info[7])), lda, L(9), reinterpret_cast<const float*>(P(info[10])), ldb, L(12),
                   D(13), reinterpret_cast<float*>(P(info[14])), ldc, L(16), batch);
  else
    gemmRef<double>(opA, opB, m, n, k, D(6), reinterpret_cast<const double*>(P(info[7])), lda, L(9), reinterpret_cast<const double*>(P(info[10])), ldb, L(12),
                    D(13), reinterpret_cast<double*>(P(info[14])), ldc, L(16), batch);
  return info.Env().Undefined();
}

Napi::Value AdjustExternalMemory(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), 0);
}

Napi::Value CudnnPlan(const Napi::CallbackInfo& info) {
  throw Napi::Error::New(info.Env(), "cuda: cuDNN unavailable: not emulated");
}

// Errors seen so far (out-of-bounds writes, bad frees); reading clears them.
Napi::Value TakeErrors(const Napi::CallbackInfo& info) {
  checkAllGuards();
  Napi::Array a = Napi::Array::New(info.Env(), errors.size());
  for (size_t i = 0; i < errors.size(); i++) a.Set(static_cast<uint32_t>(i), errors[i]);
  errors.clear();
  return a;
}

}  // namespace

int gb_emu_register(const char* file, const gb_emu_entry* entries, size_t count) {
  auto& table = registry()[file];
  for (size_t i = 0; i < count; i++) table[entries[i].name] = entries[i].fn;
  return static_cast<int>(count);
}

static Napi::Object InitEmu(Napi::Env env, Napi::Object exports) {
  exports.Set("load", Napi::Function::New(env, Load));
  exports.Set("memGetInfo", Napi::Function::New(env, MemGetInfo));
  exports.Set("malloc", Napi::Function::New(env, Malloc));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("upload", Napi::Function::New(env, Upload));
  exports.Set("download", Napi::Function::New(env, Download));
  exports.Set("copyDtoD", Napi::Function::New(env, CopyDtoD));
  exports.Set("memset32", Napi::Function::New(env, Memset32));
  exports.Set("memset8", Napi::Function::New(env, Memset8));
  exports.Set("synchronize", Napi::Function::New(env, Nothing));
  exports.Set("compile", Napi::Function::New(env, Compile));
  exports.Set("getFunction", Napi::Function::New(env, GetFunction));
  exports.Set("launch", Napi::Function::New(env, Launch));
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("setTF32", Napi::Function::New(env, Nothing));
  exports.Set("adjustExternalMemory", Napi::Function::New(env, AdjustExternalMemory));
  exports.Set("cudnnPlan", Napi::Function::New(env, CudnnPlan));
  exports.Set("cudnnRun", Napi::Function::New(env, CudnnPlan));
  exports.Set("takeErrors", Napi::Function::New(env, TakeErrors));
  return exports;
}

NODE_API_MODULE(gradbook_cuda_emu, InitEmu)
