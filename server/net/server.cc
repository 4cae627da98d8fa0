// Listener, I/O thread pool, server cron and shutdown.
#include "server/net/server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <random>
#include <sstream>

#include "server/services/latency.h"
#include "storage/memory.h"

namespace respd::server {
namespace asio = boost::asio;
using asio::ip::tcp;
namespace {

// Redis's CLIENTS_CRON_MIN_ITERATIONS.
constexpr size_t kMinClientsPerCronTick = 5;
// On stop, replies already queued get this long to reach the socket.
constexpr auto kStopGrace = std::chrono::milliseconds(20);
// How soon BringUp tries again when a listener's address could not be bound.
constexpr auto kReopenRetry = std::chrono::milliseconds(100);
// How long CONFIG SET port waits for the first I/O thread to close the old listeners.
constexpr auto kListenerSwapWait = std::chrono::seconds(1);
// Handlers one call from a busy script's hook may run, so a flood of clients cannot starve the
// script (Redis's processEventsWhileBlocked also stops after a few rounds).
constexpr int kMaxHandlersWhileBusy = 1000;
// File descriptors kept for other than clients (listeners, logs, the event loop): Redis's
// CONFIG_MIN_RESERVED_FDS.
constexpr rlim_t kReservedFds = 32;
// How much lower each retry asks for when the system refuses an open-files limit.
constexpr rlim_t kFdLimitStep = 16;

// Redis 7.0's reply to a client refused by protected mode (its typo included).
constexpr std::string_view kProtectedModeDenied =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable "
    "the "
    "protected mode by editing the Redis configuration file, and setting the protected mode option "
    "to 'no', and then restarting the server. 3) If you started the server manually just for "
    "testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in order for "
    "the server to start accepting connections from the outside.\r\n";

// The io_context of the I/O thread running on this thread, for ServeWhileBusy.
thread_local asio::io_context* current_io = nullptr;

// Redis's processEventsWhileBlocked, called from the Lua hook once a script has run past
// busy-reply-threshold: the script's own I/O thread answers its other clients, which get BUSY or
// run the few allow-busy commands (SCRIPT KILL, SHUTDOWN NOSAVE...), and accepts new ones, instead
// of leaving them waiting for the script. Asio supports nested poll_one from a handler (it is
// run/run_one that may deadlock); Connection and the cron keep what is on the stack below safe.
void ServeWhileBusy() {
  static thread_local bool serving = false;
  if (current_io == nullptr || serving) return;
  serving = true;
  for (int i = 0; i < kMaxHandlersWhileBusy && current_io->poll_one() > 0; ++i) {
  }
  serving = false;
}

// Redis's adjustOpenFilesLimit: raises RLIMIT_NOFILE so `maxclients` clients fit, asking for a
// little less each time the system refuses; when even that fails, maxclients shrinks to what
// fits, with Redis's log lines.
void AdjustOpenFilesLimit(Config& config) {
  auto maxclients = static_cast<rlim_t>(config.maxclients().number());
  rlim_t wanted = maxclients + kReservedFds;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == -1) {
    spdlog::warn(
        "Unable to obtain the current NOFILE limit ({}), assuming 1024 and setting the "
        "max clients configuration accordingly.",
        strerror(errno));
    config.SetAtRuntime({{"maxclients", std::to_string(1024 - kReservedFds)}});
    return;
  }
  rlim_t old = limit.rlim_cur;
  if (old >= wanted) return;
  rlim_t hard = limit.rlim_max;
  rlim_t best = wanted;
  int error = 0;
  while (best > old) {
    limit.rlim_cur = best;
    // Past the hard limit only a privileged process succeeds, raising both.
    limit.rlim_max = std::max(best, hard);
    if (setrlimit(RLIMIT_NOFILE, &limit) != -1) break;
    error = errno;
    if (best < kFdLimitStep) {
      best = old;
      break;
    }
    best -= kFdLimitStep;
  }
  best = std::max(best, old);
  if (best < wanted) {
    spdlog::warn("Server can't set maximum open files to {} because of OS error: {}.", wanted,
                 strerror(error));
    if (best <= kReservedFds) {
      spdlog::warn(
          "Your current 'ulimit -n' of {} is not enough for the server to start. Please "
          "increase your open file limit to at least {}. Exiting.",
          old, wanted);
      std::exit(1);
    }
    spdlog::warn(
        "Current maximum open files is {}. maxclients has been reduced to {} to "
        "compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
        best, best - kReservedFds);
    config.SetAtRuntime({{"maxclients", std::to_string(best - kReservedFds)}});
  } else {
    spdlog::info("Increased maximum number of open files to {} (it was originally set to {}).",
                 wanted, old);
  }
}

std::string RandomRunId() {
  std::random_device device;
  std::mt19937_64 rng(device());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(40, '0');
  for (char& c : id) c = kHex[rng() % 16];
  return id;
}

// Opens, binds and listens `acceptor` on `endpoint` (IPv6 only on an IPv6 address, so the IPv4
// wildcard can share the port).
void OpenTcpAcceptor(tcp::acceptor& acceptor, const tcp::endpoint& endpoint, int backlog,
                     boost::system::error_code& error) {
  acceptor.open(endpoint.protocol(), error);
  if (!error && endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true), error);
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(backlog, error);
  if (error) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
  }
}

}  // namespace

