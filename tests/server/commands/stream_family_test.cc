// Stream family through the dispatcher: IDs from the server clock, the last-ID rule, groups and
// claims at a frozen instant (so idle times are exact), and the keyspace events.
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

using StreamFamilyTest = CommandTest;

TEST_F(StreamFamilyTest, AutoIdsFollowTheClockAndNeverGoBack) {
  clock_.FreezeAt(5000 * 1000);
  EXPECT_EQ(Run({"xadd", "s", "*", "a", "1"}), "$6\r\n5000-0\r\n");
  EXPECT_EQ(Run({"xadd", "s", "*", "a", "2"}), "$6\r\n5000-1\r\n");
  clock_.Advance(-1000 * 1000);  // the clock goes back: IDs do not
  EXPECT_EQ(Run({"xadd", "s", "*", "a", "3"}), "$6\r\n5000-2\r\n");
  EXPECT_EQ(
      Run({"xadd", "s", "4000-*", "a", "4"}),
      "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
  EXPECT_EQ(Run({"xadd", "s", "5000-*", "a", "4"}), "$6\r\n5000-3\r\n");
  clock_.Advance(2000 * 1000);
  EXPECT_EQ(Run({"xadd", "s", "*", "a", "5"}), "$6\r\n6000-0\r\n");
  EXPECT_EQ(Run({"xlen", "s"}), ":5\r\n");
  EXPECT_EQ(Run({"type", "s"}), "+stream\r\n");
  EXPECT_EQ(Run({"object", "encoding", "s"}), "$6\r\nstream\r\n");
}

TEST_F(StreamFamilyTest, PendingIdleTimesAndClaims) {
  clock_.FreezeAt(10000 * 1000);
  Run({"xadd", "s", "1", "f", "v"});
  Run({"xadd", "s", "2", "f", "v"});
  EXPECT_EQ(Run({"xgroup", "create", "s", "g", "0"}), "+OK\r\n");
  Run({"xreadgroup", "group", "g", "alice", "streams", "s", ">"});
  clock_.Advance(1500 * 1000);
  EXPECT_EQ(Run({"xpending", "s", "g", "-", "+", "10"}),
            "*2\r\n*4\r\n$3\r\n1-0\r\n$5\r\nalice\r\n:1500\r\n:1\r\n"
            "*4\r\n$3\r\n2-0\r\n$5\r\nalice\r\n:1500\r\n:1\r\n");
  EXPECT_EQ(Run({"xclaim", "s", "g", "bob", "2000", "1-0"}), "*0\r\n");
  EXPECT_EQ(Run({"xclaim", "s", "g", "bob", "1000", "1-0", "justid"}), "*1\r\n$3\r\n1-0\r\n");
  EXPECT_EQ(Run({"xpending", "s", "g", "idle", "1000", "-", "+", "10"}),
            "*1\r\n*4\r\n$3\r\n2-0\r\n$5\r\nalice\r\n:1500\r\n:1\r\n");
  EXPECT_EQ(Run({"xautoclaim", "s", "g", "carol", "1000", "0", "justid"}),
            "*3\r\n$3\r\n0-0\r\n*1\r\n$3\r\n2-0\r\n*0\r\n");
  EXPECT_EQ(Run({"xinfo", "consumers", "s", "g"}),
            "*3\r\n*6\r\n$4\r\nname\r\n$5\r\nalice\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n"
            ":1500\r\n*6\r\n$4\r\nname\r\n$3\r\nbob\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n"
            ":0\r\n*6\r\n$4\r\nname\r\n$5\r\ncarol\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:0\r\n");
}

// Redis's claims look the consumer up when they first claim an entry, and that lookup refreshes
// an existing consumer's seen-time; a claim that takes nothing leaves it.
TEST_F(StreamFamilyTest, ClaimsRefreshAnExistingConsumersIdleTime) {
  clock_.FreezeAt(10000 * 1000);
  Run({"xadd", "s", "1", "f", "v"});
  Run({"xadd", "s", "2", "f", "v"});
  Run({"xgroup", "create", "s", "g", "0"});
  Run({"xreadgroup", "group", "g", "alice", "count", "1", "streams", "s", ">"});
  Run({"xreadgroup", "group", "g", "bob", "count", "1", "streams", "s", ">"});
  auto bob_idle = [&] {
    std::string reply = Run({"xinfo", "consumers", "s", "g"});
    size_t bob = reply.find("bob");
    size_t idle = reply.find("idle\r\n:", bob);
    return reply.substr(idle + 7, reply.find("\r\n", idle + 7) - idle - 7);
  };
  clock_.Advance(1000 * 1000);
  EXPECT_EQ(Run({"xclaim", "s", "g", "bob", "5000", "1-0"}), "*0\r\n");
  EXPECT_EQ(bob_idle(), "1000");
  EXPECT_EQ(Run({"xclaim", "s", "g", "bob", "500", "1-0", "justid"}), "*1\r\n$3\r\n1-0\r\n");
  EXPECT_EQ(bob_idle(), "0");
  clock_.Advance(1000 * 1000);
  EXPECT_EQ(Run({"xautoclaim", "s", "g", "bob", "5000", "0", "justid"}),
            "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
  EXPECT_EQ(bob_idle(), "1000");
  EXPECT_EQ(Run({"xautoclaim", "s", "g", "bob", "500", "0", "count", "1", "justid"}),
            "*3\r\n$3\r\n2-0\r\n*1\r\n$3\r\n1-0\r\n*0\r\n");
  EXPECT_EQ(bob_idle(), "0");
}

TEST_F(StreamFamilyTest, DeletedEntriesLeaveThePendingListOnClaim) {
  Run({"xadd", "s", "1", "f", "v"});
  Run({"xgroup", "create", "s", "g", "0"});
  Run({"xreadgroup", "group", "g", "alice", "streams", "s", ">"});
  Run({"xdel", "s", "1"});
  EXPECT_EQ(Run({"xreadgroup", "group", "g", "alice", "streams", "s", "0"}),
            "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*-1\r\n");
  EXPECT_EQ(Run({"xautoclaim", "s", "g", "bob", "0", "0"}),
            "*3\r\n$3\r\n0-0\r\n*0\r\n*1\r\n$3\r\n1-0\r\n");
  EXPECT_EQ(Run({"xpending", "s", "g"}), "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
}

TEST_F(StreamFamilyTest, ReadInsideMultiDoesNotBlock) {
  Run({"multi"});
  Run({"xread", "block", "0", "streams", "nokey", "$"});
  EXPECT_EQ(Run({"exec"}), "*1\r\n*-1\r\n");
}

}  // namespace
}  // namespace respd::server
