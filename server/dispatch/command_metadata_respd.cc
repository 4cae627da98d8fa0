// respd's own commands' metadata (COMMAND INFO and COMMAND DOCS), and that of the subcommands of
// later Redis versions respd registers, written by hand: the generated command_metadata_data.cc
// holds Redis 7.0's commands only and is overwritten by
// scripts/gen_command_metadata.py. A RESPD subcommand brings its entry here, its flags and ACL
// categories as its row in server/commands/respd_family.cc has them (the metadata test checks).
#include "server/dispatch/command_metadata.h"

namespace respd::server::metadata {
namespace {

constexpr std::string_view kSince = "respd 0.1.0";
constexpr std::string_view kRespdFlags = "admin noscript loading stale";
constexpr std::string_view kRespdAcl = "@admin @slow @dangerous";

// ---- RESPD TIME [FREEZE [unix-ms] | ADVANCE ms | SET unix-ms | RESUME | REAL] -----------------
constexpr Argument kTimeFreezeArgs[] = {
    {.name = "freeze", .type = "pure-token", .token = "FREEZE"},
    {.name = "unix-ms", .type = "integer", .flags = "optional"},
};
constexpr Argument kTimeAdvanceArgs[] = {
    {.name = "advance", .type = "pure-token", .token = "ADVANCE"},
    {.name = "ms", .type = "integer"},
};
constexpr Argument kTimeSetArgs[] = {
    {.name = "set", .type = "pure-token", .token = "SET"},
    {.name = "unix-ms", .type = "integer"},
};
constexpr Argument kTimeActions[] = {
    {.name = "freeze-block", .type = "block", .arguments = kTimeFreezeArgs},
    {.name = "advance-block", .type = "block", .arguments = kTimeAdvanceArgs},
    {.name = "set-block", .type = "block", .arguments = kTimeSetArgs},
    {.name = "resume", .type = "pure-token", .token = "RESUME"},
    {.name = "real", .type = "pure-token", .token = "REAL"},
};
constexpr Argument kTimeArgs[] = {
    {.name = "action", .type = "oneof", .flags = "optional", .arguments = kTimeActions},
};

// RESPD FAULT ADD|LIST|DEL|CLEAR|LOADING|READONLY|DOWN ... and RESPD JOURNAL
// ON|OFF|RESET|GET|COUNT|WAIT ...: the grammar of each is in docs/TESTING.md.
constexpr Argument kFaultJournalArgs[] = {
    {.name = "subcommand", .type = "string"},
    {.name = "arg", .type = "string", .flags = "optional multiple"},
};

// ---- RESPD DB LEASE | RELEASE index | LIST ----------------------------------------------------
constexpr Argument kDbReleaseArgs[] = {
    {.name = "release", .type = "pure-token", .token = "RELEASE"},
    {.name = "index", .type = "integer"},
};
constexpr Argument kDbActions[] = {
    {.name = "lease", .type = "pure-token", .token = "LEASE"},
    {.name = "release-block", .type = "block", .arguments = kDbReleaseArgs},
    {.name = "list", .type = "pure-token", .token = "LIST"},
};
constexpr Argument kDbArgs[] = {
    {.name = "action", .type = "oneof", .arguments = kDbActions},
};

// ---- RESPD SNAPSHOT SAVE|RESTORE name [DB index] | DEL name | LIST ----------------------------
constexpr Argument kSnapshotDbArgs[] = {
    {.name = "db", .type = "pure-token", .token = "DB"},
    {.name = "index", .type = "integer"},
};
constexpr Argument kSnapshotSaveArgs[] = {
    {.name = "save", .type = "pure-token", .token = "SAVE"},
    {.name = "name", .type = "string"},
    {.name = "db-block", .type = "block", .flags = "optional", .arguments = kSnapshotDbArgs},
};
constexpr Argument kSnapshotRestoreArgs[] = {
    {.name = "restore", .type = "pure-token", .token = "RESTORE"},
    {.name = "name", .type = "string"},
    {.name = "db-block", .type = "block", .flags = "optional", .arguments = kSnapshotDbArgs},
};
constexpr Argument kSnapshotDelArgs[] = {
    {.name = "del", .type = "pure-token", .token = "DEL"},
    {.name = "name", .type = "string"},
};
constexpr Argument kSnapshotActions[] = {
    {.name = "save-block", .type = "block", .arguments = kSnapshotSaveArgs},
    {.name = "restore-block", .type = "block", .arguments = kSnapshotRestoreArgs},
    {.name = "del-block", .type = "block", .arguments = kSnapshotDelArgs},
    {.name = "list", .type = "pure-token", .token = "LIST"},
};
constexpr Argument kSnapshotArgs[] = {
    {.name = "action", .type = "oneof", .arguments = kSnapshotActions},
};

// ---- RESPD SEED n -------------------------------------------------------------------------------
constexpr Argument kSeedArgs[] = {
    {.name = "seed", .type = "integer"},
};

// Sorted by name.
constexpr CommandMetadata kRespdSubcommands[] = {
    {.name = "respd|db",
     .arity = -3,
     .flags = kRespdFlags,
     .acl_categories = kRespdAcl,
     .tips = "",
     .summary = "Lease an empty database to this connection until it disconnects, release a "
                "lease (flushing the database), or list the leases",
     .since = kSince,
     .group = "server",
     .complexity = "O(N) for N databases to LEASE, O(N) for N keys of the database to RELEASE",
     .arguments = kDbArgs},
    {.name = "respd|fault",
     .arity = -3,
     .flags = kRespdFlags,
     .acl_categories = kRespdAcl,
     .tips = "",
     .summary = "Add, list, delete or clear fault rules (errors, latency, closed connections, "
                "no reply), switch the LOADING and READONLY modes, or take the server DOWN for a "
                "while",
     .since = kSince,
     .group = "server",
     .complexity = "O(N) for N fault rules",
     .arguments = kFaultJournalArgs},
    {.name = "respd|help",
     .arity = 2,
     .flags = kRespdFlags,
     .acl_categories = kRespdAcl,
     .tips = "",
     .summary = "Show helpful text about the different subcommands",
     .since = kSince,
     .group = "server",
     .complexity = "O(1)"},
    {.name = "respd|journal",
     .arity = -3,
     .flags = kRespdFlags,
     .acl_categories = kRespdAcl,
     .tips = "",
     .summary = "Record the commands the server runs, and get, count or wait for them",
     .since = kSince,
     .group = "server",
     .complexity = "O(N) for N journal entries",
     .arguments = kFaultJournalArgs},
    {.name = "respd|reset",
     .arity = 2,
     .flags = kRespdFlags,
     .acl_categories = kRespdAcl,
     .tips = "",
     .summary = "Put data, config, scripts, functions, faults, journal, clock, leases, snapshots "
                "and the random seed back to their start-up state",
     .since = kSince,
     .group = "server",
     .complexity = "O(N) for N keys"},
    {.name = "respd|seed",
     .arity = 3,
     .flags = kRespdFlags,
     .acl_categories = kRespdAcl,
     .tips = "",
     .summary = "Seed every random choice (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER, RANDOMKEY, "
                "fault PROBABILITY, Lua's math.random) so the same commands give the same replies",
     .since = kSince,
     .group = "server",
     .complexity = "O(1)",
     .arguments = kSeedArgs},
    {.name = "respd|snapshot",
     .arity = -3,
     .flags = kRespdFlags,
     .acl_categories = kRespdAcl,
     .tips = "",
     .summary = "Save a database's keys under a name, restore them atomically, delete or list "
                "snapshots",
     .since = kSince,
     .group = "server",
     .complexity = "O(N) for N keys of the database or snapshot",
     .arguments = kSnapshotArgs},
    {.name = "respd|time",
     .arity = -2,
     .flags = kRespdFlags,
     .acl_categories = kRespdAcl,
     .tips = "",
     .summary = "Show the server clock, or freeze, advance, set, resume or release it. Every "
                "reader of time follows: TTLs, expiry, TIME, OBJECT IDLETIME, blocking "
                "timeouts, stream IDs",
     .since = kSince,
     .group = "server",
     .complexity = "O(1)",
     .arguments = kTimeArgs},
};

constexpr CommandMetadata kRespdCommands[] = {
    {.name = "respd",
     .arity = -2,
     .flags = kRespdFlags,
     .acl_categories = kRespdAcl,
     .tips = "",
     .summary = "A container for respd's test controls: time, faults, journal, databases",
     .since = kSince,
     .group = "server",
     .complexity = "Depends on subcommand.",
     .subcommands = kRespdSubcommands},
};

// ---- Redis 7.2's CLIENT SETINFO, which clients such as redis-py 5 send on connect ------------
constexpr Argument kSetinfoAttrs[] = {
    {.name = "libname", .type = "string", .token = "LIB-NAME"},
    {.name = "libver", .type = "string", .token = "LIB-VER"},
};
constexpr Argument kSetinfoArgs[] = {
    {.name = "attr", .type = "oneof", .arguments = kSetinfoAttrs},
};

// Sorted by full name.
constexpr CommandMetadata kNewerSubcommands[] = {
    {.name = "client|setinfo",
     .arity = 4,
     .flags = "noscript loading stale",
     .acl_categories = "@slow @connection",
     .tips = "",
     .summary = "Sets information specific to the client or connection.",
     .since = "7.2.0",
     .group = "connection",
     .complexity = "O(1)",
     .arguments = kSetinfoArgs},
};

}  // namespace

std::span<const CommandMetadata> RespdCommands() { return kRespdCommands; }

std::span<const CommandMetadata> NewerSubcommands() { return kNewerSubcommands; }

}  // namespace respd::server::metadata
