// ACL files and the `user` directive: Redis 7.0's ACLLoadFromFile, ACLSaveToFile and
// ACLLoadUsersAtStartup, with their messages (see acl.h).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "server/config/config.h"
#include "server/services/acl.h"

namespace respd::server {

bool AclHasSpaces(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == '\0' || std::isspace(static_cast<unsigned char>(c));
  });
}

bool MergeAclSelectors(std::span<const std::string> ops, std::vector<std::string>* merged,
                       size_t* invalid) {
  bool open = false;
  size_t open_index = 0;
  std::string selector;
  for (size_t i = 0; i < ops.size(); ++i) {
    const std::string& op = ops[i];
    if (!op.empty() && op.front() == '(' && op.back() != ')') {
      selector = op;
      open = true;
      open_index = i;
      continue;
    }
    if (open) {
      selector += " " + op;
      if (!op.empty() && op.back() == ')') {
        open = false;
        merged->push_back(std::move(selector));
      }
      continue;
    }
    merged->push_back(op);
  }
  if (open) *invalid = open_index;
  return !open;
}

std::vector<std::string> SplitAclLine(std::string_view line) {
  std::vector<std::string> words;
  size_t start = 0;
  while (true) {
    size_t end = line.find(' ', start);
    words.emplace_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return words;
}

std::string Acl::ParseFile(const std::string& text, std::map<std::string, UserRules>* users) const {
  std::string errors;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    std::string_view trimmed = line;
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!trimmed.empty() && space(trimmed.front())) trimmed.remove_prefix(1);
    while (!trimmed.empty() && space(trimmed.back())) trimmed.remove_suffix(1);
    if (trimmed.empty()) continue;
    std::vector<std::string> words = SplitAclLine(trimmed);
    std::string where = aclfile_ + ":" + std::to_string(number);
    if (words[0] != "user" || words.size() < 2) {
      errors += where + " should start with user keyword followed by the username. ";
      continue;
    }
    if (AclHasSpaces(words[1])) {
      errors += "'" + where + ": username '" + words[1] + "' contains invalid characters. ";
      continue;
    }
    if (users->count(words[1]) != 0) {
      errors += "WARNING: Duplicate user '" + words[1] + "' found on line " +
                std::to_string(number) + ". ";
      continue;
    }
    UserRules& rules = (*users)[words[1]] = NewRules();
    std::vector<std::string> merged;
    size_t invalid = 0;
    if (!MergeAclSelectors(std::span(words).subspan(2), &merged, &invalid)) {
      errors += where + ": Unmatched parenthesis in selector definition.";
    }
    for (std::string& op : merged) {
      while (!op.empty() && (op.back() == '\t' || op.back() == '\r' || op.back() == '\n')) {
        op.pop_back();
      }
      if (OpError error = ApplyUserOp(rules, op); error != OpError::kNone) {
        errors += where + ": " + std::string(OpErrorText(error)) + ". ";
      }
    }
  }
  return errors;
}

std::string Acl::LoadFile(std::vector<std::string>* replaced) {
  std::ifstream file(config_.PathInDir(aclfile_));
  if (!file) {
    return "Error loading ACLs, opening file '" + aclfile_ + "': " + std::strerror(errno);
  }
  std::ostringstream text;
  text << file.rdbuf();
  std::map<std::string, UserRules> loaded;
  std::string errors = ParseFile(text.str(), &loaded);
  if (!errors.empty()) {
    return errors +
           "WARNING: ACL errors detected, no change to the previously active ACL rules was "
           "performed";
  }
  std::unique_lock lock(mutex_);
  UserRules default_rules;
  if (auto it = loaded.find("default"); it != loaded.end()) {
    default_rules = std::move(it->second);
    loaded.erase(it);
  } else {
    default_rules = NewRules();
    for (std::string_view op : {"+@all", "~*", "&*", "on", "nopass"}) {
      ApplyUserOp(default_rules, op);
    }
  }
  for (auto& [name, user] : users_) {
    if (user == default_user_) continue;
    user->deleted_.store(true, std::memory_order_relaxed);
    user->unrestricted_.store(false, std::memory_order_relaxed);
    replaced->push_back(name);
  }
  users_.clear();
  Store(*default_user_, std::move(default_rules));
  users_.emplace("default", default_user_);
  for (auto& [name, rules] : loaded) {
    auto user = std::make_shared<AclUser>(name);
    Store(*user, std::move(rules));
    users_.emplace(name, std::move(user));
  }
  return "";
}

bool Acl::SaveFile() {
  std::string text;
  for (const std::string& line : ListLines()) text += line + "\n";
  std::string path = config_.PathInDir(aclfile_);
  std::string temp = path + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      spdlog::warn("Writing ACL file for ACL SAVE: {}", std::strerror(errno));
      std::remove(temp.c_str());
      return false;
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    spdlog::warn("Renaming ACL file for ACL SAVE: {}", std::strerror(errno));
    std::remove(temp.c_str());
    return false;
  }
  return true;
}

std::string Acl::LoadAtStartup(const std::vector<std::vector<std::string>>& users,
                               const std::string& aclfile) {
  aclfile_ = aclfile;
  if (!aclfile_.empty() && !users.empty()) {
    return "Configuring Redis with users defined in redis.conf and at the same setting an ACL "
           "file path is invalid. This setup is very likely to lead to configuration errors and "
           "security holes, please define either an ACL file or declare users directly in your "
           "redis.conf, but not both.";
  }
  std::vector<std::string> seen;
  for (const std::vector<std::string>& words : users) {
    if (words.empty()) continue;
    const std::string& name = words[0];
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return "Error in user declaration '" + name +
             "': Duplicate user found. A user can only be defined once in config files";
    }
    seen.push_back(name);
    if (AclHasSpaces(name)) return "Spaces not allowed in ACL usernames";
    std::vector<std::string> ops(words.begin() + 1, words.end());
    std::unique_lock lock(mutex_);
    auto it = users_.find(name);
    UserRules rules = NewRules();
    if (it != users_.end()) ApplyUserOp(rules, "reset");
    std::vector<std::string> merged;
    size_t invalid = 0;
    if (!MergeAclSelectors(ops, &merged, &invalid)) {
      return "Error in user declaration '" + name + "': Unmatched parenthesis";
    }
    for (const std::string& op : merged) {
      if (OpError error = ApplyUserOp(rules, op); error != OpError::kNone) {
        return "Error loading ACL rule '" + op + "' for the user named '" + name +
               "': " + std::string(OpErrorText(error));
      }
    }
    if (!rules.enabled) {
      spdlog::info(
          "The user '{}' is disabled (there is no 'on' modifier in the user description). Make "
          "sure this is not a configuration error.",
          name);
    }
    if (it != users_.end()) {
      Store(*it->second, std::move(rules));
    } else {
      auto user = std::make_shared<AclUser>(name);
      Store(*user, std::move(rules));
      users_.emplace(name, std::move(user));
    }
  }
  if (!aclfile_.empty()) {
    std::vector<std::string> replaced;
    if (std::string errors = LoadFile(&replaced); !errors.empty()) {
      return "Aborting Redis startup because of ACL errors: " + errors;
    }
  }
  return "";
}

}  // namespace respd::server
