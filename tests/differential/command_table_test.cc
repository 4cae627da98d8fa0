// Every command respd registers must describe itself as Redis 7.0 does: COMMAND INFO and COMMAND
// DOCS compared byte for byte with redis-server's (RESP2 and RESP3), and COMMAND GETKEYS /
// GETKEYSANDFLAGS for sample argument lists, for each name in respd's COMMAND LIST. New commands
// are checked without new lines.
//
// Redis lists a container's subcommands in its hash table's order, which changes with each
// process's hash seed, and respd does not register every subcommand of every container: the
// subcommand entries of a container are compared as a set, Redis's restricted to those respd
// registers (each is also compared whole under its own name).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

// Commands whose COMMAND INFO is known to differ (documented in docs/COMMANDS.md).
const std::set<std::string> kKnownDifferences = {
    "client|setinfo",  // Redis 7.2's; 7.0 has no such subcommand
};

// A documented difference, or one of respd's own commands (RESPD), which Redis does not have.
bool Differs(const std::string& name) {
  return kKnownDifferences.contains(name) || name == "respd" || name.starts_with("respd|");
}

// The payload of a bulk string frame ("$3\r\nget\r\n" -> "get").
std::string BulkPayload(const std::string& frame) {
  size_t start = frame.find("\r\n");
  if (frame.empty() || frame[0] != '$' || start == std::string::npos) return frame;
  return frame.substr(start + 2, frame.size() - start - 4);
}

std::vector<std::string> BulkStrings(const std::string& frame) {
  std::vector<std::string> out;
  for (const std::string& element : SplitTopLevelElements(frame)) {
    out.push_back(BulkPayload(element));
  }
  return out;
}

// The key-value pairs of a map frame, each as key frame + value frame, in RESP2 (flat array) or
// RESP3.
std::vector<std::pair<std::string, std::string>> MapPairs(const std::string& frame) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<std::string> elements = SplitTopLevelElements(frame);
  if (!frame.empty() && frame[0] == '%') {
    for (const std::string& pair : elements) {
      size_t key_length = RespFrameLength(pair);
      pairs.emplace_back(pair.substr(0, key_length), pair.substr(key_length));
    }
    return pairs;
  }
  for (size_t i = 0; i + 1 < elements.size(); i += 2) pairs.emplace_back(elements[i], elements[i + 1]);
  return pairs;
}

struct Comparison {
  const std::set<std::string>& registered;

  // Subcommand entries (COMMAND INFO entries, or DOCS name+map pairs) kept if respd registers
  // them, sorted.
  std::string SubcommandSet(const std::vector<std::string>& entries,
                            const std::vector<std::string>& names) const {
    std::vector<std::string> kept;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (registered.contains(names[i]) && !Differs(names[i])) {
        kept.push_back(entries[i]);
      }
    }
    std::sort(kept.begin(), kept.end());
    std::string out;
    for (const std::string& entry : kept) out += entry + "\n";
    return out;
  }

  // A one-command COMMAND INFO reply with its subcommand entries as a set.
  std::string Info(const std::string& reply) const {
    std::vector<std::string> entries = SplitTopLevelElements(reply);
    if (entries.size() != 1) return reply;
    std::vector<std::string> fields = SplitTopLevelElements(entries[0]);
    if (fields.size() != 10) return reply;
    std::string out;
    for (size_t i = 0; i < 9; ++i) out += fields[i];
    std::vector<std::string> subs = SplitTopLevelElements(fields[9]);
    std::vector<std::string> names;
    for (const std::string& sub : subs) names.push_back(BulkPayload(SplitTopLevelElements(sub)[0]));
    return out + "\nsubcommands:\n" + SubcommandSet(subs, names);
  }

  // A one-command COMMAND DOCS reply with its subcommands as a set.
  std::string Docs(const std::string& reply) const {
    auto command = MapPairs(reply);
    if (command.size() != 1) return reply;
    std::string out = command[0].first;
    for (const auto& [key, value] : MapPairs(command[0].second)) {
      if (BulkPayload(key) != "subcommands") {
        out += key + value;
        continue;
      }
      std::vector<std::string> entries, names;
      for (const auto& [name, docs] : MapPairs(value)) {
        entries.push_back(name + docs);
        names.push_back(BulkPayload(name));
      }
      out += "\nsubcommands:\n" + SubcommandSet(entries, names);
    }
    return out;
  }
};

