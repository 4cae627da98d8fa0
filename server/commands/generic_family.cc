// Keyspace commands (Redis's "generic" group, plus DBSIZE FLUSHDB FLUSHALL SWAPDB of its "server"
// group): DEL UNLINK EXISTS TYPE TOUCH, the EXPIRE and TTL families, PERSIST, KEYS SCAN RANDOMKEY,
// RENAME RENAMENX COPY MOVE, and OBJECT. Writers parse, call one operation of storage/key_ops
// (which reports the keyspace events) and reply.
#include <algorithm>
#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/handler_support.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/clock.h"
#include "storage/glob.h"
#include "storage/key_ops.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

using storage::Database;
using storage::Entry;
using storage::OpResult;

constexpr std::string_view kErrSameObject = "ERR source and destination objects are the same";
constexpr std::string_view kErrNxAndOthers =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
constexpr std::string_view kErrGtAndLt =
    "ERR GT and LT options at the same time are not compatible";
constexpr std::string_view kErrLfuNotSelected =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";
constexpr std::string_view kErrLfuSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
// Redis shares the string objects of the integers 0..9999 and reports them with this refcount.
constexpr int64_t kSharedIntegers = 10000;
constexpr int64_t kSharedRefcount = INT32_MAX;

// A DB index argument (MOVE, COPY): a C int naming an existing database.
int NextDbIndex(ArgParser& parser, const CommandContext& ctx) {
  int index = parser.NextCInt();
  if (!parser.failed() && (index < 0 || index >= ctx.server.store.num_databases())) {
    parser.Fail(kErrInvalidDb);
  }
  return index;
}

std::string MaxmemoryPolicy(CommandContext& ctx) {
  return ctx.server.config.Get("maxmemory-policy").text();
}

// Keys count accesses (an LFU maxmemory-policy) rather than keep an idle time.
bool LfuPolicy(CommandContext& ctx) { return ctx.server.store.lfu_clock(); }

// DEL key [key ...]: big values freed as lazyfree-lazy-user-del says.
void CmdDel(CommandContext& ctx) {
  ctx.reply.Integer(storage::Del(ctx.db(), ctx.args.subspan(1), storage::Freeing::kUserDel));
}

// UNLINK key [key ...]: big values freed by the lazy-free thread.
void CmdUnlink(CommandContext& ctx) {
  ctx.reply.Integer(storage::Del(ctx.db(), ctx.args.subspan(1), storage::Freeing::kLazy));
}

// EXISTS key [key ...]: a key named twice counts twice.
void CmdExists(CommandContext& ctx) {
  Database& db = ctx.db();
  int64_t found = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (db.FindRead(ctx.args[i], /*touch=*/false) != nullptr) ++found;
  }
  ctx.reply.Integer(found);
}

// TOUCH key [key ...]
void CmdTouch(CommandContext& ctx) {
  ctx.reply.Integer(storage::TouchKeys(ctx.db(), ctx.args.subspan(1)));
}

// TYPE key
void CmdType(CommandContext& ctx) {
  Entry* e = ctx.db().FindRead(ctx.args[1], /*touch=*/false);
  ctx.reply.SimpleString(e == nullptr ? "none" : storage::TypeName(e->type()));
}

// What an EXPIRE that changed `key` propagates as (Redis's expireGenericCommand): DEL (UNLINK
// under lazyfree-lazy-expire) when the time had passed and the key was deleted, otherwise
// PEXPIREAT with the absolute time in ms and the same options, so a replica or a reload later
// expires the key at the same moment. `rewrites_time`: the time argument was not already that.
void PropagateExpire(CommandContext& ctx, int64_t at_ms, bool rewrites_time) {
  std::string key(ctx.args[1]);
  if (at_ms <= storage::CommandTimeMs()) {
    ctx.PropagateAs({DeletionCommand(ctx, "lazyfree-lazy-expire"), std::move(key)});
    return;
  }
  if (!rewrites_time) return;  // PEXPIREAT propagates as itself
  std::vector<std::string> argv(ctx.args.begin(), ctx.args.end());
  argv[0] = "PEXPIREAT";
  argv[2] = std::to_string(at_ms);
  ctx.PropagateAs(std::move(argv));
}

// EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX | XX | GT | LT]. `relative`: the time counts from
// now; `seconds`: it is in seconds. Options are checked before the time, as Redis does.
void ExpireGeneric(CommandContext& ctx, bool relative, bool seconds) {
  unsigned flags = 0;
  ArgParser parser(ctx.args, 3);
  while (parser.HasNext()) {
    if (parser.Accept("nx")) {
      flags |= storage::kExpireIfNoTtl;
    } else if (parser.Accept("xx")) {
      flags |= storage::kExpireIfTtl;
    } else if (parser.Accept("gt")) {
      flags |= storage::kExpireIfGreater;
    } else if (parser.Accept("lt")) {
      flags |= storage::kExpireIfLess;
    } else {
      // Redis prints the option as the C string it compared.
      parser.Fail("ERR Unsupported option " + std::string(AsCString(parser.Next())));
    }
  }
  if (!parser.Check(ctx)) return;
  if ((flags & storage::kExpireIfNoTtl) &&
      (flags & (storage::kExpireIfTtl | storage::kExpireIfGreater | storage::kExpireIfLess))) {
    ctx.reply.Error(kErrNxAndOthers);
    return;
  }
  if ((flags & storage::kExpireIfGreater) && (flags & storage::kExpireIfLess)) {
    ctx.reply.Error(kErrGtAndLt);
    return;
  }
  ArgParser time_parser(ctx.args, 2);
  int64_t when = time_parser.NextInt64();
  if (!time_parser.Check(ctx)) return;
  int64_t base = relative ? storage::CommandTimeMs() : 0;
  // Like Redis, accept negative times (the key expires at once) and reject only times whose unit
  // conversion or addition overflows.
  bool overflow = false;
  if (seconds) {
    overflow = when > INT64_MAX / 1000 || when < INT64_MIN / 1000;
    if (!overflow) when *= 1000;
  }
  if (overflow || when > INT64_MAX - base) {
    std::string message(kErrInvalidExpire);
    message.replace(message.find("%s"), 2, ctx.spec.name);
    ctx.reply.Error(message);
    return;
  }
  when += base;
  bool changed = storage::Expire(ctx.db(), ctx.args[1], when, flags);
  ctx.reply.Integer(changed ? 1 : 0);
  if (changed && ctx.propagating()) PropagateExpire(ctx, when, relative || seconds);
}

void CmdExpire(CommandContext& ctx) { ExpireGeneric(ctx, /*relative=*/true, /*seconds=*/true); }
void CmdPexpire(CommandContext& ctx) { ExpireGeneric(ctx, /*relative=*/true, /*seconds=*/false); }
void CmdExpireat(CommandContext& ctx) { ExpireGeneric(ctx, /*relative=*/false, /*seconds=*/true); }
void CmdPexpireat(CommandContext& ctx) {
  ExpireGeneric(ctx, /*relative=*/false, /*seconds=*/false);
}

// TTL, PTTL, EXPIRETIME, PEXPIRETIME key: -2 without the key, -1 without a TTL.
void TtlGeneric(CommandContext& ctx, bool milliseconds, bool absolute) {
  Entry* e = ctx.db().FindRead(ctx.args[1], /*touch=*/false);
  if (e == nullptr) {
    ctx.reply.Integer(-2);
    return;
  }
  if (!e->has_expire()) {
    ctx.reply.Integer(-1);
    return;
  }
  int64_t value = absolute ? e->expire_at() : e->expire_at() - storage::CommandTimeMs();
  value = std::max<int64_t>(value, 0);
  // Seconds round to nearest, computed without the overflow of value + 500 near INT64_MAX.
  if (!milliseconds) value = value / 1000 + (value % 1000 >= 500 ? 1 : 0);
  ctx.reply.Integer(value);
}

void CmdTtl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void CmdPttl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void CmdExpiretime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void CmdPexpiretime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

// PERSIST key
void CmdPersist(CommandContext& ctx) {
  ctx.reply.Integer(storage::Persist(ctx.db(), ctx.args[1]) ? 1 : 0);
}

