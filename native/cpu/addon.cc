// N-API binding of the native CPU backend.
//
// A storage's handle is a number naming a slot in a table of native buffers: (generation <<
// 32) | index. Buffers come from the caching allocator and are freed by dispose() or, when a
// tensor is garbage collected undisposed, by the engine's FinalizationRegistry calling
// release(handle). A number costs nothing to create and nothing to collect, where an External
// with a finalizer costs over a microsecond per tensor and burdens every GC: it is the per-op
// overhead that decides small-tensor and scalar autodiff speed. The generation makes a stale
// handle (used or freed after its buffer was freed) an error or a no-op, never a double free.
// Buffer sizes are reported to V8 with AdjustExternalMemory so the collector sees the pressure.
//
// Large buffers are also guarded (guard()): a weak V8 handle on their Storage object whose
// callback runs inside every collection, the young-generation scavenge included, where a
// FinalizationRegistry entry is only cleared by a full mark-compact and its callback waits for
// the event loop. A loop that disposes nothing then reuses its blocks after a scavenge of a
// fraction of a millisecond, while they are still in the CPU's cache. The callback runs inside
// the collector, which may come in the middle of a call (any JS allocation), and a Storage can
// die while its handle is on the way into a kernel: it only queues the handle, and the queue is
// freed at the end of a kernel call or in guard()/reclaim(), when no kernel uses a buffer.
//
// Shapes, strides and parameters do not travel as JS arrays (reading them property by
// property costs more than a small kernel): the TypeScript side writes them into one shared
// Float64Array registered by init(), and each call names only its storages and op codes.
#include <napi.h>
#include <v8.h>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#include "kernels.h"

using namespace gb;

