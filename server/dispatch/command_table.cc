// Command registration and lookup; Redis's derived flags and ACL categories for COMMAND.
#include "server/dispatch/command_table.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace respd::server {
namespace {

constexpr size_t kMaxCommandNameLen = 64;
// Slots per command, at least: probes stay short.
constexpr size_t kTableLoadFactor = 4;

}  // namespace

std::string_view LowerName(std::string_view name, char* buffer, size_t capacity) {
  if (name.size() > capacity) return {};
  // ASCII only, as Redis's strcasecmp in the C locale: no locale lookup per byte.
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buffer[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
  }
  return {buffer, name.size()};
}

void CommandTable::Register(std::span<const CommandSpec> rows) {
  for (const CommandSpec& spec : rows) {
    if (FindLower(spec.name, storage::HashBytes(spec.name)) != nullptr) {
      throw std::logic_error("command registered twice: " + std::string(spec.name));
    }
    all_.push_back(&spec);
  }
  if (slots_.size() < all_.size() * kTableLoadFactor) {
    slots_.assign(std::bit_ceil(all_.size() * kTableLoadFactor), Slot{});
    for (const CommandSpec* spec : all_) Place(spec);
  } else {
    for (const CommandSpec& spec : rows) Place(&spec);
  }
}

void CommandTable::Place(const CommandSpec* spec) {
  uint64_t hash = storage::HashBytes(spec->name);
  size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].spec != nullptr) i = (i + 1) & mask;
  slots_[i] = {hash, spec};
}

const CommandSpec* CommandTable::FindLower(std::string_view lower, uint64_t hash) const {
  if (slots_.empty()) return nullptr;
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.spec == nullptr) return nullptr;
    if (slot.hash == hash && slot.spec->name == lower) return slot.spec;
  }
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buffer[kMaxCommandNameLen];
  std::string_view lower = LowerName(name, buffer, sizeof(buffer));
  if (lower.empty()) return nullptr;
  return FindLower(lower, storage::HashBytes(lower));
}

const CommandSpec* CommandTable::FindSubcommand(const CommandSpec& container,
                                                std::string_view name) {
  char buffer[kMaxCommandNameLen];
  std::string_view lower = LowerName(name, buffer, sizeof(buffer));
  if (lower.empty()) return nullptr;
  for (const CommandSpec& sub : container.subcommands) {
    if (sub.name == lower) return &sub;
  }
  return nullptr;
}

std::vector<std::string_view> FlagNames(const CommandSpec& spec) {
  static constexpr std::pair<CommandFlag, std::string_view> kNames[] = {
      {kWrite, "write"},
      {kReadonly, "readonly"},
      {kDenyOom, "denyoom"},
      {kAdmin, "admin"},
      {kPubsub, "pubsub"},
      {kNoscript, "noscript"},
      {kBlocking, "blocking"},
      {kLoading, "loading"},
      {kStale, "stale"},
      {kSkipMonitor, "skip_monitor"},
      {kSkipSlowlog, "skip_slowlog"},
      {kFast, "fast"},
      {kNoAuth, "no_auth"},
      // Redis hides may_replicate from COMMAND INFO.
      {kNoMandatoryKeys, "no_mandatory_keys"},
      {kNoAsyncLoading, "no_async_loading"},
      {kAsking, "asking"},
      {kNoMulti, "no_multi"},
      {kMovableKeys, "movablekeys"},
      {kAllowBusy, "allow_busy"},
  };
  std::vector<std::string_view> names;
  for (const auto& [flag, name] : kNames) {
    if (spec.flags & flag) names.push_back(name);
  }
  return names;
}

}  // namespace respd::server
