// What the server knows of one connected client, shared by its connection (which owns it), the
// handlers running its commands, and CLIENT LIST / CLIENT KILL on other threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "protocol/reply_writer.h"
#include "server/transaction.h"

namespace respd::server {

class ClientState {
 public:
  explicit ClientState(uint64_t id) : id_(id) {}

  uint64_t id() const { return id_; }

  // Fields only the client's own thread touches.
  int db_index = 0;
  protocol::RespVersion resp = protocol::RespVersion::kResp2;
  bool authenticated = false;
  bool local = false;  // connected from a loopback address (enable-debug-command local)
  bool close_after_reply = false;  // QUIT, protocol errors: close once the reply is written
  // MULTI/EXEC and WATCH state, created by the first MULTI or WATCH.
  std::unique_ptr<TransactionState> transaction;
  // Set by a blocking command that has to wait (server/blocking.h): the connection runs no more
  // commands until Resume() or its timeout (0: none) ends the wait.
  bool blocked = false;
  int64_t block_timeout_ms = 0;

  // Fields other threads read (CLIENT LIST): guarded by info_mutex_.
  struct Info {
    std::string name;
    std::string lib_name;
    std::string lib_ver;
    std::string addr;   // peer "ip:port"
    std::string laddr;  // local "ip:port"
    std::string last_command = "NULL";
    int fd = -1;
  };
  Info info() const {
    std::lock_guard lock(info_mutex_);
    return info_;
  }
  template <typename Fn>
  void UpdateInfo(Fn&& fn) {
    std::lock_guard lock(info_mutex_);
    fn(info_);
  }

  int64_t created_ms = 0;
  std::atomic<int64_t> last_interaction_ms{0};
  std::atomic<uint64_t> query_buffer_bytes{0};
  std::atomic<uint64_t> output_buffer_bytes{0};

 private:
  uint64_t id_;
  mutable std::mutex info_mutex_;
  Info info_;
};

// A connected client as other threads see it: its state, and a way to ask its own thread to close
// it.
class ClientHandle {
 public:
  virtual ~ClientHandle() = default;
  virtual ClientState& state() = 0;
  // Closes the connection from its own thread (CLIENT KILL, timeout, shutdown).
  virtual void Kill() = 0;
  // Ends a blocked wait from any thread: the client's own thread sends `reply` and goes on with its
  // input (server/blocking.h).
  virtual void Resume(std::string reply) = 0;
};

}  // namespace respd::server
