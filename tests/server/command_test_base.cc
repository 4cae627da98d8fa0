// CommandTest fixture: builds the context the way Server does, without the network.
#include "tests/server/command_test_base.h"

#include "server/composition.h"

namespace respd::server {

CommandTest::CommandTest() {
  server_ = std::make_unique<ServerContext>(config_, clock_);
  Compose(*server_);
  clock_.FreezeAt(1'700'000'000'000'000);  // a fixed instant: TTL arithmetic in tests is exact
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
