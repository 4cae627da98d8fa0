// Set family through the dispatcher: membership, pops, random members, algebra, SSCAN and the
// keyspace effects.
#include <set>
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"
#include "tests/storage/event_recorder.h"

namespace respd::server {
namespace {

using SetFamilyTest = CommandTest;

// Keyspace events, as "event:key", recorded while the test runs commands.
struct EventCase {
  std::vector<std::string> command;
  std::vector<std::string> events;
};

// The events redis-server 7.0 publishes for the same commands (its "new" aside, which storage does
// not report yet), in its order.
TEST_F(SetFamilyTest, CommandsReportRedisEvents) {
  storage::EventRecorder recorder;
  server_->store.AddObserver(&recorder);
  const std::vector<EventCase> cases = {
      {{"sadd", "s", "a", "b", "c"}, {"sadd:s"}},
      {{"sadd", "s", "a"}, {}},
      {{"srem", "s", "x"}, {}},
      {{"srem", "s", "a", "b", "c"}, {"srem:s", "del:s"}},
      {{"sadd", "s", "a", "b"}, {"sadd:s"}},
      {{"smove", "s", "d", "a"}, {"srem:s", "sadd:d"}},
      {{"smove", "s", "d", "b"}, {"srem:s", "del:s", "sadd:d"}},
      {{"sadd", "s", "a"}, {"sadd:s"}},
      {{"smove", "s", "d", "a"}, {"srem:s", "del:s"}},
      {{"smove", "d", "d", "a"}, {}},
      {{"sadd", "s", "1", "2", "3"}, {"sadd:s"}},
      {{"spop", "s"}, {"spop:s"}},
      {{"spop", "s", "0"}, {}},
      {{"spop", "s", "5"}, {"spop:s", "del:s"}},
      {{"spop", "s"}, {}},
      {{"sadd", "a", "1", "2"}, {"sadd:a"}},
      {{"sadd", "b", "2", "3"}, {"sadd:b"}},
      {{"sinterstore", "dst", "a", "b"}, {"sinterstore:dst"}},
      {{"sinterstore", "dst", "a", "nokey"}, {"del:dst"}},
      {{"sinterstore", "dst", "a", "nokey"}, {}},
      {{"sunionstore", "dst", "a", "b"}, {"sunionstore:dst"}},
      {{"sdiffstore", "dst", "a", "a"}, {"del:dst"}},
      {{"sdiffstore", "dst", "a", "b"}, {"sdiffstore:dst"}},
      {{"sinter", "a", "b"}, {}},
      {{"sintercard", "2", "a", "b"}, {}},
  };
  for (const EventCase& c : cases) {
    recorder.events.clear();
    Run(c.command);
    EXPECT_EQ(recorder.events, c.events) << c.command[0] << " " << c.command[1];
  }
}

TEST_F(SetFamilyTest, AddRemoveMembership) {
  EXPECT_EQ(Run({"sadd", "s", "a", "b", "a"}), ":2\r\n");
  EXPECT_EQ(Run({"sismember", "s", "a"}), ":1\r\n");
  EXPECT_EQ(Run({"smismember", "s", "a", "x"}), "*2\r\n:1\r\n:0\r\n");
  EXPECT_EQ(Run({"scard", "s"}), ":2\r\n");
  EXPECT_EQ(Run({"srem", "s", "a", "b", "c"}), ":2\r\n");
  EXPECT_EQ(Run({"exists", "s"}), ":0\r\n");
}

TEST_F(SetFamilyTest, IntsetRepliesInOrderAndConverts) {
  Run({"sadd", "s", "3", "1", "2"});
  EXPECT_EQ(Run({"smembers", "s"}), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run({"object", "encoding", "s"}), "$6\r\nintset\r\n");
  Run({"config", "set", "set-max-intset-entries", "3"});
  Run({"sadd", "s", "4"});
  EXPECT_EQ(Run({"object", "encoding", "s"}), "$9\r\nhashtable\r\n");
}

TEST_F(SetFamilyTest, PopAndRandom) {
  Run({"sadd", "s", "a", "b", "c"});
  EXPECT_EQ(Run({"spop", "s", "2"}).substr(0, 4), "*2\r\n");
  EXPECT_EQ(Run({"scard", "s"}), ":1\r\n");
  EXPECT_EQ(Run({"srandmember", "s", "-4"}).substr(0, 4), "*4\r\n");
  EXPECT_EQ(Run({"spop", "s", "5"}).substr(0, 4), "*1\r\n");
  EXPECT_EQ(Run({"exists", "s"}), ":0\r\n");
  Run({"hello", "3"});
  EXPECT_EQ(Run({"spop", "s", "1"}), "~0\r\n");
  EXPECT_EQ(Run({"srandmember", "s", "1"}), "*0\r\n");
  EXPECT_EQ(Run({"smembers", "s"}), "~0\r\n");
}

TEST_F(SetFamilyTest, DistinctRandomMembersAreDistinct) {
  std::vector<std::string> args = {"sadd", "s"};
  for (int i = 0; i < 50; ++i) args.push_back("m" + std::to_string(i));
  Run(args);
  for (std::string count : {"3", "40"}) {
    std::string reply = Run({"srandmember", "s", count});
    std::set<std::string> members;
    size_t p = 0;
    while ((p = reply.find("$", p)) != std::string::npos) {
      size_t nl = reply.find("\r\n", p);
      size_t len = std::stoul(reply.substr(p + 1, nl - p - 1));
      members.insert(reply.substr(nl + 2, len));
      p = nl + 2 + len;
    }
    EXPECT_EQ(members.size(), std::stoul(count));
  }
}

TEST_F(SetFamilyTest, MoveAndAlgebra) {
  Run({"sadd", "a", "1", "2", "3"});
  Run({"sadd", "b", "2", "3", "4"});
  EXPECT_EQ(Run({"smove", "a", "c", "1"}), ":1\r\n");
  EXPECT_EQ(Run({"smembers", "c"}), "*1\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run({"sinterstore", "d", "a", "b"}), ":2\r\n");
  EXPECT_EQ(Run({"smembers", "d"}), "*2\r\n$1\r\n2\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run({"sdiffstore", "d", "b", "a"}), ":1\r\n");
  EXPECT_EQ(Run({"smembers", "d"}), "*1\r\n$1\r\n4\r\n");
  EXPECT_EQ(Run({"sunionstore", "d", "a", "b", "c"}), ":4\r\n");
  EXPECT_EQ(Run({"sintercard", "2", "a", "b", "limit", "1"}), ":1\r\n");
  EXPECT_EQ(Run({"sinterstore", "d", "a", "nokey"}), ":0\r\n");
  EXPECT_EQ(Run({"exists", "d"}), ":0\r\n");
}

TEST_F(SetFamilyTest, ScanOfLargeSetVisitsEveryMember) {
  std::vector<std::string> args = {"sadd", "s"};
  for (int i = 0; i < 1000; ++i) args.push_back("m" + std::to_string(i));
  Run(args);
  std::set<std::string> seen;
  std::string cursor = "0";
  for (int guard = 0; guard < 10000; ++guard) {
    std::string reply = Run({"sscan", "s", cursor, "count", "11"});
    size_t pos = reply.find("\r\n", 4) + 2;
    size_t end = reply.find("\r\n", pos);
    cursor = reply.substr(pos, end - pos);
    size_t p = end;
    while ((p = reply.find("$", p)) != std::string::npos) {
      size_t nl = reply.find("\r\n", p);
      size_t len = std::stoul(reply.substr(p + 1, nl - p - 1));
      seen.insert(reply.substr(nl + 2, len));
      p = nl + 2 + len;
    }
    if (cursor == "0") break;
  }
  EXPECT_EQ(cursor, "0");
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace respd::server

namespace respd::server {
namespace {

// COUNT may be as large as a long long; the bucket budget (count * 10) must not wrap to a small
// number, so one call walks a whole hashtable-encoded set.
TEST_F(CommandTest, SscanWithHugeCountReturnsEverything) {
  std::vector<std::string> sadd = {"sadd", "s"};
  for (char c = 'a'; c <= 'z'; ++c) sadd.push_back(std::string(1, c));
  EXPECT_EQ(Run(sadd), ":26\r\n");
  EXPECT_EQ(Run({"object", "encoding", "s"}), "$9\r\nhashtable\r\n");
  // 1844674407370955162 * 10 wraps to 4 in 64 bits.
  std::string reply = Run({"sscan", "s", "0", "count", "1844674407370955162"});
  EXPECT_TRUE(reply.starts_with("*2\r\n$1\r\n0\r\n*26\r\n")) << reply;
}

}  // namespace
}  // namespace respd::server
