// The slice of the CUDA driver API, NVRTC, cuBLAS and cuDNN that gradbook uses, declared by hand.
//
// Why by hand: the addon must build on machines with no CUDA toolkit (CI, Binder, laptops), and
// load the libraries with dlopen at run time. Every type below is ABI-identical to the vendor
// headers (opaque handles are pointers, enums are int, CUdeviceptr is a 64-bit integer);
// test/cuda/cuda.test.ts checks the driver declarations against cuda.h where it is installed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace gbcuda {

// ---- driver API (libcuda.so.1) -------------------------------------------------------------
typedef int CUresult;          // enum cudaError_enum
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;  // CUdeviceptr_v2
typedef struct CUctx_st* CUcontext;
typedef struct CUstream_st* CUstream;
typedef struct CUmod_st* CUmodule;
typedef struct CUfunc_st* CUfunction;

enum : int {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
};

struct DriverApi {
  CUresult (*cuInit)(unsigned int);
  CUresult (*cuDriverGetVersion)(int*);
  CUresult (*cuDeviceGetCount)(int*);
  CUresult (*cuDeviceGet)(CUdevice*, int);
  CUresult (*cuDeviceGetName)(char*, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int*, int, CUdevice);
  CUresult (*cuDeviceTotalMem_v2)(size_t*, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext*, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuStreamCreate)(CUstream*, unsigned int);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuMemAlloc_v2)(CUdeviceptr*, size_t);
  CUresult (*cuMemFree_v2)(CUdeviceptr);
  CUresult (*cuMemGetInfo_v2)(size_t*, size_t*);
  CUresult (*cuMemcpyHtoDAsync_v2)(CUdeviceptr, const void*, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync_v2)(void*, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemcpyDtoDAsync_v2)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD8Async)(CUdeviceptr, unsigned char, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned int, size_t, CUstream);
  CUresult (*cuModuleLoadData)(CUmodule*, const void*);
  CUresult (*cuModuleGetFunction)(CUfunction*, CUmodule, const char*);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned int, unsigned int, unsigned int,
                             unsigned int, unsigned int, unsigned int, unsigned int, CUstream,
                             void**, void**);
  CUresult (*cuGetErrorName)(CUresult, const char**);
  CUresult (*cuGetErrorString)(CUresult, const char**);
};

// ---- NVRTC (libnvrtc.so.N) ----------------------------------------------------------------
typedef int nvrtcResult;
typedef struct _nvrtcProgram* nvrtcProgram;

struct NvrtcApi {
  nvrtcResult (*nvrtcVersion)(int*, int*);
  const char* (*nvrtcGetErrorString)(nvrtcResult);
  nvrtcResult (*nvrtcCreateProgram)(nvrtcProgram*, const char*, const char*, int,
                                    const char* const*, const char* const*);
  nvrtcResult (*nvrtcCompileProgram)(nvrtcProgram, int, const char* const*);
  nvrtcResult (*nvrtcDestroyProgram)(nvrtcProgram*);
  nvrtcResult (*nvrtcGetProgramLogSize)(nvrtcProgram, size_t*);
  nvrtcResult (*nvrtcGetProgramLog)(nvrtcProgram, char*);
  nvrtcResult (*nvrtcGetPTXSize)(nvrtcProgram, size_t*);
  nvrtcResult (*nvrtcGetPTX)(nvrtcProgram, char*);
  // Optional (NVRTC >= 11.1): machine code for the exact GPU, so a driver older than NVRTC
  // can still load it (PTX from a newer NVRTC is refused by an older driver).
  nvrtcResult (*nvrtcGetCUBINSize)(nvrtcProgram, size_t*);
  nvrtcResult (*nvrtcGetCUBIN)(nvrtcProgram, char*);
};

