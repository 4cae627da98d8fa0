// Reads RESP2/RESP3 reply frames back into values: scripts run commands through the normal
// reply writer and turn what it wrote into Lua values. Only complete, well-formed frames (as the
// reply writer produces) are expected; anything else is reported as malformed, never trusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace respd::protocol {

struct ReplyValue {
  enum class Type : uint8_t {
    kStatus,     // +
    kError,      // -   (text without the '-')
    kInteger,    // :
    kBulk,       // $
    kNullBulk,   // $-1
    kArray,      // *
    kNullArray,  // *-1
    kNull,       // _
    kBool,       // #
    kDouble,     // ,
    kBigNumber,  // (
    kVerbatim,   // =   (format in `format`, text in `text`)
    kMap,        // %   (elements alternate key, value)
    kSet,        // ~
    kPush,       // >
  };
  Type type = Type::kNull;
  std::string text;  // status, error, bulk, big number, verbatim text, double's digits
  std::string format;
  int64_t integer = 0;  // integer; boolean as 0/1
  double number = 0;    // double
  std::vector<ReplyValue> elements;
};

// Parses the frame at data[*pos], advancing *pos past it. False if the frame is incomplete or
// malformed. Attribute frames (`|`) before a value are skipped, as clients ignore them.
bool ReadReply(std::string_view data, size_t* pos, ReplyValue* out);

}  // namespace respd::protocol