// KEYS pattern. A pattern of exactly "*" skips matching, so it also lists the empty key. Expired
// keys are left in place, as Redis's keysCommand only skips them: deleting them here would
// propagate DELs Redis never sends.
void CmdKeys(CommandContext& ctx) {
  Database& db = ctx.db();
  std::string_view pattern = ctx.args[1];
  if (storage::GlobIsLiteral(pattern)) {
    if (db.HoldsLive(pattern)) {
      ctx.reply.ArrayHeader(1);
      ctx.reply.Bulk(pattern);
    } else {
      ctx.reply.ArrayHeader(0);
    }
    return;
  }
  bool all = pattern == "*";
  int64_t now = storage::CommandTimeMs();
  size_t token = ctx.reply.BeginDeferred();
  size_t n = 0;
  db.ForEachStored([&](const Entry* e) {
    if (!e->IsExpired(now) && (all || storage::GlobMatch(pattern, e->key()))) {
      ctx.reply.Bulk(e->key());
      ++n;
    }
  });
  ctx.reply.EndDeferred(token, protocol::ReplyWriter::Aggregate::kArray, n);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void CmdScan(CommandContext& ctx) {
  ArgParser parser(ctx.args);
  uint64_t cursor = parser.NextScanCursor();
  ScanOptions options = ReadScanOptions(parser, /*allow_type=*/true);
  if (!parser.Check(ctx)) return;
  std::vector<std::string_view> keys;
  uint64_t next = ctx.db().Scan(cursor, options.count, [&](Entry* e) {
    if (!options.Matches(e->key())) return;
    if (options.type && !IsKeyword(*options.type, storage::TypeName(e->type()))) return;
    keys.push_back(e->key());
  });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(keys.size());
  for (std::string_view key : keys) ctx.reply.Bulk(key);
}

// RANDOMKEY
void CmdRandomkey(CommandContext& ctx) {
  Entry* e = ctx.db().RandomEntry(ServerContext::Rng());
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(e->key());
  }
}

// RENAME key newkey and RENAMENX key newkey: the value keeps its TTL and idle time.
void RenameGeneric(CommandContext& ctx, bool nx) {
  OpResult<bool> renamed = storage::Rename(ctx.db(), ctx.args[1], ctx.args[2], nx);
  if (!renamed.ok()) {
    ctx.ReplyStatus(renamed.status());
  } else if (nx) {
    ctx.reply.Integer(*renamed ? 1 : 0);
  } else {
    ctx.reply.Ok();
  }
}

void CmdRename(CommandContext& ctx) { RenameGeneric(ctx, false); }
void CmdRenamenx(CommandContext& ctx) { RenameGeneric(ctx, true); }

// MOVE key db: only to a database where the key does not exist.
void CmdMove(CommandContext& ctx) {
  if (ctx.server.cluster.enabled()) {
    ctx.reply.Error("ERR MOVE is not allowed in cluster mode");
    return;
  }
  ArgParser parser(ctx.args, 2);
  int target = NextDbIndex(parser, ctx);
  if (!parser.Check(ctx)) return;
  if (target == ctx.client.db_index) {
    ctx.reply.Error(kErrSameObject);
    return;
  }
  bool moved = storage::Move(ctx.db(), ctx.server.store.db(target), ctx.args[1]);
  ctx.reply.Integer(moved ? 1 : 0);
}

// COPY source destination [DB destination-db] [REPLACE]
void CmdCopy(CommandContext& ctx) {
  int target = ctx.client.db_index;
  bool replace = false;
  ArgParser parser(ctx.args, 3);
  while (parser.HasNext()) {
    if (parser.Accept("replace")) {
      replace = true;
    } else if (parser.Accept("db", 1)) {
      target = NextDbIndex(parser, ctx);
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;
  if (ctx.server.cluster.enabled() && (ctx.client.db_index != 0 || target != 0)) {
    ctx.reply.Error("ERR Copying to another database is not allowed in cluster mode");
    return;
  }
  std::string_view from = ctx.args[1];
  std::string_view to = ctx.args[2];
  if (target == ctx.client.db_index && from == to) {
    ctx.reply.Error(kErrSameObject);
    return;
  }
  bool copied = storage::Copy(ctx.db(), from, ctx.server.store.db(target), to, replace);
  ctx.reply.Integer(copied ? 1 : 0);
}

// DBSIZE: keys that expired but were not reclaimed yet still count, as in Redis.
void CmdDbsize(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.db().Size())); }

