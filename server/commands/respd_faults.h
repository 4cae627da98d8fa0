// The handlers of RESPD FAULT and RESPD JOURNAL (respd_faults_family.cc), listed in RESPD's
// subcommand table (respd_family.cc).
#pragma once

#include "server/dispatch/command.h"

namespace respd::server {

// RESPD FAULT ADD|LIST|DEL|CLEAR|LOADING|READONLY|DOWN ...
void CmdRespdFault(CommandContext& ctx);
// RESPD JOURNAL ON|OFF|RESET|GET|COUNT|WAIT ...
void CmdRespdJournal(CommandContext& ctx);

}  // namespace respd::server