Server::Server(Config& config, storage::Clock& clock)
    : config_(config), context_(config, clock), tls_(config) {
  int threads = static_cast<int>(config_.threads().number());
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  context_.io_threads = threads;
  // A lone I/O thread is the only one to touch its sockets: Asio's per-socket locks can go (posts
  // from elsewhere, as a test moving the clock, still take the queue's lock).
  int hint = threads == 1 ? BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO : 1;
  for (int i = 0; i < threads; ++i) threads_.push_back(std::make_unique<IoThread>(clock, hint));
  context_.run_id = RandomRunId();
  context_.start_time_ms = clock.NowMs();
  context_.startup_memory = storage::memory::UsedMemory();
  context_.request_shutdown = [this] { Stop(); };
  context_.request_down = [this](int64_t ms, uint64_t caller) {
    down_ = true;
    asio::post(threads_[0]->io, [this, ms, caller] { TakeDown(ms, caller); });
  };
  context_.scripting.set_serve_while_busy(ServeWhileBusy);
  config_.AddApplyHook([this](const Option& option, const std::string& previous) -> std::string {
    if (option.text() == previous) return {};
    int port = static_cast<int>(option.number());
    if (&option == &config_.port()) return ChangePort(port, /*tls=*/false, false);
    if (option.spec().name == "tls-port") return ChangePort(port, /*tls=*/true, previous == "0");
    if (option.spec().name == "bind") return ChangeBind(previous);
    return {};
  });
  clock.AddObserver(this);
}

Server::~Server() { context_.clock.RemoveObserver(this); }

void Server::OnClockChanged() {
  // Whoever moved the clock (a command on some I/O thread, a test) may be on any thread: each
  // thread re-reads its own deadlines.
  for (auto& thread : threads_) {
    asio::post(thread->io, [&thread = *thread] {
      thread.block_timeouts.OnClockChanged();
      thread.sweep_due = true;
    });
  }
}

namespace {

// Redis's line, which harnesses (Redis's own test suite) read to retry on another port.
void LogListenFailure(int port, std::string_view kind) {
  std::string upper(kind);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  spdlog::warn("Failed listening on port {} ({}), aborting.", port, upper);
}

}  // namespace

bool Server::Listen() {
  std::string unixsocket = config_.Get("unixsocket").text();
  // Redis's port 0 means no TCP listener, respd's alone picks a free port (tests and scripts rely
  // on it): next to a unix socket, port 0 means no TCP, which is how Redis is run socket-only.
  int tls_port = static_cast<int>(config_.Get("tls-port").number());
  bool tcp = config_.port().number() != 0 || (unixsocket.empty() && tls_port == 0);
  if (tcp && !ListenTcp(static_cast<int>(config_.port().number()), acceptors_, endpoints_,
                        context_.tcp_port, config_.Get("bind").text())) {
    LogListenFailure(static_cast<int>(config_.port().number()), "tcp");
    return false;
  }
  if (tls_port != 0) {
    if (!tls_.Configure()) {
      spdlog::warn("Failed to configure TLS. Check logs for more info.");
      return false;
    }
    if (!ListenTcp(tls_port, tls_acceptors_, tls_endpoints_, tls_port_,
                   config_.Get("bind").text())) {
      LogListenFailure(tls_port, "tls");
      return false;
    }
  }
  return unixsocket.empty() || ListenUnix(config_.PathInDir(unixsocket));
}

