// Encoding of ListPack entries (see list_pack.h).
#include "storage/list_pack.h"

#include "storage/varint.h"

namespace respd::storage {
namespace {

// Forward varint: low 7 bits first, high bit set while more follow.
size_t WriteVarint(char* p, size_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<char>(v);
  return n;
}

size_t ReadVarint(const char* p, size_t* v) {
  size_t value = 0;
  size_t n = 0;
  for (;;) {
    auto b = static_cast<unsigned char>(p[n]);
    value |= static_cast<size_t>(b & 0x7f) << (7 * n);
    ++n;
    if (!(b & 0x80)) break;
  }
  *v = value;
  return n;
}

// Back-length: the same groups stored most significant first, so the last byte holds the low
// bits and a set high bit means more bytes precede it.
void WriteBackLen(char* p, size_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    char group = static_cast<char>((v >> (7 * i)) & 0x7f);
    p[n - 1 - i] = static_cast<char>(group | (i + 1 < n ? 0x80 : 0));
  }
}

// Reads the back-length ending just before `end`; returns the entry's total size.
size_t ReadBackLen(const char* end) {
  size_t value = 0;
  size_t i = 0;
  for (;;) {
    auto b = static_cast<unsigned char>(end[-1 - static_cast<ptrdiff_t>(i)]);
    value |= static_cast<size_t>(b & 0x7f) << (7 * i);
    ++i;
    if (!(b & 0x80)) break;
  }
  return value + i;
}

size_t EncodedSize(size_t len) {
  size_t body = VarintSize(len) + len;
  return body + VarintSize(body);
}

void Encode(char* p, std::string_view value) {
  size_t head = WriteVarint(p, value.size());
  if (!value.empty()) std::char_traits<char>::copy(p + head, value.data(), value.size());
  size_t body = head + value.size();
  WriteBackLen(p + body, body, VarintSize(body));
}

}  // namespace

size_t ListPack::EntrySize(size_t pos) const {
  size_t len;
  size_t head = ReadVarint(buf_.data() + pos, &len);
  return head + len + VarintSize(head + len);
}

size_t ListPack::Next(size_t pos) const { return pos + EntrySize(pos); }

size_t ListPack::Prev(size_t pos) const { return pos - ReadBackLen(buf_.data() + pos); }

std::string_view ListPack::Get(size_t pos) const {
  size_t len;
  size_t head = ReadVarint(buf_.data() + pos, &len);
  return {buf_.data() + pos + head, len};
}

std::string_view ListPack::GetNext(size_t pos, size_t* next) const {
  size_t len;
  size_t head = ReadVarint(buf_.data() + pos, &len);
  *next = pos + head + len + VarintSize(head + len);
  return {buf_.data() + pos + head, len};
}

size_t ListPack::Seek(size_t index) const {
  if (index < count_ / 2) {
    size_t pos = Begin();
    while (index-- > 0) pos = Next(pos);
    return pos;
  }
  size_t pos = End();
  for (size_t back = count_ - index; back > 0; --back) pos = Prev(pos);
  return pos;
}

void ListPack::Insert(size_t pos, std::string_view value) {
  size_t size = EncodedSize(value.size());
  buf_.insert(pos, size, '\0');
  Encode(buf_.data() + pos, value);
  ++count_;
}

void ListPack::Erase(size_t pos) {
  buf_.erase(pos, EntrySize(pos));
  --count_;
}

void ListPack::EraseRange(size_t from, size_t to, size_t n) {
  buf_.erase(from, to - from);
  count_ -= static_cast<uint32_t>(n);
}

void ListPack::Replace(size_t pos, std::string_view value) {
  size_t old_size = EntrySize(pos);
  size_t new_size = EncodedSize(value.size());
  if (new_size != old_size) buf_.replace(pos, old_size, new_size, '\0');
  Encode(buf_.data() + pos, value);
}

ListPack ListPack::SplitAt(size_t pos) {
  ListPack tail;
  for (size_t p = pos; p < End(); p = Next(p)) ++tail.count_;
  tail.buf_.assign(buf_, pos);
  buf_.resize(pos);
  count_ -= tail.count_;
  return tail;
}

}  // namespace respd::storage
