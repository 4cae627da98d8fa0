#include "server/services/latency.h"

#include <strings.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdio>
#include <fstream>

#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// ---- The histogram's geometry: Redis's hdr_init(1, 1000000000, 2). ----
// Two significant figures need 2 * 10^2 distinct values per bucket: 256 sub-buckets, of which a
// bucket past the first uses its upper half.
constexpr int kHalfCountMagnitude = 7;
constexpr int64_t kHalfCount = 1 << kHalfCountMagnitude;
constexpr int64_t kSubBucketCount = 2 * kHalfCount;
constexpr int64_t kSubBucketMask = kSubBucketCount - 1;
constexpr int64_t kLowest = 1;
constexpr int64_t kHighest = 1'000'000'000;
// Buckets until 256 << n exceeds 1e9: 23, plus the half bucket below.
constexpr size_t kCountsLen = 24 * kHalfCount;

int BucketIndex(int64_t value) {
  int bits = 64 - std::countl_zero(static_cast<uint64_t>(value | kSubBucketMask));
  return bits - (kHalfCountMagnitude + 1);
}

size_t CountsIndex(int64_t value) {
  int bucket = BucketIndex(value);
  int64_t sub_bucket = value >> bucket;
  return static_cast<size_t>(((bucket + 1) << kHalfCountMagnitude) + (sub_bucket - kHalfCount));
}

int64_t ValueAtIndex(size_t index) {
  int bucket = static_cast<int>(index >> kHalfCountMagnitude) - 1;
  int64_t sub_bucket = static_cast<int64_t>(index & (kHalfCount - 1)) + kHalfCount;
  if (bucket < 0) {
    sub_bucket -= kHalfCount;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

int64_t LowestEquivalent(int64_t value) {
  int bucket = BucketIndex(value);
  return (value >> bucket) << bucket;
}

int64_t HighestEquivalent(int64_t value) {
  int bucket = BucketIndex(value);
  int64_t sub_bucket = value >> bucket;
  int range_shift = sub_bucket >= kSubBucketCount ? bucket + 1 : bucket;
  return (sub_bucket << bucket) + (int64_t{1} << range_shift) - 1;
}

// ---- LATENCY GRAPH's sparkline (Redis's sparkline.c, rendered with SPARKLINE_FILL). ----
constexpr int kGraphColumns = 80;
constexpr int kGraphRows = 4;
constexpr std::string_view kFillChars = "_o#";

struct SparkSample {
  double value;
  std::string label;
};

void RenderRange(const std::vector<SparkSample>& samples, double min, double max, size_t offset,
                 size_t len, std::string* out) {
  const int charset_len = static_cast<int>(kFillChars.size());
  const int steps = charset_len * kGraphRows;
  double relmax = max - min;
  if (relmax == 0) relmax = 1;
  // Rows of the curve, one blank row, then the labels written downwards.
  for (int row = 0;; ++row) {
    std::string chars(len, ' ');
    bool any = false;
    for (size_t j = 0; j < len; ++j) {
      const SparkSample& sample = samples[offset + j];
      // Redis truncates the product before dividing, then the quotient.
      int step = static_cast<int>(static_cast<int>((sample.value - min) * steps) / relmax);
      step = std::clamp(step, 0, steps - 1);
      if (row < kGraphRows) {
        any = true;
        int charidx = step - (kGraphRows - row - 1) * charset_len;
        if (charidx >= 0 && charidx < charset_len) {
          chars[j] = kFillChars[static_cast<size_t>(charidx)];
        } else if (charidx >= charset_len) {
          chars[j] = '|';
        }
      } else if (row == kGraphRows) {
        any = true;
        break;
      } else {
        size_t label_char = static_cast<size_t>(row - kGraphRows - 1);
        if (sample.label.size() > label_char) {
          any = true;
          chars[j] = sample.label[label_char];
        }
      }
    }
    if (!any) return;
    out->append(chars).append("\n");
  }
}

// Redis's THPGetAnonHugePagesSize: huge pages mapped by this process.
int64_t AnonHugePagesBytes() {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  int64_t kb = 0;
  while (std::getline(smaps, line)) {
    if (!line.starts_with("AnonHugePages:")) continue;
    kb += std::atoll(line.c_str() + sizeof("AnonHugePages:") - 1);
  }
  return kb * 1024;
}

struct EventStats {
  int samples = 0;
  uint64_t avg = 0;
  uint64_t mad = 0;  // mean absolute deviation
  int64_t period = 0;
};

// Redis's analyzeLatencyForEvent.
EventStats Analyze(const LatencySeries& series, int64_t now_s) {
  EventStats stats;
  uint64_t sum = 0;
  int64_t oldest = 0;
  for (const LatencySample& sample : series.samples) {
    if (sample.time == 0) continue;
    ++stats.samples;
    sum += static_cast<uint64_t>(sample.latency);
    if (oldest == 0 || sample.time < oldest) oldest = sample.time;
  }
  if (stats.samples == 0) return stats;
  stats.avg = sum / static_cast<uint64_t>(stats.samples);
  stats.period = now_s - oldest;
  if (stats.period == 0) stats.period = 1;
  uint64_t deviations = 0;
  for (const LatencySample& sample : series.samples) {
    if (sample.time == 0) continue;
    int64_t delta = static_cast<int64_t>(stats.avg) - sample.latency;
    deviations += static_cast<uint64_t>(delta < 0 ? -delta : delta);
  }
  stats.mad = deviations / static_cast<uint64_t>(stats.samples);
  return stats;
}

std::string Format(const char* format, auto... args) {
  char buffer[512];
  int n = std::snprintf(buffer, sizeof(buffer), format, args...);
  return std::string(buffer, static_cast<size_t>(std::clamp(n, 0, int{sizeof(buffer) - 1})));
}

}  // namespace

std::vector<LatencySample> LatencySeries::History() const {
  std::vector<LatencySample> history;
  for (size_t j = 0; j < kLength; ++j) {
    const LatencySample& sample = samples[(next + j) % kLength];
    if (sample.time != 0) history.push_back(sample);
  }
  return history;
}

void LatencyMonitor::AddSample(std::string_view event, int64_t latency_ms, int64_t now_s) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(events_.begin(), events_.end(),
                         [&](const auto& series) { return series->name == event; });
  if (it == events_.end()) {
    events_.push_back(std::make_unique<LatencySeries>());
    events_.back()->name = std::string(event);
    it = events_.end() - 1;
  }
  LatencySeries& series = **it;
  series.max = std::max(series.max, latency_ms);
  LatencySample& previous = series.samples[(series.next + LatencySeries::kLength - 1) %
                                           LatencySeries::kLength];
  if (previous.time == now_s) {
    previous.latency = std::max(previous.latency, latency_ms);
    return;
  }
  series.samples[series.next] = {now_s, latency_ms};
  series.next = (series.next + 1) % LatencySeries::kLength;
}

