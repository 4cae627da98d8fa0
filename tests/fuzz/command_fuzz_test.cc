// The differential command fuzzer as a test: by default a fixed-seed run bounded in commands and
// time (ctest `command_fuzz`); environment variables turn it into a long run with other seeds
// (tests/fuzz/README.md). Plus checks of the fuzzer's own comparison and quoting.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "tests/fuzz/command_fuzz_generator.h"
#include "tests/fuzz/command_fuzz_runner.h"
#include "tests/support/server_process.h"

namespace respd::testing::fuzz {
namespace {

// The CI run: a fixed seed and a command count that would take about a minute on a loaded 2-core
// machine; the time cap, which keeps the whole test command under 15 minutes, only shortens it (a
// prefix of a passing run passes). RESPD_FUZZ_SECONDS gives a longer run.
constexpr uint64_t kCiSeed = 20240607;
constexpr int64_t kCiCommands = 300000;
constexpr double kCiSeconds = 15;
constexpr double kCiShrinkSeconds = 30;

// Commands left out of the default command set because they differ from Redis today, each in an
// area another change owns; RESPD_FUZZ_EXCLUDE="" puts them back. Remove a line with its fix.
const char* const kKnownDifferences =
    // EVAL: a shebang error's newline becomes a space (Redis sends it as is) and its echo does
    // not end at a NUL.
    "eval,eval_ro";

std::string Env(const char* name, const std::string& fallback = {}) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : fallback;
}

bool HasEnv(const char* name) { return std::getenv(name) != nullptr; }

std::set<std::string> SplitNames(const std::string& list) {
  std::set<std::string> names;
  std::stringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (!name.empty()) names.insert(name);
  }
  return names;
}

FuzzOptions OptionsFromEnvironment() {
  FuzzOptions options;
  options.seed = std::stoull(Env("RESPD_FUZZ_SEED", std::to_string(kCiSeed)));
  options.session_seed = std::stoull(Env("RESPD_FUZZ_SESSION_SEED", "0"));
  bool long_run = HasEnv("RESPD_FUZZ_SECONDS");
  options.max_seconds = std::stod(Env("RESPD_FUZZ_SECONDS", std::to_string(kCiSeconds)));
  options.max_commands =
      std::stoll(Env("RESPD_FUZZ_COMMANDS", long_run ? "0" : std::to_string(kCiCommands)));
  options.resp = std::stoi(Env("RESPD_FUZZ_RESP", "0"));
  options.session_length = std::stoi(Env("RESPD_FUZZ_SESSION_LENGTH", "300"));
  options.max_failures = std::stoi(Env("RESPD_FUZZ_MAX_FAILURES", long_run ? "50" : "1"));
  options.shrink_seconds =
      std::stod(Env("RESPD_FUZZ_SHRINK_SECONDS", std::to_string(long_run ? 60 : kCiShrinkSeconds)));
  options.excluded = SplitNames(Env("RESPD_FUZZ_EXCLUDE", kKnownDifferences));
  options.log = &std::cout;
  return options;
}

TEST(CommandFuzz, RespdAnswersEveryCommandLikeRedis) {
  if (!HaveExecutable("redis-server")) {
    if (Env("CI") == "true") FAIL() << "redis-server is not installed (required under CI)";
    GTEST_SKIP() << "redis-server is not installed";
  }
  FuzzOptions options = OptionsFromEnvironment();
  FuzzStats stats = RunCommandFuzz(options);
  ASSERT_TRUE(stats.setup_error.empty()) << stats.setup_error;
  std::cout << "command_fuzz: " << stats.commands << " commands (" << stats.respd_only
            << " to respd alone) in " << stats.sessions << " sessions, " << stats.seconds << " s, "
            << stats.per_command.size() << " distinct commands, " << stats.failures_seen
            << " failures (" << stats.failures.size() << " distinct)\n";
  if (!stats.never_run.empty()) {
    std::cout << "command_fuzz: not reached:";
    for (const std::string& name : stats.never_run) std::cout << ' ' << name;
    std::cout << '\n';
  }
  // A run that stopped early without a failure compared nothing worth a pass.
  if (options.session_seed == 0) {
    EXPECT_GT(stats.commands, 1000);
  }
  for (const FuzzFailure& failure : stats.failures) ADD_FAILURE() << failure.report;
}

TEST(CommandFuzzCompare, RulesAcceptOnlyWhatTheyShould) {
  CompareRule exact;
  EXPECT_TRUE(RepliesMatch(exact, "+OK\r\n", "+OK\r\n"));
  EXPECT_FALSE(RepliesMatch(exact, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n"));

  CompareRule unordered{Compare::kUnordered};
  EXPECT_TRUE(
      RepliesMatch(unordered, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n"));
  EXPECT_FALSE(
      RepliesMatch(unordered, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "~2\r\n$1\r\nb\r\n$1\r\na\r\n"));
  EXPECT_TRUE(RepliesMatch(unordered, "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n",
                           "%2\r\n$1\r\nb\r\n:2\r\n$1\r\na\r\n:1\r\n"));
  EXPECT_FALSE(RepliesMatch(unordered, "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n",
                            "%2\r\n$1\r\na\r\n:2\r\n$1\r\nb\r\n:1\r\n"));

  CompareRule type_only{Compare::kTypeOnly};
  EXPECT_TRUE(RepliesMatch(type_only, "$1\r\na\r\n", "$2\r\nbc\r\n"));
  EXPECT_FALSE(RepliesMatch(type_only, "$1\r\na\r\n", "$-1\r\n"));
  EXPECT_FALSE(RepliesMatch(type_only, "*1\r\n$1\r\na\r\n", "*2\r\n$1\r\na\r\n$1\r\na\r\n"));
  EXPECT_FALSE(RepliesMatch(type_only, "-ERR a\r\n", "-ERR b\r\n"));  // errors stay exact

  CompareRule approx{Compare::kApprox, 2};
  EXPECT_TRUE(RepliesMatch(approx, ":100\r\n", ":98\r\n"));
  EXPECT_FALSE(RepliesMatch(approx, ":100\r\n", ":97\r\n"));
  EXPECT_FALSE(RepliesMatch(approx, ":-2\r\n", ":-1\r\n"));

  CompareRule scan{Compare::kScan};
  EXPECT_TRUE(RepliesMatch(scan, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n",
                           "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n"));
  EXPECT_FALSE(RepliesMatch(scan, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n",
                            "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n"));
  EXPECT_TRUE(RepliesMatch(scan, "*2\r\n$1\r\n5\r\n*1\r\n$1\r\na\r\n",
                           "*2\r\n$1\r\n3\r\n*1\r\n$1\r\nb\r\n"));
}

TEST(CommandFuzzCompare, ReproducerLinesQuoteLikeDifferentialScripts) {
  EXPECT_EQ(ScriptLine({"SET", "k", "v"}), "SET k v");
  EXPECT_EQ(ScriptLine({"SET", "", "a b"}), "SET \"\" \"a b\"");
  EXPECT_EQ(ScriptLine({"SET", std::string("\0\r\n\"", 4)}), "SET \"\\x00\\r\\n\\\"\"");
  EXPECT_EQ(ScriptLine({"ECHO", "abcdef"}, 4), "ECHO \"abcd\"<...truncated: 6 bytes>");
}

}  // namespace
}  // namespace respd::testing::fuzz
