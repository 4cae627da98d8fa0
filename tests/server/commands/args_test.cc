// ArgParser: keyword matching as Redis's strcasecmp, each typed read's exact error text at its
// boundaries, and the sticky error that a handler checks once.
#include "server/commands/args.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

using namespace std::string_literals;

constexpr std::string_view kCIntRange =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
constexpr std::string_view kNotFloat = "ERR value is not a valid float";

// The arguments a parser reads, kept alive for the test's length.
struct HeldArgs {
  std::vector<std::string> strings;
  std::vector<std::string_view> views;
};

// A parser over `args` from the first one; `held` keeps the arguments it points into.
ArgParser Over(std::vector<std::string> args, HeldArgs* held) {
  held->strings = std::move(args);
  held->views.assign(held->strings.begin(), held->strings.end());
  return ArgParser(held->views, 0);
}

// The error a read of `arg` with `read` records; empty when it succeeds.
template <typename Read>
std::string ErrorOf(std::string arg, Read read) {
  std::string_view view = arg;
  ArgParser parser(Args(&view, 1), 0);
  read(parser);
  return std::string(parser.error());
}

int64_t Int64Of(std::string arg) {
  std::string_view view = arg;
  ArgParser parser(Args(&view, 1), 0);
  int64_t value = parser.NextInt64();
  EXPECT_FALSE(parser.failed()) << arg;
  return value;
}

TEST(ArgsTest, KeywordsMatchAsRedisStrcasecmp) {
  EXPECT_TRUE(IsKeyword("nx", "NX"));
  EXPECT_TRUE(IsKeyword("Nx", "nx"));
  EXPECT_FALSE(IsKeyword("nxx", "nx"));
  EXPECT_FALSE(IsKeyword("n", "nx"));
  EXPECT_FALSE(IsKeyword("", "nx"));
  // A NUL byte ends the argument, as it ends a C string.
  EXPECT_TRUE(IsKeyword("nx\0garbage"s, "nx"));
  EXPECT_FALSE(IsKeyword("\0nx"s, "nx"));
}

TEST(ArgsTest, AcceptReadsOnlyAMatchingKeywordWithEnoughValuesAfterIt) {
  HeldArgs views;
  ArgParser parser = Over({"limit", "0", "10"}, &views);
  EXPECT_FALSE(parser.Accept("LIMIT", 3));
  EXPECT_FALSE(parser.Accept("COUNT"));
  EXPECT_TRUE(parser.Is("LIMIT"));
  EXPECT_EQ(parser.position(), 0u);
  EXPECT_TRUE(parser.Accept("LIMIT", 2));
  EXPECT_EQ(parser.position(), 1u);
  EXPECT_EQ(parser.NextInt64(), 0);
  EXPECT_EQ(parser.NextInt64(), 10);
  EXPECT_FALSE(parser.HasNext());
  EXPECT_FALSE(parser.Accept("LIMIT"));
  EXPECT_FALSE(parser.failed());
}

TEST(ArgsTest, NextOneOfMapsKeywordsToValues) {
  HeldArgs views;
  ArgParser parser = Over({"Right", "up"}, &views);
  EXPECT_EQ(parser.NextOneOf<int>({{"LEFT", 1}, {"RIGHT", 2}}), 2);
  EXPECT_EQ(parser.NextOneOf<int>({{"LEFT", 1}, {"RIGHT", 2}}, "ERR where to?"), 0);
  EXPECT_EQ(parser.error(), "ERR where to?");
}

TEST(ArgsTest, TheFirstFailureSticksAndLaterReadsAreNoOps) {
  HeldArgs views;
  ArgParser parser = Over({"1", "x", "2", "y", "WITHSCORES"}, &views);
  EXPECT_EQ(parser.NextInt64(), 1);
  EXPECT_EQ(parser.NextDouble(), 0);
  EXPECT_EQ(parser.error(), kNotFloat);
  // Nothing more is read, and nothing replaces the first error.
  EXPECT_FALSE(parser.HasNext());
  EXPECT_EQ(parser.Remaining(), 0u);
  EXPECT_EQ(parser.Peek(), "");
  EXPECT_EQ(parser.NextInt64(), 0);
  EXPECT_EQ(parser.Next(), "");
  EXPECT_FALSE(parser.Accept("WITHSCORES"));
  EXPECT_TRUE(parser.NextSpan(1).empty());
  parser.Fail("ERR later");
  parser.FailUnless(false, "ERR later still");
  EXPECT_EQ(parser.error(), kNotFloat);
  EXPECT_EQ(parser.position(), 2u);
}

TEST(ArgsTest, AMissingArgumentIsASyntaxError) {
  HeldArgs views;
  ArgParser parser = Over({"a"}, &views);
  EXPECT_EQ(parser.Next(), "a");
  EXPECT_EQ(parser.Next(), "");
  EXPECT_EQ(parser.error(), kErrSyntax);
  EXPECT_EQ(ErrorOf("", [](ArgParser& p) { p.NextSpan(2); }), kErrSyntax);
  ArgParser empty(Args(), 1);
  EXPECT_EQ(empty.NextInt64(), 0);
  EXPECT_EQ(empty.error(), kErrSyntax);
}

