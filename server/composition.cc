#include "server/composition.h"

#include "server/commands/families.h"
#include "server/dispatch/server_context.h"

namespace respd::server {

void Compose(ServerContext& server) {
  RegisterAllFamilies(server.commands);
  server.store.AddObserver(&server.watches);
  server.store.AddObserver(&server.blocking);
  server.store.AddObserver(&server.keyspace_notifier);
}

}  // namespace respd::server
