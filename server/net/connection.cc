// Connection I/O: read, parse, dispatch, one write per batch.
#include "server/net/connection.h"

#include <openssl/err.h>
#include <spdlog/spdlog.h>

#include <array>
#include <span>
#include <type_traits>

#include "server/net/drained_read.h"

namespace respd::server {
namespace asio = boost::asio;
namespace {

constexpr size_t kInitialInputBuffer = 16 * 1024;
// Read at least this much free space per read call; the buffer grows for large commands.
constexpr size_t kMinReadSpace = 4 * 1024;
// Buffers that grew past this for one large command shrink back once it is done.
constexpr size_t kMaxIdleBuffer = 64 * 1024;

std::string Endpoint(const asio::ip::tcp::endpoint& endpoint) {
  std::string address = endpoint.address().to_string();
  if (endpoint.address().is_v6()) address = "[" + address + "]";
  return address + ":" + std::to_string(endpoint.port());
}

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

// TCP's part of OpenTransport, for plain and TLS clients alike.
void OpenTcp(asio::ip::tcp::socket& socket, ServerContext& server, ClientState& client,
             ClientState::Info& info) {
  boost::system::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  // OnReadable reads what a readiness wait announced and must not block.
  socket.non_blocking(true, ignored);
  if (server.config.Get("tcp-keepalive").number() > 0) {
    socket.set_option(asio::socket_base::keep_alive(true), ignored);
  }
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (!ec) {
    info.addr = Endpoint(remote);
    client.local = remote.address().is_loopback();
  }
  auto local = socket.local_endpoint(ec);
  if (!ec) info.laddr = Endpoint(local);
  info.fd = socket.native_handle();
}

// OpenSSL's text for a handshake failure ("error:0A00010B:SSL routines::wrong version number"),
// as Redis logs it; the system's for a socket error.
std::string HandshakeError(const boost::system::error_code& error) {
  if (error.category() != asio::error::get_ssl_category()) return error.message();
  char buffer[256];
  ERR_error_string_n(static_cast<unsigned long>(error.value()), buffer, sizeof(buffer));
  return buffer;
}

// The transport calls of Connection over one Asio stream type (a TCP or unix-domain socket, or a
// TLS stream over TCP); the protocol loop stays in Connection. Each handler holds the connection
// alive until it runs, as Connection's own did.
template <class Socket>
class SocketConnection final : public Connection {
  static constexpr bool kTls = std::is_same_v<Socket, TlsStream>;
  // Plain TCP reads with DrainedReader, whose rule that a short read emptied the socket is TCP's.
  static constexpr bool kTcp = std::is_same_v<Socket, asio::ip::tcp::socket>;

 public:
  SocketConnection(Socket socket, ServerContext& server, BlockTimeouts& timeouts) requires(!kTls)
      : Connection(socket.get_executor(), server, timeouts), socket_(std::move(socket)) {}

  SocketConnection(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> context,
                   int verify_mode, ServerContext& server, BlockTimeouts& timeouts) requires kTls
      : Connection(socket.get_executor(), server, timeouts),
        tls_context_(std::move(context)),
        socket_(std::move(socket), *tls_context_) {
    socket_.set_verify_mode(verify_mode);
  }

 private:
  void OpenTransport(ClientState& client, ClientState::Info& info) override;

  void Handshake() override {
    if constexpr (kTls) {
      socket_.async_handshake(
          asio::ssl::stream_base::server,
          [this, self = shared_from_this()](const boost::system::error_code& error) {
            if (error && error != asio::error::operation_aborted) {
              // Redis 7.0's line for a client whose handshake failed.
              spdlog::warn("Error accepting a client connection: {}", HandshakeError(error));
            }
            OnHandshake(error);
          });
    } else {
      OnHandshake({});
    }
  }

  bool WaitsWithoutBuffer() const override { return !kTls; }

  void WaitReadable() override {
    if constexpr (!kTls) {
      socket_.async_wait(asio::socket_base::wait_read,
                         [this, self = shared_from_this()](const boost::system::error_code& error) {
                           OnReadable(error);
                         });
    }
  }