TEST(ArgsTest, NextSpanAndRest) {
  HeldArgs views;
  ArgParser parser = Over({"k1", "k2", "a1"}, &views);
  Args keys = parser.NextSpan(2);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[1], "k2");
  Args rest = parser.Rest();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0], "a1");
  EXPECT_TRUE(parser.Rest().empty());
  EXPECT_FALSE(parser.failed());
}

TEST(ArgsTest, Int64IsString2llStrictForm) {
  EXPECT_EQ(Int64Of("0"), 0);
  EXPECT_EQ(Int64Of("-1"), -1);
  EXPECT_EQ(Int64Of("2147483648"), 2147483648);
  EXPECT_EQ(Int64Of("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(Int64Of("-9223372036854775808"), INT64_MIN);
  auto next_int64 = [](ArgParser& p) { p.NextInt64(); };
  for (std::string bad : {"9223372036854775808"s, "-9223372036854775809"s, "+1"s, " 1"s, "1 "s,
                          "01"s, "-0"s, ""s, "1.0"s, "0x10"s, "1\0"s}) {
    EXPECT_EQ(ErrorOf(bad, next_int64), kErrNotInteger) << bad;
  }
  EXPECT_EQ(ErrorOf("x", [](ArgParser& p) { p.NextInt64("ERR Bad number of keys provided"); }),
            "ERR Bad number of keys provided");
}

TEST(ArgsTest, CIntHasItsOwnRangeError) {
  auto next_cint = [](ArgParser& p) { p.NextCInt(); };
  EXPECT_EQ(ErrorOf("2147483647", next_cint), "");
  EXPECT_EQ(ErrorOf("-2147483648", next_cint), "");
  EXPECT_EQ(ErrorOf("2147483648", next_cint), kCIntRange);
  EXPECT_EQ(ErrorOf("-2147483649", next_cint), kCIntRange);
  EXPECT_EQ(ErrorOf("9223372036854775808", next_cint), kErrNotInteger);
  EXPECT_EQ(ErrorOf("x", next_cint), kErrNotInteger);
  std::string_view text = "-2147483648";
  ArgParser parser(Args(&text, 1), 0);
  EXPECT_EQ(parser.NextCInt(), INT32_MIN);
}

TEST(ArgsTest, RangeReadsUseRedisTextsOrTheCommandsOwn) {
  auto one_to_ten = [](ArgParser& p) { p.NextInt64InRange(1, 10); };
  EXPECT_EQ(ErrorOf("1", one_to_ten), "");
  EXPECT_EQ(ErrorOf("10", one_to_ten), "");
  EXPECT_EQ(ErrorOf("0", one_to_ten), "ERR value is out of range, value must between 1 and 10");
  EXPECT_EQ(ErrorOf("11", one_to_ten), "ERR value is out of range, value must between 1 and 10");
  EXPECT_EQ(ErrorOf("x", one_to_ten), kErrNotInteger);
  // With the command's text, one message for both failures (getRangeLongFromObjectOrReply's msg).
  auto positive_count = [](ArgParser& p) {
    p.NextInt64InRange(1, INT64_MAX, "ERR count should be greater than 0");
  };
  EXPECT_EQ(ErrorOf("9223372036854775807", positive_count), "");
  EXPECT_EQ(ErrorOf("0", positive_count), "ERR count should be greater than 0");
  EXPECT_EQ(ErrorOf("-9223372036854775808", positive_count), "ERR count should be greater than 0");
  EXPECT_EQ(ErrorOf("x", positive_count), "ERR count should be greater than 0");
}

TEST(ArgsTest, NonNegativeIsGetPositiveLong) {
  auto non_negative = [](ArgParser& p) { p.NextNonNegative(); };
  EXPECT_EQ(ErrorOf("0", non_negative), "");
  EXPECT_EQ(ErrorOf("9223372036854775807", non_negative), "");
  EXPECT_EQ(ErrorOf("-1", non_negative), kErrMustBePositive);
  EXPECT_EQ(ErrorOf("-9223372036854775808", non_negative), kErrMustBePositive);
  EXPECT_EQ(ErrorOf("9223372036854775808", non_negative), kErrMustBePositive);
  EXPECT_EQ(ErrorOf("x", non_negative), kErrMustBePositive);
}

TEST(ArgsTest, Doubles) {
  auto next_double = [](ArgParser& p) { p.NextDouble(); };
  for (std::string good : {"1.5", "-0", "1e308", "inf", "-INF", "+inf", "2147483648"}) {
    EXPECT_EQ(ErrorOf(good, next_double), "") << good;
  }
  for (std::string bad : {"nan"s, "x"s, ""s, " 1"s, "1 "s, "1e400"s, "1\0"s}) {
    EXPECT_EQ(ErrorOf(bad, next_double), kNotFloat) << bad;
  }
  EXPECT_EQ(ErrorOf("x", [](ArgParser& p) { p.NextDouble("ERR need numeric radius"); }),
            "ERR need numeric radius");
  std::string_view text = "-2.5";
  ArgParser parser(Args(&text, 1), 0);
  EXPECT_EQ(parser.NextDouble(), -2.5);
  auto next_long_double = [](ArgParser& p) { p.NextLongDouble(); };
  EXPECT_EQ(ErrorOf("1e4000", next_long_double), "");
  EXPECT_EQ(ErrorOf("nan", next_long_double), kNotFloat);
}

TEST(ArgsTest, BlockTimeoutsRoundUpToMilliseconds) {
  auto timeout_of = [](std::string text) {
    std::string_view view = text;
    ArgParser parser(Args(&view, 1), 0);
    int64_t ms = parser.NextBlockTimeout();
    return parser.failed() ? std::string(parser.error()) : std::to_string(ms);
  };
  EXPECT_EQ(timeout_of("0"), "0");
  EXPECT_EQ(timeout_of("0.0001"), "1");
  EXPECT_EQ(timeout_of("1.5"), "1500");
  EXPECT_EQ(timeout_of("-0.0001"), "0");
  EXPECT_EQ(timeout_of("-1"), "ERR timeout is negative");
  EXPECT_EQ(timeout_of("inf"), "ERR timeout is negative");
  EXPECT_EQ(timeout_of("9223372036854776"), "ERR timeout is negative");
  EXPECT_EQ(timeout_of("x"), "ERR timeout is not a float or out of range");
}

TEST(ArgsTest, ScanCursorsFollowStrtoul) {
  auto cursor_of = [](std::string text) {
    std::string_view view = text;
    ArgParser parser(Args(&view, 1), 0);
    uint64_t cursor = parser.NextScanCursor();
    return parser.failed() ? std::string(parser.error()) : std::to_string(cursor);
  };
  EXPECT_EQ(cursor_of("0"), "0");
  EXPECT_EQ(cursor_of(""), "0");
  EXPECT_EQ(cursor_of("-1"), "18446744073709551615");
  EXPECT_EQ(cursor_of("18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(cursor_of("18446744073709551616"), kErrInvalidCursor);
  EXPECT_EQ(cursor_of(" 1"), kErrInvalidCursor);
  EXPECT_EQ(cursor_of("1x"), kErrInvalidCursor);
}

TEST(ArgsTest, ScanOptions) {
  HeldArgs views;
  ArgParser parser = Over({"match", "a*", "COUNT", "5", "type", "set"}, &views);
  ScanOptions options = ReadScanOptions(parser, /*allow_type=*/true);
  EXPECT_FALSE(parser.failed());
  EXPECT_EQ(options.count, 5u);
  EXPECT_TRUE(options.Matches("ab"));
  EXPECT_FALSE(options.Matches("ba"));
  EXPECT_EQ(options.type, "set");

  ArgParser no_type = Over({"type", "set"}, &views);
  ReadScanOptions(no_type);
  EXPECT_EQ(no_type.error(), kErrSyntax);
  ArgParser zero = Over({"count", "0"}, &views);
  ReadScanOptions(zero);
  EXPECT_EQ(zero.error(), kErrSyntax);
  ArgParser not_integer = Over({"count", "x", "bogus"}, &views);
  ReadScanOptions(not_integer);
  EXPECT_EQ(not_integer.error(), kErrNotInteger);
  ArgParser dangling = Over({"match"}, &views);
  ReadScanOptions(dangling);
  EXPECT_EQ(dangling.error(), kErrSyntax);
}

// Check and Finalize write the kept error through the command's reply.
class ArgsReplyTest : public CommandTest {
 protected:
  std::string Reply(const std::vector<std::string>& args, bool finalize, int reads) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    protocol::ReplyWriter writer(&out);
    ClientState client(1);
    static constexpr CommandSpec kSpec{.name = "test", .arity = -1, .flags = 0};
    CommandContext ctx{views, writer, client, *server_, kSpec};
    ArgParser parser(ctx.args);
    for (int i = 0; i < reads; ++i) parser.NextInt64();
    bool ok = finalize ? parser.Finalize(ctx) : parser.Check(ctx);
    EXPECT_EQ(ok, out.empty());
    return out;
  }
};

TEST_F(ArgsReplyTest, CheckAndFinalizeReplyTheFirstError) {
  EXPECT_EQ(Reply({"test", "1", "2"}, /*finalize=*/true, 2), "");
  EXPECT_EQ(Reply({"test", "1", "2"}, /*finalize=*/false, 1), "");
  EXPECT_EQ(Reply({"test", "1", "2"}, /*finalize=*/true, 1), "-ERR syntax error\r\n");
  EXPECT_EQ(Reply({"test", "x", "2"}, /*finalize=*/true, 1),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Reply({"test", "x", "2"}, /*finalize=*/false, 2),
            "-ERR value is not an integer or out of range\r\n");
}

}  // namespace
}  // namespace respd::server
