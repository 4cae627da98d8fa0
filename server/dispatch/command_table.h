// The command table: every command's constant row, registered by its family at start-up. COMMAND
// and its subcommands are generated from it, so a client's view of the server is always true.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/dispatch/command.h"
#include "storage/hash.h"

namespace respd::server {

class CommandTable {
 public:
  void Register(std::span<const CommandSpec> rows);

  // Case-insensitive lookup of a top-level command.
  const CommandSpec* Find(std::string_view name) const;
  // Case-insensitive lookup of a subcommand of a container (CONFIG GET, CLIENT ID...).
  static const CommandSpec* FindSubcommand(const CommandSpec& container, std::string_view name);
  const std::vector<const CommandSpec*>& all() const { return all_; }

 private:
  // Every command is looked up by name once per call: an open-addressed table (power-of-two
  // size, at most a quarter full) hashes the lower-cased name once and mostly compares one row.
  // Built at start-up only.
  struct Slot {
    uint64_t hash = 0;
    const CommandSpec* spec = nullptr;  // null: empty
  };
  const CommandSpec* FindLower(std::string_view lower, uint64_t hash) const;
  void Place(const CommandSpec* spec);

  std::vector<Slot> slots_;
  std::vector<const CommandSpec*> all_;
};

// Lower-cases `name` into `buffer` when it fits (command names are short); returns a view of it, or
// an empty view when the name is too long to be any command.
std::string_view LowerName(std::string_view name, char* buffer, size_t capacity);

// Redis's flag names of a command for COMMAND INFO ("write", "denyoom", "fast"...).
std::vector<std::string_view> FlagNames(const CommandSpec& spec);

}  // namespace respd::server
