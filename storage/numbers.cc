// Number <-> text conversions reproducing Redis 7.0's util.c and addReplyDouble byte for byte, so
// stored values and replies are identical to Redis's. Depends on nothing else in respd.
#include "storage/numbers.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace respd::storage {
namespace {

// Redis's MAX_LONG_DOUBLE_CHARS: the longest text string2ld accepts is one byte shorter, and any
// "%.17Lf" of a finite long double (at most 4933 integer digits) fits in it.
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// Redis's LONG_STR_SIZE less its NUL: "-9223372036854775808" is the longest int64 text.
constexpr size_t kMaxInt64Chars = 20;

// Texts shorter than this are copied to the stack for strtod/strtold, so the common case does not
// allocate; longer ones (rare: real numbers are short) are copied to the heap.
constexpr size_t kStackCopyChars = 128;

// Redis tests isspace() in the "C" locale on the first byte; strtod would otherwise skip it.
bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Runs `parse` on a NUL-terminated copy of `s`, because strtod/strtold need one. The caller's
// check that the parse consumed exactly s.size() bytes also rejects embedded NULs, as Redis does.
template <typename Parse>
auto WithCString(std::string_view s, Parse parse) {
  if (s.size() < kStackCopyChars) {
    char buf[kStackCopyChars];
    std::memcpy(buf, s.data(), s.size());
    buf[s.size()] = '\0';
    return parse(static_cast<const char*>(buf));
  }
  std::string copy(s);
  return parse(copy.c_str());
}

// The rejections string2ld and string2d share once strtod/strtold has run: trailing bytes, overflow
// to infinity, underflow to zero (denormals are kept), and NaN. "inf" text is kept.
template <typename Float>
bool AcceptStrtoResult(const char* text, const char* end, size_t len, Float value, int err) {
  if (static_cast<size_t>(end - text) != len) return false;
  if (err == ERANGE && (std::isinf(value) || value == 0)) return false;
  if (err == EINVAL) return false;
  return !std::isnan(value);
}

}  // namespace

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty() || s.size() > kMaxInt64Chars) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;

  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative && ++i == s.size()) return std::nullopt;
  // No leading zeros, so that only the canonical text of a number parses ("-0" and "01" do not).
  if (s[i] < '1' || s[i] > '9') return std::nullopt;

  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (v > kMax / 10) return std::nullopt;
    v *= 10;
    if (v > kMax - digit) return std::nullopt;
    v += digit;
  }

  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (v > kMaxPositive + 1) return std::nullopt;
    // Negate in unsigned arithmetic so that INT64_MIN's magnitude does not overflow.
    return static_cast<int64_t>(~v + 1);
  }
  if (v > kMaxPositive) return std::nullopt;
  return static_cast<int64_t>(v);
}

size_t FormatInt64(int64_t v, char* buf) {
  const auto result = std::to_chars(buf, buf + kMaxInt64Chars, v);
  // NUL-terminated like Redis's ll2string, which is why the buffer needs 21 bytes.
  *result.ptr = '\0';
  return static_cast<size_t>(result.ptr - buf);
}

std::string FormatInt64(int64_t v) {
  char buf[kMaxInt64Chars + 1];
  return std::string(buf, FormatInt64(v, buf));
}

std::optional<long double> ParseLongDouble(std::string_view s) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars || IsCSpace(s[0])) return std::nullopt;
  return WithCString(s, [&](const char* text) -> std::optional<long double> {
    char* end = nullptr;
    errno = 0;
    const long double value = std::strtold(text, &end);
    const int err = errno;
    if (!AcceptStrtoResult(text, end, s.size(), value, err)) return std::nullopt;
    return value;
  });
}

std::optional<std::string> FormatLongDoubleHuman(long double v) {
  if (!std::isfinite(v)) return std::nullopt;
  // Fixed notation with 17 decimals, never an exponent: 1e308 becomes all 309 of its digits (the
  // exact binary value, so "99999999999999999996685...") and 1e-20 becomes "0".
  char buf[kMaxLongDoubleChars];
  int written = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (written < 0 || static_cast<size_t>(written) >= sizeof(buf)) return std::nullopt;
  size_t len = static_cast<size_t>(written);
  if (std::memchr(buf, '.', len) != nullptr) {
    while (buf[len - 1] == '0') --len;
    if (buf[len - 1] == '.') --len;
  }
  // Negative zero, and tiny negatives that round to it, are stored as "0".
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return std::string("0");
  return std::string(buf, len);
}

std::optional<double> ParseDouble(std::string_view s) {
  if (s.empty() || IsCSpace(s[0])) return std::nullopt;
  return WithCString(s, [&](const char* text) -> std::optional<double> {
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text, &end);
    const int err = errno;
    if (!AcceptStrtoResult(text, end, s.size(), value, err)) return std::nullopt;
    return value;
  });
}

std::string FormatDouble(double v) {
  // Spelled out because libc spellings of infinity vary; Redis does the same.
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // to_chars with a precision is specified as printf("%.17g") in the C locale, without the
  // format-string parsing. "%.17g" is what Redis 7.0 replies, hence 1.1 -> "1.1000000000000001".
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 17);
  return std::string(buf, result.ptr);
}

std::string FormatDoubleStored(double v) {
  // Redis's double2ll bound: past LLONG_MAX/2 the cast back could overflow.
  constexpr double kBound = static_cast<double>(INT64_MAX / 2);
  if (v != 0 && v >= -kBound && v <= kBound) {
    const auto integral = static_cast<int64_t>(v);
    if (static_cast<double>(integral) == v) return FormatInt64(integral);
  }
  return FormatDouble(v);
}

}  // namespace respd::storage
