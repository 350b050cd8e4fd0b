// gradbook_cuda: the thin N-API layer over the CUDA driver, NVRTC and cuBLAS.
//
// It only moves bytes, compiles sources, launches kernels and calls GEMM; every decision
// (which kernel, grid sizes, layouts, the caching allocator) lives in
// lib/backends/cuda/*.ts, where it is typed and testable without a GPU. Device pointers
// travel as JavaScript numbers: x86-64 virtual addresses fit in 48 bits, so they are exact.
#include <napi.h>

#include <string>
#include <vector>

#include "api.h"

namespace gbcuda {

// cudnn.cc
Napi::Value CudnnPlan(const Napi::CallbackInfo& info);
Napi::Value CudnnRun(const Napi::CallbackInfo& info);

namespace {

std::vector<CUmodule> modules;
std::vector<CUfunction> functions;

Runtime& ready(const Napi::Env& env) {
  Runtime& rt = runtime();
  load();
  if (!rt.ok) throw Napi::Error::New(env, "cuda unavailable: " + rt.reason);
  return rt;
}

void checkCu(const Napi::Env& env, CUresult r, const char* what) {
  if (r == CUDA_SUCCESS) return;
  Napi::Error e = Napi::Error::New(env, std::string("cuda: ") + what + " failed: " + cuErrorText(r));
  e.Set("cuResult", Napi::Number::New(env, r));
  throw e;
}

CUdeviceptr ptrArg(const Napi::Value& v) {
  return static_cast<CUdeviceptr>(v.As<Napi::Number>().Int64Value());
}

Napi::Value Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  load();
  Runtime& rt = runtime();
  Napi::Object o = Napi::Object::New(env);
  o.Set("ok", rt.ok);
  o.Set("reason", rt.reason);
  if (!rt.ok) return o;
  o.Set("deviceName", rt.deviceName);
  o.Set("ccMajor", rt.ccMajor);
  o.Set("ccMinor", rt.ccMinor);
  o.Set("smCount", rt.smCount);
  o.Set("totalMem", static_cast<double>(rt.totalMem));
  o.Set("driverVersion", rt.driverVersion);
  o.Set("nvrtc", rt.nvrtcLib + " " + std::to_string(rt.nvrtcMajor) + "." + std::to_string(rt.nvrtcMinor));
  o.Set("cublas", rt.haveCublas ? Napi::Value(Napi::String::New(env, rt.cublasLib)) : env.Null());
  o.Set("cublasReason", rt.cublasReason);
  o.Set("cudnn", rt.haveCudnn ? Napi::Value(Napi::String::New(env, rt.cudnnLib + " " + std::to_string(rt.cudnnVersion))) : env.Null());
  o.Set("cudnnReason", rt.cudnnReason);
  return o;
}

Napi::Value MemGetInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  size_t freeB = 0, totalB = 0;
  checkCu(env, rt.cu.cuMemGetInfo_v2(&freeB, &totalB), "cuMemGetInfo");
  Napi::Object o = Napi::Object::New(env);
  o.Set("free", static_cast<double>(freeB));
  o.Set("total", static_cast<double>(totalB));
  return o;
}

// malloc(bytes) -> pointer. An out-of-memory error carries cuResult = 2 so the allocator can
// empty its cache and retry before it gives up.
Napi::Value Malloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  double bytes = info[0].As<Napi::Number>().DoubleValue();
  CUdeviceptr p = 0;
  checkCu(env, rt.cu.cuMemAlloc_v2(&p, static_cast<size_t>(bytes)), "cuMemAlloc");
  return Napi::Number::New(env, static_cast<double>(p));
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  checkCu(env, rt.cu.cuMemFree_v2(ptrArg(info[0])), "cuMemFree");
  return env.Undefined();
}

// upload(ptr, typedArray): queued on the stream; returns once the host bytes were staged, so
// the caller may reuse its array at once.
Napi::Value Upload(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  Napi::TypedArray a = info[1].As<Napi::TypedArray>();
  const uint8_t* src = static_cast<const uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
  if (a.ByteLength() > 0)
    checkCu(env, rt.cu.cuMemcpyHtoDAsync_v2(ptrArg(info[0]), src, a.ByteLength(), rt.stream), "cuMemcpyHtoDAsync");
  return env.Undefined();
}

