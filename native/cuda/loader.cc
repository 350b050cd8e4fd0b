// Finds the NVIDIA libraries with dlopen and opens the first GPU.
//
// Every failure becomes a sentence in runtime().reason ("libcuda.so.1 not found: no NVIDIA
// driver ..."), which the TypeScript side shows as cuda.unavailableReason(). Nothing here may
// crash a process that merely asked whether a GPU exists.
#include "api.h"

#include <dlfcn.h>
#include <cstdlib>
#include <string>
#include <vector>

namespace gbcuda {

Runtime& runtime() {
  static Runtime rt;
  return rt;
}

std::string cuErrorText(CUresult r) {
  Runtime& rt = runtime();
  const char* name = nullptr;
  const char* text = nullptr;
  if (rt.cu.cuGetErrorName) rt.cu.cuGetErrorName(r, &name);
  if (rt.cu.cuGetErrorString) rt.cu.cuGetErrorString(r, &text);
  std::string s = name ? name : ("CUresult " + std::to_string(r));
  if (text) s += std::string(" (") + text + ")";
  return s;
}

namespace {

// Tries each soname in turn; returns the handle and the name that loaded, or collects every
// dlerror() so the reason lists what was tried.
void* openFirst(const std::vector<std::string>& names, std::string* loaded, std::string* errors) {
  for (const auto& n : names) {
    void* h = dlopen(n.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h) {
      if (loaded) *loaded = n;
      return h;
    }
    const char* e = dlerror();
    if (errors) *errors += (errors->empty() ? "" : "; ") + std::string(e ? e : n);
  }
  return nullptr;
}

template <typename F>
bool sym(void* lib, const char* name, F* out, std::string* missing) {
  *out = reinterpret_cast<F>(dlsym(lib, name));
  if (!*out && missing) *missing += (missing->empty() ? "" : ", ") + std::string(name);
  return *out != nullptr;
}

bool loadDriver(Runtime& rt) {
  std::string errors;
  void* lib = openFirst({"libcuda.so.1", "libcuda.so"}, nullptr, &errors);
  if (!lib) {
    rt.reason = "libcuda.so.1 not found: no NVIDIA driver (" + errors + ")";
    return false;
  }
  std::string missing;
  DriverApi& c = rt.cu;
#define GB_SYM(f) sym(lib, #f, &c.f, &missing)
  GB_SYM(cuInit); GB_SYM(cuDriverGetVersion); GB_SYM(cuDeviceGetCount); GB_SYM(cuDeviceGet);
  GB_SYM(cuDeviceGetName); GB_SYM(cuDeviceGetAttribute); GB_SYM(cuDeviceTotalMem_v2);
  GB_SYM(cuDevicePrimaryCtxRetain); GB_SYM(cuCtxSetCurrent); GB_SYM(cuStreamCreate);
  GB_SYM(cuStreamSynchronize); GB_SYM(cuMemAlloc_v2); GB_SYM(cuMemFree_v2);
  GB_SYM(cuMemGetInfo_v2); GB_SYM(cuMemcpyHtoDAsync_v2); GB_SYM(cuMemcpyDtoHAsync_v2);
  GB_SYM(cuMemcpyDtoDAsync_v2); GB_SYM(cuMemsetD8Async); GB_SYM(cuMemsetD32Async);
  GB_SYM(cuModuleLoadData); GB_SYM(cuModuleGetFunction); GB_SYM(cuLaunchKernel);
  GB_SYM(cuGetErrorName); GB_SYM(cuGetErrorString);
#undef GB_SYM
  if (!missing.empty()) {
    rt.reason = "libcuda.so.1 is too old: missing " + missing;
    return false;
  }
  return true;
}

bool loadNvrtc(Runtime& rt) {
  std::string errors;
  void* lib = openFirst({"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2",
                         "libnvrtc.so.11.1", "libnvrtc.so.11.0", "libnvrtc.so"},
                        &rt.nvrtcLib, &errors);
  if (!lib) {
    rt.reason = "libnvrtc not found: kernels cannot be compiled for the GPU; install the CUDA "
                "runtime compiler (e.g. apt-get install cuda-nvrtc-13-0) (" + errors + ")";
    return false;
  }
  std::string missing;
  NvrtcApi& r = rt.rtc;
#define GB_SYM(f) sym(lib, #f, &r.f, &missing)
  GB_SYM(nvrtcVersion); GB_SYM(nvrtcGetErrorString); GB_SYM(nvrtcCreateProgram);
  GB_SYM(nvrtcCompileProgram); GB_SYM(nvrtcDestroyProgram); GB_SYM(nvrtcGetProgramLogSize);
  GB_SYM(nvrtcGetProgramLog); GB_SYM(nvrtcGetPTXSize); GB_SYM(nvrtcGetPTX);
#undef GB_SYM
  if (!missing.empty()) {
    rt.reason = rt.nvrtcLib + " is missing " + missing;
    return false;
  }
  sym(lib, "nvrtcGetCUBINSize", &r.nvrtcGetCUBINSize, nullptr);
  sym(lib, "nvrtcGetCUBIN", &r.nvrtcGetCUBIN, nullptr);
  r.nvrtcVersion(&rt.nvrtcMajor, &rt.nvrtcMinor);
  return true;
}

// cuBLAS is optional: without it matmul runs on gradbook's own tiled GEMM kernel.
void loadCublas(Runtime& rt) {
  std::string errors;
  void* lib = openFirst({"libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"},
                        &rt.cublasLib, &errors);
  if (!lib) {
    rt.cublasReason = "libcublas not found (" + errors + ")";
    return;
  }
  std::string missing;
  CublasApi& b = rt.blas;
#define GB_SYM(f) sym(lib, #f, &b.f, &missing)
  GB_SYM(cublasCreate_v2); GB_SYM(cublasSetStream_v2); GB_SYM(cublasSetMathMode);
  GB_SYM(cublasSgemmStridedBatched); GB_SYM(cublasDgemmStridedBatched);
#undef GB_SYM
  if (!missing.empty()) {
    rt.cublasReason = rt.cublasLib + " is missing " + missing;
    return;
  }
  cublasStatus_t s = b.cublasCreate_v2(&rt.blasHandle);
  if (s != 0) {
    rt.cublasReason = "cublasCreate failed with status " + std::to_string(s);
    return;
  }
  b.cublasSetStream_v2(rt.blasHandle, rt.stream);
  b.cublasSetMathMode(rt.blasHandle, CUBLAS_DEFAULT_MATH);
  rt.haveCublas = true;
}

// cuDNN is optional: without it (or with GRADBOOK_CUDNN=0) convolution is im2col + GEMM.
void loadCudnn(Runtime& rt) {
  const char* env = getenv("GRADBOOK_CUDNN");
  if (env && std::string(env) == "0") {
    rt.cudnnReason = "disabled by GRADBOOK_CUDNN=0";
    return;
  }
  std::string errors;
  void* lib = openFirst({"libcudnn.so.9", "libcudnn.so.8", "libcudnn.so"}, &rt.cudnnLib, &errors);
  if (!lib) {
    rt.cudnnReason = "libcudnn not found (" + errors + ")";
    return;
  }
  std::string missing;
  CudnnApi& d = rt.dnn;
#define GB_SYM(f) sym(lib, #f, &d.f, &missing)
  GB_SYM(cudnnGetVersion); GB_SYM(cudnnGetErrorString); GB_SYM(cudnnCreate); GB_SYM(cudnnSetStream);
  GB_SYM(cudnnCreateTensorDescriptor); GB_SYM(cudnnSetTensor4dDescriptor); GB_SYM(cudnnDestroyTensorDescriptor);
  GB_SYM(cudnnCreateFilterDescriptor); GB_SYM(cudnnSetFilter4dDescriptor); GB_SYM(cudnnDestroyFilterDescriptor);
  GB_SYM(cudnnCreateConvolutionDescriptor); GB_SYM(cudnnSetConvolution2dDescriptor);
  GB_SYM(cudnnSetConvolutionGroupCount); GB_SYM(cudnnSetConvolutionMathType); GB_SYM(cudnnDestroyConvolutionDescriptor);
  GB_SYM(cudnnGetConvolutionForwardAlgorithm_v7); GB_SYM(cudnnGetConvolutionForwardWorkspaceSize);
  GB_SYM(cudnnConvolutionForward); GB_SYM(cudnnGetConvolutionBackwardDataAlgorithm_v7);
  GB_SYM(cudnnGetConvolutionBackwardDataWorkspaceSize); GB_SYM(cudnnConvolutionBackwardData);
  GB_SYM(cudnnGetConvolutionBackwardFilterAlgorithm_v7); GB_SYM(cudnnGetConvolutionBackwardFilterWorkspaceSize);
  GB_SYM(cudnnConvolutionBackwardFilter);
#undef GB_SYM
  if (!missing.empty()) {
    rt.cudnnReason = rt.cudnnLib + " is missing " + missing;
    return;
  }
  rt.cudnnVersion = d.cudnnGetVersion();
  cudnnStatus_t s = d.cudnnCreate(&rt.dnnHandle);
  if (s != 0) {
    rt.cudnnReason = std::string("cudnnCreate failed: ") + d.cudnnGetErrorString(s);
    return;
  }
  d.cudnnSetStream(rt.dnnHandle, rt.stream);
  rt.haveCudnn = true;
}

bool check(Runtime& rt, CUresult r, const char* what) {
  if (r == CUDA_SUCCESS) return true;
  rt.reason = std::string(what) + " failed: " + cuErrorText(r);
  return false;
}

}  // namespace

void load() {
  Runtime& rt = runtime();
  if (rt.loaded) return;
  rt.loaded = true;
  if (!loadDriver(rt)) return;
  CUresult r = rt.cu.cuInit(0);
  if (r != CUDA_SUCCESS) {
    rt.reason = "cuInit failed: " + cuErrorText(r) +
                " (driver present but no usable GPU; check nvidia-smi and CUDA_VISIBLE_DEVICES)";
    return;
  }
  rt.cu.cuDriverGetVersion(&rt.driverVersion);
  int count = 0;
  if (!check(rt, rt.cu.cuDeviceGetCount(&count), "cuDeviceGetCount")) return;
  if (count == 0) {
    rt.reason = "no CUDA device found (cuDeviceGetCount returned 0)";
    return;
  }
  if (!check(rt, rt.cu.cuDeviceGet(&rt.device, 0), "cuDeviceGet")) return;
  char name[256] = {0};
  rt.cu.cuDeviceGetName(name, sizeof(name) - 1, rt.device);
  rt.deviceName = name;
  rt.cu.cuDeviceGetAttribute(&rt.ccMajor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, rt.device);
  rt.cu.cuDeviceGetAttribute(&rt.ccMinor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, rt.device);
  rt.cu.cuDeviceGetAttribute(&rt.smCount, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, rt.device);
  rt.cu.cuDeviceTotalMem_v2(&rt.totalMem, rt.device);
  // The primary context is the one the CUDA runtime (inside cuBLAS) uses too, so both see the
  // same allocations and stream.
  if (!check(rt, rt.cu.cuDevicePrimaryCtxRetain(&rt.ctx, rt.device), "cuDevicePrimaryCtxRetain")) return;
  if (!check(rt, rt.cu.cuCtxSetCurrent(rt.ctx), "cuCtxSetCurrent")) return;
  if (!check(rt, rt.cu.cuStreamCreate(&rt.stream, 0), "cuStreamCreate")) return;
  if (!loadNvrtc(rt)) return;
  loadCublas(rt);
  loadCudnn(rt);
  rt.ok = true;
}

}  // namespace gbcuda
