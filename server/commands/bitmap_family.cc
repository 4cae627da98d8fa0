// Bitmap commands on string values: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
// Argument checks run in Redis 7.0's order: BITCOUNT and BITPOS look the key up before parsing
// their range, so a missing key answers 0 (or -1) whatever follows.
#include <optional>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/handler_support.h"
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

// Redis's getBitOffsetFromArgument: a bit offset (BITFIELD's "#N" form when `field_bits` > 0)
// inside proto-max-bulk-len.
uint64_t NextBitOffset(ArgParser& parser, const CommandContext& ctx, int field_bits = 0) {
  std::string_view text = parser.Next();
  if (parser.failed()) return 0;
  std::optional<uint64_t> offset = storage::ParseBitOffset(text, MaxStringLen(ctx), field_bits);
  if (!offset) parser.Fail(kErrBitOffset);
  return offset.value_or(0);
}

// BITCOUNT's and BITPOS's BYTE | BIT option.
BitUnit NextUnit(ArgParser& parser) {
  return parser.NextOneOf<BitUnit>({{"byte", BitUnit::kByte}, {"bit", BitUnit::kBit}});
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
  ArgParser parser(ctx.args, 2);
  uint64_t offset = NextBitOffset(parser, ctx);
  int64_t value = parser.NextInt64(kErrBitValue);
  if (!parser.failed() && (value & ~int64_t{1}) != 0) parser.Fail(kErrBitValue);
  if (!parser.Check(ctx)) return;
  OpResult<bool> old = storage::SetBit(ctx.db(), ctx.args[1], offset, value == 1);
  if (!old.ok()) {
    ctx.ReplyStatus(old.status());
    return;
  }
  ctx.reply.Integer(*old ? 1 : 0);
}

// GETBIT key offset
void CmdGetbit(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  uint64_t offset = NextBitOffset(parser, ctx);
  if (!parser.Check(ctx)) return;
  std::string_view value;
  if (!FindStringOrReply(ctx, ctx.args[1], 0, &value)) return;
  ctx.reply.Integer(storage::GetBit(value, offset) ? 1 : 0);
}

// BITCOUNT key [start end [BYTE | BIT]]
void CmdBitcount(CommandContext& ctx) {
  Args args = ctx.args;
  std::string_view value;
  if (!FindStringOrReply(ctx, args[1], 0, &value)) return;
  std::optional<BitRange> range;
  if (args.size() == 4 || args.size() == 5) {
    ArgParser parser(args, 2);
    int64_t start = parser.NextInt64();
    int64_t end = parser.NextInt64();
    if (!parser.Check(ctx)) return;
    // Redis 7.0 answers this empty range before looking at the unit.
    if (start < 0 && end < 0 && start > end) {
      ctx.reply.Integer(0);
      return;
    }
    BitUnit unit = parser.HasNext() ? NextUnit(parser) : BitUnit::kByte;
    if (!parser.Check(ctx)) return;
    range = storage::ResolveBitRange(value.size(), start, end, unit);
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
  ArgParser parser(args, 2);
  int64_t bit = parser.NextInt64();
  if (!parser.failed() && bit != 0 && bit != 1) parser.Fail(kErrBitArgument);
  if (!parser.Check(ctx)) return;
  // A missing key is an endless run of zeros.
  std::string_view value;
  if (!FindStringOrReply(ctx, args[1], bit == 1 ? -1 : 0, &value)) return;
  int64_t start = 0, end = -1;
  bool end_given = false;
  BitUnit unit = BitUnit::kByte;
  if (args.size() >= 4 && args.size() <= 6) {
    start = parser.NextInt64();
    if (!parser.Check(ctx)) return;
    // Redis reads the unit before the end.
    if (args.size() == 6) {
      ArgParser unit_parser(args, 5);
      unit = NextUnit(unit_parser);
      if (!unit_parser.Check(ctx)) return;
    }
    if (args.size() >= 5) {
      end = parser.NextInt64();
      if (!parser.Check(ctx)) return;
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
  std::optional<uint64_t> pos = storage::FindBit(value, bit == 1, *range);
  if (pos) {
    ctx.reply.Integer(static_cast<int64_t>(*pos));
  } else if (bit == 0 && !end_given) {
    // Without an explicit end the string counts as zero-padded on the right.
    ctx.reply.Integer(static_cast<int64_t>(range->last + 1));
  } else {
    ctx.reply.Integer(-1);
  }
}

// BITOP AND | OR | XOR | NOT destkey key [key ...]
void CmdBitop(CommandContext& ctx) {
  Args args = ctx.args;
  ArgParser parser(args);
  auto op = parser.NextOneOf<BitOpKind>({{"and", BitOpKind::kAnd},
                                         {"or", BitOpKind::kOr},
                                         {"xor", BitOpKind::kXor},
                                         {"not", BitOpKind::kNot}});
  if (!parser.Check(ctx)) return;
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
  ArgParser parser(ctx.args, 2);
  BitfieldOverflow overflow = BitfieldOverflow::kWrap;
  while (parser.HasNext()) {
    BitfieldOpCode code;
    if (parser.Accept("get", 2)) {
      code = BitfieldOpCode::kGet;
    } else if (parser.Accept("set", 3)) {
      code = BitfieldOpCode::kSet;
    } else if (parser.Accept("incrby", 3)) {
      code = BitfieldOpCode::kIncrBy;
    } else if (parser.Accept("overflow", 1)) {
      overflow = parser.NextOneOf<BitfieldOverflow>({{"wrap", BitfieldOverflow::kWrap},
                                                     {"sat", BitfieldOverflow::kSat},
                                                     {"fail", BitfieldOverflow::kFail}},
                                                    kErrOverflowType);
      continue;
    } else {
      parser.Fail(kErrSyntax);
      break;
    }
    std::optional<storage::BitfieldType> type = storage::ParseBitfieldType(parser.Next());
    if (!type) {
      parser.Fail(kErrBitfieldType);
      break;
    }
    BitfieldOp op{.code = code,
                  .type = *type,
                  .offset = NextBitOffset(parser, ctx, type->bits),
                  .overflow = overflow};
    if (code != BitfieldOpCode::kGet) op.argument = parser.NextInt64();
    if (parser.failed()) break;
    ops->push_back(op);
  }
  return parser.Check(ctx);
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
     .handler = CmdSetbit},
    {.name = "getbit",
     .arity = 3,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGetbit},
    {.name = "bitcount",
     .arity = -2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdBitcount},
    {.name = "bitpos",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdBitpos},
    {.name = "bitop",
     .arity = -4,
     .flags = kWrite | kDenyOom,
     .first_key = 2,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdBitop},
    {.name = "bitfield",
     .arity = -2,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdBitfield},
    {.name = "bitfield_ro",
     .arity = -2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdBitfieldRo},
};

}  // namespace

void RegisterBitmapFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