  size_t ReadNow(asio::mutable_buffer buffer, boost::system::error_code& error) override {
    if constexpr (kTls) {
      // Never called: a TLS connection does not wait without a buffer (WaitsWithoutBuffer).
      error = asio::error::operation_not_supported;
      return 0;
    } else {
      return socket_.read_some(buffer, error);
    }
  }

  void ReadSome(asio::mutable_buffer buffer) override {
    auto on_read = [this, self = shared_from_this()](const boost::system::error_code& error,
                                                     size_t bytes) { OnRead(error, bytes); };
    if constexpr (kTcp) {
      reader_.Read(buffer, std::move(on_read));
    } else {
      socket_.async_read_some(buffer, std::move(on_read));
    }
  }

  size_t WriteNow(asio::const_buffer buffer, boost::system::error_code& error) override {
    if constexpr (kTls) {
      error = asio::error::would_block;
      return 0;
    } else {
      // The socket is non-blocking (OpenTransport): a full send buffer is would_block, not a wait.
      return socket_.write_some(buffer, error);
    }
  }

  void WriteAll(asio::const_buffer buffer) override {
    asio::async_write(socket_, buffer,
                      [this, self = shared_from_this()](const boost::system::error_code& error,
                                                        size_t bytes) { OnWritten(error, bytes); });
  }

  void CancelRead() override {
    boost::system::error_code ignored;
    socket_.lowest_layer().cancel(ignored);
  }

  void CloseTransport() override {
    // A TLS client is cut as Redis cuts it, without a close_notify: the socket goes.
    boost::system::error_code ignored;
    socket_.lowest_layer().shutdown(asio::socket_base::shutdown_both, ignored);
    socket_.lowest_layer().close(ignored);
  }

  // The TLS stream keeps a pointer to its context: the context lives as long as the connection,
  // whatever CONFIG SET does to the server's current one.
  std::shared_ptr<asio::ssl::context> tls_context_;
  Socket socket_;
  struct NoReader {
    explicit NoReader(Socket&) {}
  };
  std::conditional_t<kTcp, DrainedReader, NoReader> reader_{socket_};
};

template <>
void SocketConnection<asio::ip::tcp::socket>::OpenTransport(ClientState& client,
                                                            ClientState::Info& info) {
  OpenTcp(socket_, server(), client, info);
  reader_.Open();
}

template <>
void SocketConnection<TlsStream>::OpenTransport(ClientState& client, ClientState::Info& info) {
  OpenTcp(socket_.next_layer(), server(), client, info);
}

template <>
void SocketConnection<asio::local::stream_protocol::socket>::OpenTransport(
    ClientState& client, ClientState::Info& info) {
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);
  // Redis names both ends of a unix-socket client by the server's socket path, port 0.
  std::string path = server().config.Get("unixsocket").text() + ":0";
  info.addr = path;
  info.laddr = path;
  info.fd = socket_.native_handle();
  client.local = true;
  client.unix_socket = true;
}

}  // namespace

std::shared_ptr<Connection> MakeConnection(asio::ip::tcp::socket socket, ServerContext& server,
                                           BlockTimeouts& timeouts) {
  return std::make_shared<SocketConnection<asio::ip::tcp::socket>>(std::move(socket), server,
                                                                   timeouts);
}

std::shared_ptr<Connection> MakeConnection(asio::local::stream_protocol::socket socket,
                                           ServerContext& server, BlockTimeouts& timeouts) {
  return std::make_shared<SocketConnection<asio::local::stream_protocol::socket>>(std::move(socket),
                                                                                  server, timeouts);
}

std::shared_ptr<Connection> MakeTlsConnection(asio::ip::tcp::socket socket,
                                              std::shared_ptr<asio::ssl::context> context,
                                              int verify_mode, ServerContext& server,
                                              BlockTimeouts& timeouts) {
  return std::make_shared<SocketConnection<TlsStream>>(std::move(socket), std::move(context),
                                                       verify_mode, server, timeouts);
}

