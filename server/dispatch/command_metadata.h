// What Redis 7.0 says about each of its commands (COMMAND INFO and COMMAND DOCS), as data: one
// declarative entry per command and subcommand, generated from redis-server's own replies by
// scripts/gen_command_metadata.py into command_metadata_data.cc. COMMAND INFO, DOCS and GETKEYS
// are written from it; the command table's rows must agree with it (arity, flags, key positions),
// which tests/server/dispatch/command_metadata_test.cc checks for every registered command.
//
// A string field is absent when its view has no data (default-constructed) and present, possibly
// empty, otherwise: MIGRATE's empty-key argument has the token "".
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "server/dispatch/command.h"

namespace respd::server::metadata {

enum class BeginSearch : uint8_t { kIndex, kKeyword, kUnknown };
enum class FindKeys : uint8_t { kRange, kKeynum, kUnknown };

// A key specification (Redis's keySpec): where a command's keys start and how many follow.
struct KeySpec {
  std::string_view notes = {};
  std::string_view flags = {};  // space-separated: "RW access update"
  BeginSearch begin_search = BeginSearch::kUnknown;
  int index = 0;             // kIndex: the argument position
  std::string_view keyword = {};  // kKeyword: the keys follow this argument...
  int startfrom = 0;         // ...searched from here (negative: backwards from the end)
  FindKeys find_keys = FindKeys::kUnknown;
  int lastkey = 0;  // kRange: relative to the first key; negative counts from the end
  int keystep = 0;  // kRange and kKeynum
  int limit = 0;    // kRange with lastkey -1: only 1/limit of the remaining arguments
  int keynumidx = 0;  // kKeynum: where the key count is, relative to the begin_search position
  int firstkey = 0;   // kKeynum: where the first key is, relative to it
};

// One argument of COMMAND DOCS; a oneof or block nests its own.
struct Argument {
  std::string_view name = {};
  std::string_view type = {};
  int key_spec_index = -1;
  std::string_view token = {};
  std::string_view summary = {};
  std::string_view since = {};
  std::string_view deprecated_since = {};
  std::string_view display_text = {};
  std::string_view flags = {};  // space-separated: "optional multiple"
  std::span<const Argument> arguments = {};
};

struct HistoryEntry {
  std::string_view version = {};
  std::string_view change = {};
};

struct CommandMetadata {
  std::string_view name = {};  // the full name: "get", "config|get"
  // COMMAND INFO
  int arity = 0;
  std::string_view flags = {};           // space-separated: "write denyoom fast"
  int first_key = 0;
  int last_key = 0;
  int key_step = 0;
  std::string_view acl_categories = {};  // space-separated: "@write @string @slow"
  std::string_view tips = {};            // space-separated: "request_policy:all_shards"
  std::span<const KeySpec> key_specs = {};
  // COMMAND DOCS
  std::string_view summary = {};
  std::string_view since = {};
  std::string_view group = {};
  std::string_view complexity = {};
  std::string_view doc_flags = {};
  std::string_view deprecated_since = {};
  std::string_view replaced_by = {};
  std::span<const HistoryEntry> history = {};
  std::span<const Argument> arguments = {};
  std::span<const CommandMetadata> subcommands = {};  // by name
};

inline bool Present(std::string_view field) { return field.data() != nullptr; }

// The words of a space-separated field.
std::vector<std::string_view> Words(std::string_view field);
bool HasWord(std::string_view field, std::string_view word);

// Every Redis 7.0 command, sorted by name (generated: command_metadata_data.cc).
std::span<const CommandMetadata> RedisCommands();
// respd's own commands (RESPD), sorted by name (by hand: command_metadata_respd.cc).
std::span<const CommandMetadata> RespdCommands();
// Subcommands of Redis 7.0's containers that only later Redis versions have (CLIENT SETINFO),
// sorted by full name (by hand: command_metadata_respd.cc).
std::span<const CommandMetadata> NewerSubcommands();
// Redis's and respd's commands, sorted by name.
std::span<const CommandMetadata> AllCommands();

// Case-insensitive lookup by full name ("config|get"); nullptr if neither Redis 7.0 nor respd
// has such a command.
const CommandMetadata* Find(std::string_view full_name);
// A subcommand of a container by its own name ("get" under "config").
const CommandMetadata* FindSubcommand(const CommandMetadata& container, std::string_view name);

// A key found in a command's arguments and its key-spec flags ("RW access update").
struct KeyReference {
  int position;
  std::string_view flags = {};
};

// The keys of `args` (the command's name first) as Redis's getKeysUsingKeySpecs finds them from the
// key specs. False when a spec cannot be applied (unknown or incomplete, or the arguments do not fit
// it), where Redis turns to the command's own key-finding function.
bool KeysFromSpecs(const CommandMetadata& command, Args args, std::vector<KeyReference>* keys);

}  // namespace respd::server::metadata
