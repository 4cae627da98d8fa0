// CLUSTER, READONLY, READWRITE and ASKING. With cluster-enabled no (the default) every call that
// passes the dispatcher's arity and subcommand checks gets Redis's refusal ("This instance has
// cluster support disabled"), which clients probe to learn that a server is no cluster node. With
// cluster-enabled yes they answer as Redis 7.0.15's clusterCommand does on a master that knows no
// other node (ClusterState holds its state): there is no cluster bus, so MEET checks its arguments
// and then says it cannot meet anyone, and every node ID but the node's own is unknown.
#include <algorithm>
#include <bitset>
#include <string>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

using storage::Entry;

// Redis's answer to every cluster command of a node started without cluster support; true when
// it was given.
bool RefusedWithoutCluster(CommandContext& ctx) {
  if (ctx.server.cluster.enabled()) return false;
  ctx.reply.Error("ERR This instance has cluster support disabled");
  return true;
}

// Redis's clusterLookupNode with only the node itself known: the exact 40 characters of its ID.
bool IsMyself(CommandContext& ctx, std::string_view id) { return id == ctx.server.cluster.MyId(); }

// The node argument of FORGET, REPLICATE, REPLICAS, COUNT-FAILURE-REPORTS and SETSLOT NODE;
// replies "Unknown node" and returns false for any other.
bool MyselfOrReply(CommandContext& ctx, std::string_view id) {
  if (IsMyself(ctx, id)) return true;
  ctx.reply.Error("ERR Unknown node " + std::string(id));
  return false;
}

// Redis's getSlotOrReply: -1 (after the reply) when `arg` is no slot.
int SlotOrReply(CommandContext& ctx, std::string_view arg) {
  ArgParser parser(Args(&arg, 1), 0);
  int64_t slot = parser.NextInt64();
  if (parser.failed() || slot < 0 || slot >= kClusterSlots) {
    ctx.reply.Error("ERR Invalid or out of range slot");
    return -1;
  }
  return static_cast<int>(slot);
}

// Stored keys of database 0 (expired ones not yet reclaimed too, as Redis's slot index holds them)
// in `slot`, at most `limit`. No per-slot index is kept: this walks the whole keyspace.
std::vector<std::string> KeysInSlot(CommandContext& ctx, int slot, uint64_t limit,
                                    uint64_t* count) {
  std::vector<std::string> keys;
  *count = 0;
  ctx.server.store.db(0).ForEachStored([&](const Entry* entry) {
    if (KeyHashSlot(entry->key()) != slot) return;
    ++*count;
    if (keys.size() < limit) keys.emplace_back(entry->key());
  });
  return keys;
}

bool SlotHasKeys(CommandContext& ctx, int slot) {
  uint64_t count = 0;
  KeysInSlot(ctx, slot, 0, &count);
  return count > 0;
}