namespace {

struct Guard;

struct Slot {
  void* data;
  size_t bytes;
  i64 size;
  int dtype;
  uint32_t gen;
  bool live;
  Guard* guard;  // the weak handle on the buffer's Storage object, for guarded buffers
};

/** A weak handle on a Storage object; its callback queues the buffer for freeing. */
struct Guard {
  v8::Global<v8::Object> obj;
  double handle;
  uint32_t owner;
};

/** What a kernel needs of a storage, copied out of the table (which may grow meanwhile). */
struct Buf {
  void* data;
  i64 size;
  int dtype;
};

std::vector<Slot> slots;
std::vector<uint32_t> free_slots;
const double kGenUnit = 4294967296.0;  // 2^32
const uint32_t kMaxGen = 1u << 20;     // handles stay below 2^52: exact doubles

double* P = nullptr;  // the shared parameter buffer
Napi::Reference<Napi::Float64Array> P_ref;

// The counters of each engine that guards buffers (initGuards): [buffers freed because their
// Storage was collected, their bytes, bytes guarded since the last collection of any kind].
// Engines share the addon, and each must subtract only its own storages from its counts.
struct Owner {
  Napi::Reference<Napi::Float64Array> ref;
  double* c;
};
std::vector<Owner*> owners;
// The isolate guards live in: the first to call initGuards. The buffer table is the process's,
// so a worker thread using the addon too gets no guards (its storages use the engine's
// FinalizationRegistry) rather than callbacks racing with this thread.
v8::Isolate* guard_isolate = nullptr;

// Guarded buffers whose Storage was collected, freed at the next safe point.
struct Dead {
  double handle;
  uint32_t owner;
};
std::vector<Dead> dead;

// Sizes are reported to V8 in batches of at least 1 MiB: the call is not free, and pressure
// from many small buffers only matters once it adds up.
int64_t pending_external = 0;
void report_external(Napi::Env env, int64_t delta) {
  pending_external += delta;
  if (pending_external >= (1 << 20) || pending_external <= -(1 << 20)) {
    Napi::MemoryManagement::AdjustExternalMemory(env, pending_external);
    pending_external = 0;
  }
}

std::string mib(size_t bytes) {
  char b[48];
  if (bytes >= (size_t(1) << 30)) std::snprintf(b, sizeof b, "%.2f GiB", double(bytes) / double(size_t(1) << 30));
  else std::snprintf(b, sizeof b, "%.0f MiB", double(bytes) / double(1 << 20));
  return b;
}

/** Allocates a buffer; returns its handle and sets *out to its description. */
double new_buf(Napi::Env env, i64 size, int dtype, Buf* out) {
  size_t bytes = size_t(size) * dtype_size(dtype);
  void* p = buf_alloc(bytes);
  if (!p) {
    std::string source;
    size_t avail = mem_available(&source);
    std::string msg = "cpu backend: out of memory: a tensor of " + std::to_string(size) + " elements needs " +
                      std::to_string(bytes) + " bytes (" + mib(bytes) + ")";
    msg += avail == SIZE_MAX ? ", which the system refused" : ", but only " + mib(avail) + " are available (" + source + ")";
    Napi::Error e = Napi::Error::New(env, msg + ". Use a smaller tensor or batch, or free tensors you no longer need (dispose()).");
    e.Set("name", Napi::String::New(env, "MemoryError"));
    throw e;
  }
  report_external(env, int64_t(bytes));
  uint32_t idx;
  if (!free_slots.empty()) {
    idx = free_slots.back();
    free_slots.pop_back();
  } else {
    idx = uint32_t(slots.size());
    slots.push_back(Slot{nullptr, 0, 0, 0, 1, false, nullptr});
  }
  Slot& s = slots[idx];
  s.data = p;
  s.bytes = bytes;
  s.size = size;
  s.dtype = dtype;
  s.live = true;
  *out = Buf{p, size, dtype};
  return double(s.gen) * kGenUnit + double(idx);
}

/** The live slot of a handle, or null when it was freed (or is not a handle). */
Slot* lookup(double h) {
  if (!(h >= 0) || h >= double(kMaxGen + 1) * kGenUnit) return nullptr;
  uint64_t v = uint64_t(h);
  uint32_t idx = uint32_t(v & 0xffffffffu), gen = uint32_t(v >> 32);
  if (idx >= slots.size()) return nullptr;
  Slot& s = slots[idx];
  return (s.live && s.gen == gen) ? &s : nullptr;
}

void release(Napi::Env env, double h) {
  Slot* s = lookup(h);
  if (!s) return;  // already freed: dispose is idempotent
  if (s->guard) {
    // Disposed before any collection found it: no longer counts towards the next scavenge.
    double* c = owners[s->guard->owner]->c;
    c[2] = std::max(0.0, c[2] - double(s->bytes));
    s->guard->obj.Reset();
    delete s->guard;
    s->guard = nullptr;
  }
  buf_free(s->data, s->bytes);
  report_external(env, -int64_t(s->bytes));
  s->live = false;
  s->data = nullptr;
  s->gen = s->gen % kMaxGen + 1;
  free_slots.push_back(uint32_t(s - slots.data()));
}

/** The weak callback of a guard: inside the collector, so it only queues (see the top). */
void OnCollected(const v8::WeakCallbackInfo<Guard>& info) {
  Guard* g = info.GetParameter();
  g->obj.Reset();
  if (Slot* s = lookup(g->handle)) {
    s->guard = nullptr;
    dead.push_back(Dead{g->handle, g->owner});
  }
  delete g;
}

/** Frees the buffers whose Storage was collected. Only where no kernel holds a buffer. */
void reclaim(Napi::Env env) {
  if (dead.empty() || v8::Isolate::GetCurrent() != guard_isolate) return;
  std::vector<Dead> list;
  list.swap(dead);
  for (const Dead& d : list) {
    if (Slot* s = lookup(d.handle)) {
      double* c = owners[d.owner]->c;
      c[0] += 1;
      c[1] += double(s->bytes);
      release(env, d.handle);
    }
  }
}

void OnGcEpilogue(v8::Isolate*, v8::GCType, v8::GCCallbackFlags) {
  for (Owner* o : owners) o->c[2] = 0;
}

/** A kernel's result; the kernel is done with its buffers, so collected ones are freed first. */
Napi::Value handle_value(Napi::Env env, double h) {
  reclaim(env);
  return Napi::Number::New(env, h);
}

Buf unwrap(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsNumber())
    throw Napi::TypeError::New(info.Env(), "cpu backend: argument " + std::to_string(i) + " is not a cpu storage handle");
  Slot* s = lookup(v.As<Napi::Number>().DoubleValue());
  if (!s)
    throw Napi::Error::New(info.Env(), "cpu backend: this tensor's memory was disposed (dispose() or tidy()); it can no longer be used");
  return Buf{s->data, s->size, s->dtype};
}

