// Command registration and lookup; Redis's derived flags and ACL categories for COMMAND.
#include "server/dispatch/command_table.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace respd::server {
namespace {

constexpr size_t kMaxCommandNameLen = 64;

}  // namespace

std::string_view LowerName(std::string_view name, char* buffer, size_t capacity) {
  if (name.size() > capacity) return {};
  for (size_t i = 0; i < name.size(); ++i) {
    buffer[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
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

std::vector<std::string_view> AclCategories(const CommandSpec& spec) {
  std::vector<std::string_view> categories;
  if (spec.flags & kWrite) categories.push_back("@write");
  if ((spec.flags & kReadonly) && spec.group != "scripting") categories.push_back("@read");
  if (spec.flags & kAdmin) {
    categories.push_back("@admin");
    categories.push_back("@dangerous");
  }
  if (spec.flags & kPubsub) categories.push_back("@pubsub");
  if (spec.flags & kFast) categories.push_back("@fast");
  if (spec.flags & kBlocking) categories.push_back("@blocking");
  if (!(spec.flags & kFast)) categories.push_back("@slow");
  static constexpr std::pair<std::string_view, std::string_view> kGroupCategory[] = {
      {"string", "@string"},
      {"list", "@list"},
      {"hash", "@hash"},
      {"set", "@set"},
      {"sorted-set", "@sortedset"},
      {"stream", "@stream"},
      {"generic", "@keyspace"},
      {"connection", "@connection"},
      {"transactions", "@transaction"},
      {"scripting", "@scripting"},
      {"pubsub", "@pubsub"},
  };
  for (const auto& [group, category] : kGroupCategory) {
    // A container (CLIENT, OBJECT...) takes no category from its group; its subcommands do.
    if (!spec.subcommands.empty()) break;
    if (spec.group == group && !(category == "@pubsub" && (spec.flags & kPubsub))) {
      categories.push_back(category);
    }
  }
  std::string_view extra = spec.acl_categories;
  while (!extra.empty()) {
    size_t end = extra.find(' ');
    std::string_view category = extra.substr(0, end);
    // "-@keyspace": a category the group implies but Redis does not give this command (SORT).
    if (category.starts_with('-')) {
      std::erase(categories, category.substr(1));
    } else if (std::find(categories.begin(), categories.end(), category) == categories.end()) {
      categories.push_back(category);
    }
    extra = end == std::string_view::npos ? std::string_view() : extra.substr(end + 1);
  }
  // COMMAND INFO lists categories in Redis's category table order.
  static constexpr std::string_view kOrder[] = {
      "@keyspace",   "@read",        "@write",    "@set",         "@sortedset", "@list",
      "@hash",       "@string",      "@bitmap",   "@hyperloglog", "@geo",       "@stream",
      "@pubsub",     "@admin",       "@fast",     "@slow",        "@blocking",  "@dangerous",
      "@connection", "@transaction", "@scripting"};
  auto rank = [](std::string_view category) {
    return std::find(std::begin(kOrder), std::end(kOrder), category) - std::begin(kOrder);
  };
  std::stable_sort(categories.begin(), categories.end(),
                   [&](std::string_view a, std::string_view b) { return rank(a) < rank(b); });
  return categories;
}

}  // namespace respd::server
