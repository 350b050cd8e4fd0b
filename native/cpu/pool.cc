// A persistent thread pool: one worker per core besides the caller.
//
// Built for a shared machine. Tasks are claimed one at a time from a single atomic word that
// also holds the job's generation and task count, so the caller never waits for a worker that
// the OS has not scheduled: it claims the remaining tasks itself and returns once every task
// has finished, and a worker that wakes late finds the job gone (its claim fails on the
// generation). Workers spin briefly after a job, since kernels of a training step come in
// bursts, and then sleep on a condition variable, so an idle process costs nothing.
#include <sched.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
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

thread_local bool in_parallel = false;

// job word: generation (24 bits) | task count (20 bits) | next task to claim (20 bits)
inline uint64_t pack(uint64_t gen, uint64_t n, uint64_t next) { return (gen << 40) | (n << 20) | next; }
inline uint32_t gen_of(uint64_t v) { return uint32_t(v >> 40); }
inline int count_of(uint64_t v) { return int((v >> 20) & 0xfffff); }
inline int next_of(uint64_t v) { return int(v & 0xfffff); }
const int kMaxTasks = (1 << 20) - 1;

struct Pool {
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<uint64_t> job{0};
  std::atomic<uint32_t> published{0};
  std::atomic<int> completed{0};
  std::atomic<int> sleepers{0};
  std::atomic<bool> stop{false};
  const std::function<void(int)>* fn = nullptr;
  uint32_t generation = 0;
  int size = 1;

  /** Claims and runs tasks of job generation g until none are left. */
  void work(uint32_t g) {
    uint64_t v = job.load(std::memory_order_acquire);
    for (;;) {
      if (gen_of(v) != g || next_of(v) >= count_of(v)) return;
      if (job.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        (*fn)(next_of(v));
        completed.fetch_add(1, std::memory_order_acq_rel);
        v = job.load(std::memory_order_acquire);
      }
    }
  }

  void worker_loop() {
    in_parallel = true;  // tasks never start nested parallel regions from a worker
    uint32_t seen = published.load();
    for (;;) {
      int spins = 0;
      while (published.load(std::memory_order_acquire) == seen && !stop.load(std::memory_order_relaxed)) {
        if (++spins < 4000) { cpu_relax(); continue; }
        std::unique_lock<std::mutex> lk(mu);
        sleepers.fetch_add(1);
        cv.wait(lk, [&] { return published.load() != seen || stop.load(); });
        sleepers.fetch_sub(1);
        break;
      }
      if (stop.load()) return;
      seen = published.load(std::memory_order_acquire);
      work(seen);
    }
  }

  void start(int n) {
    shutdown();
    size = n < 1 ? 1 : n;
    stop = false;
    for (int i = 1; i < size; i++) workers.emplace_back([this] { worker_loop(); });
  }

  void shutdown() {
    if (workers.empty()) return;
    {
      std::lock_guard<std::mutex> lk(mu);
      stop = true;
    }
    cv.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
  }

  void run(int n, const std::function<void(int)>& f) {
    fn = &f;
    completed.store(0, std::memory_order_relaxed);
    generation = generation % ((1u << 24) - 1) + 1;
    job.store(pack(generation, uint64_t(n), 0), std::memory_order_release);
    published.store(generation);  // seq_cst, paired with the sleepers check below
    if (sleepers.load() > 0) {
      { std::lock_guard<std::mutex> lk(mu); }
      cv.notify_all();
    }
    work(generation);
    for (int spins = 0; completed.load(std::memory_order_acquire) < n; spins++) {
      // A worker holding a task was preempted by another process: let it run.
      if (spins > 2000) std::this_thread::yield();
      else cpu_relax();
    }
  }
};

// CPUs this process may run on: its affinity mask (taskset, cpusets), else the machine's count.
int affinity_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : int(hc);
}

// The cgroup's CPU quota rounded up to whole CPUs (Docker's --cpus, Kubernetes limits, Binder),
// or 0 when there is none. cgroup v2: cpu.max "QUOTA PERIOD"; v1: cpu.cfs_quota_us / cfs_period_us.
int cgroup_cpu_quota() {
  std::ifstream self("/proc/self/cgroup");
  std::string line, v2path, v1path;
  while (std::getline(self, line)) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (controllers.empty()) v2path = path;
    std::stringstream cs(controllers);
    std::string c;
    while (std::getline(cs, c, ',')) if (c == "cpu") v1path = path;
  }
  auto quota_of = [](double quota, double period) { return quota > 0 && period > 0 ? int(std::ceil(quota / period)) : 0; };
  if (!v1path.empty()) {
    for (const char* root : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
      std::ifstream q(std::string(root) + v1path + "/cpu.cfs_quota_us"), p(std::string(root) + v1path + "/cpu.cfs_period_us");
      double quota = -1, period = 0;
      if (q >> quota && p >> period) return quota_of(quota, period);
    }
  }
  std::ifstream m("/sys/fs/cgroup" + v2path + "/cpu.max");
  std::string quota;
  double period = 0;
  if (m >> quota >> period && quota != "max") return quota_of(std::atof(quota.c_str()), period);
  return 0;
}

// GRADBOOK_THREADS when set, else the CPUs the affinity mask and the cgroup quota allow.
int default_threads() {
  if (const char* env = std::getenv("GRADBOOK_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return n > 256 ? 256 : n;
  }
  int n = affinity_cpus();
  int quota = cgroup_cpu_quota();
  if (quota > 0 && quota < n) n = quota;
  return n;
}

Pool& pool() {
  static Pool* p = [] {
    Pool* q = new Pool();  // never destroyed: worker threads may still spin at process exit
    q->start(default_threads());
    return q;
  }();
  return *p;
}

std::mutex dispatch_mu;  // one parallel region at a time

}  // namespace

int pool_size() { return pool().size; }

void pool_set_size(int n) {
  std::lock_guard<std::mutex> g(dispatch_mu);
  pool().start(n);
}

void parallel_tasks(int ntasks, const std::function<void(int)>& fn) {
  Pool& p = pool();
  if (ntasks <= 1 || p.size <= 1 || in_parallel || ntasks > kMaxTasks) {
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
