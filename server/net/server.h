// The process: a listener, a pool of I/O threads each running its own io_context, the server cron
// (active expiry, idle client timeouts), and a clean stop on SIGTERM/SIGINT or SHUTDOWN. Every
// time decision reads the server Clock; when the Clock is moved, each I/O thread looks again at
// its blocked clients' deadlines at once and at its idle clients at its next cron tick. RESPD FAULT
// DOWN takes it off the network for a while, as a restart looks from outside.
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
#include "server/net/tls.h"
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
  // Saves as Redis does on SIGTERM or SIGINT before the server stops.
  void SaveBeforeSignalledStop(int signal);
  struct IoThread {
    IoThread(const storage::Clock& clock, int concurrency_hint)
        : io(concurrency_hint), block_timeouts(io, clock) {}
    // One thread runs each context: handlers it posts to itself (a blocked client's wake-up by a
    // command of its own thread) then skip the shared queue's lock and the epoll_ctl +
    // timerfd_settime that wake the reactor. Other threads still post through the locked queue.
    boost::asio::io_context io;
    std::unique_ptr<boost::asio::steady_timer> cron;
    BlockTimeouts block_timeouts;
    // Connections of this thread, for the cron's look at each (weak: a connection owns itself).
    std::vector<std::weak_ptr<Connection>> connections;
    // Where the cron's next look starts.
    size_t sweep_next = 0;
    // The Clock moved since the last tick: the next one looks at every connection.
    bool sweep_due = false;
  };

  bool Listen();
  // Listens on every address of `bind` at `port` (0: a free one, the same for all); false when a
  // required address fails. An empty `bind` is no listener, and no failure.
  bool ListenTcp(int port, std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>>& acceptors,
                 std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
                 std::atomic<int>& bound_port, const std::string& bind);
  // Redis's unixsocket: a stale file at the path is removed first; the socket file goes at exit.
  bool ListenUnix(const std::string& path);
  // CONFIG SET bind, as Redis's changeBindAddr: the TCP and TLS listeners open again on the new
  // addresses with their ports; when they cannot, on `previous` ones, and it answers Redis's error.
  std::string ChangeBind(const std::string& previous);
  // Closes listeners for good (kept alive: their pending accepts still refer to them), or starts
  // them accepting; both on the first thread, which owns the listeners.
  void RetireListeners(std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>>& acceptors);
  void StartListeners(std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>>& acceptors,
                      bool tls);
  void RunLoop(boost::asio::io_context& io);
  // Accepts clients forever; TCP clients of `tls` acceptors get a TLS handshake first.
  template <class Acceptor>
  void Accept(Acceptor& acceptor, bool tls = false);
  // Redis's protected mode: with no password set, only clients from 127.0.0.1 or ::1 may connect
  // over TCP; the others get the DENIED explanation and are closed.
  bool RefusedByProtectedMode(const boost::asio::ip::tcp::socket& socket) const;
  void ScheduleCron(IoThread& thread);
  void RunCron(IoThread& thread);
  // RESPD FAULT DOWN, on the first I/O thread: closes the listeners (connecting clients are
  // refused) and every connection but `caller`'s, until `ms` real milliseconds from now. Real
  // time, not the server Clock: a frozen Clock would otherwise keep the server down for ever, and
  // nobody could connect to move it.
  void TakeDown(int64_t ms, uint64_t caller);
  // Opens the listeners again on the addresses they had (a port 0 listener keeps the port it got);
  // retries shortly if an address is taken meanwhile.
  void BringUp();
  // CONFIG SET port and tls-port, as Redis's changeListenPort: listens on every bind address at
  // `port` (on none at 0) first, on the calling thread, then has the first I/O thread close the
  // old listeners of that kind and accept on the new ones. Redis's reason when the port cannot be
  // listened on (or, for a first TLS port, when the tls-* options make no context).
  std::string ChangePort(int port, bool tls, bool first_tls_port);
  // Redis's run_with_period(100) in serverCron: INFO's instantaneous_* rates (first thread).
  void SampleInstantaneousMetrics();

  Config& config_;
  ServerContext context_;
  // Run by the first I/O thread's cron only.
  storage::ActiveExpiry active_expiry_;
  int64_t last_metrics_sample_ms_ = 0;  // first thread only
  std::vector<std::unique_ptr<IoThread>> threads_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  // Listeners ChangePort replaced, closed: kept to the end, since an accept that completed
  // before the close still names its acceptor (first I/O thread only).
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> retired_acceptors_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> tls_acceptors_;
  TlsContextSource tls_;
  std::atomic<int> tls_port_{0};
  std::unique_ptr<boost::asio::local::stream_protocol::acceptor> unix_acceptor_;
  std::string unix_path_;  // the socket file to remove at exit; empty when none was created
  std::unique_ptr<boost::asio::signal_set> signals_;
  std::atomic<size_t> next_thread_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<int> connected_{0};
  // RESPD FAULT DOWN: set by the command at once, cleared when the listeners are open again; a
  // connection accepted meanwhile is closed.
  std::atomic<bool> down_{false};
  // The listeners' addresses (acceptors_'s, tls_acceptors_'s), to open them again after DOWN.
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  std::vector<boost::asio::ip::tcp::endpoint> tls_endpoints_;
  // Moved on when the listeners close, so an accept completed before that finds itself stale.
  // The first I/O thread's only (every accept handler runs there).
  uint64_t accept_generation_ = 0;
  std::unique_ptr<boost::asio::steady_timer> down_timer_;
  std::chrono::steady_clock::time_point down_until_;
};

}  // namespace respd::server
