// LATENCY and INFO latencystats: which commands become latency events (latency-monitor-threshold),
// one sample per second per event, the histograms' buckets and percentiles as Redis's
// hdr_histogram computes them, and the text of GRAPH and DOCTOR. The clock is frozen, so sample
// times are exact.
#include <string>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

constexpr int64_t kNowUs = 1'800'000'000'000'000;  // 2027-01-15, in microseconds
constexpr int64_t kNowS = kNowUs / 1'000'000;

class LatencyTest : public CommandTest {
 protected:
  LatencyTest() {
    EXPECT_EQ(config_.Get("enable-debug-command").Set({"yes"}), "");
    clock_.FreezeAt(kNowUs);
  }
};

TEST_F(LatencyTest, NothingIsRecordedWithTheThresholdAtZero) {
  Run({"debug", "sleep", "0.002"});
  EXPECT_EQ(Run({"latency", "latest"}), "*0\r\n");
  EXPECT_EQ(Run({"latency", "history", "command"}), "*0\r\n");
  EXPECT_EQ(Run({"latency", "graph", "command"}),
            "-ERR No samples available for event 'command'\r\n");
}

TEST_F(LatencyTest, SlowCommandsAreEventsOneSamplePerSecond) {
  Run({"config", "set", "latency-monitor-threshold", "1"});
  Run({"debug", "sleep", "0.002"});
  Run({"ping"});  // fast and quicker than 1 ms: no event
  std::vector<LatencySeries> events = server_->latency.Snapshot();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "command");
  int64_t first = events[0].max;
  EXPECT_GE(first, 2);
  // Same second: the sample keeps the highest latency instead of adding one.
  server_->latency.AddSample("command", 1, kNowS);
  EXPECT_EQ(Run({"latency", "history", "command"}),
            "*1\r\n*2\r\n:" + std::to_string(kNowS) + "\r\n:" + std::to_string(first) + "\r\n");
  clock_.Advance(1'000'000);
  server_->latency.AddSample("command", 1, kNowS + 1);
  EXPECT_EQ(Run({"latency", "latest"}), "*1\r\n*4\r\n$7\r\ncommand\r\n:" +
                                            std::to_string(kNowS + 1) + "\r\n:1\r\n:" +
                                            std::to_string(first) + "\r\n");
  EXPECT_EQ(Run({"latency", "reset", "COMMAND", "command"}), ":1\r\n");
  EXPECT_EQ(Run({"latency", "latest"}), "*0\r\n");
}

TEST_F(LatencyTest, HistoryKeeps160Samples) {
  for (int64_t i = 0; i < 200; ++i) server_->latency.AddSample("command", i, kNowS + i);
  std::optional<LatencySeries> series = server_->latency.Find("command");
  ASSERT_TRUE(series.has_value());
  std::vector<LatencySample> history = series->History();
  ASSERT_EQ(history.size(), 160u);
  EXPECT_EQ(history.front().latency, 40);
  EXPECT_EQ(history.back().latency, 199);
  EXPECT_EQ(series->max, 199);
}

// Redis 7.0.15 for samples of 50 ms (1 s ago) and 30 ms (now).
TEST_F(LatencyTest, GraphIsRedisSparkline) {
  server_->latency.AddSample("command", 50, kNowS - 1);
  server_->latency.AddSample("command", 30, kNowS);
  std::string graph = std::string("command - high 50 ms, low 30 ms (all time high 50 ms)\n") +
                      std::string(80, '-') + "\n# \n| \n| \n|_\n  \n10\nss\n";
  EXPECT_EQ(Run({"latency", "graph", "command"}),
            "$" + std::to_string(graph.size()) + "\r\n" + graph + "\r\n");
}

TEST_F(LatencyTest, DoctorReportsEventsAndAdvice) {
  EXPECT_EQ(Run({"latency", "doctor"}).substr(0, 41), "$288\r\nI'm sorry, Dave, I can't do that. L");
  Run({"config", "set", "latency-monitor-threshold", "1"});
  server_->latency.AddSample("command", 50, kNowS - 1);
  server_->latency.AddSample("command", 30, kNowS);
  DoctorSettings settings{.threshold_ms = 1, .slowlog_slower_than_us = 10000, .hz = 10,
                          .now_s = kNowS};
  std::string report = server_->latency.Doctor(settings);
  EXPECT_TRUE(report.starts_with(
      "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about "
      "it, do you Dave?\n\n1. command: 2 latency spikes (average 40ms, mean deviation 10ms, "
      "period 0.50 sec). Worst all time event 50ms.\n\nI have a few advices for you:\n\n- Your "
      "current Slow Log configuration only logs events that are slower than your configured "
      "latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 1000'.\n"))
      << report;
}

