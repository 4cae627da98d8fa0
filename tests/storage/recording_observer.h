// A keyspace observer for storage tests that records what operations reported, in order, as
// "db:key" for modifications and "db:event:key" for events.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"

namespace respd::storage {

class RecordingObserver : public KeyspaceObserver {
 public:
  void OnKeyModified(int db, std::string_view key) override {
    modified.emplace_back(std::to_string(db) + ":" + std::string(key));
  }
  void OnDbModified(int db) override { dbs.push_back(db); }
  void OnKeyReady(int, std::string_view) override {}
  void OnKeyEvent(int db, std::string_view key, KeyEvent event) override {
    events.push_back(std::to_string(db) + ":" + std::string(event.name) + ":" + std::string(key));
  }
  void Clear() {
    modified.clear();
    dbs.clear();
    events.clear();
  }

  std::vector<std::string> modified;
  std::vector<int> dbs;
  std::vector<std::string> events;
};

}  // namespace respd::storage
