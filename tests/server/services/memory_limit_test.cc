// maxmemory through the pipeline: what Redis 7.0.15 counts for an OOM refusal, that noeviction
// refuses at once while the other policies evict first and refuse only with nothing left to free,
// and that both follow the options at once. The replies themselves are compared with redis-server
// in tests/differential/scripts/maxmemory_oom.txt and maxmemory_eviction.txt.
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

constexpr char kOom[] = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

class MemoryLimitTest : public CommandTest {
 protected:
  bool Contains(const std::string& reply, const std::string& text) {
    return reply.find(text) != std::string::npos;
  }
  // The INFO line starting with `prefix`, without its CRLF ("" when none).
  std::string Line(const std::string& info, const std::string& prefix) {
    size_t at = info.find("\n" + prefix);
    if (at == std::string::npos) return "";
    at += 1;
    return info.substr(at, info.find("\r\n", at) - at);
  }
};

TEST_F(MemoryLimitTest, RefusalsCountAsRejectedCallsAndOomErrors) {
  EXPECT_EQ(Run({"config", "set", "maxmemory", "1"}), "+OK\r\n");
  EXPECT_EQ(Run({"set", "k", "v"}), kOom);
  EXPECT_EQ(Run({"multi"}), "+OK\r\n");
  EXPECT_EQ(Run({"get", "k"}), kOom);
  EXPECT_EQ(Run({"exec"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(Run({"eval", "return redis.call('set', 'k', 'v')", "0"}).substr(0, 4), "-OOM");
  std::string errors = Run({"info", "errorstats"});
  EXPECT_TRUE(Contains(errors, "errorstat_OOM:count=3\r\n")) << errors;
  EXPECT_TRUE(Contains(errors, "errorstat_EXECABORT:count=1\r\n")) << errors;
  std::string commands = Run({"info", "commandstats"});
  EXPECT_TRUE(Contains(commands, "cmdstat_set:calls=0,usec=0,usec_per_call=0.00,rejected_calls=2,"))
      << commands;
  EXPECT_TRUE(Contains(commands, "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,"))
      << commands;
  EXPECT_TRUE(Line(commands, "cmdstat_eval:").ends_with("rejected_calls=0,failed_calls=1"))
      << commands;
  EXPECT_TRUE(Contains(Run({"info", "stats"}), "total_error_replies:4\r\n"));
}

TEST_F(MemoryLimitTest, OnlyNoevictionRefusesAndTheLimitFollowsTheOptionsAtOnce) {
  EXPECT_FALSE(server_->memory_limit.exceeded());
  EXPECT_EQ(Run({"set", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(Run({"config", "set", "maxmemory", "1"}), "+OK\r\n");
  EXPECT_TRUE(server_->memory_limit.exceeded());
  EXPECT_EQ(Run({"set", "k", "v"}), kOom);
  EXPECT_EQ(Run({"dbsize"}), ":1\r\n");  // noeviction keeps every key
  EXPECT_EQ(Run({"config", "set", "maxmemory", "1gb"}), "+OK\r\n");
  EXPECT_FALSE(server_->memory_limit.exceeded());
  EXPECT_EQ(Run({"set", "k", "v"}), "+OK\r\n");
  // RESPD RESET puts maxmemory back to its start-up 0 through the same change hook.
  EXPECT_EQ(config_.Get("enable-test-controls").Set({"yes"}), "");
  EXPECT_EQ(Run({"config", "set", "maxmemory", "1"}), "+OK\r\n");
  EXPECT_EQ(Run({"respd", "reset"}), "+OK\r\n");
  EXPECT_FALSE(server_->memory_limit.exceeded());
  EXPECT_EQ(Run({"set", "k", "v"}), "+OK\r\n");
}

// A limit below what the server needs empty: CONFIG SET evicts every key the policy may take at
// once, and the next write, with nothing left to free, is refused.
TEST_F(MemoryLimitTest, EvictingPoliciesFreeWhatTheyMayThenRefuse) {
  EXPECT_EQ(Run({"set", "a", "1"}), "+OK\r\n");
  EXPECT_EQ(Run({"set", "b", "2", "ex", "100"}), "+OK\r\n");
  EXPECT_EQ(Run({"config", "set", "maxmemory-policy", "volatile-lru", "maxmemory", "1"}),
            "+OK\r\n");
  EXPECT_EQ(Run({"exists", "a", "b"}), ":1\r\n");
  EXPECT_EQ(Run({"set", "c", "3"}), kOom);
  EXPECT_TRUE(server_->memory_limit.exceeded());
  EXPECT_EQ(Run({"config", "set", "maxmemory-policy", "allkeys-random"}), "+OK\r\n");
  EXPECT_EQ(Run({"dbsize"}), ":0\r\n");
  EXPECT_TRUE(Contains(Run({"info", "stats"}), "evicted_keys:2\r\n"));
  EXPECT_EQ(Run({"set", "c", "3"}), kOom);
  EXPECT_EQ(Run({"config", "set", "maxmemory", "0"}), "+OK\r\n");
  EXPECT_EQ(Run({"config", "resetstat"}), "+OK\r\n");
  std::string stats = Run({"info", "stats"});
  EXPECT_TRUE(Contains(stats, "evicted_keys:0\r\n")) << stats;
  EXPECT_TRUE(Contains(stats, "total_eviction_exceeded_time:0\r\n")) << stats;
}

// A hash of 200,000 fields takes milliseconds to free: its eviction is a LATENCY event, as are
// the whole eviction's.
TEST_F(MemoryLimitTest, SlowEvictionsAreLatencyEvents) {
  std::vector<std::string> hset = {"hset", "big"};
  for (int i = 0; i < 200'000; ++i) {
    hset.push_back("field" + std::to_string(i));
    hset.push_back("v");
  }
  EXPECT_EQ(Run(hset), ":200000\r\n");
  EXPECT_EQ(Run({"config", "set", "latency-monitor-threshold", "1", "maxmemory-policy",
                 "allkeys-random"}),
            "+OK\r\n");
  EXPECT_EQ(Run({"config", "set", "maxmemory", "1"}), "+OK\r\n");
  EXPECT_EQ(Run({"exists", "big"}), ":0\r\n");
  std::string latest = Run({"latency", "latest"});
  EXPECT_TRUE(Contains(latest, "eviction-del")) << latest;
  EXPECT_TRUE(Contains(latest, "eviction-cycle")) << latest;
}

TEST_F(MemoryLimitTest, ExecOfQueuedWritesIsAbortedExecOfReadsRuns) {
  EXPECT_EQ(Run({"multi"}), "+OK\r\n");
  EXPECT_EQ(Run({"set", "k", "v"}), "+QUEUED\r\n");
  EXPECT_EQ(RunAs(1, {"config", "set", "maxmemory", "1"}), "+OK\r\n");
  EXPECT_EQ(Run({"exec"}),
            "-EXECABORT Transaction discarded because of: OOM command not allowed when used "
            "memory > 'maxmemory'.\r\n");
  EXPECT_EQ(Run({"exec"}), "-ERR EXEC without MULTI\r\n");  // the refusal ended the transaction
  EXPECT_EQ(RunAs(1, {"config", "set", "maxmemory", "0"}), "+OK\r\n");
  EXPECT_EQ(Run({"multi"}), "+OK\r\n");
  EXPECT_EQ(Run({"exists", "k"}), "+QUEUED\r\n");
  EXPECT_EQ(RunAs(1, {"config", "set", "maxmemory", "1"}), "+OK\r\n");
  EXPECT_EQ(Run({"exec"}), "*1\r\n:0\r\n");
}

}  // namespace
}  // namespace respd::server