// Values Redis 7.0.15 printed in INFO latencystats and LATENCY HISTOGRAM for the same samples.
TEST_F(LatencyTest, HistogramMatchesRedisHdrHistogram) {
  LatencyHistogram histogram;
  histogram.Record(9000);
  EXPECT_EQ(histogram.ValueAtPercentile(50), 9023);
  EXPECT_EQ(histogram.CumulativeBuckets(), (std::vector<std::pair<int64_t, int64_t>>{{16, 1}}));
  LatencyHistogram two;
  two.Record(13000);
  two.Record(20000);
  EXPECT_EQ(two.ValueAtPercentile(50), 13055);
  EXPECT_EQ(two.ValueAtPercentile(99), 20095);
  LatencyHistogram doctor;
  doctor.Record(749000);
  EXPECT_EQ(doctor.ValueAtPercentile(99.9), 749567);
  EXPECT_EQ(doctor.CumulativeBuckets(), (std::vector<std::pair<int64_t, int64_t>>{{1056, 1}}));
  LatencyHistogram spread;
  for (int64_t ns : {1000, 1500, 3000, 3000, 2'000'000'000}) spread.Record(ns);
  EXPECT_EQ(spread.CumulativeBuckets(),
            (std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {2, 2}, {4, 4}, {1'073'741, 5}}));
}

TEST_F(LatencyTest, HistogramAndLatencystatsPerCommand) {
  Run({"config", "resetstat"});
  Run({"set", "k", "v"});
  Run({"set", "k", "v"});
  std::string histogram = Run({"latency", "histogram", "set", "nosuch", "config"});
  EXPECT_TRUE(histogram.starts_with("*4\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:2\r\n$14\r\n"
                                    "histogram_usec\r\n"))
      << histogram;
  EXPECT_NE(histogram.find("$16\r\nconfig|resetstat\r\n"), std::string::npos);
  std::string info = Run({"info", "latencystats"});
  EXPECT_NE(info.find("latency_percentiles_usec_set:p50="), std::string::npos) << info;
  EXPECT_NE(info.find(",p99.9="), std::string::npos) << info;
  Run({"config", "set", "latency-tracking-info-percentiles", "0 100"});
  info = Run({"info", "latencystats"});
  EXPECT_NE(info.find("latency_percentiles_usec_set:p0="), std::string::npos) << info;
  EXPECT_NE(info.find(",p100="), std::string::npos) << info;
  Run({"config", "set", "latency-tracking", "no"});
  EXPECT_EQ(Run({"info", "latencystats"}), "$16\r\n# Latencystats\r\n\r\n");
  Run({"config", "resetstat"});
  EXPECT_EQ(Run({"latency", "histogram"}), "*0\r\n");
}

// Redis's trackInstantaneousMetric: a rate per sample, averaged over the last 16 samples.
TEST(InstantaneousMetricsTest, AveragesTheLastSixteenRates) {
  InstantaneousMetrics metrics;
  metrics.Track(InstantaneousMetrics::kCommands, 1000, 0);
  EXPECT_EQ(metrics.Get(InstantaneousMetrics::kCommands), 0);
  for (int64_t i = 1; i <= 8; ++i) {
    metrics.Track(InstantaneousMetrics::kCommands, 1000 + 100 * i, 50 * static_cast<uint64_t>(i));
  }
  // Eight samples of 500/s and eight of 0 (the first reading's and the unused slots).
  EXPECT_EQ(metrics.Get(InstantaneousMetrics::kCommands), 250);
  for (int64_t i = 9; i <= 24; ++i) {
    metrics.Track(InstantaneousMetrics::kCommands, 1000 + 100 * i, 50 * static_cast<uint64_t>(i));
  }
  EXPECT_EQ(metrics.Get(InstantaneousMetrics::kCommands), 500);
  EXPECT_EQ(metrics.Get(InstantaneousMetrics::kNetInput), 0);
}

}  // namespace
}  // namespace respd::server
