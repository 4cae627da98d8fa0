// The explicit list of command families (no static self-registration).
#include "server/commands/families.h"

namespace respd::server {

void RegisterAllFamilies(CommandTable& table) {
  RegisterConnectionFamily(table);
  RegisterTransactionsFamily(table);
  RegisterScriptingFamily(table);
  RegisterGenericFamily(table);
  RegisterDumpFamily(table);
  RegisterMigrateFamily(table);
  RegisterPersistenceFamily(table);
  RegisterStringFamily(table);
  RegisterServerFamily(table);
  RegisterDebugFamily(table);
  RegisterSortedSetFamily(table);
  RegisterSetFamily(table);
  RegisterListFamily(table);
  RegisterHashFamily(table);
  RegisterBitmapFamily(table);
  RegisterSortFamily(table);
  RegisterHyperLogLogFamily(table);
  RegisterGeoFamily(table);
  RegisterPubSubFamily(table);
  RegisterStreamFamily(table);
  RegisterRespdFamily(table);
  RegisterSlowlogFamily(table);
  RegisterAclFamily(table);
  RegisterMonitorFamily(table);
  RegisterLatencyFamily(table);
  RegisterClusterFamily(table);
  RegisterLolwutFamily(table);
  RegisterModuleFamily(table);
  RegisterReplicationFamily(table);
}

}  // namespace respd::server
