// Builds the fuzzer's command table from COMMAND LIST / INFO (respd) and COMMAND DOCS (Redis).
#include "tests/fuzz/command_fuzz_spec.h"

#include <algorithm>
#include <map>
#include <set>

#include "protocol/reply_reader.h"

namespace respd::testing::fuzz {
namespace {

using protocol::ReplyValue;

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

// A RESP2 flat key/value array (COMMAND DOCS's maps) as name -> value.
std::map<std::string, const ReplyValue*> AsMap(const ReplyValue& value) {
  std::map<std::string, const ReplyValue*> out;
  for (size_t i = 0; i + 1 < value.elements.size(); i += 2)
    out[value.elements[i].text] = &value.elements[i + 1];
  return out;
}

std::vector<std::string> Strings(const ReplyValue& value) {
  std::vector<std::string> out;
  for (const ReplyValue& item : value.elements) out.push_back(item.text);
  return out;
}

bool Query(RespClient& client, const std::vector<std::string>& argv, ReplyValue* out) {
  std::string raw = client.Command(argv);
  size_t pos = 0;
  return !raw.empty() && protocol::ReadReply(raw, &pos, out) &&
         out->type != ReplyValue::Type::kError;
}

ArgSpec ParseArg(const ReplyValue& doc) {
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
    for (const ReplyValue& child : it->second->elements) arg.children.push_back(ParseArg(child));
  }
  return arg;
}

// COMMAND DOCS <name> from Redis: the argument list, empty if Redis has no docs for it.
std::vector<ArgSpec> LoadArgs(RespClient& redis, const std::string& name) {
  ReplyValue reply;
  if (!Query(redis, {"COMMAND", "DOCS", name}, &reply) || reply.elements.size() < 2) return {};
  auto fields = AsMap(reply.elements[1]);
  std::vector<ArgSpec> args;
  if (auto it = fields.find("arguments"); it != fields.end()) {
    for (const ReplyValue& doc : it->second->elements) args.push_back(ParseArg(doc));
  }
  return args;
}

}  // namespace

bool CommandSpec::HasFlag(std::string_view flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

std::vector<CommandSpec> LoadCommandSpecs(RespClient& respd, RespClient& redis,
                                          std::string* error) {
  ReplyValue ours, theirs;
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
    ReplyValue info;
    RespClient& source = spec.registered ? respd : redis;
    if (Query(source, {"COMMAND", "INFO", name}, &info) && !info.elements.empty() &&
        info.elements[0].elements.size() >= 3) {
      const ReplyValue& entry = info.elements[0];
      spec.arity = static_cast<int>(entry.elements[1].integer);
      spec.flags = Strings(entry.elements[2]);
    }
    spec.args = LoadArgs(redis, name);
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace respd::testing::fuzz
