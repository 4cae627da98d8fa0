// RESP2/RESP3 frame encoding for ReplyWriter.
#include "protocol/reply_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace respd::protocol {
namespace {

// Longest frame header: a type byte, 20 digits, CRLF.
constexpr size_t kMaxHeaderLen = 24;
// Bulk strings up to this many bytes are framed on the stack and appended at once.
constexpr size_t kShortBulkLen = 128;

void AppendNumberLine(std::string* out, char type, int64_t v) {
  char buf[kMaxHeaderLen];
  buf[0] = type;
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, v);
  *end++ = '\r';
  *end++ = '\n';
  out->append(buf, static_cast<size_t>(end - buf));
}

}  // namespace

void ReplyWriter::Header(char type, size_t n) {
  AppendNumberLine(out_, type, static_cast<int64_t>(n));
}

void ReplyWriter::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n");
}

void ReplyWriter::Error(std::string_view message) {
  // As Redis's addReplyErrorFormat: newlines at the end go, newlines inside become spaces (an
  // error that echoes an argument ending in CRLF ends without them).
  while (!message.empty() && (message.back() == '\r' || message.back() == '\n')) {
    message.remove_suffix(1);
  }
  size_t start = out_->size();
  out_->push_back('-');
  out_->append(message);
  for (size_t i = start + 1; i < out_->size(); ++i) {
    char& c = (*out_)[i];
    if (c == '\r' || c == '\n') c = ' ';
  }
  out_->append("\r\n");
}

void ReplyWriter::Integer(int64_t v) { AppendNumberLine(out_, ':', v); }

void ReplyWriter::Bulk(std::string_view s) {
  // A short value (most are) goes out as one frame in one append: list and set replies write
  // thousands of these, and each append costs a capacity check and a copy.
  char frame[kMaxHeaderLen + kShortBulkLen + 2];
  frame[0] = '$';
  char* end = std::to_chars(frame + 1, frame + kMaxHeaderLen - 2, s.size()).ptr;
  *end++ = '\r';
  *end++ = '\n';
  if (s.size() > kShortBulkLen) {
    out_->append(frame, static_cast<size_t>(end - frame));
    out_->append(s);
    out_->append("\r\n");
    return;
  }
  if (!s.empty()) std::memcpy(end, s.data(), s.size());
  end += s.size();
  *end++ = '\r';
  *end++ = '\n';
  out_->append(frame, static_cast<size_t>(end - frame));
}

void ReplyWriter::BulkInteger(int64_t v) {
  char digits[kMaxHeaderLen];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), v);
  Bulk(std::string_view(digits, static_cast<size_t>(end - digits)));
}

void ReplyWriter::Null() { out_->append(resp3() ? "_\r\n" : "$-1\r\n"); }

void ReplyWriter::NullArray() { out_->append(resp3() ? "_\r\n" : "*-1\r\n"); }

void ReplyWriter::ArrayHeader(size_t n) { Header('*', n); }

void ReplyWriter::MapHeader(size_t pairs) {
  if (resp3()) {
    Header('%', pairs);
  } else {
    Header('*', pairs * 2);
  }
}

void ReplyWriter::SetHeader(size_t n) { Header(resp3() ? '~' : '*', n); }

void ReplyWriter::PushHeader(size_t n) { Header(resp3() ? '>' : '*', n); }

void ReplyWriter::Double(double v) {
  char buf[64];
  int len;
  if (std::isinf(v)) {
    len = std::snprintf(buf, sizeof(buf), "%s", v > 0 ? "inf" : "-inf");
  } else {
    len = std::snprintf(buf, sizeof(buf), "%.17g", v);
  }
  if (resp3()) {
    out_->push_back(',');
    out_->append(buf, static_cast<size_t>(len));
    out_->append("\r\n");
  } else {
    Bulk(std::string_view(buf, static_cast<size_t>(len)));
  }
}

void ReplyWriter::Bool(bool v) {
  if (resp3()) {
    out_->append(v ? "#t\r\n" : "#f\r\n");
  } else {
    out_->append(v ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyWriter::Verbatim(std::string_view format, std::string_view text) {
  if (!resp3()) {
    Bulk(text);
    return;
  }
  AppendNumberLine(out_, '=', static_cast<int64_t>(text.size() + format.size() + 1));
  out_->append(format);
  out_->push_back(':');
  out_->append(text);
  out_->append("\r\n");
}

void ReplyWriter::BigNumber(std::string_view digits) {
  if (!resp3()) {
    Bulk(digits);
    return;
  }
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n");
}

size_t ReplyWriter::BeginDeferred() {
  size_t token = out_->size();
  out_->append(kMaxHeaderLen, '\0');
  return token;
}

void ReplyWriter::EndDeferred(size_t token, Aggregate kind, size_t n) {
  char type = '*';
  size_t count = n;
  switch (kind) {
    case Aggregate::kArray:
      break;
    case Aggregate::kMap:
      if (resp3()) {
        type = '%';
      } else {
        count = n * 2;
      }
      break;
    case Aggregate::kSet:
      if (resp3()) type = '~';
      break;
  }
  char buf[kMaxHeaderLen];
  buf[0] = type;
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, static_cast<int64_t>(count));
  *end++ = '\r';
  *end++ = '\n';
  out_->replace(token, kMaxHeaderLen, buf, static_cast<size_t>(end - buf));
}

void AppendCommand(std::string* out, std::span<const std::string> argv) {
  ReplyWriter writer(out);
  writer.ArrayHeader(argv.size());
  for (const std::string& arg : argv) writer.Bulk(arg);
}

}  // namespace respd::protocol
