// math.random in scripts from a fresh server: Redis's rand48 starts from a fixed state, so the
// sequence a script sees before any math.randomseed is the same on every start, and respd must
// give the same one. Needs servers of its own (the shared ones have run other scripts).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

std::vector<std::string> RandomSequence(int port) {
  RespClient client;
  if (!client.Connect(port)) return {"connect failed"};
  std::vector<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    seen.push_back(client.Command({"EVAL", "return {math.random(100000), math.random()}", "0"}));
  }
  seen.push_back(client.Command(
      {"FUNCTION", "LOAD",
       "#!lua name=rnd\nredis.register_function('rnd', function() return math.random(9) end)"}));
  seen.push_back(client.Command({"FCALL", "rnd", "0"}));
  seen.push_back(client.Command({"EVAL", "math.randomseed(7) return math.random(100000)", "0"}));
  seen.push_back(client.Command({"EVAL", "return math.random(100000)", "0"}));
  return seen;
}

TEST(ScriptRandomTest, SequenceFromAFreshServerIsRedis) {
  if (!HaveExecutable("redis-server")) GTEST_SKIP() << "redis-server is not installed";
  ServerProcess redis = ServerProcess::StartRedis();
  ASSERT_TRUE(redis.running());
  ServerProcess respd = ServerProcess::StartRespd();
  ASSERT_TRUE(respd.running());
  EXPECT_EQ(RandomSequence(respd.port()), RandomSequence(redis.port()));
}

}  // namespace
}  // namespace respd::testing
