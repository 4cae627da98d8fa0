// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: the handlers of client-side caching's
// subcommands, registered in connection_family.cc's CLIENT table (server/services/tracking.h keeps
// the tables they change).
#pragma once

#include "server/dispatch/command.h"

namespace respd::server {

void CmdClientTracking(CommandContext& ctx);
void CmdClientCaching(CommandContext& ctx);
void CmdClientGetredir(CommandContext& ctx);
void CmdClientTrackinginfo(CommandContext& ctx);

}  // namespace respd::server
