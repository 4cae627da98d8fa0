// Bitmap commands on string values: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
// Argument checks run in Redis 7.0's order: BITCOUNT and BITPOS look the key up before parsing
// their range, so a missing key answers 0 (or -1) whatever follows.
#include <optional>
#include <vector>

#include "server/commands/collection_args.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/bitmap_ops.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

using storage::BitfieldOp;
using storage::BitfieldOpCode;
using storage::BitfieldOverflow;
using storage::BitOpKind;
using storage::BitRange;
using storage::BitUnit;
using storage::Entry;
using storage::OpResult;
using storage::OpStatus;
using storage::ValueType;

constexpr std::string_view kErrBitOffset = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kErrBitValue = "ERR bit is not an integer or out of range";
constexpr std::string_view kErrBitArgument = "ERR The bit argument must be 1 or 0.";
constexpr std::string_view kErrBitopNot = "ERR BITOP NOT must be called with a single source key.";
constexpr std::string_view kErrBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";
constexpr std::string_view kErrOverflowType = "ERR Invalid OVERFLOW type specified";
constexpr std::string_view kErrBitfieldReadOnly =
    "ERR BITFIELD_RO only supports the GET subcommand";
constexpr std::string_view kBitfieldComplexity = "O(1) for each subcommand specified";

// Parses a bit offset (BITFIELD's "#N" form when `field_bits` > 0); replies the error and
// returns nullopt.
std::optional<uint64_t> BitOffsetOrReply(CommandContext& ctx, std::string_view text,
                                         int field_bits = 0) {
  std::optional<uint64_t> offset = storage::ParseBitOffset(text, MaxStringLen(ctx), field_bits);
  if (!offset) ctx.reply.Error(kErrBitOffset);
  return offset;
}

std::optional<int64_t> IntegerOrReply(CommandContext& ctx, std::string_view text) {
  std::optional<int64_t> value = storage::ParseInt64(text);
  if (!value) ctx.reply.Error(kErrNotInteger);
  return value;
}

// BITCOUNT's and BITPOS's BYTE | BIT option; replies a syntax error and returns nullopt.
std::optional<BitUnit> UnitOrReply(CommandContext& ctx, std::string_view text) {
  if (EqualsIgnoreCase(text, "byte")) return BitUnit::kByte;
  if (EqualsIgnoreCase(text, "bit")) return BitUnit::kBit;
  ctx.ReplySyntaxError();
  return std::nullopt;
}

// Looks up the string at `key` for BITCOUNT/BITPOS/GETBIT. Returns false when the reply is
// written (`on_missing` for a missing key, WRONGTYPE for another type).
bool FindStringOrReply(CommandContext& ctx, std::string_view key, int64_t on_missing,
                       std::string_view* value) {
  OpResult<Entry*> found = ctx.db().FindReadTyped(key, ValueType::kString);
  if (!found.ok()) {
    ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(on_missing); });
    return false;
  }
  *value = (*found)->str();
  return true;
}

// SETBIT key offset value
void CmdSetbit(CommandContext& ctx) {
  std::optional<uint64_t> offset = BitOffsetOrReply(ctx, ctx.args[2]);
  if (!offset) return;
  std::optional<int64_t> value = storage::ParseInt64(ctx.args[3]);
  if (!value || (*value & ~int64_t{1}) != 0) {
    ctx.reply.Error(kErrBitValue);
    return;
  }
  OpResult<bool> old = storage::SetBit(ctx.db(), ctx.args[1], *offset, *value == 1);
  if (!old.ok()) {
    ctx.ReplyStatus(old.status());
    return;
  }
  ctx.reply.Integer(*old ? 1 : 0);
}

// GETBIT key offset
void CmdGetbit(CommandContext& ctx) {
  std::optional<uint64_t> offset = BitOffsetOrReply(ctx, ctx.args[2]);
  if (!offset) return;
  std::string_view value;
  if (!FindStringOrReply(ctx, ctx.args[1], 0, &value)) return;
  ctx.reply.Integer(storage::GetBit(value, *offset) ? 1 : 0);
}