// ---- cuBLAS (libcublas.so.N), optional ------------------------------------------------------
typedef int cublasStatus_t;
typedef struct cublasContext* cublasHandle_t;
enum : int {
  CUBLAS_OP_N = 0,
  CUBLAS_OP_T = 1,
  CUBLAS_DEFAULT_MATH = 0,
  CUBLAS_TF32_TENSOR_OP_MATH = 3,
};

struct CublasApi {
  cublasStatus_t (*cublasCreate_v2)(cublasHandle_t*);
  cublasStatus_t (*cublasSetStream_v2)(cublasHandle_t, CUstream);
  cublasStatus_t (*cublasSetMathMode)(cublasHandle_t, int);
  cublasStatus_t (*cublasSgemmStridedBatched)(cublasHandle_t, int, int, int, int, int,
                                              const float*, const float*, int, long long,
                                              const float*, int, long long, const float*,
                                              float*, int, long long, int);
  cublasStatus_t (*cublasDgemmStridedBatched)(cublasHandle_t, int, int, int, int, int,
                                              const double*, const double*, int, long long,
                                              const double*, int, long long, const double*,
                                              double*, int, long long, int);
};

// ---- cuDNN (libcudnn.so.N), optional: convolution --------------------------------------------
typedef int cudnnStatus_t;
typedef struct cudnnContext* cudnnHandle_t;
typedef struct cudnnTensorStruct* cudnnTensorDescriptor_t;
typedef struct cudnnFilterStruct* cudnnFilterDescriptor_t;
typedef struct cudnnConvolutionStruct* cudnnConvolutionDescriptor_t;
enum : int {
  CUDNN_DATA_FLOAT = 0,
  CUDNN_DATA_DOUBLE = 1,
  CUDNN_TENSOR_NCHW = 0,
  CUDNN_CROSS_CORRELATION = 1,
  CUDNN_DEFAULT_MATH = 0,
  CUDNN_TENSOR_OP_MATH = 1,
  CUDNN_FMA_MATH = 3,
};
// cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t share this layout (cuDNN 7 to 9).
struct CudnnAlgoPerf {
  int algo;
  cudnnStatus_t status;
  float time;
  size_t memory;
  int determinism;
  int mathType;
  int reserved[3];
};

