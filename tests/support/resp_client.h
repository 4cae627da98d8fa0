// A blocking RESP client for tests that keeps replies raw: Command() returns the exact bytes of one
// reply frame, so differential tests compare respd and redis-server byte for byte.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

namespace respd::testing {

class RespClient {
 public:
  RespClient() = default;
  RespClient(RespClient&& other) noexcept;
  RespClient& operator=(RespClient&& other) noexcept;
  ~RespClient();

  // Connects to 127.0.0.1:port; all reads have `timeout_ms` (a test never hangs).
  bool Connect(int port, int timeout_ms = 5000);
  // Connects to `address`:port (IPv4 text), from `source` (an IPv4 address of this machine, e.g.
  // 127.0.0.2 to look like a remote client to a server bound to 127.0.0.1) when given.
  bool Connect(const std::string& address, int port, int timeout_ms = 5000,
               const std::string& source = "");
  // Connects to the unix-domain socket at `path`.
  bool ConnectUnix(const std::string& path, int timeout_ms = 5000);
  bool connected() const { return fd_ >= 0; }
  void Close();
  // Closes with a reset (SO_LINGER 0), as a crashed or killed client's connection ends: unsent and
  // unread bytes are dropped.
  void Abort();
  // Ends the sending half (shutdown SHUT_WR): the server reads end of stream after what was sent,
  // and the connection stays open for its replies.
  void ShutdownWrite();

  // Sends one command as a multibulk and returns its reply frame, raw ("+OK\r\n",
  // "*2\r\n$1\r\na\r\n..."). Returns "" on timeout or closed connection.
  std::string Command(const std::vector<std::string>& args);
  // Sends bytes as they are (inline commands, pipelines, hostile input).
  bool SendRaw(std::string_view bytes);
  std::string EncodeCommand(const std::vector<std::string>& args) const;
  // Reads the next complete reply frame (RESP2 or RESP3, nested aggregates included); "" on
  // timeout.
  std::string ReadReply(int timeout_ms = 5000);
  // Sends `sync` (SYNC, or PSYNC with its arguments) and reads what a replica is sent before the
  // command stream: for PSYNC the +FULLRESYNC line (into `header`), then the RDB payload (into
  // `payload`), skipping the newlines a master sends while it prepares it. False on timeout.
  bool AttachAsReplica(const std::vector<std::string>& sync, std::string* payload,
                       std::string* header = nullptr, int timeout_ms = 5000);
  // The next command of a replication stream as its arguments; empty on timeout.
  std::vector<std::string> ReadStreamCommand(int timeout_ms = 5000);
  // Reads whatever arrives until the peer closes or `timeout_ms` passes.
  std::string ReadUntilClosed(int timeout_ms = 2000);
  // True once the server closed the connection (a read returned 0).
  bool PeerClosed(int timeout_ms = 2000);
  // Reads everything that arrives until the peer closes, nothing arrives for `idle_ms`, or `max_ms`
  // passes; for raw exchanges where the number of reply frames is unknown (zero, one, or a
  // pipeline).
  std::string ReadAvailable(int idle_ms = 200, int max_ms = 3000);
  // True once a read saw end of stream; the fd stays open until Close().
  bool eof() const { return eof_; }

 private:
  // Length of the complete frame at the front of buffer_, or 0 if incomplete.
  size_t FrameLength(size_t pos) const;
  bool Fill(int timeout_ms);
  bool ConnectTo(int family, const sockaddr* addr, socklen_t len, int timeout_ms,
                 const sockaddr_in* source = nullptr);

  int fd_ = -1;
  bool eof_ = false;
  int timeout_ms_ = 5000;  // Command()'s reply wait, set by Connect()
  std::string buffer_;
};

// Parses a raw reply frame into a readable form for assertion messages and for order-insensitive
// comparison: the elements of a top-level array/set/push as raw sub-frames; a map yields one
// element per key-value pair (key frame followed by value frame) so sorting keeps pairs together;
// any other frame yields itself. A leading attribute frame is skipped.
std::vector<std::string> SplitTopLevelElements(std::string_view frame);
// The value of `field` in an INFO reply (raw frame or payload), "" if absent.
std::string InfoField(const std::string& info, const std::string& field);
// The payload of a bulk string frame ("$3\r\nabc\r\n" -> "abc").
std::string BulkPayload(std::string_view frame);
// Length of the complete RESP2/RESP3 frame starting at `pos` in `data`, or 0 if it is incomplete.
size_t RespFrameLength(std::string_view data, size_t pos = 0);

}  // namespace respd::testing