// CLUSTER HELP
void CmdClusterHelp(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  static constexpr std::string_view kLines[] = {
      "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ADDSLOTS <slot> [<slot> ...]",
      "    Assign slots to current node.",
      "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
      "    Assign slots which are between <start-slot> and <end-slot> to current node.",
      "BUMPEPOCH",
      "    Advance the cluster config epoch.",
      "COUNT-FAILURE-REPORTS <node-id>",
      "    Return number of failure reports for <node-id>.",
      "COUNTKEYSINSLOT <slot>",
      "    Return the number of keys in <slot>.",
      "DELSLOTS <slot> [<slot> ...]",
      "    Delete slots information from current node.",
      "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
      "    Delete slots information which are between <start-slot> and <end-slot> from current "
      "node.",
      "FAILOVER [FORCE|TAKEOVER]",
      "    Promote current replica node to being a master.",
      "FORGET <node-id>",
      "    Remove a node from the cluster.",
      "GETKEYSINSLOT <slot> <count>",
      "    Return key names stored by current node in a slot.",
      "FLUSHSLOTS",
      "    Delete current node own slots information.",
      "INFO",
      "    Return information about the cluster.",
      "KEYSLOT <key>",
      "    Return the hash slot for <key>.",
      "MEET <ip> <port> [<bus-port>]",
      "    Connect nodes into a working cluster.",
      "MYID",
      "    Return the node id.",
      "NODES",
      "    Return cluster configuration seen by node. Output format:",
      "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
      "REPLICATE <node-id>",
      "    Configure current node as replica to <node-id>.",
      "RESET [HARD|SOFT]",
      "    Reset current node (default: soft).",
      "SET-CONFIG-EPOCH <epoch>",
      "    Set config epoch of current node.",
      "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
      "    Set slot state.",
      "REPLICAS <node-id>",
      "    Return <node-id> replicas.",
      "SAVECONFIG",
      "    Force saving cluster configuration on disk.",
      "SLOTS",
      "    Return information about slots range mappings. Each range is made of:",
      "    start, end, master and replicas IP addresses, ports and ids",
      "SHARDS",
      "    Return information about slot range mappings and the nodes associated with them.",
      "LINKS",
      "    Return information about all network links between this node and its peers.",
      "    Output format is an array where each array element is a map containing attributes of "
      "a link",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

// CLUSTER INFO: no bus, so no messages; the node is the only one known.
void CmdClusterInfo(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ClusterState& cluster = ctx.server.cluster;
  std::string slots = std::to_string(cluster.slots_assigned());
  std::string info = std::string("cluster_state:") + (cluster.state_ok() ? "ok" : "fail") +
                     "\r\ncluster_slots_assigned:" + slots + "\r\ncluster_slots_ok:" + slots +
                     "\r\ncluster_slots_pfail:0\r\ncluster_slots_fail:0\r\n"
                     "cluster_known_nodes:1\r\ncluster_size:" +
                     std::to_string(cluster.size()) +
                     "\r\ncluster_current_epoch:" + std::to_string(cluster.current_epoch()) +
                     "\r\ncluster_my_epoch:" + std::to_string(cluster.config_epoch()) +
                     "\r\ncluster_stats_messages_sent:0\r\ncluster_stats_messages_received:0\r\n"
                     "total_cluster_links_buffer_limit_exceeded:0\r\n";
  ctx.reply.Verbatim("txt", info);
}

// CLUSTER MYID
void CmdClusterMyid(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ctx.reply.Bulk(ctx.server.cluster.MyId());
}

// CLUSTER NODES
void CmdClusterNodes(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ctx.reply.Verbatim("txt", ctx.server.cluster.NodesDescription());
}

// CLUSTER SLOTS: one entry per range of the node's slots (Redis's addNodeToNodeReply).
void CmdClusterSlots(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ClusterState& cluster = ctx.server.cluster;
  NodeAddress address = cluster.Address();
  std::string id = cluster.MyId();
  std::vector<std::pair<int, int>> ranges = cluster.SlotRanges();
  bool by_ip = address.endpoint_type == "ip";
  bool by_hostname = address.endpoint_type == "hostname";
  bool hostname_extra = !by_hostname && !address.hostname.empty();
  ctx.reply.ArrayHeader(ranges.size());
  for (auto [start, end] : ranges) {
    ctx.reply.ArrayHeader(3);
    ctx.reply.Integer(start);
    ctx.reply.Integer(end);
    ctx.reply.ArrayHeader(4);
    if (by_ip || by_hostname) {
      ctx.reply.Bulk(address.PreferredEndpoint());
    } else {
      ctx.reply.Null();
    }
    ctx.reply.Integer(address.port);
    ctx.reply.Bulk(id);
    ctx.reply.MapHeader((by_ip ? 0 : 1) + (hostname_extra ? 1 : 0));
    if (!by_ip) {
      ctx.reply.Bulk("ip");
      ctx.reply.Bulk(address.ip);
    }
    if (hostname_extra) {
      ctx.reply.Bulk("hostname");
      ctx.reply.Bulk(address.hostname);
    }
  }
}

// CLUSTER SHARDS: the one shard, the node its only member.
void CmdClusterShards(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ClusterState& cluster = ctx.server.cluster;
  NodeAddress address = cluster.Address();
  std::vector<std::pair<int, int>> ranges = cluster.SlotRanges();
  ctx.reply.ArrayHeader(1);
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("slots");
  ctx.reply.ArrayHeader(ranges.size() * 2);
  for (auto [start, end] : ranges) {
    ctx.reply.Integer(start);
    ctx.reply.Integer(end);
  }
  ctx.reply.Bulk("nodes");
  ctx.reply.ArrayHeader(1);
  bool has_port = address.port != 0;
  ctx.reply.MapHeader(6 + (has_port ? 1 : 0) + (address.hostname.empty() ? 0 : 1));
  ctx.reply.Bulk("id");
  ctx.reply.Bulk(cluster.MyId());
  if (has_port) {
    ctx.reply.Bulk("port");
    ctx.reply.Integer(address.port);
  }
  ctx.reply.Bulk("ip");
  ctx.reply.Bulk(address.ip);
  ctx.reply.Bulk("endpoint");
  ctx.reply.Bulk(address.PreferredEndpoint());
  if (!address.hostname.empty()) {
    ctx.reply.Bulk("hostname");
    ctx.reply.Bulk(address.hostname);
  }
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("replication-offset");
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.replicas.offset()));
  ctx.reply.Bulk("health");
  ctx.reply.Bulk("online");
}