// The optional ASYNC | SYNC of FLUSHDB and FLUSHALL (neither: as lazyfree-lazy-user-flush says);
// nullopt, the error replied, on a bad one.
std::optional<storage::Freeing> FlushFreeing(CommandContext& ctx) {
  ArgParser parser(ctx.args);
  storage::Freeing freeing = storage::Freeing::kUserFlush;
  if (parser.Accept("async")) {
    freeing = storage::Freeing::kLazy;
  } else if (parser.Accept("sync")) {
    freeing = storage::Freeing::kSync;
  }
  if (!parser.Finalize(ctx)) return std::nullopt;
  return freeing;
}

// FLUSHDB [ASYNC | SYNC]
void CmdFlushdb(CommandContext& ctx) {
  std::optional<storage::Freeing> freeing = FlushFreeing(ctx);
  if (!freeing) return;
  // Propagated even when the database was already empty, as Redis forces it.
  ctx.ForcePropagation(kPropagateBoth);
  ctx.AddDirty(ctx.db().Size());
  ctx.db().Clear(*freeing);
  ctx.server.tracking.InvalidateAll();
  ctx.reply.Ok();
}

// FLUSHALL [ASYNC | SYNC]
void CmdFlushall(CommandContext& ctx) {
  std::optional<storage::Freeing> freeing = FlushFreeing(ctx);
  if (!freeing) return;
  // Propagated even when every database was already empty, as Redis forces it.
  ctx.ForcePropagation(kPropagateBoth);
  storage::Store& store = ctx.server.store;
  for (int i = 0; i < store.num_databases(); ++i) ctx.AddDirty(store.db(i).Size());
  store.FlushAll(*freeing);
  ctx.server.tracking.InvalidateAll();
  // As Redis: a background save is stopped, and with save points the empty dataset is saved (so
  // the count of changes since the last save drops to 0; tools check both behaviours).
  ctx.server.persistence.CancelBackgroundJob(Persistence::Job::kSave);
  if (!ctx.server.config.Get("save").text().empty()) {
    ctx.server.persistence.Save(ctx.server, Persistence::kInternalSave,
                                /*engine_held=*/ctx.mode == ExecutionMode::kScript);
  }
  ctx.reply.Ok();
}

// SWAPDB index1 index2
void CmdSwapdb(CommandContext& ctx) {
  // A cluster node has database 0 only.
  if (ctx.server.cluster.enabled()) {
    ctx.reply.Error("ERR SWAPDB is not allowed in cluster mode");
    return;
  }
  ArgParser parser(ctx.args);
  auto first = static_cast<int>(
      parser.NextInt64InRange(INT32_MIN, INT32_MAX, "ERR invalid first DB index"));
  auto second = static_cast<int>(
      parser.NextInt64InRange(INT32_MIN, INT32_MAX, "ERR invalid second DB index"));
  if (!parser.Check(ctx)) return;
  int n = ctx.server.store.num_databases();
  if (first < 0 || first >= n || second < 0 || second >= n) {
    ctx.reply.Error(kErrInvalidDb);
    return;
  }
  ctx.server.store.SwapDatabases(first, second);
  ctx.AddDirty();
  ctx.reply.Ok();
}

// The key OBJECT inspects, without touching its LRU clock; replies null when it is missing.
Entry* ObjectLookupOrReply(CommandContext& ctx) {
  Entry* e = ctx.db().FindReadQuiet(ctx.args[2]);
  if (e == nullptr) ctx.reply.Null();
  return e;
}

// OBJECT ENCODING key
void CmdObjectEncoding(CommandContext& ctx) {
  Entry* e = ObjectLookupOrReply(ctx);
  if (e == nullptr) return;
  ctx.reply.Bulk(e->type() == storage::ValueType::kString ? e->StringEncodingName()
                                                          : e->object()->Encoding());
}

// Redis shares small integer strings unless an LRU or LFU policy with a memory limit needs each key
// to have its own access clock.
bool SharesIntegers(CommandContext& ctx) {
  if (ctx.server.config.Get("maxmemory").number() == 0) return true;
  std::string policy = MaxmemoryPolicy(ctx);
  return !policy.ends_with("-lru") && !policy.ends_with("-lfu");
}

