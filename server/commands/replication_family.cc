// The master side of replication (Redis's replication.c): SYNC and PSYNC attach the client as a
// replica fed the dataset and then the command stream (server/services/replication.h), REPLCONF
// takes what a replica tells of itself; REPLICAOF makes respd a replica (server/services/
// replica_link.h). respd keeps no backlog, so a PSYNC always gets a full resynchronisation.
#include <spdlog/spdlog.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_parser.h"
#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/dispatch/server_context.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

// Redis's NET_HOST_STR_LEN: the longest address REPLCONF ip-address takes, less one.
constexpr size_t kMaxHostLength = 256;

// The replica's address as INFO and ROLE show it: what it announced, else its connection's.
std::string ReplicaIp(const ClientState& client) {
  if (!client.replica_announced_ip.empty()) return client.replica_announced_ip;
  std::string addr = client.info().addr;
  size_t colon = addr.rfind(':');
  return colon == std::string::npos ? addr : addr.substr(0, colon);
}

// SYNC, PSYNC replicationid offset
void CmdSync(CommandContext& ctx) {
  // A replica's second SYNC is ignored, without a reply.
  if (ctx.client.replica) return;
  bool psync = IsKeyword(ctx.args[0], "psync");
  if (psync) {
    ArgParser parser(ctx.args, 2);
    parser.NextInt64();
    if (!parser.Check(ctx)) return;
  }
  // Redis sends a filtered payload only as a stream ended by a mark, which needs the capability.
  bool filtered = ctx.client.replica_excludes_keys || ctx.client.replica_excludes_functions;
  if (filtered && !ctx.client.replica_capa_eof) {
    ctx.reply.Error("ERR Filtered replica requires EOF capability");
    return;
  }
  std::string ip = ReplicaIp(ctx.client);
  spdlog::info("Replica {}:{} asks for synchronization", ip, ctx.client.replica_listening_port);
  // Every shard is locked (the row's kLockAll): the payload is the dataset the stream goes on from.
  const auto snapshot_start = std::chrono::steady_clock::now();
  std::string payload =
      ctx.server.persistence.Encode(ctx.server, /*engine_held=*/false,
                                    {.keys = !ctx.client.replica_excludes_keys,
                                     .libraries = !ctx.client.replica_excludes_functions});
  ctx.server.persistence.RecordFork(ctx.server, std::chrono::steady_clock::now() - snapshot_start);
  bool rdb_only = ctx.client.replica_rdb_only;
  // A replica that wants only the payload is never fed the stream.
  uint64_t offset = rdb_only ? ctx.server.replicas.offset()
                             : ctx.server.replicas.Attach(
                                   ctx.client, ctx.server.clients.Find(ctx.client.id()), ip,
                                   ctx.server.clock.NowMs());
  if (psync) {
    spdlog::info("Full resync requested by replica {}:{}", ip, ctx.client.replica_listening_port);
    ctx.reply.Raw("+FULLRESYNC " + ctx.server.run_id + " " + std::to_string(offset) + "\r\n");
  }
  ctx.reply.Raw("$" + std::to_string(payload.size()) + "\r\n");
  ctx.reply.Raw(payload);
  if (rdb_only) {
    spdlog::info("RDB transfer completed, rdb only replica ({}:{}) should be disconnected asap", ip,
                 ctx.client.replica_listening_port);
    ctx.client.close_after_reply = true;
    return;
  }
  spdlog::info("Synchronization with replica {}:{} succeeded", ip,
               ctx.client.replica_listening_port);
}

