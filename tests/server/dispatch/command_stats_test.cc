// INFO commandstats and errorstats through the dispatcher. Every expectation is what
// redis-server 7.0.15 reported for the same sequence (usec values left out).
#include <algorithm>
#include <sstream>
#include <thread>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class CommandStatsTest : public CommandTest {
 protected:
  void SetUp() override { Run({"config", "resetstat"}); }

  // The cmdstat_, errorstat_ and total_error_replies lines of INFO everything (usec fields
  // dropped), sorted; then CONFIG RESETSTAT, whose own row is left out.
  std::vector<std::string> Stats() {
    std::string info = Run({"info", "everything"});
    std::vector<std::string> lines;
    std::istringstream in(info);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.starts_with("cmdstat_config|resetstat:")) continue;
      if (line.starts_with("cmdstat_")) {
        size_t usec = line.find(",usec=");
        size_t rejected = line.find(",rejected_calls=");
        line.erase(usec, rejected - usec);
      } else if (!line.starts_with("errorstat_") && !line.starts_with("total_error_replies:")) {
        continue;
      }
      lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    Run({"config", "resetstat"});
    return lines;
  }
};

using Lines = std::vector<std::string>;

TEST_F(CommandStatsTest, RejectedFailedAndUnknownCommands) {
  Run({"set", "a", "b"});
  Run({"lpush", "a", "x"});
  Run({"asdf"});
  Run({"client", "foo"});
  Run({"set", "k"});
  Run({"get"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_get:calls=0,rejected_calls=1,failed_calls=0",
                            "cmdstat_lpush:calls=1,rejected_calls=0,failed_calls=1",
                            "cmdstat_set:calls=1,rejected_calls=1,failed_calls=0",
                            "errorstat_ERR:count=4", "errorstat_WRONGTYPE:count=1",
                            "total_error_replies:5"}));
  Run({"auth", "k"});
  Run({"incr", "a"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_auth:calls=1,rejected_calls=0,failed_calls=1",
                            "cmdstat_incr:calls=1,rejected_calls=0,failed_calls=1",
                            "errorstat_ERR:count=2", "total_error_replies:2"}));
}

TEST_F(CommandStatsTest, Transactions) {
  Run({"multi"});
  Run({"set", "x", "1"});
  Run({"set", "y"});
  EXPECT_EQ(Run({"exec"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(Stats(), (Lines{"cmdstat_exec:calls=1,rejected_calls=0,failed_calls=1",
                            "cmdstat_multi:calls=1,rejected_calls=0,failed_calls=0",
                            "cmdstat_set:calls=0,rejected_calls=1,failed_calls=0",
                            "errorstat_ERR:count=1", "errorstat_EXECABORT:count=1",
                            "total_error_replies:2"}));
  // Errors inside EXEC count against their commands, not EXEC.
  Run({"multi"});
  Run({"set", "x", "1"});
  Run({"lpush", "x", "1"});
  Run({"incr", "x"});
  Run({"exec"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_exec:calls=1,rejected_calls=0,failed_calls=0",
                            "cmdstat_incr:calls=1,rejected_calls=0,failed_calls=0",
                            "cmdstat_lpush:calls=1,rejected_calls=0,failed_calls=1",
                            "cmdstat_multi:calls=1,rejected_calls=0,failed_calls=0",
                            "cmdstat_set:calls=1,rejected_calls=0,failed_calls=0",
                            "errorstat_WRONGTYPE:count=1", "total_error_replies:1"}));
  Run({"multi"});
  Run({"multi"});
  Run({"exec"});
  Run({"discard"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_discard:calls=1,rejected_calls=0,failed_calls=1",
                            "cmdstat_exec:calls=1,rejected_calls=0,failed_calls=0",
                            "cmdstat_multi:calls=2,rejected_calls=0,failed_calls=1",
                            "errorstat_ERR:count=2", "total_error_replies:2"}));
}

TEST_F(CommandStatsTest, ScriptErrorsCountOnce) {
  Run({"set", "a", "b"});
  Stats();
  Run({"eval", "return redis.call('lpush','a','x')", "0"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1",
                            "cmdstat_lpush:calls=1,rejected_calls=0,failed_calls=1",
                            "errorstat_WRONGTYPE:count=1", "total_error_replies:1"}));
  Run({"eval", "return redis.pcall('lpush','a','x')", "0"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1",
                            "cmdstat_lpush:calls=1,rejected_calls=0,failed_calls=1",
                            "errorstat_WRONGTYPE:count=1", "total_error_replies:1"}));
  Run({"eval", "redis.pcall('lpush','a','x') return 1", "0"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=0",
                            "cmdstat_lpush:calls=1,rejected_calls=0,failed_calls=1",
                            "errorstat_WRONGTYPE:count=1", "total_error_replies:1"}));
  // A new error table with the same text is a new error.
  Run({"eval", "local e = redis.pcall('lpush','a','x'); return {err=e.err}", "0"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1",
                            "cmdstat_lpush:calls=1,rejected_calls=0,failed_calls=1",
                            "errorstat_WRONGTYPE:count=2", "total_error_replies:2"}));
  Run({"eval", "redis.pcall('lpush','a','x'); return {err='MYERR boom'}", "0"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1",
                            "cmdstat_lpush:calls=1,rejected_calls=0,failed_calls=1",
                            "errorstat_MYERR:count=1", "errorstat_WRONGTYPE:count=1",
                            "total_error_replies:2"}));
}

