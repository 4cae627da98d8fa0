// Redis 7.0's ACL rules, checks, descriptions and log (see acl.h); files are acl_file.cc's.
#include "server/services/acl.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>

#include "server/config/config.h"
#include "server/dispatch/command_metadata.h"
#include "server/dispatch/command_table.h"
#include "server/services/sha256.h"
#include "storage/glob.h"

namespace respd::server {
namespace {

// Redis's ACLCommandCategories, in its order (ACL CAT, the describing loop).
constexpr std::string_view kCategories[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
constexpr int kCategoryCount = std::size(kCategories);

constexpr int kReadPermission = 1;
constexpr int kWritePermission = 2;
constexpr int kReadWritePermission = kReadPermission | kWritePermission;

constexpr size_t kHashLength = 64;

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int CategoryIndex(std::string_view name) {
  for (int i = 0; i < kCategoryCount; ++i) {
    if (IEquals(name, kCategories[i])) return i;
  }
  return -1;
}

bool ValidHash(std::string_view hash) {
  return hash.size() == kHashLength && std::all_of(hash.begin(), hash.end(), [](char c) {
           return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
         });
}

// Compares without an early exit, as Redis's time_independent_strcmp does for digests.
bool DigestsEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string PatternText(const AclSelector::KeyPattern& pattern) {
  std::string_view prefix = pattern.flags == kReadWritePermission ? "~"
                            : pattern.flags == kReadPermission    ? "%R~"
                                                                  : "%W~";
  return std::string(prefix) + pattern.pattern;
}

// The words of a selector's inside, split as sdssplitargs does for plain words.
std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

// The key flags of the two commands whose key specs say variable_flags, as Redis's setGetKeys and
// bitfieldGetKeys decide them from the arguments: SET writes without reading unless GET is given;
// BITFIELD with only GET (and OVERFLOW) operations reads.
std::string_view VariableKeyFlags(std::string_view command,
                                  std::span<const std::string_view> args) {
  if (command == "set") {
    for (size_t i = 3; i < args.size(); ++i) {
      if (IEquals(args[i], "get")) return "RW access update";
    }
    return "OW update";
  }
  for (size_t i = 2; i < args.size(); ++i) {
    size_t rest = args.size() - i - 1;
    if (IEquals(args[i], "get") && rest >= 2) {
      i += 2;
    } else if (IEquals(args[i], "overflow") && rest >= 1) {
      i += 1;
    } else {
      return "RW access update";
    }
  }
  return "RO access";
}

bool Unrestricted(const AclUser::Rules& rules) {
  if (rules.selectors.size() != 1) return false;
  const AclSelector& root = rules.selectors.front();
  return root.all_commands && root.all_keys && root.all_channels;
}

}  // namespace

Acl::Acl(Config& config) : config_(config) {}

std::span<const std::string_view> Acl::CategoryNames() { return kCategories; }

void Acl::Init(const CommandTable& table) {
  auto add = [&](const CommandSpec& spec, int parent) {
    std::string full_name = parent < 0 ? std::string(spec.name)
                                       : commands_[parent].full_name + "|" + std::string(spec.name);
    const metadata::CommandMetadata* meta = metadata::Find(full_name);
    CommandInfo info{.spec = &spec,
                     .parent = parent,
                     .full_name = std::move(full_name),
                     .categories = 0,
                     .meta = meta,
                     .subcommands = {}};
    // Every registered command has metadata (command_metadata_test checks).
    std::vector<std::string_view> names =
        info.meta != nullptr ? metadata::Words(info.meta->acl_categories)
                             : std::vector<std::string_view>{};
    for (std::string_view name : names) {
      if (int index = CategoryIndex(name.substr(1)); index >= 0) info.categories |= 1u << index;
    }
    int id = static_cast<int>(commands_.size());
    ids_.emplace(&spec, id);
    ids_by_name_.emplace(info.full_name, id);
    commands_.push_back(std::move(info));
    return id;
  };
  for (const CommandSpec* spec : table.all()) {
    int id = add(*spec, -1);
    for (const CommandSpec& sub : spec->subcommands) {
      int sub_id = add(sub, id);
      commands_[id].subcommands.push_back(sub_id);
    }
  }
  UserRules rules = NewRules();
  for (std::string_view op : {"+@all", "~*", "&*", "on", "nopass"}) ApplyUserOp(rules, op);
  default_user_ = std::make_shared<AclUser>("default");
  Store(*default_user_, std::move(rules));
  users_.emplace("default", default_user_);
  aclfile_ = config_.Get("aclfile").text();
  SyncRequirepass();
}

AclSelector Acl::NewSelector() const {
  AclSelector selector;
  selector.commands.assign(commands_.size(), false);
  selector.all_channels = config_.Get("acl-pubsub-default").text() == "allchannels";
  return selector;
}

Acl::UserRules Acl::NewRules() const {
  UserRules rules;
  rules.selectors.push_back(NewSelector());
  return rules;
}

void Acl::Store(AclUser& user, UserRules rules) const {
  bool unrestricted = Unrestricted(rules);
  // Before the user can be restricted: no check may be skipped for it.
  if (!unrestricted) checking_.store(true, std::memory_order_relaxed);
  user.unrestricted_.store(unrestricted, std::memory_order_relaxed);
  user.rules_ = std::move(rules);
}

void Acl::SyncRequirepass() const {
  const Option& option = config_.requirepass();
  uint64_t version = option.version();
  if (version == requirepass_version_.load(std::memory_order_acquire)) return;
  std::unique_lock lock(mutex_);
  if (version == requirepass_version_.load(std::memory_order_relaxed)) return;
  std::string password = option.text();
  UserRules rules = default_user_->rules_;
  ApplyUserOp(rules, "resetpass");
  if (password.empty()) {
    ApplyUserOp(rules, "nopass");
  } else {
    ApplyUserOp(rules, ">" + password);
  }
  Store(*default_user_, std::move(rules));
  requirepass_version_.store(version, std::memory_order_release);
}

bool Acl::AuthRequired() const {
  SyncRequirepass();
  std::shared_lock lock(mutex_);
  return !default_user_->rules_.nopass || !default_user_->rules_.enabled;
}

bool Acl::DefaultUserNoPass() const {
  SyncRequirepass();
  std::shared_lock lock(mutex_);
  return default_user_->rules_.nopass;
}

std::shared_ptr<AclUser> Acl::Authenticate(std::string_view name, std::string_view password) {
  SyncRequirepass();
  std::shared_lock lock(mutex_);
  auto it = users_.find(name);
  if (it == users_.end()) return nullptr;
  const UserRules& rules = it->second->rules_;
  if (!rules.enabled) return nullptr;
  if (rules.nopass) return it->second;
  std::string digest = Sha256Hex(password);
  bool match = false;
  for (const std::string& stored : rules.passwords) match |= DigestsEqual(stored, digest);
  return match ? it->second : nullptr;
}

std::shared_ptr<AclUser> Acl::FindUser(std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::string_view Acl::FullName(const CommandSpec& spec) const {
  auto it = ids_.find(&spec);
  return it == ids_.end() ? spec.name : std::string_view(commands_[it->second].full_name);
}

const Acl::CommandInfo* Acl::LookupCommand(std::string_view name) const {
  auto it = ids_by_name_.find(Lower(name));
  return it == ids_by_name_.end() ? nullptr : &commands_[it->second];
}

void Acl::SetCommand(AclSelector& selector, int id, bool allow) const {
  selector.commands[id] = allow;
  if (!allow) selector.all_commands = false;
  selector.first_args.erase(id);
  for (int sub : commands_[id].subcommands) {
    selector.commands[sub] = allow;
  }
}

void Acl::SetCategory(AclSelector& selector, uint32_t category_bit, bool allow) const {
  for (size_t id = 0; id < commands_.size(); ++id) {
    if (commands_[id].categories & category_bit) SetCommand(selector, static_cast<int>(id), allow);
  }
}

Acl::OpError Acl::ApplySelectorOp(AclSelector& selector, std::string_view op) const {
  if (IEquals(op, "allkeys") || IEquals(op, "~*")) {
    selector.all_keys = true;
    selector.keys.clear();
  } else if (IEquals(op, "resetkeys")) {
    selector.all_keys = false;
    selector.keys.clear();
  } else if (IEquals(op, "allchannels") || IEquals(op, "&*")) {
    selector.all_channels = true;
    selector.channels.clear();
  } else if (IEquals(op, "resetchannels")) {
    selector.all_channels = false;
    selector.channels.clear();
  } else if (IEquals(op, "allcommands") || IEquals(op, "+@all")) {
    selector.commands.assign(commands_.size(), true);
    selector.all_commands = true;
    selector.future_commands = true;
    selector.first_args.clear();
  } else if (IEquals(op, "nocommands") || IEquals(op, "-@all")) {
    selector.commands.assign(commands_.size(), false);
    selector.all_commands = false;
    selector.future_commands = false;
    selector.first_args.clear();
  } else if (op[0] == '~' || op[0] == '%') {
    if (selector.all_keys) return OpError::kKeyAfterAll;
    int flags = 0;
    size_t offset = 1;
    if (op[0] == '%') {
      for (; offset < op.size(); ++offset) {
        char c = static_cast<char>(std::toupper(static_cast<unsigned char>(op[offset])));
        if (c == 'R' && !(flags & kReadPermission)) {
          flags |= kReadPermission;
        } else if (c == 'W' && !(flags & kWritePermission)) {
          flags |= kWritePermission;
        } else if (op[offset] == '~') {
          ++offset;
          break;
        } else {
          return OpError::kSyntax;
        }
      }
      if (flags == 0 || offset == op.size()) return OpError::kSyntax;
    } else {
      flags = kReadWritePermission;
    }
    std::string_view pattern = op.substr(std::min(offset, op.size()));
    if (AclHasSpaces(pattern)) return OpError::kSyntax;
    auto same =
        std::find_if(selector.keys.begin(), selector.keys.end(),
                     [&](const AclSelector::KeyPattern& p) { return p.pattern == pattern; });
    if (same == selector.keys.end()) {
      selector.keys.push_back({flags, std::string(pattern)});
    } else {
      same->flags |= flags;
    }
    selector.all_keys = false;
  } else if (op[0] == '&') {
    if (selector.all_channels) return OpError::kChannelAfterAll;
    std::string_view pattern = op.substr(1);
    if (AclHasSpaces(pattern)) return OpError::kSyntax;
    if (std::find(selector.channels.begin(), selector.channels.end(), pattern) ==
        selector.channels.end()) {
      selector.channels.emplace_back(pattern);
    }
    selector.all_channels = false;
  } else if (op[0] == '+' && (op.size() < 2 || op[1] != '@')) {
    std::string_view name = op.substr(1);
    size_t bar = name.rfind('|');
    if (bar == std::string_view::npos) {
      const CommandInfo* command = LookupCommand(name);
      if (command == nullptr) return OpError::kUnknown;
      SetCommand(selector, static_cast<int>(command - commands_.data()), true);
    } else {
      const CommandInfo* command = LookupCommand(name.substr(0, bar));
      if (command == nullptr) return OpError::kUnknown;
      if (command->parent >= 0) return OpError::kSubcommandFirstArg;
      std::string_view first_arg = name.substr(bar + 1);
      if (first_arg.empty()) return OpError::kSyntax;
      if (!command->subcommands.empty()) {
        const CommandInfo* sub = LookupCommand(name);
        if (sub == nullptr) return OpError::kUnknown;
        SetCommand(selector, static_cast<int>(sub - commands_.data()), true);
      } else {
        spdlog::warn(
            "Deprecation warning: Allowing a first arg of an otherwise blocked command is a "
            "misuse of ACL and may get disabled in the future (offender: {})",
            op);
        std::vector<std::string>& allowed =
            selector.first_args[static_cast<int>(command - commands_.data())];
        bool known = std::any_of(allowed.begin(), allowed.end(),
                                 [&](const std::string& a) { return IEquals(a, first_arg); });
        if (!known) allowed.emplace_back(first_arg);
      }
    }
  } else if (op[0] == '-' && (op.size() < 2 || op[1] != '@')) {
    const CommandInfo* command = LookupCommand(op.substr(1));
    if (command == nullptr) return OpError::kUnknown;
    SetCommand(selector, static_cast<int>(command - commands_.data()), false);
  } else if (op[0] == '+' || op[0] == '-') {
    int index = CategoryIndex(op.substr(2));
    if (index < 0) return OpError::kUnknown;
    SetCategory(selector, 1u << index, op[0] == '+');
  } else {
    return OpError::kSyntax;
  }
  return OpError::kNone;
}

Acl::OpError Acl::ApplyUserOp(UserRules& rules, std::string_view op) const {
  if (op.empty()) return OpError::kNone;
  if (IEquals(op, "on")) {
    rules.enabled = true;
  } else if (IEquals(op, "off")) {
    rules.enabled = false;
  } else if (IEquals(op, "skip-sanitize-payload")) {
    rules.sanitize = UserRules::Sanitize::kSkip;
  } else if (IEquals(op, "sanitize-payload")) {
    rules.sanitize = UserRules::Sanitize::kSanitize;
  } else if (IEquals(op, "nopass")) {
    rules.nopass = true;
    rules.passwords.clear();
  } else if (IEquals(op, "resetpass")) {
    rules.nopass = false;
    rules.passwords.clear();
  } else if (op[0] == '>' || op[0] == '#') {
    std::string digest;
    if (op[0] == '>') {
      digest = Sha256Hex(op.substr(1));
    } else {
      if (!ValidHash(op.substr(1))) return OpError::kBadHash;
      digest = op.substr(1);
    }
    if (std::find(rules.passwords.begin(), rules.passwords.end(), digest) ==
        rules.passwords.end()) {
      rules.passwords.push_back(std::move(digest));
    }
    rules.nopass = false;
  } else if (op[0] == '<' || op[0] == '!') {
    std::string digest;
    if (op[0] == '<') {
      digest = Sha256Hex(op.substr(1));
    } else {
      if (!ValidHash(op.substr(1))) return OpError::kBadHash;
      digest = op.substr(1);
    }
    auto it = std::find(rules.passwords.begin(), rules.passwords.end(), digest);
    if (it == rules.passwords.end()) return OpError::kNoSuchPassword;
    rules.passwords.erase(it);
  } else if (op.front() == '(' && op.back() == ')') {
    AclSelector selector = NewSelector();
    for (const std::string& word : SplitWords(op.substr(1, op.size() - 2))) {
      if (OpError error = ApplySelectorOp(selector, word); error != OpError::kNone) return error;
    }
    rules.selectors.push_back(std::move(selector));
  } else if (IEquals(op, "clearselectors")) {
    rules.selectors.resize(1);
  } else if (IEquals(op, "reset")) {
    for (std::string_view step : {"resetpass", "resetkeys", "resetchannels"}) {
      ApplyUserOp(rules, step);
    }
    if (config_.Get("acl-pubsub-default").text() == "allchannels")
      ApplyUserOp(rules, "allchannels");
    for (std::string_view step : {"off", "sanitize-payload", "clearselectors", "-@all"}) {
      ApplyUserOp(rules, step);
    }
  } else {
    return ApplySelectorOp(rules.selectors.front(), op);
  }
  return OpError::kNone;
}

std::string_view Acl::OpErrorText(OpError error) {
  switch (error) {
    case OpError::kUnknown:
      return "Unknown command or category name in ACL";
    case OpError::kSyntax:
      return "Syntax error";
    case OpError::kKeyAfterAll:
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does "
             "not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case OpError::kChannelAfterAll:
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
             "does not have any effect. Try 'resetchannels' to start with an empty list of "
             "channels";
    case OpError::kNoSuchPassword:
      return "The password you are trying to remove from the user does not exist";
    case OpError::kBadHash:
      return "The password hash must be exactly 64 characters and contain only lowercase "
             "hexadecimal characters";
    case OpError::kSubcommandFirstArg:
      return "Allowing first-arg of a subcommand is not supported";
    case OpError::kNone:
      break;
  }
  return "Wrong format";
}

std::string Acl::ApplyOps(UserRules& rules, std::span<const std::string> ops) const {
  std::vector<std::string> merged;
  size_t invalid = 0;
  if (!MergeAclSelectors(ops, &merged, &invalid)) {
    return "ERR Unmatched parenthesis in acl selector starting at '" + ops[invalid] + "'.";
  }
  for (const std::string& op : merged) {
    if (OpError error = ApplyUserOp(rules, op); error != OpError::kNone) {
      return "ERR Error in ACL SETUSER modifier '" + op + "': " + std::string(OpErrorText(error));
    }
  }
  return "";
}

std::string Acl::SetUser(std::string_view name, std::span<const std::string> ops,
                         bool* channels_narrowed) {
  if (AclHasSpaces(name)) return "ERR Usernames can't contain spaces or null characters";
  SyncRequirepass();
  std::unique_lock lock(mutex_);
  auto it = users_.find(name);
  UserRules rules = it != users_.end() ? it->second->rules_ : NewRules();
  if (std::string error = ApplyOps(rules, ops); !error.empty()) return error;
  if (it == users_.end()) {
    auto user = std::make_shared<AclUser>(std::string(name));
    Store(*user, std::move(rules));
    users_.emplace(std::string(name), std::move(user));
    return "";
  }
  if (channels_narrowed != nullptr) {
    // Redis's ACLKillPubsubClientsIfNeeded shortcuts: any selector with every channel, or every
    // old pattern still present.
    bool all = std::any_of(rules.selectors.begin(), rules.selectors.end(),
                           [](const AclSelector& s) { return s.all_channels; });
    std::vector<std::string> upcoming;
    for (const AclSelector& s : rules.selectors) {
      upcoming.insert(upcoming.end(), s.channels.begin(), s.channels.end());
    }
    bool superset = true;
    for (const AclSelector& s : it->second->rules_.selectors) {
      // Every channel before and not now: no list of patterns is a superset of that.
      superset &= !s.all_channels;
      for (const std::string& channel : s.channels) {
        superset &= std::find(upcoming.begin(), upcoming.end(), channel) != upcoming.end();
      }
    }
    *channels_narrowed = !all && !superset;
  }
  Store(*it->second, std::move(rules));
  return "";
}

bool Acl::ChannelsAllowed(std::string_view name, const std::vector<std::string>& channels,
                          const std::vector<std::string>& patterns) {
  std::shared_lock lock(mutex_);
  auto it = users_.find(name);
  if (it == users_.end()) return false;
  std::vector<std::string> upcoming;
  for (const AclSelector& s : it->second->rules_.selectors) {
    if (s.all_channels) return true;
    upcoming.insert(upcoming.end(), s.channels.begin(), s.channels.end());
  }
  auto allowed = [&](const std::string& name, bool literal) {
    return std::any_of(upcoming.begin(), upcoming.end(), [&](const std::string& pattern) {
      return literal ? pattern == name : storage::GlobMatch(pattern, name);
    });
  };
  return std::all_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return allowed(p, true); }) &&
         std::all_of(channels.begin(), channels.end(),
                     [&](const std::string& c) { return allowed(c, false); });
}

int Acl::DeleteUsers(std::span<const std::string_view> names) {
  std::unique_lock lock(mutex_);
  int deleted = 0;
  for (std::string_view name : names) {
    auto it = users_.find(name);
    if (it == users_.end()) continue;
    checking_.store(true, std::memory_order_relaxed);
    it->second->deleted_.store(true, std::memory_order_relaxed);
    it->second->unrestricted_.store(false, std::memory_order_relaxed);
    users_.erase(it);
    ++deleted;
  }
  return deleted;
}

std::vector<std::string> Acl::UserNames() {
  std::shared_lock lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, user] : users_) names.push_back(name);
  return names;
}