inline int arg_int(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }
inline i64 pi(size_t k) { return i64(P[k]); }

/** isLive(handle): whether a handle still names live memory (for tests of freeing). */
Napi::Value IsLive(const Napi::CallbackInfo& info) {
  reclaim(info.Env());
  Napi::Value v = info[0];
  return Napi::Boolean::New(info.Env(), v.IsNumber() && lookup(v.As<Napi::Number>().DoubleValue()) != nullptr);
}

void need_params(Napi::Env env) {
  if (!P) throw Napi::Error::New(env, "cpu backend: init() was not called");
}

/** Reads [nd, shape..., then per operand: offset, strides...] starting at P[0]. */
size_t read_views(View* views, int count, const Buf* bufs) {
  int nd = int(P[0]);
  size_t k = 1;
  i64 shape[MAXD];
  for (int d = 0; d < nd; d++) shape[d] = pi(k++);
  for (int v = 0; v < count; v++) {
    View& x = views[v];
    x.data = bufs[v].data;
    x.dtype = bufs[v].dtype;
    x.nd = nd;
    x.offset = pi(k++);
    for (int d = 0; d < nd; d++) { x.shape[d] = shape[d]; x.strides[d] = pi(k++); }
  }
  return k;
}

// ---- memory -------------------------------------------------------------------------------
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Float64Array arr = info[0].As<Napi::Float64Array>();
  P_ref = Napi::Persistent(arr);
  P = arr.Data();
  Napi::Object o = Napi::Object::New(env);
  o.Set("kernel", sgemm_kernel_name());
  o.Set("threads", pool_size());
  o.Set("maxDims", MAXD);
  return o;
}

Napi::Value FromArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::TypedArray src = info[0].As<Napi::TypedArray>();
  int src_dtype = arg_int(info, 1), dtype = arg_int(info, 2);
  i64 n = i64(src.ElementLength());
  Buf b;
  double b_h = new_buf(env, n, dtype, &b);
  const char* base = static_cast<const char*>(src.ArrayBuffer().Data()) + src.ByteOffset();
  k_convert(base, src_dtype, b.data, dtype, n);
  return handle_value(env, b_h);
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  i64 n = i64(info[0].As<Napi::Number>().Int64Value());
  double value = info[1].As<Napi::Number>().DoubleValue();
  int dtype = arg_int(info, 2);
  Buf b;
  double b_h = new_buf(env, n, dtype, &b);
  k_fill(b.data, dtype, n, value);
  return handle_value(env, b_h);
}

Napi::Value Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Buf b = unwrap(info, 0);
  size_t bytes = size_t(b.size) * dtype_size(b.dtype);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, bytes);
  if (bytes) std::memcpy(ab.Data(), b.data, bytes);
  switch (b.dtype) {
    case F32: return Napi::Float32Array::New(env, b.size, ab, 0);
    case F64: return Napi::Float64Array::New(env, b.size, ab, 0);
    case I32: return Napi::Int32Array::New(env, b.size, ab, 0);
    default: return Napi::Uint8Array::New(env, b.size, ab, 0);
  }
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Napi::Value v = info[0];
  if (v.IsNumber()) release(info.Env(), v.As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}

// initGuards(counters): registers an engine's Float64Array(3) of counters (see Owner);
// returns the id that guard() takes.
Napi::Value InitGuards(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[0].As<Napi::TypedArray>().ElementLength() < 3)
    throw Napi::TypeError::New(env, "initGuards(counters): counters must be a Float64Array of 3 elements");
  Napi::Float64Array a = info[0].As<Napi::Float64Array>();
  if (guard_isolate == nullptr) {
    guard_isolate = v8::Isolate::GetCurrent();
    guard_isolate->AddGCEpilogueCallback(OnGcEpilogue);
  }
  owners.push_back(new Owner{Napi::Persistent(a), a.Data()});
  return Napi::Number::New(env, double(owners.size() - 1));
}

