// Caching allocator. Every kernel returns a fresh output, so a training step allocates the
// same sizes again and again; handing back a recently freed block skips malloc and, above
// all, the page faults of touching new memory (2-3x on elementwise work). Sizes are rounded
// to classes a quarter of a power of two apart, so at most 25% of a block is slack.
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>
#include "common.h"

namespace gb {
namespace {

const size_t kMaxCached = size_t(512) << 20;   // bytes kept in free lists at most
const size_t kMaxCachedBlock = size_t(256) << 20;

std::mutex mu;
std::unordered_map<size_t, std::vector<void*>> free_lists;
size_t cached = 0, live = 0, peak = 0, live_count = 0;

size_t size_class(size_t bytes) {
  if (bytes <= 512) return bytes <= 64 ? 64 : (bytes + 63) & ~size_t(63);
  size_t p = 1;
  while (p * 2 <= bytes) p *= 2;        // p <= bytes < 2p
  size_t step = p / 4;
  return (bytes + step - 1) / step * step;
}

void release_all_locked() {
  for (auto& kv : free_lists)
    for (void* q : kv.second) std::free(q);
  free_lists.clear();
  cached = 0;
}

}  // namespace

void* buf_alloc(size_t bytes) {
  size_t cls = size_class(bytes == 0 ? 1 : bytes);
  {
    std::lock_guard<std::mutex> g(mu);
    live += cls;
    live_count++;
    if (live > peak) peak = live;
    auto it = free_lists.find(cls);
    if (it != free_lists.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      cached -= cls;
      return p;
    }
  }
  void* p = std::aligned_alloc(64, cls);
  if (!p) {
    // Out of memory: give the cache back and try once more before failing.
    { std::lock_guard<std::mutex> g(mu); release_all_locked(); }
    p = std::aligned_alloc(64, cls);
  }
  if (!p) {
    std::lock_guard<std::mutex> g(mu);
    live -= cls;
    live_count--;
  }
  return p;
}

void buf_free(void* p, size_t bytes) {
  if (!p) return;
  size_t cls = size_class(bytes == 0 ? 1 : bytes);
  std::lock_guard<std::mutex> g(mu);
  live -= cls;
  live_count--;
  if (cls <= kMaxCachedBlock && cached + cls <= kMaxCached) {
    free_lists[cls].push_back(p);
    cached += cls;
  } else {
    std::free(p);
  }
}

void buf_empty_cache() {
  std::lock_guard<std::mutex> g(mu);
  release_all_locked();
}

AllocStats buf_stats() {
  std::lock_guard<std::mutex> g(mu);
  return AllocStats{live, cached, peak, live_count};
}

}  // namespace gb