class CommandTableTest : public ::testing::TestWithParam<int> {};

TEST_P(CommandTableTest, CommandInfoAndDocsMatchRedisForEveryRegisteredCommand) {
  RESPD_REQUIRE_REDIS_SERVER();
  ServerProcess respd = ServerProcess::StartRespd();
  ServerProcess redis = ServerProcess::StartRedis();
  ASSERT_TRUE(respd.running() && redis.running());
  RespClient ours, theirs;
  ASSERT_TRUE(ours.Connect(respd.port()));
  ASSERT_TRUE(theirs.Connect(redis.port()));
  std::string protocol = std::to_string(GetParam());
  ASSERT_EQ(ours.Command({"HELLO", protocol})[0], theirs.Command({"HELLO", protocol})[0]);

  std::vector<std::string> names = BulkStrings(ours.Command({"COMMAND", "LIST"}));
  ASSERT_GT(names.size(), 200u);
  Comparison compare{std::set<std::string>(names.begin(), names.end())};
  int compared = 0;
  for (const std::string& name : names) {
    if (Differs(name)) continue;
    std::string info = ours.Command({"COMMAND", "INFO", name});
    EXPECT_NE(info.find(name), std::string::npos) << "COMMAND INFO " << name << ": " << info;
    EXPECT_EQ(compare.Info(info), compare.Info(theirs.Command({"COMMAND", "INFO", name})))
        << "COMMAND INFO " << name;
    EXPECT_EQ(compare.Docs(ours.Command({"COMMAND", "DOCS", name})),
              compare.Docs(theirs.Command({"COMMAND", "DOCS", name})))
        << "COMMAND DOCS " << name;
    ++compared;
  }
  EXPECT_GT(compared, 200);
}

INSTANTIATE_TEST_SUITE_P(Protocols, CommandTableTest, ::testing::Values(2, 3),
                         [](const auto& info) { return "Resp" + std::to_string(info.param); });

