// MIGRATE (Redis's cluster.c migrateCommand): keys sent to another instance as RESTOREs of their
// DUMP payloads over a cached connection (server/services/migrate_sockets.h), then deleted here
// unless COPY, the deletions propagating as one DEL.
//
// Redis blocks its one thread for the exchange with the target. respd runs the handler on an I/O
// thread, and the target may be this very server, whose RESTORE needs the shard locks of the keys;
// so MIGRATE takes its locks itself (kLocksItself), in three phases:
//  1. under its keys' locks: the lookups and each found key's TTL and DUMP payload;
//  2. holding no lock: the exchange with the target, with Redis's timeouts and its one retry;
//  3. under the keys' locks again: the deletion of the keys the target accepted.
// Another client may change a key between phases 1 and 3. A key whose value or TTL then differs
// from what was sent stays (the target has the version sent, this server the newer one): deleting
// it would lose that client's write. Inside MULTI/EXEC or a script every lock is held throughout,
// as Redis's whole server waits, so nothing changes meanwhile. A MIGRATE to this server itself
// works when another I/O thread accepts and serves the target connection; with --threads 1 it
// times out with IOERR, as Redis's does.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "server/services/migrate_sockets.h"
#include "server/services/persistence.h"
#include "storage/clock.h"
#include "storage/dump_ops.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

constexpr std::string_view kErrKeysNeedEmptyKey =
    "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";
constexpr std::string_view kErrConnecting = "IOERR error or timeout connecting to the client";
constexpr std::string_view kErrWriting = "IOERR error or timeout writing to target instance";
constexpr std::string_view kErrReading = "IOERR error or timeout reading to target instance";
constexpr std::string_view kTargetErrorPrefix = "ERR Target instance replied with error: ";
// Redis's default when the timeout argument is not positive.
constexpr int64_t kDefaultTimeoutMs = 1000;

struct MigrateOptions {
  bool copy = false;
  bool replace = false;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;
  Args keys;
  int64_t dbid = 0;
  int64_t timeout_ms = 0;
};

// The options in migrateCommand's order of checks: each option as it comes, then the timeout,
// then the database. False once the error is written.
bool ParseOptions(CommandContext& ctx, MigrateOptions* options) {
  auto fail = [&ctx](std::string_view error) {
    ctx.reply.Error(error);
    return false;
  };
  Args args = ctx.args;
  options->keys = args.subspan(3, 1);
  for (size_t j = 6; j < args.size(); ++j) {
    size_t more = args.size() - 1 - j;
    if (IsKeyword(args[j], "copy")) {
      options->copy = true;
    } else if (IsKeyword(args[j], "replace")) {
      options->replace = true;
    } else if (IsKeyword(args[j], "auth")) {
      if (more < 1) return fail(kErrSyntax);
      options->password = args[++j];
    } else if (IsKeyword(args[j], "auth2")) {
      if (more < 2) return fail(kErrSyntax);
      options->username = args[++j];
      options->password = args[++j];
    } else if (IsKeyword(args[j], "keys")) {
      if (!args[3].empty()) return fail(kErrKeysNeedEmptyKey);
      options->keys = args.subspan(j + 1);
      break;
    } else {
      return fail(kErrSyntax);
    }
  }
  std::optional<int64_t> timeout = storage::ParseInt64(args[5]);
  std::optional<int64_t> dbid = storage::ParseInt64(args[4]);
  if (!timeout || !dbid) return fail(kErrNotInteger);
  options->timeout_ms = *timeout > 0 ? *timeout : kDefaultTimeoutMs;
  options->dbid = *dbid;
  return true;
}

// A key found in phase 1, as it was sent.
struct SentKey {
  std::string_view name;
  int64_t expire_at;  // Entry::kNoExpire for none
  std::string payload;
};

std::string Payload(const storage::Entry& entry, bool compress) {
  storage::rdb::Writer writer(compress);
  storage::WriteEntryValue(entry, writer);
  return storage::rdb::FinishPayload(writer.Take());
}

// What came of the exchange with the target.
struct Exchange {
  std::vector<bool> accepted;               // per sent key: its RESTORE was answered with success
  std::string_view io_error;                // one of the IOERR texts, or empty
  std::optional<std::string> target_error;  // the first error line the target replied, sans '-'
};

