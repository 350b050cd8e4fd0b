// Convolution through cuDNN's legacy API, where libcudnn loads.
//
// cudnnPlan(kind, dtype, params[16], tf32) picks an algorithm with cuDNN's heuristics
// (_v7, no benchmarking runs) and keeps the descriptors for that shape, returning the
// workspace it needs, which the TypeScript side takes from its caching allocator;
// cudnnRun(kind, dtype, params, tf32, a, b, out, workspace, workspaceBytes) runs it on the
// stream. kind 0: forward (a = x, b = w, out = y); 1: input gradient (a = dy, b = w, out = dx);
// 2: weight gradient (a = x, b = dy, out = dw). params: n, cIn, h, w, cOut, kh, kw, strideH,
// strideW, padH, padW, dilationH, dilationW, groups, outH, outW (symmetric padding only).
#include <napi.h>

#include <map>
#include <string>

#include "api.h"

namespace gbcuda {
namespace {

struct Plan {
  bool ok = false;
  std::string error;
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  int algo = 0;
  size_t workspace = 0;
};

std::map<std::string, Plan> plans;
const size_t kMaxWorkspace = size_t(1) << 30;

struct Args {
  int kind, dtype, tf32;
  int p[16];
  std::string key;
};

Args readArgs(const Napi::CallbackInfo& info) {
  Args a;
  a.kind = info[0].As<Napi::Number>().Int32Value();
  a.dtype = info[1].As<Napi::Number>().Int32Value();
  Napi::Array arr = info[2].As<Napi::Array>();
  if (arr.Length() != 16) throw Napi::Error::New(info.Env(), "cudnn: expected 16 convolution parameters");
  for (uint32_t i = 0; i < 16; i++) a.p[i] = arr.Get(i).As<Napi::Number>().Int32Value();
  a.tf32 = info[3].ToBoolean() ? 1 : 0;
  a.key = std::to_string(a.kind) + ":" + std::to_string(a.dtype) + ":" + std::to_string(a.tf32);
  for (int v : a.p) a.key += "," + std::to_string(v);
  return a;
}

std::string status(Runtime& rt, cudnnStatus_t s) {
  return rt.dnn.cudnnGetErrorString ? rt.dnn.cudnnGetErrorString(s) : ("status " + std::to_string(s));
}

// Builds descriptors and picks an algorithm; on any refusal the plan records why.
void makePlan(Runtime& rt, const Args& a, Plan* plan) {
  CudnnApi& d = rt.dnn;
  const int n = a.p[0], cIn = a.p[1], h = a.p[2], w = a.p[3], cOut = a.p[4], kh = a.p[5], kw = a.p[6];
  const int sh = a.p[7], sw = a.p[8], ph = a.p[9], pw = a.p[10], dh = a.p[11], dw = a.p[12], groups = a.p[13];
  const int outH = a.p[14], outW = a.p[15];
  const int dt = a.dtype == 0 ? CUDNN_DATA_FLOAT : CUDNN_DATA_DOUBLE;
  cudnnStatus_t s = 0;
#define GB_TRY(call, what) \
  if ((s = (call)) != 0) { plan->error = std::string(what) + ": " + status(rt, s); return; }
  GB_TRY(d.cudnnCreateTensorDescriptor(&plan->x), "cudnnCreateTensorDescriptor");
  GB_TRY(d.cudnnCreateTensorDescriptor(&plan->y), "cudnnCreateTensorDescriptor");
  GB_TRY(d.cudnnCreateFilterDescriptor(&plan->w), "cudnnCreateFilterDescriptor");
  GB_TRY(d.cudnnCreateConvolutionDescriptor(&plan->conv), "cudnnCreateConvolutionDescriptor");
  GB_TRY(d.cudnnSetTensor4dDescriptor(plan->x, CUDNN_TENSOR_NCHW, dt, n, cIn, h, w), "cudnnSetTensor4dDescriptor(x)");
  GB_TRY(d.cudnnSetTensor4dDescriptor(plan->y, CUDNN_TENSOR_NCHW, dt, n, cOut, outH, outW), "cudnnSetTensor4dDescriptor(y)");
  GB_TRY(d.cudnnSetFilter4dDescriptor(plan->w, dt, CUDNN_TENSOR_NCHW, cOut, cIn / groups, kh, kw), "cudnnSetFilter4dDescriptor");
  GB_TRY(d.cudnnSetConvolution2dDescriptor(plan->conv, ph, pw, sh, sw, dh, dw, CUDNN_CROSS_CORRELATION, dt), "cudnnSetConvolution2dDescriptor");
  GB_TRY(d.cudnnSetConvolutionGroupCount(plan->conv, groups), "cudnnSetConvolutionGroupCount");
  // float32 without TF32 must not use tensor cores (they round inputs to TF32).
  const int math = a.dtype == 0 ? (a.tf32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH) : CUDNN_DEFAULT_MATH;
  GB_TRY(d.cudnnSetConvolutionMathType(plan->conv, math), "cudnnSetConvolutionMathType");

  CudnnAlgoPerf perf[16];
  int count = 0;
  if (a.kind == 0) {
    GB_TRY(d.cudnnGetConvolutionForwardAlgorithm_v7(rt.dnnHandle, plan->x, plan->w, plan->conv, plan->y, 16, &count, perf), "cudnnGetConvolutionForwardAlgorithm_v7");
  } else if (a.kind == 1) {
    GB_TRY(d.cudnnGetConvolutionBackwardDataAlgorithm_v7(rt.dnnHandle, plan->w, plan->y, plan->conv, plan->x, 16, &count, perf), "cudnnGetConvolutionBackwardDataAlgorithm_v7");
  } else {
    GB_TRY(d.cudnnGetConvolutionBackwardFilterAlgorithm_v7(rt.dnnHandle, plan->x, plan->y, plan->conv, plan->w, 16, &count, perf), "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
  }
  for (int i = 0; i < count && i < 16; i++) {
    const CudnnAlgoPerf& r = perf[i];
    if (r.status != 0) continue;
    // cuDNN's DEFAULT math lets float32 run as TF32 on Ampere and newer: only FMA is exact.
    if (a.dtype == 0 && !a.tf32 && r.mathType != CUDNN_FMA_MATH) continue;
    size_t ws = 0;
    if (a.kind == 0) s = d.cudnnGetConvolutionForwardWorkspaceSize(rt.dnnHandle, plan->x, plan->w, plan->conv, plan->y, r.algo, &ws);
    else if (a.kind == 1) s = d.cudnnGetConvolutionBackwardDataWorkspaceSize(rt.dnnHandle, plan->w, plan->y, plan->conv, plan->x, r.algo, &ws);
    else s = d.cudnnGetConvolutionBackwardFilterWorkspaceSize(rt.dnnHandle, plan->x, plan->y, plan->conv, plan->w, r.algo, &ws);
    if (s != 0 || ws > kMaxWorkspace) continue;
    d.cudnnSetConvolutionMathType(plan->conv, r.mathType);
    plan->algo = r.algo;
    plan->workspace = ws;
    plan->ok = true;
    return;
  }
  plan->error = "cuDNN offered no usable algorithm (" + std::to_string(count) + " candidates)";
#undef GB_TRY
}

Plan& planFor(Runtime& rt, const Args& a) {
  auto it = plans.find(a.key);
  if (it != plans.end()) return it->second;
  Plan& plan = plans[a.key];
  makePlan(rt, a, &plan);
  return plan;
}

Runtime& readyDnn(const Napi::Env& env) {
  Runtime& rt = runtime();
  load();
  if (!rt.ok) throw Napi::Error::New(env, "cuda unavailable: " + rt.reason);
  if (!rt.haveCudnn) throw Napi::Error::New(env, "cuda: cuDNN unavailable: " + rt.cudnnReason);
  return rt;
}

}  // namespace

Napi::Value CudnnPlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = readyDnn(env);
  Args a = readArgs(info);
  Plan& plan = planFor(rt, a);
  Napi::Object o = Napi::Object::New(env);
  o.Set("ok", plan.ok);
  o.Set("error", plan.error);
  o.Set("algo", plan.algo);
  o.Set("workspace", static_cast<double>(plan.workspace));
  return o;
}

Napi::Value CudnnRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Runtime& rt = readyDnn(env);
  Args a = readArgs(info);
  Plan& plan = planFor(rt, a);
  if (!plan.ok) throw Napi::Error::New(env, "cuda: cuDNN convolution unavailable for this shape: " + plan.error);
  auto P = [&](int i) { return reinterpret_cast<void*>(static_cast<uintptr_t>(info[i].As<Napi::Number>().Int64Value())); };
  void* A = P(4);
  void* B = P(5);
  void* out = P(6);
  void* ws = P(7);
  size_t wsBytes = static_cast<size_t>(info[8].As<Napi::Number>().DoubleValue());
  if (wsBytes < plan.workspace) throw Napi::Error::New(env, "cuda: cuDNN workspace too small");
  float f1 = 1.0f, f0 = 0.0f;
  double d1 = 1.0, d0 = 0.0;
  const void* one = a.dtype == 0 ? static_cast<const void*>(&f1) : static_cast<const void*>(&d1);
  const void* zero = a.dtype == 0 ? static_cast<const void*>(&f0) : static_cast<const void*>(&d0);
  CudnnApi& d = rt.dnn;
  cudnnStatus_t s;
  if (a.kind == 0) {
    s = d.cudnnConvolutionForward(rt.dnnHandle, one, plan.x, A, plan.w, B, plan.conv, plan.algo, ws, wsBytes, zero, plan.y, out);
  } else if (a.kind == 1) {
    s = d.cudnnConvolutionBackwardData(rt.dnnHandle, one, plan.w, B, plan.y, A, plan.conv, plan.algo, ws, wsBytes, zero, plan.x, out);
  } else {
    s = d.cudnnConvolutionBackwardFilter(rt.dnnHandle, one, plan.x, A, plan.y, B, plan.conv, plan.algo, ws, wsBytes, zero, plan.w, out);
  }
  if (s != 0) throw Napi::Error::New(env, std::string("cuda: cuDNN convolution failed: ") + status(rt, s));
  return env.Undefined();
}

}  // namespace gbcuda
