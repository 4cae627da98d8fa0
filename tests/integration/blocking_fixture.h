// The fixture of the blocking tests: a two-thread respd, an admin connection, and a way to block
// clients in a known order.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/respd_test.h"

namespace respd::testing {

inline std::string Bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

inline std::string KeyValue(const std::string& key, const std::string& value) {
  return "*2\r\n" + Bulk(key) + Bulk(value);
}

class BlockingTest : public RespdTest {
 protected:
  // Sends a blocking command without reading, then waits (bounded) until the server counts
  // `blocked` blocked clients, so the order in which clients block is the order of these calls.
  void SendBlocking(RespClient& client, const std::vector<std::string>& args, int blocked) {
    ASSERT_TRUE(client.SendRaw(client.EncodeCommand(args)));
    WaitBlocked(blocked);
  }

  void WaitBlocked(int blocked) {
    WaitForInfo("clients", "blocked_clients:" + std::to_string(blocked) + "\r\n");
  }
};

}  // namespace respd::testing
