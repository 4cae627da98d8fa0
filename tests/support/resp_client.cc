// A blocking-style RESP client over a non-blocking socket: every wait goes through poll() with a
// deadline, so a server that stalls or never answers fails a test instead of hanging it.
#include "tests/support/resp_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

namespace respd::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 64 * 1024;  // bytes per read()
constexpr int kSendTimeoutMs = 5000;

int RemainingMs(Clock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Parses the integer on a header line (`$12`, `*-1`); false if it is not a number.
bool HeaderNumber(std::string_view data, size_t pos, size_t eol, int64_t* out) {
  const char* first = data.data() + pos + 1;
  const char* last = data.data() + eol;
  auto [ptr, ec] = std::from_chars(first, last, *out);
  return ec == std::errc() && ptr == last;
}

// Length of the attribute frame (`|N` plus N key-value pairs) at `pos` alone, without the reply it
// annotates; 0 if incomplete.
size_t AttributeLength(std::string_view data, size_t pos) {
  size_t eol = data.find("\r\n", pos);
  int64_t count = 0;
  if (eol == std::string_view::npos || !HeaderNumber(data, pos, eol, &count)) return 0;
  size_t cur = eol + 2;
  for (int64_t i = 0; i < count * 2; ++i) {
    size_t n = RespFrameLength(data, cur);
    if (n == 0) return 0;
    cur += n;
  }
  return cur - pos;
}

}  // namespace

size_t RespFrameLength(std::string_view data, size_t pos) {
  if (pos >= data.size()) return 0;
  size_t eol = data.find("\r\n", pos);
  if (eol == std::string_view::npos) return 0;
  size_t line_len = eol + 2 - pos;
  int64_t number = 0;
  switch (data[pos]) {
    case '+':  // simple string
    case '-':  // error
    case ':':  // integer
    case '_':  // RESP3 null
    case ',':  // double
    case '#':  // boolean
    case '(':  // big number
      return line_len;
    case '$':                                                                     // bulk string
    case '!':                                                                     // bulk error
    case '=': {                                                                   // verbatim string
      if (!HeaderNumber(data, pos, eol, &number) || number < 0) return line_len;  // `$-1` null bulk
      size_t need = eol + 2 + static_cast<size_t>(number) + 2;
      return data.size() >= need ? need - pos : 0;
    }
    case '*':    // array
    case '~':    // set
    case '>':    // push
    case '%':    // map
    case '|': {  // attribute, followed by the reply it annotates
      if (!HeaderNumber(data, pos, eol, &number) || number < 0)
        return line_len;  // `*-1` null array
      int64_t elements = (data[pos] == '%' || data[pos] == '|') ? number * 2 : number;
      size_t cur = eol + 2;
      for (int64_t i = 0; i < elements; ++i) {
        size_t n = RespFrameLength(data, cur);
        if (n == 0) return 0;
        cur += n;
      }
      if (data[pos] == '|') {
        size_t n = RespFrameLength(data, cur);
        if (n == 0) return 0;
        cur += n;
      }
      return cur - pos;
    }
    default:
      // Not RESP: hand back the line as a "frame" so the test shows the garbage rather than timing
      // out.
      return line_len;
  }
}

std::string InfoField(const std::string& info, const std::string& field) {
  size_t at = info.find("\r\n" + field + ":");
  if (at == std::string::npos) return "";
  at += field.size() + 3;
  return info.substr(at, info.find("\r\n", at) - at);
}

std::string BulkPayload(std::string_view frame) {
  size_t start = frame.find("\r\n");
  return std::string(frame.substr(start + 2, frame.size() - start - 4));
}

std::vector<std::string> SplitTopLevelElements(std::string_view frame) {
  size_t pos = 0;
  if (!frame.empty() && frame[0] == '|') {
    pos = AttributeLength(frame, 0);
    if (pos == 0) return {std::string(frame)};
  }
  if (pos >= frame.size()) return {std::string(frame)};
  char type = frame[pos];
  size_t eol = frame.find("\r\n", pos);
  int64_t count = 0;
  bool aggregate = type == '*' || type == '~' || type == '>' || type == '%';
  if (!aggregate || eol == std::string_view::npos || !HeaderNumber(frame, pos, eol, &count) ||
      count < 0) {
    return {std::string(frame)};
  }
  int frames_per_element = type == '%' ? 2 : 1;
  std::vector<std::string> elements;
  size_t cur = eol + 2;
  for (int64_t i = 0; i < count; ++i) {
    size_t start = cur;
    for (int j = 0; j < frames_per_element; ++j) {
      size_t n = RespFrameLength(frame, cur);
      if (n == 0) return elements;  // truncated frame: return what is complete
      cur += n;
    }
    elements.emplace_back(frame.substr(start, cur - start));
  }
  return elements;
}

RespClient::RespClient(RespClient&& other) noexcept { *this = std::move(other); }

RespClient& RespClient::operator=(RespClient&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    eof_ = other.eof_;
    timeout_ms_ = other.timeout_ms_;
    buffer_ = std::move(other.buffer_);
    other.fd_ = -1;
    other.eof_ = false;
    other.buffer_.clear();
  }
  return *this;
}

RespClient::~RespClient() { Close(); }

bool RespClient::Connect(int port, int timeout_ms) {
  return Connect("127.0.0.1", port, timeout_ms);
}

bool RespClient::Connect(const std::string& address, int port, int timeout_ms,
                         const std::string& source) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) return false;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  if (!source.empty() && inet_pton(AF_INET, source.c_str(), &from.sin_addr) != 1) return false;
  if (!ConnectTo(AF_INET, reinterpret_cast<sockaddr*>(&addr), sizeof(addr), timeout_ms,
                 source.empty() ? nullptr : &from)) {
    return false;
  }
  // Tests send one small command and wait: Nagle would add delay for nothing.
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return true;
}

