// Incremental RESP request parser with Redis 7.0's exact rules and error texts (networking.c's
// processMultibulkBuffer / processInlineBuffer, sds.c's sdssplitargs). Standard library only.
#include "protocol/resp_parser.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace respd::protocol {
namespace {

constexpr char kErrTooBigMbulkCount[] = "ERR Protocol error: too big mbulk count string";
constexpr char kErrInvalidMbulkLen[] = "ERR Protocol error: invalid multibulk length";
constexpr char kErrTooBigBulkCount[] = "ERR Protocol error: too big bulk count string";
constexpr char kErrInvalidBulkLen[] = "ERR Protocol error: invalid bulk length";
constexpr char kErrTooBigInline[] = "ERR Protocol error: too big inline request";
constexpr char kErrUnbalancedQuotes[] = "ERR Protocol error: unbalanced quotes in request";

// Redis 7.0 accepts any multibulk count up to INT_MAX (the old 1024*1024 cap is gone) but reserves
// argv for at most 1024 arguments up front, so a hostile `*2147483647` costs nothing until the
// arguments themselves arrive. We do the same with args_.
constexpr int64_t kMaxMultibulkLen = INT_MAX;
constexpr int64_t kMaxArgsReservedUpFront = 1024;

// Redis's string2ll: optional '-', digits with no leading zero (except "0" itself), no '+', no
// spaces, no "-0", must fit in a signed 64-bit integer.
inline bool ParseRedisInt(const char* s, size_t len, int64_t* value) {
  if (len == 0 || len > 20) return false;
  if (len == 1 && s[0] == '0') {
    *value = 0;
    return true;
  }
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative && ++i == len) return false;
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = static_cast<uint64_t>(s[i] - '0');
  for (++i; i < len; ++i) {
    const unsigned digit = static_cast<unsigned char>(s[i]) - unsigned{'0'};
    if (digit > 9) return false;
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *value = static_cast<int64_t>(~v + 1);  // modular in C++20, so INT64_MIN comes out right
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *value = static_cast<int64_t>(v);
  }
  return true;
}

// The header every client sends, read in one pass: `kind` ('$' for a bulk, '*' for a multibulk
// count), a length of at most kPlainLengthDigits digits with no leading zero (or "0"), '\r', and
// the byte after it present. Returns the '\r' and sets `len`, or null when the header is anything
// else; the general path, which is Redis's, then reads it (or waits for it, or fails on it) byte
// for byte as before.
constexpr int kPlainLengthDigits = 9;
inline const char* PlainHeader(char kind, const char* p, const char* end, int64_t* len) {
  if (end - p < 4 || *p != kind) return nullptr;
  const char* digits = p + 1;
  const char* q = digits;
  const char* limit = std::min(end - 1, digits + kPlainLengthDigits);
  int64_t value = 0;
  for (; q < limit; ++q) {
    const unsigned digit = static_cast<unsigned char>(*q) - unsigned{'0'};
    if (digit > 9) break;
    value = value * 10 + digit;
  }
  if (q == digits || q == end - 1 || *q != '\r') return nullptr;
  if (*digits == '0' && q - digits > 1) return nullptr;
  *len = value;
  return q;
}

// Redis finds line ends with strchr on a NUL-terminated buffer, so a NUL byte before the
// terminator hides it: the request then waits (and eventually trips a "too big" limit) instead
// of failing on its content. Checked only on slow paths, since a line that parses has no NUL.
inline bool HasNul(const char* begin, const char* end) {
  return std::memchr(begin, '\0', static_cast<size_t>(end - begin)) != nullptr;
}

// C-locale isspace: what sdssplitargs uses to skip blanks and to end a closing quote.
inline bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

inline bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

}  // namespace

ParseStatus RespParser::Parse(std::string_view input) {
  consumed_ = 0;
  bytes_wanted_ = 0;
  if (input.empty()) {
    pending_ = false;
    args_.clear();
    return ParseStatus::kNeedMore;
  }
  if (input[0] == '*') return ParseMultibulk(input);
  pending_ = false;
  return ParseInline(input);
}

ParseStatus RespParser::Fail(std::string message) {
  pending_ = false;
  args_.clear();
  consumed_ = 0;
  bytes_wanted_ = 0;
  error_ = std::move(message);
  return ParseStatus::kError;
}

ParseStatus RespParser::NoHeaderLineYet(size_t pending, const char* too_big_error) {
  if (pending > limits_.max_inline_len) return Fail(too_big_error);
  return ParseStatus::kNeedMore;
}

void RespParser::Rebase(const char* base) {
  // Offsets are taken as integers: the old buffer may already be freed.
  const auto old_base = reinterpret_cast<uintptr_t>(pending_base_);
  for (std::string_view& arg : args_) {
    const size_t offset = reinterpret_cast<uintptr_t>(arg.data()) - old_base;
    arg = std::string_view(base + offset, arg.size());
  }
  pending_base_ = base;
}

