// ReplyValue trees from RESP2/RESP3 frames, round-tripped through the reply writer.
#include "protocol/reply_reader.h"

#include <gtest/gtest.h>

#include "protocol/reply_writer.h"

namespace respd::protocol {
namespace {

using Type = ReplyValue::Type;

ReplyValue Read(std::string_view frame) {
  ReplyValue value;
  size_t pos = 0;
  EXPECT_TRUE(ReadReply(frame, &pos, &value)) << frame;
  EXPECT_EQ(pos, frame.size()) << frame;
  return value;
}

TEST(ReplyReaderTest, Scalars) {
  EXPECT_EQ(Read("+OK\r\n").type, Type::kStatus);
  EXPECT_EQ(Read("+OK\r\n").text, "OK");
  ReplyValue err = Read("-ERR bad thing\r\n");
  EXPECT_EQ(err.type, Type::kError);
  EXPECT_EQ(err.text, "ERR bad thing");
  EXPECT_EQ(Read(":-42\r\n").integer, -42);
  EXPECT_EQ(Read("$3\r\na\r\n\r\n").text, "a\r\n");
  EXPECT_EQ(Read("$0\r\n\r\n").text, "");
  EXPECT_EQ(Read("$-1\r\n").type, Type::kNullBulk);
  EXPECT_EQ(Read("*-1\r\n").type, Type::kNullArray);
  EXPECT_EQ(Read("_\r\n").type, Type::kNull);
  EXPECT_EQ(Read("#t\r\n").integer, 1);
  EXPECT_EQ(Read("#f\r\n").integer, 0);
  EXPECT_DOUBLE_EQ(Read(",3.5\r\n").number, 3.5);
  EXPECT_EQ(Read("(12345678901234567890\r\n").text, "12345678901234567890");
  ReplyValue verbatim = Read("=7\r\ntxt:abc\r\n");
  EXPECT_EQ(verbatim.format, "txt");
  EXPECT_EQ(verbatim.text, "abc");
  EXPECT_EQ(Read("!5\r\nERR x\r\n").type, Type::kError);
}

TEST(ReplyReaderTest, Aggregates) {
  ReplyValue array = Read("*3\r\n:1\r\n*1\r\n$1\r\nx\r\n$-1\r\n");
  ASSERT_EQ(array.type, Type::kArray);
  ASSERT_EQ(array.elements.size(), 3u);
  EXPECT_EQ(array.elements[1].elements[0].text, "x");
  EXPECT_EQ(array.elements[2].type, Type::kNullBulk);
  ReplyValue map = Read("%1\r\n+k\r\n:2\r\n");
  ASSERT_EQ(map.type, Type::kMap);
  EXPECT_EQ(map.elements.size(), 2u);
  EXPECT_EQ(Read("~2\r\n:1\r\n:2\r\n").type, Type::kSet);
  EXPECT_EQ(Read("*0\r\n").elements.size(), 0u);
}

TEST(ReplyReaderTest, SkipsAttributes) {
  ReplyValue value = Read("|1\r\n+key\r\n+val\r\n:7\r\n");
  EXPECT_EQ(value.type, Type::kInteger);
  EXPECT_EQ(value.integer, 7);
}

TEST(ReplyReaderTest, IncompleteOrMalformed) {
  for (std::string_view bad :
       {"", "+OK", "$5\r\nab\r\n", "*2\r\n:1\r\n", ":12x\r\n", "?\r\n", "#x\r\n", "=2\r\nab\r\n"}) {
    ReplyValue value;
    size_t pos = 0;
    EXPECT_FALSE(ReadReply(bad, &pos, &value)) << bad;
  }
}

TEST(ReplyReaderTest, ReadsWhatTheWriterWrites) {
  for (RespVersion version : {RespVersion::kResp2, RespVersion::kResp3}) {
    std::string out;
    ReplyWriter writer(&out, version);
    writer.MapHeader(2);
    writer.Bulk("a");
    writer.Double(1.5);
    writer.Bulk("b");
    writer.Null();
    size_t pos = 0;
    ReplyValue value;
    ASSERT_TRUE(ReadReply(out, &pos, &value));
    EXPECT_EQ(pos, out.size());
    EXPECT_EQ(value.type, version == RespVersion::kResp3 ? Type::kMap : Type::kArray);
    EXPECT_EQ(value.elements.size(), 4u);
  }
}

}  // namespace
}  // namespace respd::protocol
