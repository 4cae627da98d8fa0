// Registration of every command family. Each family file exports only its Register...Family
// function; the list below is the whole command set of the server.
#pragma once

#include <string>

#include "server/dispatch/command_table.h"
#include "server/dispatch/dispatcher.h"

namespace respd::server {

void RegisterConnectionFamily(CommandTable& table);
void RegisterTransactionsFamily(CommandTable& table);
void RegisterScriptingFamily(CommandTable& table);
void RegisterGenericFamily(CommandTable& table);
void RegisterDumpFamily(CommandTable& table);
void RegisterMigrateFamily(CommandTable& table);
void RegisterPersistenceFamily(CommandTable& table);
void RegisterStringFamily(CommandTable& table);
void RegisterServerFamily(CommandTable& table);
void RegisterDebugFamily(CommandTable& table);
void RegisterSortedSetFamily(CommandTable& table);
void RegisterSetFamily(CommandTable& table);
void RegisterListFamily(CommandTable& table);
void RegisterHashFamily(CommandTable& table);
void RegisterBitmapFamily(CommandTable& table);
void RegisterSortFamily(CommandTable& table);
void RegisterHyperLogLogFamily(CommandTable& table);
void RegisterGeoFamily(CommandTable& table);
void RegisterPubSubFamily(CommandTable& table);
void RegisterStreamFamily(CommandTable& table);
void RegisterRespdFamily(CommandTable& table);
void RegisterSlowlogFamily(CommandTable& table);
void RegisterLatencyFamily(CommandTable& table);
void RegisterMonitorFamily(CommandTable& table);
void RegisterAclFamily(CommandTable& table);
void RegisterClusterFamily(CommandTable& table);
void RegisterLolwutFamily(CommandTable& table);
void RegisterModuleFamily(CommandTable& table);
void RegisterReplicationFamily(CommandTable& table);

// The ACL checks every entry path makes (acl_family.cc), registered at composition.
AdmissionHook AclAdmissionHook(ServerContext& server);
// CLIENT LIST's line for `client` (connection_family.cc), which ACL LOG entries quote.
std::string ClientInfoLine(ServerContext& server, ClientState& client);

// Registers every family, in a fixed order.
void RegisterAllFamilies(CommandTable& table);

}  // namespace respd::server
