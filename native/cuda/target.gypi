# The CUDA backend's addon. It needs no CUDA toolkit: the driver, NVRTC, cuBLAS and cuDNN are opened
# with dlopen at run time (native/cuda/loader.cc), so this builds wherever g++ does.
{
  "targets": [
    {
      "target_name": "gradbook_cuda",
      "sources": ["addon.cc", "loader.cc", "cudnn.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2"],
      "libraries": ["-ldl"]
    }
  ]
}
