#include "server/services/replica_link.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/dispatch/server_context.h"
#include "storage/clock.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

// How long a read waits before the link looks around (sends its ACK, checks repl-timeout, sees
// whether it was told to stop); also how long a failed link waits before the next try.
constexpr int kPollMs = 1000;
// How often a pending connect looks whether it is still wanted.
constexpr int kConnectPollMs = 100;
// Redis's replicationCron sends REPLCONF ACK once a second.
constexpr int64_t kAckPeriodMs = 1000;
// The length of the $EOF:<mark> delimiter of a diskless payload (RDB_EOF_MARK_SIZE).
constexpr size_t kEofMarkSize = 40;

std::string EncodeCommand(const std::vector<std::string>& argv) {
  std::string out;
  protocol::AppendCommand(&out, argv);
  return out;
}

bool IsNamed(std::string_view arg, std::string_view name) {
  return arg.size() == name.size() &&
         std::equal(arg.begin(), arg.end(), name.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

// A blocking connection to the master whose reads wake every kPollMs to call `on_idle`; a read
// fails when the peer closed, `on_idle` says stop, or the socket was shut down.
class MasterConnection {
 public:
  explicit MasterConnection(int fd) : fd_(fd) {}

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // A line without its LF or CRLF (a master keeps a waiting link alive with bare newlines).
  template <typename Idle>
  std::optional<std::string> ReadLine(Idle&& on_idle) {
    for (;;) {
      size_t end = buffer_.find('\n', pos_);
      if (end != std::string::npos) {
        std::string line = buffer_.substr(pos_, end - pos_);
        if (line.ends_with('\r')) line.pop_back();
        pos_ = end + 1;
        return line;
      }
      if (!Fill(on_idle)) return std::nullopt;
    }
  }

  template <typename Idle>
  std::optional<std::string> ReadExact(size_t length, Idle&& on_idle) {
    while (buffer_.size() - pos_ < length) {
      if (!Fill(on_idle)) return std::nullopt;
    }
    std::string bytes = buffer_.substr(pos_, length);
    pos_ += length;
    return bytes;
  }

  // A diskless payload: everything up to `mark`, which ends it.
  template <typename Idle>
  std::optional<std::string> ReadUntilMark(std::string_view mark, Idle&& on_idle) {
    for (;;) {
      size_t end = buffer_.find(mark, pos_);
      if (end != std::string::npos) {
        std::string bytes = buffer_.substr(pos_, end - pos_);
        pos_ = end + mark.size();
        return bytes;
      }
      if (!Fill(on_idle)) return std::nullopt;
    }
  }

  // The next command of the stream (a multibulk) and its size in bytes, or nullopt when the link
  // failed or the stream broke the protocol.
  template <typename Idle>
  std::optional<std::vector<std::string>> ReadCommand(size_t* size, Idle&& on_idle) {
    size_t start = pos_;
    std::optional<std::string> header = ReadLine(on_idle);
    if (!header || header->empty() || (*header)[0] != '*') return std::nullopt;
    std::optional<int64_t> count = storage::ParseInt64(std::string_view(*header).substr(1));
    if (!count || *count < 0) return std::nullopt;
    std::vector<std::string> argv;
    for (int64_t i = 0; i < *count; ++i) {
      std::optional<std::string> bulk = ReadLine(on_idle);
      if (!bulk || bulk->empty() || (*bulk)[0] != '$') return std::nullopt;
      std::optional<int64_t> length = storage::ParseInt64(std::string_view(*bulk).substr(1));
      if (!length || *length < 0) return std::nullopt;
      std::optional<std::string> arg = ReadExact(static_cast<size_t>(*length) + 2, on_idle);
      if (!arg) return std::nullopt;
      arg->resize(static_cast<size_t>(*length));
      argv.push_back(std::move(*arg));
    }
    *size = pos_ - start;
    Compact();
    return argv;
  }

 private:
  template <typename Idle>
  bool Fill(Idle&& on_idle) {
    char chunk[16 * 1024];
    for (;;) {
      ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (got > 0) {
        buffer_.append(chunk, static_cast<size_t>(got));
        return true;
      }
      if (got == 0) return false;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
      if (!on_idle()) return false;
    }
  }

  void Compact() {
    if (pos_ > 64 * 1024 || pos_ == buffer_.size()) {
      buffer_.erase(0, pos_);
      pos_ = 0;
    }
    // A big command's room goes with it, as Redis trims its master client's query buffer: a
    // replica fed one 32 MB value must not keep 32 MB for good.
    if (buffer_.capacity() > kKeptBufferBytes && buffer_.size() < buffer_.capacity() / 2) {
      buffer_.shrink_to_fit();
    }
  }

  static constexpr size_t kKeptBufferBytes = 64 * 1024;

  int fd_;
  std::string buffer_;
  size_t pos_ = 0;
};

// Connects without blocking longer than a poll period at a time, so that a master that does not
// answer never holds up REPLICAOF NO ONE or a shutdown: gives up once `wanted` says so.
template <typename Wanted>
bool ConnectWhileWanted(int fd, const sockaddr* address, socklen_t length, Wanted&& wanted) {
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  if (::connect(fd, address, length) != 0) {
    if (errno != EINPROGRESS) return false;
    pollfd pending{.fd = fd, .events = POLLOUT, .revents = 0};
    for (;;) {
      int ready = ::poll(&pending, 1, kConnectPollMs);
      if (ready > 0) break;
      if ((ready < 0 && errno != EINTR) || !wanted()) return false;
    }
    int error = 0;
    socklen_t error_length = sizeof(error);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_length);
    if (error != 0) return false;
  }
  ::fcntl(fd, F_SETFL, flags);
  return true;
}

template <typename Wanted>
int ConnectTo(const std::string& host, int port, Wanted&& wanted) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) continue;
    if (ConnectWhileWanted(fd, address->ai_addr, address->ai_addrlen, wanted)) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  if (fd < 0) return -1;
  timeval timeout{.tv_sec = kPollMs / 1000, .tv_usec = (kPollMs % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

}  // namespace

ReplicaLink::ReplicaLink(ServerContext& server) : server_(server) {}

ReplicaLink::~ReplicaLink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    ++generation_;
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ReplicaLink::Follow(const std::string& host, int port) {
  {
    std::lock_guard lock(mutex_);
    if (replica_.load(std::memory_order_relaxed) &&
        ::strcasecmp(host_.c_str(), host.c_str()) == 0 && port_ == port) {
      return false;
    }
    host_ = host;
    port_ = port;
    ++generation_;
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    replica_.store(true, std::memory_order_relaxed);
    state_.store(State::kConnect, std::memory_order_relaxed);
    down_since_ms_.store(0, std::memory_order_relaxed);
    // Until the first sync, the offset is the one this server had as a master (Redis's cached
    // master made from itself).
    offset_.store(server_.replicas.offset(), std::memory_order_relaxed);
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  wake_.notify_all();
  spdlog::info("Connecting to MASTER {}:{}", host, port);
  return true;
}

bool ReplicaLink::Unfollow() {
  {
    std::lock_guard lock(mutex_);
    if (!replica_.load(std::memory_order_relaxed)) return false;
    host_.clear();
    port_ = 0;
    ++generation_;
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    replica_.store(false, std::memory_order_relaxed);
    state_.store(State::kNone, std::memory_order_relaxed);
  }
  wake_.notify_all();
  return true;
}

ReplicaLink::Status ReplicaLink::status() const {
  std::lock_guard lock(mutex_);
  return {.host = host_,
          .port = port_,
          .state = state_.load(std::memory_order_relaxed),
          .last_io_ms = last_io_ms_.load(std::memory_order_relaxed),
          .offset = offset_.load(std::memory_order_relaxed),
          .down_since_ms = down_since_ms_.load(std::memory_order_relaxed)};
}

std::string_view ReplicaLink::StateName(State state) {
  switch (state) {
    case State::kNone:
      return "none";
    case State::kConnect:
      return "connect";
    case State::kConnecting:
      return "connecting";
    case State::kSync:
      return "sync";
    case State::kConnected:
      return "connected";
  }
  return "unknown";
}

bool ReplicaLink::Current(uint64_t generation) const {
  std::lock_guard lock(mutex_);
  return !stopping_ && generation_ == generation;
}

void ReplicaLink::SetState(State state, uint64_t generation) {
  std::lock_guard lock(mutex_);
  if (generation_ == generation) SetStateLocked(state);
}

void ReplicaLink::SetStateLocked(State state) {
  State was = state_.exchange(state, std::memory_order_relaxed);
  if (was == State::kConnected && state != State::kConnected) {
    down_since_ms_.store(server_.clock.NowMs(), std::memory_order_relaxed);
  }
}

void ReplicaLink::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (host_.empty()) {
      wake_.wait(lock);
      continue;
    }
    std::string host = host_;
    int port = port_;
    uint64_t generation = generation_;
    lock.unlock();
    Session(host, port, generation);
    lock.lock();
    // A failed link is tried again a period later (Redis's replicationCron), a changed master
    // at once.
    if (generation_ == generation && !stopping_) {
      SetStateLocked(State::kConnect);
      wake_.wait_for(lock, std::chrono::milliseconds(kPollMs),
                     [&] { return generation_ != generation || stopping_; });
    }
  }
}

