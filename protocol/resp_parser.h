// Incremental RESP request parser: multibulk (`*N\r\n$L\r\n...`) and inline (telnet, redis-cli
// style) commands, with Redis's limits and exact protocol error texts. A pure state machine over
// bytes: it knows nothing of sockets, commands or storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace respd::protocol {

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len, bytes
  size_t max_inline_len = 64 * 1024;           // PROTO_INLINE_MAX_SIZE, bytes
  // A client that still has to AUTH may send only small commands (Redis 7.0.15): at most
  // kUnauthenticatedMaxArgs arguments of at most kUnauthenticatedMaxBulk bytes each.
  bool unauthenticated = false;
};
inline constexpr int64_t kUnauthenticatedMaxArgs = 10;
inline constexpr int64_t kUnauthenticatedMaxBulk = 16384;

enum class ParseStatus {
  kCommand,  // one command parsed: args() holds it, consumed() bytes of input were used
  kEmpty,    // an empty command (blank inline line, `*0`, `*-1`): consumed() bytes skipped, no args
  kNeedMore,  // input holds no complete command yet; call again with the same bytes plus more
  kError,     // protocol error: error() is the full reply text; the connection must close after it
};

class RespParser {
 public:
  explicit RespParser(ParserLimits limits = {}) : limits_(limits) {}

  // Parses the command at the front of `input`. Views in args() point into `input` (multibulk) or
  // into the parser's own storage (inline commands, which may unescape); they stay valid until the
  // next Parse call. After kNeedMore the next call must pass the same bytes again, plus any more
  // that arrived (the buffer may have moved); the parser resumes where it stopped. Unrelated bytes
  // after kNeedMore give unspecified, but memory-safe, results.
  ParseStatus Parse(std::string_view input);

  const std::vector<std::string_view>& args() const { return args_; }
  size_t consumed() const { return consumed_; }
  // Redis's text without the leading '-', e.g. "ERR Protocol error: invalid bulk length".
  const std::string& error() const { return error_; }
  // A hint for buffer sizing after kNeedMore: total bytes the pending command needs, when known.
  size_t bytes_wanted() const { return bytes_wanted_; }
  // After kNeedMore: the bytes at the front of the input already read as whole arguments of the
  // pending command. Redis moves those out of its query buffer into argv, so
  // client-query-buffer-limit counts only the rest.
  size_t pending_args_bytes() const { return pending_ ? pending_pos_ : 0; }

  void set_limits(ParserLimits limits) { limits_ = limits; }

 private:
  ParseStatus ParseMultibulk(std::string_view input);
  ParseStatus ParseInline(std::string_view input);
  ParseStatus Fail(std::string message);
  // Redis's verdict on a header line whose '\r' it cannot see yet (absent, or hidden behind a NUL
  // byte by strchr): an error once more than max_inline_len bytes are pending, else wait.
  ParseStatus NoHeaderLineYet(size_t pending, const char* too_big_error);
  // Points the partial arguments at `base` after the connection moved its buffer.
  void Rebase(const char* base);

  ParserLimits limits_;
  std::vector<std::string_view> args_;
  std::vector<std::string> inline_storage_;
  size_t consumed_ = 0;
  size_t bytes_wanted_ = 0;
  std::string error_;

  // Where an incomplete multibulk command stopped, so the next call resumes instead of rescanning
  // every argument (a large MSET arriving in many reads would otherwise cost quadratic time).
  // Meaningful only while pending_ is true; args_ then holds the arguments read so far.
  bool pending_ = false;
  const char* pending_base_ = nullptr;  // input.data() of the call that stopped
  size_t pending_size_ = 0;             // input.size() of that call
  size_t pending_pos_ = 0;              // offset of the next bulk header
  int64_t pending_remaining_ = 0;       // bulks still to read
};

// Lookahead for prefetching: the second argument (most commands' first key) of each complete
// multibulk command of two or more arguments at the front of `input`, at most out.size() of them.
// Stops at the first thing it does not expect (an inline or one-argument command, one of more
// than 64 arguments, an incomplete one, an unusual header): a hint only, never validation, which
// stays the parser's. Returns how many it found; `scanned` is the number of bytes they span.
size_t PeekSecondArgs(std::string_view input, std::span<std::string_view> out, size_t* scanned);

// Splits a line the way Redis's sdssplitargs does: whitespace separates arguments; "double quotes"
// understand \n \r \t \b \a \\ \" and \xHH; 'single quotes' understand only \'; a closing quote
// must be followed by whitespace or the end. Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace respd::protocol
