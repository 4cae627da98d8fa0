// Keyspace notifications, as Redis 7.0's notify.c sends them.
#include "server/services/keyspace_notifier.h"

#include <string>

namespace respd::server {

int64_t KeyspaceNotifier::Flags() {
  uint64_t version = option_.version();
  if (version != flags_version_.load(std::memory_order_acquire)) {
    std::lock_guard lock(flags_mutex_);
    int64_t flags = 0;
    // The letters as set: the text CONFIG GET shows drops n after an A, as Redis's does, though
    // Redis still sends "new" events.
    ParseKeyspaceEvents(option_.set_text(), &flags);
    flags_.store(flags, std::memory_order_relaxed);
    flags_version_.store(version, std::memory_order_release);
  }
  return flags_.load(std::memory_order_relaxed);
}

void KeyspaceNotifier::OnKeyEvent(int db, std::string_view key, storage::KeyEvent event) {
  // Nobody to tell: one load, before the option's version is checked.
  if (!pubsub_.HasSubscriptions()) return;
  int64_t flags = Flags();
  if (!(flags & event.event_class)) return;
  if (flags & kNotifyKeyspace) {
    std::string channel = "__keyspace@" + std::to_string(db) + "__:";
    channel.append(key);
    pubsub_.Publish(channel, event.name, /*sharded=*/false);
  }
  if (flags & kNotifyKeyevent) {
    std::string channel = "__keyevent@" + std::to_string(db) + "__:";
    channel.append(event.name);
    pubsub_.Publish(channel, key, /*sharded=*/false);
  }
}

}  // namespace respd::server