bool Server::ListenTcp(int port, std::vector<std::unique_ptr<tcp::acceptor>>& acceptors,
                       std::vector<tcp::endpoint>& endpoints, std::atomic<int>& bound_port,
                       const std::string& bind) {
  // No address at all is no listener, as Redis allows (a server reached by its unix socket).
  if (bind.find_first_not_of(' ') == std::string::npos) {
    bound_port = port;
    return true;
  }
  std::istringstream addresses(bind);
  std::string address;
  while (addresses >> address) {
    bool optional = address.starts_with('-');
    if (optional) address.erase(0, 1);
    if (address == "*") address = "0.0.0.0";
    if (address == "::*") address = "::";
    boost::system::error_code error;
    auto ip = asio::ip::make_address(address, error);
    if (error) {
      spdlog::warn("Invalid bind address '{}'", address);
      return false;
    }
    auto acceptor = std::make_unique<tcp::acceptor>(threads_[0]->io);
    tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
    OpenTcpAcceptor(*acceptor, endpoint, static_cast<int>(config_.Get("tcp-backlog").number()),
                    error);
    if (error) {
      // Redis's listenToPort: "-" skips an address this machine does not have or a family it
      // does not support (no IPv6), never one that is taken or cannot be parsed.
      int code = error.value();
      if (optional && (code == EADDRNOTAVAIL || code == EAFNOSUPPORT || code == EPROTONOSUPPORT ||
                       code == ENOPROTOOPT || code == ESOCKTNOSUPPORT || code == EPFNOSUPPORT)) {
        continue;
      }
      spdlog::warn("Warning: Could not create server TCP listening socket {}:{}: {}", address, port,
                   error.message());
      return false;
    }
    // Port 0 binds every address to the port the first one got.
    port = acceptor->local_endpoint().port();
    endpoints.push_back(acceptor->local_endpoint());
    acceptors.push_back(std::move(acceptor));
  }
  if (acceptors.empty()) return false;
  bound_port = port;
  return true;
}

bool Server::ListenUnix(const std::string& path) {
  using asio::local::stream_protocol;
  auto fail = [&](const std::string& reason) {
    spdlog::warn("Failed opening Unix socket: {}", reason);
    return false;
  };
  if (path.size() >= sizeof(sockaddr_un::sun_path)) return fail("unix socket path too long");
  // As Redis: whatever is at the path goes, typically the socket of a server that did not exit
  // cleanly; binding would fail on it.
  unlink(path.c_str());
  auto acceptor = std::make_unique<stream_protocol::acceptor>(threads_[0]->io);
  stream_protocol::endpoint endpoint(path);
  boost::system::error_code error;
  acceptor->open(endpoint.protocol(), error);
  if (error) return fail("socket: " + error.message());
  acceptor->bind(endpoint, error);
  if (error) return fail("bind: " + error.message());
  unix_path_ = path;
  int64_t perm = config_.Get("unixsocketperm").number();
  if (perm != 0 && chmod(path.c_str(), static_cast<mode_t>(perm)) != 0) {
    return fail("chmod: " + std::string(strerror(errno)));
  }
  acceptor->listen(static_cast<int>(config_.Get("tcp-backlog").number()), error);
  if (error) return fail("listen: " + error.message());
  unix_acceptor_ = std::move(acceptor);
  return true;
}

bool Server::RefusedByProtectedMode(const tcp::socket& socket) const {
  // Redis refuses remote clients while the default user needs no password.
  if (!config_.Get("protected-mode").enabled() || !context_.acl.DefaultUserNoPass()) {
    return false;
  }
  boost::system::error_code error;
  auto address = socket.remote_endpoint(error).address();
  // A peer already gone is left to the connection to notice.
  if (error) return false;
  // Redis compares the peer's address with these two, so even 127.0.0.2 is refused.
  return address != asio::ip::address(asio::ip::address_v4::loopback()) &&
         address != asio::ip::address(asio::ip::address_v6::loopback());
}

void Server::RetireListeners(std::vector<std::unique_ptr<tcp::acceptor>>& acceptors) {
  boost::system::error_code ignored;
  for (auto& acceptor : acceptors) {
    acceptor->close(ignored);
    retired_acceptors_.push_back(std::move(acceptor));
  }
  acceptors.clear();
}

