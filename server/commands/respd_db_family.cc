// RESPD DB, SNAPSHOT, SEED and RESET (see respd_db_family.h). Each takes every shard lock: leasing
// must see databases empty, and a snapshot or a reset is one atomic change of the keyspace.
#include "server/commands/respd_db_family.h"

#include <charconv>
#include <string>

#include "server/commands/args.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

void ReplyUnknownSubcommand(CommandContext& ctx, size_t position) {
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.args[position]) +
                  "'. Try RESPD HELP.");
}

// [DB index] at the end of SNAPSHOT SAVE and RESTORE: the client's own database without it.
int ParseTargetDb(CommandContext& ctx, ArgParser& parser) {
  int db = ctx.client.db_index;
  if (parser.Accept("db", 1)) {
    int64_t index = parser.NextInt64(kErrInvalidDb);
    parser.FailUnless(index >= 0 && index < ctx.server.store.num_databases(), kErrInvalidDb);
    db = static_cast<int>(index);
  }
  return db;
}

}  // namespace

void CmdRespdDb(CommandContext& ctx) {
  storage::ShardLocks locks = storage::ShardLocks::All(ctx.server.store);
  DbLeases& leases = ctx.server.leases;
  ArgParser parser(ctx.args, 3);
  if (IsKeyword(ctx.args[2], "lease")) {
    if (!parser.Finalize(ctx)) return;
    int db = leases.Lease(ctx.client.id());
    if (db < 0) {
      ctx.reply.Error("ERR no empty database left to lease (raise 'databases')");
      return;
    }
    ctx.reply.Integer(db);
  } else if (IsKeyword(ctx.args[2], "release")) {
    int64_t db = parser.NextInt64(kErrInvalidDb);
    if (!parser.Finalize(ctx)) return;
    std::string index = std::to_string(db);
    switch (leases.Release(static_cast<int>(db), ctx.client.id())) {
      case DbLeases::ReleaseStatus::kReleased:
        ctx.reply.Ok();
        break;
      case DbLeases::ReleaseStatus::kNotLeased:
        ctx.reply.Error("ERR database " + index + " is not leased");
        break;
      case DbLeases::ReleaseStatus::kNotOwner:
        ctx.reply.Error("ERR database " + index + " is leased by another client");
        break;
    }
  } else if (IsKeyword(ctx.args[2], "list")) {
    if (!parser.Finalize(ctx)) return;
    auto list = leases.List();
    ctx.reply.MapHeader(list.size());
    for (const auto& [db, client] : list) {
      ctx.reply.Integer(db);
      ctx.reply.Integer(static_cast<int64_t>(client));
    }
  } else {
    ReplyUnknownSubcommand(ctx, 2);
  }
}

void CmdRespdSnapshot(CommandContext& ctx) {
  storage::ShardLocks locks = storage::ShardLocks::All(ctx.server.store);
  Snapshots& snapshots = ctx.server.snapshots;
  ArgParser parser(ctx.args, 3);
  if (IsKeyword(ctx.args[2], "save") || IsKeyword(ctx.args[2], "restore")) {
    std::string_view name = parser.Next();
    int db = ParseTargetDb(ctx, parser);
    if (!parser.Finalize(ctx)) return;
    storage::Database& database = ctx.server.store.db(db);
    if (IsKeyword(ctx.args[2], "save")) {
      snapshots.Save(name, database);
    } else if (!snapshots.Restore(name, database)) {
      ctx.reply.Error("ERR no such snapshot '" + std::string(name) + "'");
      return;
    } else {
      ctx.AddDirty();
    }
    ctx.reply.Ok();
  } else if (IsKeyword(ctx.args[2], "del")) {
    std::string_view name = parser.Next();
    if (!parser.Finalize(ctx)) return;
    ctx.reply.Integer(snapshots.Delete(name) ? 1 : 0);
  } else if (IsKeyword(ctx.args[2], "list")) {
    if (!parser.Finalize(ctx)) return;
    auto list = snapshots.List();
    ctx.reply.MapHeader(list.size());
    for (const Snapshots::Info& info : list) {
      ctx.reply.Bulk(info.name);
      ctx.reply.Integer(static_cast<int64_t>(info.keys));
    }
  } else {
    ReplyUnknownSubcommand(ctx, 2);
  }
}

void CmdRespdSeed(CommandContext& ctx) {
  std::string_view arg = ctx.args[2];
  uint64_t seed = 0;
  auto [end, error] = std::from_chars(arg.data(), arg.data() + arg.size(), seed);
  if (arg.empty() || error != std::errc() || end != arg.data() + arg.size()) {
    ctx.reply.Error("ERR seed must be an unsigned 64-bit integer");
    return;
  }
  ServerContext::SeedRandom(seed);
  ctx.reply.Ok();
}

void CmdRespdReset(CommandContext& ctx) {
  storage::ShardLocks locks = storage::ShardLocks::All(ctx.server.store);
  ctx.server.RunResetHooks();
  ctx.reply.Ok();
}

}  // namespace respd::server