// CLUSTER LINKS: links are to other nodes, and there are none.
void CmdClusterLinks(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ctx.reply.ArrayHeader(0);
}

// CLUSTER KEYSLOT key
void CmdClusterKeyslot(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ctx.reply.Integer(KeyHashSlot(ctx.args[2]));
}

// CLUSTER COUNTKEYSINSLOT slot
void CmdClusterCountkeysinslot(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ArgParser parser(ctx.args, 2);
  int64_t slot = parser.NextInt64();
  if (!parser.Check(ctx)) return;
  if (slot < 0 || slot >= kClusterSlots) {
    ctx.reply.Error("ERR Invalid slot");
    return;
  }
  uint64_t count = 0;
  KeysInSlot(ctx, static_cast<int>(slot), 0, &count);
  ctx.reply.Integer(static_cast<int64_t>(count));
}

// CLUSTER GETKEYSINSLOT slot count
void CmdClusterGetkeysinslot(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ArgParser parser(ctx.args, 2);
  int64_t slot = parser.NextInt64();
  int64_t limit = parser.NextInt64();
  if (!parser.Check(ctx)) return;
  if (slot < 0 || slot >= kClusterSlots || limit < 0) {
    ctx.reply.Error("ERR Invalid slot or number of keys");
    return;
  }
  uint64_t count = 0;
  std::vector<std::string> keys =
      KeysInSlot(ctx, static_cast<int>(slot), static_cast<uint64_t>(limit), &count);
  ctx.reply.ArrayHeader(keys.size());
  for (const std::string& key : keys) ctx.reply.Bulk(key);
}

// Redis's checkSlotAssignmentsOrReply for slots start..end, marking them in `seen`.
bool SlotsAssignableOrReply(CommandContext& ctx, bool del, int start, int end,
                            std::bitset<kClusterSlots>& seen) {
  for (int slot = start; slot <= end; ++slot) {
    bool owned = ctx.server.cluster.OwnsSlot(slot);
    if (del && !owned) {
      ctx.reply.Error("ERR Slot " + std::to_string(slot) + " is already unassigned");
      return false;
    }
    if (!del && owned) {
      ctx.reply.Error("ERR Slot " + std::to_string(slot) + " is already busy");
      return false;
    }
    if (seen[slot]) {
      ctx.reply.Error("ERR Slot " + std::to_string(slot) + " specified multiple times");
      return false;
    }
    seen.set(slot);
  }
  return true;
}

void ApplySlots(CommandContext& ctx, const std::bitset<kClusterSlots>& seen, bool add) {
  std::vector<int> slots;
  for (int slot = 0; slot < kClusterSlots; ++slot) {
    if (seen[slot]) slots.push_back(slot);
  }
  ctx.server.cluster.SetSlots(slots, add);
  ctx.reply.Ok();
}

// CLUSTER ADDSLOTS slot [slot ...] and DELSLOTS: every argument parsed before any is checked.
void SlotsGeneric(CommandContext& ctx, bool del) {
  if (RefusedWithoutCluster(ctx)) return;
  std::vector<int> slots;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    int slot = SlotOrReply(ctx, ctx.args[i]);
    if (slot == -1) return;
    slots.push_back(slot);
  }
  std::bitset<kClusterSlots> seen;
  for (int slot : slots) {
    if (!SlotsAssignableOrReply(ctx, del, slot, slot, seen)) return;
  }
  ApplySlots(ctx, seen, !del);
}

