// Runs the differential command fuzzer: starts respd and redis-server on free loopback ports, sends
// both the same random command sessions, compares replies under each command's rule, and on a
// mismatch, a dead respd or a respd that stops answering, shrinks the session to a minimal
// reproducer and reports it with the seed. Servers are stopped by pid.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "tests/fuzz/command_fuzz_grammar.h"

namespace respd::testing::fuzz {

struct FuzzOptions {
  uint64_t seed = 1;
  uint64_t session_seed = 0;  // nonzero: run only this session (as printed in a report)
  int64_t max_commands = 0;   // 0: no limit
  double max_seconds = 60;
  int session_length = 300;        // commands between resets to fresh state
  int resp = 0;                    // 2 or 3; 0: each session picks from its seed
  int max_failures = 1;            // distinct failures before stopping
  double shrink_seconds = 60;      // time allowed to shrink one failure (0: no shrinking)
  std::set<std::string> excluded;  // full command names never generated
  std::ostream* log = nullptr;     // progress and reports; nullptr: quiet
};

struct FuzzFailure {
  std::string signature;  // kind, command and reply shapes: repeats of one cause share it
  std::string report;     // seed, command, both replies, shrunk reproducer
};

struct FuzzStats {
  int64_t commands = 0;    // commands compared (both servers), resyncs included
  int64_t respd_only = 0;  // of which sent to respd alone
  int64_t sessions = 0;
  int64_t failures_seen = 0;  // including repeats of a known signature
  double seconds = 0;
  std::map<std::string, int64_t> per_command;
  std::vector<std::string> never_run;  // fuzzable commands the run did not reach
  std::vector<FuzzFailure> failures;
  std::string setup_error;  // servers or command tables could not be set up
};

FuzzStats RunCommandFuzz(const FuzzOptions& options);

// Whether two raw replies match under `rule` (exposed for the fuzzer's own tests).
bool RepliesMatch(const CompareRule& rule, const std::string& expected, const std::string& actual);

}  // namespace respd::testing::fuzz
