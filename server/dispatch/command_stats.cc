// Per-command and per-error statistics (see command_stats.h).
#include "server/dispatch/command_stats.h"

#include <algorithm>

#include "server/dispatch/command_table.h"

namespace respd::server {
namespace {

// Redis looks for the code's end among the first 32 bytes of "-CODE message".
constexpr size_t kMaxErrorCodeScan = 31;

// Single-writer increment: only the owning thread writes the counter.
void Bump(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

thread_local std::vector<std::string> precounted_script_errors;

}  // namespace

CommandStats::CommandStats(std::atomic<uint64_t>& total_error_replies)
    : total_error_replies_(total_error_replies) {}

CommandStats::~CommandStats() = default;

void CommandStats::RecordCall(const CommandSpec& spec, uint64_t usec, bool failed) {
  Counters& row = rows_.RowOf(spec);
  Bump(row.calls, 1);
  Bump(row.usec, usec);
  if (failed) Bump(row.failed_calls, 1);
}

void CommandStats::RecordRejected(const CommandSpec& spec) { Bump(rows_.RowOf(spec).rejected_calls, 1); }

void CommandStats::RecordFailed(const CommandSpec& spec) { Bump(rows_.RowOf(spec).failed_calls, 1); }

void CommandStats::RecordError(std::string_view error) {
  total_error_replies_.fetch_add(1, std::memory_order_relaxed);
  size_t space = error.substr(0, kMaxErrorCodeScan).find(' ');
  std::string_view code = space == std::string_view::npos ? "ERR" : error.substr(0, space);
  std::lock_guard lock(errors_mutex_);
  auto it = errors_.find(code);
  if (it == errors_.end()) it = errors_.emplace(std::string(code), 0).first;
  ++it->second;
}

std::unordered_map<const CommandSpec*, CommandCounts> CommandStats::RawSums() const {
  std::unordered_map<const CommandSpec*, CommandCounts> sums;
  rows_.ForEach([&](const CommandSpec* spec, const Counters& row) {
    CommandCounts& sum = sums[spec];
    sum.calls += row.calls.load(std::memory_order_relaxed);
    sum.usec += row.usec.load(std::memory_order_relaxed);
    sum.rejected_calls += row.rejected_calls.load(std::memory_order_relaxed);
    sum.failed_calls += row.failed_calls.load(std::memory_order_relaxed);
  });
  return sums;
}

std::unordered_map<const CommandSpec*, CommandCounts> CommandStats::Sums() const {
  std::lock_guard lock(baseline_mutex_);
  std::unordered_map<const CommandSpec*, CommandCounts> sums = RawSums();
  for (auto& [spec, sum] : sums) {
    auto base = baseline_.find(spec);
    if (base == baseline_.end()) continue;
    sum.calls -= base->second.calls;
    sum.usec -= base->second.usec;
    sum.rejected_calls -= base->second.rejected_calls;
    sum.failed_calls -= base->second.failed_calls;
  }
  return sums;
}

std::vector<std::pair<std::string, CommandCounts>> CommandStats::CommandRows(
    const CommandTable& table) const {
  std::vector<std::pair<std::string, CommandCounts>> rows;
  for (const auto& [spec, counts] : Sums()) {
    if (counts.calls == 0 && counts.rejected_calls == 0 && counts.failed_calls == 0) continue;
    rows.emplace_back(CommandFullName(table, *spec), counts);
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return rows;
}

std::map<std::string, uint64_t, std::less<>> CommandStats::ErrorRows() const {
  std::lock_guard lock(errors_mutex_);
  return errors_;
}

void CommandStats::Reset() {
  {
    std::lock_guard lock(baseline_mutex_);
    baseline_ = RawSums();
  }
  std::lock_guard lock(errors_mutex_);
  errors_.clear();
}

std::string CommandFullName(const CommandTable& table, const CommandSpec& spec) {
  for (const CommandSpec* command : table.all()) {
    if (command == &spec) return std::string(spec.name);
    for (const CommandSpec& sub : command->subcommands) {
      if (&sub == &spec) return std::string(command->name) + "|" + std::string(sub.name);
    }
  }
  return std::string(spec.name);
}

void NotePrecountedScriptError(std::string_view error) {
  precounted_script_errors.emplace_back(error);
}

bool TakePrecountedScriptError(std::string_view error) {
  for (const std::string& counted : precounted_script_errors) {
    if (error.starts_with(counted)) return true;
  }
  return false;
}

void ClearPrecountedScriptErrors() {
  if (!precounted_script_errors.empty()) precounted_script_errors.clear();
}

}  // namespace respd::server