Connection::Connection(asio::any_io_executor executor, ServerContext& server,
                       BlockTimeouts& timeouts)
    : executor_(std::move(executor)),
      server_(server),
      client_(server.clients.NextId()),
      writer_(&pending_),
      output_limit_option_(server.config.Get("client-output-buffer-limit")),
      query_limit_option_(server.config.Get("client-query-buffer-limit")),
      timeouts_(timeouts),
      delay_timer_(executor_) {}

Connection::~Connection() {
  if (registered_) server_.clients.Remove(client_.id());
}

void Connection::Start() {
  int64_t now = server_.clock.NowMs();
  // As in Redis, a client that connects while no password is set stays authenticated even if one is
  // set later; one that connects with a password set must AUTH.
  client_.authenticated = !server_.acl.AuthRequired();
  client_.created_ms = now;
  client_.last_interaction_ms = now;
  client_.UpdateInfo([&](ClientState::Info& info) { OpenTransport(client_, info); });
  server_.clients.Add(shared_from_this());
  registered_ = true;
  input_.resize(kInitialInputBuffer);
  PublishBuffers();
  Handshake();
}

void Connection::OnHandshake(const boost::system::error_code& error) {
  if (closed_) return;
  if (error) {
    Close();
    return;
  }
  Read();
}

void Connection::Read() {
  if (closed_ || read_in_flight_ || processing_) return;
  if (input_start_ == input_end_) {
    input_start_ = input_end_ = 0;
    if (input_.size() > kMaxIdleBuffer) {
      input_.resize(kInitialInputBuffer);
      input_.shrink_to_fit();
    }
  }
  // A client with a buffer reads into it, which costs no syscall to arm, where a readiness wait
  // re-arms the socket in epoll each time. The wait serves a client whose idle buffer the cron
  // freed, as Redis frees its query buffer.
  if (WaitsWithoutBuffer() && input_.empty()) {
    read_in_flight_ = true;
    read_lends_buffer_ = false;
    WaitReadable();
    return;
  }
  MakeReadRoom();
  read_in_flight_ = true;
  read_lends_buffer_ = true;
  ReadSome(asio::buffer(input_.data() + input_end_, input_.size() - input_end_));
}

void Connection::MakeReadRoom() {
  if (input_.empty()) input_.resize(kInitialInputBuffer);
  if (input_.size() - input_end_ < kMinReadSpace) {
    // Move the unparsed tail to the front, and grow if the pending command needs more room.
    std::memmove(input_.data(), input_.data() + input_start_, input_end_ - input_start_);
    input_end_ -= input_start_;
    input_start_ = 0;
    size_t wanted = std::max(parser_.bytes_wanted(), input_end_ + kMinReadSpace);
    if (input_.size() < wanted) input_.resize(std::max(wanted, input_.size() * 2));
  }
}

void Connection::OnReadable(const boost::system::error_code& error) {
  read_in_flight_ = false;
  if (error || closed_) {
    Close();
    return;
  }
  MakeReadRoom();
  boost::system::error_code read_error;
  size_t bytes =
      ReadNow(asio::buffer(input_.data() + input_end_, input_.size() - input_end_), read_error);
  if (read_error == asio::error::would_block || read_error == asio::error::try_again) {
    Read();
    return;
  }
  OnRead(read_error, bytes);
}

