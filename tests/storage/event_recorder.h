// A keyspace observer for storage tests that records what typed operations report: the events
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
  // "new" is the database's event for any added key (Redis's dbAdd), not the operation's: the
  // operation tests leave it to the database's tests.
  void OnKeyEvent(int, std::string_view key, KeyEvent event) override {
    if (event.event_class == kEventNew) return;
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