std::string Acl::DescribeCommands(const AclSelector& selector) const {
  // Redis's ACLDescribeSelectorCommandRules: start from +@all or -@all, add the categories that
  // fit best one at a time (more commands in common than different, fewest differences), then the
  // single commands (and first arguments) still different, applying each to a scratch selector.
  bool additive = !selector.future_commands;
  std::string rules = additive ? "-@all " : "+@all ";
  AclSelector fake;
  fake.commands.assign(commands_.size(), !additive);
  std::vector<bool> temp = selector.commands;
  bool applied[kCategoryCount] = {};
  while (true) {
    int best = -1;
    size_t min_diff = INT_MAX, max_same = 0;
    for (int j = 0; j < kCategoryCount; ++j) {
      if (applied[j]) continue;
      size_t on = 0, off = 0;
      for (size_t id = 0; id < commands_.size(); ++id) {
        if (!(commands_[id].categories & (1u << j))) continue;
        (temp[id] ? on : off)++;
      }
      size_t diff = additive ? off : on;
      size_t same = additive ? on : off;
      if (same > diff && (diff < min_diff || (diff == min_diff && same > max_same))) {
        best = j;
        min_diff = diff;
        max_same = same;
      }
    }
    if (best < 0) break;
    SetCategory(fake, 1u << best, additive);
    // The scratch copy of the user's bits gets the inverse, so the category stops looking good.
    for (size_t id = 0; id < commands_.size(); ++id) {
      if (!(commands_[id].categories & (1u << best))) continue;
      temp[id] = !additive;
      for (int sub : commands_[id].subcommands) temp[sub] = !additive;
    }
    rules += additive ? "+@" : "-@";
    rules += kCategories[best];
    rules += ' ';
    applied[best] = true;
  }
  auto single = [&](auto& self, int id) -> void {
    bool user_bit = selector.commands[id];
    if (user_bit != fake.commands[id]) {
      rules += user_bit ? '+' : '-';
      rules += commands_[id].full_name;
      rules += ' ';
      SetCommand(fake, id, user_bit);
    }
    for (int sub : commands_[id].subcommands) self(self, sub);
    auto first = selector.first_args.find(id);
    if (!user_bit && first != selector.first_args.end()) {
      for (const std::string& arg : first->second) {
        rules += "+" + commands_[id].full_name + "|" + arg + " ";
      }
    }
  };
  for (size_t id = 0; id < commands_.size(); ++id) {
    if (commands_[id].parent < 0) single(single, static_cast<int>(id));
  }
  rules.pop_back();
  return rules;
}

