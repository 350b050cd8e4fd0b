# Native addons. Each backend keeps its target in its own .gypi beside its sources.
{
  "includes": ["native/cpu/target.gypi", "native/cuda/target.gypi"]
}
