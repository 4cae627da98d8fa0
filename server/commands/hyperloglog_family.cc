// HyperLogLog commands on string values: PFADD PFCOUNT PFMERGE. The encoding and estimator live in
// storage/hyperloglog; handlers only map its statuses to Redis's errors.
#include "server/commands/families.h"
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

// PFADD key [element [element ...]]
void CmdPfadd(CommandContext& ctx) {
  bool changed = false;
  HllStatus status = storage::PfAdd(ctx.db(), ctx.args[1], ctx.args.subspan(2), &changed);
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
  HllStatus status = storage::PfMerge(ctx.db(), ctx.args[1], ctx.args.subspan(2));
  if (ReplyHllError(ctx, status)) return;
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
};

}  // namespace

void RegisterHyperLogLogFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
