// The RESPD subcommands for databases and determinism (docs/TESTING.md): DB LEASE/RELEASE/LIST,
// SNAPSHOT SAVE/RESTORE/DEL/LIST, SEED and RESET. Their rows sit in the RESPD container's table
// (respd_family.cc); the handlers live here.
#pragma once

#include "server/dispatch/command.h"

namespace respd::server {

// RESPD DB LEASE | RELEASE index | LIST
void CmdRespdDb(CommandContext& ctx);
// RESPD SNAPSHOT SAVE name [DB index] | RESTORE name [DB index] | DEL name | LIST
void CmdRespdSnapshot(CommandContext& ctx);
// RESPD SEED seed
void CmdRespdSeed(CommandContext& ctx);
// RESPD RESET
void CmdRespdReset(CommandContext& ctx);

}  // namespace respd::server