void CmdClusterAddslots(CommandContext& ctx) { SlotsGeneric(ctx, false); }
void CmdClusterDelslots(CommandContext& ctx) { SlotsGeneric(ctx, true); }

// CLUSTER ADDSLOTSRANGE start end [start end ...] and DELSLOTSRANGE: each pair parsed and checked
// in turn.
void SlotRangesGeneric(CommandContext& ctx, bool del) {
  if (RefusedWithoutCluster(ctx)) return;
  if (ctx.args.size() % 2 == 1) {
    ctx.reply.Error(
        WrongArityError(std::string("cluster|") + (del ? "delslotsrange" : "addslotsrange")));
    return;
  }
  std::bitset<kClusterSlots> seen;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    int start = SlotOrReply(ctx, ctx.args[i]);
    if (start == -1) return;
    int end = SlotOrReply(ctx, ctx.args[i + 1]);
    if (end == -1) return;
    if (start > end) {
      ctx.reply.Error("ERR start slot number " + std::to_string(start) +
                      " is greater than end slot number " + std::to_string(end));
      return;
    }
    if (!SlotsAssignableOrReply(ctx, del, start, end, seen)) return;
  }
  ApplySlots(ctx, seen, !del);
}

void CmdClusterAddslotsrange(CommandContext& ctx) { SlotRangesGeneric(ctx, false); }
void CmdClusterDelslotsrange(CommandContext& ctx) { SlotRangesGeneric(ctx, true); }

// CLUSTER FLUSHSLOTS
void CmdClusterFlushslots(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  if (ctx.server.store.db(0).Size() != 0) {
    ctx.reply.Error("ERR DB must be empty to perform CLUSTER FLUSHSLOTS.");
    return;
  }
  ctx.server.cluster.ClearSlots();
  ctx.reply.Ok();
}

// SETSLOT MIGRATING's checks (the node serves the slot) or IMPORTING's (it does not), then the
// node named's; false after the error reply.
bool OpenSlotOrReply(CommandContext& ctx, int slot, bool migrating) {
  if (ctx.server.cluster.OwnsSlot(slot) != migrating) {
    ctx.reply.Error(std::string(migrating ? "ERR I'm not the owner of hash slot "
                                          : "ERR I'm already the owner of hash slot ") +
                    std::to_string(slot));
    return false;
  }
  if (!IsMyself(ctx, ctx.args[4])) {
    ctx.reply.Error("ERR I don't know about node " + std::string(ctx.args[4]));
    return false;
  }
  return true;
}

// CLUSTER SETSLOT slot (IMPORTING node-id | MIGRATING node-id | STABLE | NODE node-id): the only
// node there is to migrate to or import from is the node itself, which Redis accepts too.
void CmdClusterSetslot(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ClusterState& cluster = ctx.server.cluster;
  int slot = SlotOrReply(ctx, ctx.args[2]);
  if (slot == -1) return;
  std::string_view action = ctx.args[3];
  size_t argc = ctx.args.size();
  bool migrating = IsKeyword(action, "migrating");
  if ((migrating || IsKeyword(action, "importing")) && argc == 5) {
    if (!OpenSlotOrReply(ctx, slot, migrating)) return;
    if (migrating) {
      cluster.SetMigrating(slot);
    } else {
      cluster.SetImporting(slot);
    }
  } else if (IsKeyword(action, "stable") && argc == 4) {
    cluster.SetStable(slot);
  } else if (IsKeyword(action, "node") && argc == 5) {
    if (!MyselfOrReply(ctx, ctx.args[4])) return;
    cluster.AssignToMyself(slot, cluster.Migrating(slot) && SlotHasKeys(ctx, slot));
  } else {
    ctx.reply.Error("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP");
    return;
  }
  ctx.reply.Ok();
}

// CLUSTER BUMPEPOCH
void CmdClusterBumpepoch(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  bool bumped = ctx.server.cluster.BumpEpoch();
  ctx.reply.SimpleString(std::string(bumped ? "BUMPED " : "STILL ") +
                         std::to_string(ctx.server.cluster.config_epoch()));
}

