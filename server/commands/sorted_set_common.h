// Helpers shared by the sorted set command files (sorted_set_family.cc, sorted_set_algebra.cc,
// sorted_set_blocking.cc, geo_family.cc): configuration limits, range parsing with Redis's rules,
// reply shapes and the first-key pop of ZMPOP and the blocking pops. The storage half of every
// write is in storage/zset_ops.h.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/dispatch/command.h"
#include "server/dispatch/command_table.h"
#include "server/commands/args.h"
#include "server/commands/handler_support.h"
#include "server/dispatch/server_context.h"
#include "storage/zset_ops.h"

namespace respd::server {

inline constexpr std::string_view kErrMinMaxFloat = "ERR min or max is not a float";
inline constexpr std::string_view kErrMinMaxLex = "ERR min or max not valid string range item";

// The listpack thresholds from the running configuration (zset-max-listpack-*).
storage::ZSetLimits ZSetLimitsOf(ServerContext& server);

// zslParseRange's rules: strtod over the text (so leading spaces, hex and "" are accepted), "("
// for an exclusive end, NaN refused.
bool ParseScoreRange(std::string_view min, std::string_view max, storage::ScoreRange* range);
// "[x" "(x" "-" "+".
bool ParseLexRange(std::string_view min, std::string_view max, storage::LexRange* range);

// One member of a range reply: in RESP3 with scores, a [member, score] pair.
void ReplyMember(CommandContext& ctx, std::string_view member, double score, bool withscores);
// Ranks [start, end) as ZRANGE replies them (flat pairs in RESP2, nested in RESP3).
void ReplyMembers(CommandContext& ctx, const storage::ZSet& z, size_t start, size_t end,
                  bool reverse, bool withscores);
// How a pop replies: ZPOPMIN without count as one flat pair; with count as pairs (nested in
// RESP3); BZPOPMIN as [key, member, score]; ZMPOP and BZMPOP as [key, [[member, score], ...]].
enum class PopReply : uint8_t { kFlat, kPairs, kKeyed, kMulti };
void ReplyPopped(CommandContext& ctx, std::string_view key, const storage::ScoredMembers& popped,
                 PopReply mode);

// ZMPOP / BZMPOP arguments after the numkeys at args[numkeys_pos].
struct MPopArgs {
  std::vector<std::string_view> keys;
  bool max = false;
  size_t count = 1;
};
bool ParseMPopArgs(CommandContext& ctx, size_t numkeys_pos, MPopArgs* out);

// Pops for ZMPOP / BZMPOP (and, with `keyed_single`, BZPOPMIN's one member) from the first key
// that exists; on a blocked command's re-run, only from the key that became ready. Returns false
// when no key could serve; replies WRONGTYPE (and returns true) for a key of another type met
// first, except on a re-run. What popped propagates as ZPOPMIN/ZPOPMAX of the key served.
bool PopFirst(CommandContext& ctx, std::span<const std::string_view> keys, bool max, size_t count,
              bool keyed_single);

// BZPOPMIN BZPOPMAX BZMPOP (sorted_set_blocking.cc).
void RegisterSortedSetBlocking(CommandTable& table);

// ZUNION ZINTER ZDIFF ZINTERCARD and their STORE forms (sorted_set_algebra.cc).
void RegisterSortedSetAlgebra(CommandTable& table);

}  // namespace respd::server