void Connection::OnRead(const boost::system::error_code& error, size_t bytes) {
  read_in_flight_ = false;
  server_.stats.total_reads_processed.Add(1);
  if (read_cancelled_) {
    read_cancelled_ = false;
    // FreeIdleBuffers cancelled the read of an idle client, and no bytes came before the cancel:
    // the buffer goes, and the readiness wait takes over.
    if (error == asio::error::operation_aborted && !closed_) {
      std::string().swap(input_);
      input_start_ = input_end_ = 0;
      PublishBuffers();
      read_in_flight_ = true;
      read_lends_buffer_ = false;
      WaitReadable();
      return;
    }
  }
  if (error || closed_) {
    Close();
    return;
  }
  input_end_ += bytes;
  // A big argument still arriving is read in large chunks, as Redis reads one: its bytes count
  // against client-query-buffer-limit as they come (the rest is checked after parsing, since a
  // large read may also bring many small arguments, which Redis would have parsed 16 KB at a time).
  size_t unparsed = input_end_ - input_start_;
  if (parser_.bytes_wanted() > 0 &&
      OverQueryLimit(std::min(unparsed, parser_.bytes_wanted()) - parser_.pending_args_bytes())) {
    Close();
    return;
  }
  PublishBuffers();
  server_.stats.total_net_input_bytes.fetch_add(bytes, std::memory_order_relaxed);
  int64_t now_ms = server_.clock.NowMs();
  client_.last_interaction_ms.store(now_ms, std::memory_order_relaxed);
  // Our command is on the stack below a busy script's hook: its ProcessInput loop takes these
  // bytes once the script is done, as Redis leaves a script's own client unread until then.
  if (processing_) return;
  ProcessInput(now_ms);
  if (closed_) return;
  // One command's reply leaves now, in this handler: its client waits for it, and posting the
  // write for the end of the turn would cost a handler and an extra epoll_wait per request. A
  // pipelined batch's replies wait for the end of the turn, once every connection that became
  // readable in it has run its commands, as Redis writes before it sleeps: they leave in one
  // burst, so a client driving many connections wakes fewer times.
  if (batch_commands_ > 1) {
    asio::post(executor_, [self = shared_from_this()] { self->FlushThenRead(); });
    return;
  }
  FlushThenRead();
}

void Connection::FlushThenRead() {
  if (closed_) return;
  Flush();
  // Wait for the replies to go out before reading more: a client that pipelines without reading
  // cannot make the server buffer without bound.
  if (!write_in_flight_ && !client_.close_after_reply) Read();
}

void Connection::PrefetchAhead(size_t* prefetched_to) {
  if (!server_.dispatcher.Prefetches()) {
    *prefetched_to = input_end_;
    return;
  }
  std::array<std::string_view, storage::Database::kPrefetchBatch> keys;
  size_t scanned = 0;
  size_t found = protocol::PeekSecondArgs(
      std::string_view(input_.data() + input_start_, input_end_ - input_start_), keys, &scanned);
  // Past whatever stopped the lookahead too, so one odd command does not make every later one
  // scan again.
  *prefetched_to = scanned == 0 ? input_end_ : input_start_ + scanned;
  if (found > 0) server_.dispatcher.Prefetch(client_, std::span(keys.data(), found));
}