// CLUSTER SET-CONFIG-EPOCH epoch: the node never knows another, so only its own epoch can refuse.
void CmdClusterSetConfigEpoch(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ArgParser parser(ctx.args, 2);
  int64_t epoch = parser.NextInt64();
  if (!parser.Check(ctx)) return;
  if (epoch < 0) {
    ctx.reply.Error("ERR Invalid config epoch specified: " + std::to_string(epoch));
  } else if (ctx.server.cluster.config_epoch() != 0) {
    ctx.reply.Error("ERR Node config epoch is already non-zero");
  } else {
    ctx.server.cluster.SetConfigEpoch(static_cast<uint64_t>(epoch));
    ctx.reply.Ok();
  }
}

// CLUSTER SAVECONFIG
void CmdClusterSaveconfig(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  std::string error = ctx.server.cluster.Save();
  if (error.empty()) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Error("ERR error saving the cluster node config: " + error);
  }
}

// CLUSTER RESET [HARD|SOFT]
void CmdClusterReset(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  bool hard = false;
  if (ctx.args.size() == 3) {
    if (IsKeyword(ctx.args[2], "hard")) {
      hard = true;
    } else if (!IsKeyword(ctx.args[2], "soft")) {
      ctx.ReplySyntaxError();
      return;
    }
  } else if (ctx.args.size() > 3) {
    ctx.reply.Error(SubcommandSyntaxError("cluster", ctx.args[1]));
    return;
  }
  if (ctx.db().Size() != 0) {
    ctx.reply.Error("ERR CLUSTER RESET can't be called with master nodes containing keys");
    return;
  }
  ctx.server.cluster.Reset(hard);
  ctx.reply.Ok();
}

// CLUSTER COUNT-FAILURE-REPORTS node-id
void CmdClusterCountFailureReports(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  if (MyselfOrReply(ctx, ctx.args[2])) ctx.reply.Integer(0);
}

// CLUSTER REPLICAS node-id and CLUSTER SLAVES: the node has none.
void CmdClusterReplicas(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  if (MyselfOrReply(ctx, ctx.args[2])) ctx.reply.ArrayHeader(0);
}

// CLUSTER FORGET node-id
void CmdClusterForget(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  if (MyselfOrReply(ctx, ctx.args[2])) {
    ctx.reply.Error("ERR I tried hard but I can't forget myself...");
  }
}

// CLUSTER REPLICATE node-id
void CmdClusterReplicate(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  if (MyselfOrReply(ctx, ctx.args[2])) ctx.reply.Error("ERR Can't replicate myself");
}

// CLUSTER FAILOVER [FORCE|TAKEOVER]: only a replica fails over, and the node is a master.
void CmdClusterFailover(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  if (ctx.args.size() > 3) {
    ctx.reply.Error(SubcommandSyntaxError("cluster", ctx.args[1]));
    return;
  }
  if (ctx.args.size() == 3 && !IsKeyword(ctx.args[2], "force") &&
      !IsKeyword(ctx.args[2], "takeover")) {
    ctx.ReplySyntaxError();
    return;
  }
  ctx.reply.Error("ERR You should send CLUSTER FAILOVER to a replica");
}

// CLUSTER MEET ip port [bus-port]: Redis's argument checks, then the truth: without a cluster
// bus the node cannot talk to another (Redis would answer OK and start a handshake).
void CmdClusterMeet(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  if (ctx.args.size() > 5) {
    ctx.reply.Error(SubcommandSyntaxError("cluster", ctx.args[1]));
    return;
  }
  ArgParser port(ctx.args.subspan(3, 1), 0);
  port.NextInt64();
  if (port.failed()) {
    ctx.reply.Error("ERR Invalid TCP base port specified: " + std::string(ctx.args[3]));
    return;
  }
  if (ctx.args.size() == 5) {
    ArgParser bus_port(ctx.args.subspan(4, 1), 0);
    bus_port.NextInt64();
    if (bus_port.failed()) {
      ctx.reply.Error("ERR Invalid TCP bus port specified: " + std::string(ctx.args[4]));
      return;
    }
  }
  ctx.reply.Error(
      "ERR respd runs a single cluster node without a cluster bus: it cannot meet other nodes");
}

// READONLY, READWRITE: Redis's CLIENT_READONLY, which lets a replica serve reads of its master's
// slots; a lone master serves them anyway.
void CmdReadonly(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ctx.client.cluster_readonly = true;
  ctx.reply.Ok();
}

void CmdReadwrite(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ctx.client.cluster_readonly = false;
  ctx.reply.Ok();
}

