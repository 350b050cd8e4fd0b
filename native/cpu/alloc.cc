// Caching allocator. Every kernel returns a fresh output, so a training step allocates the
// same sizes again and again; handing back a recently freed block skips malloc and, above
// all, the page faults of touching new memory (2-3x on elementwise work). Sizes are rounded
// to classes a quarter of a power of two apart, so at most 25% of a block is slack.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <unordered_map>
#include <vector>
#include "common.h"

namespace gb {
namespace {

const size_t kMaxCached = size_t(512) << 20;   // bytes kept in free lists at most
// Blocks at least this large are checked against the memory actually available first: Linux
// overcommits, so a too-large malloc succeeds and the process is killed later, page by page.
const size_t kCheckedBlock = size_t(64) << 20;
const size_t kMaxCachedBlock = size_t(256) << 20;

std::mutex mu;
std::unordered_map<size_t, std::vector<void*>> free_lists;
// The classes up to 512 bytes (64, 128, ... 512) in an array: scalar autodiff allocates
// thousands of them per graph, and a hash lookup per allocation was a visible part of an op.
const size_t kSmallClasses = 8;
std::vector<void*> small_lists[kSmallClasses];

/** The free list of a size class. */
inline std::vector<void*>& list_for(size_t cls) {
  return cls <= 512 ? small_lists[cls / 64 - 1] : free_lists[cls];
}
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
  for (auto& l : small_lists) {
    for (void* q : l) std::free(q);
    l.clear();
  }
  cached = 0;
}

bool read_u64(const char* path, unsigned long long* v) {
  FILE* f = std::fopen(path, "r");
  if (!f) return false;
  char line[64];
  bool ok = std::fgets(line, sizeof line, f) && std::sscanf(line, "%llu", v) == 1;  // "max": no limit
  std::fclose(f);
  return ok;
}

}  // namespace

namespace {
std::mutex config_mu;
std::vector<MemLevel> levels;
size_t env_limit = 0;
}  // namespace

void mem_configure(const std::vector<MemLevel>& l, size_t limit) {
  std::lock_guard<std::mutex> g(config_mu);
  levels = l;
  env_limit = limit;
}

size_t mem_available(std::string* source) {
  size_t best = SIZE_MAX;
  auto consider = [&](size_t v, const std::string& why) {
    if (v < best) {
      best = v;
      if (source) *source = why;
    }
  };
  if (FILE* f = std::fopen("/proc/meminfo", "r")) {
    char line[128];
    unsigned long long kb;
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "MemAvailable: %llu kB", &kb) == 1) consider(size_t(kb) << 10, "the machine's available memory");
    std::fclose(f);
  }
  std::vector<MemLevel> ls;
  size_t limit;
  {
    std::lock_guard<std::mutex> g(config_mu);
    ls = levels;
    limit = env_limit;
  }
  for (const MemLevel& l : ls) {
    unsigned long long lim, cur;
    if (read_u64(l.limit_file.c_str(), &lim) && read_u64(l.usage_file.c_str(), &cur))
      consider(lim > cur ? size_t(lim - cur) : 0, "the cgroup's memory limit (" + std::to_string(lim >> 20) + " MiB, " + l.limit_file + ")");
  }
  if (limit > 0) {
    unsigned long long pages_total, pages_rss;
    FILE* f = std::fopen("/proc/self/statm", "r");
    if (f && std::fscanf(f, "%llu %llu", &pages_total, &pages_rss) == 2) {
      size_t rss = size_t(pages_rss) * size_t(sysconf(_SC_PAGESIZE));
      consider(limit > rss ? limit - rss : 0, "GRADBOOK_MEMORY_LIMIT (" + std::to_string(limit >> 20) + " MiB)");
    }
    if (f) std::fclose(f);
  }
  return best;
}

void* buf_alloc(size_t bytes) {
  size_t cls = size_class(bytes == 0 ? 1 : bytes);
  {
    std::lock_guard<std::mutex> g(mu);
    live += cls;
    live_count++;
    if (live > peak) peak = live;
    std::vector<void*>* l = nullptr;
    if (cls <= 512) l = &small_lists[cls / 64 - 1];
    else if (auto it = free_lists.find(cls); it != free_lists.end()) l = &it->second;
    if (l && !l->empty()) {
      void* p = l->back();
      l->pop_back();
      cached -= cls;
      return p;
    }
  }
  if (cls >= kCheckedBlock) {
    size_t avail = mem_available(nullptr);
    if (cls > avail) {
      { std::lock_guard<std::mutex> g(mu); release_all_locked(); }
      if (cls > mem_available(nullptr)) {
        std::lock_guard<std::mutex> g(mu);
        live -= cls;
        live_count--;
        return nullptr;
      }
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
    list_for(cls).push_back(p);
    cached += cls;
  } else {
    std::free(p);
  }
}

void buf_empty_cache() {
  std::lock_guard<std::mutex> g(mu);
  release_all_locked();
#if defined(__GLIBC__)
  // Freed blocks stay mapped in malloc's arenas (every thread's) until trimmed.
  malloc_trim(0);
#endif
}

AllocStats buf_stats() {
  std::lock_guard<std::mutex> g(mu);
  return AllocStats{live, cached, peak, live_count};
}

}  // namespace gb
