// Builds the fuzzer's command table from COMMAND LIST / INFO (respd) and COMMAND DOCS (Redis).
#include "tests/fuzz/command_fuzz_spec.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace respd::testing::fuzz {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ::tolower);
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ::toupper);
  return out;
}

bool ParseInt(std::string_view text, int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// A RESP2 flat key/value array (COMMAND DOCS's maps) as name -> value.
std::map<std::string, const RespValue*> AsMap(const RespValue& value) {
  std::map<std::string, const RespValue*> out;
  for (size_t i = 0; i + 1 < value.items.size(); i += 2)
    out[value.items[i].text] = &value.items[i + 1];
  return out;
}

std::vector<std::string> Strings(const RespValue& value) {
  std::vector<std::string> out;
  for (const RespValue& item : value.items) out.push_back(item.text);
  return out;
}

bool Query(RespClient& client, const std::vector<std::string>& argv, RespValue* out) {
  std::string raw = client.Command(argv);
  size_t pos = 0;
  return !raw.empty() && ParseResp(raw, &pos, out) && out->type != '-';
}

ArgSpec ParseArg(const RespValue& doc) {
  static const std::map<std::string, ArgSpec::Type, std::less<>> kTypes = {
      {"key", ArgSpec::Type::kKey},          {"string", ArgSpec::Type::kString},
      {"integer", ArgSpec::Type::kInteger},  {"double", ArgSpec::Type::kDouble},
      {"pattern", ArgSpec::Type::kPattern},  {"unix-time", ArgSpec::Type::kUnixTime},
      {"pure-token", ArgSpec::Type::kToken}, {"oneof", ArgSpec::Type::kOneOf},
      {"block", ArgSpec::Type::kBlock}};
  ArgSpec arg;
  auto fields = AsMap(doc);
  if (auto it = fields.find("name"); it != fields.end()) arg.name = it->second->text;
  if (auto it = fields.find("type"); it != fields.end()) {
    auto type = kTypes.find(it->second->text);
    if (type != kTypes.end()) arg.type = type->second;
  }
  if (auto it = fields.find("token"); it != fields.end()) arg.token = it->second->text;
  if (auto it = fields.find("flags"); it != fields.end()) {
    for (const std::string& flag : Strings(*it->second)) {
      arg.optional |= flag == "optional";
      arg.multiple |= flag == "multiple";
      arg.multiple_token |= flag == "multiple_token";
    }
  }
  if (auto it = fields.find("arguments"); it != fields.end()) {
    for (const RespValue& child : it->second->items) arg.children.push_back(ParseArg(child));
  }
  return arg;
}

// COMMAND DOCS <name> from Redis: the argument list, empty if Redis has no docs for it.
std::vector<ArgSpec> LoadArgs(RespClient& redis, const std::string& name) {
  RespValue reply;
  if (!Query(redis, {"COMMAND", "DOCS", name}, &reply) || reply.items.size() < 2) return {};
  auto fields = AsMap(reply.items[1]);
  std::vector<ArgSpec> args;
  if (auto it = fields.find("arguments"); it != fields.end()) {
    for (const RespValue& doc : it->second->items) args.push_back(ParseArg(doc));
  }
  return args;
}

}  // namespace

bool ParseResp(std::string_view data, size_t* pos, RespValue* out) {
  size_t start = *pos;
  if (start >= data.size()) return false;
  size_t eol = data.find("\r\n", start);
  if (eol == std::string_view::npos) return false;
  *out = RespValue{};
  out->type = data[start];
  std::string_view line = data.substr(start + 1, eol - start - 1);
  *pos = eol + 2;
  int64_t count = 0;
  switch (out->type) {
    case '$':
    case '!':
    case '=':
      if (!ParseInt(line, &count)) return false;
      if (count < 0) {
        out->null = true;
        return true;
      }
      if (*pos + static_cast<size_t>(count) + 2 > data.size()) return false;
      out->text = std::string(data.substr(*pos, static_cast<size_t>(count)));
      *pos += static_cast<size_t>(count) + 2;
      return true;
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      if (!ParseInt(line, &count)) return false;
      if (count < 0) {
        out->null = true;
        return true;
      }
      int64_t elements = (out->type == '%' || out->type == '|') ? count * 2 : count;
      for (int64_t i = 0; i < elements; ++i) {
        RespValue item;
        if (!ParseResp(data, pos, &item)) return false;
        out->items.push_back(std::move(item));
      }
      if (out->type == '|') return ParseResp(data, pos, out);  // the attributed reply follows
      return true;
    }
    case '_':
      out->null = true;
      return true;
    default:
      out->text = std::string(line);
      return true;
  }
}

bool CommandSpec::HasFlag(std::string_view flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

std::vector<CommandSpec> LoadCommandSpecs(RespClient& respd, RespClient& redis,
                                          std::string* error) {
  RespValue ours, theirs;
  if (!Query(respd, {"COMMAND", "LIST"}, &ours) || !Query(redis, {"COMMAND", "LIST"}, &theirs)) {
    *error = "COMMAND LIST failed";
    return {};
  }
  std::set<std::string> registered;
  for (const std::string& name : Strings(ours)) registered.insert(Lower(name));
  std::set<std::string> all = registered;
  for (const std::string& name : Strings(theirs)) all.insert(Lower(name));

  std::vector<CommandSpec> specs;
  for (const std::string& name : all) {
    CommandSpec spec;
    spec.full_name = name;
    spec.registered = registered.count(name) > 0;
    spec.rule = RuleFor(name);
    size_t bar = name.find('|');
    spec.words.push_back(Upper(name.substr(0, bar)));
    if (bar != std::string::npos) spec.words.push_back(Upper(name.substr(bar + 1)));
    spec.container = bar == std::string::npos && all.lower_bound(name + "|") != all.end() &&
                     all.lower_bound(name + "|")->rfind(name + "|", 0) == 0;
    RespValue info;
    RespClient& source = spec.registered ? respd : redis;
    if (Query(source, {"COMMAND", "INFO", name}, &info) && !info.items.empty() &&
        info.items[0].items.size() >= 3) {
      const RespValue& entry = info.items[0];
      int64_t arity = 0;
      if (ParseInt(entry.items[1].text, &arity)) spec.arity = static_cast<int>(arity);
      spec.flags = Strings(entry.items[2]);
    }
    spec.args = LoadArgs(redis, name);
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace respd::testing::fuzz
