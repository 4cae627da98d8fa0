// What the stream command files share: ID parsing with Redis's errors, entry replies,
// the node limits from configuration, and the registration of the group and XINFO commands.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/commands/args.h"
#include "server/dispatch/command.h"
#include "server/dispatch/command_table.h"
#include "storage/stream_ops.h"

namespace respd::server {

inline constexpr std::string_view kErrInvalidStreamId =
    "ERR Invalid stream ID specified as stream command argument";

// Redis's streamParseIDOrReply (strict: no "-"/"+"); writes the error and returns nullopt.
std::optional<storage::StreamId> ParseStreamIdOrReply(CommandContext& ctx, std::string_view arg,
                                                      uint64_t missing_seq, bool strict);
// The same for handlers reading with ArgParser: `arg` parsed as above, failing `parser` with the
// error (a zero ID once the parser has failed).
storage::StreamId StreamIdArg(ArgParser& parser, std::string_view arg, uint64_t missing_seq = 0,
                              bool strict = true);
inline storage::StreamId NextStreamId(ArgParser& parser, uint64_t missing_seq = 0,
                                      bool strict = true) {
  return StreamIdArg(parser, parser.Next(), missing_seq, strict);
}
// Redis's streamParseIntervalIDOrReply plus the exclusive-bound step of XRANGE, XPENDING and
// XAUTOCLAIM: "(id" moves the bound by one ID, with Redis's errors at the ends of the ID space.
storage::StreamId RangeBoundArg(ArgParser& parser, std::string_view arg, bool is_start);

void ReplyStreamId(CommandContext& ctx, storage::StreamId id);
// [id, [field, value, ...]], or [id, nil] for an entry no longer in the stream.
void ReplyEntry(CommandContext& ctx, const storage::StreamEntryRef& entry);
void ReplyEntries(CommandContext& ctx, std::span<const storage::StreamEntryRef> entries);

storage::StreamNodeLimits NodeLimits(const CommandContext& ctx);

// Redis's streamPropagateXCLAIM: the XCLAIM that gives a replica or a reload the pending entry
// `id` as the master has it (owner, delivery time and count) whatever it had there (FORCE),
// without fetching the entry (JUSTID), and the group's last ID along (LASTID).
std::vector<std::string> XclaimPropagation(std::string_view key, std::string_view group_name,
                                           std::string_view id, std::string_view consumer,
                                           int64_t delivery_time, uint64_t delivery_count,
                                           storage::StreamId group_last_id);
// Redis's streamPropagateGroupID: XGROUP SETID with the group's last ID and read counter.
std::vector<std::string> GroupIdPropagation(std::string_view key, std::string_view group_name,
                                            const storage::StreamGroup& group);

// "-NOGROUP No such key 'k' or consumer group 'g'" and its longer forms.
std::string NoGroupError(std::string_view key, std::string_view group,
                         std::string_view suffix = {});

void RegisterStreamGroupCommands(CommandTable& table);
void RegisterStreamInfoCommands(CommandTable& table);

}  // namespace respd::server