ParseStatus RespParser::ParseMultibulk(std::string_view input) {
  const char* const base = input.data();
  const char* const end = base + input.size();
  const char* p;
  int64_t remaining;

  if (pending_ && input.size() >= pending_size_) {
    if (base != pending_base_) Rebase(base);
    p = base + pending_pos_;
    remaining = pending_remaining_;
  } else {
    pending_ = false;
    args_.clear();
    const char* cr = static_cast<const char*>(std::memchr(base, '\r', input.size()));
    if (cr == nullptr) return NoHeaderLineYet(input.size(), kErrTooBigMbulkCount);
    // Redis wants the byte after '\r' to be present, but never looks at it.
    if (cr + 1 == end) {
      if (HasNul(base, cr)) return NoHeaderLineYet(input.size(), kErrTooBigMbulkCount);
      return ParseStatus::kNeedMore;
    }
    int64_t count;
    if (!ParseRedisInt(base + 1, static_cast<size_t>(cr - base - 1), &count)) {
      if (HasNul(base, cr)) return NoHeaderLineYet(input.size(), kErrTooBigMbulkCount);
      return Fail(kErrInvalidMbulkLen);
    }
    if (count > kMaxMultibulkLen) return Fail(kErrInvalidMbulkLen);
    if (limits_.unauthenticated && count > kUnauthenticatedMaxArgs) {
      return Fail("ERR Protocol error: unauthenticated multibulk length");
    }
    p = cr + 2;
    if (count <= 0) {
      consumed_ = static_cast<size_t>(p - base);
      return ParseStatus::kEmpty;
    }
    const auto reserve = static_cast<size_t>(std::min(count, kMaxArgsReservedUpFront));
    // Redis frees a client's argv after each command: the room a command of many arguments took
    // is given back when a smaller one follows, or a connection would keep it for its lifetime
    // (1.6 MB after SADD of 100,000 members).
    if (args_.capacity() > static_cast<size_t>(kMaxArgsReservedUpFront) &&
        count <= kMaxArgsReservedUpFront) {
      std::vector<std::string_view>().swap(args_);
    }
    if (args_.capacity() < reserve) args_.reserve(reserve);
    remaining = count;
  }

  while (remaining > 0) {
    const auto pending = static_cast<size_t>(end - p);
    int64_t len;
    const char* cr = PlainHeader('$', p, end, &len);
    if (cr == nullptr) {
      cr = static_cast<const char*>(std::memchr(p, '\r', pending));
      if (cr == nullptr) {
        if (pending > limits_.max_inline_len) return Fail(kErrTooBigBulkCount);
        break;
      }
      if (cr + 1 == end) {
        if (HasNul(p, cr) && pending > limits_.max_inline_len) return Fail(kErrTooBigBulkCount);
        break;
      }
      if (*p != '$') {
        if (HasNul(p, cr)) {
          if (pending > limits_.max_inline_len) return Fail(kErrTooBigBulkCount);
          break;
        }
        // Redis's addReplyErrorFormat turns CR and LF into spaces to keep the reply one line.
        const char got = (*p == '\r' || *p == '\n') ? ' ' : *p;
        std::string message = "ERR Protocol error: expected '$', got ' '";
        message[message.size() - 2] = got;
        return Fail(std::move(message));
      }
      if (!ParseRedisInt(p + 1, static_cast<size_t>(cr - p - 1), &len)) {
        if (HasNul(p, cr)) {
          if (pending > limits_.max_inline_len) return Fail(kErrTooBigBulkCount);
          break;
        }
        return Fail(kErrInvalidBulkLen);
      }
    }
    if (len < 0 || len > limits_.max_bulk_len) return Fail(kErrInvalidBulkLen);
    if (limits_.unauthenticated && len > kUnauthenticatedMaxBulk) {
      return Fail("ERR Protocol error: unauthenticated bulk length");
    }
    const char* payload = cr + 2;
    // The two bytes after the payload are skipped unchecked, as Redis does.
    if (static_cast<uint64_t>(end - payload) < static_cast<uint64_t>(len) + 2) {
      bytes_wanted_ = static_cast<size_t>(payload - base) + static_cast<size_t>(len) + 2;
      break;
    }
    args_.emplace_back(payload, static_cast<size_t>(len));
    p = payload + len + 2;
    --remaining;
  }

  if (remaining > 0) {
    pending_ = true;
    pending_base_ = base;
    pending_size_ = input.size();
    pending_pos_ = static_cast<size_t>(p - base);
    pending_remaining_ = remaining;
    return ParseStatus::kNeedMore;
  }
  pending_ = false;
  consumed_ = static_cast<size_t>(p - base);
  return ParseStatus::kCommand;
}

