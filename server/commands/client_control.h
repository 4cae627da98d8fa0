// CLIENT subcommands that change how the server treats a client (REPLY, NO-EVICT) or every client
// (PAUSE, UNPAUSE), defined in client_control.cc; their rows are in connection_family.cc's CLIENT
// table.
#pragma once

#include "server/dispatch/command.h"

namespace respd::server {

void CmdClientReply(CommandContext& ctx);
void CmdClientNoEvict(CommandContext& ctx);
void CmdClientPause(CommandContext& ctx);
void CmdClientUnpause(CommandContext& ctx);

}  // namespace respd::server