void Connection::ProcessInput(std::optional<int64_t> now_ms) {
  // Handlers of this connection fired from a busy script's hook (Server::ServeWhileBusy) while
  // one of our commands runs: parsing, reading or flushing now would move the input the running
  // command's arguments point into, or split a reply under construction. The ProcessInput below
  // on the stack and its caller's Flush and Read take over once the command returns.
  if (processing_) return;
  if (hung_) {
    input_start_ = input_end_;
    return;
  }
  processing_ = true;
  storage::ScopedCommandTime batch_time(now_ms ? *now_ms : server_.clock.NowMs());
  // Redis's query buffer holds the whole batch until it is done, so qbuf= of a client running a
  // command counts the batch's bytes.
  size_t batch_start = input_start_;
  batch_commands_ = 0;
  // CONFIG SET proto-max-bulk-len applies from the next batch on.
  protocol::ParserLimits limits{.max_bulk_len = server_.config.proto_max_bulk_len().number()};
  // The first command is parsed and looked up at once: a hint for its key would only move the
  // wait. The lookahead starts with the second, which a lone -P 1 request never has.
  size_t prefetched_to = input_start_ + 1;
  while (input_start_ < input_end_ && !client_.close_after_reply && !client_.blocked && !closed_ &&
         !delaying_ && !hung_ && !client_.postponed) {
    // Redis checks per command: an AUTH early in a pipeline lifts the limits for what follows.
    limits.unauthenticated = !client_.authenticated && server_.acl.AuthRequired();
    parser_.set_limits(limits);
    if (input_start_ >= prefetched_to) PrefetchAhead(&prefetched_to);
    std::string_view input(input_.data() + input_start_, input_end_ - input_start_);
    protocol::ParseStatus status = parser_.Parse(input);
    if (status == protocol::ParseStatus::kNeedMore) break;
    if (status == protocol::ParseStatus::kError) {
      writer_.Error(parser_.error());
      server_.command_stats.RecordError(parser_.error());
      client_.close_after_reply = true;
      input_start_ = input_end_;
      break;
    }
    size_t command_start = input_start_;
    input_start_ += parser_.consumed();
    if (status == protocol::ParseStatus::kEmpty) continue;
    client_.query_buffer_bytes.store(input_end_ - batch_start, std::memory_order_relaxed);
    // Messages other threads queued before this command runs precede its reply, as in Redis,
    // where a message published before a command was written before the command ran.
    if (has_mail_.load(std::memory_order_acquire)) [[unlikely]] {
      MoveMail();
    }
    PubSubRegistry::ScopedRunningClient running(client_.id(), writer_.buffer());
    size_t mark = pending_.size();
    server_.dispatcher.Dispatch(parser_.args(), client_, writer_);
    ++batch_commands_;
    if (client_.postponed) [[unlikely]] {
      // CLIENT PAUSE: the command stays in the buffer, parsed again once the pause ends.
      input_start_ = command_start;
      break;
    }
    if (client_.reply_skip) [[unlikely]] {
      pending_.resize(mark);
    } else if (client_.reply_off) [[unlikely]] {
      pending_.resize(std::max(mark, std::min(client_.reply_off_from, pending_.size())));
    }
    if (!client_.kept_pushes.empty()) [[unlikely]] {
      pending_.append(client_.kept_pushes);
      client_.kept_pushes.clear();
    }
    client_.reply_off_from = 0;
    client_.reply_skip = client_.reply_skip_next;
    client_.reply_skip_next = false;
    if (client_.reply_fate != ReplyFate::kSend) [[unlikely]] {
      if (client_.reply_fate == ReplyFate::kRerun) {
        rerun_args_.assign(parser_.args().begin(), parser_.args().end());
      }
      ApplyReplyFate(mark);
    }
    if (client_.blocked) WatchBlockDeadline();
    // Redis checks as each reply is added and stops serving a client marked to close.
    if (OverOutputLimit()) {
      processing_ = false;
      Close();
      return;
    }
  }
  processing_ = false;
  // After parsing, as Redis reads at most 16 KB before it parses: what is left is the request
  // still arriving, or commands waiting behind a blocked one.
  if (OverQueryLimit(input_end_ - input_start_ - parser_.pending_args_bytes())) {
    Close();
    return;
  }
  PublishBuffers();
}

void Connection::Flush() {
  if (write_in_flight_ || closed_ || processing_) return;
  TakeMail();
  if (closed_) return;
  if (pending_.empty()) {
    if (client_.close_after_reply) Close();
    return;
  }
  server_.stats.total_writes_processed.Add(1);
  reply_buffer_peak_ = std::max(reply_buffer_peak_, std::min(pending_.size(), reply_buffer_size_));
  // Most replies fit in the socket's send buffer: one send, no asynchronous operation, whose
  // completion handler would cost a turn of the event loop.
  boost::system::error_code error;
  size_t sent = WriteNow(asio::buffer(pending_), error);
  if (error && error != asio::error::would_block && error != asio::error::try_again) {
    Close();
    return;
  }
  server_.stats.total_net_output_bytes.fetch_add(sent, std::memory_order_relaxed);
  if (sent == pending_.size()) {
    pending_.clear();
    TrimReplyBuffer();
    PublishBuffers();
    if (client_.close_after_reply) Close();
    return;
  }
  // The socket is full: the rest waits for it to drain.
  writing_.swap(pending_);
  pending_.clear();
  write_in_flight_ = true;
  PublishBuffers();
  WriteAll(asio::buffer(writing_) + sent);
}