void Server::StartListeners(std::vector<std::unique_ptr<tcp::acceptor>>& acceptors, bool tls) {
  // Taken down (RESPD FAULT DOWN): BringUp opens them again on their addresses.
  bool down = down_until_ != std::chrono::steady_clock::time_point();
  boost::system::error_code ignored;
  for (auto& acceptor : acceptors) {
    if (down) {
      acceptor->close(ignored);
    } else {
      Accept(*acceptor, tls);
    }
  }
}

std::string Server::ChangeBind(const std::string& previous) {
  auto result = std::make_shared<std::promise<std::string>>();
  std::future<std::string> done = result->get_future();
  auto rebind = [this, previous, result] {
    auto close_all = [&] {
      RetireListeners(acceptors_);
      RetireListeners(tls_acceptors_);
      endpoints_.clear();
      tls_endpoints_.clear();
    };
    const int port = context_.tcp_port.load();
    const int tls_port = tls_port_.load();
    auto listen = [&](const std::string& bind) {
      return (port == 0 || ListenTcp(port, acceptors_, endpoints_, context_.tcp_port, bind)) &&
             (tls_port == 0 ||
              ListenTcp(tls_port, tls_acceptors_, tls_endpoints_, tls_port_, bind));
    };
    close_all();
    std::string error;
    if (!listen(config_.Get("bind").text())) {
      close_all();
      listen(previous);
      error = "Failed to bind to specified addresses.";
    }
    StartListeners(acceptors_, /*tls=*/false);
    StartListeners(tls_acceptors_, /*tls=*/true);
    result->set_value(error);
  };
  if (current_io == &threads_[0]->io) {
    rebind();
    return done.get();
  }
  // As ChangePort: the first thread owns the listeners, and may wait for shard locks this thread
  // holds inside a transaction, where the outcome is then not known here.
  asio::post(threads_[0]->io, std::move(rebind));
  if (storage::ShardLocks::AllHeldByThisThread() ||
      done.wait_for(kListenerSwapWait) != std::future_status::ready) {
    return {};
  }
  return done.get();
}

std::string Server::ChangePort(int port, bool tls, bool first_tls_port) {
  // No TLS client has been accepted yet: the context is built here, before any needs it.
  if (tls && first_tls_port && port != 0 && !tls_.Configure()) {
    return "Unable to update TLS configuration. Check server logs.";
  }
  std::vector<std::unique_ptr<tcp::acceptor>> fresh;
  std::vector<tcp::endpoint> endpoints;
  std::atomic<int> bound{0};
  if (port != 0 && !ListenTcp(port, fresh, endpoints, bound, config_.Get("bind").text())) {
    return "Unable to listen on this port. Check server logs.";
  }
  auto listeners = std::make_shared<decltype(fresh)>(std::move(fresh));
  auto swapped = std::make_shared<std::promise<void>>();
  std::future<void> done = swapped->get_future();
  auto swap = [this, tls, listeners, swapped, endpoints = std::move(endpoints)] {
    auto& acceptors = tls ? tls_acceptors_ : acceptors_;
    RetireListeners(acceptors);
    acceptors = std::move(*listeners);
    (tls ? tls_endpoints_ : endpoints_) = endpoints;
    StartListeners(acceptors, tls);
    swapped->set_value();
  };
  (tls ? tls_port_ : context_.tcp_port) = bound.load();
  if (current_io == &threads_[0]->io) {
    swap();
    return {};
  }
  // As in Redis, the old port is closed when the reply goes out. The first thread may wait for
  // shard locks, which this thread holds only inside a transaction: then the swap comes after it.
  asio::post(threads_[0]->io, std::move(swap));
  if (!storage::ShardLocks::AllHeldByThisThread()) done.wait_for(kListenerSwapWait);
  return {};
}

