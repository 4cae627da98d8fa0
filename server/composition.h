// The composition root: the one place that wires respd's features into a server context (command
// families, keyspace observers, pipeline hooks). The server and the in-process test fixtures both
// call it, so tests run the same assembly as the binary.
#pragma once

#include <string>

namespace respd::server {

class ServerContext;

// Registers every command family and connects the services that observe the keyspace.
void Compose(ServerContext& server);

// With cluster-enabled yes, loads or creates the node's cluster-config-file (ClusterState::Start)
// and turns cluster mode on. Returns the reason it could not, which stops start-up; empty on
// success or with cluster mode off.
std::string StartCluster(ServerContext& server);

}  // namespace respd::server