// guard(handle, storage, owner): frees the buffer as soon as `storage` (the object holding the
// handle) is garbage collected, counting it in the owner's counters. Returns false for a
// handle that is not live.
Napi::Value GuardStorage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (v8::Isolate::GetCurrent() != guard_isolate) return Napi::Boolean::New(env, false);
  reclaim(env);
  Napi::Value hv = info[0];
  if (!hv.IsNumber() || !info[1].IsObject() || !info[2].IsNumber())
    throw Napi::TypeError::New(env, "guard(handle, storage, owner): handle must be a cpu storage handle, storage its object, owner an id from initGuards");
  uint32_t owner = info[2].As<Napi::Number>().Uint32Value();
  if (owner >= owners.size()) throw Napi::RangeError::New(env, "guard: unknown owner id " + std::to_string(owner));
  double h = hv.As<Napi::Number>().DoubleValue();
  Slot* s = lookup(h);
  if (!s || s->guard) return Napi::Boolean::New(env, s != nullptr);
  napi_value nv = info[1];
  v8::Local<v8::Object> obj;
  static_assert(sizeof(obj) == sizeof(nv), "napi_value is a v8::Local");
  std::memcpy(static_cast<void*>(&obj), &nv, sizeof nv);
  Guard* g = new Guard{v8::Global<v8::Object>(guard_isolate, obj), h, owner};
  g->obj.SetWeak(g, OnCollected, v8::WeakCallbackType::kParameter);
  s->guard = g;
  owners[owner]->c[2] += double(s->bytes);
  return Napi::Boolean::New(env, true);
}

// reclaim(): frees the buffers of collected Storage objects now.
Napi::Value Reclaim(const Napi::CallbackInfo& info) {
  reclaim(info.Env());
  return info.Env().Undefined();
}

// ---- layout and elementwise -----------------------------------------------------------------
Napi::Value Contiguous(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf x = unwrap(info, 0);
  int dtype = arg_int(info, 1);
  View v;
  read_views(&v, 1, &x);
  Buf out;
  double out_h = new_buf(env, numel(v.nd, v.shape), dtype, &out);
  View dst{out.data, dtype, v.nd, 0, {}, {}};
  i64 s = 1;
  for (int d = v.nd - 1; d >= 0; d--) { dst.shape[d] = v.shape[d]; dst.strides[d] = s; s *= v.shape[d]; }
  k_copy(dst, v);
  return handle_value(env, out_h);
}

Napi::Value Assign(const Napi::CallbackInfo& info) {
  need_params(info.Env());
  Buf bufs[2] = {unwrap(info, 0), unwrap(info, 1)};
  View v[2];
  read_views(v, 2, bufs);
  k_copy(v[0], v[1]);
  return info.Env().Undefined();
}

Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  int op = arg_int(info, 0);
  Buf x = unwrap(info, 1);
  View v;
  read_views(&v, 1, &x);
  Buf out;
  double out_h = new_buf(env, numel(v.nd, v.shape), op == U_LOGICAL_NOT ? BOOL : x.dtype, &out);
  k_unary(op, v, out.data);
  return handle_value(env, out_h);
}

Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  int op = arg_int(info, 0);
  Buf bufs[2] = {unwrap(info, 1), unwrap(info, 2)};
  View v[2];
  read_views(v, 2, bufs);
  Buf out;
  double out_h = new_buf(env, numel(v[0].nd, v[0].shape), binary_is_comparison(op) ? BOOL : bufs[0].dtype, &out);
  k_binary(op, v[0], v[1], v[0].nd, v[0].shape, out.data);
  return handle_value(env, out_h);
}

Napi::Value Where(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf bufs[3] = {unwrap(info, 0), unwrap(info, 1), unwrap(info, 2)};
  View v[3];
  read_views(v, 3, bufs);
  Buf out;
  double out_h = new_buf(env, numel(v[0].nd, v[0].shape), bufs[1].dtype, &out);
  k_where(v[0], v[1], v[2], v[0].nd, v[0].shape, out.data);
  return handle_value(env, out_h);
}

// ---- reductions and friends -------------------------------------------------------------------
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  int op = arg_int(info, 0);
  Buf x = unwrap(info, 1);
  int nd = int(P[0]);
  i64 shape[MAXD], axes[MAXD];
  for (int d = 0; d < nd; d++) shape[d] = pi(1 + d);
  int naxes = int(P[1 + nd]);
  for (int a = 0; a < naxes; a++) axes[a] = pi(2 + nd + a);
  i64 outsize = 1;
  for (int d = 0, a = 0; d < nd; d++) {
    if (a < naxes && axes[a] == d) { a++; continue; }
    outsize *= shape[d];
  }
  bool arg = op == R_ARGMAX || op == R_ARGMIN;
  Buf out;
  double out_h = new_buf(env, outsize, arg ? I32 : x.dtype, &out);
  k_reduce(op, x.data, x.dtype, nd, shape, naxes, axes, out.data);
  return handle_value(env, out_h);
}

