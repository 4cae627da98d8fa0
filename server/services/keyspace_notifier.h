// Keyspace notifications: turns the events typed storage operations report (Database::Touch and
// Notify) into messages on __keyspace@<db>__:<key> and __keyevent@<db>__:<event>, filtered by
// notify-keyspace-events, as Redis's notifyKeyspaceEvent does. Runs under the shard lock of the
// key, so it only encodes and queues (PubSubRegistry::Publish never blocks).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "server/config/config.h"
#include "server/services/pubsub.h"
#include "storage/database.h"

namespace respd::server {

class KeyspaceNotifier : public storage::KeyspaceObserver {
 public:
  KeyspaceNotifier(Config& config, PubSubRegistry& pubsub)
      : option_(config.Get("notify-keyspace-events")), pubsub_(pubsub) {}

  void OnKeyModified(int, std::string_view) override {}
  void OnDbModified(int) override {}
  void OnKeyReady(int, std::string_view) override {}
  void OnKeyEvent(int db, std::string_view key, storage::KeyEvent event) override;

 private:
  // notify-keyspace-events' bits, parsed again only after the option changed.
  int64_t Flags();

  const Option& option_;
  PubSubRegistry& pubsub_;
  std::mutex flags_mutex_;
  std::atomic<uint64_t> flags_version_{UINT64_MAX};
  std::atomic<int64_t> flags_{0};
};

}  // namespace respd::server