std::string Acl::DescribeSelector(const AclSelector& selector) const {
  std::string text;
  if (selector.all_keys) {
    text += "~* ";
  } else {
    for (const auto& pattern : selector.keys) text += PatternText(pattern) + " ";
  }
  if (selector.all_channels) {
    text += "&* ";
  } else {
    text += "resetchannels ";
    for (const std::string& channel : selector.channels) text += "&" + channel + " ";
  }
  return text + DescribeCommands(selector);
}

std::string Acl::DescribeRules(const UserRules& rules) const {
  std::string text = rules.enabled ? "on " : "off ";
  if (rules.nopass) text += "nopass ";
  if (rules.sanitize == UserRules::Sanitize::kSkip) text += "skip-sanitize-payload ";
  if (rules.sanitize == UserRules::Sanitize::kSanitize) text += "sanitize-payload ";
  for (const std::string& password : rules.passwords) text += "#" + password + " ";
  for (size_t i = 0; i < rules.selectors.size(); ++i) {
    std::string selector = DescribeSelector(rules.selectors[i]);
    text += i == 0 ? selector : " (" + selector + ")";
  }
  return text;
}

std::vector<std::string> Acl::ListLines() {
  SyncRequirepass();
  std::shared_lock lock(mutex_);
  std::vector<std::string> lines;
  for (const auto& [name, user] : users_) {
    lines.push_back("user " + name + " " + DescribeRules(user->rules_));
  }
  return lines;
}

