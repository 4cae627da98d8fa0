#include "server/composition.h"

#include "server/commands/families.h"
#include "server/dispatch/server_context.h"
#include "server/services/latency.h"
#include "server/services/slowlog.h"

namespace respd::server {

void Compose(ServerContext& server) {
  RegisterAllFamilies(server.commands);
  server.store.AddObserver(&server.watches);
  server.store.AddObserver(&server.blocking);
  server.store.AddObserver(&server.keyspace_notifier);
  server.dispatcher.AddAfterHook(SlowlogHook(server));
  server.dispatcher.AddAfterHook(LatencyHook(server));
  server.dispatcher.AddAdmissionHook(
      [&faults = server.faults](const Admission& admission) { return faults.Admit(admission); });
  server.dispatcher.AddAfterHook([&server](const Completion& done) {
    server.journal.Record(done, server.clock.NowMs());
  });
}

}  // namespace respd::server
