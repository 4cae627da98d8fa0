// RDB encodings and packed containers, written as Redis 7.0 writes them (rdb.c, listpack.c,
// intset.c, lzf_c.c) and read with every bound checked (as listpack.c's lpValidateIntegrity,
// ziplist.c's ziplistValidateIntegrity, intset.c's and zipmap.c's validators do, and stricter
// where Redis would later assert). Depends on nothing else in respd but numbers.h.
#include "storage/rdb_format.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "storage/numbers.h"

namespace respd::storage::rdb {
namespace {

// rdb.h's length forms.
constexpr uint8_t kLen6Bit = 0;
constexpr uint8_t kLen14Bit = 1;
constexpr uint8_t kLenEncoded = 3;
constexpr uint8_t kLen32Bit = 0x80;
constexpr uint8_t kLen64Bit = 0x81;
// Special string encodings (the low 6 bits after an 11xxxxxx byte).
constexpr uint8_t kEncInt8 = 0;
constexpr uint8_t kEncInt16 = 1;
constexpr uint8_t kEncInt32 = 2;
constexpr uint8_t kEncLzf = 3;

// Redis tries LZF only above this length: below it nothing compresses.
constexpr size_t kLzfMinLength = 20;
// The most bytes one input byte of LZF can expand to (a 3-byte back reference of 264 bytes),
// which bounds what a claimed decompressed length may be before allocating it.
constexpr size_t kLzfMaxRatio = 88;
// No string Redis can hold is longer (proto-max-bulk-len's ceiling), so no payload needs more.
constexpr uint64_t kMaxStringLength = uint64_t{512} << 20;

// lzf_c.c's configuration as Redis builds it: HLOG 16, VERY_FAST, not ULTRA_FAST.
constexpr unsigned kLzfHashLog = 16;
constexpr size_t kLzfHashSize = size_t{1} << kLzfHashLog;
constexpr size_t kLzfMaxLiteral = 1 << 5;
constexpr size_t kLzfMaxOffset = 1 << 13;
constexpr size_t kLzfMaxRef = (1 << 8) + (1 << 3);

constexpr uint8_t kListpackEnd = 0xFF;
constexpr uint16_t kListpackCountUnknown = 0xFFFF;
constexpr size_t kZiplistHeaderSize = 10;
constexpr uint16_t kZiplistCountUnknown = 0xFFFF;
constexpr uint8_t kZipmapBigLen = 254;
constexpr uint8_t kZipmapEnd = 255;

uint64_t LoadLE(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint64_t LoadBE(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void StoreLE(std::string* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

int64_t SignExtend(uint64_t v, unsigned bits) {
  const uint64_t sign = uint64_t{1} << (bits - 1);
  if (bits < 64 && (v & sign)) v |= ~((uint64_t{1} << bits) - 1);
  return static_cast<int64_t>(v);
}

std::array<uint64_t, 256> MakeCrc64Table() {
  // The Jones polynomial 0xad93d23594c935a9, bit-reversed for the right-shifting form.
  constexpr uint64_t kReflectedPoly = 0x95AC9329AC4BC9B5ULL;
  std::array<uint64_t, 256> table{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
    table[i] = crc;
  }
  return table;
}

// lpEncodeBacklen: the entry size, 7 bits per byte, most significant first, high bit set on every
// byte but the first, so it reads backwards from the entry's last byte.
void EncodeBacklen(size_t size, std::string* out) {
  size_t n = size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
  for (size_t i = 0; i < n; ++i) {
    uint8_t b = static_cast<uint8_t>((size >> (7 * (n - 1 - i))) & 127);
    if (i > 0) b |= 128;
    out->push_back(static_cast<char>(b));
  }
}

}  // namespace

uint64_t Crc64(uint64_t crc, std::string_view data) {
  static const std::array<uint64_t, 256> kTable = MakeCrc64Table();
  for (char c : data) crc = kTable[(crc ^ static_cast<uint8_t>(c)) & 0xFF] ^ (crc >> 8);
  return crc;
}

std::optional<std::string> LzfCompress(std::string_view in, size_t max_out) {
  const size_t in_len = in.size();
  if (in_len < 3 || max_out == 0) return std::nullopt;
  const auto at = [&](size_t i) { return static_cast<uint8_t>(in[i]); };
  const auto hash_index = [](uint32_t h) {
    return static_cast<size_t>(((h >> (3 * 8 - kLzfHashLog)) - h * 5) & (kLzfHashSize - 1));
  };
  // Positions of earlier 3-byte sequences by hash; 0 is "none" as position 0 is never a
  // reference in lzf_c.c either. The table (256 KiB) is the thread's, all zeros between calls:
  // zeroing a new one for every string cost ten times the rest of an RDB save. The slots a call
  // wrote are zeroed again when it returns.
  struct Table {
    std::vector<uint32_t> slots = std::vector<uint32_t>(kLzfHashSize, 0);
    std::vector<size_t> written;
  };
  thread_local Table table_of_thread;
  struct ZeroWrittenOnReturn {
    Table& t;
    ~ZeroWrittenOnReturn() {
      for (size_t slot : t.written) t.slots[slot] = 0;
      t.written.clear();
    }
  } zero_on_return{table_of_thread};
  std::vector<uint32_t>& table = table_of_thread.slots;
  const auto remember = [&](size_t slot, size_t position) {
    table[slot] = static_cast<uint32_t>(position);
    table_of_thread.written.push_back(slot);
  };
  // lzf_c.c may write the run byte of an empty literal run one past the output limit (Redis
  // allocates one spare byte); the slack covers that and the unchecked run reservations.
  std::string out(max_out + 8, '\0');
  size_t op = 1;  // out[0] is the length byte of the first literal run
  size_t ip = 0;
  size_t lit = 0;
  uint32_t hval = (at(0) << 8) | at(1);
  // One more byte into the literal run, closing the run when it is full.
  const auto copy_literal = [&] {
    ++lit;
    out[op++] = in[ip++];
    if (lit == kLzfMaxLiteral) {
      out[op - lit - 1] = static_cast<char>(lit - 1);
      lit = 0;
      ++op;
    }
  };

  while (ip + 2 < in_len) {
    hval = (hval << 8) | at(ip + 2);
    const size_t slot = hash_index(hval);
    const size_t ref = table[slot];
    remember(slot, ip);
    if (ref > 0 && ref < ip && ip - ref - 1 < kLzfMaxOffset && at(ref + 2) == at(ip + 2) &&
        at(ref) == at(ip) && at(ref + 1) == at(ip + 1)) {
      const size_t off = ip - ref - 1;
      size_t len = 2;
      size_t maxlen = in_len - ip - len;
      if (maxlen > kLzfMaxRef) maxlen = kLzfMaxRef;
      if (op + 3 + 1 >= max_out && op - (lit == 0 ? 1 : 0) + 3 + 1 >= max_out) return std::nullopt;
      out[op - lit - 1] = static_cast<char>(lit - 1);  // close the literal run
      if (lit == 0) --op;                               // an empty run takes no byte
      // lzf_c.c compares the first 16 bytes past the known 3 unconditionally when more than 16
      // remain, then byte by byte up to maxlen; the exact bound matters for identical output.
      bool mismatch = false;
      if (maxlen > 16) {
        for (int k = 0; k < 16; ++k) {
          ++len;
          if (at(ref + len) != at(ip + len)) {
            mismatch = true;
            break;
          }
        }
      }
      if (!mismatch) {
        do {
          ++len;
        } while (len < maxlen && at(ref + len) == at(ip + len));
      }
      len -= 2;  // now the match length minus one
      ++ip;
      if (len < 7) {
        out[op++] = static_cast<char>((off >> 8) + (len << 5));
      } else {
        out[op++] = static_cast<char>((off >> 8) + (7 << 5));
        out[op++] = static_cast<char>(len - 7);
      }
      out[op++] = static_cast<char>(off & 0xFF);
      lit = 0;
      ++op;  // start a literal run
      ip += len + 1;
      if (ip + 2 >= in_len) break;
      // VERY_FAST: hash the two positions before the new ip.
      ip -= 2;
      hval = (at(ip) << 8) | at(ip + 1);
      hval = (hval << 8) | at(ip + 2);
      remember(hash_index(hval), ip);
      ++ip;
      hval = (hval << 8) | at(ip + 2);
      remember(hash_index(hval), ip);
      ++ip;
    } else {
      if (op >= max_out) return std::nullopt;
      copy_literal();
    }
  }
  if (op + 3 > max_out) return std::nullopt;
  while (ip < in_len) copy_literal();
  out[op - lit - 1] = static_cast<char>(lit - 1);
  if (lit == 0) --op;
  if (op == 0) return std::nullopt;
  out.resize(op);
  return out;
}

std::optional<std::string> LzfDecompress(std::string_view in, size_t out_len) {
  std::string out;
  out.reserve(out_len);
  size_t ip = 0;
  while (ip < in.size()) {
    size_t ctrl = static_cast<uint8_t>(in[ip++]);
    if (ctrl < (1 << 5)) {
      ++ctrl;
      if (out.size() + ctrl > out_len || ip + ctrl > in.size()) return std::nullopt;
      out.append(in.substr(ip, ctrl));
      ip += ctrl;
      continue;
    }
    size_t len = ctrl >> 5;
    if (ip >= in.size()) return std::nullopt;
    if (len == 7) {
      len += static_cast<uint8_t>(in[ip++]);
      if (ip >= in.size()) return std::nullopt;
    }
    const size_t back = ((ctrl & 0x1F) << 8) + static_cast<uint8_t>(in[ip++]) + 1;
    len += 2;
    if (out.size() + len > out_len || back > out.size()) return std::nullopt;
    // The reference may overlap what it produces (a run), so copy byte by byte.
    size_t from = out.size() - back;
    for (size_t i = 0; i < len; ++i) out.push_back(out[from + i]);
  }
  if (out.size() != out_len) return std::nullopt;
  return out;
}

void Writer::Length(uint64_t len) {
  if (len < (1 << 6)) {
    Byte(static_cast<uint8_t>((kLen6Bit << 6) | len));
  } else if (len < (1 << 14)) {
    Byte(static_cast<uint8_t>((kLen14Bit << 6) | (len >> 8)));
    Byte(static_cast<uint8_t>(len & 0xFF));
  } else if (len <= std::numeric_limits<uint32_t>::max()) {
    Byte(kLen32Bit);
    for (int shift = 24; shift >= 0; shift -= 8) Byte(static_cast<uint8_t>((len >> shift) & 0xFF));
  } else {
    Byte(kLen64Bit);
    for (int shift = 56; shift >= 0; shift -= 8) Byte(static_cast<uint8_t>((len >> shift) & 0xFF));
  }
}

void Writer::Integer(int64_t v) {
  if (v >= std::numeric_limits<int8_t>::min() && v <= std::numeric_limits<int8_t>::max()) {
    Byte((kLenEncoded << 6) | kEncInt8);
    StoreLE(&out_, static_cast<uint64_t>(v), 1);
  } else if (v >= std::numeric_limits<int16_t>::min() && v <= std::numeric_limits<int16_t>::max()) {
    Byte((kLenEncoded << 6) | kEncInt16);
    StoreLE(&out_, static_cast<uint64_t>(v), 2);
  } else if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
    Byte((kLenEncoded << 6) | kEncInt32);
    StoreLE(&out_, static_cast<uint64_t>(v), 4);
  } else {
    std::string text = FormatInt64(v);
    Length(text.size());
    Raw(text);
  }
}

void Writer::String(std::string_view s) {
  if (s.size() <= 11) {
    std::optional<int64_t> v = ParseInt64(s);
    if (v && *v >= std::numeric_limits<int32_t>::min() &&
        *v <= std::numeric_limits<int32_t>::max()) {
      Integer(*v);
      return;
    }
  }
  if (compress_ && s.size() > kLzfMinLength) {
    // rdbSaveLzfStringObject: worth it only if it saves at least 4 bytes.
    std::optional<std::string> packed = LzfCompress(s, s.size() - 4);
    if (packed) {
      Byte((kLenEncoded << 6) | kEncLzf);
      Length(packed->size());
      Length(s.size());
      Raw(*packed);
      return;
    }
  }
  Length(s.size());
  Raw(s);
}

void Writer::BinaryDouble(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  StoreLE(&out_, bits, 8);
}

void Writer::TextDouble(double v) {
  if (std::isnan(v)) {
    Byte(253);
  } else if (std::isinf(v)) {
    Byte(v < 0 ? 255 : 254);
  } else {
    // rdbSaveDoubleValue prints integral values in range as integers, others with %.17g.
    std::string text = FormatDoubleStored(v);
    Byte(static_cast<uint8_t>(text.size()));
    Raw(text);
  }
}

void Writer::Millis(int64_t ms) { StoreLE(&out_, static_cast<uint64_t>(ms), 8); }

bool Reader::Byte(uint8_t* b) {
  if (pos_ >= in_.size()) return false;
  *b = static_cast<uint8_t>(in_[pos_++]);
  return true;
}

bool Reader::Raw(size_t n, std::string_view* bytes) {
  if (n > remaining()) return false;
  *bytes = in_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::LengthOrEncoding(uint64_t* len, bool* encoded) {
  uint8_t b;
  if (!Byte(&b)) return false;
  *encoded = false;
  const uint8_t kind = b >> 6;
  if (kind == kLenEncoded) {
    *encoded = true;
    *len = b & 0x3F;
    return true;
  }
  if (kind == kLen6Bit) {
    *len = b & 0x3F;
    return true;
  }
  if (kind == kLen14Bit) {
    uint8_t low;
    if (!Byte(&low)) return false;
    *len = (static_cast<uint64_t>(b & 0x3F) << 8) | low;
    return true;
  }
  std::string_view bytes;
  if (b == kLen32Bit) {
    if (!Raw(4, &bytes)) return false;
    *len = LoadBE(bytes.data(), 4);
    return true;
  }
  if (b == kLen64Bit) {
    if (!Raw(8, &bytes)) return false;
    *len = LoadBE(bytes.data(), 8);
    return true;
  }
  return false;
}

bool Reader::Length(uint64_t* len) {
  bool encoded;
  return LengthOrEncoding(len, &encoded) && !encoded;
}

bool Reader::String(std::string* s) {
  uint64_t len;
  bool encoded;
  if (!LengthOrEncoding(&len, &encoded)) return false;
  std::string_view bytes;
  if (!encoded) {
    if (!Raw(len, &bytes)) return false;
    s->assign(bytes);
    return true;
  }
  switch (len) {
    case kEncInt8:
    case kEncInt16:
    case kEncInt32: {
      const size_t n = len == kEncInt8 ? 1 : len == kEncInt16 ? 2 : 4;
      if (!Raw(n, &bytes)) return false;
      *s = FormatInt64(SignExtend(LoadLE(bytes.data(), n), static_cast<unsigned>(8 * n)));
      return true;
    }
    case kEncLzf: {
      uint64_t compressed_len, plain_len;
      if (!Length(&compressed_len) || !Length(&plain_len)) return false;
      if (!Raw(compressed_len, &bytes)) return false;
      if (plain_len / kLzfMaxRatio > compressed_len || plain_len > kMaxStringLength) return false;
      std::optional<std::string> plain = LzfDecompress(bytes, plain_len);
      if (!plain) return false;
      *s = std::move(*plain);
      return true;
    }
    default:
      return false;
  }
}

bool Reader::BinaryDouble(double* v) {
  std::string_view bytes;
  if (!Raw(8, &bytes)) return false;
  uint64_t bits = LoadLE(bytes.data(), 8);
  std::memcpy(v, &bits, sizeof bits);
  return true;
}

bool Reader::TextDouble(double* v) {
  uint8_t len;
  if (!Byte(&len)) return false;
  switch (len) {
    case 255:
      *v = -std::numeric_limits<double>::infinity();
      return true;
    case 254:
      *v = std::numeric_limits<double>::infinity();
      return true;
    case 253:
      *v = std::numeric_limits<double>::quiet_NaN();
      return true;
    default: {
      std::string_view bytes;
      if (!Raw(len, &bytes)) return false;
      // Redis reads it with sscanf("%lg"): a leading number is enough.
      std::string text(bytes);
      char* end = nullptr;
      *v = std::strtod(text.c_str(), &end);
      return end != text.c_str();
    }
  }
}

bool Reader::Millis(int64_t* ms) {
  std::string_view bytes;
  if (!Raw(8, &bytes)) return false;
  *ms = static_cast<int64_t>(LoadLE(bytes.data(), 8));
  return true;
}

std::string PackedEntry::ToString() const { return is_int ? FormatInt64(integer) : std::string(str); }

std::optional<int64_t> PackedEntry::AsInt() const {
  if (is_int) return integer;
  return ParseInt64(str);
}

void ListpackWriter::AppendBacklen(size_t entry_size) { EncodeBacklen(entry_size, &body_); }

void ListpackWriter::AppendInteger(int64_t v) {
  ++count_;
  if (v >= 0 && v <= 127) {
    body_.push_back(static_cast<char>(v));
    AppendBacklen(1);
  } else if (v >= -4096 && v <= 4095) {
    const uint64_t u = v < 0 ? static_cast<uint64_t>((1 << 13) + v) : static_cast<uint64_t>(v);
    body_.push_back(static_cast<char>((u >> 8) | 0xC0));
    body_.push_back(static_cast<char>(u & 0xFF));
    AppendBacklen(2);
  } else {
    uint8_t tag;
    size_t n;
    if (v >= -32768 && v <= 32767) {
      tag = 0xF1, n = 2;
    } else if (v >= -8388608 && v <= 8388607) {
      tag = 0xF2, n = 3;
    } else if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
      tag = 0xF3, n = 4;
    } else {
      tag = 0xF4, n = 8;
    }
    body_.push_back(static_cast<char>(tag));
    StoreLE(&body_, static_cast<uint64_t>(v), n);
    AppendBacklen(1 + n);
  }
}

void ListpackWriter::Append(std::string_view s) {
  if (std::optional<int64_t> v = ParseInt64(s)) {
    AppendInteger(*v);
    return;
  }
  ++count_;
  size_t header;
  if (s.size() < 64) {
    body_.push_back(static_cast<char>(0x80 | s.size()));
    header = 1;
  } else if (s.size() < 4096) {
    body_.push_back(static_cast<char>(0xE0 | (s.size() >> 8)));
    body_.push_back(static_cast<char>(s.size() & 0xFF));
    header = 2;
  } else {
    body_.push_back(static_cast<char>(0xF0));
    StoreLE(&body_, s.size(), 4);
    header = 5;
  }
  body_.append(s);
  AppendBacklen(header + s.size());
}

std::string ListpackWriter::Finish() const {
  std::string lp;
  lp.reserve(bytes());
  StoreLE(&lp, bytes(), 4);
  StoreLE(&lp, count_ < kListpackCountUnknown ? count_ : kListpackCountUnknown, 2);
  lp.append(body_);
  lp.push_back(static_cast<char>(kListpackEnd));
  return lp;
}

std::optional<std::vector<PackedEntry>> ParseListpack(std::string_view lp) {
  const size_t size = lp.size();
  if (size < ListpackWriter::kHeaderSize + 1) return std::nullopt;
  if (LoadLE(lp.data(), 4) != size) return std::nullopt;
  if (static_cast<uint8_t>(lp[size - 1]) != kListpackEnd) return std::nullopt;
  const size_t end = size - 1;  // the terminator
  const uint64_t claimed = LoadLE(lp.data() + 4, 2);
  const auto at = [&](size_t i) { return static_cast<uint8_t>(lp[i]); };

  std::vector<PackedEntry> entries;
  size_t p = ListpackWriter::kHeaderSize;
  std::string backlen;
  while (p < end) {
    const uint8_t b = at(p);
    PackedEntry e;
    uint64_t header = 0, data = 0;
    if ((b & 0x80) == 0) {
      e.is_int = true, e.integer = b, header = 1;
    } else if ((b & 0xC0) == 0x80) {
      header = 1, data = b & 0x3F;
    } else if ((b & 0xE0) == 0xC0) {
      if (p + 2 > end) return std::nullopt;
      e.is_int = true, header = 2;
      e.integer = SignExtend((static_cast<uint64_t>(b & 0x1F) << 8) | at(p + 1), 13);
    } else if ((b & 0xF0) == 0xE0) {
      if (p + 2 > end) return std::nullopt;
      header = 2, data = (static_cast<uint64_t>(b & 0x0F) << 8) | at(p + 1);
    } else if (b == 0xF0) {
      if (p + 5 > end) return std::nullopt;
      header = 5, data = LoadLE(lp.data() + p + 1, 4);
    } else if (b >= 0xF1 && b <= 0xF4) {
      const size_t n = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
      if (p + 1 + n > end) return std::nullopt;
      e.is_int = true, header = 1 + n;
      e.integer = SignExtend(LoadLE(lp.data() + p + 1, n), static_cast<unsigned>(8 * n));
    } else {
      return std::nullopt;  // 0xF5..0xFE are no encoding; 0xFF would be the terminator
    }
    const uint64_t entry_size = header + data;
    if (entry_size > end - p) return std::nullopt;
    if (!e.is_int) e.str = lp.substr(p + header, data);
    backlen.clear();
    EncodeBacklen(entry_size, &backlen);
    if (backlen.size() > end - p - entry_size) return std::nullopt;
    if (lp.compare(p + entry_size, backlen.size(), backlen) != 0) return std::nullopt;
    p += entry_size + backlen.size();
    entries.push_back(e);
  }
  if (claimed != kListpackCountUnknown && claimed != entries.size()) return std::nullopt;
  return entries;
}

std::optional<std::vector<PackedEntry>> ParseZiplist(std::string_view zl) {
  const size_t size = zl.size();
  if (size < kZiplistHeaderSize + 1) return std::nullopt;
  if (LoadLE(zl.data(), 4) != size) return std::nullopt;
  if (static_cast<uint8_t>(zl[size - 1]) != kListpackEnd) return std::nullopt;
  const uint64_t tail = LoadLE(zl.data() + 4, 4);
  const uint64_t claimed = LoadLE(zl.data() + 8, 2);
  const size_t end = size - 1;
  const auto at = [&](size_t i) { return static_cast<uint8_t>(zl[i]); };

  std::vector<PackedEntry> entries;
  size_t p = kZiplistHeaderSize;
  size_t last = kZiplistHeaderSize;
  uint64_t prev_size = 0;
  while (p < end) {
    const size_t start = p;
    uint64_t prevlen;
    if (at(p) < 254) {
      prevlen = at(p), p += 1;
    } else if (at(p) == 254) {
      if (p + 5 > end) return std::nullopt;
      prevlen = LoadLE(zl.data() + p + 1, 4), p += 5;
    } else {
      return std::nullopt;
    }
    if (prevlen != prev_size || p >= end) return std::nullopt;
    const uint8_t b = at(p);
    PackedEntry e;
    uint64_t header = 1, data = 0;
    switch (b >> 6) {
      case 0:
        data = b & 0x3F;
        break;
      case 1:
        if (p + 2 > end) return std::nullopt;
        header = 2, data = (static_cast<uint64_t>(b & 0x3F) << 8) | at(p + 1);
        break;
      case 2:
        if (p + 5 > end) return std::nullopt;
        header = 5, data = LoadBE(zl.data() + p + 1, 4);
        break;
      default: {
        e.is_int = true;
        size_t n;
        if (b == 0xC0) {
          n = 2;
        } else if (b == 0xD0) {
          n = 4;
        } else if (b == 0xE0) {
          n = 8;
        } else if (b == 0xF0) {
          n = 3;
        } else if (b == 0xFE) {
          n = 1;
        } else if (b >= 0xF1 && b <= 0xFD) {
          n = 0, e.integer = (b & 0x0F) - 1;
        } else {
          return std::nullopt;
        }
        if (n > 0) {
          if (p + 1 + n > end) return std::nullopt;
          e.integer = SignExtend(LoadLE(zl.data() + p + 1, n), static_cast<unsigned>(8 * n));
        }
        header = 1 + n;
      }
    }
    if (header + data > end - p) return std::nullopt;
    if (!e.is_int) e.str = zl.substr(p + header, data);
    p += header + data;
    prev_size = p - start;
    last = start;
    entries.push_back(e);
  }
  if (tail != last) return std::nullopt;
  if (claimed != kZiplistCountUnknown && claimed != entries.size()) return std::nullopt;
  return entries;
}

std::optional<std::vector<int64_t>> ParseIntset(std::string_view is) {
  constexpr size_t kHeader = 8;
  if (is.size() < kHeader) return std::nullopt;
  const uint64_t width = LoadLE(is.data(), 4);
  const uint64_t count = LoadLE(is.data() + 4, 4);
  if (width != 2 && width != 4 && width != 8) return std::nullopt;
  if ((is.size() - kHeader) / width != count || (is.size() - kHeader) % width != 0) {
    return std::nullopt;
  }
  std::vector<int64_t> values;
  values.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const int64_t v = SignExtend(LoadLE(is.data() + kHeader + i * width, width),
                                 static_cast<unsigned>(8 * width));
    if (!values.empty() && v <= values.back()) return std::nullopt;
    values.push_back(v);
  }
  return values;
}

std::string BuildIntset(const std::vector<int64_t>& ascending) {
  size_t width = 2;
  for (int64_t v : ascending) {
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      width = 8;
      break;
    }
    if (v < std::numeric_limits<int16_t>::min() || v > std::numeric_limits<int16_t>::max()) {
      width = 4;
    }
  }
  std::string out;
  out.reserve(8 + width * ascending.size());
  StoreLE(&out, width, 4);
  StoreLE(&out, ascending.size(), 4);
  for (int64_t v : ascending) StoreLE(&out, static_cast<uint64_t>(v), width);
  return out;
}

std::optional<std::vector<std::pair<std::string_view, std::string_view>>> ParseZipmap(
    std::string_view zm) {
  if (zm.size() < 2) return std::nullopt;
  const size_t end = zm.size() - 1;
  const auto at = [&](size_t i) { return static_cast<uint8_t>(zm[i]); };
  // A length: one byte below 254, else 254 and 4 bytes.
  const auto read_len = [&](size_t* p, uint64_t* len) {
    if (*p >= end) return false;
    if (at(*p) < kZipmapBigLen) {
      *len = at((*p)++);
      return true;
    }
    if (at(*p) != kZipmapBigLen || *p + 5 > end) return false;
    *len = LoadLE(zm.data() + *p + 1, 4);
    *p += 5;
    return true;
  };
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  size_t p = 1;
  while (p < end && at(p) != kZipmapEnd) {
    uint64_t field_len, value_len;
    if (!read_len(&p, &field_len) || field_len > end - p) return std::nullopt;
    std::string_view field = zm.substr(p, field_len);
    p += field_len;
    if (!read_len(&p, &value_len) || p >= end) return std::nullopt;
    const uint64_t free = at(p++);
    if (value_len > end - p || free > end - p - value_len) return std::nullopt;
    pairs.emplace_back(field, zm.substr(p, value_len));
    p += value_len + free;
  }
  if (p != end || at(end) != kZipmapEnd) return std::nullopt;
  if (at(0) < kZipmapBigLen && at(0) != pairs.size()) return std::nullopt;
  return pairs;
}

}  // namespace respd::storage::rdb