bool Acl::GetUser(std::string_view name, AclUserDescription* description) {
  SyncRequirepass();
  std::shared_lock lock(mutex_);
  auto it = users_.find(name);
  if (it == users_.end()) return false;
  const UserRules& rules = it->second->rules_;
  description->flags.push_back(rules.enabled ? "on" : "off");
  if (rules.nopass) description->flags.push_back("nopass");
  if (rules.sanitize == UserRules::Sanitize::kSkip) {
    description->flags.push_back("skip-sanitize-payload");
  }
  if (rules.sanitize == UserRules::Sanitize::kSanitize) {
    description->flags.push_back("sanitize-payload");
  }
  description->passwords = rules.passwords;
  for (const AclSelector& selector : rules.selectors) {
    AclSelectorDescription out;
    out.commands = DescribeCommands(selector);
    if (selector.all_keys) {
      out.keys = "~*";
    } else {
      for (const auto& pattern : selector.keys) {
        if (!out.keys.empty()) out.keys += ' ';
        out.keys += PatternText(pattern);
      }
    }
    if (selector.all_channels) {
      out.channels = "&*";
    } else {
      for (const std::string& channel : selector.channels) {
        if (!out.channels.empty()) out.channels += ' ';
        out.channels += "&" + channel;
      }
    }
    description->selectors.push_back(std::move(out));
  }
  return true;
}