struct CudnnApi {
  size_t (*cudnnGetVersion)();
  const char* (*cudnnGetErrorString)(cudnnStatus_t);
  cudnnStatus_t (*cudnnCreate)(cudnnHandle_t*);
  cudnnStatus_t (*cudnnSetStream)(cudnnHandle_t, CUstream);
  cudnnStatus_t (*cudnnCreateTensorDescriptor)(cudnnTensorDescriptor_t*);
  cudnnStatus_t (*cudnnSetTensor4dDescriptor)(cudnnTensorDescriptor_t, int format, int dataType, int n, int c, int h, int w);
  cudnnStatus_t (*cudnnDestroyTensorDescriptor)(cudnnTensorDescriptor_t);
  cudnnStatus_t (*cudnnCreateFilterDescriptor)(cudnnFilterDescriptor_t*);
  cudnnStatus_t (*cudnnSetFilter4dDescriptor)(cudnnFilterDescriptor_t, int dataType, int format, int k, int c, int h, int w);
  cudnnStatus_t (*cudnnDestroyFilterDescriptor)(cudnnFilterDescriptor_t);
  cudnnStatus_t (*cudnnCreateConvolutionDescriptor)(cudnnConvolutionDescriptor_t*);
  cudnnStatus_t (*cudnnSetConvolution2dDescriptor)(cudnnConvolutionDescriptor_t, int padH, int padW, int u, int v,
                                                   int dilH, int dilW, int mode, int computeType);
  cudnnStatus_t (*cudnnSetConvolutionGroupCount)(cudnnConvolutionDescriptor_t, int);
  cudnnStatus_t (*cudnnSetConvolutionMathType)(cudnnConvolutionDescriptor_t, int);
  cudnnStatus_t (*cudnnDestroyConvolutionDescriptor)(cudnnConvolutionDescriptor_t);
  cudnnStatus_t (*cudnnGetConvolutionForwardAlgorithm_v7)(cudnnHandle_t, cudnnTensorDescriptor_t, cudnnFilterDescriptor_t,
      cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t, int, int*, CudnnAlgoPerf*);
  cudnnStatus_t (*cudnnGetConvolutionForwardWorkspaceSize)(cudnnHandle_t, cudnnTensorDescriptor_t, cudnnFilterDescriptor_t,
      cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t, int, size_t*);
  cudnnStatus_t (*cudnnConvolutionForward)(cudnnHandle_t, const void*, cudnnTensorDescriptor_t, const void*,
      cudnnFilterDescriptor_t, const void*, cudnnConvolutionDescriptor_t, int, void*, size_t, const void*,
      cudnnTensorDescriptor_t, void*);
  cudnnStatus_t (*cudnnGetConvolutionBackwardDataAlgorithm_v7)(cudnnHandle_t, cudnnFilterDescriptor_t, cudnnTensorDescriptor_t,
      cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t, int, int*, CudnnAlgoPerf*);
  cudnnStatus_t (*cudnnGetConvolutionBackwardDataWorkspaceSize)(cudnnHandle_t, cudnnFilterDescriptor_t, cudnnTensorDescriptor_t,
      cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t, int, size_t*);
  cudnnStatus_t (*cudnnConvolutionBackwardData)(cudnnHandle_t, const void*, cudnnFilterDescriptor_t, const void*,
      cudnnTensorDescriptor_t, const void*, cudnnConvolutionDescriptor_t, int, void*, size_t, const void*,
      cudnnTensorDescriptor_t, void*);
  cudnnStatus_t (*cudnnGetConvolutionBackwardFilterAlgorithm_v7)(cudnnHandle_t, cudnnTensorDescriptor_t, cudnnTensorDescriptor_t,
      cudnnConvolutionDescriptor_t, cudnnFilterDescriptor_t, int, int*, CudnnAlgoPerf*);
  cudnnStatus_t (*cudnnGetConvolutionBackwardFilterWorkspaceSize)(cudnnHandle_t, cudnnTensorDescriptor_t, cudnnTensorDescriptor_t,
      cudnnConvolutionDescriptor_t, cudnnFilterDescriptor_t, int, size_t*);
  cudnnStatus_t (*cudnnConvolutionBackwardFilter)(cudnnHandle_t, const void*, cudnnTensorDescriptor_t, const void*,
      cudnnTensorDescriptor_t, const void*, cudnnConvolutionDescriptor_t, int, void*, size_t, const void*,
      cudnnFilterDescriptor_t, void*);
};

// ---- the loaded runtime: one per process ---------------------------------------------------
struct Runtime {
  bool loaded = false;       // load() ran (successfully or not)
  bool ok = false;           // a device is ready
  std::string reason;        // why not, when !ok
  DriverApi cu{};
  NvrtcApi rtc{};
  CublasApi blas{};
  CudnnApi dnn{};
  bool haveCublas = false;
  bool haveCudnn = false;
  std::string cudnnReason;   // why convolution uses im2col + GEMM instead
  std::string cudnnLib;
  size_t cudnnVersion = 0;
  cudnnHandle_t dnnHandle = nullptr;
  std::string cublasReason;  // why the built-in GEMM kernel is used instead
  std::string nvrtcLib, cublasLib;
  CUdevice device = 0;
  CUcontext ctx = nullptr;
  CUstream stream = nullptr;
  cublasHandle_t blasHandle = nullptr;
  int ccMajor = 0, ccMinor = 0, smCount = 0, driverVersion = 0, nvrtcMajor = 0, nvrtcMinor = 0;
  std::string deviceName;
  size_t totalMem = 0;
};

Runtime& runtime();
// Loads the libraries and opens the first GPU. Never throws; sets runtime().ok / reason.
void load();
// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)" for a driver result code.
std::string cuErrorText(CUresult r);

}  // namespace gbcuda