void Connection::OnWritten(const boost::system::error_code& error, size_t bytes) {
  write_in_flight_ = false;
  server_.stats.total_writes_processed.Add(1);
  if (error) {
    Close();
    return;
  }
  server_.stats.total_net_output_bytes.fetch_add(bytes, std::memory_order_relaxed);
  writing_.clear();
  if (writing_.capacity() > kMaxIdleBuffer) writing_.shrink_to_fit();
  PublishBuffers();
  if (processing_) return;
  // What came meanwhile (messages) goes next; with nothing left, a client marked to close goes.
  Flush();
  if (closed_ || write_in_flight_) return;
  if (input_start_ < input_end_ && !read_in_flight_) {
    ProcessInput();
    Flush();
    if (closed_ || write_in_flight_) return;
  }
  if (!client_.close_after_reply) Read();
}

void Connection::CloseOnOwnThread() {
  asio::post(executor_, [self = shared_from_this()] { self->Close(); });
}

void Connection::Deliver(std::string_view frame) {
  std::lock_guard lock(mail_mutex_);
  if (mail_closed_) return;
  bool was_empty = mail_.empty();
  mail_.append(frame);
  has_mail_.store(true, std::memory_order_release);
  // One wake-up per batch: the frames queued until the thread gets to it go out together.
  if (was_empty) {
    asio::post(executor_, [self = shared_from_this()] {
      // Our command is running (a busy script's hook serves this thread): its Flush takes it.
      if (self->closed_ || self->processing_) return;
      self->Flush();
      // A write in flight leaves the mail for OnWritten; still check how much is waiting.
      if (!self->closed_ && self->write_in_flight_) self->TakeMail();
    });
  }
}

void Connection::TakeMail() {
  if (!has_mail_.load(std::memory_order_acquire)) return;
  MoveMail();
  CheckOutputLimit();
  PublishBuffers();
}

void Connection::MoveMail() {
  std::lock_guard lock(mail_mutex_);
  has_mail_.store(false, std::memory_order_relaxed);
  // CLIENT REPLY OFF silences a monitor's lines, as Redis 7.0's addReply does; pub/sub messages
  // and invalidations are pushes, which it sends anyway.
  if (client_.reply_off && client_.monitoring) {
    mail_.clear();
    return;
  }
  if (pending_.empty()) {
    pending_.swap(mail_);
  } else {
    pending_.append(mail_);
  }
  mail_.clear();
}

void Connection::WatchBlockDeadline() {
  if (client_.block_deadline_ms == 0) return;
  timeouts_.Add(client_.block_deadline_ms, client_.id(), weak_from_this());
}

void Connection::Unpause() {
  asio::post(executor_, [self = shared_from_this()] {
    if (self->closed_ || !self->client_.postponed) return;
    self->client_.postponed = false;
    self->server_.pause.Resumed();
    self->ProcessInput();
    if (self->closed_) return;
    self->Flush();
    if (!self->write_in_flight_ && !self->client_.close_after_reply) self->Read();
  });
}

void Connection::OnBlockDeadline() {
  if (closed_ || !client_.blocked) return;
  // Nothing: already served or unblocked, and that outcome is on its way through Resume.
  std::optional<std::string> reply = server_.blocking.Cancel(client_.id(), false);
  if (!reply) return;
  EndBlock(*reply, /*failed=*/false);
}

void Connection::Resume(std::string reply, bool failed) {
  asio::post(executor_, [self = shared_from_this(), reply = std::move(reply), failed] {
    if (self->closed_ || !self->client_.blocked) return;
    self->EndBlock(reply, failed);
  });
}

