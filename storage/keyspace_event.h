// What an operation did to a key, as Redis names it for keyspace notifications: an event name
// ("lpush", "expire", "del"...) and the class `notify-keyspace-events` filters it by. Typed storage
// operations report their events through Database::Touch/Notify, so notifications, client-side
// caching and memory accounting hang off storage instead of every command handler.
#pragma once

#include <cstdint>
#include <string_view>

namespace respd::storage {

// Redis's NOTIFY_* bits (K and E, bits 0 and 1, select the channels, not the event).
enum EventClass : uint32_t {
  kEventGeneric = 1u << 2,  // g
  kEventString = 1u << 3,   // $
  kEventList = 1u << 4,     // l
  kEventSet = 1u << 5,      // s
  kEventHash = 1u << 6,     // h
  kEventZset = 1u << 7,     // z
  kEventExpired = 1u << 8,  // x
  kEventEvicted = 1u << 9,  // e
  kEventStream = 1u << 10,  // t
  kEventKeyMiss = 1u << 11,  // m
  kEventModule = 1u << 13,  // d
  kEventNew = 1u << 14,     // n
};

struct KeyEvent {
  EventClass event_class;
  std::string_view name;  // Redis's event name, e.g. "lpush"
};

// Events several types or operations share.
inline constexpr KeyEvent kDelEvent{kEventGeneric, "del"};
inline constexpr KeyEvent kExpireEvent{kEventGeneric, "expire"};
inline constexpr KeyEvent kPersistEvent{kEventGeneric, "persist"};
inline constexpr KeyEvent kExpiredEvent{kEventExpired, "expired"};
inline constexpr KeyEvent kEvictedEvent{kEventEvicted, "evicted"};
inline constexpr KeyEvent kNewKeyEvent{kEventNew, "new"};
inline constexpr KeyEvent kKeyMissEvent{kEventKeyMiss, "keymiss"};

}  // namespace respd::storage