bool RespClient::ConnectUnix(const std::string& path, int timeout_ms) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return ConnectTo(AF_UNIX, reinterpret_cast<sockaddr*>(&addr), sizeof(addr), timeout_ms);
}

bool RespClient::ConnectTo(int family, const sockaddr* addr, socklen_t len, int timeout_ms,
                           const sockaddr_in* source) {
  Close();
  timeout_ms_ = timeout_ms;
  // Non-blocking for good: sends and reads all wait in poll() with a deadline.
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  if (source != nullptr &&
      bind(fd, reinterpret_cast<const sockaddr*>(source), sizeof(*source)) != 0) {
    close(fd);
    return false;
  }
  if (connect(fd, addr, len) != 0) {
    if (errno != EINPROGRESS) {
      close(fd);
      return false;
    }
    pollfd pfd{fd, POLLOUT, 0};
    int error = 0;
    socklen_t len = sizeof(error);
    if (poll(&pfd, 1, timeout_ms) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 ||
        error != 0) {
      close(fd);
      return false;
    }
  }
  fd_ = fd;
  return true;
}

void RespClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  eof_ = false;
  buffer_.clear();
}

void RespClient::Abort() {
  if (fd_ >= 0) {
    linger reset{.l_onoff = 1, .l_linger = 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  }
  Close();
}

void RespClient::ShutdownWrite() {
  if (fd_ >= 0) shutdown(fd_, SHUT_WR);
}

std::string RespClient::EncodeCommand(const std::vector<std::string>& args) const {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& arg : args) {
    out += "$" + std::to_string(arg.size()) + "\r\n";
    out += arg;
    out += "\r\n";
  }
  return out;
}

std::string RespClient::Command(const std::vector<std::string>& args) {
  if (!SendRaw(EncodeCommand(args))) return {};
  return ReadReply(timeout_ms_);
}

bool RespClient::SendRaw(std::string_view bytes) {
  if (fd_ < 0) return false;
  auto deadline = Clock::now() + std::chrono::milliseconds(kSendTimeoutMs);
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{fd_, POLLOUT, 0};
      int wait_ms = RemainingMs(deadline);
      if (wait_ms == 0 || poll(&pfd, 1, wait_ms) <= 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool RespClient::Fill(int timeout_ms) {
  if (fd_ < 0 || eof_) return false;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  char chunk[kReadChunk];
  while (true) {
    ssize_t n = read(fd_, chunk, sizeof(chunk));
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      eof_ = true;  // ECONNRESET and friends: the peer is gone just the same
      return false;
    }
    pollfd pfd{fd_, POLLIN, 0};
    int wait_ms = RemainingMs(deadline);
    if (wait_ms == 0) return false;
    int r = poll(&pfd, 1, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
  }
}

size_t RespClient::FrameLength(size_t pos) const { return RespFrameLength(buffer_, pos); }

std::string RespClient::ReadReply(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    size_t n = FrameLength(0);
    if (n > 0) {
      std::string frame = buffer_.substr(0, n);
      buffer_.erase(0, n);
      return frame;
    }
    int wait_ms = RemainingMs(deadline);
    if (wait_ms == 0 || !Fill(wait_ms)) {
      // Fill may have returned data and then stopped on EOF: try once more before giving up.
      n = FrameLength(0);
      if (n > 0) continue;
      return {};
    }
  }
}

bool RespClient::AttachAsReplica(const std::vector<std::string>& sync, std::string* payload,
                                 std::string* header, int timeout_ms) {
  if (!SendRaw(EncodeCommand(sync))) return false;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  // Reads one line, without its CRLF, once it is whole.
  auto read_line = [&](std::string* line) {
    while (true) {
      size_t end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        *line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return true;
      }
      int wait_ms = RemainingMs(deadline);
      if (wait_ms == 0 || !Fill(wait_ms)) return false;
    }
  };
  std::string line;
  do {
    if (!read_line(&line)) return false;
    line.erase(0, line.find_first_not_of('\n'));
  } while (line.empty());
  if (line.starts_with('+')) {
    if (header != nullptr) *header = line;
    if (!read_line(&line)) return false;
  }
  if (!line.starts_with('$')) return false;
  size_t length = std::stoul(line.substr(1));
  while (buffer_.size() < length) {
    int wait_ms = RemainingMs(deadline);
    if (wait_ms == 0 || !Fill(wait_ms)) return false;
  }
  *payload = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return true;
}

std::vector<std::string> RespClient::ReadStreamCommand(int timeout_ms) {
  std::string frame = ReadReply(timeout_ms);
  std::vector<std::string> argv;
  if (!frame.starts_with('*')) return argv;
  for (const std::string& element : SplitTopLevelElements(frame)) {
    argv.push_back(BulkPayload(element));
  }
  return argv;
}

std::string RespClient::ReadUntilClosed(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!eof_ && fd_ >= 0) {
    int wait_ms = RemainingMs(deadline);
    if (wait_ms == 0) break;
    Fill(wait_ms);
  }
  std::string out;
  out.swap(buffer_);
  return out;
}

bool RespClient::PeerClosed(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!eof_ && fd_ >= 0) {
    int wait_ms = RemainingMs(deadline);
    if (wait_ms == 0) break;
    Fill(wait_ms);  // keeps any data in buffer_ for later reads
  }
  return eof_;
}

std::string RespClient::ReadAvailable(int idle_ms, int max_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(max_ms);
  while (true) {
    int wait_ms = std::min(idle_ms, RemainingMs(deadline));
    if (wait_ms == 0 || !Fill(wait_ms)) break;
  }
  std::string out;
  out.swap(buffer_);
  return out;
}

}  // namespace respd::testing
