// Command registration and lookup; Redis's derived flags and ACL categories for COMMAND.
#include "server/dispatch/command_table.h"

#include <algorithm>
#include <stdexcept>

namespace respd::server {
namespace {

constexpr size_t kMaxCommandNameLen = 64;

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
    if (!by_name_.emplace(std::string(spec.name), &spec).second) {
      throw std::logic_error("command registered twice: " + std::string(spec.name));
    }
    all_.push_back(&spec);
  }
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buffer[kMaxCommandNameLen];
  std::string_view lower = LowerName(name, buffer, sizeof(buffer));
  if (lower.empty()) return nullptr;
  auto it = by_name_.find(lower);
  return it == by_name_.end() ? nullptr : it->second;
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
