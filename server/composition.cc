#include "server/composition.h"

#include "server/commands/families.h"
#include "server/dispatch/server_context.h"

namespace respd::server {

void Compose(ServerContext& server) {
  RegisterAllFamilies(server.commands);
  server.store.AddObserver(&server.watches);
  server.store.AddObserver(&server.blocking);
}

}  // namespace respd::server
