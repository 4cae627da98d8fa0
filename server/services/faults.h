// Fault injection for tests (RESPD FAULT): rules that make matching commands fail, wait, close
// their connection or never answer, and the server-wide LOADING and READONLY modes. Applied by an
// admission hook (server/composition.cc), so a fault hits a command on every entry path: a
// client's own, EXEC's body, a script's redis.call. Knows nothing of sockets: a connection-level
// action is a ReplyFate the connection carries out.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "server/dispatch/dispatcher.h"

namespace respd::server {

enum class FaultAction : uint8_t {
  kError,        // reply `error` instead of running the command
  kDelay,        // run it, send its reply after `delay_ms`
  kCloseBefore,  // close the connection without running it
  kCloseAfter,   // run it, then close the connection without its reply
  kNoReply,      // run it and never answer again
};

struct FaultRule {
  uint64_t id = 0;
  // What a command must be to match; empty or -1: anything.
  std::vector<std::string> commands;  // lower-case names ("get", "config"), any of them
  std::string key_glob;               // one of its keys matches
  std::string client_glob;            // its client's name matches
  int db = -1;
  uint64_t after = 0;     // the first `after` matches pass untouched
  int64_t times = -1;     // fires this many times, then the rule is gone; -1: for ever
  double probability = 1;  // of firing once it matches (past `after`)
  FaultAction action = FaultAction::kError;
  std::string error;  // kError's reply, without '-'
  int64_t delay_ms = 0;
  // Counters shown by LIST.
  uint64_t matched = 0;
  uint64_t fired = 0;
};

class Faults {
 public:
  // Redis's texts for a server loading its dataset and for a read-only replica.
  static constexpr std::string_view kErrLoading = "LOADING Redis is loading the dataset in memory";
  static constexpr std::string_view kErrReadonly =
      "READONLY You can't write against a read only replica.";

  // On while a rule, LOADING or READONLY is set: the pipeline's switch for Admit.
  const std::atomic<bool>* armed_switch() const { return &armed_; }

  // Adds `rule` and returns its id.
  uint64_t Add(FaultRule rule);
  bool Delete(uint64_t id);
  // Every rule gone, LOADING and READONLY off (FAULT CLEAR); ids go on from the last one.
  void Clear() { Drop(/*restart_ids=*/false); }
  // The same, and ids start again from 1, as after start-up (RESPD RESET).
  void Restart() { Drop(/*restart_ids=*/true); }
  std::vector<FaultRule> List() const;
  void Seed(uint64_t seed);

  void SetLoading(bool on);
  void SetReadonly(bool on);
  bool loading() const { return loading_.load(std::memory_order_relaxed); }
  bool readonly() const { return readonly_.load(std::memory_order_relaxed); }

  // The admission hook. Costs one relaxed load while nothing is armed.
  Refusal Admit(const Admission& admission);

 private:
  void Drop(bool restart_ids);
  void Rearm();  // under mutex_
  bool Matches(const FaultRule& rule, const Admission& admission) const;

  std::atomic<bool> armed_{false};
  std::atomic<bool> loading_{false};
  std::atomic<bool> readonly_{false};
  mutable std::mutex mutex_;
  std::vector<FaultRule> rules_;
  uint64_t next_id_ = 0;
  std::mt19937_64 random_{0};
};

}  // namespace respd::server