// BITCOUNT key [start end [BYTE | BIT]]
void CmdBitcount(CommandContext& ctx) {
  Args args = ctx.args;
  std::string_view value;
  if (!FindStringOrReply(ctx, args[1], 0, &value)) return;
  std::optional<BitRange> range;
  if (args.size() == 4 || args.size() == 5) {
    std::optional<int64_t> start = IntegerOrReply(ctx, args[2]);
    if (!start) return;
    std::optional<int64_t> end = IntegerOrReply(ctx, args[3]);
    if (!end) return;
    // Redis 7.0 answers this empty range before looking at the unit.
    if (*start < 0 && *end < 0 && *start > *end) {
      ctx.reply.Integer(0);
      return;
    }
    BitUnit unit = BitUnit::kByte;
    if (args.size() == 5) {
      std::optional<BitUnit> parsed = UnitOrReply(ctx, args[4]);
      if (!parsed) return;
      unit = *parsed;
    }
    range = storage::ResolveBitRange(value.size(), *start, *end, unit);
  } else if (args.size() == 2) {
    range = storage::ResolveBitRange(value.size(), 0, -1, BitUnit::kByte);
  } else {
    ctx.ReplySyntaxError();
    return;
  }
  ctx.reply.Integer(range ? static_cast<int64_t>(storage::CountBits(value, *range)) : 0);
}

// BITPOS key bit [start [end [BYTE | BIT]]]
void CmdBitpos(CommandContext& ctx) {
  Args args = ctx.args;
  std::optional<int64_t> bit = IntegerOrReply(ctx, args[2]);
  if (!bit) return;
  if (*bit != 0 && *bit != 1) {
    ctx.reply.Error(kErrBitArgument);
    return;
  }
  // A missing key is an endless run of zeros.
  std::string_view value;
  if (!FindStringOrReply(ctx, args[1], *bit == 1 ? -1 : 0, &value)) return;
  int64_t start = 0, end = -1;
  bool end_given = false;
  BitUnit unit = BitUnit::kByte;
  if (args.size() >= 4 && args.size() <= 6) {
    std::optional<int64_t> parsed_start = IntegerOrReply(ctx, args[3]);
    if (!parsed_start) return;
    start = *parsed_start;
    if (args.size() == 6) {
      std::optional<BitUnit> parsed_unit = UnitOrReply(ctx, args[5]);
      if (!parsed_unit) return;
      unit = *parsed_unit;
    }
    if (args.size() >= 5) {
      std::optional<int64_t> parsed_end = IntegerOrReply(ctx, args[4]);
      if (!parsed_end) return;
      end = *parsed_end;
      end_given = true;
    }
  } else if (args.size() != 3) {
    ctx.ReplySyntaxError();
    return;
  }
  std::optional<BitRange> range = storage::ResolveBitRange(value.size(), start, end, unit);
  if (!range) {
    ctx.reply.Integer(-1);
    return;
  }
  std::optional<uint64_t> pos = storage::FindBit(value, *bit == 1, *range);
  if (pos) {
    ctx.reply.Integer(static_cast<int64_t>(*pos));
  } else if (*bit == 0 && !end_given) {
    // Without an explicit end the string counts as zero-padded on the right.
    ctx.reply.Integer(static_cast<int64_t>(range->last + 1));
  } else {
    ctx.reply.Integer(-1);
  }
}

// BITOP AND | OR | XOR | NOT destkey key [key ...]
void CmdBitop(CommandContext& ctx) {
  Args args = ctx.args;
  BitOpKind op;
  if (EqualsIgnoreCase(args[1], "and")) {
    op = BitOpKind::kAnd;
  } else if (EqualsIgnoreCase(args[1], "or")) {
    op = BitOpKind::kOr;
  } else if (EqualsIgnoreCase(args[1], "xor")) {
    op = BitOpKind::kXor;
  } else if (EqualsIgnoreCase(args[1], "not")) {
    op = BitOpKind::kNot;
  } else {
    ctx.ReplySyntaxError();
    return;
  }
  if (op == BitOpKind::kNot && args.size() != 4) {
    ctx.reply.Error(kErrBitopNot);
    return;
  }
  OpResult<size_t> length = storage::BitOp(ctx.db(), op, args[2], args.subspan(3));
  if (!length.ok()) {
    ctx.ReplyStatus(length.status());
    return;
  }
  ctx.reply.Integer(static_cast<int64_t>(*length));
}

