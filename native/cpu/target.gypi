# The native CPU backend: one addon, build/Release/gradbook_native.node. No -march flags: the
# SIMD code paths are compiled per function (target attributes / target_clones) and chosen at
# run time, so the binary runs on any x86-64 CPU.
{
  "targets": [
    {
      "target_name": "gradbook_native",
      "sources": [
        "addon.cc", "alloc.cc", "pool.cc", "gemm.cc", "elementwise.cc", "reduce.cc", "conv.cc",
        "optim.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-O0"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-fexceptions", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-fno-math-errno"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1 } }
    }
  ]
}
