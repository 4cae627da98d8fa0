// COMMAND INFO, COMMAND DOCS and COMMAND GETKEYS[ANDFLAGS] replies, written from Redis 7.0's
// metadata (server/dispatch/command_metadata.h) for the commands respd registers.
#pragma once

#include <string_view>
#include <vector>

#include "server/dispatch/command.h"

namespace respd::server {

// One COMMAND INFO entry. `container` is the command a subcommand belongs to, or nullptr.
void ReplyCommandInfo(CommandContext& ctx, const CommandSpec& spec, const CommandSpec* container);
// One COMMAND DOCS name and map.
void ReplyCommandDocs(CommandContext& ctx, const CommandSpec& spec, const CommandSpec* container);
// The ACL categories COMMAND INFO reports ("@write"...).
std::vector<std::string_view> CommandCategories(const CommandSpec& spec,
                                                const CommandSpec* container);
// COMMAND GETKEYS / GETKEYSANDFLAGS for `target` (a full command line).
void ReplyCommandKeys(CommandContext& ctx, Args target, bool with_flags);

}  // namespace respd::server
