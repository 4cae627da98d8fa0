// One client connection on one I/O thread for its whole life: reads into a reusable buffer, parses
// and runs every complete command in it, and sends all their replies with one write, at once. The
// byte stream (TCP, a unix-domain socket, TLS over TCP) is a seam: Connection is the one
// implementation of the protocol loop, and MakeConnection wraps an Asio socket or ssl stream behind
// the few virtual transport calls it makes, one per read or write batch.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol/reply_writer.h"
#include "protocol/resp_parser.h"
#include "server/dispatch/client.h"
#include "server/dispatch/server_context.h"
#include "server/net/block_timeouts.h"

namespace respd::server {

class Connection : public ClientHandle, public std::enable_shared_from_this<Connection> {
 public:
  ~Connection() override;

  void Start();
  ClientState& state() override { return client_; }
  void Resume(std::string reply, bool failed) override;
  void Deliver(std::string_view frame) override;
  void Unpause() override;
  // The connection's part of Redis's clientsCron, on its own thread: closes it if it has been idle
  // longer than `timeout_s` (0: never), and frees the buffers of a client idle for a while. Idle
  // time is Clock time: `now_ms` against the Clock time of the last interaction.
  void Cron(int64_t now_ms, int64_t timeout_s);
  // The Clock reached the deadline of the blocked wait (BlockTimeouts): answers the timeout.
  void OnBlockDeadline();

 protected:
  // `timeouts` is the deadline set of the I/O thread the connection lives on; `executor` the
  // socket's.
  Connection(boost::asio::any_io_executor executor, ServerContext& server, BlockTimeouts& timeouts);
  ServerContext& server() { return server_; }
  void CloseOnOwnThread() override;

  // The transport: each call starts one asynchronous operation that ends in the handler named.
  // Sets socket options and fills in the client's addresses (CLIENT LIST addr=, laddr=, fd=).
  virtual void OpenTransport(ClientState& client, ClientState::Info& info) = 0;
  // Whatever must happen before the first command (the TLS handshake), then OnHandshake.
  virtual void Handshake() { OnHandshake({}); }
  // Whether WaitReadable can wait without a buffer. A TLS stream cannot: decrypted bytes may
  // already wait inside it while the socket itself has nothing, so it always reads into one.
  virtual bool WaitsWithoutBuffer() const { return true; }
  // Waits until the stream is readable, then OnReadable.
  virtual void WaitReadable() = 0;
  // Reads what is available now without blocking (would_block when nothing is).
  virtual size_t ReadNow(boost::asio::mutable_buffer buffer, boost::system::error_code& error) = 0;
  // Reads some bytes, then OnRead.
  virtual void ReadSome(boost::asio::mutable_buffer buffer) = 0;
  // Ends the ReadSome in flight: its OnRead comes with operation_aborted. Never called while a
  // write is in flight, which it would end too.
  virtual void CancelRead() = 0;
  // Writes what the stream takes now without blocking (would_block when it takes nothing). A TLS
  // stream takes nothing this way: its replies always go through WriteAll.
  virtual size_t WriteNow(boost::asio::const_buffer buffer, boost::system::error_code& error) = 0;
  // Writes all of `buffer`, then OnWritten.
  virtual void WriteAll(boost::asio::const_buffer buffer) = 0;
  virtual void CloseTransport() = 0;

  void OnHandshake(const boost::system::error_code& error);
  // A readiness wait ended (a client with no buffer, or blocked, or idle): reads into the buffer.
  void OnReadable(const boost::system::error_code& error);
  void OnRead(const boost::system::error_code& error, size_t bytes);
  // Flush, then read on once the replies are out.
  void FlushThenRead();
  void OnWritten(const boost::system::error_code& error, size_t bytes);

