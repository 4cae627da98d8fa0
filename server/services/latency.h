// Redis 7.0's latency introspection (latency.c):
// - the latency monitor: events ("command", "fast-command", "expire-cycle") that took at least
//   latency-monitor-threshold milliseconds, 160 one-per-second samples each, read by LATENCY
//   LATEST/HISTORY/GRAPH/DOCTOR/RESET;
// - per-command latency histograms (latency-tracking), read by LATENCY HISTOGRAM and INFO
//   latencystats. Redis keeps them in hdr_histogram (1 ns to 1 s, two significant figures);
//   LatencyHistogram has the same buckets, so percentiles and reported buckets are Redis's.
// Times are the server clock's seconds (storage/clock.h), so a frozen clock makes them exact.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/dispatch/dispatcher.h"
#include "server/dispatch/per_thread_rows.h"

namespace respd::server {

class ServerContext;
struct CommandSpec;

struct LatencySample {
  int64_t time = 0;     // unix seconds; 0: an unused slot
  int64_t latency = 0;  // milliseconds
};

// One latency event's series: Redis's latencyTimeSeries.
struct LatencySeries {
  static constexpr size_t kLength = 160;  // Redis's LATENCY_TS_LEN
  std::string name;
  int64_t max = 0;  // all time high
  size_t next = 0;  // the slot the next second's sample goes to
  LatencySample samples[kLength];

  const LatencySample& latest() const { return samples[(next + kLength - 1) % kLength]; }
  // Used slots, oldest first.
  std::vector<LatencySample> History() const;
};

// What LATENCY DOCTOR's advice depends on besides the events.
struct DoctorSettings {
  int64_t threshold_ms = 0;
  int64_t slowlog_slower_than_us = 0;
  int64_t hz = 0;
  int64_t now_s = 0;
};

class LatencyMonitor {
 public:
  // Redis's latencyAddSample: one sample per second, the highest of that second.
  void AddSample(std::string_view event, int64_t latency_ms, int64_t now_s);
  // LATENCY RESET: forgets the events named (case-insensitively), every event when none is;
  // returns how many it forgot.
  size_t Reset(std::span<const std::string_view> events);
  // The events in the order they first happened (Redis's dict order is a hash's).
  std::vector<LatencySeries> Snapshot() const;
  std::optional<LatencySeries> Find(std::string_view event) const;

  // LATENCY GRAPH's text for `series`.
  static std::string Graph(const LatencySeries& series, int64_t now_s);
  // LATENCY DOCTOR's report.
  std::string Doctor(const DoctorSettings& settings) const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<LatencySeries>> events_;
};

// Redis's command latency histogram: hdr_histogram with lowest 1, highest 1e9, 2 significant
// figures, in nanoseconds.
class LatencyHistogram {
 public:
  void Record(int64_t nanoseconds);
  void Add(const LatencyHistogram& other);
  int64_t total() const { return total_; }
  // hdr_value_at_percentile, in nanoseconds.
  int64_t ValueAtPercentile(double percentile) const;
  // LATENCY HISTOGRAM's histogram_usec: (microseconds, cumulative count) at power-of-two
  // bucket bounds from 1024 ns, those whose count grew.
  std::vector<std::pair<int64_t, int64_t>> CumulativeBuckets() const;

  // The raw counts, for CommandLatencies' lock-free rows: how many there are, the one a sample
  // falls in, and adding to one.
  static size_t CountsLength();
  static size_t IndexOf(int64_t nanoseconds);
  void AddAt(size_t index, int64_t count);
  // Takes away `earlier`, a past reading of the same growing counts.
  void Subtract(const LatencyHistogram& earlier);

 private:
  std::vector<int64_t> counts_;  // sized at the first record
  int64_t total_ = 0;
};

// Per-command histograms, recorded by each I/O thread into its own block and summed by readers.
// Recording takes no lock and no locked instruction: each counter has one writer (its block's
// thread), and readers load it. Counts only grow, so RESETSTAT keeps a baseline to subtract
// instead of clearing what a writer may be touching.
class CommandLatencies {
 public:
  CommandLatencies();
  ~CommandLatencies();
  CommandLatencies(const CommandLatencies&) = delete;
  CommandLatencies& operator=(const CommandLatencies&) = delete;

  void Record(const CommandSpec& spec, uint64_t usec);
  // Every command with samples, summed over threads.
  std::unordered_map<const CommandSpec*, LatencyHistogram> Sums() const;
  // CONFIG RESETSTAT.
  void Reset();

 private:
  // One command's histogram on one thread.
  struct Row {
    Row();
    std::unique_ptr<std::atomic<int64_t>[]> counts;
    std::atomic<int64_t> total{0};
  };
  // Everything recorded since start.
  std::unordered_map<const CommandSpec*, LatencyHistogram> RawSums() const;

  PerThreadRows<Row> rows_;
  mutable std::mutex baseline_mutex_;
  // The sums at the last RESETSTAT.
  std::unordered_map<const CommandSpec*, LatencyHistogram> baseline_;
};

// INFO's instantaneous_ops_per_sec and instantaneous_{input,output}_kbps: Redis's
// trackInstantaneousMetric, a rate sampled every 100 ms by the server's cron, averaged over the
// last 16 samples.
class InstantaneousMetrics {
 public:
  enum Metric { kCommands, kNetInput, kNetOutput, kMetricCount };
  static constexpr int64_t kPeriodMs = 100;
  static constexpr size_t kSamples = 16;  // Redis's STATS_METRIC_SAMPLES

  // Records `reading` (a counter's current value) at `now_ms` of a steady clock.
  void Track(Metric metric, int64_t now_ms, uint64_t reading);
  // The average rate per second of the last samples.
  int64_t Get(Metric metric) const;

 private:
  struct Series {
    int64_t last_time_ms = 0;
    uint64_t last_reading = 0;
    size_t next = 0;
    int64_t samples[kSamples] = {};
  };
  mutable std::mutex mutex_;
  Series series_[kMetricCount];
};

// The after hook that feeds both: latency events past latency-monitor-threshold and, with
// latency-tracking on, the command's histogram.
AfterHook LatencyHook(ServerContext& server);

// Redis's latencyAddSampleIfNeeded for events outside the command path (expire-cycle).
void AddLatencySampleIfNeeded(ServerContext& server, std::string_view event, int64_t latency_ms);

}  // namespace respd::server