// download(ptr, typedArray): waits for all queued work, then copies into the array.
Napi::Value Download(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  Napi::TypedArray a = info[1].As<Napi::TypedArray>();
  uint8_t* dst = static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
  if (a.ByteLength() > 0)
    checkCu(env, rt.cu.cuMemcpyDtoHAsync_v2(dst, ptrArg(info[0]), a.ByteLength(), rt.stream), "cuMemcpyDtoHAsync");
  checkCu(env, rt.cu.cuStreamSynchronize(rt.stream), "cuStreamSynchronize");
  return env.Undefined();
}

Napi::Value CopyDtoD(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  double bytes = info[2].As<Napi::Number>().DoubleValue();
  if (bytes > 0)
    checkCu(env, rt.cu.cuMemcpyDtoDAsync_v2(ptrArg(info[0]), ptrArg(info[1]), static_cast<size_t>(bytes), rt.stream), "cuMemcpyDtoDAsync");
  return env.Undefined();
}

// memset32(ptr, bits, count) / memset8(ptr, byte, count): fills on the stream.
Napi::Value Memset32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  uint32_t bits = info[1].As<Napi::Number>().Uint32Value();
  double count = info[2].As<Napi::Number>().DoubleValue();
  if (count > 0)
    checkCu(env, rt.cu.cuMemsetD32Async(ptrArg(info[0]), bits, static_cast<size_t>(count), rt.stream), "cuMemsetD32Async");
  return env.Undefined();
}

Napi::Value Memset8(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  uint32_t byte = info[1].As<Napi::Number>().Uint32Value();
  double count = info[2].As<Napi::Number>().DoubleValue();
  if (count > 0)
    checkCu(env, rt.cu.cuMemsetD8Async(ptrArg(info[0]), static_cast<unsigned char>(byte), static_cast<size_t>(count), rt.stream), "cuMemsetD8Async");
  return env.Undefined();
}

Napi::Value Synchronize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  checkCu(env, rt.cu.cuStreamSynchronize(rt.stream), "cuStreamSynchronize");
  return env.Undefined();
}

std::string programLog(Runtime& rt, nvrtcProgram prog) {
  size_t n = 0;
  rt.rtc.nvrtcGetProgramLogSize(prog, &n);
  std::string log(n, '\0');
  if (n) rt.rtc.nvrtcGetProgramLog(prog, &log[0]);
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  return log;
}

// Compiles one program for one architecture; returns false with the log when NVRTC refuses.
bool compileFor(Runtime& rt, const std::string& src, const std::string& name,
                const std::vector<std::string>& userOpts, const std::string& arch, bool cubin,
                std::string* image, std::string* log) {
  nvrtcProgram prog = nullptr;
  nvrtcResult r = rt.rtc.nvrtcCreateProgram(&prog, src.c_str(), name.c_str(), 0, nullptr, nullptr);
  if (r != 0) {
    *log = std::string("nvrtcCreateProgram: ") + rt.rtc.nvrtcGetErrorString(r);
    return false;
  }
  std::vector<std::string> opts = userOpts;
  opts.push_back("--gpu-architecture=" + arch);
  std::vector<const char*> cOpts;
  for (const auto& o : opts) cOpts.push_back(o.c_str());
  r = rt.rtc.nvrtcCompileProgram(prog, static_cast<int>(cOpts.size()), cOpts.data());
  *log = programLog(rt, prog);
  bool ok = r == 0;
  if (!ok) {
    *log = std::string(rt.rtc.nvrtcGetErrorString(r)) + " for " + arch + "\n" + *log;
  } else {
    size_t n = 0;
    if (cubin) {
      rt.rtc.nvrtcGetCUBINSize(prog, &n);
      image->assign(n, '\0');
      rt.rtc.nvrtcGetCUBIN(prog, &(*image)[0]);
    } else {
      rt.rtc.nvrtcGetPTXSize(prog, &n);
      image->assign(n, '\0');
      rt.rtc.nvrtcGetPTX(prog, &(*image)[0]);
    }
  }
  rt.rtc.nvrtcDestroyProgram(&prog);
  return ok;
}

