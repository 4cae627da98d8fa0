// respd's own commands' metadata (COMMAND INFO and COMMAND DOCS), written by hand: the generated
// command_metadata_data.cc holds Redis's commands only and is overwritten by
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
// DB, SNAPSHOT, SEED and RESET argument lists go here.

// Sorted by name.
constexpr CommandMetadata kRespdSubcommands[] = {
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

}  // namespace

std::span<const CommandMetadata> RespdCommands() { return kRespdCommands; }

}  // namespace respd::server::metadata
