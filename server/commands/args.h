// Argument parsing for command handlers: ArgParser, a cursor over a command's arguments that reads
// keywords and typed values with Redis's exact error texts and keeps the first failure, so a
// handler reads what it needs and checks once; and what several commands parse alike (SCAN cursors
// and options, blocking timeouts, the keys of "numkeys key [key ...]" commands). Knows the command
// context and error texts only; writes a reply only in ArgParser::Check and Finalize.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/dispatch/command.h"
#include "server/dispatch/errors.h"

namespace respd::server {

// Whether `arg` is `keyword` as Redis's strcasecmp(arg, keyword) sees it: case-insensitive, with
// the argument read as a C string (a NUL byte ends it). Redis matches options, modes and
// subcommand names this way.
bool IsKeyword(std::string_view arg, std::string_view keyword);

// A cursor over a command's arguments with one sticky error. The first failure (a missing
// argument, a malformed number, a value out of range, or one the handler reports with Fail) is
// kept; every later read is a no-op returning an empty or zero value, and HasNext() turns false,
// so an option loop ends. The handler then checks once:
//
//   // ZRANDMEMBER key [count [WITHSCORES]]
//   ArgParser parser(ctx.args, 2);
//   int64_t count = parser.NextInt64();
//   bool with_scores = parser.Accept("WITHSCORES");
//   if (!parser.Finalize(ctx)) return;  // the first error, or a syntax error for leftovers
//
// Keywords match as IsKeyword. A missing argument is "ERR syntax error"; each typed read fails with
// the text of the Redis function named in its comment.
class ArgParser {
 public:
  // Reads `args` from position `first` (1: the argument after the command name).
  explicit ArgParser(Args args, size_t first = 1)
      : args_(args), next_(first < args.size() ? first : args.size()) {}

  // An argument is left and nothing failed: the condition of an option loop.
  bool HasNext() const { return !failed_ && next_ < args_.size(); }
  // How many arguments are left to read: none after a failure.
  size_t Remaining() const { return failed_ ? 0 : args_.size() - next_; }
  // The position in args of the next argument.
  size_t position() const { return next_; }

  // The next argument without reading it; empty at the end or after a failure.
  std::string_view Peek() const { return HasNext() ? args_[next_] : std::string_view(); }
  // The next argument.
  std::string_view Next();
  // The next `n` arguments.
  Args NextSpan(size_t n);
  // Every argument left, possibly none.
  Args Rest();

  // Whether the next argument is `keyword`, without reading it.
  bool Is(std::string_view keyword) const { return HasNext() && IsKeyword(args_[next_], keyword); }
  // Reads the next argument if it is `keyword` with at least `values` arguments after it (Redis's
  // `!strcasecmp(arg, "limit") && leftargs >= 2`); otherwise reads nothing and returns false.
  bool Accept(std::string_view keyword, size_t values = 0);
  // The value paired with the keyword the next argument is; `error` if it is none of them.
  template <typename T>
  T NextOneOf(std::initializer_list<std::pair<std::string_view, T>> choices,
              std::string_view error = kErrSyntax);

  // Redis's getLongLongFromObjectOrReply: a 64-bit integer in string2ll's strict form. `error`
  // replaces Redis's default text.
  int64_t NextInt64(std::string_view error = kErrNotInteger);
  // Redis's getRangeLongFromObjectOrReply: an integer in [min, max]. Without `error`, Redis's
  // texts ("ERR value is out of range, value must between MIN and MAX" past the range); with it,
  // that one text for a non-integer and an integer out of range alike.
  int64_t NextInt64InRange(int64_t min, int64_t max, std::string_view error = {});
  // Redis's getIntFromObjectOrReply: an integer in a C int's range.
  int NextCInt() { return static_cast<int>(NextInt64InRange(INT32_MIN, INT32_MAX)); }
  // Redis's getPositiveLongFromObjectOrReply: an integer >= 0, "ERR value is out of range, must
  // be positive" for anything else.
  int64_t NextNonNegative() { return NextInt64InRange(0, INT64_MAX, kErrMustBePositive); }
  // Redis's getDoubleFromObjectOrReply (string2d: no leading space, no NaN, "inf" allowed).
  double NextDouble(std::string_view error = kErrNotFloat);
  // Redis's getLongDoubleFromObjectOrReply (string2ld).
  long double NextLongDouble(std::string_view error = kErrNotFloat);
  // Redis's getTimeoutFromObjectOrReply for blocking commands: seconds as a long double, in
  // milliseconds rounded up (0: no timeout).
  int64_t NextBlockTimeout();
  // Redis's parseScanCursorOrReply: strtoul's rules ("-1" wraps, "" is 0), no leading space.
  uint64_t NextScanCursor();

  // Keeps `error` (the text after '-') unless an earlier failure was kept.
  void Fail(std::string_view error);
  void FailUnless(bool condition, std::string_view error) {
    if (!condition) Fail(error);
  }
  bool failed() const { return failed_; }
  // The kept error's text; empty while nothing failed.
  std::string_view error() const { return error_; }

  // True while nothing failed; otherwise writes the kept error and returns false. For a handler
  // that must look at what it read before reading on (HSCAN reads its options only for an
  // existing key).
  bool Check(CommandContext& ctx);
  // Check, after failing with a syntax error if an argument was left unread.
  bool Finalize(CommandContext& ctx);

 private:
  // The next argument for a typed read, or nullptr (failing with a syntax error at the end).
  const std::string_view* Take();

  Args args_;
  size_t next_;
  bool failed_ = false;
  std::string error_;
};

template <typename T>
T ArgParser::NextOneOf(std::initializer_list<std::pair<std::string_view, T>> choices,
                       std::string_view error) {
  const std::string_view* arg = Take();
  if (arg == nullptr) return T{};
  for (const auto& [keyword, value] : choices) {
    if (IsKeyword(*arg, keyword)) return value;
  }
  Fail(error);
  return T{};
}

// SCAN, SSCAN, HSCAN and ZSCAN's [MATCH pattern] [COUNT count] (and SCAN's [TYPE type]).
struct ScanOptions {
  uint64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  std::optional<std::string_view> type;  // SCAN's TYPE filter, up to a NUL byte

  bool Matches(std::string_view member) const;
};

// Reads scan options up to the last argument, as Redis's scanGenericCommand.
ScanOptions ReadScanOptions(ArgParser& parser, bool allow_type = false);

// Key positions of commands whose args[numkeys_pos] is numkeys followed by that many keys, after
// `prefix_keys` fixed key positions 1..prefix_keys (ZUNIONSTORE's destination). False when
// numkeys is malformed or too large.
bool NumKeysPositions(Args args, int numkeys_pos, int prefix_keys, std::vector<int>* positions);

}  // namespace respd::server
