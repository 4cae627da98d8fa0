// MIGRATE's connections to target instances (Redis's cluster.c migrateGetSocket,
// migrateCloseSocket and migrateCloseTimedoutSockets): a cache of at most kMaxCached sockets by
// "host:port", each closed once unused for more than kIdleSeconds by the server cron, and the
// blocking I/O with Redis's timeouts (syncio.c) that MIGRATE runs on them. Plain POSIX sockets:
// Asio is server/net's alone, and nothing here knows commands or the keyspace.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace respd::server {

// One connection to a target, with the database it last SELECTed there.
class MigrateSocket {
 public:
  enum class Io : uint8_t {
    kOk,
    kTimeout,  // Redis's ETIMEDOUT, after which MIGRATE does not try again
    kError,    // anything else: an error, the peer closed, an empty reply line
  };

  // Redis's connBlockingConnect: a non-blocking connect to the first address of `host` whose
  // connect starts, then a wait of at most `timeout_ms` for it to become writable. nullopt when no
  // connect could start. As in Redis, a connection still pending after the wait, or refused
  // meanwhile, is not reported here: the first write is.
  static std::optional<MigrateSocket> Connect(std::string_view host, int port, int64_t timeout_ms);

  MigrateSocket(MigrateSocket&& other) noexcept;
  MigrateSocket& operator=(MigrateSocket&& other) noexcept;
  MigrateSocket(const MigrateSocket&) = delete;
  MigrateSocket& operator=(const MigrateSocket&) = delete;
  ~MigrateSocket();

  // Redis's syncWrite in 64 KB chunks, each of which must be written within `timeout_ms`.
  Io Write(std::string_view data, int64_t timeout_ms);
  // Redis's syncReadLine into its 1024-byte reply buffer: the next line without its CR LF, cut at
  // kMaxLine bytes (the rest is the next line, as Redis leaves it in the socket). Waits at most
  // `timeout_ms` for each byte. An empty line fails, as Redis's caller treats it.
  Io ReadLine(std::string* line, int64_t timeout_ms);

  // The database the target has selected for this connection; -1 when unknown (a new connection,
  // or after the target replied an error).
  int64_t last_dbid = -1;

 private:
  static constexpr size_t kMaxLine = 1023;
  explicit MigrateSocket(int fd) : fd_(fd) {}
  // Waits for `events` on the socket for at most `timeout_ms`; false on timeout.
  bool Wait(short events, int64_t timeout_ms) const;

  int fd_ = -1;
  std::string input_;  // read from the socket, not yet returned as a line
};

class MigrateSockets {
 public:
  static constexpr size_t kMaxCached = 64;     // Redis's MIGRATE_SOCKET_CACHE_ITEMS
  static constexpr int64_t kIdleSeconds = 10;  // Redis's MIGRATE_SOCKET_CACHE_TTL

  // The socket cached for `name`, taken out of the cache for the caller alone until it Puts it
  // back (a MIGRATE on another thread to the same target meanwhile opens its own); nullopt when
  // none is cached. A socket not put back is closed: Redis's migrateCloseSocket.
  std::optional<MigrateSocket> Take(const std::string& name);
  // Before a new connection: with kMaxCached sockets cached, one at random is closed.
  void MakeRoom();
  // Caches `socket` as `name`, used now; one cached meanwhile under the same name is closed.
  void Put(const std::string& name, MigrateSocket socket);
  // The server cron's turn: closes the sockets unused for more than kIdleSeconds.
  void CloseIdle();
  // INFO's migrate_cached_sockets.
  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  struct Cached {
    MigrateSocket socket;
    int64_t last_use_s;  // whole seconds of the steady clock, as Redis's unixtime
  };

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Cached> sockets_;
  std::atomic<size_t> size_{0};  // sockets_.size(), read without the mutex
};

}  // namespace respd::server