// OBJECT REFCOUNT key
void CmdObjectRefcount(CommandContext& ctx) {
  Entry* e = ObjectLookupOrReply(ctx);
  if (e == nullptr) return;
  if (e->type() == storage::ValueType::kString && e->StringEncodingName() == "int" &&
      e->string_encoding() != storage::StringEncoding::kUnsharedInt && SharesIntegers(ctx)) {
    auto v = storage::ParseInt64(e->str());
    if (v && *v >= 0 && *v < kSharedIntegers) {
      ctx.reply.Integer(kSharedRefcount);
      return;
    }
  }
  ctx.reply.Integer(1);
}

// OBJECT IDLETIME key
void CmdObjectIdletime(CommandContext& ctx) {
  Entry* e = ObjectLookupOrReply(ctx);
  if (e == nullptr) return;
  if (LfuPolicy(ctx)) {
    ctx.reply.Error(kErrLfuSelected);
    return;
  }
  ctx.reply.Integer(storage::IdleSeconds(e, storage::CommandTimeMs()));
}

// OBJECT FREQ key
void CmdObjectFreq(CommandContext& ctx) {
  Entry* e = ObjectLookupOrReply(ctx);
  if (e == nullptr) return;
  if (!LfuPolicy(ctx)) {
    ctx.reply.Error(kErrLfuNotSelected);
    return;
  }
  ctx.reply.Integer(storage::LfuFrequency(e, storage::CommandTimeMs(),
                                          ctx.server.store.access_clock_policy().decay_minutes));
}

// OBJECT HELP
void CmdObjectHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

constexpr uint32_t kObjectFlags = kReadonly;

constexpr CommandSpec kObjectSubcommands[] = {
    {.name = "encoding",
     .arity = 3,
     .flags = kObjectFlags,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdObjectEncoding},
    {.name = "freq",
     .arity = 3,
     .flags = kObjectFlags,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdObjectFreq},
    {.name = "idletime",
     .arity = 3,
     .flags = kObjectFlags,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdObjectIdletime},
    {.name = "refcount",
     .arity = 3,
     .flags = kObjectFlags,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdObjectRefcount},
    {.name = "help",
     .arity = 2,
     .flags = kLoading | kStale,
     .handler = CmdObjectHelp},
};

constexpr CommandSpec kRows[] = {
    {.name = "del",
     .arity = -2,
     .flags = kWrite,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdDel},
    {.name = "unlink",
     .arity = -2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdUnlink},
    {.name = "exists",
     .arity = -2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdExists},
    {.name = "type",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdType},
    {.name = "expire",
     .arity = -3,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdExpire},
    {.name = "pexpire",
     .arity = -3,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdPexpire},
    {.name = "expireat",
     .arity = -3,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdExpireat},
    {.name = "pexpireat",
     .arity = -3,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdPexpireat},
    {.name = "ttl",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdTtl},
    {.name = "pttl",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdPttl},
    {.name = "expiretime",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdExpiretime},
    {.name = "pexpiretime",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdPexpiretime},
    {.name = "persist",
     .arity = 2,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdPersist},
    {.name = "keys", .arity = 2, .flags = kReadonly | kLockAll, .handler = CmdKeys},
    {.name = "scan",
     .arity = -2,
     .flags = kReadonly | kLockAll | kTouchesArbitraryKeys,
     .handler = CmdScan},
    {.name = "randomkey",
     .arity = 1,
     .flags = kReadonly | kLockAll | kTouchesArbitraryKeys,
     .handler = CmdRandomkey},
    {.name = "rename",
     .arity = 3,
     .flags = kWrite,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdRename},
    {.name = "renamenx",
     .arity = 3,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdRenamenx},
    {.name = "copy",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdCopy},
    {.name = "move",
     .arity = 3,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdMove},
    {.name = "touch",
     .arity = -2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdTouch},
    {.name = "dbsize", .arity = 1, .flags = kReadonly | kFast | kLockAll, .handler = CmdDbsize},
    {.name = "flushdb", .arity = -1, .flags = kWrite | kLockAll, .handler = CmdFlushdb},
    {.name = "flushall", .arity = -1, .flags = kWrite | kLockAll, .handler = CmdFlushall},
    {.name = "swapdb", .arity = 3, .flags = kWrite | kFast | kLockAll, .handler = CmdSwapdb},
    {.name = "object",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kObjectSubcommands},
};

}  // namespace

void RegisterGenericFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