Napi::Value Cumsum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf x = unwrap(info, 0);
  int axis = arg_int(info, 1);
  int nd = int(P[0]);
  i64 shape[MAXD];
  for (int d = 0; d < nd; d++) shape[d] = pi(1 + d);
  Buf out;
  double out_h = new_buf(env, x.size, x.dtype, &out);
  k_cumsum(x.data, x.dtype, nd, shape, axis, out.data);
  return handle_value(env, out_h);
}

Napi::Value Sort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Buf x = unwrap(info, 0);
  i64 outer = info[1].As<Napi::Number>().Int64Value(), n = info[2].As<Napi::Number>().Int64Value();
  bool desc = info[3].As<Napi::Boolean>().Value();
  Buf values;
  double values_h = new_buf(env, outer * n, x.dtype, &values);
  Buf indices;
  double indices_h = new_buf(env, outer * n, I32, &indices);
  k_sort(x.data, x.dtype, outer, n, desc, values.data, static_cast<int32_t*>(indices.data));
  Napi::Array r = Napi::Array::New(env, 2);
  r.Set(uint32_t(0), handle_value(env, values_h));
  r.Set(uint32_t(1), handle_value(env, indices_h));
  return r;
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Buf x = unwrap(info, 0);
  i64 outer = info[1].As<Napi::Number>().Int64Value(), n = info[2].As<Napi::Number>().Int64Value();
  bool log = info[3].As<Napi::Boolean>().Value();
  Buf out;
  double out_h = new_buf(env, outer * n, x.dtype, &out);
  k_softmax(x.data, x.dtype, outer, n, log, out.data);
  return handle_value(env, out_h);
}

Napi::Value Gather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf x = unwrap(info, 0);
  Buf index = unwrap(info, 1);
  int axis = arg_int(info, 2);
  int nd = int(P[0]);
  i64 xs[MAXD], is[MAXD];
  for (int d = 0; d < nd; d++) { xs[d] = pi(1 + d); is[d] = pi(1 + nd + d); }
  Buf out;
  double out_h = new_buf(env, numel(nd, is), x.dtype, &out);
  k_gather(x.data, x.dtype, nd, xs, static_cast<const int32_t*>(index.data), is, axis, out.data);
  return handle_value(env, out_h);
}

Napi::Value IndexSelect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Buf x = unwrap(info, 0);
  i64 outer = info[1].As<Napi::Number>().Int64Value(), dim = info[2].As<Napi::Number>().Int64Value();
  i64 inner = info[3].As<Napi::Number>().Int64Value();
  Buf index = unwrap(info, 4);
  i64 count = info[5].As<Napi::Number>().Int64Value();
  Buf out;
  double out_h = new_buf(env, outer * count * inner, x.dtype, &out);
  k_index_select(x.data, x.dtype, outer, dim, inner, static_cast<const int32_t*>(index.data), count, out.data);
  return handle_value(env, out_h);
}

Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf index = unwrap(info, 0);
  Buf src = unwrap(info, 1);
  int axis = arg_int(info, 2);
  int nd = int(P[0]);
  i64 os[MAXD], ss[MAXD];
  for (int d = 0; d < nd; d++) { os[d] = pi(1 + d); ss[d] = pi(1 + nd + d); }
  Buf out;
  double out_h = new_buf(env, numel(nd, os), src.dtype, &out);
  k_scatter_add(nd, os, static_cast<const int32_t*>(index.data), src.data, src.dtype, ss, axis, out.data);
  return handle_value(env, out_h);
}

// ---- linear algebra, convolution, pooling ---------------------------------------------------
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf a = unwrap(info, 0);
  Buf b = unwrap(info, 1);
  MatmulP p{pi(0), pi(1), pi(2), pi(3), P[4] != 0, P[5] != 0, pi(6), pi(7)};
  Buf out;
  double out_h = new_buf(env, p.batch * p.m * p.n, a.dtype, &out);
  k_matmul(a.data, b.data, a.dtype, p, out.data);
  return handle_value(env, out_h);
}