void ReplicaLink::Session(const std::string& host, int port, uint64_t generation) {
  SetState(State::kConnecting, generation);
  int fd = ConnectTo(host, port, [&] { return Current(generation); });
  if (fd < 0) {
    spdlog::warn("Error condition on socket for SYNC: Connection refused");
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (generation_ != generation || stopping_) {
      ::close(fd);
      return;
    }
    fd_ = fd;
  }
  spdlog::info("MASTER <-> REPLICA sync started");
  MasterConnection master(fd);
  int64_t last_ack_ms = 0;
  const int64_t timeout_ms = server_.config.Get("repl-timeout").number() * 1000;
  last_io_ms_.store(server_.clock.NowMs(), std::memory_order_relaxed);
  // While waiting on the master: the ACK once a second, repl-timeout, REPLICAOF's changes.
  auto on_idle = [&] {
    if (!Current(generation)) return false;
    int64_t now = server_.clock.NowMs();
    if (now - last_io_ms_.load(std::memory_order_relaxed) > timeout_ms) {
      spdlog::warn("MASTER timeout: no data nor PING received...");
      return false;
    }
    if (state_.load(std::memory_order_relaxed) == State::kConnected &&
        now - last_ack_ms >= kAckPeriodMs) {
      last_ack_ms = now;
      return master.Send(EncodeCommand(
          {"REPLCONF", "ACK", std::to_string(offset_.load(std::memory_order_relaxed))}));
    }
    return true;
  };
  auto ask = [&](const std::vector<std::string>& argv) -> std::optional<std::string> {
    if (!master.Send(EncodeCommand(argv))) return std::nullopt;
    return master.ReadLine(on_idle);
  };
  auto session = [&]() -> bool {
    // Redis accepts a PONG or an error that only says authentication comes next.
    std::optional<std::string> pong = ask({"PING"});
    if (!pong ||
        (*pong != "+PONG" && !pong->starts_with("-NOAUTH") && !pong->starts_with("-NOPERM") &&
         !pong->starts_with("-ERR operation not permitted"))) {
      spdlog::warn("Error reply to PING from master: '{}'", pong.value_or(""));
      return false;
    }
    std::string masterauth = server_.config.Get("masterauth").text();
    if (!masterauth.empty()) {
      std::string masteruser = server_.config.Get("masteruser").text();
      std::vector<std::string> auth = {"AUTH"};
      if (!masteruser.empty()) auth.push_back(masteruser);
      auth.push_back(masterauth);
      std::optional<std::string> reply = ask(auth);
      if (!reply || reply->starts_with("-")) {
        spdlog::warn("Unable to AUTH to MASTER: {}", reply.value_or(""));
        return false;
      }
    }
    // Errors here are tolerated, as Redis does: an older master may not know an option.
    if (!ask({"REPLCONF", "listening-port",
              std::to_string(server_.tcp_port.load(std::memory_order_relaxed))}) ||
        !ask({"REPLCONF", "capa", "eof", "capa", "psync2"})) {
      return false;
    }
    std::optional<std::string> psync = ask({"PSYNC", "?", "-1"});
    while (psync && psync->empty()) psync = master.ReadLine(on_idle);
    if (!psync || !psync->starts_with("+FULLRESYNC ")) {
      spdlog::warn("Unexpected reply to PSYNC from master: {}", psync.value_or(""));
      return false;
    }
    size_t offset_at = psync->rfind(' ');
    std::optional<int64_t> start_offset =
        storage::ParseInt64(std::string_view(*psync).substr(offset_at + 1));
    if (!start_offset) return false;
    spdlog::info("Full resync from master: {}", psync->substr(12));
    SetState(State::kSync, generation);
    // The master may send newlines to keep the link alive while it prepares the payload.
    std::optional<std::string> header;
    do {
      header = master.ReadLine(on_idle);
      last_io_ms_.store(server_.clock.NowMs(), std::memory_order_relaxed);
    } while (header && header->empty());
    if (!header || !header->starts_with("$")) return false;
    std::optional<std::string> payload;
    if (header->starts_with("$EOF:") && header->size() == 5 + kEofMarkSize) {
      payload = master.ReadUntilMark(header->substr(5), on_idle);
    } else if (std::optional<int64_t> length =
                   storage::ParseInt64(std::string_view(*header).substr(1));
               length && *length >= 0) {
      payload = master.ReadExact(static_cast<size_t>(*length), on_idle);
    }
    if (!payload) return false;
    spdlog::info("MASTER <-> REPLICA sync: Flushing old data");
    {
      auto locks = storage::ShardLocks::All(server_.store);
      if (!Current(generation)) return false;
      server_.store.FlushAll(storage::Freeing::kReplicaFlush);
      std::string error;
      if (!server_.persistence.LoadRdbBytes(server_, *payload, /*engine_held=*/false, &error)) {
        spdlog::warn("Failed trying to load the MASTER synchronization DB from socket: {}", error);
        return false;
      }
    }
    offset_.store(static_cast<uint64_t>(*start_offset), std::memory_order_relaxed);
    spdlog::info("MASTER <-> REPLICA sync: Finished with success");
    SetState(State::kConnected, generation);
    ClientState master_client(kMasterClientId);
    std::string discarded;
    protocol::ReplyWriter reply(&discarded);
    bool in_multi = false;
    std::vector<std::vector<std::string>> queued;
    // Applies commands as one unit under every shard lock, as Redis's master client runs them.
    auto apply = [&](const std::vector<std::vector<std::string>>& commands) {
      auto locks = storage::ShardLocks::All(server_.store);
      if (!Current(generation)) return false;
      storage::ScopedCommandTime command_time(server_.clock.NowMs());
      for (const std::vector<std::string>& argv : commands) {
        std::vector<std::string_view> args(argv.begin(), argv.end());
        Resolution resolved = server_.dispatcher.Resolve(args);
        if (!resolved.ok()) continue;
        server_.dispatcher.RunQueued(*resolved.spec, args, master_client, reply);
        discarded.clear();
      }
      return true;
    };
    for (;;) {
      size_t size = 0;
      std::optional<std::vector<std::string>> argv = master.ReadCommand(&size, on_idle);
      if (!argv) return false;
      last_io_ms_.store(server_.clock.NowMs(), std::memory_order_relaxed);
      if (argv->empty()) continue;
      const std::string& name = (*argv)[0];
      bool applied = true;
      if (IsNamed(name, "replconf") && argv->size() >= 2 && IsNamed((*argv)[1], "getack")) {
        // The acknowledgement names the offset before the GETACK itself, as Redis's does.
        applied = master.Send(EncodeCommand(
            {"REPLCONF", "ACK", std::to_string(offset_.load(std::memory_order_relaxed))}));
      } else if (IsNamed(name, "multi")) {
        in_multi = true;
        queued.clear();
      } else if (IsNamed(name, "exec") && in_multi) {
        in_multi = false;
        applied = apply(queued);
        queued.clear();
      } else if (in_multi) {
        queued.push_back(std::move(*argv));
      } else {
        applied = apply({std::move(*argv)});
      }
      if (!applied) return false;
      offset_.fetch_add(size, std::memory_order_relaxed);
    }
  };
  if (!session() && Current(generation)) {
    spdlog::info("Connection with master lost.");
  }
  std::lock_guard lock(mutex_);
  fd_ = -1;
  ::close(fd);
}

}  // namespace respd::server
