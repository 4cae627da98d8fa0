#include "tests/support/replication_stream.h"

namespace respd::testing {

int64_t ChangesCounted(RespClient& client) {
  return std::stoll(
      InfoField(client.Command({"INFO", "persistence"}), "rdb_changes_since_last_save"));
}

bool AttachReplica(RespClient& replica, int port, int timeout_ms) {
  std::string payload;
  return replica.Connect(port, timeout_ms) && replica.AttachAsReplica({"SYNC"}, &payload);
}

std::vector<Argv> ReadStreamUntil(RespClient& replica, const Argv& marker,
                                  const std::function<std::string(const std::string&)>& mask,
                                  int timeout_ms) {
  std::vector<Argv> stream;
  while (true) {
    Argv command = replica.ReadStreamCommand(timeout_ms);
    if (command.empty() || command == marker) break;
    bool ping = command.size() == 1 && (command[0] == "PING" || command[0] == "ping");
    if (ping) continue;
    for (std::string& arg : command) arg = mask(arg);
    stream.push_back(std::move(command));
  }
  return stream;
}

}  // namespace respd::testing