size_t LatencyMonitor::Reset(std::span<const std::string_view> events) {
  std::lock_guard lock(mutex_);
  size_t before = events_.size();
  if (events.empty()) {
    events_.clear();
    return before;
  }
  // Redis counts once per name given, so a repeated name counts once.
  size_t resets = 0;
  for (std::string_view event : events) {
    resets += std::erase_if(events_, [&](const auto& series) {
      return EqualsNoCase(series->name, event);
    });
  }
  return resets;
}

std::vector<LatencySeries> LatencyMonitor::Snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<LatencySeries> copy;
  copy.reserve(events_.size());
  for (const auto& series : events_) copy.push_back(*series);
  return copy;
}

std::optional<LatencySeries> LatencyMonitor::Find(std::string_view event) const {
  std::lock_guard lock(mutex_);
  for (const auto& series : events_) {
    if (series->name == event) return *series;
  }
  return std::nullopt;
}

std::string LatencyMonitor::Graph(const LatencySeries& series, int64_t now_s) {
  std::vector<SparkSample> samples;
  double min = 0, max = 0;
  int64_t low = 0, high = 0;
  for (const LatencySample& sample : series.History()) {
    if (samples.empty()) {
      low = high = sample.latency;
    } else {
      low = std::min(low, sample.latency);
      high = std::max(high, sample.latency);
    }
    // The label says how long ago: seconds, minutes, hours or days.
    int64_t elapsed = now_s - sample.time;
    std::string label = elapsed < 60          ? std::to_string(elapsed) + "s"
                        : elapsed < 3600      ? std::to_string(elapsed / 60) + "m"
                        : elapsed < 3600 * 24 ? std::to_string(elapsed / 3600) + "h"
                                              : std::to_string(elapsed / (3600 * 24)) + "d";
    double value = static_cast<double>(sample.latency);
    if (samples.empty()) {
      min = max = value;
    } else {
      min = std::min(min, value);
      max = std::max(max, value);
    }
    samples.push_back({value, std::move(label)});
  }
  std::string graph = Format("%s - high %lu ms, low %lu ms (all time high %lu ms)\n",
                             series.name.c_str(), static_cast<unsigned long>(high),
                             static_cast<unsigned long>(low),
                             static_cast<unsigned long>(series.max));
  graph.append(kGraphColumns, '-').append("\n");
  for (size_t j = 0; j < samples.size(); j += kGraphColumns) {
    if (j != 0) graph.append("\n");
    RenderRange(samples, min, max, j, std::min<size_t>(samples.size() - j, kGraphColumns),
                &graph);
  }
  return graph;
}

