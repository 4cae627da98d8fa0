// CommandTest fixture: builds the context the way Server does, without the network.
#include "tests/server/command_test_base.h"

#include <stdlib.h>

#include <filesystem>
#include <system_error>

#include "server/composition.h"

namespace respd::server {

CommandTest::CommandTest() {
  std::string scratch = "/tmp/respd-command-test-XXXXXX";
  if (mkdtemp(scratch.data()) != nullptr) rdb_dir_ = scratch;
  EXPECT_EQ(config_.Get("dir").Set({rdb_dir_}), "");
  server_ = std::make_unique<ServerContext>(config_, clock_);
  Compose(*server_);
  clock_.FreezeAt(1'700'000'000'000'000);  // a fixed instant: TTL arithmetic in tests is exact
}

CommandTest::~CommandTest() {
  clients_.clear();
  server_.reset();
  std::error_code ignored;
  if (!rdb_dir_.empty()) std::filesystem::remove_all(rdb_dir_, ignored);
}

std::string CommandTest::Run(std::initializer_list<std::string> args) {
  return RunAs(0, std::vector<std::string>(args));
}

std::string CommandTest::Run(const std::vector<std::string>& args) { return RunAs(0, args); }

std::string CommandTest::RunAs(int client, const std::vector<std::string>& args) {
  while (static_cast<int>(clients_.size()) <= client) {
    clients_.push_back(std::make_unique<ClientState>(server_->clients.NextId()));
  }
  ClientState& state = *clients_[client];
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string out;
  protocol::ReplyWriter writer(&out, state.resp);
  // As a connection runs it: messages for the client itself go into its reply.
  PubSubRegistry::ScopedRunningClient running(state.id(), &out);
  server_->dispatcher.Dispatch(views, state, writer);
  return out;
}

}  // namespace respd::server
