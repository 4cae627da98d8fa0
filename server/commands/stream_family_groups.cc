// Consumer-group commands: XGROUP and its subcommands, XACK, XPENDING, XCLAIM, XAUTOCLAIM.
#include <string>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/handler_support.h"
#include "server/commands/stream_family_common.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "server/services/blocking.h"
#include "storage/clock.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

using storage::OpStatus;
using storage::Stream;
using storage::StreamGroup;
using storage::StreamId;

constexpr std::string_view kErrXgroupNeedsKey =
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to "
    "use the MKSTREAM option to create an empty stream automatically.";
constexpr std::string_view kErrEntriesRead = "ERR value for ENTRIESREAD must be positive or -1";

std::string NoSuchGroupForKey(std::string_view group, std::string_view key) {
  return "NOGROUP No such consumer group '" + std::string(AsCString(group)) + "' for key name '" +
         std::string(AsCString(key)) + "'";
}

// XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER key group ...: Redis's xgroupCommand,
// whose checks come in this order whatever the subcommand.
void XgroupGeneric(CommandContext& ctx) {
  Args args = ctx.args;
  std::string_view sub = args[1];
  bool create = IsKeyword(sub, "create");
  bool setid = IsKeyword(sub, "setid");
  bool mkstream = false;
  int64_t entries_read = StreamGroup::kInvalidEntriesRead;
  if (create || setid) {
    ArgParser parser(args, 5);
    while (parser.HasNext()) {
      if (create && parser.Accept("MKSTREAM")) {
        mkstream = true;
      } else if (parser.Accept("ENTRIESREAD", 1)) {
        entries_read = parser.NextInt64();
        parser.FailUnless(entries_read >= 0 || entries_read == StreamGroup::kInvalidEntriesRead,
                          kErrEntriesRead);
      } else {
        parser.Fail(SubcommandSyntaxError("XGROUP", sub));
      }
    }
    if (!parser.Check(ctx)) return;
  }
  storage::Database& db = ctx.db();
  auto found = storage::FindStreamWrite(db, args[2]);
  if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
    return ctx.ReplyStatus(found.status());
  }
  Stream* stream = found.ok() ? *found : nullptr;
  StreamGroup* group = stream ? stream->FindGroup(args[3]) : nullptr;
  if (stream != nullptr && group == nullptr && !create && !IsKeyword(sub, "destroy")) {
    return ctx.reply.Error(NoSuchGroupForKey(args[3], args[2]));
  }
  if (stream == nullptr && !mkstream) return ctx.reply.Error(kErrXgroupNeedsKey);

  if (create) {
    if (args.size() > 8) return ctx.reply.Error(SubcommandSyntaxError("XGROUP", sub));
    StreamId id;
    if (AsCString(args[4]) == "$") {
      id = stream ? stream->last_id() : StreamId{};
    } else {
      auto parsed = ParseStreamIdOrReply(ctx, args[4], 0, true);
      if (!parsed) return;
      id = *parsed;
    }
    if (stream == nullptr) {
      stream = static_cast<Stream*>(db.AddObject(args[2], std::make_unique<Stream>())->object());
    }
    if (storage::CreateGroup(db, args[2], *stream, args[3], id, entries_read) !=
        storage::StreamError::kNone) {
      return ctx.reply.Error("BUSYGROUP Consumer Group name already exists");
    }
    ctx.AddDirty();
    return ctx.reply.Ok();
  }
  if (setid) {
    if (args.size() != 5 && args.size() != 7) {
      return ctx.reply.Error(SubcommandSyntaxError("XGROUP", sub));
    }
    StreamId id;
    if (AsCString(args[4]) == "$") {
      id = stream->last_id();
    } else {
      auto parsed = ParseStreamIdOrReply(ctx, args[4], 0, false);
      if (!parsed) return;
      id = *parsed;
    }
    storage::SetGroupId(db, args[2], *group, id, entries_read);
    ctx.AddDirty();
    return ctx.reply.Ok();
  }
  if (IsKeyword(sub, "destroy")) {
    if (!storage::DestroyGroup(db, args[2], *stream, args[3])) return ctx.reply.Integer(0);
    ctx.AddDirty();
    // Readers blocked on the group wake to their NOGROUP error.
    ctx.server.blocking.OnKeyReady(db.index(), args[2]);
    return ctx.reply.Integer(1);
  }
  if (IsKeyword(sub, "createconsumer")) {
    bool created = false;
    storage::FindOrCreateConsumer(db, args[2], *group, args[4], storage::CommandTimeMs(), &created);
    return ctx.reply.Integer(created ? 1 : 0);
  }
  auto pending = storage::DeleteConsumer(db, args[2], *group, args[4]);
  if (pending) ctx.AddDirty();
  ctx.reply.Integer(pending ? static_cast<int64_t>(*pending) : 0);
}