int Server::Run() {
  AdjustOpenFilesLimit(config_);
  if (!context_.persistence.LoadAtStartup(context_)) return 1;
  if (!Listen()) return 1;
  for (auto& acceptor : acceptors_) Accept(*acceptor);
  for (auto& acceptor : tls_acceptors_) Accept(*acceptor, /*tls=*/true);
  if (unix_acceptor_) Accept(*unix_acceptor_);
  signals_ = std::make_unique<asio::signal_set>(threads_[0]->io, SIGINT, SIGTERM);
  signals_->async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::warn("Received {} scheduling shutdown...", signal == SIGINT ? "SIGINT" : "SIGTERM");
    SaveBeforeSignalledStop(signal);
    Stop();
  });
  for (auto& thread : threads_) ScheduleCron(*thread);
  spdlog::info("Server initialized");
  if (!acceptors_.empty()) {
    spdlog::info("Ready to accept connections tcp on port {}", context_.tcp_port.load());
  }
  if (!tls_acceptors_.empty()) {
    spdlog::info("Ready to accept connections tls on port {}", tls_port_.load());
  }
  if (unix_acceptor_)
    spdlog::info("The server is now ready to accept connections at {}", unix_path_);
  std::vector<std::thread> workers;
  for (size_t i = 1; i < threads_.size(); ++i) {
    workers.emplace_back([this, i] { RunLoop(threads_[i]->io); });
  }
  RunLoop(threads_[0]->io);
  for (auto& worker : workers) worker.join();
  if (!unix_path_.empty()) {
    spdlog::info("Removing the unix socket file.");
    unlink(unix_path_.c_str());
  }
  spdlog::warn("respd is now ready to exit, bye bye...");
  return 0;
}

void Server::RunLoop(boost::asio::io_context& io) {
  // Sleeps in epoll_wait whenever no handler is ready, as Redis's event loop does: polling first
  // (epoll_wait with no timeout) found nothing under a -P 1 client, which waits for its reply, and
  // cost a syscall per request; under many clients a blocking epoll_wait returns at once anyway.
  auto work_guard = boost::asio::make_work_guard(io);
  current_io = &io;
  io.run();
}

// shutdown-on-sigterm and shutdown-on-sigint say whether to save ("default": with save points).
// A failed save, or a script stuck in its middle, does not keep the process up as it keeps
// Redis's: whoever sends the signal (a test harness, a container runtime) means to stop it.
void Server::SaveBeforeSignalledStop(int signal) {
  std::istringstream flags(
      config_.Get(signal == SIGINT ? "shutdown-on-sigint" : "shutdown-on-sigterm").text());
  bool save = false, nosave = false;
  for (std::string flag; flags >> flag;) {
    save = save || flag == "save";
    nosave = nosave || flag == "nosave";
  }
  if (context_.scripting.busy()) {
    if (!nosave) spdlog::warn("A script is still running: exiting without saving the DB.");
    return;
  }
  if (!context_.persistence.SaveBeforeShutdown(context_, save, nosave)) {
    spdlog::warn("Error trying to save the DB. Exit anyway.");
  }
}

void Server::Stop() {
  if (stopping_.exchange(true)) return;
  // A script that never ends (SHUTDOWN NOSAVE is what BUSY tells users to send) would keep its
  // I/O thread, and so the process, alive.
  context_.scripting.AbortForShutdown();
  asio::post(threads_[0]->io, [this] {
    boost::system::error_code ignored;
    for (auto& acceptor : acceptors_) acceptor->close(ignored);
    for (auto& acceptor : tls_acceptors_) acceptor->close(ignored);
    if (unix_acceptor_) unix_acceptor_->close(ignored);
    if (signals_) signals_->cancel();
    if (down_timer_) down_timer_->cancel();
    auto timer = std::make_shared<asio::steady_timer>(threads_[0]->io, kStopGrace);
    timer->async_wait([this, timer](const boost::system::error_code&) {
      for (auto& thread : threads_) thread->io.stop();
    });
  });
}