// Argument lists for commands whose keys move with their arguments or whose flags vary.
const std::vector<std::vector<std::string>> kKeyedCommandLines = {
    {"set", "k", "v"}, {"set", "k", "v", "GET"}, {"set", "k", "v", "get", "nx"},
    {"bitfield", "k", "GET", "u8", "0"}, {"bitfield", "k", "SET", "u8", "0", "1"},
    {"bitfield", "k", "GET", "u8"}, {"bitfield", "k", "overflow", "wrap", "get", "u8", "0"},
    {"bitfield_ro", "k", "GET", "u8", "0"}, {"sort", "k"}, {"sort", "k", "STORE", "d"},
    {"sort", "k", "BY", "x", "GET", "y", "STORE", "d"}, {"sort", "k", "LIMIT", "0", "1", "store", "d"},
    {"sort_ro", "k", "BY", "x"}, {"eval", "s", "0"}, {"eval", "s", "2", "a", "b"},
    {"eval", "s", "3", "a", "b"}, {"eval", "s", "-1"}, {"eval", "s", "x", "a"},
    {"evalsha", "s", "1", "a", "b"}, {"eval_ro", "s", "1", "a"}, {"fcall", "f", "0"},
    {"fcall", "f", "1", "a", "v"}, {"fcall_ro", "f", "2", "a", "b"},
    {"zunionstore", "d", "2", "a", "b"}, {"zunionstore", "d", "0", "a"},
    {"zinterstore", "d", "1", "a", "WEIGHTS", "2"}, {"zdiffstore", "d", "3", "a", "b"},
    {"zunion", "2", "a", "b", "WITHSCORES"}, {"zinter", "1", "a"}, {"zdiff", "2", "a", "b"},
    {"zintercard", "2", "a", "b", "LIMIT", "1"}, {"sintercard", "1", "a"},
    {"lmpop", "2", "a", "b", "LEFT"}, {"blmpop", "0", "2", "a", "b", "LEFT"},
    {"zmpop", "1", "a", "MIN"}, {"bzmpop", "0", "1", "a", "MAX", "COUNT", "2"},
    {"georadius", "k", "1", "2", "3", "m", "STORE", "x"},
    {"georadius", "k", "1", "2", "3", "m", "STOREDIST", "x"},
    {"georadius", "k", "1", "2", "3", "m", "store"}, {"georadius_ro", "k", "1", "2", "3", "m"},
    {"georadiusbymember", "k", "m", "3", "km", "STORE", "x"},
    {"geosearchstore", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "1", "m"},
    {"del", "a", "b", "c"}, {"mset", "a", "1", "b", "2"}, {"mset", "a", "1", "b"},
    {"msetnx", "a", "1"}, {"mget", "a", "b"}, {"rename", "a", "b"}, {"lmove", "a", "b", "LEFT", "RIGHT"},
    {"memory", "usage", "k"}, {"memory", "usage", "k", "SAMPLES", "1"}, {"object", "encoding", "k"},
    {"object", "help"}, {"config", "get", "x"}, {"memory"}, {"get"}, {"nosuchcommand", "k"},
    {"config", "nosuch", "k"}, {"bitop", "and", "d", "a", "b"}, {"pfmerge", "d", "a"},
    {"blpop", "a", "b", "0"}, {"copy", "a", "b", "DB", "1"}, {"touch", "a"},
    {"eval", "s", "1abc", "a"}, {"eval", "s", "4294967297", "a"}, {"zunionstore", "d", "1x", "a"},
    {"zinter", "01", "a"}, {"sort_ro", "k", "store", "d"}, {"sort", "k", "limit", "0", "store", "d"},
};

TEST(CommandTableTest, GetkeysMatchesRedis) {
  RESPD_REQUIRE_REDIS_SERVER();
  ServerProcess respd = ServerProcess::StartRespd();
  ServerProcess redis = ServerProcess::StartRedis();
  ASSERT_TRUE(respd.running() && redis.running());
  RespClient ours, theirs;
  ASSERT_TRUE(ours.Connect(respd.port()));
  ASSERT_TRUE(theirs.Connect(redis.port()));

  // Every registered command with plain arguments at and past its arity, then the lines above.
  std::vector<std::vector<std::string>> lines;
  for (const std::string& name : BulkStrings(ours.Command({"COMMAND", "LIST"}))) {
    if (Differs(name)) continue;
    std::vector<std::string> info = SplitTopLevelElements(
        SplitTopLevelElements(ours.Command({"COMMAND", "INFO", name}))[0]);
    int arity = std::stoi(info[1].substr(1));
    std::vector<std::string> line;
    for (size_t bar = 0, start = 0; bar != std::string::npos; start = bar + 1) {
      bar = name.find('|', start);
      line.push_back(name.substr(start, bar - start));
    }
    size_t words = line.size();
    for (int extra : {0, 1, 3}) {
      std::vector<std::string> args = line;
      size_t wanted = static_cast<size_t>(std::abs(arity)) + extra;
      for (size_t i = words; i < wanted; ++i) args.push_back("k" + std::to_string(i));
      lines.push_back(args);
      if (arity > 0) break;
    }
  }
  lines.insert(lines.end(), kKeyedCommandLines.begin(), kKeyedCommandLines.end());
  for (const auto& line : lines) {
    for (const char* subcommand : {"GETKEYS", "GETKEYSANDFLAGS"}) {
      std::vector<std::string> args = {"COMMAND", subcommand};
      args.insert(args.end(), line.begin(), line.end());
      std::string joined;
      for (const std::string& arg : args) joined += arg + " ";
      EXPECT_EQ(ours.Command(args), theirs.Command(args)) << joined;
    }
  }
}

}  // namespace
}  // namespace respd::testing
