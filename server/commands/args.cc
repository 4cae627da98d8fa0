// Argument parsing for command handlers (see args.h).
#include "server/commands/args.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "storage/glob.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

bool CharsEqualIgnoreCase(char x, char y) {
  return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
}

// Redis's parseScanCursorOrReply without the reply.
std::optional<uint64_t> ParseScanCursor(std::string_view text) {
  std::string copy(text);
  if (!copy.empty() && std::isspace(static_cast<unsigned char>(copy[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long cursor = std::strtoull(copy.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return cursor;
}

}  // namespace

bool IsKeyword(std::string_view arg, std::string_view keyword) {
  arg = AsCString(arg);
  return arg.size() == keyword.size() &&
         std::equal(arg.begin(), arg.end(), keyword.begin(), CharsEqualIgnoreCase);
}

std::string_view ArgParser::Next() {
  const std::string_view* arg = Take();
  return arg == nullptr ? std::string_view() : *arg;
}

Args ArgParser::NextSpan(size_t n) {
  if (failed_) return {};
  if (n > Remaining()) {
    Fail(kErrSyntax);
    return {};
  }
  Args span = args_.subspan(next_, n);
  next_ += n;
  return span;
}

Args ArgParser::Rest() { return NextSpan(Remaining()); }

bool ArgParser::Accept(std::string_view keyword, size_t values) {
  if (!HasNext() || Remaining() - 1 < values || !IsKeyword(args_[next_], keyword)) return false;
  ++next_;
  return true;
}

const std::string_view* ArgParser::Take() {
  if (failed_) return nullptr;
  if (next_ == args_.size()) {
    Fail(kErrSyntax);
    return nullptr;
  }
  return &args_[next_++];
}

int64_t ArgParser::NextInt64(std::string_view error) {
  const std::string_view* arg = Take();
  if (arg == nullptr) return 0;
  std::optional<int64_t> value = storage::ParseInt64(*arg);
  if (!value) {
    Fail(error);
    return 0;
  }
  return *value;
}

int64_t ArgParser::NextInt64InRange(int64_t min, int64_t max, std::string_view error) {
  int64_t value = NextInt64(error.empty() ? kErrNotInteger : error);
  if (failed_) return 0;
  if (value < min || value > max) {
    if (error.empty()) {
      Fail("ERR value is out of range, value must between " + storage::FormatInt64(min) + " and " +
           storage::FormatInt64(max));
    } else {
      Fail(error);
    }
    return 0;
  }
  return value;
}

double ArgParser::NextDouble(std::string_view error) {
  const std::string_view* arg = Take();
  if (arg == nullptr) return 0;
  std::optional<double> value = storage::ParseDouble(*arg);
  if (!value) {
    Fail(error);
    return 0;
  }
  return *value;
}

long double ArgParser::NextLongDouble(std::string_view error) {
  const std::string_view* arg = Take();
  if (arg == nullptr) return 0;
  std::optional<long double> value = storage::ParseLongDouble(*arg);
  if (!value) {
    Fail(error);
    return 0;
  }
  return *value;
}

int64_t ArgParser::NextBlockTimeout() {
  long double seconds = NextLongDouble("ERR timeout is not a float or out of range");
  if (failed_) return 0;
  // Redis 7.0 rounds up: a positive timeout, however small, waits at least 1 ms and never means
  // "forever"; a negative one above -1 ms rounds to 0, which does.
  long double ms = std::ceil(seconds * 1000.0L);
  // Past a long long's range (infinities included) the conversion gives LLONG_MIN on x86: Redis
  // then calls the timeout negative.
  constexpr long double kLimit = 9223372036854775808.0L;
  if (ms < 0 || ms >= kLimit) {
    Fail("ERR timeout is negative");
    return 0;
  }
  return static_cast<int64_t>(ms);
}

uint64_t ArgParser::NextScanCursor() {
  const std::string_view* arg = Take();
  if (arg == nullptr) return 0;
  std::optional<uint64_t> cursor = ParseScanCursor(*arg);
  if (!cursor) {
    Fail(kErrInvalidCursor);
    return 0;
  }
  return *cursor;
}

void ArgParser::Fail(std::string_view error) {
  if (failed_) return;
  failed_ = true;
  error_ = error;
}

bool ArgParser::Check(CommandContext& ctx) {
  if (!failed_) return true;
  ctx.reply.Error(error_);
  return false;
}

bool ArgParser::Finalize(CommandContext& ctx) {
  if (next_ < args_.size()) Fail(kErrSyntax);
  return Check(ctx);
}

bool ScanOptions::Matches(std::string_view member) const {
  return !use_pattern || storage::GlobMatch(pattern, member);
}

ScanOptions ReadScanOptions(ArgParser& parser, bool allow_type) {
  ScanOptions options;
  while (parser.HasNext()) {
    if (parser.Accept("COUNT", 1)) {
      int64_t count = parser.NextInt64();
      parser.FailUnless(count >= 1, kErrSyntax);
      options.count = static_cast<uint64_t>(count);
    } else if (parser.Accept("MATCH", 1)) {
      options.pattern = parser.Next();
      options.use_pattern = options.pattern != "*";
    } else if (allow_type && parser.Accept("TYPE", 1)) {
      // Compared with strcasecmp in Redis: a NUL byte ends it.
      options.type = AsCString(parser.Next());
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  return options;
}

bool NumKeysPositions(Args args, int numkeys_pos, int prefix_keys, std::vector<int>* positions) {
  positions->clear();
  for (int i = 1; i <= prefix_keys; ++i) positions->push_back(i);
  if (static_cast<size_t>(numkeys_pos) >= args.size()) return false;
  auto numkeys = storage::ParseInt64(args[numkeys_pos]);
  if (!numkeys || *numkeys < 1 || *numkeys > static_cast<int64_t>(args.size()) - numkeys_pos - 1) {
    return false;
  }
  for (int i = 0; i < *numkeys; ++i) positions->push_back(numkeys_pos + 1 + i);
  return true;
}

}  // namespace respd::server