template <class Acceptor>
void Server::Accept(Acceptor& acceptor, bool tls) {
  using Socket = typename Acceptor::protocol_type::socket;
  size_t index = next_thread_.fetch_add(1) % threads_.size();
  IoThread& thread = *threads_[index];
  acceptor.async_accept(thread.io, [this, &acceptor, &thread, tls,
                                     generation = accept_generation_](
                                       const boost::system::error_code& error, Socket socket) {
    // The listeners closed for RESPD FAULT DOWN after this accept: `acceptor` may be gone, and a
    // client that got in must not see the server up.
    if (generation != accept_generation_) {
      boost::system::error_code ignored;
      socket.close(ignored);
      return;
    }
    if (error) {
      // A listener ChangePort retired is closed for good.
      if (error == asio::error::operation_aborted || stopping_ || !acceptor.is_open()) return;
      Accept(acceptor, tls);
      return;
    }
    if constexpr (std::is_same_v<Socket, tcp::socket>) {
      // Unix-socket clients are always local. Redis counts the refusal as a rejected connection,
      // not a received one.
      if (RefusedByProtectedMode(socket)) {
        context_.stats.rejected_connections.fetch_add(1, std::memory_order_relaxed);
        boost::system::error_code ignored;
        // A TLS client could not read plain text before its handshake: Redis's never arrives.
        if (!tls) asio::write(socket, asio::buffer(kProtectedModeDenied), ignored);
        socket.close(ignored);
        Accept(acceptor, tls);
        return;
      }
    }
    context_.stats.total_connections_received.fetch_add(1, std::memory_order_relaxed);
    if (context_.clients.size() >= static_cast<size_t>(config_.maxclients().number())) {
      context_.stats.rejected_connections.fetch_add(1, std::memory_order_relaxed);
      boost::system::error_code ignored;
      static constexpr std::string_view kReply = "-ERR max number of clients reached\r\n";
      if (!tls) asio::write(socket, asio::buffer(kReply), ignored);
      socket.close(ignored);
    } else {
      std::shared_ptr<Connection> connection;
      if constexpr (std::is_same_v<Socket, tcp::socket>) {
        if (tls) {
          connection = MakeTlsConnection(std::move(socket), tls_.Current(), tls_.VerifyMode(),
                                         context_, thread.block_timeouts);
        }
      }
      if (!connection) {
        connection = MakeConnection(std::move(socket), context_, thread.block_timeouts);
      }
      // The connection's handlers run on `thread`; start it there too.
      asio::post(thread.io, [this, &thread, connection] {
        thread.connections.push_back(connection);
        connection->Start();
        // Registered after DOWN collected the connections to close: closes itself.
        if (down_) connection->Kill();
      });
    }
    Accept(acceptor, tls);
  });
}

void Server::TakeDown(int64_t ms, uint64_t caller) {
  if (stopping_) return;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  bool already_down = down_until_ != std::chrono::steady_clock::time_point();
  if (!already_down) {
    ++accept_generation_;
    boost::system::error_code ignored;
    for (auto& acceptor : acceptors_) acceptor->close(ignored);
    for (auto& acceptor : tls_acceptors_) acceptor->close(ignored);
    if (unix_acceptor_) unix_acceptor_->close(ignored);
    down_until_ = until;
  } else {
    down_until_ = std::max(down_until_, until);
  }
  for (const auto& client : context_.clients.Snapshot()) {
    if (client->state().id() != caller) client->Kill();
  }
  if (!down_timer_) down_timer_ = std::make_unique<asio::steady_timer>(threads_[0]->io);
  down_timer_->expires_at(down_until_);
  down_timer_->async_wait([this](const boost::system::error_code& error) {
    if (!error && !stopping_) BringUp();
  });
}

void Server::BringUp() {
  int backlog = static_cast<int>(config_.Get("tcp-backlog").number());
  bool all_open = true;
  auto reopen = [&](std::vector<std::unique_ptr<tcp::acceptor>>& acceptors,
                    const std::vector<tcp::endpoint>& endpoints) {
    for (size_t i = 0; i < acceptors.size(); ++i) {
      if (acceptors[i]->is_open()) continue;
      boost::system::error_code error;
      OpenTcpAcceptor(*acceptors[i], endpoints[i], backlog, error);
      if (error) {
        spdlog::warn("RESPD FAULT DOWN: could not listen on {} again: {}; retrying",
                     endpoints[i].address().to_string(), error.message());
        all_open = false;
      }
    }
  };
  reopen(acceptors_, endpoints_);
  reopen(tls_acceptors_, tls_endpoints_);
  if (unix_acceptor_ && !unix_acceptor_->is_open() && !ListenUnix(unix_path_)) all_open = false;
  if (!all_open) {
    down_timer_->expires_after(kReopenRetry);
    down_timer_->async_wait([this](const boost::system::error_code& error) {
      if (!error && !stopping_) BringUp();
    });
    return;
  }
  down_until_ = {};
  down_ = false;
  for (auto& acceptor : acceptors_) Accept(*acceptor);
  for (auto& acceptor : tls_acceptors_) Accept(*acceptor, /*tls=*/true);
  if (unix_acceptor_) Accept(*unix_acceptor_);
}

