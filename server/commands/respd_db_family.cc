// RESPD DB, SNAPSHOT, SEED and RESET (see respd_db_family.h). Their rows are kLockAll: leasing must
// see databases empty, and a restore or a reset is one atomic change of the keyspace that no other
// client sees half done.
#include "server/commands/respd_db_family.h"

#include <string>
#include <utility>
#include <vector>

#include "server/commands/args.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/dump_ops.h"

namespace respd::server {
namespace {

constexpr std::string_view kErrNoDbLeft =
    "ERR no empty database left to lease (raise 'databases')";

std::string UnknownSubcommand(CommandContext& ctx) {
  return SubcommandSyntaxError("respd", std::string(ctx.args[1]) + " " + std::string(ctx.args[2]));
}

// A database index as SELECT reads it: Redis's errors for a non-integer and for out of range.
int NextDbIndex(CommandContext& ctx, ArgParser& parser) {
  int64_t index = parser.NextInt64(kErrNotInteger);
  parser.FailUnless(index >= 0 && index < ctx.server.store.num_databases(), kErrInvalidDb);
  return static_cast<int>(index);
}

// [DB index] at the end of SNAPSHOT SAVE and RESTORE: the client's own database without it.
int NextTargetDb(CommandContext& ctx, ArgParser& parser) {
  if (parser.Accept("db", 1)) return NextDbIndex(ctx, parser);
  if (parser.HasNext()) parser.Fail(kErrSyntax);
  return ctx.client.db_index;
}

// The AOF and replicas know no leases or snapshots: a database these commands emptied or refilled
// propagates as FLUSHDB, then a RESTORE of each key it now holds (its TTL absolute), so a reload or
// a replica ends with the same contents.
void PropagateDatabaseContents(CommandContext& ctx, int db) {
  if (!ctx.propagating()) return;
  ctx.PreventPropagation();
  Propagator& propagation = ctx.server.propagation;
  propagation.Also(db, {"FLUSHDB"});
  storage::Database& database = ctx.server.store.db(db);
  std::vector<std::pair<std::string, int64_t>> keys;
  database.ForEachStored([&](const storage::Entry* entry) {
    int64_t expire_at = entry->expire_at() == storage::Entry::kNoExpire ? 0 : entry->expire_at();
    keys.emplace_back(std::string(entry->key()), expire_at);
  });
  bool compress = RdbCompression(ctx.server.config);
  for (auto& [key, expire_at] : keys) {
    storage::OpResult<std::string> payload = storage::Dump(database, key, compress);
    if (!payload.ok()) continue;
    propagation.Also(
        db, {"RESTORE", std::move(key), std::to_string(expire_at), std::move(*payload), "ABSTTL"});
  }
}

// RESPD DB RELEASE index
void DbRelease(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  int db = NextDbIndex(ctx, parser);
  if (!parser.Finalize(ctx)) return;
  std::string index = std::to_string(db);
  switch (ctx.server.leases.Release(db, ctx.client.id())) {
    case DbLeases::ReleaseStatus::kReleased:
      ctx.AddDirty();
      PropagateDatabaseContents(ctx, db);
      ctx.reply.Ok();
      break;
    case DbLeases::ReleaseStatus::kNotLeased:
      ctx.reply.Error("ERR database " + index + " is not leased");
      break;
    case DbLeases::ReleaseStatus::kNotOwner:
      ctx.reply.Error("ERR database " + index + " is leased by another client");
      break;
  }
}

// RESPD DB LIST: a map of leased database -> the id of the client holding it.
void DbList(CommandContext& ctx) {
  auto list = ctx.server.leases.List();
  ctx.reply.MapHeader(list.size());
  for (const auto& [db, client] : list) {
    ctx.reply.Integer(db);
    ctx.reply.Integer(static_cast<int64_t>(client));
  }
}

// RESPD SNAPSHOT SAVE|RESTORE name [DB index]
void SnapshotSaveOrRestore(CommandContext& ctx, bool save) {
  ArgParser parser(ctx.args, 4);
  int db = NextTargetDb(ctx, parser);
  if (!parser.Finalize(ctx)) return;
  std::string_view name = ctx.args[3];
  storage::Database& database = ctx.server.store.db(db);
  if (save) {
    ctx.server.snapshots.Save(name, database);
  } else if (ctx.server.snapshots.Restore(name, database)) {
    ctx.AddDirty();
    PropagateDatabaseContents(ctx, db);
  } else {
    ctx.reply.Error("ERR no such snapshot '" + std::string(name) + "'");
    return;
  }
  ctx.reply.Ok();
}

// RESPD SNAPSHOT LIST: a map of snapshot name -> its number of keys, by name.
void SnapshotList(CommandContext& ctx) {
  auto list = ctx.server.snapshots.List();
  ctx.reply.MapHeader(list.size());
  for (const Snapshots::Info& info : list) {
    ctx.reply.Bulk(info.name);
    ctx.reply.Integer(static_cast<int64_t>(info.keys));
  }
}

}  // namespace

void CmdRespdDb(CommandContext& ctx) {
  std::string_view sub = ctx.args[2];
  size_t argc = ctx.args.size();
  if (IsKeyword(sub, "lease") && argc == 3) {
    int db = ctx.server.leases.Lease(ctx.client.id());
    if (db < 0) {
      ctx.reply.Error(kErrNoDbLeft);
      return;
    }
    ctx.reply.Integer(db);
  } else if (IsKeyword(sub, "release") && argc == 4) {
    DbRelease(ctx);
  } else if (IsKeyword(sub, "list") && argc == 3) {
    DbList(ctx);
  } else {
    ctx.reply.Error(UnknownSubcommand(ctx));
  }
}

void CmdRespdSnapshot(CommandContext& ctx) {
  std::string_view sub = ctx.args[2];
  size_t argc = ctx.args.size();
  if ((IsKeyword(sub, "save") || IsKeyword(sub, "restore")) && argc >= 4) {
    SnapshotSaveOrRestore(ctx, IsKeyword(sub, "save"));
  } else if (IsKeyword(sub, "del") && argc == 4) {
    ctx.reply.Integer(ctx.server.snapshots.Delete(ctx.args[3]) ? 1 : 0);
  } else if (IsKeyword(sub, "list") && argc == 3) {
    SnapshotList(ctx);
  } else {
    ctx.reply.Error(UnknownSubcommand(ctx));
  }
}

void CmdRespdSeed(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  int64_t seed = parser.NextNonNegative();
  if (!parser.Finalize(ctx)) return;
  ctx.server.SeedRandom(static_cast<uint64_t>(seed));
  ctx.reply.Ok();
}

void CmdRespdReset(CommandContext& ctx) {
  ctx.server.RunResetHooks();
  // What the AOF and replicas can replay of it: every database emptied.
  ctx.ForcePropagation(kPropagateBoth);
  ctx.PropagateAs({"FLUSHALL"});
  ctx.reply.Ok();
}

}  // namespace respd::server