void AppendArgv(std::string* out, std::vector<std::string> argv) {
  protocol::AppendCommand(out, argv);
}

// Phase 2: Redis's exchange from its try_again label on. A socket error that is not a timeout,
// before the target answered any RESTORE, closes the socket and tries once more on a new one.
Exchange TalkToTarget(CommandContext& ctx, const MigrateOptions& options,
                      const std::string& restores, size_t count) {
  MigrateSockets& cache = ctx.server.migrate_sockets;
  std::string_view host = AsCString(ctx.args[1]);
  std::string name = std::string(ctx.args[1]) + ":" + std::string(ctx.args[2]);
  int port =
      static_cast<int>(std::strtol(std::string(AsCString(ctx.args[2])).c_str(), nullptr, 10));
  using Io = MigrateSocket::Io;
  Exchange result;
  for (bool may_retry = true;; may_retry = false) {
    result.accepted.assign(count, false);
    std::optional<MigrateSocket> socket = cache.Take(name);
    if (!socket) {
      cache.MakeRoom();
      socket = MigrateSocket::Connect(host, port, options.timeout_ms);
      if (!socket) {
        result.io_error = kErrConnecting;
        return result;
      }
    }
    std::string preamble;
    if (options.password) {
      std::vector<std::string> auth{"AUTH"};
      if (options.username) auth.emplace_back(*options.username);
      auth.emplace_back(*options.password);
      AppendArgv(&preamble, std::move(auth));
    }
    bool select = socket->last_dbid != options.dbid;
    if (select) AppendArgv(&preamble, {"SELECT", std::to_string(options.dbid)});
    Io io = socket->Write(preamble, options.timeout_ms);
    if (io == Io::kOk) io = socket->Write(restores, options.timeout_ms);
    if (io != Io::kOk) {
      if (io == Io::kError && may_retry) continue;
      result.io_error = kErrWriting;
      return result;
    }
    std::string auth_reply;
    std::string select_reply;
    if (options.password) io = socket->ReadLine(&auth_reply, options.timeout_ms);
    if (io == Io::kOk && select) io = socket->ReadLine(&select_reply, options.timeout_ms);
    if (io != Io::kOk) {
      if (io == Io::kError && may_retry) continue;
      result.io_error = kErrReading;
      return result;
    }
    bool auth_failed = options.password && auth_reply[0] == '-';
    bool select_failed = select && select_reply[0] == '-';
    size_t j = 0;
    for (std::string reply; j < count; ++j) {
      io = socket->ReadLine(&reply, options.timeout_ms);
      if (io != Io::kOk) break;
      if (auth_failed || select_failed || reply[0] == '-') {
        if (!result.target_error) {
          socket->last_dbid = -1;
          const std::string& error = auth_failed     ? auth_reply
                                     : select_failed ? select_reply
                                                     : reply;
          result.target_error = error.substr(1);
        }
      } else {
        result.accepted[j] = true;
      }
    }
    if (io != Io::kOk) {
      if (!result.target_error && j == 0 && io == Io::kError && may_retry) continue;
      if (!result.target_error) result.io_error = kErrReading;
      return result;
    }
    if (!result.target_error) socket->last_dbid = options.dbid;
    cache.Put(name, std::move(*socket));
    return result;
  }
}

// Phase 3: deletes the accepted keys that are still as they were sent, as Redis's dbDelete,
// signalModifiedKey and "del" event each; returns the DEL they propagate as. A key named twice
// and accepted twice is counted twice, as Redis does.
std::vector<std::string> DeleteAccepted(CommandContext& ctx, const std::vector<SentKey>& sent,
                                        const std::vector<bool>& accepted, bool may_have_changed) {
  storage::Database& db = ctx.db();
  bool compress = RdbCompression(ctx.server.config);
  std::vector<std::string> del{"DEL"};
  for (size_t i = 0; i < sent.size(); ++i) {
    if (!accepted[i]) continue;
    std::string_view key = sent[i].name;
    if (may_have_changed) {
      const storage::Entry* entry = db.Peek(key);
      if (entry != nullptr && (entry->expire_at() != sent[i].expire_at ||
                               Payload(*entry, compress) != sent[i].payload)) {
        continue;
      }
    }
    if (db.Delete(key) || std::find(del.begin() + 1, del.end(), key) != del.end()) {
      db.Notify(key, storage::kDelEvent);
      db.AddDirty();
      del.emplace_back(key);
    }
  }
  return del;
}

// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
//   [AUTH2 username password] [KEYS key [key ...]]
void CmdMigrate(CommandContext& ctx) {
  MigrateOptions options;
  if (!ParseOptions(ctx, &options)) return;
  storage::Store& store = ctx.server.store;
  std::vector<std::string_view> names(options.keys.begin(), options.keys.end());
  // Phase 1. A script past busy-reply-threshold holding the keys: BUSY, as the dispatcher answers.
  auto busy = [&ctx] { return ctx.mode == ExecutionMode::kNormal && ctx.server.scripting.busy(); };
  std::optional<storage::ShardLocks> locks = storage::ShardLocks::Unless(store, names, false, busy);
  if (!locks) {
    ctx.refused_busy = true;
    return;
  }
  // Whether another command may run between the phases: not with one I/O thread (this one waits)
  // nor inside MULTI/EXEC or a script (which hold every lock).
  bool may_have_changed = store.locking() && !storage::ShardLocks::AllHeldByThisThread();
  storage::Database& db = ctx.db();
  // Redis looks every key up before it serializes any; serializing has no effect to order.
  bool compress = RdbCompression(ctx.server.config);
  std::vector<SentKey> sent;
  for (std::string_view key : names) {
    if (const storage::Entry* entry = db.FindRead(key)) {
      sent.push_back({key, entry->expire_at(), Payload(*entry, compress)});
    }
  }
  locks.reset();
  if (sent.empty()) return ctx.reply.SimpleString("NOKEY");
  // A cluster node's target is importing the keys' slots: RESTORE-ASKING is served there.
  std::string restore_name = ctx.server.cluster.enabled() ? "RESTORE-ASKING" : "RESTORE";
  std::string restores;
  int64_t now = storage::CommandTimeMs();
  for (const SentKey& key : sent) {
    int64_t ttl =
        key.expire_at == storage::Entry::kNoExpire ? 0 : std::max<int64_t>(1, key.expire_at - now);
    std::vector<std::string> restore{restore_name, std::string(key.name), std::to_string(ttl),
                                     key.payload};
    if (options.replace) restore.emplace_back("REPLACE");
    AppendArgv(&restores, std::move(restore));
  }

  Exchange exchange = TalkToTarget(ctx, options, restores, sent.size());

  if (!options.copy && std::ranges::find(exchange.accepted, true) != exchange.accepted.end()) {
    ctx.held_locks = storage::ShardLocks(store, names);
    std::vector<std::string> del = DeleteAccepted(ctx, sent, exchange.accepted, may_have_changed);
    if (del.size() > 1 && ctx.propagating()) ctx.PropagateAs(std::move(del));
  }
  if (exchange.target_error) {
    std::string error = std::string(kTargetErrorPrefix) + *exchange.target_error;
    std::ranges::replace(error, '\r', ' ');
    return ctx.reply.Error(error);
  }
  if (!exchange.io_error.empty()) return ctx.reply.Error(exchange.io_error);
  ctx.reply.Ok();
}

// Redis's migrateGetKeys: the key argument, or what follows KEYS (none when the key argument is
// not empty, an error the command reports); AUTH and AUTH2 values are skipped, not searched.
bool MigrateKeys(Args args, std::vector<int>* positions) {
  positions->clear();
  int first = 3;
  int count = 1;
  for (size_t i = 6; i < args.size(); ++i) {
    if (IsKeyword(args[i], "keys")) {
      if (!args[3].empty()) {
        count = 0;
      } else {
        first = static_cast<int>(i) + 1;
        count = static_cast<int>(args.size()) - first;
      }
      break;
    }
    if (IsKeyword(args[i], "auth")) {
      i += 1;
    } else if (IsKeyword(args[i], "auth2")) {
      i += 2;
    }
  }
  for (int i = 0; i < count; ++i) positions->push_back(first + i);
  return true;
}

constexpr CommandSpec kRows[] = {
    {.name = "migrate",
     .arity = -6,
     .flags = kWrite | kMovableKeys | kLocksItself,
     .first_key = 3,
     .last_key = 3,
     .key_step = 1,
     .handler = CmdMigrate,
     .movable_keys = MigrateKeys},
};

}  // namespace

void RegisterMigrateFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
