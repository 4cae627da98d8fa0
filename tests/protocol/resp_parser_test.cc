// Unit tests for RespParser and SplitInlineArgs: Redis 7.0's request grammar, limits and exact
// protocol error texts, input split at every byte, and a bounded fixed-seed fuzz loop.
#include "protocol/resp_parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace respd::protocol {
namespace {

using Args = std::vector<std::string>;
using namespace std::string_literals;

// One parser outcome with its arguments copied out, so outcomes can be compared after the input
// buffer changes.
struct Outcome {
  ParseStatus status;
  Args args;
  size_t consumed;
  std::string error;

  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "{status=" << static_cast<int>(o.status) << " consumed=" << o.consumed << " args=[";
  for (const auto& a : o.args) os << '"' << a << "\" ";
  return os << "] error=\"" << o.error << "\"}";
}

Outcome Snapshot(const RespParser& parser, ParseStatus status) {
  Outcome o{status, {}, parser.consumed(), {}};
  if (status == ParseStatus::kCommand) {
    for (std::string_view a : parser.args()) o.args.emplace_back(a);
  }
  if (status == ParseStatus::kError) o.error = parser.error();
  return o;
}

Outcome ParseOnce(std::string_view input, ParserLimits limits = {}) {
  RespParser parser(limits);
  return Snapshot(parser, parser.Parse(input));
}

// Parses everything in `buffer` like a connection would, stopping at kNeedMore or kError. The
// final kNeedMore is not recorded, so a clean buffer yields only commands and empties.
std::vector<Outcome> ParseAll(std::string_view buffer, ParserLimits limits = {}) {
  RespParser parser(limits);
  std::vector<Outcome> outcomes;
  size_t offset = 0;
  while (true) {
    const ParseStatus status = parser.Parse(buffer.substr(offset));
    if (status == ParseStatus::kNeedMore) break;
    outcomes.push_back(Snapshot(parser, status));
    if (status == ParseStatus::kError) break;
    offset += parser.consumed();
  }
  return outcomes;
}

// Feeds `stream` to one parser in chunks whose sizes come from `next_chunk`, the way a connection
// does: pending bytes are kept, more are appended, Parse is called again. When `move_buffer` is
// set, every call sees a fresh heap copy of the pending bytes (as after a buffer reallocation).
template <typename ChunkFn>
std::vector<Outcome> ParseStreamed(std::string_view stream, ChunkFn next_chunk, bool move_buffer,
                                   ParserLimits limits = {}) {
  RespParser parser(limits);
  std::vector<Outcome> outcomes;
  std::string pending;
  size_t fed = 0;
  while (fed < stream.size()) {
    const size_t n = std::min(next_chunk(), stream.size() - fed);
    pending.append(stream.substr(fed, n));
    fed += n;
    while (true) {
      std::string moved;
      std::string_view view = pending;
      if (move_buffer) {
        moved = pending;
        view = moved;
      }
      const ParseStatus status = parser.Parse(view);
      if (status == ParseStatus::kNeedMore) break;
      outcomes.push_back(Snapshot(parser, status));
      if (status == ParseStatus::kError) return outcomes;
      pending.erase(0, parser.consumed());
    }
  }
  return outcomes;
}

std::string Mbulk(const Args& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

Outcome Command(Args args, size_t consumed) {
  return {ParseStatus::kCommand, std::move(args), consumed, {}};
}
Outcome Empty(size_t consumed) { return {ParseStatus::kEmpty, {}, consumed, {}}; }
Outcome Error(std::string text) { return {ParseStatus::kError, {}, 0, std::move(text)}; }
Outcome NeedMore() { return {ParseStatus::kNeedMore, {}, 0, {}}; }

// A pipelined mix of every request shape the parser accepts.
std::string MixedPipeline() {
  return Mbulk({"SET", "key", "value"}) + "PING\r\n" + Mbulk({"GET", "key"}) + "\r\n" + "*0\r\n" +
         Mbulk({"SET", "bin", "a\r\nb\0c\r\n"s}) + "set \"q u\" 'x'\n" + "*-1\r\n" +
         Mbulk({"ECHO", ""}) + "   \r\n" + Mbulk({std::string(300, 'z')}) +
         "inline \"\\x41\\n\"\r\n";
}

// --- multibulk --------------------------------------------------------------------------------

TEST(RespParserTest, ParsesSetCommand) {
  const std::string in = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
  RespParser parser;
  ASSERT_EQ(parser.Parse(in), ParseStatus::kCommand);
  ASSERT_EQ(parser.args().size(), 3u);
  EXPECT_EQ(parser.args()[0], "SET");
  EXPECT_EQ(parser.args()[1], "key");
  EXPECT_EQ(parser.args()[2], "value");
  EXPECT_EQ(parser.consumed(), in.size());
  // Multibulk arguments are views into the input, not copies.
  EXPECT_EQ(parser.args()[0].data(), in.data() + 8);
}

TEST(RespParserTest, ParsesPipelinedCommandsOneAtATime) {
  const std::string in = Mbulk({"GET", "a"}) + Mbulk({"GET", "b"}) + Mbulk({"DEL", "a", "b"});
  EXPECT_EQ(ParseAll(in),
            (std::vector<Outcome>{Command({"GET", "a"}, 20), Command({"GET", "b"}, 20),
                                  Command({"DEL", "a", "b"}, 27)}));
}

TEST(RespParserTest, PayloadsAreBinarySafe) {
  const std::string payload = "\r\n\0*3\r\n$1\r\n\n\r\xff\x00"s;
  const std::string in = Mbulk({"SET", payload, ""s, "\0"s});
  const Outcome o = ParseOnce(in);
  EXPECT_EQ(o, Command({"SET", payload, "", "\0"s}, in.size()));
}

TEST(RespParserTest, EmptyAndNegativeCountsAreSkipped) {
  EXPECT_EQ(ParseOnce("*0\r\n"), Empty(4));
  EXPECT_EQ(ParseOnce("*-1\r\n"), Empty(5));
  EXPECT_EQ(ParseOnce("*-10\r\nPING\r\n"), Empty(6));
  EXPECT_EQ(ParseOnce("*-9223372036854775808\r\n"), Empty(23));
}

TEST(RespParserTest, CountLineWaitsForTheByteAfterCR) {
  EXPECT_EQ(ParseOnce("*"), NeedMore());
  EXPECT_EQ(ParseOnce("*1"), NeedMore());
  EXPECT_EQ(ParseOnce("*1\r"), NeedMore());
  EXPECT_EQ(ParseOnce("*1\r\n"), NeedMore());
  EXPECT_EQ(ParseOnce("*1\r\n$"), NeedMore());
  EXPECT_EQ(ParseOnce("*1\r\n$3\r"), NeedMore());
  EXPECT_EQ(ParseOnce("*1\r\n$3\r\nfoo\r"), NeedMore());
  EXPECT_EQ(ParseOnce("*1\r\n$3\r\nfoo\r\n"), Command({"foo"}, 13));
}

TEST(RespParserTest, BytesAfterCROrPayloadAreNotChecked) {
  // Redis skips two bytes after each '\r' and after each payload without looking at them.
  EXPECT_EQ(ParseOnce("*1\rX$3\rYfooZZ"), Command({"foo"}, 13));
  EXPECT_EQ(ParseOnce("*0\rX"), Empty(4));
}

TEST(RespParserTest, InvalidMultibulkLength) {
  const Outcome invalid = Error("ERR Protocol error: invalid multibulk length");
  for (const char* in :
       {"*\r\n", "*abc\r\n", "*+1\r\n", "*01\r\n", "*-0\r\n", "*1 \r\n", "* 1\r\n", "*-\r\n",
        "*1.0\r\n", "*3000000000\r\n", "*2147483648\r\n", "*9223372036854775808\r\n",
        "*-9223372036854775809\r\n", "*99999999999999999999\r\n", "*0x10\r\n"}) {
    EXPECT_EQ(ParseOnce(in), invalid) << in;
  }
}

TEST(RespParserTest, MultibulkCountUpToIntMaxIsAccepted) {
  // Redis 7.0 dropped the old 1024*1024 cap; a huge count just waits for its arguments.
  RespParser parser;
  EXPECT_EQ(parser.Parse("*2147483647\r\n$1\r\na\r\n"), ParseStatus::kNeedMore);
  EXPECT_LE(parser.args().capacity(), 1024u);
  EXPECT_EQ(ParseOnce("*1048577\r\n"), NeedMore());
}

TEST(RespParserTest, ExpectedDollar) {
  EXPECT_EQ(ParseOnce("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"),
            Error("ERR Protocol error: expected '$', got 'f'"));
  EXPECT_EQ(ParseOnce("*1\r\nfoo\r\n"), Error("ERR Protocol error: expected '$', got 'f'"));
  EXPECT_EQ(ParseOnce("*1\r\n*1\r\n"), Error("ERR Protocol error: expected '$', got '*'"));
  // The raw byte is reported as is...
  EXPECT_EQ(ParseOnce("*1\r\n\xff\r\n"), Error("ERR Protocol error: expected '$', got '\xff'"));
  // ...except CR and LF, which Redis's error formatting turns into spaces.
  EXPECT_EQ(ParseOnce("*1\r\n\r\n"), Error("ERR Protocol error: expected '$', got ' '"));
  EXPECT_EQ(ParseOnce("*1\r\n\n\r\n"), Error("ERR Protocol error: expected '$', got ' '"));
}

TEST(RespParserTest, InvalidBulkLength) {
  const Outcome invalid = Error("ERR Protocol error: invalid bulk length");
  for (const char* in : {"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n", "*1\r\n$-1\r\n", "*1\r\n$\r\n",
                         "*1\r\n$blabla\r\n", "*1\r\n$01\r\n", "*1\r\n$+1\r\n", "*1\r\n$1 \r\n",
                         "*1\r\n$-0\r\n", "*1\r\n$9223372036854775808\r\n", "*1\r\n$536870913\r\n",
                         "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n"}) {
    EXPECT_EQ(ParseOnce(in), invalid) << in;
  }
  // proto-max-bulk-len itself is allowed.
  EXPECT_EQ(ParseOnce("*1\r\n$536870912\r\n"), NeedMore());
}

TEST(RespParserTest, BulkLineWaitsForTheByteAfterCR) {
  // The one-pass header read and the general one agree at the edge of the input.
  EXPECT_EQ(ParseOnce("*1\r\n$1\r"), NeedMore());
  EXPECT_EQ(ParseOnce("*1\r\n$123456789\r"), NeedMore());
  EXPECT_EQ(ParseOnce("*1\r\n$1\r\nx\r\n"), Command({"x"}, 11));
  EXPECT_EQ(ParseOnce("*1\r\n$0\r\n\r\n"), Command({""}, 10));
}

TEST(RespParserTest, BytesWantedCoversTheWholePendingBulk) {
  RespParser parser;
  EXPECT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n$10\r\nabc"), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.bytes_wanted(), 13u + 5u + 10u + 2u);
  EXPECT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n$10\r\nabcdefghij\r"), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.bytes_wanted(), 30u);
  EXPECT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n$10\r\nabcdefghij\r\n"), ParseStatus::kCommand);
  EXPECT_EQ(parser.bytes_wanted(), 0u);
  // Unknown while a header is still incomplete.
  EXPECT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n$1"), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.bytes_wanted(), 0u);
}

TEST(RespParserTest, ResumesAfterTheBufferMoves) {
  const std::string whole = Mbulk({"MSET", "k1", "v1", "k2", "v2"});
  RespParser parser;
  std::string first = whole.substr(0, whole.size() - 5);
  ASSERT_EQ(parser.Parse(first), ParseStatus::kNeedMore);
  std::string second = whole;       // a different allocation holding the same prefix
  first.assign(first.size(), '#');  // the old bytes must no longer be used
  ASSERT_EQ(parser.Parse(second), ParseStatus::kCommand);
  EXPECT_EQ(Snapshot(parser, ParseStatus::kCommand),
            Command({"MSET", "k1", "v1", "k2", "v2"}, whole.size()));
  for (std::string_view a : parser.args()) {
    EXPECT_GE(a.data(), second.data());
    EXPECT_LE(a.data() + a.size(), second.data() + second.size());
  }
}

TEST(RespParserTest, ShorterInputAfterNeedMoreStartsOver) {
  RespParser parser;
  ASSERT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n$1\r"), ParseStatus::kNeedMore);
  ASSERT_EQ(parser.Parse("*1\r\n$4\r\nPING\r\n"), ParseStatus::kCommand);
  EXPECT_EQ(Snapshot(parser, ParseStatus::kCommand), Command({"PING"}, 14));
}

// Redis scans for line ends with strchr, so a NUL byte hides the terminator behind it.
TEST(RespParserTest, NulBeforeLineEndHidesIt) {
  EXPECT_EQ(ParseOnce("*1\0\r\n"s), NeedMore());
  EXPECT_EQ(ParseOnce("*1\r\n$1\0\r\nx\r\n"s), NeedMore());
  EXPECT_EQ(ParseOnce("*1\r\nx\0\r\n"s), NeedMore());
  EXPECT_EQ(ParseOnce("GET a\0b\r\n"s), NeedMore());
  const ParserLimits small{.max_bulk_len = 100, .max_inline_len = 8};
  EXPECT_EQ(ParseOnce("*1\0\r\n12345"s, small),
            Error("ERR Protocol error: too big mbulk count string"));
  EXPECT_EQ(ParseOnce("*1\r\n$1\0\r\n1234"s, small),
            Error("ERR Protocol error: too big bulk count string"));
  EXPECT_EQ(ParseOnce("GET a\0b\r\n1"s, small),
            Error("ERR Protocol error: too big inline request"));
  // NUL inside a payload is just data.
  EXPECT_EQ(ParseOnce("*1\r\n$3\r\n\0\0\0\r\n"s), Command({"\0\0\0"s}, 13));
}

// --- limits -----------------------------------------------------------------------------------

TEST(RespParserTest, TooBigMbulkCountString) {
  const ParserLimits small{.max_bulk_len = 100, .max_inline_len = 16};
  EXPECT_EQ(ParseOnce("*" + std::string(15, '1'), small), NeedMore());
  EXPECT_EQ(ParseOnce("*" + std::string(16, '1'), small),
            Error("ERR Protocol error: too big mbulk count string"));
  // Once the CR is there the line is judged on its value, whatever its length.
  EXPECT_EQ(ParseOnce("*" + std::string(30, '1') + "\r\n", small),
            Error("ERR Protocol error: invalid multibulk length"));
}

TEST(RespParserTest, TooBigBulkCountString) {
  const ParserLimits small{.max_bulk_len = 100, .max_inline_len = 16};
  const std::string head = "*2\r\n$1\r\na\r\n";
  EXPECT_EQ(ParseOnce(head + "$" + std::string(15, '1'), small), NeedMore());
  EXPECT_EQ(ParseOnce(head + "$" + std::string(16, '1'), small),
            Error("ERR Protocol error: too big bulk count string"));
  // The size limit is checked before the '$' prefix.
  EXPECT_EQ(ParseOnce(head + std::string(17, 'X'), small),
            Error("ERR Protocol error: too big bulk count string"));
  EXPECT_EQ(ParseOnce(head + "X\r\n", small), Error("ERR Protocol error: expected '$', got 'X'"));
}

TEST(RespParserTest, MaxBulkLen) {
  const ParserLimits small{.max_bulk_len = 10, .max_inline_len = 64};
  EXPECT_EQ(ParseOnce("*1\r\n$10\r\n0123456789\r\n", small), Command({"0123456789"}, 21));
  EXPECT_EQ(ParseOnce("*1\r\n$11\r\n", small), Error("ERR Protocol error: invalid bulk length"));
}

TEST(RespParserTest, TooBigInlineRequest) {
  const ParserLimits small{.max_bulk_len = 100, .max_inline_len = 16};
  EXPECT_EQ(ParseOnce(std::string(16, 'a'), small), NeedMore());
  EXPECT_EQ(ParseOnce(std::string(17, 'a'), small),
            Error("ERR Protocol error: too big inline request"));
  // A complete line longer than the limit is still accepted, as in Redis.
  EXPECT_EQ(ParseOnce("echo " + std::string(40, 'a') + "\n", small),
            Command({"echo", std::string(40, 'a')}, 46));
}

TEST(RespParserTest, SetLimitsTakesEffect) {
  RespParser parser;
  parser.set_limits({.max_bulk_len = 2, .max_inline_len = 64});
  EXPECT_EQ(parser.Parse("*1\r\n$3\r\nabc\r\n"), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "ERR Protocol error: invalid bulk length");
}

// --- inline -----------------------------------------------------------------------------------

TEST(RespParserTest, InlineCommands) {
  EXPECT_EQ(ParseOnce("PING\r\n"), Command({"PING"}, 6));
  EXPECT_EQ(ParseOnce("PING\n"), Command({"PING"}, 5));
  EXPECT_EQ(ParseOnce("  set   k \t v  \r\n"), Command({"set", "k", "v"}, 17));
  EXPECT_EQ(ParseOnce("get k"), NeedMore());
  EXPECT_EQ(ParseOnce("get k\r"), NeedMore());
  // Only one CR before the LF is stripped; a lone CR elsewhere separates words.
  EXPECT_EQ(ParseOnce("a\rb\r\r\n"), Command({"a", "b"}, 6));
  // Empty quoted strings are real (empty) arguments in Redis 7.
  EXPECT_EQ(ParseOnce("set \"\" ''\r\n"), Command({"set", "", ""}, 11));
}

TEST(RespParserTest, BlankInlineLinesAreEmpty) {
  EXPECT_EQ(ParseOnce("\r\n"), Empty(2));
  EXPECT_EQ(ParseOnce("\n"), Empty(1));
  EXPECT_EQ(ParseOnce("   \t \r\n"), Empty(7));
  EXPECT_EQ(ParseAll("\r\n\r\nPING\r\n"),
            (std::vector<Outcome>{Empty(2), Empty(2), Command({"PING"}, 6)}));
}

TEST(RespParserTest, InlineArgumentsOwnTheirBytes) {
  RespParser parser;
  std::string in = "set \"a\\x00b\" c\r\n";
  ASSERT_EQ(parser.Parse(in), ParseStatus::kCommand);
  in.assign(in.size(), '#');
  EXPECT_EQ(parser.args()[1], "a\0b"s);
  EXPECT_EQ(parser.args()[2], "c");
}

TEST(RespParserTest, UnbalancedQuotes) {
  const Outcome unbalanced = Error("ERR Protocol error: unbalanced quotes in request");
  for (const char* in :
       {"set \"\"\"test-key\"\"\" test-value\r\n", "set \"abc\r\n", "set 'abc\n", "set \"a\"b\r\n",
        "set 'a'b\r\n", "set \"abc\\\"\r\n", "set \"abc\\\r\n"}) {
    EXPECT_EQ(ParseOnce(in), unbalanced) << in;
  }
}

TEST(SplitInlineArgsTest, DoubleQuoteEscapes) {
  Args out;
  ASSERT_TRUE(SplitInlineArgs(R"("\n\r\t\b\a\\\"\q\x41\x6a\x6A\x00\xZZ\x4")", &out));
  EXPECT_EQ(out, (Args{"\n\r\t\b\a\\\"qAjj\0xZZx4"s}));
}

TEST(SplitInlineArgsTest, SingleQuotesOnlyUnderstandEscapedQuote) {
  Args out;
  ASSERT_TRUE(SplitInlineArgs(R"('it\'s \n \x41 "q"')", &out));
  EXPECT_EQ(out, (Args{R"(it's \n \x41 "q")"}));
}

TEST(SplitInlineArgsTest, QuotesMayStartMidWordButMustEndIt) {
  Args out;
  ASSERT_TRUE(SplitInlineArgs(R"(ab"c d" x'y z')", &out));
  EXPECT_EQ(out, (Args{"abc d", "xy z"}));
  EXPECT_FALSE(SplitInlineArgs(R"("a"b)", &out));
  EXPECT_TRUE(out.empty());
  // Any C isspace byte may follow a closing quote.
  ASSERT_TRUE(SplitInlineArgs("\"a\"\vb '\\'c'\f", &out));
  EXPECT_EQ(out, (Args{"a", "b", "'c"}));
}

TEST(SplitInlineArgsTest, WhitespaceRules) {
  Args out;
  // Leading '\v' and '\f' are skipped, but inside an unquoted word they are data.
  ASSERT_TRUE(SplitInlineArgs("\v\f a\vb c\fd \\n", &out));
  EXPECT_EQ(out, (Args{"a\vb", "c\fd", "\\n"}));
  ASSERT_TRUE(SplitInlineArgs("", &out));
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(SplitInlineArgs(" \t\r\n ", &out));
  EXPECT_TRUE(out.empty());
  // Bytes above 0x7f are never whitespace.
  ASSERT_TRUE(SplitInlineArgs("\xa0x\xff y", &out));
  EXPECT_EQ(out, (Args{"\xa0x\xff", "y"}));
}

TEST(SplitInlineArgsTest, NulEndsTheLine) {
  Args out;
  ASSERT_TRUE(SplitInlineArgs("a b\0c d"s, &out));
  EXPECT_EQ(out, (Args{"a", "b"}));
  EXPECT_FALSE(SplitInlineArgs("\"a\0\""s, &out));
}

TEST(SplitInlineArgsTest, UnterminatedQuotes) {
  Args out = {"stale"};
  EXPECT_FALSE(SplitInlineArgs("\"", &out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(SplitInlineArgs("'", &out));
  EXPECT_FALSE(SplitInlineArgs("a \"b", &out));
  EXPECT_FALSE(SplitInlineArgs("'a\\'", &out));
  EXPECT_FALSE(SplitInlineArgs("\"\\\"", &out));
}

// --- splitting --------------------------------------------------------------------------------

TEST(RespParserTest, MixedPipelineWholeBuffer) {
  const std::string in = MixedPipeline();
  const std::vector<Outcome> got = ParseAll(in);
  ASSERT_EQ(got.size(), 12u);
  EXPECT_EQ(got[0].args, (Args{"SET", "key", "value"}));
  EXPECT_EQ(got[1].args, (Args{"PING"}));
  EXPECT_EQ(got[3], Empty(2));
  EXPECT_EQ(got[4], Empty(4));
  EXPECT_EQ(got[5].args, (Args{"SET", "bin", "a\r\nb\0c\r\n"s}));
  EXPECT_EQ(got[6].args, (Args{"set", "q u", "x"}));
  EXPECT_EQ(got[7], Empty(5));
  EXPECT_EQ(got[8].args, (Args{"ECHO", ""}));
  EXPECT_EQ(got[9], Empty(5));
  EXPECT_EQ(got[11].args, (Args{"inline", "A\n"}));
}

TEST(RespParserTest, EverySplitPointGivesTheSameCommands) {
  const std::string in = MixedPipeline();
  const std::vector<Outcome> whole = ParseAll(in);
  for (size_t split = 0; split <= in.size(); ++split) {
    std::vector<size_t> chunks = {split, in.size() - split};
    size_t next = 0;
    const auto chunk = [&] { return next < chunks.size() ? chunks[next++] : in.size(); };
    ASSERT_EQ(ParseStreamed(in, chunk, /*move_buffer=*/false), whole) << "split at " << split;
    next = 0;
    ASSERT_EQ(ParseStreamed(in, chunk, /*move_buffer=*/true), whole) << "split at " << split;
  }
}

TEST(RespParserTest, ByteAtATimeGivesTheSameCommands) {
  const std::string in = MixedPipeline();
  const std::vector<Outcome> whole = ParseAll(in);
  const auto one = [] { return size_t{1}; };
  EXPECT_EQ(ParseStreamed(in, one, /*move_buffer=*/false), whole);
  EXPECT_EQ(ParseStreamed(in, one, /*move_buffer=*/true), whole);
}

TEST(RespParserTest, GrowingPrefixesAgreeWithWholeBuffer) {
  // A fresh parser on a prefix needs more until the first command is complete, then returns it.
  const std::string in = Mbulk({"SET", "k", "a\r\nb"}) + "PING\r\n";
  const size_t first_len = in.size() - 6;
  const Outcome first = ParseOnce(in);
  EXPECT_EQ(first, Command({"SET", "k", "a\r\nb"}, first_len));
  for (size_t len = 0; len <= in.size(); ++len) {
    const Outcome o = ParseOnce(std::string_view(in).substr(0, len));
    EXPECT_EQ(o, len < first_len ? NeedMore() : first) << "prefix " << len;
  }
}

TEST(RespParserTest, ErrorsSurviveSplitting) {
  const std::string in = Mbulk({"GET", "a"}) + "*2\r\n$3\r\nGET\r\n$-5\r\n";
  const auto whole = ParseAll(in);
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(whole[1], Error("ERR Protocol error: invalid bulk length"));
  const auto one = [] { return size_t{1}; };
  EXPECT_EQ(ParseStreamed(in, one, /*move_buffer=*/true), whole);
}

// --- hostile input ----------------------------------------------------------------------------

TEST(RespParserTest, HostileInputNeverCrashes) {
  const std::vector<std::string> inputs = {
      "*2147483647\r\n",
      "*1\r\n$536870912\r\n",
      "*1\r\n$9223372036854775807\r\n",
      "*-2147483649\r\n",
      "$3\r\nfoo\r\n",
      "*1\r\n$1\r\n",
      "\"\\x\"\r\n",
      "'\\\r\n",
      std::string(1000, '"') + "\n",
      "*1\r\n$0\r\n",
      "*1\r\n$0\r\n\r\n",
      std::string(70000, '*'),
      std::string(70000, '\r'),
      "*1\r\n" + std::string(70000, '$'),
  };
  for (const std::string& in : inputs) {
    for (size_t len = 0; len <= in.size(); len += 1 + len / 8) {
      RespParser parser;
      const std::string_view view = std::string_view(in).substr(0, len);
      const ParseStatus status = parser.Parse(view);
      EXPECT_LE(parser.consumed(), view.size());
      if (status == ParseStatus::kError) {
        EXPECT_EQ(parser.error().rfind("ERR Protocol error: ", 0), 0u);
      }
    }
  }
  EXPECT_EQ(ParseOnce("*1\r\n$0\r\n\r\n"), Command({""}, 10));
  EXPECT_EQ(ParseOnce("$3\r\nfoo\r\n"), Command({"$3"}, 4));
  EXPECT_EQ(ParseOnce(std::string(70000, '\r')),
            Error("ERR Protocol error: too big inline request"));
}

TEST(RespParserTest, FuzzedInputIsMemorySafeAndSplitInvariant) {
  std::mt19937 rng(20240607);
  const std::vector<std::string> pieces = {"*",
                                           "$",
                                           "\r",
                                           "\n",
                                           "\r\n",
                                           "\0"s,
                                           "\"",
                                           "'",
                                           "\\",
                                           "\\x4",
                                           "1",
                                           "3",
                                           "-1",
                                           "0",
                                           " ",
                                           "PING\r\n",
                                           Mbulk({"SET", "k", "v"}),
                                           Mbulk({"a\r\n"}),
                                           "*2\r\n",
                                           "$3\r\nabc\r\n",
                                           "x"};
  const auto rand_below = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  int seen[4] = {};
  for (int iteration = 0; iteration < 3000; ++iteration) {
    std::string in;
    const size_t parts = 1 + rand_below(24);
    for (size_t i = 0; i < parts; ++i) {
      if (rand_below(4) == 0) {
        in.push_back(static_cast<char>(rng()));
      } else {
        in += pieces[rand_below(pieces.size())];
      }
    }
    const std::vector<Outcome> whole = ParseAll(in);
    for (const Outcome& o : whole) {
      ++seen[static_cast<int>(o.status)];
      EXPECT_LE(o.consumed, in.size());
      if (o.status == ParseStatus::kError) {
        EXPECT_EQ(o.error.rfind("ERR Protocol error: ", 0), 0u);
      }
    }
    // Default limits dwarf these inputs, so no "too big" error can depend on how bytes arrive.
    const auto random_chunk = [&] { return 1 + rand_below(7); };
    ASSERT_EQ(ParseStreamed(in, random_chunk, /*move_buffer=*/iteration % 2 == 0), whole)
        << "iteration " << iteration;
  }
  // The generator must reach every outcome, or the loop proves little.
  EXPECT_GT(seen[static_cast<int>(ParseStatus::kCommand)], 100);
  EXPECT_GT(seen[static_cast<int>(ParseStatus::kEmpty)], 10);
  EXPECT_GT(seen[static_cast<int>(ParseStatus::kError)], 100);
}

// PeekSecondArgs over `input`, with room for `room` keys: the keys found and the bytes spanned.
std::pair<Args, size_t> Peek(std::string_view input, size_t room = 16) {
  std::vector<std::string_view> out(room);
  size_t scanned = 0;
  size_t found = PeekSecondArgs(input, out, &scanned);
  return {Args(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(found)), scanned};
}

TEST(PeekSecondArgsTest, FindsEachCompleteCommandsSecondArgumentAndStopsAtAnythingElse) {
  const std::string set_a = Mbulk({"SET", "a", "1"});
  const std::string get_bb = Mbulk({"GET", "bb"});
  EXPECT_EQ(Peek(set_a + get_bb), std::make_pair(Args{"a", "bb"}, set_a.size() + get_bb.size()));
  EXPECT_EQ(Peek(set_a + get_bb, 1), std::make_pair(Args{"a"}, set_a.size()));
  // A binary key, CRLF inside included, is taken by its length.
  EXPECT_EQ(Peek(Mbulk({"GET", "x\r\ny"})).first, Args{"x\r\ny"});
  // Stops: an incomplete command, a one-argument command, an inline command, an unusual header.
  EXPECT_EQ(Peek(set_a + get_bb.substr(0, get_bb.size() - 1)),
            std::make_pair(Args{"a"}, set_a.size()));
  EXPECT_EQ(Peek(set_a + Mbulk({"PING"}) + get_bb), std::make_pair(Args{"a"}, set_a.size()));
  EXPECT_EQ(Peek("GET a\r\n" + set_a), std::make_pair(Args{}, size_t{0}));
  EXPECT_EQ(Peek("*2\r\n$03\r\nGET\r\n$1\r\na\r\n").first, Args{});
  EXPECT_EQ(Peek("*2\r\n$3\r\nGET\r\n$999999999\r\na\r\n").first, Args{});
  EXPECT_EQ(Peek("*2\r\n$3\r\nGET\r\n$1\r\nab\r\n" + set_a).first, Args{"a"});
  EXPECT_EQ(Peek("").first, Args{});
  Args mset = {"MSET"};
  for (int i = 0; i < 64; ++i) mset.push_back("k");
  EXPECT_EQ(Peek(Mbulk(mset) + set_a).first, Args{});
  mset.pop_back();
  EXPECT_EQ(Peek(Mbulk(mset) + set_a).first, (Args{"k", "a"}));
}

TEST(PeekSecondArgsTest, AgreesWithTheParserOnFuzzedInput) {
  std::mt19937 rng(20261206);
  const std::vector<std::string> pieces = {
      Mbulk({"SET", "k", "v"}), Mbulk({"GET", "key"}), Mbulk({"PING"}), Mbulk({"MSET", "a", "b"}),
      "*2\r\n",  "$3\r\nabc\r\n", "$",  "*", "\r\n", "1", "0", "-1", "\0"s, "x"};
  const auto rand_below = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  int peeked = 0;
  for (int iteration = 0; iteration < 3000; ++iteration) {
    std::string in;
    const size_t parts = 1 + rand_below(12);
    for (size_t i = 0; i < parts; ++i) {
      in += rand_below(8) == 0 ? std::string(1, static_cast<char>(rng()))
                               : pieces[rand_below(pieces.size())];
    }
    auto [keys, scanned] = Peek(in, 1 + rand_below(4));
    ASSERT_LE(scanned, in.size());
    // What the lookahead reports is what the parser will hand the dispatcher.
    const std::vector<Outcome> parsed = ParseAll(in.substr(0, scanned));
    ASSERT_EQ(parsed.size(), keys.size()) << "iteration " << iteration;
    for (size_t i = 0; i < keys.size(); ++i) {
      ASSERT_EQ(parsed[i].status, ParseStatus::kCommand);
      ASSERT_GE(parsed[i].args.size(), 2u);
      EXPECT_EQ(parsed[i].args[1], keys[i]);
    }
    peeked += static_cast<int>(keys.size());
  }
  EXPECT_GT(peeked, 500);
}

}  // namespace
}  // namespace respd::protocol

namespace respd::protocol {
namespace {

TEST(RespParserAuthTest, UnauthenticatedClientsSendOnlySmallCommands) {
  RespParser parser(ParserLimits{.unauthenticated = true});
  std::string eleven_args = "*11\r\n";
  EXPECT_EQ(parser.Parse(eleven_args), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "ERR Protocol error: unauthenticated multibulk length");
  std::string big_bulk = "*2\r\n$4\r\nAUTH\r\n$16385\r\n";
  EXPECT_EQ(parser.Parse(big_bulk), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "ERR Protocol error: unauthenticated bulk length");
  std::string auth = "*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n";
  EXPECT_EQ(parser.Parse(auth), ParseStatus::kCommand);
  parser.set_limits(ParserLimits{});
  EXPECT_EQ(parser.Parse(eleven_args), ParseStatus::kNeedMore);
}

}  // namespace
}  // namespace respd::protocol
