// A persistent thread pool: one worker per core besides the caller. Workers spin briefly
// after a job (kernels come in bursts during a training step) and then sleep on a condition
// variable, so an idle process costs nothing and never fights another pool for the cores.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#include "common.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void cpu_relax() { _mm_pause(); }
#else
static inline void cpu_relax() {}
#endif

namespace gb {
namespace {

struct Pool {
  // Each worker has its own "go" and "done" generation, so job fields (and the task counter)
  // are written only while every worker is idle.
  struct alignas(64) Slot {
    std::atomic<uint64_t> go{0};
    std::atomic<uint64_t> done{0};
  };
  std::vector<std::thread> workers;
  Slot* slots = nullptr;
  std::mutex mu;
  std::condition_variable cv;
  uint64_t generation = 0;
  int ntasks = 0;
  const std::function<void(int)>* fn = nullptr;
  std::atomic<bool> stop{false};
  int size = 1;

  std::atomic<int> next{0};

  // Tasks are handed out one at a time from a shared counter, so a thread that the OS
  // preempts (the machine is shared) holds back only the task it is on.
  void run_share(int) {
    for (int t = next.fetch_add(1, std::memory_order_relaxed); t < ntasks;
         t = next.fetch_add(1, std::memory_order_relaxed))
      (*fn)(t);
  }

  void worker_loop(int w) {
    uint64_t seen = 0;
    for (;;) {
      // Spin a little: the next kernel of a training step usually follows within microseconds.
      int spins = 0;
      while (slots[w].go.load(std::memory_order_acquire) == seen && !stop.load()) {
        if (++spins > 20000) {
          std::unique_lock<std::mutex> lk(mu);
          cv.wait(lk, [&] { return slots[w].go.load() != seen || stop.load(); });
          break;
        }
        cpu_relax();
      }
      if (stop.load()) return;
      seen = slots[w].go.load(std::memory_order_acquire);
      run_share(w);
      slots[w].done.store(seen, std::memory_order_release);
    }
  }

  void start(int n) {
    shutdown();
    size = n < 1 ? 1 : n;
    stop = false;
    generation = 0;
    slots = new Slot[size];
    for (int i = 1; i < size; i++) workers.emplace_back([this, i] { worker_loop(i); });
  }

  void shutdown() {
    if (!workers.empty()) {
      {
        std::lock_guard<std::mutex> lk(mu);
        stop = true;
      }
      cv.notify_all();
      for (auto& w : workers) w.join();
      workers.clear();
    }
    delete[] slots;
    slots = nullptr;
  }

  void run(int n, const std::function<void(int)>& f) {
    // Safe to reset: every worker reported done for the previous job before we got here.
    fn = &f;
    ntasks = n;
    next.store(0, std::memory_order_relaxed);
    uint64_t g = ++generation;
    {
      std::lock_guard<std::mutex> lk(mu);
      for (int i = 1; i < size; i++) slots[i].go.store(g, std::memory_order_release);
    }
    cv.notify_all();
    run_share(0);
    for (int i = 1; i < size; i++)
      for (int spins = 0; slots[i].done.load(std::memory_order_acquire) != g; spins++) {
        // A worker preempted by another process: give it the core instead of spinning.
        if (spins > 4000) std::this_thread::yield();
        else cpu_relax();
      }
  }
};

Pool& pool() {
  static Pool* p = [] {
    Pool* q = new Pool();  // never destroyed: worker threads may still spin at process exit
    unsigned hc = std::thread::hardware_concurrency();
    q->start(hc == 0 ? 1 : int(hc));
    return q;
  }();
  return *p;
}

thread_local bool in_parallel = false;
std::mutex dispatch_mu;  // one parallel region at a time

}  // namespace

int pool_size() { return pool().size; }

void pool_set_size(int n) {
  std::lock_guard<std::mutex> g(dispatch_mu);
  pool().start(n);
}

void parallel_tasks(int ntasks, const std::function<void(int)>& fn) {
  Pool& p = pool();
  if (ntasks <= 1 || p.size <= 1 || in_parallel) {
    for (int t = 0; t < ntasks; t++) fn(t);
    return;
  }
  std::lock_guard<std::mutex> g(dispatch_mu);
  in_parallel = true;
  p.run(ntasks, fn);
  in_parallel = false;
}

void parallel_for(i64 n, i64 grain, const std::function<void(i64, i64)>& fn) {
  int threads = pool_size();
  if (n <= 0) return;
  if (threads <= 1 || n < grain * 2 || in_parallel) {
    fn(0, n);
    return;
  }
  i64 chunks = n / grain;
  if (chunks > threads) chunks = threads;
  parallel_tasks(int(chunks), [&](int t) {
    i64 b = n * t / chunks, e = n * (t + 1) / chunks;
    if (b < e) fn(b, e);
  });
}

}  // namespace gb
