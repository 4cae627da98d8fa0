// Keyspace notifications, as Redis 7.0's notify.c sends them.
#include "server/services/keyspace_notifier.h"

#include <string>

namespace respd::server {

void KeyspaceNotifier::OnKeyEvent(int db, std::string_view key, storage::KeyEvent event) {
  int64_t flags = option_.number();
  if (!(flags & event.event_class) || !pubsub_.HasSubscriptions()) return;
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
