// Appends RESP2 or RESP3 reply frames to an output buffer through a semantic API (array, map, set,
// double, null, boolean, verbatim, push), so a handler is right in both protocols without knowing
// which one its connection speaks. Knows nothing of sockets, commands or storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace respd::protocol {

enum class RespVersion : uint8_t { kResp2 = 2, kResp3 = 3 };

class ReplyWriter {
 public:
  explicit ReplyWriter(std::string* out, RespVersion version = RespVersion::kResp2)
      : out_(out), version_(version) {}

  RespVersion version() const { return version_; }
  void set_version(RespVersion version) { version_ = version; }
  bool resp3() const { return version_ == RespVersion::kResp3; }
  std::string* buffer() { return out_; }
  void set_buffer(std::string* out) { out_ = out; }

  void SimpleString(std::string_view s);  // must not contain CR or LF
  void Ok() { out_->append("+OK\r\n"); }
  // `message` is Redis's text with its code, without '-': "ERR syntax error", "WRONGTYPE ...".
  // CR and LF inside are replaced by spaces, as Redis does, so the frame stays one line.
  void Error(std::string_view message);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void BulkInteger(int64_t v);  // an integer sent as a bulk string
  // The absence of a value: `$-1` in RESP2, `_` in RESP3.
  void Null();
  // The absence of an aggregate: `*-1` in RESP2, `_` in RESP3.
  void NullArray();
  void ArrayHeader(size_t n);
  // A map of `pairs` key/value pairs: `%` in RESP3, a flat array of 2*pairs in RESP2.
  void MapHeader(size_t pairs);
  // An unordered set: `~` in RESP3, an array in RESP2.
  void SetHeader(size_t n);
  // An out-of-band push (pub/sub messages): `>` in RESP3, an array in RESP2.
  void PushHeader(size_t n);
  // RESP3's attribute map of `pairs` pairs, which precedes the reply it describes. RESP2 has no
  // such frame: callers write attributes only when resp3().
  void AttributeHeader(size_t pairs) { Header('|', pairs); }
  // Redis 7.0's double: a bulk "%.17g" string in RESP2, `,` in RESP3; inf as "inf"/"-inf".
  void Double(double v);
  // `#t`/`#f` in RESP3, the integers 1/0 in RESP2.
  void Bool(bool v);
  // `=` with a 3-letter format ("txt") in RESP3, a plain bulk string in RESP2.
  void Verbatim(std::string_view format, std::string_view text);
  void BigNumber(std::string_view digits);
  void Raw(std::string_view bytes) { out_->append(bytes); }

  // For replies whose length is known only at the end (Redis's addReplyDeferredLen): reserve a
  // slot, write the elements, then fill the header in. Kinds are the same as the header calls
  // above.
  enum class Aggregate : uint8_t { kArray, kMap, kSet };
  size_t BeginDeferred();
  void EndDeferred(size_t token, Aggregate kind, size_t n);

 private:
  void Header(char type, size_t n);

  std::string* out_;
  RespVersion version_;
};

// A command as clients send it, an array of bulk strings: what the append-only file and the
// replication stream carry.
void AppendCommand(std::string* out, std::span<const std::string> argv);

}  // namespace respd::protocol