 private:
  void Read();
  // Room in the input buffer for the next read: allocated, the unparsed tail moved to the front,
  // grown for a large pending argument.
  void MakeReadRoom();
  // Parses and runs every complete command in the input buffer, at `now_ms` (Clock time) if the
  // caller just read the clock: one clock read per request less.
  void ProcessInput(std::optional<int64_t> now_ms = std::nullopt);
  // Sends the replies: directly while the stream takes them, the rest with WriteAll.
  void Flush();
  void Close();
  bool CloseIfIdle(int64_t now_ms, int64_t timeout_s);
  // Moves delivered messages behind the replies written so far, and disconnects a subscriber
  // past client-output-buffer-limit pubsub, as Redis's checkClientOutputBufferLimits does.
  void TakeMail();
  // TakeMail's move alone, for the command loop, which checks the limits after each command.
  void MoveMail();
  // Prefetches the keys of the commands at the front of the input, before they are parsed (a
  // single command's too: its slot's miss overlaps the parsing); `prefetched_to` is the input
  // offset the batch's hints have covered.
  void PrefetchAhead(size_t* prefetched_to);
  // Whether the unsent output passed the client's class of client-output-buffer-limit (pubsub
  // for a subscriber, normal for the others): the hard limit, or the soft one for longer than its
  // seconds. Then logs Redis's line and marks the client for closing.
  bool OverOutputLimit();
  void CheckOutputLimit();
  // Redis's client-query-buffer-limit: whether `pending` bytes of request (those Redis would hold
  // in its query buffer) passed it; then logs Redis's line, and the caller closes the client
  // without a reply.
  bool OverQueryLimit(size_t pending);
  // Redis's clientsCronResizeQueryBuffer and clientsCronResizeOutputBuffer for an idle client.
  void FreeIdleBuffers(int64_t now_ms);
  // Redis's clientsCronResizeOutputBuffer: the reply buffer follows the client's peak use.
  void ResizeReplyBuffer(int64_t now_ms);
  // Gives pending_ (empty) a capacity of at most the reply buffer's size.
  void TrimReplyBuffer();
  // CLIENT LIST's view of the buffers (ClientState's published fields).
  void PublishBuffers();
  // A blocking command parked the client: its deadline goes to the thread's BlockTimeouts.
  void WatchBlockDeadline();
  // Ends the wait once `reply` (the command's answer) is written; counts the command then, as
  // failed if `failed`.
  void EndBlock(std::string_view reply, bool failed);
  // Carries out the ReplyFate a fault set for the command whose reply starts at `mark`.
  void ApplyReplyFate(size_t mark);
  // A delayed reply's time has come: sends it and goes on with the input.
  void EndDelay();

  boost::asio::any_io_executor executor_;
  ServerContext& server_;
  ClientState client_;
  protocol::RespParser parser_;
  std::string input_;
  size_t input_start_ = 0;  // first unparsed byte
  size_t input_end_ = 0;    // end of received bytes
  std::string pending_;     // replies not yet handed to the socket
  std::string writing_;     // replies being written
  // Redis's reply buffer, as CLIENT LIST's rbs/rbp show it: the capacity pending_ keeps between
  // sends (the rest of a larger reply goes once it is sent, as Redis frees its reply list), and
  // the most of it replies used since the peak's last reset. Redis's cron resizes the buffer to
  // that peak; respd's does the same, so an idle client holds 1 KB and a busy one up to 16 KB.
  // Redis's PROTO_REPLY_CHUNK_BYTES: a new client's reply buffer, and the most the cron grows it
  // to.
  static constexpr size_t kReplyChunkBytes = 16 * 1024;
  size_t reply_buffer_size_ = kReplyChunkBytes;
  size_t reply_buffer_peak_ = kReplyChunkBytes;
  int64_t reply_peak_reset_ms_ = 0;
  protocol::ReplyWriter writer_;
  const Option& output_limit_option_;  // client-output-buffer-limit
  const Option& query_limit_option_;   // client-query-buffer-limit
  BlockTimeouts& timeouts_;
  // Messages delivered from any thread (Deliver), not yet behind pending_.
  std::mutex mail_mutex_;
  std::string mail_;
  // mail_ is not empty: lets the command loop look without the lock.
  std::atomic<bool> has_mail_{false};
  bool mail_closed_ = false;         // under mail_mutex_: Close() has run, drop deliveries
  int64_t soft_limit_since_ms_ = 0;  // when the output passed the soft limit, 0: under it
  boost::asio::steady_timer delay_timer_;
  std::string delayed_reply_;            // a reply held back by a latency fault
  std::vector<std::string> rerun_args_;  // a command to run again when the delay ends
  bool delaying_ = false;
  bool hung_ = false;  // a fault said never to answer again: input is read and dropped
  bool write_in_flight_ = false;
  bool read_in_flight_ = false;
  bool read_lends_buffer_ = false;  // the read in flight is a ReadSome into input_
  bool read_cancelled_ = false;     // FreeIdleBuffers cancelled that read to free input_
  bool closed_ = false;
  bool registered_ = false;
  bool processing_ = false;  // ProcessInput is on the stack
  size_t batch_commands_ = 0;  // commands the last ProcessInput ran
};

// A connection over a TCP or unix-domain socket accepted by the listener.
std::shared_ptr<Connection> MakeConnection(boost::asio::ip::tcp::socket socket,
                                           ServerContext& server, BlockTimeouts& timeouts);
std::shared_ptr<Connection> MakeConnection(boost::asio::local::stream_protocol::socket socket,
                                           ServerContext& server, BlockTimeouts& timeouts);
// A TLS connection over an accepted TCP socket: the handshake with `context`, the client's
// certificate checked as `verify_mode` says (tls-auth-clients), then the protocol as above.
std::shared_ptr<Connection> MakeTlsConnection(boost::asio::ip::tcp::socket socket,
                                              std::shared_ptr<boost::asio::ssl::context> context,
                                              int verify_mode, ServerContext& server,
                                              BlockTimeouts& timeouts);

}  // namespace respd::server
