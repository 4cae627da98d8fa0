// What handlers of several families share besides argument parsing (args.h): Redis's replies for a
// missing key and an empty scan, and the configuration values hot paths read by position rather
// than by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/dispatch/command.h"
#include "storage/rdb_value.h"

namespace respd::server {

// list-max-listpack-size, the node size every list write is given (storage calls it `fill`).
int ListMaxListpackSize(const CommandContext& ctx);

// The longest string value a command may build (proto-max-bulk-len, as Redis checks it).
uint64_t MaxStringLen(const CommandContext& ctx);

// Replies with `on_missing` for a missing key, with the status's error otherwise.
template <typename Fn>
void ReplyMissingKey(CommandContext& ctx, storage::OpStatus status, Fn&& on_missing) {
  if (status == storage::OpStatus::kKeyNotFound) {
    on_missing();
  } else {
    ctx.ReplyStatus(status);
  }
}

// The command a deletion propagates as: UNLINK when the lazyfree option that governs it
// (lazyfree-lazy-expire for a time already past, lazyfree-lazy-user-del for GETDEL) is on, DEL
// otherwise, as Redis picks shared.unlink or shared.del.
std::string DeletionCommand(const CommandContext& ctx, std::string_view lazyfree_option);

// SSCAN/ZSCAN's reply for a missing key: cursor 0, no elements.
void ReplyEmptyScan(CommandContext& ctx);

// SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a positive count smaller than the collection draw
// random members until that many distinct ones came up while count * this <= size, and shuffle a
// copy of everything otherwise, where repeated draws would mostly hit members already taken
// (Redis's *_SUB_STRATEGY_MUL).
constexpr size_t kRandSubStrategyMul = 3;

}  // namespace respd::server
