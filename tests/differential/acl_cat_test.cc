// ACL CAT <category> must list, of the commands respd has, exactly those Redis 7.0 lists: the
// categories come from the command metadata, so a command in the wrong category would let a user
// run it (or not) differently from Redis. Redis lists in its hash table's order, so the lists are
// compared as sets, Redis's restricted to commands respd registers.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

std::set<std::string> Names(const std::string& frame) {
  std::set<std::string> names;
  for (const std::string& element : SplitTopLevelElements(frame)) names.insert(BulkPayload(element));
  return names;
}

TEST(AclCatTest, EveryCategoryListsWhatRedisListsOfRespdsCommands) {
  RESPD_REQUIRE_REDIS_SERVER();
  ServerProcess respd = ServerProcess::StartRespd();
  ServerProcess redis = ServerProcess::StartRedis();
  ASSERT_TRUE(respd.running() && redis.running());
  RespClient ours, theirs;
  ASSERT_TRUE(ours.Connect(respd.port()));
  ASSERT_TRUE(theirs.Connect(redis.port()));
  std::string categories = ours.Command({"ACL", "CAT"});
  ASSERT_EQ(categories, theirs.Command({"ACL", "CAT"}));
  std::set<std::string> known;  // every command respd has is @fast or @slow
  for (const std::string& category : Names(categories)) {
    for (const std::string& name : Names(ours.Command({"ACL", "CAT", category})))
      known.insert(name);
  }
  ASSERT_GT(known.size(), 250u);
  for (const std::string& category : Names(categories)) {
    std::set<std::string> our_names = Names(ours.Command({"ACL", "CAT", category}));
    std::set<std::string> their_names;
    for (const std::string& name : Names(theirs.Command({"ACL", "CAT", category}))) {
      if (known.contains(name)) their_names.insert(name);
    }
    // RESPD is respd's own; CLIENT SETINFO is Redis 7.2's (docs/COMMANDS.md).
    std::erase_if(our_names, [](const std::string& name) {
      return name.starts_with("respd") || name == "client|setinfo";
    });
    EXPECT_EQ(our_names, their_names) << "ACL CAT " << category;
  }
}

}  // namespace
}  // namespace respd::testing
