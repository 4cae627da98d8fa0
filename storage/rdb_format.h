// The building blocks of Redis 7.0's RDB value format, as DUMP and RESTORE carry it: length and
// string encodings (integer forms, LZF), doubles, CRC-64, and the packed containers Redis stores
// values in (listpack, and the older ziplist, intset and zipmap it still reads). Writers produce
// Redis's exact bytes; readers never read past their input, never trust a claimed length for an
// allocation larger than the bytes left, and reject anything malformed (as Redis with
// sanitize-dump-payload yes). Per-type value codecs build on these (rdb_value.h, rdb_stream.h).
// Depends on nothing else in respd but numbers.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace respd::storage::rdb {

// The RDB version a DUMP payload of Redis 7.0 carries; RESTORE accepts any version up to it.
inline constexpr uint16_t kVersion = 10;

// Value type bytes (rdb.h's RDB_TYPE_*).
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZSet = 3;
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZSet2 = 5;
inline constexpr uint8_t kTypeModule = 6;
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZSetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZSetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;
inline constexpr uint8_t kTypeStreamListpacks2 = 19;

// rdb.h's opcodes, which take a value type byte's place in a file or FUNCTION DUMP payload:
// FUNCTION2 carries a library's code (Redis 7.0), FUNCTION_PRE_GA its release candidates' form
// (name, engine, an optional description, then the code).
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpFunctionPreGa = 246;
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

// Redis's crc64 (Jones polynomial, reflected, initial value `crc`): the DUMP payload trailer.
uint64_t Crc64(uint64_t crc, std::string_view data);

// Redis's lzf_compress, byte for byte: the compressed form of `in` if it takes at most `max_out`
// bytes, else nullopt (Redis then stores the string verbatim).
std::optional<std::string> LzfCompress(std::string_view in, size_t max_out);
// Decompresses `in` into exactly `out_len` bytes; nullopt if the input is malformed or does not
// decompress to that length.
std::optional<std::string> LzfDecompress(std::string_view in, size_t out_len);

// Appends RDB encodings to a byte string.
class Writer {
 public:
  // `compress`: rdbcompression (LZF for strings over 20 bytes when it shrinks them).
  explicit Writer(bool compress = true) : compress_(compress) {}

  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Raw(std::string_view bytes) { out_.append(bytes); }
  // rdbSaveLen: 6, 14, 32 or 64 bits.
  void Length(uint64_t len);
  // rdbSaveRawString: the integer encodings for canonical integers that fit 32 bits, LZF when
  // enabled, longer than 20 bytes and smaller, else length + bytes.
  void String(std::string_view s);
  // rdbSaveLongLongAsStringObject: an integer as a string.
  void Integer(int64_t v);
  // rdbSaveBinaryDoubleValue: 8 bytes little-endian (RDB_TYPE_ZSET_2 scores).
  void BinaryDouble(double v);
  // rdbSaveDoubleValue: the text form of RDB_TYPE_ZSET scores.
  void TextDouble(double v);
  // rdbSaveMillisecondTime: 8 bytes little-endian.
  void Millis(int64_t ms);

  const std::string& data() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  bool compress_;
  std::string out_;
};

// Reads RDB encodings from a byte string; every read fails (returns false) rather than read past
// the end, and leaves the reader in an unspecified position after a failure.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  size_t remaining() const { return in_.size() - pos_; }
  bool AtEnd() const { return pos_ == in_.size(); }

  bool Byte(uint8_t* b);
  bool Raw(size_t n, std::string_view* bytes);
  // A plain length (an encoded string marker fails).
  bool Length(uint64_t* len);
  // A string in any of its encodings.
  bool String(std::string* s);
  bool BinaryDouble(double* v);
  // The text form: NaN is returned as NaN, the caller decides.
  bool TextDouble(double* v);
  bool Millis(int64_t* ms);

 private:
  // A length, or with *encoded set, the encoding number of a special string.
  bool LengthOrEncoding(uint64_t* len, bool* encoded);

  std::string_view in_;
  size_t pos_ = 0;
};

// One entry of a listpack or ziplist: an integer or a string (a view into the container).
struct PackedEntry {
  bool is_int = false;
  int64_t integer = 0;
  std::string_view str;

  std::string ToString() const;
  // The entry as an integer: an integer entry, or a string that is a canonical integer.
  std::optional<int64_t> AsInt() const;
};

// Builds a listpack in Redis's exact bytes, as lpAppend builds one.
class ListpackWriter {
 public:
  // A string that is a canonical 64-bit integer is stored as an integer, as Redis does.
  void Append(std::string_view s);
  void AppendInteger(int64_t v);

  size_t size() const { return count_; }
  // Size of the finished listpack: header, entries, terminator.
  size_t bytes() const { return kHeaderSize + body_.size() + 1; }
  std::string Finish() const;

  static constexpr size_t kHeaderSize = 6;

 private:
  void AppendBacklen(size_t entry_size);

  std::string body_;
  size_t count_ = 0;
};

// Validates a whole listpack (header size and count, every entry's encoding, back-length and
// bounds, the terminator) and returns its entries; nullopt if anything is wrong.
std::optional<std::vector<PackedEntry>> ParseListpack(std::string_view lp);
// Same for a ziplist (zlbytes, zltail, zllen, prevlen chain).
std::optional<std::vector<PackedEntry>> ParseZiplist(std::string_view zl);
// An intset: its integers, which must be strictly ascending in a valid encoding.
std::optional<std::vector<int64_t>> ParseIntset(std::string_view is);
// A zipmap: its field/value pairs in order.
std::optional<std::vector<std::pair<std::string_view, std::string_view>>> ParseZipmap(
    std::string_view zm);

// The intset Redis holds for these strictly ascending integers (the narrowest encoding).
std::string BuildIntset(const std::vector<int64_t>& ascending);

}  // namespace respd::storage::rdb