// XGROUP HELP
void CmdXgroupHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CREATE <key> <groupname> <id|$> [option]",
      "    Create a new consumer group. Options are:",
      "    * MKSTREAM",
      "      Create the empty stream if it does not exist.",
      "    * ENTRIESREAD entries_read",
      "      Set the group's entries_read counter (internal use).",
      "CREATECONSUMER <key> <groupname> <consumer>",
      "    Create a new consumer in the specified group.",
      "DELCONSUMER <key> <groupname> <consumer>",
      "    Remove the specified consumer.",
      "DESTROY <key> <groupname>",
      "    Remove the specified group.",
      "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
      "    Set the current group ID and entries_read counter.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

// XACK key group id [id ...]: a read lookup, as Redis's (a missing key is a "keymiss").
void CmdXack(CommandContext& ctx) {
  auto found = storage::FindStreamRead(ctx.db(), ctx.args[1]);
  if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
    return ctx.ReplyStatus(found.status());
  }
  StreamGroup* group = found.ok() ? (*found)->FindGroup(ctx.args[2]) : nullptr;
  if (group == nullptr) return ctx.reply.Integer(0);
  ArgParser parser(ctx.args, 3);
  std::vector<StreamId> ids;
  while (parser.HasNext()) ids.push_back(NextStreamId(parser));
  if (!parser.Check(ctx)) return;
  int64_t acknowledged = storage::Acknowledge(*group, ids);
  ctx.AddDirty(acknowledged);
  ctx.reply.Integer(acknowledged);
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
void CmdXpending(CommandContext& ctx) {
  Args args = ctx.args;
  bool summary = args.size() == 3;
  if (!summary && (args.size() < 6 || args.size() > 9)) return ctx.ReplySyntaxError();
  StreamId start, end;
  int64_t count = 0;
  int64_t min_idle = 0;
  std::optional<std::string_view> consumer_name;
  if (!summary) {
    ArgParser parser(args, 3);
    if (parser.Accept("IDLE", 1)) {
      min_idle = parser.NextInt64();
      parser.FailUnless(args.size() >= 8, kErrSyntax);
    }
    // Redis reads the count before the range, and ignores arguments after the consumer.
    std::string_view start_arg = parser.Next();
    std::string_view end_arg = parser.Next();
    count = std::max<int64_t>(0, parser.NextInt64());
    start = RangeBoundArg(parser, start_arg, true);
    end = RangeBoundArg(parser, end_arg, false);
    if (parser.HasNext()) consumer_name = parser.Next();
    if (!parser.Check(ctx)) return;
  }
  auto found = storage::FindStreamRead(ctx.db(), args[1]);
  if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
    return ctx.ReplyStatus(found.status());
  }
  StreamGroup* group = found.ok() ? (*found)->FindGroup(args[2]) : nullptr;
  if (group == nullptr) return ctx.reply.Error(NoGroupError(args[1], args[2]));

  if (summary) {
    ctx.reply.ArrayHeader(4);
    ctx.reply.Integer(static_cast<int64_t>(group->pel.size()));
    if (group->pel.empty()) {
      ctx.reply.Null();
      ctx.reply.Null();
      return ctx.reply.NullArray();
    }
    ReplyStreamId(ctx, group->pel.begin()->first);
    ReplyStreamId(ctx, group->pel.rbegin()->first);
    size_t with_pending = 0;
    for (const auto& [name, consumer] : group->consumers) with_pending += !consumer.pel.empty();
    ctx.reply.ArrayHeader(with_pending);
    for (const auto& [name, consumer] : group->consumers) {
      if (consumer.pel.empty()) continue;
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(name);
      ctx.reply.BulkInteger(static_cast<int64_t>(consumer.pel.size()));
    }
    return;
  }
  const storage::StreamConsumer* consumer = nullptr;
  if (consumer_name) {
    consumer = group->FindConsumer(*consumer_name);
    if (consumer == nullptr) return ctx.reply.ArrayHeader(0);
  }
  int64_t now = storage::CommandTimeMs();
  std::vector<std::pair<StreamId, const storage::StreamNack*>> rows;
  auto take = [&](StreamId id, const storage::StreamNack& nack) {
    if (id > end || count == 0) return false;
    if (min_idle == 0 || now - nack.delivery_time >= min_idle) {
      rows.emplace_back(id, &nack);
      --count;
    }
    return true;
  };
  if (consumer != nullptr) {
    for (auto it = consumer->pel.lower_bound(start);
         it != consumer->pel.end() && take(*it, group->pel.at(*it)); ++it) {
    }
  } else {
    for (auto it = group->pel.lower_bound(start);
         it != group->pel.end() && take(it->first, it->second); ++it) {
    }
  }
  ctx.reply.ArrayHeader(rows.size());
  for (const auto& [id, nack] : rows) {
    ctx.reply.ArrayHeader(4);
    ReplyStreamId(ctx, id);
    ctx.reply.Bulk(nack->consumer->name);
    ctx.reply.Integer(std::max<int64_t>(0, now - nack->delivery_time));
    ctx.reply.Integer(static_cast<int64_t>(nack->delivery_count));
  }
}

