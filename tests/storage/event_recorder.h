// A keyspace observer for storage and command tests that records what typed operations report: the events
// ("lpush:k"), the modification signals and the ready signals, in order.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/database.h"

namespace respd::storage {

class EventRecorder : public KeyspaceObserver {
 public:
  void OnKeyModified(int, std::string_view key) override { modified.emplace_back(key); }
  void OnDbModified(int) override {}
  void OnKeyReady(int, std::string_view key) override { ready.emplace_back(key); }
  // "new" and "keymiss" are the database's events for any added key and any read lookup that
  // misses (Redis's dbAdd and lookupKeyRead), not the operation's: tests of operations and
  // commands leave them to keyspace_events_new_keymiss.txt, which checks them against Redis.
  void OnKeyEvent(int, std::string_view key, KeyEvent event) override {
    if (event.event_class == kEventNew || event.event_class == kEventKeyMiss) return;
    events.push_back(std::string(event.name) + ":" + std::string(key));
  }
  // The events recorded since the last call.
  std::vector<std::string> Take() { return std::exchange(events, {}); }
  void Clear() {
    events.clear();
    modified.clear();
    ready.clear();
  }

  std::vector<std::string> events;
  std::vector<std::string> modified;
  std::vector<std::string> ready;
};

}  // namespace respd::storage