// ASKING: the next command (or transaction) may use a slot being imported here.
void CmdAsking(CommandContext& ctx) {
  if (RefusedWithoutCluster(ctx)) return;
  ctx.client.cluster_asking = true;
  ctx.reply.Ok();
}

// Redis's flags, which COMMAND INFO reports: admin for what changes or inspects other nodes,
// no_async_loading for what changes the cluster. What reads or must find the keyspace empty
// takes every shard lock.
constexpr uint32_t kAdminFlags = kAdmin | kStale;
constexpr uint32_t kSlotFlags = kAdminFlags | kNoAsyncLoading;

constexpr CommandSpec kClusterSubcommands[] = {
    {.name = "addslots", .arity = -3, .flags = kSlotFlags, .handler = CmdClusterAddslots},
    {.name = "addslotsrange", .arity = -4, .flags = kSlotFlags, .handler = CmdClusterAddslotsrange},
    {.name = "bumpepoch", .arity = 2, .flags = kSlotFlags, .handler = CmdClusterBumpepoch},
    {.name = "count-failure-reports",
     .arity = 3,
     .flags = kAdminFlags,
     .handler = CmdClusterCountFailureReports},
    {.name = "countkeysinslot",
     .arity = 3,
     .flags = kStale | kLockAll,
     .handler = CmdClusterCountkeysinslot},
    {.name = "delslots", .arity = -3, .flags = kSlotFlags, .handler = CmdClusterDelslots},
    {.name = "delslotsrange", .arity = -4, .flags = kSlotFlags, .handler = CmdClusterDelslotsrange},
    {.name = "failover", .arity = -2, .flags = kSlotFlags, .handler = CmdClusterFailover},
    {.name = "flushslots",
     .arity = 2,
     .flags = kSlotFlags | kLockAll,
     .handler = CmdClusterFlushslots},
    {.name = "forget", .arity = 3, .flags = kSlotFlags, .handler = CmdClusterForget},
    {.name = "getkeysinslot",
     .arity = 4,
     .flags = kStale | kLockAll,
     .handler = CmdClusterGetkeysinslot},
    {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdClusterHelp},
    {.name = "info", .arity = 2, .flags = kStale, .handler = CmdClusterInfo},
    {.name = "keyslot", .arity = 3, .flags = kStale, .handler = CmdClusterKeyslot},
    {.name = "links", .arity = 2, .flags = kStale, .handler = CmdClusterLinks},
    {.name = "meet", .arity = -4, .flags = kSlotFlags, .handler = CmdClusterMeet},
    {.name = "myid", .arity = 2, .flags = kStale, .handler = CmdClusterMyid},
    {.name = "nodes", .arity = 2, .flags = kStale, .handler = CmdClusterNodes},
    {.name = "replicas", .arity = 3, .flags = kAdminFlags, .handler = CmdClusterReplicas},
    {.name = "replicate", .arity = 3, .flags = kSlotFlags, .handler = CmdClusterReplicate},
    {.name = "reset",
     .arity = -2,
     .flags = kAdminFlags | kNoscript | kLockAll,
     .handler = CmdClusterReset},
    {.name = "saveconfig", .arity = 2, .flags = kSlotFlags, .handler = CmdClusterSaveconfig},
    {.name = "set-config-epoch",
     .arity = 3,
     .flags = kSlotFlags,
     .handler = CmdClusterSetConfigEpoch},
    {.name = "setslot", .arity = -4, .flags = kSlotFlags | kLockAll, .handler = CmdClusterSetslot},
    {.name = "shards", .arity = 2, .flags = kStale, .handler = CmdClusterShards},
    {.name = "slaves", .arity = 3, .flags = kAdminFlags, .handler = CmdClusterReplicas},
    {.name = "slots", .arity = 2, .flags = kStale, .handler = CmdClusterSlots},
};

constexpr CommandSpec kRows[] = {
    {.name = "cluster",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kClusterSubcommands},
    {.name = "readonly", .arity = 1, .flags = kLoading | kStale | kFast, .handler = CmdReadonly},
    {.name = "readwrite", .arity = 1, .flags = kLoading | kStale | kFast, .handler = CmdReadwrite},
    {.name = "asking", .arity = 1, .flags = kFast, .handler = CmdAsking},
};

}  // namespace

void RegisterClusterFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