bool Acl::CommandsInCategory(std::string_view category,
                             std::vector<std::string_view>* names) const {
  int index = CategoryIndex(category);
  if (index < 0) return false;
  for (const CommandInfo& command : commands_) {
    if (command.categories & (1u << index)) names->push_back(command.full_name);
  }
  return true;
}

AclVerdict Acl::Check(const AclUser& user, const CommandSpec& spec,
                      std::span<const std::string_view> args) {
  if (user.unrestricted_.load(std::memory_order_relaxed)) return {};
  if (user.deleted_.load(std::memory_order_relaxed)) return {AclDenial::kCommand, 0};
  std::shared_lock lock(mutex_);
  auto id = ids_.find(&spec);
  if (id == ids_.end()) return {};
  const CommandInfo& command = commands_[id->second];
  // Redis's pick when every selector refuses: the strongest reason, then the latest argument.
  AclVerdict verdict{AclDenial::kCommand, 0};
  int index = 0;
  for (const AclSelector& selector : user.rules_.selectors) {
    AclDenial denial = CheckSelector(selector, command, args, &index);
    if (denial == AclDenial::kNone) return {};
    if (denial > verdict.denial || (denial == verdict.denial && index > verdict.arg_index)) {
      verdict = {denial, index};
    }
  }
  return verdict;
}

