// Reading what a server propagates, for tests that attach to it as a replica
// (RespClient::AttachAsReplica) and compare the stream with an expected one or with
// redis-server's.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"

namespace respd::testing {

using Argv = std::vector<std::string>;

// A command a test runs after its script, so the stream is read up to it.
inline const Argv kStreamEndMarker = {"SET", "propagation-test-end", "1"};

// The changes the server counted so far (INFO's rdb_changes_since_last_save).
int64_t ChangesCounted(RespClient& client);

// Connects `replica` to `port` and attaches it with SYNC; false if either fails.
bool AttachReplica(RespClient& replica, int port, int timeout_ms);

// The stream's commands up to `marker` (left out) or a timeout, without the PINGs a master sends
// on its own, each argument passed through `mask` (to hide times that differ run to run).
std::vector<Argv> ReadStreamUntil(RespClient& replica, const Argv& marker,
                                  const std::function<std::string(const std::string&)>& mask,
                                  int timeout_ms);

}  // namespace respd::testing
