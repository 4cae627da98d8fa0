// The process: a listener, a pool of I/O threads each running its own io_context, the server cron
// (active expiry, idle client timeouts), and a clean stop on SIGTERM/SIGINT or SHUTDOWN.
#pragma once

#include <boost/asio.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "server/config/config.h"
#include "server/net/connection.h"
#include "server/dispatch/server_context.h"

namespace respd::server {

// The caller composes the context (server/composition.h) before Run: the network layer does not
// know the command families.
class Server {
 public:
  Server(Config& config, storage::Clock& clock);
  ~Server();

  // Binds, starts the I/O threads and blocks until the server stops. Returns the exit code.
  int Run();
  void Stop();

  ServerContext& context() { return context_; }

 private:
  struct IoThread {
    boost::asio::io_context io;
    std::unique_ptr<boost::asio::steady_timer> cron;
    // Connections of this thread, for the idle-timeout sweep (weak: a connection owns itself).
    std::vector<std::weak_ptr<Connection>> connections;
  };

  bool Listen();
  void RunLoop(boost::asio::io_context& io);
  void Accept(boost::asio::ip::tcp::acceptor& acceptor);
  void ScheduleCron(IoThread& thread);
  void RunCron(IoThread& thread);
  void ActiveExpireCycle();

  Config& config_;
  ServerContext context_;
  std::vector<std::unique_ptr<IoThread>> threads_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::unique_ptr<boost::asio::signal_set> signals_;
  std::atomic<size_t> next_thread_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<int> connected_{0};
};

}  // namespace respd::server