AclDenial Acl::CheckSelector(const AclSelector& selector, const CommandInfo& command,
                             std::span<const std::string_view> args, int* arg_index) const {
  const CommandSpec& spec = *command.spec;
  int id = static_cast<int>(&command - commands_.data());
  if (!selector.all_commands && !(spec.flags & kNoAuth) && !selector.commands[id]) {
    auto first = selector.first_args.find(id);
    if (args.size() < 2 || first == selector.first_args.end()) return AclDenial::kCommand;
    size_t position = command.parent >= 0 ? 2 : 1;
    if (position >= args.size()) return AclDenial::kCommand;
    bool allowed =
        std::any_of(first->second.begin(), first->second.end(),
                    [&](const std::string& arg) { return IEquals(arg, args[position]); });
    if (!allowed) return AclDenial::kCommand;
  }
  bool has_keys = spec.first_key > 0 || spec.movable_keys != nullptr ||
                  (command.meta != nullptr && !command.meta->key_specs.empty());
  if (!selector.all_keys && has_keys) {
    std::vector<metadata::KeyReference> keys;
    if (command.meta == nullptr || !metadata::KeysFromSpecs(*command.meta, args, &keys)) {
      keys.clear();
      std::vector<int> positions;
      KeyPositions(spec, args, &positions);
      std::string_view flags = (spec.flags & CommandFlag::kWrite) ? "access update" : "access";
      for (int position : positions) keys.push_back({position, flags});
    } else if (metadata::HasWord(command.meta->key_specs.front().flags, "variable_flags")) {
      for (auto& key : keys) key.flags = VariableKeyFlags(command.full_name, args);
    }
    for (const metadata::KeyReference& key : keys) {
      int wanted = 0;
      for (std::string_view word : metadata::Words(key.flags)) {
        if (word == "access") wanted |= kReadPermission;
        if (word == "insert" || word == "delete" || word == "update") wanted |= kWritePermission;
      }
      bool ok = std::any_of(selector.keys.begin(), selector.keys.end(), [&](const auto& pattern) {
        return (pattern.flags & wanted) == wanted &&
               storage::GlobMatch(pattern.pattern, args[key.position]);
      });
      if (!ok) {
        *arg_index = key.position;
        return AclDenial::kKey;
      }
    }
  }
  if (!selector.all_channels && command.parent < 0) {
    std::string_view name = spec.name;
    size_t first = 1, last = 0;
    bool literal = false;
    if (name == "publish" || name == "spublish") {
      last = 1;
    } else if (name == "subscribe" || name == "ssubscribe" || name == "psubscribe") {
      last = args.size() - 1;
      literal = name == "psubscribe";
    }
    for (size_t i = first; i <= last && i < args.size(); ++i) {
      bool ok = std::any_of(
          selector.channels.begin(), selector.channels.end(), [&](const std::string& pattern) {
            return literal ? pattern == args[i] : storage::GlobMatch(pattern, args[i]);
          });
      if (!ok) {
        *arg_index = static_cast<int>(i);
        return AclDenial::kChannel;
      }
    }
  }
  return AclDenial::kNone;
}

