// XINFO STREAM, GROUPS, CONSUMERS and HELP: what a stream holds, with Redis 7.0's fields.
#include <algorithm>
#include <string>

#include "server/commands/args.h"
#include "server/commands/stream_family_common.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

using storage::OpStatus;
using storage::Stream;
using storage::StreamId;

// A group's `entries-read` and `lag` (nil when Redis 7.0 cannot tell), in XINFO STREAM FULL and
// XINFO GROUPS.
void ReplyEntriesReadAndLag(CommandContext& ctx, const Stream& s, const storage::StreamGroup& group) {
  ctx.reply.Bulk("entries-read");
  if (group.entries_read != storage::StreamGroup::kInvalidEntriesRead) {
    ctx.reply.Integer(group.entries_read);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Bulk("lag");
  if (auto lag = s.Lag(group)) {
    ctx.reply.Integer(*lag);
  } else {
    ctx.reply.Null();
  }
}

// XINFO STREAM key [FULL [COUNT count]]
void CmdXinfoStream(CommandContext& ctx) {
  auto found = storage::FindStreamRead(ctx.db(), ctx.args[2]);
  if (!found.ok()) {
    return ctx.reply.Error(found.status() == OpStatus::kKeyNotFound ? kErrNoSuchKey
                                                                    : ErrorText(found.status()));
  }
  bool full = ctx.args.size() > 3;
  int64_t count = 10;
  if (full) {
    size_t extra = ctx.args.size() - 3;
    if ((extra != 1 && extra != 3) || !IsKeyword(ctx.args[3], "full") ||
        (extra == 3 && !IsKeyword(ctx.args[4], "count"))) {
      return ctx.reply.Error(SubcommandSyntaxError("XINFO", ctx.args[1]));
    }
  }
  if (full && ctx.args.size() == 6) {
    ArgParser parser(ctx.args, 5);
    count = parser.NextInt64();
    if (!parser.Check(ctx)) return;
    if (count < 0) count = 10;
  }
  const Stream& s = **found;
  ctx.reply.MapHeader(full ? 9 : 10);
  ctx.reply.Bulk("length");
  ctx.reply.Integer(static_cast<int64_t>(s.Length()));
  ctx.reply.Bulk("radix-tree-keys");
  ctx.reply.Integer(static_cast<int64_t>(s.RadixTreeKeys()));
  ctx.reply.Bulk("radix-tree-nodes");
  ctx.reply.Integer(static_cast<int64_t>(s.RadixTreeNodes()));
  ctx.reply.Bulk("last-generated-id");
  ReplyStreamId(ctx, s.last_id());
  ctx.reply.Bulk("max-deleted-entry-id");
  ReplyStreamId(ctx, s.max_deleted_id());
  ctx.reply.Bulk("entries-added");
  ctx.reply.Integer(static_cast<int64_t>(s.entries_added()));
  ctx.reply.Bulk("recorded-first-entry-id");
  ReplyStreamId(ctx, s.first_id());
  if (!full) {
    ctx.reply.Bulk("groups");
    ctx.reply.Integer(static_cast<int64_t>(s.groups().size()));
    ctx.reply.Bulk("first-entry");
    if (s.Length() == 0) {
      ctx.reply.Null();
    } else {
      ReplyEntry(ctx, s.Range({}, StreamId::Max(), 1, false).front());
    }
    ctx.reply.Bulk("last-entry");
    if (s.Length() == 0) {
      ctx.reply.Null();
    } else {
      ReplyEntry(ctx, s.Range({}, StreamId::Max(), 1, true).front());
    }
    return;
  }
  auto limit = static_cast<size_t>(count);
  ctx.reply.Bulk("entries");
  ReplyEntries(ctx, s.Range({}, StreamId::Max(), limit, false));
  ctx.reply.Bulk("groups");
  ctx.reply.ArrayHeader(s.groups().size());
  for (const auto& [name, group] : s.groups()) {
    ctx.reply.MapHeader(7);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("last-delivered-id");
    ReplyStreamId(ctx, group.last_id);
    ReplyEntriesReadAndLag(ctx, s, group);
    ctx.reply.Bulk("pel-count");
    ctx.reply.Integer(static_cast<int64_t>(group.pel.size()));
    ctx.reply.Bulk("pending");
    size_t n = limit == 0 ? group.pel.size() : std::min(limit, group.pel.size());
    ctx.reply.ArrayHeader(n);
    auto nack = group.pel.begin();
    for (size_t i = 0; i < n; ++i, ++nack) {
      ctx.reply.ArrayHeader(4);
      ReplyStreamId(ctx, nack->first);
      ctx.reply.Bulk(nack->second.consumer->name);
      ctx.reply.Integer(nack->second.delivery_time);
      ctx.reply.Integer(static_cast<int64_t>(nack->second.delivery_count));
    }
    ctx.reply.Bulk("consumers");
    ctx.reply.ArrayHeader(group.consumers.size());
    for (const auto& [cname, consumer] : group.consumers) {
      ctx.reply.MapHeader(4);
      ctx.reply.Bulk("name");
      ctx.reply.Bulk(cname);
      ctx.reply.Bulk("seen-time");
      ctx.reply.Integer(consumer.seen_time);
      ctx.reply.Bulk("pel-count");
      ctx.reply.Integer(static_cast<int64_t>(consumer.pel.size()));
      ctx.reply.Bulk("pending");
      size_t m = limit == 0 ? consumer.pel.size() : std::min(limit, consumer.pel.size());
      ctx.reply.ArrayHeader(m);
      auto id = consumer.pel.begin();
      for (size_t i = 0; i < m; ++i, ++id) {
        const storage::StreamNack& pending = group.pel.at(*id);
        ctx.reply.ArrayHeader(3);
        ReplyStreamId(ctx, *id);
        ctx.reply.Integer(pending.delivery_time);
        ctx.reply.Integer(static_cast<int64_t>(pending.delivery_count));
      }
    }
  }
}

// XINFO GROUPS key
void CmdXinfoGroups(CommandContext& ctx) {
  auto found = storage::FindStreamRead(ctx.db(), ctx.args[2]);
  if (!found.ok()) {
    return ctx.reply.Error(found.status() == OpStatus::kKeyNotFound ? kErrNoSuchKey
                                                                    : ErrorText(found.status()));
  }
  const Stream& s = **found;
  ctx.reply.ArrayHeader(s.groups().size());
  for (const auto& [name, group] : s.groups()) {
    ctx.reply.MapHeader(6);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("consumers");
    ctx.reply.Integer(static_cast<int64_t>(group.consumers.size()));
    ctx.reply.Bulk("pending");
    ctx.reply.Integer(static_cast<int64_t>(group.pel.size()));
    ctx.reply.Bulk("last-delivered-id");
    ReplyStreamId(ctx, group.last_id);
    ReplyEntriesReadAndLag(ctx, s, group);
  }
}

// XINFO CONSUMERS key group
void CmdXinfoConsumers(CommandContext& ctx) {
  auto found = storage::FindStreamRead(ctx.db(), ctx.args[2]);
  if (!found.ok()) {
    return ctx.reply.Error(found.status() == OpStatus::kKeyNotFound ? kErrNoSuchKey
                                                                    : ErrorText(found.status()));
  }
  storage::StreamGroup* group = (*found)->FindGroup(ctx.args[3]);
  if (group == nullptr) {
    return ctx.reply.Error("NOGROUP No such consumer group '" +
                           std::string(AsCString(ctx.args[3])) + "' for key name '" +
                           std::string(AsCString(ctx.args[2])) + "'");
  }
  int64_t now = ctx.server.clock.NowMs();
  ctx.reply.ArrayHeader(group->consumers.size());
  for (const auto& [name, consumer] : group->consumers) {
    ctx.reply.MapHeader(3);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("pending");
    ctx.reply.Integer(static_cast<int64_t>(consumer.pel.size()));
    ctx.reply.Bulk("idle");
    ctx.reply.Integer(std::max<int64_t>(0, now - consumer.seen_time));
  }
}

// XINFO HELP
void CmdXinfoHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CONSUMERS <key> <groupname>",
      "    Show consumers of <groupname>.",
      "GROUPS <key>",
      "    Show the stream consumer groups.",
      "STREAM <key> [FULL [COUNT <count>]",
      "    Show information about the stream.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

constexpr CommandSpec kXinfoSubcommands[] = {
    {.name = "consumers",
     .arity = 4,
     .flags = kReadonly,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdXinfoConsumers},
    {.name = "groups",
     .arity = 3,
     .flags = kReadonly,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdXinfoGroups},
    {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdXinfoHelp},
    {.name = "stream",
     .arity = -3,
     .flags = kReadonly,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdXinfoStream},
};

constexpr CommandSpec kRows[] = {
    {.name = "xinfo",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kXinfoSubcommands},
};

}  // namespace

void RegisterStreamInfoCommands(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
