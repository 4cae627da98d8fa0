// Connection buffers and their bounds: client-output-buffer-limit and client-query-buffer-limit
// as Redis checks them, and the cron's look at each client (idle timeout, idle buffers given back,
// the reply buffer resized to its peak as Redis's clientsCron does).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "server/net/connection.h"

namespace respd::server {
namespace {

// A client silent for longer than this gives its buffers back (Redis: idle for more than 2 s,
// checked by the clients cron).
constexpr int64_t kFreeBuffersAfterIdleMs = 2000;
// Redis's PROTO_REPLY_MIN_BYTES: the cron shrinks no reply buffer below it.
constexpr size_t kReplyMinBytes = 1024;
// Redis's per-client reply buffer (PROTO_REPLY_CHUNK_BYTES): all the output a client that has not
// authenticated may have waiting.
constexpr size_t kUnauthenticatedOutputBytes = 16 * 1024;

// A class of client-output-buffer-limit (`parse` picks it), parsed again on each I/O thread when
// CONFIG SET changed the option or another class was asked for last (the pubsub class has its
// cache in the registry).
OutputBufferLimit ClassLimit(const Option& option, OutputBufferLimit (*parse)(std::string_view)) {
  thread_local const Option* cached_option = nullptr;
  thread_local uint64_t cached_version = 0;
  thread_local OutputBufferLimit (*cached_parse)(std::string_view) = nullptr;
  thread_local OutputBufferLimit cached;
  uint64_t version = option.version();
  if (cached_option != &option || cached_version != version || cached_parse != parse) {
    cached = parse(option.text());
    cached_option = &option;
    cached_version = version;
    cached_parse = parse;
  }
  return cached;
}

// Redis's sdscatrepr of the first `max` bytes: quoted, escapes for the unprintable.
std::string Repr(std::string_view bytes, size_t max) {
  std::string out = "\"";
  for (unsigned char c : bytes.substr(0, max)) {
    switch (c) {
      case '\\':
      case '"':
        out += '\\';
        out += static_cast<char>(c);
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (std::isprint(c)) {
          out += static_cast<char>(c);
        } else {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        }
    }
  }
  return out + "\"";
}

}  // namespace

bool Connection::OverOutputLimit() {
  // Redis 7.0.15 (as Debian ships it, with the fix for CVE-2025-21605) lets a client that must
  // still authenticate have no more waiting output than its 16 KB reply buffer, so wrong passwords
  // sent without reading the answers cannot grow the server.
  bool must_authenticate = !client_.authenticated && !server_.config.requirepass().text().empty();
  bool over_unauthenticated = must_authenticate && pending_.size() > kUnauthenticatedOutputBytes;
  OutputBufferLimit limit =
      client_.replica        ? ClassLimit(output_limit_option_, ReplicaOutputBufferLimit)
      : client_.subscribed() ? server_.pubsub.output_limit()
                             : ClassLimit(output_limit_option_, NormalOutputBufferLimit);
  if (limit.hard_bytes == 0 && limit.soft_bytes == 0 && !over_unauthenticated) return false;
  uint64_t used = pending_.size() + writing_.size();
  bool over_hard = limit.hard_bytes > 0 && used >= limit.hard_bytes;
  bool over_soft = false;
  if (limit.soft_bytes > 0 && used >= limit.soft_bytes) {
    int64_t now = server_.clock.NowMs();
    if (soft_limit_since_ms_ == 0) soft_limit_since_ms_ = now;
    over_soft = now - soft_limit_since_ms_ > limit.soft_seconds * 1000;
  } else {
    soft_limit_since_ms_ = 0;
  }
  if (!over_hard && !over_soft && !over_unauthenticated) return false;
  ClientState::Info info = client_.info();
  spdlog::warn(
      "Client id={} addr={} laddr={} name={} scheduled to be closed ASAP for overcoming "
      "of output buffer limits.",
      client_.id(), info.addr, info.laddr, info.name);
  return true;
}

void Connection::CheckOutputLimit() {
  if (OverOutputLimit()) Close();
}

bool Connection::OverQueryLimit(size_t pending) {
  if (pending <= query_limit_option_.unsigned_number()) return false;
  ClientState::Info info = client_.info();
  std::string_view start(input_.data() + input_start_, input_end_ - input_start_);
  start.remove_prefix(parser_.pending_args_bytes());
  // Redis keeps a big argument alone in its query buffer, without its $<length> line.
  if (parser_.pending_args_bytes() > 0 && start.starts_with('$')) {
    size_t line_end = start.find("\r\n");
    if (line_end != std::string_view::npos) start.remove_prefix(line_end + 2);
  }
  spdlog::warn(
      "Closing client that reached max query buffer length: id={} addr={} laddr={} "
      "name={} (qbuf initial bytes: {})",
      client_.id(), info.addr, info.laddr, info.name, Repr(start, 64));
  return true;
}
void Connection::Cron(int64_t now_ms, int64_t timeout_s) {
  if (CloseIfIdle(now_ms, timeout_s)) return;
  // A soft limit's time runs out with no write to notice it: the cron does, as Redis's
  // clientsCron checks the limits of every client it visits.
  if (!closed_ && !processing_ && OverOutputLimit()) {
    Close();
    return;
  }
  FreeIdleBuffers(now_ms);
  ResizeReplyBuffer(now_ms);
}

void Connection::FreeIdleBuffers(int64_t now_ms) {
  if (closed_ || processing_ || write_in_flight_) return;
  if (now_ms - client_.last_interaction_ms.load(std::memory_order_relaxed) <=
      kFreeBuffersAfterIdleMs) {
    return;
  }
  if (input_start_ != input_end_) return;
  if (read_in_flight_ && read_lends_buffer_ && WaitsWithoutBuffer()) {
    // The read holds the buffer: OnRead frees it once the cancelled read is over, unless bytes
    // came before the cancel.
    if (!read_cancelled_) {
      read_cancelled_ = true;
      CancelRead();
    }
    return;
  }
  // A stream that always reads into a buffer (TLS) keeps it while a read is in flight.
  if (!read_in_flight_ || !read_lends_buffer_) {
    std::string().swap(input_);
    input_start_ = input_end_ = 0;
  }
  if (pending_.empty()) std::string().swap(pending_);
  std::string().swap(writing_);
  PublishBuffers();
}

void Connection::ResizeReplyBuffer(int64_t now_ms) {
  if (closed_ || !server_.reply_buffer_resizing.load(std::memory_order_relaxed)) return;
  const size_t shrink_below = reply_buffer_size_ / 2;
  const size_t expanded = reply_buffer_size_ * 2;
  size_t new_size = 0;
  if (shrink_below >= kReplyMinBytes && reply_buffer_peak_ < shrink_below) {
    new_size = std::max(kReplyMinBytes, reply_buffer_peak_ + 1);
    server_.stats.reply_buffer_shrinks.fetch_add(1, std::memory_order_relaxed);
  } else if (expanded < kReplyChunkBytes * 2 && reply_buffer_peak_ == reply_buffer_size_) {
    new_size = std::min(kReplyChunkBytes, expanded);
    server_.stats.reply_buffer_expands.fetch_add(1, std::memory_order_relaxed);
  }
  // A new client's reset time is 0, so the first look resets its peak: Redis stamps it in
  // seconds and compares in milliseconds, and the suite's timings count on that.
  int64_t reset_every_ms = server_.reply_buffer_peak_reset_ms.load(std::memory_order_relaxed);
  if (reset_every_ms >= 0 && now_ms - reply_peak_reset_ms_ >= reset_every_ms) {
    reply_buffer_peak_ = std::min(pending_.size() + writing_.size(), reply_buffer_size_);
    reply_peak_reset_ms_ = now_ms;
  }
  if (new_size != 0) {
    reply_buffer_size_ = new_size;
    if (pending_.empty()) TrimReplyBuffer();
  }
  PublishBuffers();
}

void Connection::TrimReplyBuffer() {
  if (pending_.capacity() <= reply_buffer_size_) return;
  std::string trimmed;
  trimmed.reserve(reply_buffer_size_);
  pending_.swap(trimmed);
}

void Connection::PublishBuffers() {
  // Parsed bytes at the front are room the next reads reuse, as Redis's sdsrange gives them back
  // before CLIENT LIST can look.
  size_t unparsed = input_end_ - input_start_;
  client_.query_buffer_bytes.store(unparsed, std::memory_order_relaxed);
  client_.query_buffer_free.store(input_.size() - unparsed, std::memory_order_relaxed);
  client_.output_buffer_bytes.store(pending_.size() + writing_.size(), std::memory_order_relaxed);
  client_.reply_buffer_size.store(reply_buffer_size_, std::memory_order_relaxed);
  client_.reply_buffer_peak.store(reply_buffer_peak_, std::memory_order_relaxed);
  client_.buffers_allocated.store(
      sizeof(*this) + input_.capacity() + pending_.capacity() + writing_.capacity(),
      std::memory_order_relaxed);
}

bool Connection::CloseIfIdle(int64_t now_ms, int64_t timeout_s) {
  // Redis never times out a client blocked on keys or held by CLIENT PAUSE.
  if (timeout_s <= 0 || closed_ || client_.blocked || client_.postponed) return false;
  if (now_ms - client_.last_interaction_ms.load() <= timeout_s * 1000) return false;
  Close();
  return true;
}
}  // namespace respd::server
