// RESP reply frames to ReplyValue trees.
#include "protocol/reply_reader.h"

#include <charconv>
#include <cstdlib>

namespace respd::protocol {
namespace {

// Aggregates nested deeper than this are refused rather than recursed into.
constexpr int kMaxDepth = 1000;

bool ReadLine(std::string_view data, size_t* pos, std::string_view* line) {
  size_t end = data.find("\r\n", *pos);
  if (end == std::string_view::npos) return false;
  *line = data.substr(*pos, end - *pos);
  *pos = end + 2;
  return true;
}

bool ParseInt(std::string_view text, int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool ReadValue(std::string_view data, size_t* pos, ReplyValue* out, int depth) {
  if (depth > kMaxDepth || *pos >= data.size()) return false;
  char type = data[*pos];
  ++*pos;
  std::string_view line;
  if (!ReadLine(data, pos, &line)) return false;
  using Type = ReplyValue::Type;
  switch (type) {
    case '+':
      out->type = Type::kStatus;
      out->text.assign(line);
      return true;
    case '-':
      out->type = Type::kError;
      out->text.assign(line);
      return true;
    case ':':
      out->type = Type::kInteger;
      return ParseInt(line, &out->integer);
    case '(':
      out->type = Type::kBigNumber;
      out->text.assign(line);
      return true;
    case ',':
      out->type = Type::kDouble;
      out->text.assign(line);
      out->number = std::strtod(out->text.c_str(), nullptr);
      return true;
    case '#':
      out->type = Type::kBool;
      out->integer = line == "t";
      return line == "t" || line == "f";
    case '_':
      out->type = Type::kNull;
      return line.empty();
    case '$':
    case '=':
    case '!': {
      int64_t len;
      if (!ParseInt(line, &len)) return false;
      if (len < 0) {
        out->type = Type::kNullBulk;
        return type == '$';
      }
      if (data.size() - *pos < static_cast<size_t>(len) + 2) return false;
      std::string_view body = data.substr(*pos, len);
      *pos += len + 2;
      if (type == '!') {
        out->type = Type::kError;
        out->text.assign(body);
      } else if (type == '=') {
        out->type = Type::kVerbatim;
        if (body.size() < 4 || body[3] != ':') return false;
        out->format.assign(body.substr(0, 3));
        out->text.assign(body.substr(4));
      } else {
        out->type = Type::kBulk;
        out->text.assign(body);
      }
      return true;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      int64_t n;
      if (!ParseInt(line, &n)) return false;
      if (n < 0) {
        out->type = Type::kNullArray;
        return type == '*';
      }
      size_t count = static_cast<size_t>(n) * (type == '%' || type == '|' ? 2 : 1);
      if (type == '|') {
        ReplyValue ignored;
        for (size_t i = 0; i < count; ++i) {
          if (!ReadValue(data, pos, &ignored, depth + 1)) return false;
        }
        return ReadValue(data, pos, out, depth);
      }
      out->type = type == '*'   ? Type::kArray
                  : type == '~' ? Type::kSet
                  : type == '>' ? Type::kPush
                                : Type::kMap;
      out->elements.clear();
      out->elements.reserve(std::min<size_t>(count, 1024));
      for (size_t i = 0; i < count; ++i) {
        if (!ReadValue(data, pos, &out->elements.emplace_back(), depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

bool ReadReply(std::string_view data, size_t* pos, ReplyValue* out) {
  return ReadValue(data, pos, out, 0);
}

}  // namespace respd::protocol
