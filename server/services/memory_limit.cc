#include "server/services/memory_limit.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "storage/memory.h"

namespace respd::server {
namespace {

using storage::EvictionPolicy;

// Redis checks the time once every this many keys evicted.
constexpr size_t kKeysPerTimeCheck = 16;
// Past the limit, the process's figure is read again after at most this many commands: reading it
// costs more than a command, and the estimate drifts by a few bytes per command at most.
constexpr int64_t kCommandsPerMeasure = 64;

// Redis's evictionTimeLimitUs: 0-500 us in steps of 50 up to tenacity 10, then 15% more per step
// (about two minutes at 99), and no limit at 100.
int64_t EvictionTimeLimitUs(int64_t tenacity) {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return static_cast<int64_t>(500.0 * std::pow(1.15, tenacity - 10.0));
  return std::numeric_limits<int64_t>::max();
}

}  // namespace

MemoryLimit::MemoryLimit(Config& config, storage::Store& store, storage::Clock& clock)
    : maxmemory_(config.Get("maxmemory")),
      policy_(config.Get("maxmemory-policy")),
      samples_(config.Get("maxmemory-samples")),
      tenacity_(config.Get("maxmemory-eviction-tenacity")),
      lfu_log_factor_(config.Get("lfu-log-factor")),
      lfu_decay_time_(config.Get("lfu-decay-time")),
      store_(store),
      clock_(clock) {}

void MemoryLimit::Refresh(Then then) {
  {
    std::lock_guard lock(refresh_mutex_);
    EvictionPolicy policy =
        storage::ParseEvictionPolicy(policy_.text()).value_or(EvictionPolicy::kNoEviction);
    policy_value_.store(policy, std::memory_order_relaxed);
    store_.SetAccessClockPolicy(
        {.lfu = policy == EvictionPolicy::kAllKeysLfu || policy == EvictionPolicy::kVolatileLfu,
         .log_factor = lfu_log_factor_.number(),
         .decay_minutes = lfu_decay_time_.number()});
    uint64_t limit = maxmemory_.unsigned_number();
    limit_.store(limit, std::memory_order_relaxed);
    applies_.store(limit != 0, std::memory_order_relaxed);
    if (limit == 0) {
      exceeded_.store(false, std::memory_order_relaxed);
      evicting_.store(false, std::memory_order_relaxed);
      Record(Verdict::kWithin);
      return;
    }
    Observe(storage::memory::UsedMemory());
  }
  if (then == Then::kEvict ||
      (then == Then::kContinue && evicting_.load(std::memory_order_relaxed))) {
    MakeRoom();
  }
}

void MemoryLimit::Observe(uint64_t used_memory) {
  commands_since_measure_.store(0, std::memory_order_relaxed);
  offset_.store(static_cast<int64_t>(used_memory) - static_cast<int64_t>(store_.Footprint()),
                std::memory_order_relaxed);
}

int64_t MemoryLimit::Estimate() const {
  return offset_.load(std::memory_order_relaxed) + static_cast<int64_t>(store_.Footprint());
}

bool MemoryLimit::MakeRoom() {
  if (!applies_.load(std::memory_order_relaxed)) return true;
  uint64_t limit = limit_.load(std::memory_order_relaxed);
  int64_t commands = commands_since_measure_.load(std::memory_order_relaxed) + 1;
  commands_since_measure_.store(commands, std::memory_order_relaxed);
  int64_t estimate = Estimate();
  if (estimate > static_cast<int64_t>(limit) && commands >= kCommandsPerMeasure) {
    // The estimate drifts a few bytes per command from the process's figure between measures
    // (allocator caches, buffers): at the limit, the figure decides.
    Observe(storage::memory::UsedMemory());
    estimate = Estimate();
  }
  if (estimate <= static_cast<int64_t>(limit)) [[likely]] {
    Record(Verdict::kWithin);
    return true;
  }
  // Redis evicts nothing while a script is busy or clients are paused, and lets the command
  // through as if memory were fine.
  if (!eviction_allowed_()) return true;
  Verdict verdict = Evict(limit);
  Record(verdict);
  return verdict != Verdict::kOutOfMemory;
}

MemoryLimit::Verdict MemoryLimit::Evict(uint64_t limit) {
  EvictionPolicy policy = policy_value_.load(std::memory_order_relaxed);
  if (policy == EvictionPolicy::kNoEviction) return Verdict::kOutOfMemory;
  std::unique_lock evicting(evict_mutex_, std::try_to_lock);
  // Another thread is evicting: its verdict stands until it is done.
  if (!evicting.owns_lock()) return exceeded() ? Verdict::kOutOfMemory : Verdict::kEvicting;
  auto locks = storage::ShardLocks::Unless(store_, {}, /*all=*/true,
                                           [this] { return !eviction_allowed_(); });
  if (!locks) return Verdict::kEvicting;
  storage::EvictionSettings settings{.policy = policy,
                                     .samples = static_cast<size_t>(samples_.number()),
                                     .decay_minutes = lfu_decay_time_.number()};
  int64_t time_limit_us = EvictionTimeLimitUs(tenacity_.number());
  int64_t start_us = SteadyUs();
  int64_t now_ms = clock_.NowMs();
  size_t evicted = 0;
  Verdict verdict = Verdict::kWithin;
  while (Estimate() > static_cast<int64_t>(limit)) {
    int64_t key_start_us = SteadyUs();
    if (!evictor_.EvictOne(store_, settings, now_ms, rng_)) {
      verdict = Verdict::kOutOfMemory;
      break;
    }
    int64_t now_us = SteadyUs();
    latency_report_("eviction-del", (now_us - key_start_us) / 1000);
    if (++evicted % kKeysPerTimeCheck == 0 && now_us - start_us > time_limit_us) {
      verdict = Verdict::kEvicting;
      break;
    }
  }
  latency_report_("eviction-cycle", (SteadyUs() - start_us) / 1000);
  evicting_.store(verdict == Verdict::kEvicting, std::memory_order_relaxed);
  return verdict;
}

void MemoryLimit::Record(Verdict verdict) {
  // Written only when it changes: every command of every thread passes here.
  bool out_of_memory = verdict == Verdict::kOutOfMemory;
  if (exceeded_.load(std::memory_order_relaxed) != out_of_memory) {
    exceeded_.store(out_of_memory, std::memory_order_relaxed);
  }
  int64_t since = exceeded_since_us_.load(std::memory_order_relaxed);
  if (verdict == Verdict::kWithin) {
    if (since != 0 && exceeded_since_us_.exchange(0, std::memory_order_relaxed) == since) {
      exceeded_total_us_.fetch_add(SteadyUs() - since, std::memory_order_relaxed);
    }
  } else if (since == 0) {
    exceeded_since_us_.store(SteadyUs(), std::memory_order_relaxed);
  }
}

int64_t MemoryLimit::SteadyUs() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t MemoryLimit::CurrentExceededMs() const {
  int64_t since = exceeded_since_us_.load(std::memory_order_relaxed);
  return since == 0 ? 0 : static_cast<uint64_t>(SteadyUs() - since) / 1000;
}

uint64_t MemoryLimit::TotalExceededMs() const {
  return exceeded_total_us_.load(std::memory_order_relaxed) / 1000 + CurrentExceededMs();
}

void MemoryLimit::ResetStats() {
  exceeded_total_us_.store(0, std::memory_order_relaxed);
  exceeded_since_us_.store(0, std::memory_order_relaxed);
}

}  // namespace respd::server
