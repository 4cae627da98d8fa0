// The composition root: the one place that wires respd's features into a server context (command
// families, keyspace observers, pipeline hooks). The server and the in-process test fixtures both
// call it, so tests run the same assembly as the binary.
#pragma once

namespace respd::server {

class ServerContext;

// Registers every command family and connects the services that observe the keyspace.
void Compose(ServerContext& server);

}  // namespace respd::server