// REPLCONF option value [option value ...]
void CmdReplconf(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) {
    ctx.ReplySyntaxError();
    return;
  }
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    std::string_view option = ctx.args[i];
    std::string_view value = ctx.args[i + 1];
    if (IsKeyword(option, "listening-port")) {
      ArgParser parser(ctx.args, i + 1);
      int64_t port = parser.NextInt64();
      if (!parser.Check(ctx)) return;
      ctx.client.replica_listening_port = static_cast<int>(port);
    } else if (IsKeyword(option, "ip-address")) {
      if (value.size() >= kMaxHostLength) {
        ctx.reply.Error("ERR REPLCONF ip-address provided by replica instance is too long: " +
                        std::to_string(value.size()) + " bytes");
        return;
      }
      ctx.client.replica_announced_ip = std::string(value);
    } else if (IsKeyword(option, "capa")) {
      // Only eof matters here, for a filtered payload (respd sends every payload with its length);
      // psync2 changes nothing, since every PSYNC gets a full resynchronisation.
      if (IsKeyword(value, "eof")) ctx.client.replica_capa_eof = true;
    } else if (IsKeyword(option, "ack")) {
      // No reply: a replica's acknowledgement, ignored from anyone else.
      if (!ctx.client.replica) return;
      if (std::optional<int64_t> offset = storage::ParseInt64(value); offset && *offset >= 0) {
        ctx.server.replicas.Acknowledge(ctx.client, static_cast<uint64_t>(*offset),
                                        ctx.server.clock.NowMs());
      }
      return;
    } else if (IsKeyword(option, "rdb-only")) {
      ArgParser parser(ctx.args, i + 1);
      int64_t rdb_only = parser.NextInt64InRange(0, 1);
      if (!parser.Check(ctx)) return;
      ctx.client.replica_rdb_only = rdb_only == 1;
    } else if (IsKeyword(option, "rdb-filter-only")) {
      std::vector<std::string> filters;
      if (!protocol::SplitInlineArgs(value, &filters)) {
        ctx.reply.Error("ERR Missing rdb-filter-only values");
        return;
      }
      // Everything is left out but what the filters name; "functions" is the only one Redis has.
      ctx.client.replica_excludes_keys = true;
      ctx.client.replica_excludes_functions = true;
      for (const std::string& filter : filters) {
        if (!IsKeyword(filter, "functions")) {
          ctx.reply.Error("ERR Unsupported rdb-filter-only option: " + filter);
          return;
        }
        ctx.client.replica_excludes_functions = false;
      }
    } else if (IsKeyword(option, "getack")) {
      // Only a replica answers it (to its master); respd never is one.
      return;
    } else {
      ctx.reply.Error("ERR Unrecognized REPLCONF option: " + std::string(AsCString(option)));
      return;
    }
  }
  ctx.reply.Ok();
}

// REPLICAOF host port, REPLICAOF NO ONE (and SLAVEOF): follow a master, or stop following one
// keeping the dataset (replication.c's replicaofCommand).
void CmdReplicaof(CommandContext& ctx) {
  // A cluster node's replicas are set up with CLUSTER REPLICATE.
  if (ctx.server.cluster.enabled()) {
    ctx.reply.Error("ERR REPLICAOF not allowed in cluster mode.");
    return;
  }
  if (IsKeyword(ctx.args[1], "no") && IsKeyword(ctx.args[2], "one")) {
    if (ctx.server.replica_link.Unfollow()) {
      spdlog::info("MASTER MODE enabled (user request from 'id={} addr={}')", ctx.client.id(),
                   ctx.client.info().addr);
    }
    ctx.reply.Ok();
    return;
  }
  if (ctx.client.replica) {
    ctx.reply.Error("ERR Command is not valid when client is a replica.");
    return;
  }
  ArgParser parser(ctx.args, 2);
  int64_t port = parser.NextInt64InRange(0, 65535, "ERR Invalid master port");
  if (!parser.Check(ctx)) return;
  if (!ctx.server.replica_link.Follow(std::string(ctx.args[1]), static_cast<int>(port))) {
    spdlog::info(
        "REPLICAOF would result into synchronization with the master we are already connected "
        "with. No operation performed.");
    ctx.reply.SimpleString("OK Already connected to specified master");
    return;
  }
  ctx.reply.Ok();
}

constexpr uint32_t kSyncFlags = kAdmin | kNoscript | kNoMulti | kNoAsyncLoading | kLockAll;

constexpr CommandSpec kRows[] = {
    {.name = "sync", .arity = 1, .flags = kSyncFlags, .handler = CmdSync},
    {.name = "psync", .arity = -3, .flags = kSyncFlags, .handler = CmdSync},
    {.name = "replconf",
     .arity = -1,
     .flags = kAdmin | kNoscript | kLoading | kStale | kAllowBusy,
     .handler = CmdReplconf},
    {.name = "replicaof",
     .arity = 3,
     .flags = kAdmin | kNoscript | kStale | kNoAsyncLoading,
     .handler = CmdReplicaof},
    {.name = "slaveof",
     .arity = 3,
     .flags = kAdmin | kNoscript | kStale | kNoAsyncLoading,
     .handler = CmdReplicaof},
};

}  // namespace

void RegisterReplicationFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