std::string LatencyMonitor::Doctor(const DoctorSettings& settings) const {
  std::vector<LatencySeries> events = Snapshot();
  if (events.empty() && settings.threshold_ms == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  bool slowlog_enabled = false, slowlog_tuning = false, slowlog_inspect = false;
  bool scheduler = false, hz = false, large_objects = false, disable_thp = false;
  int advices = 0;
  std::string report;
  int number = 0;
  for (const LatencySeries& series : events) {
    if (++number == 1) {
      report += "Dave, I have observed latency spikes in this Redis instance. You don't mind "
                "talking about it, do you Dave?\n\n";
    }
    EventStats stats = Analyze(series, settings.now_s);
    report += Format(
        "%d. %s: %d latency spikes (average %lums, mean deviation %lums, period %.2f sec). "
        "Worst all time event %lums.",
        number, series.name.c_str(), stats.samples, static_cast<unsigned long>(stats.avg),
        static_cast<unsigned long>(stats.mad),
        static_cast<double>(stats.period) / stats.samples,
        static_cast<unsigned long>(series.max));
    if (EqualsNoCase(series.name, "command")) {
      if (settings.slowlog_slower_than_us < 0) {
        slowlog_enabled = true;
        ++advices;
      } else if (settings.slowlog_slower_than_us / 1000 > settings.threshold_ms) {
        slowlog_tuning = true;
        ++advices;
      }
      slowlog_inspect = large_objects = true;
      advices += 2;
    } else if (EqualsNoCase(series.name, "fast-command")) {
      scheduler = true;
      ++advices;
    } else if (EqualsNoCase(series.name, "expire-cycle")) {
      hz = large_objects = true;
      advices += 2;
    }
    report += "\n";
  }
  if (AnonHugePagesBytes() > 0) {
    disable_thp = true;
    ++advices;
  }
  if (number == 0 && advices == 0) {
    return report +
           "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
           "in the slightest bit. I honestly think you ought to sit down calmly, take a stress "
           "pill, and think things over.\n";
  }
  if (advices == 0) {
    return report +
           "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please "
           "use the Redis community to get some help, providing this report in your help "
           "request.\n";
  }
  report += "\nI have a few advices for you:\n\n";
  unsigned long long suggested_us = static_cast<unsigned long long>(settings.threshold_ms) * 1000;
  if (slowlog_enabled) {
    report += Format(
        "- There are latency issues with potentially slow commands you are using. Try to enable "
        "the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %llu'. "
        "If the Slow log is disabled Redis is not able to log slow commands execution for you.\n",
        suggested_us);
  }
  if (slowlog_tuning) {
    report += Format(
        "- Your current Slow Log configuration only logs events that are slower than your "
        "configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than "
        "%llu'.\n",
        suggested_us);
  }
  if (slowlog_inspect) {
    report +=
        "- Check your Slow Log to understand what are the commands you are running which are too "
        "slow to execute. Please check https://redis.io/commands/slowlog for more information.\n";
  }
  if (scheduler) {
    report +=
        "- The system is slow to execute Redis code paths not containing system calls. This "
        "usually means the system does not provide Redis CPU time to run for long periods. You "
        "should try to:\n"
        "  1) Lower the system load.\n"
        "  2) Use a computer / VM just for Redis if you are running other software in the same "
        "system.\n"
        "  3) Check if you have a \"noisy neighbour\" problem.\n"
        "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in "
        "your system.\n"
        "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if "
        "you are using Jemalloc. However this may create fragmentation problems.\n";
  }
  if (hz && settings.hz < 100) {
    report +=
        "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' "
        "configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  }
  if (large_objects) {
    report +=
        "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
        "blocking operation. If you have very large objects that are often deleted, expired, or "
        "evicted, try to fragment those objects into multiple smaller objects.\n";
  }
  if (disable_thp) {
    report +=
        "- I detected a non zero amount of anonymous huge pages used by your process. This "
        "creates very serious latency events in different conditions, especially when Redis is "
        "persisting on disk. To disable THP support use the command 'echo never > "
        "/sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into "
        "/etc/rc.local so that the command will be executed again after a reboot. Note that even "
        "if you have already disabled THP, you still need to restart the Redis process to get rid "
        "of the huge pages already created.\n";
  }
  return report;
}

void LatencyHistogram::Record(int64_t nanoseconds) {
  if (counts_.empty()) counts_.resize(kCountsLen);
  ++counts_[CountsIndex(std::clamp(nanoseconds, kLowest, kHighest))];
  ++total_;
}

size_t LatencyHistogram::CountsLength() { return kCountsLen; }

size_t LatencyHistogram::IndexOf(int64_t nanoseconds) {
  return CountsIndex(std::clamp(nanoseconds, kLowest, kHighest));
}

void LatencyHistogram::AddAt(size_t index, int64_t count) {
  if (counts_.empty()) counts_.resize(kCountsLen);
  counts_[index] += count;
  total_ += count;
}

void LatencyHistogram::Subtract(const LatencyHistogram& earlier) {
  if (earlier.counts_.empty()) return;
  for (size_t i = 0; i < kCountsLen; ++i) counts_[i] -= earlier.counts_[i];
  total_ -= earlier.total_;
}

void LatencyHistogram::Add(const LatencyHistogram& other) {
  if (other.counts_.empty()) return;
  if (counts_.empty()) counts_.resize(kCountsLen);
  for (size_t i = 0; i < kCountsLen; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  double requested = std::min(percentile, 100.0);
  auto wanted = static_cast<int64_t>(requested / 100 * static_cast<double>(total_) + 0.5);
  wanted = std::max<int64_t>(wanted, 1);
  int64_t seen = 0;
  int64_t value = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) {
      value = ValueAtIndex(i);
      break;
    }
  }
  return percentile == 0.0 ? LowestEquivalent(value) : HighestEquivalent(value);
}

// hdr_histogram's logarithmic iterator from 1024 with base 2, as Redis's fillCommandCDF walks
// it: each step reports the first index at or past the next power of two, with the count up to
// and including it.
std::vector<std::pair<int64_t, int64_t>> LatencyHistogram::CumulativeBuckets() const {
  std::vector<std::pair<int64_t, int64_t>> buckets;
  if (counts_.empty()) return buckets;
  int64_t level = 1024;
  int64_t level_lowest = LowestEquivalent(level);
  size_t index = 0;
  int64_t cumulative = counts_[0];
  int64_t value = 0;
  int64_t previous = 0;
  bool at_end = false;
  while (!at_end) {
    // Walk to the next index whose value reaches the level (or past the last index).
    while (value < level_lowest) {
      if (index + 1 >= kCountsLen) {
        at_end = true;
        break;
      }
      ++index;
      cumulative += counts_[index];
      value = ValueAtIndex(index);
    }
    if (!at_end) {
      level *= 2;
      level_lowest = LowestEquivalent(level);
    }
    if (cumulative > previous) {
      buckets.emplace_back(HighestEquivalent(value) / 1000, cumulative);
      previous = cumulative;
    }
    // Redis's iterator stops once every count was seen and no index lies past the level.
    if (cumulative >= total_ && ValueAtIndex(index + 1) <= level_lowest) break;
  }
  return buckets;
}

CommandLatencies::CommandLatencies() = default;

CommandLatencies::~CommandLatencies() = default;

CommandLatencies::Row::Row()
    : counts(std::make_unique<std::atomic<int64_t>[]>(LatencyHistogram::CountsLength())) {}

void CommandLatencies::Record(const CommandSpec& spec, uint64_t usec) {
  Row& row = rows_.RowOf(spec);
  auto nanoseconds = static_cast<int64_t>(std::min<uint64_t>(usec, kHighest)) * 1000;
  // Single writer: a relaxed load and store, no read-modify-write.
  std::atomic<int64_t>& count = row.counts[LatencyHistogram::IndexOf(nanoseconds)];
  count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  row.total.store(row.total.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

std::unordered_map<const CommandSpec*, LatencyHistogram> CommandLatencies::RawSums() const {
  std::unordered_map<const CommandSpec*, LatencyHistogram> sums;
  const size_t length = LatencyHistogram::CountsLength();
  rows_.ForEach([&](const CommandSpec* spec, const Row& row) {
    LatencyHistogram& sum = sums[spec];
    for (size_t i = 0; i < length; ++i) {
      if (int64_t n = row.counts[i].load(std::memory_order_relaxed)) sum.AddAt(i, n);
    }
  });
  return sums;
}

std::unordered_map<const CommandSpec*, LatencyHistogram> CommandLatencies::Sums() const {
  std::lock_guard lock(baseline_mutex_);
  std::unordered_map<const CommandSpec*, LatencyHistogram> sums = RawSums();
  for (auto it = sums.begin(); it != sums.end();) {
    if (auto base = baseline_.find(it->first); base != baseline_.end()) {
      it->second.Subtract(base->second);
    }
    it = it->second.total() == 0 ? sums.erase(it) : std::next(it);
  }
  return sums;
}

void CommandLatencies::Reset() {
  std::lock_guard lock(baseline_mutex_);
  baseline_ = RawSums();
}

void InstantaneousMetrics::Track(Metric metric, int64_t now_ms, uint64_t reading) {
  std::lock_guard lock(mutex_);
  Series& series = series_[metric];
  int64_t elapsed = now_ms - series.last_time_ms;
  auto delta = static_cast<int64_t>(reading - series.last_reading);
  series.samples[series.next] = elapsed > 0 ? delta * 1000 / elapsed : 0;
  series.next = (series.next + 1) % kSamples;
  series.last_time_ms = now_ms;
  series.last_reading = reading;
}

int64_t InstantaneousMetrics::Get(Metric metric) const {
  std::lock_guard lock(mutex_);
  int64_t sum = 0;
  for (int64_t sample : series_[metric].samples) sum += sample;
  return sum / static_cast<int64_t>(kSamples);
}

void AddLatencySampleIfNeeded(ServerContext& server, std::string_view event, int64_t latency_ms) {
  // By position: eviction reports every key it deletes.
  static const size_t kThreshold = OptionIndex("latency-monitor-threshold");
  int64_t threshold = server.config.options()[kThreshold]->number();
  if (threshold == 0 || latency_ms < threshold) return;
  server.latency.AddSample(event, latency_ms, server.clock.NowMs() / 1000);
}

AfterHook LatencyHook(ServerContext& server) {
  const Option& threshold = server.config.Get("latency-monitor-threshold");
  const Option& tracking = server.config.Get("latency-tracking");
  return [&server, &threshold, &tracking](const Completion& done) {
    if (done.outcome != Outcome::kRan || done.spec == nullptr) return;
    int64_t threshold_ms = threshold.number();
    auto latency_ms = static_cast<int64_t>(done.usec / 1000);
    if (threshold_ms != 0 && latency_ms >= threshold_ms) {
      server.latency.AddSample((done.spec->flags & kFast) ? "fast-command" : "command", latency_ms,
                               server.clock.NowMs() / 1000);
    }
    if (tracking.number() != 0) server.command_latencies.Record(*done.spec, done.usec);
  };
}

}  // namespace respd::server
