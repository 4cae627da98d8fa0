// The replica side of Redis's replication (replication.c's replicationSetMaster, syncWithMaster,
// readSyncBulkPayload and the master client): after REPLICAOF host port, a thread of its own
// connects to the master, hands over what a replica tells of itself (PING, AUTH with masterauth,
// REPLCONF listening-port and capa), asks PSYNC ? -1, loads the +FULLRESYNC payload instead of
// the dataset and then applies the master's command stream as Redis's master client does: no
// replies, except REPLCONF GETACK answered with REPLCONF ACK <offset>; an ACK every second too. A
// lost or refused link is tried again every second until REPLICAOF NO ONE.
//
// The link uses plain blocking sockets on that thread rather than an I/O thread's event loop:
// Asio is server/net's alone, and the link is one connection whose every step waits on the last.
// Each command of the stream (a MULTI ... EXEC whole) runs with every shard lock held, through the
// dispatcher as an EXEC runs a queued command.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace respd::server {

class ServerContext;

// Redis's CLIENT_ID_MASTER stand-in: the id of the client the master's commands run as.
inline constexpr uint64_t kMasterClientId = UINT64_MAX - 1;

class ReplicaLink {
 public:
  // Redis's repl_state as INFO and ROLE show it.
  enum class State : uint8_t { kNone, kConnect, kConnecting, kSync, kConnected };

  explicit ReplicaLink(ServerContext& server);
  ReplicaLink(const ReplicaLink&) = delete;
  ReplicaLink& operator=(const ReplicaLink&) = delete;
  ~ReplicaLink();

  // REPLICAOF host port: respd becomes a replica of it from now on (its link made on the link's
  // thread). False when it already is a replica of that master.
  bool Follow(const std::string& host, int port);
  // REPLICAOF NO ONE: respd is a master again, keeping its dataset; the link is closed. False
  // when it was not a replica.
  bool Unfollow();

  // server.masterhost != NULL: writes are refused (replica-read-only).
  bool is_replica() const { return replica_.load(std::memory_order_relaxed); }
  // The link is up and the stream flowing (REPL_STATE_CONNECTED).
  bool link_up() const { return state_.load(std::memory_order_relaxed) == State::kConnected; }

  // INFO replication and ROLE.
  struct Status {
    std::string host;
    int port = 0;
    State state = State::kNone;
    int64_t last_io_ms = 0;
    uint64_t offset = 0;
    int64_t down_since_ms = 0;
  };
  Status status() const;
  // ROLE's name of a state ("connect", "connecting", "sync", "connected").
  static std::string_view StateName(State state);

 private:
  // The link thread: waits for a master to follow, then keeps a link to it until told otherwise.
  void Run();
  // One connection's life: handshake, payload, stream. Returns when it fails or is dropped.
  void Session(const std::string& host, int port, uint64_t generation);
  // True while `generation` is still the master to follow and the server is not stopping.
  bool Current(uint64_t generation) const;
  // The link's state, unless REPLICAOF changed the master since `generation` began.
  void SetState(State state, uint64_t generation);
  // The same with mutex_ held.
  void SetStateLocked(State state);

  ServerContext& server_;
  std::atomic<bool> replica_{false};
  std::atomic<State> state_{State::kNone};
  std::atomic<uint64_t> offset_{0};
  std::atomic<int64_t> last_io_ms_{0};
  std::atomic<int64_t> down_since_ms_{0};
  // Guards what follows.
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::string host_;
  int port_ = 0;
  uint64_t generation_ = 0;  // bumped by Follow and Unfollow: the link's session ends
  int fd_ = -1;              // the session's socket, shut down to end it at once
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace respd::server
