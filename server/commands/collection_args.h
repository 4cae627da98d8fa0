// Argument parsing and reply helpers shared by the command families: case-insensitive keywords,
// SCAN-style cursors and options, blocking timeouts, missing-key replies, and the key positions of
// "numkeys key [key ...]" commands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "server/dispatch/command.h"

namespace respd::server {

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Position of an option in OptionSpecs(), which is also its position in Config::options(): hot
// paths read encoding thresholds without a lookup by name.
size_t OptionIndex(std::string_view name);

// Replies with `on_missing` for a missing key, with the status's error otherwise.
template <typename Fn>
void ReplyMissingKey(CommandContext& ctx, storage::OpStatus status, Fn&& on_missing) {
  if (status == storage::OpStatus::kKeyNotFound) {
    on_missing();
  } else {
    ctx.ReplyStatus(status);
  }
}

// After an in-place change of `value` at `key`: deletes the key if the value became empty, else
// marks it modified.
void FinishWrite(storage::Database& db, std::string_view key, const storage::Object* value);

// Redis's getTimeoutFromObjectOrReply in seconds for blocking commands: a long double times 1000,
// rounded up (0: no timeout); on failure writes Redis's error and returns false.
bool ParseBlockTimeout(CommandContext& ctx, std::string_view text, int64_t* timeout_ms);

// The longest string value a command may build (proto-max-bulk-len, as Redis checks it).
uint64_t MaxStringLen(const CommandContext& ctx);

// Redis's getIntFromObjectOrReply without a custom message: a 64-bit integer, then C int range,
// each with its own error text.
std::optional<int> ParseCIntOrReply(CommandContext& ctx, std::string_view text);

// SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a positive count smaller than the collection draw
// random members until that many distinct ones came up while count * this <= size, and shuffle a
// copy of everything otherwise, where repeated draws would mostly hit members already taken
// (Redis's *_SUB_STRATEGY_MUL).
constexpr size_t kRandSubStrategyMul = 3;

// SSCAN/ZSCAN's reply for a missing key: cursor 0, no elements.
void ReplyEmptyScan(CommandContext& ctx);

// Redis's parseScanCursorOrReply: strtoul's rules ("-1" wraps, "" is 0), no leading space.
std::optional<uint64_t> ParseScanCursor(std::string_view text);

struct ScanOptions {
  uint64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  std::optional<std::string_view> type;  // SCAN's TYPE filter

  bool Matches(std::string_view member) const;
};

// Parses [MATCH pattern] [COUNT count] (and, for SCAN, [TYPE type]) from args[first]; on failure
// writes Redis's error and returns false.
bool ParseScanOptions(CommandContext& ctx, size_t first, ScanOptions* options,
                      bool allow_type = false);

// Key positions of commands whose args[numkeys_pos] is numkeys followed by that many keys, after
// `prefix_keys` fixed key positions 1..prefix_keys (ZUNIONSTORE's destination). False when
// numkeys is malformed or too large.
bool NumKeysPositions(Args args, int numkeys_pos, int prefix_keys, std::vector<int>* positions);

}  // namespace respd::server
