// CLUSTER, READONLY, READWRITE and ASKING as Redis 7.0 answers them with cluster-enabled no (the
// only mode respd runs in, as CONFIG GET cluster-enabled and INFO cluster say). Clients probe them
// to learn whether a server is a cluster node; an unknown-command error is not what they expect.
// Arity and unknown subcommands are the dispatcher's; every call that passes them gets Redis's
// refusal (cluster.c's clusterCommand, readonlyCommand, readwriteCommand, askingCommand).
#include "server/commands/families.h"

namespace respd::server {
namespace {

void CmdClusterDisabled(CommandContext& ctx) {
  ctx.reply.Error("ERR This instance has cluster support disabled");
}

// Redis's flags, which COMMAND INFO reports: admin for what changes or inspects other nodes,
// no_async_loading for what changes the cluster.
constexpr uint32_t kAdminFlags = kAdmin | kStale;
constexpr uint32_t kSlotFlags = kAdminFlags | kNoAsyncLoading;

constexpr CommandSpec kClusterSubcommands[] = {
    {.name = "addslots", .arity = -3, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "addslotsrange", .arity = -4, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "bumpepoch", .arity = 2, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "count-failure-reports",
     .arity = 3,
     .flags = kAdminFlags,
     .handler = CmdClusterDisabled},
    {.name = "countkeysinslot", .arity = 3, .flags = kStale, .handler = CmdClusterDisabled},
    {.name = "delslots", .arity = -3, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "delslotsrange", .arity = -4, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "failover", .arity = -2, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "flushslots", .arity = 2, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "forget", .arity = 3, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "getkeysinslot", .arity = 4, .flags = kStale, .handler = CmdClusterDisabled},
    {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdClusterDisabled},
    {.name = "info", .arity = 2, .flags = kStale, .handler = CmdClusterDisabled},
    {.name = "keyslot", .arity = 3, .flags = kStale, .handler = CmdClusterDisabled},
    {.name = "links", .arity = 2, .flags = kStale, .handler = CmdClusterDisabled},
    {.name = "meet", .arity = -4, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "myid", .arity = 2, .flags = kStale, .handler = CmdClusterDisabled},
    {.name = "nodes", .arity = 2, .flags = kStale, .handler = CmdClusterDisabled},
    {.name = "replicas", .arity = 3, .flags = kAdminFlags, .handler = CmdClusterDisabled},
    {.name = "replicate", .arity = 3, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "reset", .arity = -2, .flags = kAdminFlags | kNoscript, .handler = CmdClusterDisabled},
    {.name = "saveconfig", .arity = 2, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "set-config-epoch", .arity = 3, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "setslot", .arity = -4, .flags = kSlotFlags, .handler = CmdClusterDisabled},
    {.name = "shards", .arity = 2, .flags = kStale, .handler = CmdClusterDisabled},
    {.name = "slaves", .arity = 3, .flags = kAdminFlags, .handler = CmdClusterDisabled},
    {.name = "slots", .arity = 2, .flags = kStale, .handler = CmdClusterDisabled},
};

constexpr CommandSpec kRows[] = {
    {.name = "cluster",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kClusterSubcommands},
    {.name = "readonly",
     .arity = 1,
     .flags = kLoading | kStale | kFast,
     .handler = CmdClusterDisabled},
    {.name = "readwrite",
     .arity = 1,
     .flags = kLoading | kStale | kFast,
     .handler = CmdClusterDisabled},
    {.name = "asking", .arity = 1, .flags = kFast, .handler = CmdClusterDisabled},
};

}  // namespace

void RegisterClusterFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
