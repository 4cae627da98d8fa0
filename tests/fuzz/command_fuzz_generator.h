// Random commands for the differential fuzzer: a registered command (or subcommand) with arguments
// built from its COMMAND DOCS grammar and the hand-written pools, sometimes mutated (an argument
// dropped, repeated, replaced by a hostile value, a keyword in the wrong place), plus commands
// respd does not register, unknown names, Lua scripts that call generated commands, and MULTI
// blocks. Deterministic for a seed and the sequence of MULTI states it is told about.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/fuzz/command_fuzz_spec.h"

namespace respd::testing::fuzz {

struct FuzzCommand {
  std::vector<std::string> argv;
  std::string name;  // the spec's full name; "" for a name no server knows
  CompareRule rule;
  // A command only Redis registers: sent to respd alone, which must answer as Redis answers an
  // unknown subcommand (top-level ones are renamed away in the reference redis-server and
  // compared there like any other command).
  bool respd_only = false;
  bool diverges = false;  // the fuzzer deletes the keys it named afterwards (see DivergesData)
};

class CommandGenerator {
 public:
  // `specs` must outlive the generator. `excluded` holds full names never generated; `shas` the
  // SHA1s of grammar's scripts, for EVALSHA.
  CommandGenerator(const std::vector<CommandSpec>* specs, uint64_t seed,
                   const std::set<std::string>& excluded, std::vector<std::string> shas);

  // The next command; `in_multi` says a MULTI is open on the connection (then only commands
  // compared exactly are queued, and EXEC or DISCARD comes after a few).
  FuzzCommand Next(bool in_multi);

 private:
  FuzzCommand FromSpec(const CommandSpec& spec);
  void Generate(const CommandSpec& spec, const std::vector<ArgSpec>& args,
                std::vector<std::string>* out);
  void GenerateOne(const CommandSpec& spec, const ArgSpec& arg, std::vector<std::string>* out);
  std::string Value(const CommandSpec& spec, const ArgSpec& arg);
  std::string Token(const std::string& token);
  void Mutate(const CommandSpec& spec, std::vector<std::string>* argv);
  void CollectTokens(const std::vector<ArgSpec>& args, std::vector<std::string>* out) const;
  // A command drawn from `pool` whose reply is compared exactly and changes no data differently on
  // the two servers (what MULTI queues and scripts call), or nullopt after a few draws.
  std::optional<FuzzCommand> ComparableExactly(const std::vector<const CommandSpec*>& pool);
  FuzzCommand LuaCallingGeneratedCommand();
  FuzzCommand UnknownCommand();

  const std::string& Pick(const std::vector<std::string>& pool);
  bool Chance(double p);
  int Uniform(int lo, int hi);  // inclusive

  const std::vector<CommandSpec>* specs_;
  std::mt19937_64 rng_;
  std::vector<const CommandSpec*> fuzzable_;   // registered, not skipped, not excluded
  std::vector<const CommandSpec*> in_script_;  // ... and callable from Lua, compared exactly
  std::vector<const CommandSpec*> in_multi_;   // ... and compared exactly
  std::vector<const CommandSpec*> foreign_;    // Redis-only subcommands of respd's containers
  std::vector<const CommandSpec*> renamed_;    // other Redis-only commands (renamed in redis)
  std::vector<const CommandSpec*> containers_;
  const CommandSpec* multi_ = nullptr;
  const CommandSpec* exec_ = nullptr;
  const CommandSpec* discard_ = nullptr;
  std::vector<std::string> shas_;
  int queued_ = 0;  // commands queued since MULTI
};

// The command as a differential-script line (tests/differential/README.md quoting), arguments
// longer than `max_arg` shortened with a note.
std::string ScriptLine(const std::vector<std::string>& argv, size_t max_arg = 4096);

}  // namespace respd::testing::fuzz