void Connection::EndBlock(std::string_view reply, bool failed) {
  size_t mark = pending_.size();
  writer_.Raw(reply);
  // Redis counts a blocked command once, when it is answered (updateStatsOnUnblock).
  if (reply.starts_with('-')) {
    server_.command_stats.RecordError(reply.substr(1, reply.find("\r\n") - 1));
  }
  if (const CommandSpec* spec = client_.last_command.load(std::memory_order_relaxed)) {
    server_.command_stats.RecordCall(*spec, 0, failed);
  }
  client_.argv_bytes.store(0, std::memory_order_relaxed);
  client_.blocked = false;
  if (client_.block_deadline_ms != 0) timeouts_.Remove(client_.block_deadline_ms, client_.id());
  server_.journal.RecordUnblocked(client_.id(), reply);
  // A fault that matched the re-run which served us (on the writer's thread) acts now.
  if (client_.reply_fate != ReplyFate::kSend) ApplyReplyFate(mark);
  ProcessInput();
  if (closed_) return;
  Flush();
  if (!write_in_flight_ && !client_.close_after_reply) Read();
}

void Connection::ApplyReplyFate(size_t mark) {
  ReplyFate fate = client_.reply_fate;
  client_.reply_fate = ReplyFate::kSend;
  switch (fate) {
    case ReplyFate::kSend:
      return;
    case ReplyFate::kClose:
      pending_.resize(mark);
      client_.close_after_reply = true;
      return;
    case ReplyFate::kHang:
      pending_.resize(mark);
      hung_ = true;
      return;
    case ReplyFate::kDelay:
    case ReplyFate::kRerun:
      // A command that blocked has no reply yet: its wait is delay enough.
      if (client_.blocked) return;
      if (fate == ReplyFate::kDelay) delayed_reply_.assign(pending_, mark);
      pending_.resize(mark);
      delaying_ = true;
      delay_timer_.expires_after(std::chrono::milliseconds(client_.reply_delay_ms));
      delay_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
        if (!error) self->EndDelay();
      });
      return;
  }
}

void Connection::EndDelay() {
  if (closed_ || !delaying_) return;
  delaying_ = false;
  pending_.append(delayed_reply_);
  std::string().swap(delayed_reply_);
  if (!rerun_args_.empty()) {
    std::vector<std::string> args = std::move(rerun_args_);
    rerun_args_.clear();
    std::vector<std::string_view> views(args.begin(), args.end());
    size_t mark = pending_.size();
    {
      processing_ = true;
      storage::ScopedCommandTime time(server_.clock.NowMs());
      server_.dispatcher.Dispatch(views, client_, writer_);
      processing_ = false;
    }
    if (client_.reply_fate == ReplyFate::kRerun) rerun_args_ = std::move(args);
    ApplyReplyFate(mark);
    if (delaying_) return;
  }
  ProcessInput();
  if (closed_) return;
  Flush();
  if (!write_in_flight_ && !client_.close_after_reply) Read();
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  {
    std::lock_guard lock(mail_mutex_);
    mail_closed_ = true;
    has_mail_.store(false, std::memory_order_relaxed);
    std::string().swap(mail_);
  }
  if (client_.subscribed()) server_.pubsub.UnsubscribeAll(client_);
  if (client_.monitoring) server_.monitors.Remove(client_);
  server_.replicas.Detach(client_);
  delay_timer_.cancel();
  if (client_.postponed) {
    client_.postponed = false;
    server_.pause.Resumed();
  }
  if (client_.blocked) {
    server_.blocking.Cancel(client_.id(), true);
    server_.journal.DropBlocked(client_.id());
    if (client_.block_deadline_ms != 0) timeouts_.Remove(client_.block_deadline_ms, client_.id());
  }
  // Gone from CLIENT LIST before the peer can see the close, as in Redis, where both happen in
  // one step: a client that saw the close and asks about it finds the client gone.
  if (registered_) {
    server_.clients.Remove(client_.id());
    registered_ = false;
  }
  CloseTransport();
}

}  // namespace respd::server