ConvP conv_params() {
  return ConvP{pi(0), pi(1), pi(2), pi(3), pi(4), pi(5), pi(6), pi(7), pi(8),
               pi(9), pi(10), pi(11), pi(12), pi(13), pi(14), pi(15), pi(16), pi(17)};
}
PoolP pool_params() {
  return PoolP{pi(0), pi(1), pi(2), pi(3), pi(4), pi(5), pi(6), pi(7), pi(8), pi(9), pi(10), pi(11), P[12] != 0};
}

Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf x = unwrap(info, 0);
  Buf w = unwrap(info, 1);
  ConvP p = conv_params();
  Buf out;
  double out_h = new_buf(env, p.n * p.cout * p.oh * p.ow, x.dtype, &out);
  k_conv2d(x.data, w.data, x.dtype, p, out.data);
  return handle_value(env, out_h);
}

Napi::Value Conv2dBackwardInput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf dy = unwrap(info, 0);
  Buf w = unwrap(info, 1);
  ConvP p = conv_params();
  Buf out;
  double out_h = new_buf(env, p.n * p.cin * p.h * p.w, dy.dtype, &out);
  k_conv2d_bwd_input(dy.data, w.data, dy.dtype, p, out.data);
  return handle_value(env, out_h);
}

Napi::Value Conv2dBackwardWeight(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf x = unwrap(info, 0);
  Buf dy = unwrap(info, 1);
  ConvP p = conv_params();
  Buf out;
  double out_h = new_buf(env, p.cout * (p.cin / p.groups) * p.kh * p.kw, x.dtype, &out);
  k_conv2d_bwd_weight(x.data, dy.data, x.dtype, p, out.data);
  return handle_value(env, out_h);
}

Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf x = unwrap(info, 0);
  PoolP p = pool_params();
  i64 n = p.n * p.c * p.oh * p.ow;
  Buf out;
  double out_h = new_buf(env, n, x.dtype, &out);
  Buf idx;
  double idx_h = new_buf(env, n, I32, &idx);
  k_maxpool(x.data, x.dtype, p, out.data, static_cast<int32_t*>(idx.data));
  Napi::Array r = Napi::Array::New(env, 2);
  r.Set(uint32_t(0), handle_value(env, out_h));
  r.Set(uint32_t(1), handle_value(env, idx_h));
  return r;
}

Napi::Value MaxPool2dBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf dy = unwrap(info, 0);
  Buf idx = unwrap(info, 1);
  PoolP p = pool_params();
  Buf out;
  double out_h = new_buf(env, p.n * p.c * p.h * p.w, dy.dtype, &out);
  k_maxpool_bwd(dy.data, static_cast<const int32_t*>(idx.data), dy.dtype, p, out.data);
  return handle_value(env, out_h);
}

Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf x = unwrap(info, 0);
  PoolP p = pool_params();
  Buf out;
  double out_h = new_buf(env, p.n * p.c * p.oh * p.ow, x.dtype, &out);
  k_avgpool(x.data, x.dtype, p, out.data);
  return handle_value(env, out_h);
}

Napi::Value AvgPool2dBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  Buf dy = unwrap(info, 0);
  PoolP p = pool_params();
  Buf out;
  double out_h = new_buf(env, p.n * p.c * p.h * p.w, dy.dtype, &out);
  k_avgpool_bwd(dy.data, dy.dtype, p, out.data);
  return handle_value(env, out_h);
}

