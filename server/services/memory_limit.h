// maxmemory under the noeviction policy, as Redis 7.0 answers it: once used memory (INFO's
// used_memory) exceeds the limit, what may grow memory is refused with OOM (the pipeline's
// admission, Dispatcher::AdmitWithinMemory; a script's redis.call, Dispatcher::AdmitFromScript).
// respd does not evict: under any other policy it neither evicts nor refuses.
//
// Redis reads its allocator's counter on every command. respd's figure (storage::memory::
// UsedMemory) asks glibc, which walks its free lists and can take milliseconds on a fragmented
// heap, so the pipeline reads a verdict kept here instead: measured when maxmemory or the policy
// changes and at every server cron tick (hz) while a limit applies. The pipeline's check costs one
// relaxed load while memory is within the limit (or no limit applies). Knows nothing of commands.
#pragma once

#include <atomic>
#include <mutex>

#include "server/config/config.h"

namespace respd::server {

class MemoryLimit {
 public:
  explicit MemoryLimit(Config& config)
      : maxmemory_(config.Get("maxmemory")), policy_(config.Get("maxmemory-policy")) {}
  MemoryLimit(const MemoryLimit&) = delete;
  MemoryLimit& operator=(const MemoryLimit&) = delete;

  // Re-reads maxmemory and maxmemory-policy and, while a limit applies (maxmemory above 0 under
  // noeviction), measures used memory against it. Any thread; calls are serialized, so the last
  // one reads the newest options.
  void Refresh();

  // On while used memory exceeded maxmemory under noeviction at the last measure: the pipeline's
  // switch for the OOM check, and what a script starting now records (Redis's
  // pre_command_oom_state).
  const std::atomic<bool>* exceeded_switch() const { return &exceeded_; }
  bool exceeded() const { return exceeded_.load(std::memory_order_relaxed); }

 private:
  // Found once: the cron refreshes ten times a second, and finding an option walks the table.
  const Option& maxmemory_;
  const Option& policy_;
  std::mutex mutex_;
  std::atomic<bool> exceeded_{false};
};

}  // namespace respd::server