// Finds the stream and group of XCLAIM/XAUTOCLAIM, replying WRONGTYPE or NOGROUP when missing.
std::pair<Stream*, StreamGroup*> FindGroupOrReply(CommandContext& ctx) {
  auto found = storage::FindStreamRead(ctx.db(), ctx.args[1]);
  if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
    ctx.ReplyStatus(found.status());
    return {nullptr, nullptr};
  }
  StreamGroup* group = found.ok() ? (*found)->FindGroup(ctx.args[2]) : nullptr;
  if (group == nullptr) {
    ctx.reply.Error(NoGroupError(ctx.args[1], ctx.args[2]));
    return {nullptr, nullptr};
  }
  return {*found, group};
}

// Where XCLAIM's IDs start, after its min-idle-time.
constexpr size_t kFirstClaimedId = 5;

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
//   [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
void CmdXclaim(CommandContext& ctx) {
  Args args = ctx.args;
  auto [stream, group] = FindGroupOrReply(ctx);
  if (group == nullptr) return;
  ArgParser parser(args, kFirstClaimedId - 1);
  storage::ClaimRequest request;
  request.min_idle_ms =
      std::max<int64_t>(0, parser.NextInt64("ERR Invalid min-idle-time argument for XCLAIM"));
  // The IDs run up to the first argument that is not one; options follow.
  std::vector<StreamId> ids;
  while (parser.HasNext()) {
    auto id = storage::ParseStreamId(parser.Peek(), 0, true);
    if (!id) break;
    ids.push_back(*id);
    parser.Next();
  }
  int64_t now = storage::CommandTimeMs();
  while (parser.HasNext()) {
    if (parser.Accept("FORCE")) {
      request.force = true;
    } else if (parser.Accept("JUSTID")) {
      request.just_id = true;
    } else if (parser.Accept("IDLE", 1)) {
      request.delivery_time = now - parser.NextInt64("ERR Invalid IDLE option argument for XCLAIM");
    } else if (parser.Accept("TIME", 1)) {
      request.delivery_time = parser.NextInt64("ERR Invalid TIME option argument for XCLAIM");
    } else if (parser.Accept("RETRYCOUNT", 1)) {
      request.retry_count = parser.NextInt64("ERR Invalid RETRYCOUNT option argument for XCLAIM");
    } else if (parser.Accept("LASTID", 1)) {
      request.last_id = NextStreamId(parser);
    } else {
      parser.Fail("ERR Unrecognized XCLAIM option '" + std::string(AsCString(parser.Peek())) + "'");
    }
  }
  if (!parser.Check(ctx)) return;
  uint64_t changes = 0;
  StreamId last_id = group->last_id;
  std::vector<storage::ClaimedNack> changed;
  bool propagating = ctx.propagating();
  auto claimed = storage::Claim(ctx.db(), args[1], *stream, *group, args[3], ids, request, now,
                                &changes, propagating ? &changed : nullptr);
  ctx.AddDirty(changes);
  // Propagated as what it changed: an XCLAIM per pending entry claimed or dropped, its ID as
  // typed; a LASTID that moved the group goes with them, or alone as XGROUP SETID.
  ctx.PreventPropagation();
  if (propagating) {
    for (const storage::ClaimedNack& nack : changed) {
      ctx.AlsoPropagate(XclaimPropagation(args[1], args[2], args[kFirstClaimedId + nack.id_index],
                                          nack.consumer, nack.delivery_time, nack.delivery_count,
                                          group->last_id));
    }
    if (changed.empty() && group->last_id != last_id) {
      ctx.AlsoPropagate(GroupIdPropagation(args[1], args[2], *group));
    }
  }
  ctx.reply.ArrayHeader(claimed.size());
  for (const auto& entry : claimed) {
    if (request.just_id) {
      ReplyStreamId(ctx, entry.id);
    } else {
      ReplyEntry(ctx, entry);
    }
  }
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
void CmdXautoclaim(CommandContext& ctx) {
  Args args = ctx.args;
  ArgParser parser(args, 4);
  int64_t min_idle = parser.NextInt64("ERR Invalid min-idle-time argument for XAUTOCLAIM");
  StreamId start = RangeBoundArg(parser, parser.Next(), true);
  // Redis bounds COUNT so that count * 10 attempts and the deleted-ID buffer cannot overflow.
  constexpr int64_t kMaxCount = INT64_MAX / 16;
  int64_t count = 100;
  bool just_id = false;
  while (parser.HasNext()) {
    if (parser.Accept("COUNT", 1)) {
      count = parser.NextInt64InRange(1, kMaxCount, "ERR COUNT must be > 0");
    } else if (parser.Accept("JUSTID")) {
      just_id = true;
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;
  auto [stream, group] = FindGroupOrReply(ctx);
  if (group == nullptr) return;
  uint64_t changes = 0;
  std::vector<storage::ClaimedNack> changed;
  bool propagating = ctx.propagating();
  auto result = storage::AutoClaim(
      ctx.db(), args[1], *stream, *group, args[3], std::max<int64_t>(0, min_idle), start, count,
      just_id, storage::CommandTimeMs(), &changes, propagating ? &changed : nullptr);
  ctx.AddDirty(changes);
  // Propagated as XCLAIM's are: one per pending entry claimed or dropped.
  ctx.PreventPropagation();
  for (const storage::ClaimedNack& nack : changed) {
    ctx.AlsoPropagate(XclaimPropagation(args[1], args[2], nack.id.ToString(), nack.consumer,
                                        nack.delivery_time, nack.delivery_count, group->last_id));
  }
  ctx.reply.ArrayHeader(3);
  ReplyStreamId(ctx, result.next);
  ctx.reply.ArrayHeader(result.claimed.size());
  for (const auto& entry : result.claimed) {
    if (just_id) {
      ReplyStreamId(ctx, entry.id);
    } else {
      ReplyEntry(ctx, entry);
    }
  }
  ctx.reply.ArrayHeader(result.deleted.size());
  for (StreamId id : result.deleted) ReplyStreamId(ctx, id);
}

constexpr CommandSpec kXgroupSubcommands[] = {
    {.name = "create",
     .arity = -5,
     .flags = kWrite | kDenyOom,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = XgroupGeneric},
    {.name = "createconsumer",
     .arity = 5,
     .flags = kWrite | kDenyOom,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = XgroupGeneric},
    {.name = "delconsumer",
     .arity = 5,
     .flags = kWrite,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = XgroupGeneric},
    {.name = "destroy",
     .arity = 4,
     .flags = kWrite,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = XgroupGeneric},
    {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdXgroupHelp},
    {.name = "setid",
     .arity = -5,
     .flags = kWrite,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = XgroupGeneric},
};

constexpr CommandSpec kRows[] = {
    {.name = "xgroup",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kXgroupSubcommands},
    {.name = "xack",
     .arity = -4,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXack},
    {.name = "xpending",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXpending},
    {.name = "xclaim",
     .arity = -6,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXclaim},
    {.name = "xautoclaim",
     .arity = -6,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXautoclaim},
};

}  // namespace

void RegisterStreamGroupCommands(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