// compile(source, name, options[]) -> module id. Machine code for this GPU when NVRTC knows
// it; otherwise PTX for the newest architecture NVRTC knows, which the driver JIT-compiles.
Napi::Value Compile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  std::string src = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  std::vector<std::string> opts;
  Napi::Array a = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) opts.push_back(a.Get(i).As<Napi::String>());

  std::string image, log, allLogs;
  std::string cc = std::to_string(rt.ccMajor) + std::to_string(rt.ccMinor);
  bool ok = false, isCubin = false;
  if (rt.rtc.nvrtcGetCUBIN) {
    ok = compileFor(rt, src, name, opts, "sm_" + cc, true, &image, &log);
    isCubin = ok;
    if (!ok) allLogs += log + "\n";
  }
  const char* fallbacks[] = {"compute_90", "compute_80", "compute_75", "compute_70", "compute_60"};
  if (!ok) {
    std::vector<std::string> archs = {"compute_" + cc};
    for (const char* f : fallbacks) archs.push_back(f);
    for (const auto& arch : archs) {
      if (arch != "compute_" + cc && std::stoi(arch.substr(8)) > rt.ccMajor * 10 + rt.ccMinor) continue;
      ok = compileFor(rt, src, name, opts, arch, false, &image, &log);
      if (ok) break;
      allLogs += log + "\n";
      // A syntax error fails for every architecture: report it once.
      if (log.find("error:") != std::string::npos && log.find("invalid value for --gpu-architecture") == std::string::npos) break;
    }
  }
  if (!ok) throw Napi::Error::New(env, "cuda: NVRTC could not compile " + name + ":\n" + allLogs);
  if (!isCubin) image.push_back('\0');
  CUmodule mod = nullptr;
  checkCu(env, rt.cu.cuModuleLoadData(&mod, image.data()), ("cuModuleLoadData(" + name + ")").c_str());
  modules.push_back(mod);
  return Napi::Number::New(env, static_cast<double>(modules.size() - 1));
}

Napi::Value GetFunction(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ready(env);
  uint32_t m = info[0].As<Napi::Number>().Uint32Value();
  std::string name = info[1].As<Napi::String>();
  if (m >= modules.size()) throw Napi::Error::New(env, "cuda: bad module id");
  CUfunction f = nullptr;
  checkCu(env, runtime().cu.cuModuleGetFunction(&f, modules[m], name.c_str()), ("cuModuleGetFunction(" + name + ")").c_str());
  functions.push_back(f);
  return Napi::Number::New(env, static_cast<double>(functions.size() - 1));
}

// launch(fn, gx, gy, gz, bx, by, bz, sharedBytes, blob, offsets): parameter i lives at
// blob[offsets[i]] in the kernel's own layout (the TypeScript packer writes it).
Napi::Value Launch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  uint32_t f = info[0].As<Napi::Number>().Uint32Value();
  if (f >= functions.size()) throw Napi::Error::New(env, "cuda: bad function id");
  unsigned dims[7];
  for (int i = 0; i < 7; i++) dims[i] = info[1 + i].As<Napi::Number>().Uint32Value();
  Napi::Uint8Array blob = info[8].As<Napi::Uint8Array>();
  Napi::Uint32Array offsets = info[9].As<Napi::Uint32Array>();
  void* params[64];
  size_t n = offsets.ElementLength();
  if (n > 64) throw Napi::Error::New(env, "cuda: too many kernel parameters");
  for (size_t i = 0; i < n; i++) params[i] = blob.Data() + offsets[i];
  checkCu(env, rt.cu.cuLaunchKernel(functions[f], dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6],
                                    rt.stream, params, nullptr), "cuLaunchKernel");
  return env.Undefined();
}

