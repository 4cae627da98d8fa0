// The process: a listener, a pool of I/O threads each running its own io_context, the server cron
// (active expiry, idle client timeouts), and a clean stop on SIGTERM/SIGINT or SHUTDOWN. Every
// time decision reads the server Clock; when the Clock is moved, each I/O thread looks again at
// its blocked clients' deadlines at once and at its idle clients at its next cron tick.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "server/config/config.h"
#include "server/dispatch/server_context.h"
#include "server/net/block_timeouts.h"
#include "server/net/connection.h"
#include "storage/clock.h"
#include "storage/expiry.h"

namespace respd::server {

// The caller composes the context (server/composition.h) before Run: the network layer does not
// know the command families.
class Server : public storage::ClockObserver {
 public:
  Server(Config& config, storage::Clock& clock);
  ~Server() override;

  // Binds, starts the I/O threads and blocks until the server stops. Returns the exit code.
  int Run();
  void Stop();

  ServerContext& context() { return context_; }

  void OnClockChanged() override;

 private:
  struct IoThread {
    explicit IoThread(const storage::Clock& clock) : block_timeouts(io, clock) {}
    // One thread runs each context: handlers it posts to itself (every reply's flush) then skip
    // the shared queue's lock and the epoll_ctl + timerfd_settime that wake the reactor, two of
    // the seven syscalls a -P 1 request cost. Other threads still post through the locked queue.
    boost::asio::io_context io{1};
    std::unique_ptr<boost::asio::steady_timer> cron;
    BlockTimeouts block_timeouts;
    // Connections of this thread, for the idle-timeout sweep (weak: a connection owns itself).
    std::vector<std::weak_ptr<Connection>> connections;
    // When the idle sweep last ran (real time: how often to look is about work, not about keys).
    std::chrono::steady_clock::time_point last_sweep;
    // The Clock moved since the last sweep: the next cron tick sweeps whatever the time.
    bool sweep_due = false;
  };

  bool Listen();
  bool ListenTcp();
  // Redis's unixsocket: a stale file at the path is removed first; the socket file goes at exit.
  bool ListenUnix(const std::string& path);
  void RunLoop(boost::asio::io_context& io);
  template <class Acceptor>
  void Accept(Acceptor& acceptor);
  // Redis's protected mode: with no password set, only clients from 127.0.0.1 or ::1 may connect
  // over TCP; the others get the DENIED explanation and are closed.
  bool RefusedByProtectedMode(const boost::asio::ip::tcp::socket& socket) const;
  void ScheduleCron(IoThread& thread);
  void RunCron(IoThread& thread);

  Config& config_;
  ServerContext context_;
  // Run by the first I/O thread's cron only.
  storage::ActiveExpiry active_expiry_;
  std::vector<std::unique_ptr<IoThread>> threads_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::unique_ptr<boost::asio::local::stream_protocol::acceptor> unix_acceptor_;
  std::string unix_path_;  // the socket file to remove at exit; empty when none was created
  std::unique_ptr<boost::asio::signal_set> signals_;
  std::atomic<size_t> next_thread_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<int> connected_{0};
};

}  // namespace respd::server