// Parses BITFIELD's operations from args[2] as Redis does, stopping at the first error (replied).
bool ParseBitfieldOps(CommandContext& ctx, std::vector<BitfieldOp>* ops) {
  Args args = ctx.args;
  BitfieldOverflow overflow = BitfieldOverflow::kWrap;
  for (size_t i = 2; i < args.size(); ++i) {
    size_t remaining = args.size() - i - 1;
    std::string_view name = args[i];
    BitfieldOpCode code;
    if (EqualsIgnoreCase(name, "get") && remaining >= 2) {
      code = BitfieldOpCode::kGet;
    } else if (EqualsIgnoreCase(name, "set") && remaining >= 3) {
      code = BitfieldOpCode::kSet;
    } else if (EqualsIgnoreCase(name, "incrby") && remaining >= 3) {
      code = BitfieldOpCode::kIncrBy;
    } else if (EqualsIgnoreCase(name, "overflow") && remaining >= 1) {
      std::string_view mode = args[++i];
      if (EqualsIgnoreCase(mode, "wrap")) {
        overflow = BitfieldOverflow::kWrap;
      } else if (EqualsIgnoreCase(mode, "sat")) {
        overflow = BitfieldOverflow::kSat;
      } else if (EqualsIgnoreCase(mode, "fail")) {
        overflow = BitfieldOverflow::kFail;
      } else {
        ctx.reply.Error(kErrOverflowType);
        return false;
      }
      continue;
    } else {
      ctx.ReplySyntaxError();
      return false;
    }
    std::optional<storage::BitfieldType> type = storage::ParseBitfieldType(args[i + 1]);
    if (!type) {
      ctx.reply.Error(kErrBitfieldType);
      return false;
    }
    std::optional<uint64_t> offset = BitOffsetOrReply(ctx, args[i + 2], type->bits);
    if (!offset) return false;
    BitfieldOp op{.code = code, .type = *type, .offset = *offset, .overflow = overflow};
    if (code != BitfieldOpCode::kGet) {
      std::optional<int64_t> argument = IntegerOrReply(ctx, args[i + 3]);
      if (!argument) return false;
      op.argument = *argument;
    }
    ops->push_back(op);
    i += code == BitfieldOpCode::kGet ? 2 : 3;
  }
  return true;
}

void BitfieldGeneric(CommandContext& ctx, bool read_only) {
  std::vector<BitfieldOp> ops;
  if (!ParseBitfieldOps(ctx, &ops)) return;
  if (read_only) {
    for (const BitfieldOp& op : ops) {
      if (op.code != BitfieldOpCode::kGet) {
        ctx.reply.Error(kErrBitfieldReadOnly);
        return;
      }
    }
  }
  OpResult<std::vector<std::optional<int64_t>>> results =
      storage::Bitfield(ctx.db(), ctx.args[1], ops);
  if (!results.ok()) {
    ctx.ReplyStatus(results.status());
    return;
  }
  ctx.reply.ArrayHeader(results->size());
  for (const std::optional<int64_t>& result : *results) {
    if (result) {
      ctx.reply.Integer(*result);
    } else {
      ctx.reply.Null();
    }
  }
}

// BITFIELD key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL]
//   {SET encoding offset value | INCRBY encoding offset increment} ...]
void CmdBitfield(CommandContext& ctx) { BitfieldGeneric(ctx, /*read_only=*/false); }

// BITFIELD_RO key [GET encoding offset ...]
void CmdBitfieldRo(CommandContext& ctx) { BitfieldGeneric(ctx, /*read_only=*/true); }

// Every row names one key at position 1, except BITOP (destination at 2, sources after it). The
// "bitmap" group gives no ACL category by itself, so each row names @bitmap.
constexpr CommandSpec kRows[] = {
    {.name = "setbit",
     .arity = 4,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSetbit,
     .group = "bitmap",
     .since = "2.2.0",
     .summary = "Sets or clears the bit at offset in the string value stored at key",
     .complexity = "O(1)",
     .acl_categories = "@bitmap"},
    {.name = "getbit",
     .arity = 3,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGetbit,
     .group = "bitmap",
     .since = "2.2.0",
     .summary = "Returns the bit value at offset in the string value stored at key",
     .complexity = "O(1)",
     .acl_categories = "@bitmap"},
    {.name = "bitcount",
     .arity = -2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdBitcount,
     .group = "bitmap",
     .since = "2.6.0",
     .summary = "Count set bits in a string",
     .complexity = "O(N)",
     .acl_categories = "@bitmap"},
    {.name = "bitpos",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdBitpos,
     .group = "bitmap",
     .since = "2.8.7",
     .summary = "Find first bit set or clear in a string",
     .complexity = "O(N)",
     .acl_categories = "@bitmap"},
    {.name = "bitop",
     .arity = -4,
     .flags = kWrite | kDenyOom,
     .first_key = 2,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdBitop,
     .group = "bitmap",
     .since = "2.6.0",
     .summary = "Perform bitwise operations between strings",
     .complexity = "O(N)",
     .acl_categories = "@bitmap"},
    {.name = "bitfield",
     .arity = -2,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdBitfield,
     .group = "bitmap",
     .since = "3.2.0",
     .summary = "Perform arbitrary bitfield integer operations on strings",
     .complexity = kBitfieldComplexity,
     .acl_categories = "@bitmap"},
    {.name = "bitfield_ro",
     .arity = -2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdBitfieldRo,
     .group = "bitmap",
     .since = "6.0.0",
     .summary =
         "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
     .complexity = kBitfieldComplexity,
     .acl_categories = "@bitmap"},
};

}  // namespace

void RegisterBitmapFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
