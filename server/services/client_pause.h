// CLIENT PAUSE / UNPAUSE, as Redis 7.0's pauseClients: until the pause ends, a client's command
// that the pause covers (any command for ALL; for WRITE, those that may write or replicate, EXEC
// of such commands and scripts that do not declare no-writes) waits, unread input and all, and
// runs once the pause ends. Monitors are not paused (Redis never pauses its replicas).
//
// The end is server Clock time (storage/clock.h), as Redis's is its cached mstime: a frozen Clock
// holds the pause, an advanced one ends it at the next cron tick or command. While a pause lasts
// (either mode) the dataset stays still, as Redis's checkClientPauseTimeoutAndReturnIfPaused keeps
// it: the active expiry cycle does not run and reads hide expired keys without deleting them
// (storage::Store::HoldExpiry).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/database.h"

namespace respd::server {

class ClientHandle;

class ClientPause {
 public:
  enum class Mode : uint8_t { kNone, kWrite, kAll };

  // `blocked_clients` is INFO's count, which includes the clients a pause holds, as Redis's does
  // (it blocks them as BLOCKED_POSTPONE): test suites wait on it to know a client is held.
  ClientPause(storage::Store& store, std::atomic<int64_t>& blocked_clients)
      : store_(store), blocked_clients_(blocked_clients) {}

  // CLIENT PAUSE: pauses until `end_ms`; an earlier end or a weaker mode than the pause already on
  // changes nothing of it, as in Redis.
  void Pause(Mode mode, int64_t end_ms);
  // CLIENT UNPAUSE, or the end reached: every waiting client goes on.
  void Unpause();
  // Ends the pause if the Clock has reached its end (the server cron calls it).
  void CheckTimeout(int64_t now_ms);

  // Lock-free: no pause on (the pipeline's one check when there is none).
  bool active() const { return mode_.load(std::memory_order_relaxed) != Mode::kNone; }
  // Whether a command that writes (`writes`) or not must wait now; if so `client` waits for the
  // pause to end (ClientHandle::Unpause), checked and registered at one instant so it cannot miss
  // the end.
  bool PostponeIfPaused(bool writes, int64_t now_ms, std::shared_ptr<ClientHandle> client);
  // A client PostponeIfPaused held runs again, or is gone: it no longer counts as blocked.
  void Resumed() { blocked_clients_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  // Under mutex_: ends the pause, returns the clients to wake.
  std::vector<std::weak_ptr<ClientHandle>> EndLocked();
  static void Wake(std::vector<std::weak_ptr<ClientHandle>> clients);

  storage::Store& store_;
  std::atomic<int64_t>& blocked_clients_;
  std::mutex mutex_;
  std::atomic<Mode> mode_{Mode::kNone};
  int64_t end_ms_ = 0;  // under mutex_
  std::vector<std::weak_ptr<ClientHandle>> waiting_;
};

}  // namespace respd::server