void Acl::Log(AclDenial reason, AclLogContext context, std::string object, std::string username,
              int64_t now_ms, std::string client_info) {
  constexpr int64_t kGroupingMs = 60000;  // Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA
  constexpr int kScanned = 10;            // entries Redis looks at for one to bump
  std::lock_guard lock(log_mutex_);
  int scanned = 0;
  for (auto it = log_.begin(); it != log_.end() && scanned < kScanned; ++it, ++scanned) {
    if (it->reason == reason && it->context == context &&
        std::llabs(it->ctime_ms - now_ms) <= kGroupingMs && it->object == object &&
        it->username == username) {
      AclLogEntry entry = std::move(*it);
      log_.erase(it);
      entry.count++;
      entry.ctime_ms = now_ms;
      entry.client_info = std::move(client_info);
      log_.push_front(std::move(entry));
      return;
    }
  }
  log_.push_front({.reason = reason,
                   .context = context,
                   .object = std::move(object),
                   .username = std::move(username),
                   .ctime_ms = now_ms,
                   .client_info = std::move(client_info)});
  size_t max_len =
      static_cast<size_t>(std::max<int64_t>(0, config_.Get("acllog-max-len").number()));
  while (log_.size() > max_len) log_.pop_back();
}

std::vector<AclLogEntry> Acl::LogEntries(size_t count) {
  std::lock_guard lock(log_mutex_);
  count = std::min(count, log_.size());
  return {log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(count)};
}

void Acl::ResetLog() {
  std::lock_guard lock(log_mutex_);
  log_.clear();
}

}  // namespace respd::server
