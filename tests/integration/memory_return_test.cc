// Memory a client's large command took comes back once the command is done, on the same
// connection (Redis's unit/lazyfree measures used_memory so, over one connection).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

int64_t UsedMemory(RespClient& c) {
  std::string info = BulkPayload(c.Command({"INFO", "memory"}));
  size_t at = info.find("\r\nused_memory:");
  if (at == std::string::npos) at = info.find("used_memory:");
  at = info.find(':', at) + 1;
  return std::stoll(info.substr(at, info.find("\r\n", at) - at));
}

TEST(MemoryReturnTest, ManyArgumentsCommandLeavesNothingBehindOnItsConnection) {
  ServerProcess server = ServerProcess::StartRespd({"--save", ""});
  ASSERT_TRUE(server.running());
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  const int64_t before = UsedMemory(c);
  std::vector<std::string> sadd = {"SADD", "myset"};
  for (int i = 0; i < 100000; ++i) sadd.push_back(std::to_string(i));
  ASSERT_EQ(c.Command(sadd), ":100000\r\n");
  const int64_t peak = UsedMemory(c);
  EXPECT_GT(peak, before + 1000000);
  ASSERT_EQ(c.Command({"UNLINK", "myset"}), ":1\r\n");
  // UNLINK hands the set to the lazy-free thread; Redis's test waits for it too.
  for (int i = 0;
       i < 500 && InfoField(c.Command({"INFO", "memory"}), "lazyfree_pending_objects") != "0";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // The parser's argument list for 100,000 arguments alone is 1.6 MB.
  EXPECT_LT(UsedMemory(c), before * 2) << "before " << before << ", peak " << peak;
}

}  // namespace
}  // namespace respd::testing