// gemm(dtype, opA, opB, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
// strideC, batch): cuBLAS's column-major strided-batched GEMM, unchanged. dtype 0 = float32,
// 1 = float64.
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  if (!rt.haveCublas) throw Napi::Error::New(env, "cuda: cuBLAS unavailable: " + rt.cublasReason);
  auto I = [&](int i) { return static_cast<int>(info[i].As<Napi::Number>().Int64Value()); };
  auto L = [&](int i) { return static_cast<long long>(info[i].As<Napi::Number>().Int64Value()); };
  auto D = [&](int i) { return info[i].As<Napi::Number>().DoubleValue(); };
  int dtype = I(0), opA = I(1), opB = I(2), m = I(3), n = I(4), k = I(5);
  CUdeviceptr A = ptrArg(info[7]), B = ptrArg(info[10]), C = ptrArg(info[14]);
  int lda = I(8), ldb = I(11), ldc = I(15), batch = I(17);
  long long sA = L(9), sB = L(12), sC = L(16);
  cublasStatus_t s;
  if (dtype == 0) {
    float alpha = static_cast<float>(D(6)), beta = static_cast<float>(D(13));
    s = rt.blas.cublasSgemmStridedBatched(rt.blasHandle, opA, opB, m, n, k, &alpha,
        reinterpret_cast<const float*>(A), lda, sA, reinterpret_cast<const float*>(B), ldb, sB,
        &beta, reinterpret_cast<float*>(C), ldc, sC, batch);
  } else {
    double alpha = D(6), beta = D(13);
    s = rt.blas.cublasDgemmStridedBatched(rt.blasHandle, opA, opB, m, n, k, &alpha,
        reinterpret_cast<const double*>(A), lda, sA, reinterpret_cast<const double*>(B), ldb, sB,
        &beta, reinterpret_cast<double*>(C), ldc, sC, batch);
  }
  if (s != 0) throw Napi::Error::New(env, "cuda: cublas gemm failed with status " + std::to_string(s) +
                                     " (m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k) + ")");
  return env.Undefined();
}

// setTF32(flag): TF32 tensor cores for float32 GEMM, like torch.backends.cuda.matmul.allow_tf32.
Napi::Value SetTF32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = ready(env);
  if (rt.haveCublas)
    rt.blas.cublasSetMathMode(rt.blasHandle, info[0].ToBoolean() ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
  return env.Undefined();
}

// Device memory held by live tensors, told to V8 so that garbage collection runs (and the
// finalisers free GPU blocks) before the GPU fills up with unreachable tensors.
Napi::Value AdjustExternalMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t delta = info[0].As<Napi::Number>().Int64Value();
  return Napi::Number::New(env, static_cast<double>(Napi::MemoryManagement::AdjustExternalMemory(env, delta)));
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("load", Napi::Function::New(env, Load));
  exports.Set("memGetInfo", Napi::Function::New(env, MemGetInfo));
  exports.Set("malloc", Napi::Function::New(env, Malloc));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("upload", Napi::Function::New(env, Upload));
  exports.Set("download", Napi::Function::New(env, Download));
  exports.Set("copyDtoD", Napi::Function::New(env, CopyDtoD));
  exports.Set("memset32", Napi::Function::New(env, Memset32));
  exports.Set("memset8", Napi::Function::New(env, Memset8));
  exports.Set("synchronize", Napi::Function::New(env, Synchronize));
  exports.Set("compile", Napi::Function::New(env, Compile));
  exports.Set("getFunction", Napi::Function::New(env, GetFunction));
  exports.Set("launch", Napi::Function::New(env, Launch));
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("setTF32", Napi::Function::New(env, SetTF32));
  exports.Set("adjustExternalMemory", Napi::Function::New(env, AdjustExternalMemory));
  exports.Set("cudnnPlan", Napi::Function::New(env, CudnnPlan));
  exports.Set("cudnnRun", Napi::Function::New(env, CudnnRun));
  return exports;
}

}  // namespace gbcuda

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return gbcuda::Init(env, exports); }
NODE_API_MODULE(gradbook_cuda, InitModule)
