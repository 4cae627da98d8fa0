// maxmemory, as Redis 7.0's performEvictions applies it before every client command: while used
// memory (INFO's used_memory) is past the limit, keys are evicted by maxmemory-policy
// (storage/eviction.h) until it is not; when nothing can be evicted (noeviction, or no key with a
// TTL under a volatile policy) the pipeline refuses what may grow memory with OOM
// (Dispatcher::AdmitWithinMemory; a script's redis.call, Dispatcher::AdmitFromScript).
//
// Redis reads its allocator's counter on every command. respd's exact figure
// (storage::memory::UsedMemory) asks glibc, which walks its free lists and can take milliseconds on
// a fragmented heap, so every command reads an estimate instead: the last measure plus what the
// keyspace's footprint (Store::Footprint: keys and their tables, sixteen loads) gained since. The
// figure is read again at every cron tick (hz), when an option changes, whenever INFO reads it,
// and past the limit every 64 commands, before evicting. Knows nothing of commands.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string_view>

#include "server/config/config.h"
#include "storage/clock.h"
#include "storage/database.h"
#include "storage/eviction.h"

namespace respd::server {

class MemoryLimit {
 public:
  MemoryLimit(Config& config, storage::Store& store, storage::Clock& clock);
  MemoryLimit(const MemoryLimit&) = delete;
  MemoryLimit& operator=(const MemoryLimit&) = delete;

  // What must hold for eviction to run now (Redis's isSafeToPerformEvictions: no busy script, no
  // client pause); set once at composition.
  void SetEvictionAllowed(std::function<bool()> allowed) { eviction_allowed_ = std::move(allowed); }
  // Where the latency of each eviction and of each key it deletes goes (Redis's eviction-cycle
  // and eviction-del events); set once at composition.
  using LatencyReport = std::function<void(std::string_view event, int64_t latency_ms)>;
  void SetLatencyReport(LatencyReport report) { latency_report_ = std::move(report); }

  // Re-reads the options (keys' access clock included) and measures used memory, then evicts as
  // `then` says. Any thread; calls are serialized.
  enum class Then {
    kWait,      // until the next command
    kContinue,  // on with an eviction a command left for lack of time (the cron, as Redis's
                // eviction time proc)
    kEvict,     // at once (a new maxmemory, as Redis's CONFIG SET does)
  };
  void Refresh(Then then = Then::kWait);
  // A measure of used memory taken elsewhere (INFO): the estimate starts from it.
  void Observe(uint64_t used_memory);

  // Redis's performEvictions, before a client's command while a limit applies: evicts while the
  // estimate is past maxmemory, for at most the time maxmemory-eviction-tenacity gives. False when
  // memory is still past the limit and nothing more could be evicted: out of memory.
  bool MakeRoom();

  // On while maxmemory is set: the pipeline's switch for MakeRoom and the OOM check.
  const std::atomic<bool>* limit_switch() const { return &applies_; }
  // The last verdict was out of memory: what a script starting now records (Redis's
  // pre_command_oom_state).
  bool exceeded() const { return exceeded_.load(std::memory_order_relaxed); }

  // INFO's total_eviction_exceeded_time and current_eviction_exceeded_time, in milliseconds:
  // how long used memory has been past maxmemory without eviction bringing it back.
  uint64_t TotalExceededMs() const;
  uint64_t CurrentExceededMs() const;
  // CONFIG RESETSTAT.
  void ResetStats();

 private:
  enum class Verdict { kWithin, kEvicting, kOutOfMemory };
  int64_t Estimate() const;
  Verdict Evict(uint64_t limit);
  void Record(Verdict verdict);
  int64_t SteadyUs() const;

  // Found once: the cron refreshes ten times a second, and finding an option walks the table.
  const Option& maxmemory_;
  const Option& policy_;
  const Option& samples_;
  const Option& tenacity_;
  const Option& lfu_log_factor_;
  const Option& lfu_decay_time_;
  storage::Store& store_;
  storage::Clock& clock_;
  std::function<bool()> eviction_allowed_ = [] { return true; };
  LatencyReport latency_report_ = [](std::string_view, int64_t) {};

  std::mutex refresh_mutex_;
  std::atomic<bool> applies_{false};
  std::atomic<uint64_t> limit_{0};
  // Used memory less the footprint, at the last measure, and the commands checked since.
  std::atomic<int64_t> offset_{0};
  std::atomic<int64_t> commands_since_measure_{0};
  std::atomic<bool> exceeded_{false};
  // An eviction stopped for lack of time and the cron goes on with it.
  std::atomic<bool> evicting_{false};
  std::atomic<int64_t> exceeded_since_us_{0};  // 0: within
  std::atomic<uint64_t> exceeded_total_us_{0};

  // Held by the one thread evicting; others do not wait for it (it may wait for their shards).
  std::mutex evict_mutex_;
  std::atomic<storage::EvictionPolicy> policy_value_{storage::EvictionPolicy::kNoEviction};
  storage::Evictor evictor_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace respd::server
