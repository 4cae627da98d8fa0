// HyperLogLog commands on string values: PFADD PFCOUNT PFMERGE, and the debugging PFDEBUG and
// PFSELFTEST. The encoding and estimator live in storage/hyperloglog; handlers map its statuses to
// Redis's errors and pass hll-sparse-max-bytes down.
#include <string>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/commands/handler_support.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/hyperloglog.h"

namespace respd::server {
namespace {

using storage::HllStatus;

constexpr std::string_view kErrNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr std::string_view kErrCorruptHll = "INVALIDOBJ Corrupted HLL object detected";

// Replies the error of a failed status; false when there is none.
bool ReplyHllError(CommandContext& ctx, HllStatus status) {
  switch (status) {
    case HllStatus::kOk:
      return false;
    case HllStatus::kWrongType:
      ctx.reply.Error(kErrWrongType);
      break;
    case HllStatus::kNotHll:
      ctx.reply.Error(kErrNotHll);
      break;
    case HllStatus::kCorrupt:
      ctx.reply.Error(kErrCorruptHll);
      break;
  }
  return true;
}

size_t SparseMaxBytes(const CommandContext& ctx) {
  static const size_t kIndex = OptionIndex("hll-sparse-max-bytes");
  return static_cast<size_t>(ctx.server.config.options()[kIndex]->number());
}

// PFADD key [element [element ...]]
void CmdPfadd(CommandContext& ctx) {
  bool changed = false;
  HllStatus status =
      storage::PfAdd(ctx.db(), ctx.args[1], ctx.args.subspan(2), &changed, SparseMaxBytes(ctx));
  if (ReplyHllError(ctx, status)) return;
  ctx.reply.Integer(changed ? 1 : 0);
}

// PFCOUNT key [key ...]
void CmdPfcount(CommandContext& ctx) {
  uint64_t cardinality = 0;
  HllStatus status = storage::PfCount(ctx.db(), ctx.args.subspan(1), &cardinality);
  if (ReplyHllError(ctx, status)) return;
  ctx.reply.Integer(static_cast<int64_t>(cardinality));
}

// PFMERGE destkey [sourcekey [sourcekey ...]]
void CmdPfmerge(CommandContext& ctx) {
  HllStatus status =
      storage::PfMerge(ctx.db(), ctx.args[1], ctx.args.subspan(2), SparseMaxBytes(ctx));
  if (ReplyHllError(ctx, status)) return;
  ctx.reply.Ok();
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. As in Redis the key is looked up (and must be an
// HLL) before the subcommand is read.
void CmdPfdebug(CommandContext& ctx) {
  const std::string_view sub = ctx.args[1];
  const std::string_view key = ctx.args[2];
  std::optional<std::string> hll;
  HllStatus status = storage::PfDebugRead(ctx.db(), key, &hll);
  if (status == HllStatus::kOk && !hll) {
    return ctx.reply.Error("ERR The specified key does not exist");
  }
  if (ReplyHllError(ctx, status)) return;
  const bool sparse = storage::HllIsSparse(*hll);
  if (IsKeyword(sub, "getreg") || IsKeyword(sub, "todense")) {
    if (sparse && !storage::PfDebugToDense(ctx.db(), key, *hll)) {
      return ctx.reply.Error(kErrCorruptHll);
    }
    if (IsKeyword(sub, "todense")) return ctx.reply.Integer(sparse ? 1 : 0);
    storage::HllRegisters registers{};
    storage::HllMergeInto(registers, *hll);
    ctx.reply.ArrayHeader(registers.size());
    for (uint8_t value : registers) ctx.reply.Integer(value);
  } else if (IsKeyword(sub, "decode")) {
    if (!sparse) return ctx.reply.Error("ERR HLL encoding is not sparse");
    ctx.reply.Bulk(storage::HllDecodeSparse(*hll));
  } else if (IsKeyword(sub, "encoding")) {
    ctx.reply.SimpleString(sparse ? "sparse" : "dense");
  } else {
    ctx.reply.Error("ERR Unknown PFDEBUG subcommand '" + std::string(AsCString(sub)) + "'");
  }
}

// PFSELFTEST
void CmdPfselftest(CommandContext& ctx) {
  std::optional<std::string> failure = storage::HllSelfTest(SparseMaxBytes(ctx));
  if (failure) return ctx.reply.Error(*failure);
  ctx.reply.Ok();
}

constexpr CommandSpec kRows[] = {
    {.name = "pfadd",
     .arity = -2,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdPfadd},
    {.name = "pfcount",
     .arity = -2,
     .flags = kReadonly | kMayReplicate,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdPfcount},
    {.name = "pfmerge",
     .arity = -2,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdPfmerge},
    {.name = "pfdebug",
     .arity = 3,
     .flags = kWrite | kDenyOom | kAdmin,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdPfdebug},
    {.name = "pfselftest",
     .arity = 1,
     .flags = kAdmin,
     .handler = CmdPfselftest},
};

}  // namespace

void RegisterHyperLogLogFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
