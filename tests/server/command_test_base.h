// In-process command tests: a server context with every family registered and one client, no
// sockets. Run({"set", "k", "v"}) returns the raw reply ("+OK\r\n"), so tests state Redis's exact
// bytes.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "server/config/config.h"
#include "server/dispatch/server_context.h"
#include "storage/clock.h"

namespace respd::server {

class CommandTest : public ::testing::Test {
 protected:
  CommandTest();
  ~CommandTest() override;

  // Runs one command as the test's client and returns its raw reply.
  std::string Run(std::initializer_list<std::string> args);
  std::string Run(const std::vector<std::string>& args);
  // Runs as another client (for cross-client behaviour), created on first use.
  std::string RunAs(int client, const std::vector<std::string>& args);

  // `dir`: a private directory for the RDB files SAVE, FLUSHALL and DEBUG RELOAD write, so tests
  // run side by side never read each other's.
  std::string rdb_dir_;
  Config config_;
  storage::Clock clock_;
  std::unique_ptr<ServerContext> server_;
  std::vector<std::unique_ptr<ClientState>> clients_;
};

}  // namespace respd::server