// ---- optimizers ---------------------------------------------------------------------------
// optimizerStep(kind, p, grad, s0, s1, s2): s* are handles or null; P[0..7] the step's scalars.
// The sizes and dtypes are checked here, not only in TypeScript: a mismatch would write past
// a buffer.
Napi::Value OptimizerStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  need_params(env);
  int kind = arg_int(info, 0);
  if (kind < 0 || kind > 3) throw Napi::RangeError::New(env, "cpu backend: optimizerStep: unknown kind " + std::to_string(kind));
  Buf p = unwrap(info, 1), g = unwrap(info, 2);
  if (p.dtype != F32 && p.dtype != F64)
    throw Napi::TypeError::New(env, "cpu backend: optimizerStep: parameters must be float32 or float64");
  void* st[3] = {nullptr, nullptr, nullptr};
  auto same = [&](const Buf& b, const char* what) {
    if (b.dtype != p.dtype || b.size != p.size)
      throw Napi::Error::New(env, std::string("cpu backend: optimizerStep: ") + what + " has " + std::to_string(b.size) +
                                      " elements of dtype code " + std::to_string(b.dtype) + ", the parameter " +
                                      std::to_string(p.size) + " of dtype code " + std::to_string(p.dtype));
  };
  same(g, "the gradient");
  for (int k = 0; k < 3; k++) {
    if (info[3 + k].IsNull() || info[3 + k].IsUndefined()) continue;
    Buf b = unwrap(info, 3 + k);
    same(b, "a state buffer");
    st[k] = b.data;
  }
  double h[8];
  for (int k = 0; k < 8; k++) h[k] = P[k];
  int flags = int(h[7]);
  // The slots each kind reads must be there.
  bool ok = true;
  if (kind == 0) ok = !(flags & 4) || st[0];
  else if (kind == 1) ok = st[0] && st[1] && (!(flags & 8) || st[2]);
  else if (kind == 2) ok = st[0] && (!(flags & 16) || st[1]) && (!(flags & 4) || st[2]);
  else ok = st[0] != nullptr;
  if (!ok) throw Napi::Error::New(env, "cpu backend: optimizerStep: a state buffer the update needs is missing");
  k_optimizer_step(kind, p.data, g.data, st, p.dtype, p.size, h);
  return env.Undefined();
}

// ---- introspection ------------------------------------------------------------------------
Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  reclaim(env);
  AllocStats s = buf_stats();
  Napi::Object o = Napi::Object::New(env);
  o.Set("liveBytes", double(s.live_bytes));
  o.Set("cachedBytes", double(s.cached_bytes));
  o.Set("peakLiveBytes", double(s.peak_live_bytes));
  o.Set("liveBuffers", double(s.live_buffers));
  o.Set("threads", pool_size());
  o.Set("kernel", sgemm_kernel_name());
  return o;
}

// configureMemory(files, envLimit): files alternates limit and usage files of the process's
// limited cgroup levels (found by lib/memory-limit.ts); envLimit is GRADBOOK_MEMORY_LIMIT in
// bytes, 0 for none.
Napi::Value ConfigureMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "configureMemory(files, envLimit): files must be an array of file names, envLimit a number");
  Napi::Array a = info[0].As<Napi::Array>();
  std::vector<MemLevel> levels;
  for (uint32_t i = 0; i + 1 < a.Length(); i += 2)
    levels.push_back(MemLevel{a.Get(i).ToString().Utf8Value(), a.Get(i + 1).ToString().Utf8Value()});
  double limit = info[1].As<Napi::Number>().DoubleValue();
  mem_configure(levels, limit > 0 ? size_t(limit) : 0);
  return env.Undefined();
}

Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  buf_empty_cache();
  return info.Env().Undefined();
}

// ---- JavaScript heap limit ----------------------------------------------------------------
// V8 aborts the whole process when its heap is full. Near the limit, this callback raises it
// (a few times at most, by no more than half the memory left) and sets a flag the kernel watches from another thread; the kernel
// then stops the cell, which reports a MemoryError while every variable survives.
int32_t* heap_flag = nullptr;
int heap_raises = 0;

size_t NearHeapLimit(void*, size_t current, size_t initial) {
  if (__atomic_load_n(heap_flag, __ATOMIC_SEQ_CST) == 0) heap_raises = 0;  // the last one was handled
  __atomic_store_n(heap_flag, 1, __ATOMIC_SEQ_CST);
  if (heap_raises >= 4) return current;  // nothing stopped the cell: V8's own out-of-memory
  heap_raises++;
  // Enough room for the cell to be stopped, but not past the memory limit: a raise beyond
  // what is left would trade V8's error for the out-of-memory killer.
  size_t step = std::max(initial / 2, size_t(128) << 20);
  size_t avail = mem_available(nullptr);
  if (avail != SIZE_MAX) step = std::min(step, std::max(avail / 2, size_t(32) << 20));
  return current + step;
}