ParseStatus RespParser::ParseInline(std::string_view input) {
  args_.clear();
  const char* const base = input.data();
  const char* newline = static_cast<const char*>(std::memchr(base, '\n', input.size()));
  if (newline != nullptr && HasNul(base, newline)) newline = nullptr;
  if (newline == nullptr) {
    if (input.size() > limits_.max_inline_len) return Fail(kErrTooBigInline);
    return ParseStatus::kNeedMore;
  }
  size_t line_len = static_cast<size_t>(newline - base);
  const size_t consumed = line_len + 1;
  if (line_len > 0 && base[line_len - 1] == '\r') --line_len;
  if (!SplitInlineArgs(std::string_view(base, line_len), &inline_storage_)) {
    return Fail(kErrUnbalancedQuotes);
  }
  for (const std::string& arg : inline_storage_) args_.emplace_back(arg);
  consumed_ = consumed;
  return args_.empty() ? ParseStatus::kEmpty : ParseStatus::kCommand;
}

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  // sdssplitargs reads a C string: a NUL byte ends the line.
  if (const size_t nul = line.find('\0'); nul != std::string_view::npos) {
    line.remove_suffix(line.size() - nul);
  }
  const size_t n = line.size();
  // The byte at k, or NUL past the end, so the loop reads like the C original it must match.
  const auto at = [&](size_t k) { return k < n ? line[k] : '\0'; };
  // A closing quote glued to more text ("a"b) is an error, not a concatenation.
  const auto closes_ok = [&](size_t k) { return at(k + 1) == '\0' || IsCSpace(at(k + 1)); };
  const auto unbalanced = [&] {
    out->clear();
    return false;
  };

  size_t i = 0;
  while (true) {
    while (i < n && IsCSpace(line[i])) ++i;
    if (i == n) return true;
    std::string& current = out->emplace_back();
    bool in_double = false;
    bool in_single = false;
    for (bool done = false; !done;) {
      const char c = at(i);
      if (in_double) {
        if (c == '\\' && at(i + 1) == 'x' && IsHexDigit(at(i + 2)) && IsHexDigit(at(i + 3))) {
          current.push_back(
              static_cast<char>(HexDigitValue(at(i + 2)) * 16 + HexDigitValue(at(i + 3))));
          i += 3;
        } else if (c == '\\' && at(i + 1) != '\0') {
          ++i;
          switch (line[i]) {
            case 'n':
              current.push_back('\n');
              break;
            case 'r':
              current.push_back('\r');
              break;
            case 't':
              current.push_back('\t');
              break;
            case 'b':
              current.push_back('\b');
              break;
            case 'a':
              current.push_back('\a');
              break;
            default:
              current.push_back(line[i]);
              break;
          }
        } else if (c == '"') {
          if (!closes_ok(i)) return unbalanced();
          done = true;
        } else if (c == '\0') {
          return unbalanced();
        } else {
          current.push_back(c);
        }
      } else if (in_single) {
        if (c == '\\' && at(i + 1) == '\'') {
          ++i;
          current.push_back('\'');
        } else if (c == '\'') {
          if (!closes_ok(i)) return unbalanced();
          done = true;
        } else if (c == '\0') {
          return unbalanced();
        } else {
          current.push_back(c);
        }
      } else {
        switch (c) {
          // Deliberately not IsCSpace: Redis keeps '\v' and '\f' inside an unquoted word.
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            current.push_back(c);
            break;
        }
      }
      if (i < n) ++i;
    }
  }
}

// A command still arriving is scanned again at every read: the bound keeps that linear where a
// huge MSET would make it quadratic.
constexpr int64_t kPeekMaxArgs = 64;

size_t PeekSecondArgs(std::string_view input, std::span<std::string_view> out,
                      size_t* scanned) {
  const char* const begin = input.data();
  const char* const end = begin + input.size();
  const char* p = begin;
  size_t found = 0;
  *scanned = 0;
  while (found < out.size()) {
    int64_t argc = 0;
    const char* cr = PlainHeader('*', p, end, &argc);
    if (cr == nullptr || argc < 2 || argc > kPeekMaxArgs || cr[1] != '\n') break;
    p = cr + 2;
    for (int64_t i = 0; i < argc; ++i) {
      int64_t len = 0;
      cr = PlainHeader('$', p, end, &len);
      if (cr == nullptr || cr[1] != '\n' || end - (cr + 2) < len + 2) return found;
      if (i == 1) out[found] = std::string_view(cr + 2, static_cast<size_t>(len));
      p = cr + 2 + len + 2;
    }
    ++found;
    *scanned = static_cast<size_t>(p - begin);
  }
  return found;
}

}  // namespace respd::protocol