void Server::ScheduleCron(IoThread& thread) {
  int64_t hz = std::max<int64_t>(1, config_.hz().number());
  if (!thread.cron) thread.cron = std::make_unique<asio::steady_timer>(thread.io);
  thread.cron->expires_after(std::chrono::milliseconds(1000 / hz));
  thread.cron->async_wait([this, &thread](const boost::system::error_code& error) {
    if (error || stopping_) return;
    RunCron(thread);
    ScheduleCron(thread);
  });
}

void Server::SampleInstantaneousMetrics() {
  using Metrics = InstantaneousMetrics;
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count();
  if (now_ms - last_metrics_sample_ms_ < Metrics::kPeriodMs) return;
  last_metrics_sample_ms_ = now_ms;
  const ServerStats& stats = context_.stats;
  context_.instantaneous.Track(Metrics::kCommands, now_ms,
                               stats.total_commands_processed.load(std::memory_order_relaxed));
  context_.instantaneous.Track(Metrics::kNetInput, now_ms,
                               stats.total_net_input_bytes.load(std::memory_order_relaxed));
  context_.instantaneous.Track(Metrics::kNetOutput, now_ms,
                               stats.total_net_output_bytes.load(std::memory_order_relaxed));
}

void Server::RunCron(IoThread& thread) {
  // Fired from a busy script's hook (as Redis's processEventsWhileBlocked skips time events): no
  // key may expire and no client may be closed in the script's middle.
  if (storage::ShardLocks::AllHeldByThisThread()) return;
  if (context_.pause_cron.load(std::memory_order_relaxed)) return;
  if (&thread == threads_[0].get()) context_.pause.CheckTimeout(context_.clock.NowMs());
  if (&thread == threads_[0].get()) context_.tracking.Cron();
  if (&thread == threads_[0].get()) context_.memory_limit.Refresh(MemoryLimit::Then::kContinue);
  // Redis's activeExpireCycle does nothing while clients are paused, nor on a replica, whose keys
  // expire by its master's DELs.
  if (&thread == threads_[0].get() && context_.active_expire.load(std::memory_order_relaxed) &&
      !context_.pause.active() && !context_.replica_link.is_replica()) {
    auto budget = storage::ActiveExpiry::Budget(config_.hz().number());
    auto start = std::chrono::steady_clock::now();
    active_expiry_.RunCycle(context_.store, context_.clock.NowMs(), start + budget);
    auto elapsed = std::chrono::steady_clock::now() - start;
    AddLatencySampleIfNeeded(
        context_, "expire-cycle",
        std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
    context_.stats.expire_cycle_usec.fetch_add(
        std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count(),
        std::memory_order_relaxed);
  }
  if (&thread == threads_[0].get()) SampleInstantaneousMetrics();
  if (&thread == threads_[0].get()) context_.persistence.Cron(context_);
  if (&thread == threads_[0].get()) context_.replicas.Cron(context_.clock.NowMs());
  if (&thread == threads_[0].get()) context_.migrate_sockets.CloseIdle();
  // Redis's clientsCron: each tick looks at a share of the clients, at least five, so that each
  // is seen about once a second, and every tick while there are few; after a clock jump, at all.
  size_t hz = static_cast<size_t>(std::max<int64_t>(1, config_.hz().number()));
  size_t count = thread.connections.size();
  size_t visits =
      thread.sweep_due ? count : std::min(count, std::max(kMinClientsPerCronTick, count / hz));
  thread.sweep_due = false;
  int64_t now = context_.clock.NowMs();
  int64_t timeout = config_.timeout().number();
  for (size_t visited = 0; visited < visits && !thread.connections.empty(); ++visited) {
    if (thread.sweep_next >= thread.connections.size()) thread.sweep_next = 0;
    auto connection = thread.connections[thread.sweep_next].lock();
    if (!connection) {
      thread.connections[thread.sweep_next] = std::move(thread.connections.back());
      thread.connections.pop_back();
      continue;
    }
    connection->Cron(now, timeout);
    ++thread.sweep_next;
  }
}

}  // namespace respd::server