Napi::Value WatchHeapLimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(env, "watchHeapLimit(flag): flag must be an Int32Array over a SharedArrayBuffer");
  static Napi::Reference<Napi::Int32Array> keep;
  if (heap_flag) return env.Undefined();
  Napi::Int32Array flag = info[0].As<Napi::Int32Array>();
  keep = Napi::Persistent(flag);
  heap_flag = flag.Data();
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  isolate->AddNearHeapLimitCallback(NearHeapLimit, nullptr);
  isolate->AutomaticallyRestoreInitialHeapLimit(0.5);
  return env.Undefined();
}

// execve(file, argv, env): replaces this process by another program, keeping its pid, so a
// Jupyter client that signals or waits on the kernel's pid still reaches it. The kernel's
// launcher uses it to restart Node with a heap limit derived from the memory limit (Node 20
// has no process.execve). Returns only on failure, with the reason.
Napi::Value Execve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsArray() || !info[2].IsArray())
    throw Napi::TypeError::New(env, "execve(file, argv, env): file must be a string, argv and env arrays of strings");
  auto strings = [](Napi::Array a) {
    std::vector<std::string> v;
    for (uint32_t i = 0; i < a.Length(); i++) v.push_back(a.Get(i).ToString().Utf8Value());
    return v;
  };
  std::string file = info[0].As<Napi::String>().Utf8Value();
  std::vector<std::string> args = strings(info[1].As<Napi::Array>()), envs = strings(info[2].As<Napi::Array>());
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  for (auto& e : envs) envp.push_back(&e[0]);
  envp.push_back(nullptr);
  std::fflush(nullptr);
  // Node marks stdin, stdout and stderr close-on-exec at start-up: the new program needs them.
  for (int fd = 0; fd <= 2; fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  execve(file.c_str(), argv.data(), envp.data());
  throw Napi::Error::New(env, "execve(" + file + ") failed: " + std::strerror(errno));
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int n = arg_int(info, 0);
  if (n < 1 || n > 256) throw Napi::RangeError::New(info.Env(), "cpu backend: setThreads(n): n must be 1..256, got " + std::to_string(n));
  pool_set_size(n);
  return info.Env().Undefined();
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
#define GB_EXPORT(name, fn) exports.Set(name, Napi::Function::New(env, fn, name))
  GB_EXPORT("init", Init);
  GB_EXPORT("fromArray", FromArray);
  GB_EXPORT("fill", Fill);
  GB_EXPORT("read", Read);
  GB_EXPORT("dispose", Dispose);
  GB_EXPORT("contiguous", Contiguous);
  GB_EXPORT("assign", Assign);
  GB_EXPORT("unary", Unary);
  GB_EXPORT("binary", Binary);
  GB_EXPORT("where", Where);
  GB_EXPORT("reduce", Reduce);
  GB_EXPORT("cumsum", Cumsum);
  GB_EXPORT("sort", Sort);
  GB_EXPORT("softmax", Softmax);
  GB_EXPORT("gather", Gather);
  GB_EXPORT("indexSelect", IndexSelect);
  GB_EXPORT("scatterAdd", ScatterAdd);
  GB_EXPORT("matmul", Matmul);
  GB_EXPORT("conv2d", Conv2d);
  GB_EXPORT("conv2dBackwardInput", Conv2dBackwardInput);
  GB_EXPORT("conv2dBackwardWeight", Conv2dBackwardWeight);
  GB_EXPORT("maxPool2d", MaxPool2d);
  GB_EXPORT("maxPool2dBackward", MaxPool2dBackward);
  GB_EXPORT("avgPool2d", AvgPool2d);
  GB_EXPORT("avgPool2dBackward", AvgPool2dBackward);
  GB_EXPORT("optimizerStep", OptimizerStep);
  GB_EXPORT("stats", Stats);
  GB_EXPORT("initGuards", InitGuards);
  GB_EXPORT("guard", GuardStorage);
  GB_EXPORT("reclaim", Reclaim);
  GB_EXPORT("isLive", IsLive);
  GB_EXPORT("emptyCache", EmptyCache);
  GB_EXPORT("configureMemory", ConfigureMemory);
  GB_EXPORT("execve", Execve);
  GB_EXPORT("setThreads", SetThreads);
  GB_EXPORT("watchHeapLimit", WatchHeapLimit);
#undef GB_EXPORT
  return exports;
}

}  // namespace

NODE_API_MODULE(gradbook_native, InitModule)