TEST_F(CommandStatsTest, CommandsRefusedInsideScripts) {
  Run({"eval", "return redis.call('nosuch')", "0"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1",
                            "errorstat_ERR:count=1", "total_error_replies:1"}));
  Run({"eval", "return redis.call('set','a')", "0"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1",
                            "cmdstat_set:calls=0,rejected_calls=1,failed_calls=0",
                            "errorstat_ERR:count=1", "total_error_replies:1"}));
  Run({"eval", "return redis.call('eval','return 1', 0)", "0"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=1,rejected_calls=1,failed_calls=1",
                            "errorstat_ERR:count=1", "total_error_replies:1"}));
  Run({"eval", "redis.pcall('set','a') return 1", "0"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=0",
                            "cmdstat_set:calls=0,rejected_calls=1,failed_calls=0",
                            "errorstat_ERR:count=1", "total_error_replies:1"}));
  Run({"eval", "error('x')", "0"});
  Run({"eval", "a"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=1,rejected_calls=1,failed_calls=1",
                            "errorstat_ERR:count=2", "total_error_replies:2"}));
}

TEST_F(CommandStatsTest, ErrorCodeIsTheFirstWordWithinRedisLimit) {
  Run({"eval", "return {err='OOPS'}", "0"});
  Run({"eval", "return {err='my bad'}", "0"});
  Run({"eval", "return {err='ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ x'}", "0"});
  Run({"eval", "return {err='ABCDEFGHIJKLMNOPQRSTUVWXYZABCD x'}", "0"});
  Run({"eval", "return {err='ABCDEFGHIJKLMNOPQRSTUVWXYZABC x'}", "0"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_eval:calls=5,rejected_calls=0,failed_calls=5",
                            "errorstat_ABCDEFGHIJKLMNOPQRSTUVWXYZABC:count=1",
                            "errorstat_ABCDEFGHIJKLMNOPQRSTUVWXYZABCD:count=1",
                            "errorstat_ERR:count=2", "errorstat_my:count=1",
                            "total_error_replies:5"}));
}

TEST_F(CommandStatsTest, SubcommandsHaveTheirOwnRows) {
  Run({"client", "id"});
  Run({"client", "getname", "x"});
  Run({"object", "encoding", "nokey"});
  EXPECT_EQ(Stats(), (Lines{"cmdstat_client|getname:calls=0,rejected_calls=1,failed_calls=0",
                            "cmdstat_client|id:calls=1,rejected_calls=0,failed_calls=0",
                            "cmdstat_object|encoding:calls=1,rejected_calls=0,failed_calls=0",
                            "errorstat_ERR:count=1", "total_error_replies:1"}));
}

TEST_F(CommandStatsTest, SectionsAndReset) {
  Run({"get", "k"});
  Run({"nosuch"});
  std::string defaults = Run({"info"});
  EXPECT_NE(defaults.find("# Errorstats\r\nerrorstat_ERR:count=1\r\n"), std::string::npos);
  EXPECT_EQ(defaults.find("# Commandstats"), std::string::npos);
  EXPECT_EQ(defaults.find("# Latencystats"), std::string::npos);
  std::string commandstats = Run({"info", "commandstats"});
  EXPECT_NE(commandstats.find("\r\n# Commandstats\r\n"), std::string::npos) << commandstats;
  EXPECT_NE(commandstats.find("\r\ncmdstat_get:calls=1,usec="), std::string::npos);
  EXPECT_NE(commandstats.find(",rejected_calls=0,failed_calls=0\r\n"), std::string::npos);
  for (std::string_view section : {"all", "everything"}) {
    std::string all = Run({"info", std::string(section)});
    EXPECT_NE(all.find("# Modules\r\n\r\n# Commandstats\r\n"), std::string::npos);
    EXPECT_NE(all.find("\r\n\r\n# Errorstats\r\n"), std::string::npos);
    EXPECT_NE(all.find("\r\n\r\n# Latencystats\r\n"), std::string::npos);
  }
  Run({"config", "resetstat"});
  EXPECT_EQ(Run({"info", "errorstats"}), "$14\r\n# Errorstats\r\n\r\n");
  EXPECT_EQ(Stats(), (Lines{"cmdstat_info:calls=1,rejected_calls=0,failed_calls=0",
                            "total_error_replies:0"}));
}

// total_commands_processed as redis-server 7.0.15 counts it: every command that ran, refusals not,
// each once it ran (INFO does not see itself); RESETSTAT starts it again.
TEST_F(CommandStatsTest, TotalCommandsProcessed) {
  auto total = [this] {
    std::string stats = Run({"info", "stats"});
    size_t at = stats.find("total_commands_processed:");
    return std::stoll(stats.substr(at + std::strlen("total_commands_processed:")));
  };
  EXPECT_EQ(total(), 1);  // CONFIG RESETSTAT, counted after it reset
  Run({"set", "k", "v"});
  Run({"get", "k"});
  Run({"nosuch"});
  Run({"get"});
  EXPECT_EQ(total(), 4);
  Run({"config", "resetstat"});
  EXPECT_EQ(total(), 1);
}

// Each thread counts into its own cell; a read sums them all, a reset holds for every thread.
TEST(PerThreadCounterTest, SumsEveryThreadAndResets) {
  PerThreadCounter counter;
  counter.Add(2);
  std::thread([&counter] { counter.Add(3); }).join();
  EXPECT_EQ(counter.load(), 5u);
  counter.store(0);
  EXPECT_EQ(counter.load(), 0u);
  std::thread([&counter] { counter.Add(1); }).join();
  counter.Add(1);
  EXPECT_EQ(counter.load(), 2u);
}

}  // namespace
}  // namespace respd::server
