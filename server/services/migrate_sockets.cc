#include "server/services/migrate_sockets.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <iterator>
#include <random>
#include <utility>

namespace respd::server {
namespace {

constexpr size_t kWriteChunk = 64 * 1024;  // Redis writes MIGRATE's commands in 64K chunks

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t SteadySeconds() { return SteadyMs() / 1000; }

// Redis's anetTcpNonBlockConnect: the first address whose non-blocking connect starts.
int StartConnect(std::string_view host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(std::string(host).c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                  address->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, address->ai_addr, address->ai_addrlen) == 0 || errno == EINPROGRESS) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  return fd;
}

}  // namespace

std::optional<MigrateSocket> MigrateSocket::Connect(std::string_view host, int port,
                                                    int64_t timeout_ms) {
  int fd = StartConnect(host, port);
  if (fd < 0) return std::nullopt;
  MigrateSocket socket(fd);
  socket.Wait(POLLOUT, timeout_ms);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return socket;
}

MigrateSocket::MigrateSocket(MigrateSocket&& other) noexcept
    : last_dbid(other.last_dbid),
      fd_(std::exchange(other.fd_, -1)),
      input_(std::move(other.input_)) {}

MigrateSocket& MigrateSocket::operator=(MigrateSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    last_dbid = other.last_dbid;
    fd_ = std::exchange(other.fd_, -1);
    input_ = std::move(other.input_);
  }
  return *this;
}

MigrateSocket::~MigrateSocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool MigrateSocket::Wait(short events, int64_t timeout_ms) const {
  int64_t deadline = SteadyMs() + timeout_ms;
  for (;;) {
    pollfd waiting{.fd = fd_, .events = events, .revents = 0};
    int64_t left = std::max<int64_t>(0, deadline - SteadyMs());
    int ready = ::poll(&waiting, 1, static_cast<int>(std::min<int64_t>(left, INT32_MAX)));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

MigrateSocket::Io MigrateSocket::Write(std::string_view data, int64_t timeout_ms) {
  while (!data.empty()) {
    std::string_view chunk = data.substr(0, kWriteChunk);
    int64_t deadline = SteadyMs() + timeout_ms;
    while (!chunk.empty()) {
      ssize_t written = ::send(fd_, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (written < 0 && errno != EAGAIN && errno != EINTR) return Io::kError;
      if (written > 0) chunk.remove_prefix(static_cast<size_t>(written));
      if (chunk.empty()) break;
      int64_t left = deadline - SteadyMs();
      if (left <= 0 || !Wait(POLLOUT, left)) return Io::kTimeout;
    }
    data.remove_prefix(std::min(data.size(), kWriteChunk));
  }
  return Io::kOk;
}

MigrateSocket::Io MigrateSocket::ReadLine(std::string* line, int64_t timeout_ms) {
  for (;;) {
    size_t end = input_.find('\n');
    if (end != std::string::npos && end < kMaxLine) {
      line->assign(input_, 0, end);
      if (!line->empty() && line->back() == '\r') line->pop_back();
      input_.erase(0, end + 1);
      return line->empty() ? Io::kError : Io::kOk;
    }
    if (input_.size() >= kMaxLine) {
      line->assign(input_, 0, kMaxLine);
      input_.erase(0, kMaxLine);
      return Io::kOk;
    }
    char buffer[4096];
    ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n > 0) {
      input_.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      return Io::kError;
    } else if (!Wait(POLLIN, timeout_ms)) {
      return Io::kTimeout;
    }
  }
}

std::optional<MigrateSocket> MigrateSockets::Take(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto found = sockets_.find(name);
  if (found == sockets_.end()) return std::nullopt;
  MigrateSocket socket = std::move(found->second.socket);
  sockets_.erase(found);
  size_.store(sockets_.size(), std::memory_order_relaxed);
  return socket;
}

void MigrateSockets::MakeRoom() {
  std::lock_guard lock(mutex_);
  if (sockets_.size() < kMaxCached) return;
  thread_local std::minstd_rand rng(std::random_device{}());
  auto victim = sockets_.begin();
  std::advance(victim, std::uniform_int_distribution<size_t>(0, sockets_.size() - 1)(rng));
  sockets_.erase(victim);
  size_.store(sockets_.size(), std::memory_order_relaxed);
}

void MigrateSockets::Put(const std::string& name, MigrateSocket socket) {
  std::lock_guard lock(mutex_);
  sockets_.insert_or_assign(name, Cached{std::move(socket), SteadySeconds()});
  size_.store(sockets_.size(), std::memory_order_relaxed);
}

void MigrateSockets::CloseIdle() {
  if (size() == 0) return;
  int64_t now = SteadySeconds();
  std::lock_guard lock(mutex_);
  std::erase_if(sockets_,
                [now](const auto& entry) { return now - entry.second.last_use_s > kIdleSeconds; });
  size_.store(sockets_.size(), std::memory_order_relaxed);
}

}  // namespace respd::server
