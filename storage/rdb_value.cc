// Per-type RDB codecs (rdb.c's rdbSaveObject and rdbLoadObject for Redis 7.0), built on the
// primitives of rdb_format.h. Reading validates deeply, as Redis with sanitize-dump-payload yes:
// duplicates, empty values, bad containers and claimed counts larger than the input are errors.
#include "storage/rdb_value.h"

#include <cmath>
#include <limits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/list_pack.h"
#include "storage/numbers.h"
#include "storage/rdb_stream.h"
#include "storage/set.h"

namespace respd::storage::rdb {
namespace {

// quicklist.h's node containers.
constexpr uint64_t kContainerPlain = 1;
constexpr uint64_t kContainerPacked = 2;
constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();

// Redis's double2ll: a score a listpack stores as an integer.
std::optional<int64_t> IntegralScore(double score) {
  constexpr double kLimit = static_cast<double>(std::numeric_limits<int64_t>::max() / 2);
  if (score < -kLimit || score > kLimit) return std::nullopt;
  const auto v = static_cast<int64_t>(score);
  if (static_cast<double>(v) != score) return std::nullopt;
  return v;
}

void WriteList(const List& list, Writer& w) {
  w.Byte(kTypeListQuicklist2);
  w.Length(list.NodeCount());
  for (size_t n = 0; n < list.NodeCount(); ++n) {
    const ListPack& node = list.NodeAt(n);
    ListpackWriter lp;
    size_t next = 0;
    for (size_t pos = node.Begin(); pos < node.End(); pos = next) lp.Append(node.GetNext(pos, &next));
    w.Length(kContainerPacked);
    w.String(lp.Finish());
  }
}

void WriteSet(const Set& set, Writer& w) {
  if (set.Encoding() == "intset") {
    std::vector<int64_t> ints;
    ints.reserve(set.Length());
    set.ForEach([&](std::string_view member) { ints.push_back(*ParseInt64(member)); });
    w.Byte(kTypeSetIntset);
    w.String(BuildIntset(ints));
    return;
  }
  w.Byte(kTypeSet);
  w.Length(set.Length());
  set.ForEach([&](std::string_view member) { w.String(member); });
}

void WriteZSet(const ZSet& zset, Writer& w) {
  if (zset.Encoding() == "listpack") {
    ListpackWriter lp;
    zset.ForRange(0, zset.Length(), false, [&](std::string_view member, double score) {
      lp.Append(member);
      if (std::optional<int64_t> v = IntegralScore(score)) {
        lp.AppendInteger(*v);
      } else {
        lp.Append(FormatDouble(score));
      }
    });
    w.Byte(kTypeZSetListpack);
    w.String(lp.Finish());
    return;
  }
  // Redis writes a skiplist from its tail so that loading inserts at the head.
  w.Byte(kTypeZSet2);
  w.Length(zset.Length());
  zset.ForRange(0, zset.Length(), true, [&](std::string_view member, double score) {
    w.String(member);
    w.BinaryDouble(score);
  });
}

void WriteHash(const Hash& hash, Writer& w) {
  if (hash.Encoding() == "listpack") {
    ListpackWriter lp;
    hash.ForEach([&](std::string_view field, std::string_view value) {
      lp.Append(field);
      lp.Append(value);
    });
    w.Byte(kTypeHashListpack);
    w.String(lp.Finish());
    return;
  }
  w.Byte(kTypeHash);
  w.Length(hash.Length());
  hash.ForEach([&](std::string_view field, std::string_view value) {
    w.String(field);
    w.String(value);
  });
}

// A count of elements each taking at least one byte cannot exceed the bytes left.
bool ReadCount(Reader& r, uint64_t* count) {
  return r.Length(count) && *count > 0 && *count <= r.remaining();
}

Value Wrap(std::unique_ptr<Object> object) {
  Value v;
  v.object = std::move(object);
  return v;
}

std::optional<Value> ReadPlainList(Reader& r, const LoadLimits& limits) {
  uint64_t count;
  if (!ReadCount(r, &count)) return std::nullopt;
  auto list = std::make_unique<List>();
  std::string element;
  for (uint64_t i = 0; i < count; ++i) {
    if (!r.String(&element)) return std::nullopt;
    list->Push(ListEnd::kTail, element, limits.list_fill);
  }
  return Wrap(std::move(list));
}

ListPack PackOf(const std::vector<PackedEntry>& entries) {
  ListPack node;
  for (const PackedEntry& e : entries) node.PushBack(e.ToString());
  return node;
}

// RDB_TYPE_LIST_QUICKLIST (ziplist nodes) and _2 (listpack or plain nodes): nodes are kept as
// they were dumped, empty ones dropped.
std::optional<Value> ReadQuicklist(uint8_t type, Reader& r) {
  uint64_t nodes;
  if (!ReadCount(r, &nodes)) return std::nullopt;
  auto list = std::make_unique<List>();
  std::string data;
  for (uint64_t n = 0; n < nodes; ++n) {
    uint64_t container = kContainerPacked;
    if (type == kTypeListQuicklist2) {
      if (!r.Length(&container)) return std::nullopt;
      if (container != kContainerPacked && container != kContainerPlain) return std::nullopt;
    }
    if (!r.String(&data) || data.empty()) return std::nullopt;
    if (container == kContainerPlain) {
      ListPack node;
      node.PushBack(data);
      list->AppendNode(std::move(node));
      continue;
    }
    std::optional<std::vector<PackedEntry>> entries =
        type == kTypeListQuicklist2 ? ParseListpack(data) : ParseZiplist(data);
    if (!entries) return std::nullopt;
    if (!entries->empty()) list->AppendNode(PackOf(*entries));
  }
  if (list->Length() == 0) return std::nullopt;
  return Wrap(std::move(list));
}

std::optional<Value> ReadSet(Reader& r, const LoadLimits& limits) {
  uint64_t count;
  if (!ReadCount(r, &count)) return std::nullopt;
  std::unique_ptr<Set> set;
  std::string member;
  for (uint64_t i = 0; i < count; ++i) {
    if (!r.String(&member)) return std::nullopt;
    if (!set) set = Set::New(member);
    if (!set->Add(member, limits.set_max_intset_entries)) return std::nullopt;
  }
  return Wrap(std::move(set));
}

std::optional<Value> ReadIntset(std::string_view blob, const LoadLimits& limits) {
  std::optional<std::vector<int64_t>> ints = ParseIntset(blob);
  if (!ints || ints->empty()) return std::nullopt;
  std::unique_ptr<Set> set = Set::NewIntset();
  for (int64_t v : *ints) set->Add(FormatInt64(v), limits.set_max_intset_entries);
  return Wrap(std::move(set));
}

// Members must be distinct, scores numbers; `limits` decide the encoding as ZSet::Build does.
std::optional<Value> BuildZSet(std::vector<std::pair<std::string, double>> elements,
                               const ZSetLimits& limits) {
  if (elements.empty()) return std::nullopt;
  std::unordered_set<std::string> seen;
  for (const auto& [member, score] : elements) {
    if (std::isnan(score) || !seen.insert(member).second) return std::nullopt;
  }
  return Wrap(ZSet::Build(std::move(elements), limits));
}

std::optional<Value> ReadSkiplistZSet(uint8_t type, Reader& r, const LoadLimits& limits) {
  uint64_t count;
  if (!ReadCount(r, &count)) return std::nullopt;
  std::vector<std::pair<std::string, double>> elements;
  for (uint64_t i = 0; i < count; ++i) {
    std::string member;
    double score;
    if (!r.String(&member)) return std::nullopt;
    if (!(type == kTypeZSet2 ? r.BinaryDouble(&score) : r.TextDouble(&score))) return std::nullopt;
    elements.emplace_back(std::move(member), score);
  }
  return BuildZSet(std::move(elements), limits.zset);
}

// A listpack or ziplist of member, score pairs: listpack unless longer than the entry limit.
std::optional<Value> ReadPackedZSet(const std::vector<PackedEntry>& entries,
                                    const LoadLimits& limits) {
  if (entries.size() % 2 != 0) return std::nullopt;
  std::vector<std::pair<std::string, double>> elements;
  for (size_t i = 0; i < entries.size(); i += 2) {
    const PackedEntry& score = entries[i + 1];
    std::optional<double> value = score.is_int ? static_cast<double>(score.integer)
                                               : ParseDouble(score.str);
    if (!value) return std::nullopt;
    elements.emplace_back(entries[i].ToString(), *value);
  }
  ZSetLimits packed = limits.zset;
  packed.max_listpack_value = kUnlimited;
  return BuildZSet(std::move(elements), packed);
}

std::optional<Value> ReadHash(Reader& r, const LoadLimits& limits) {
  uint64_t count;
  if (!ReadCount(r, &count)) return std::nullopt;
  auto hash = std::make_unique<Hash>();
  std::string field, value;
  for (uint64_t i = 0; i < count; ++i) {
    if (!r.String(&field) || !r.String(&value)) return std::nullopt;
    if (!hash->Set(field, value, limits.hash)) return std::nullopt;
  }
  return Wrap(std::move(hash));
}

// Field/value pairs of a packed hash; `hash_limits` decide whether it stays a listpack.
std::optional<Value> BuildPackedHash(
    const std::vector<std::pair<std::string, std::string>>& pairs, const HashLimits& limits) {
  if (pairs.empty()) return std::nullopt;
  auto hash = std::make_unique<Hash>();
  for (const auto& [field, value] : pairs) {
    if (!hash->Set(field, value, limits)) return std::nullopt;
  }
  return Wrap(std::move(hash));
}

std::optional<Value> ReadPackedHash(const std::vector<PackedEntry>& entries,
                                    const LoadLimits& limits) {
  if (entries.size() % 2 != 0) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < entries.size(); i += 2) {
    pairs.emplace_back(entries[i].ToString(), entries[i + 1].ToString());
  }
  // A dumped listpack stays one whatever its values' lengths, unless it has too many fields.
  HashLimits packed = limits.hash;
  packed.max_listpack_value = kUnlimited;
  return BuildPackedHash(pairs, packed);
}

std::optional<Value> ReadEncodedBlob(uint8_t type, Reader& r, const LoadLimits& limits) {
  std::string blob;
  if (!r.String(&blob)) return std::nullopt;
  switch (type) {
    case kTypeSetIntset:
      return ReadIntset(blob, limits);
    case kTypeListZiplist: {
      std::optional<std::vector<PackedEntry>> entries = ParseZiplist(blob);
      if (!entries || entries->empty()) return std::nullopt;
      auto list = std::make_unique<List>();
      for (const PackedEntry& e : *entries) list->Push(ListEnd::kTail, e.ToString(), limits.list_fill);
      return Wrap(std::move(list));
    }
    case kTypeZSetZiplist:
    case kTypeZSetListpack: {
      std::optional<std::vector<PackedEntry>> entries =
          type == kTypeZSetListpack ? ParseListpack(blob) : ParseZiplist(blob);
      if (!entries) return std::nullopt;
      return ReadPackedZSet(*entries, limits);
    }
    case kTypeHashZiplist:
    case kTypeHashListpack: {
      std::optional<std::vector<PackedEntry>> entries =
          type == kTypeHashListpack ? ParseListpack(blob) : ParseZiplist(blob);
      if (!entries) return std::nullopt;
      return ReadPackedHash(*entries, limits);
    }
    case kTypeHashZipmap: {
      auto zipmap = ParseZipmap(blob);
      if (!zipmap) return std::nullopt;
      std::vector<std::pair<std::string, std::string>> pairs;
      for (const auto& [field, value] : *zipmap) pairs.emplace_back(field, value);
      // Redis converts a loaded zipmap by both limits.
      return BuildPackedHash(pairs, limits.hash);
    }
    default:
      return std::nullopt;
  }
}

void StoreLE(std::string* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t LoadLE(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = bytes.size(); i-- > 0;) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

}  // namespace

void WriteStringValue(std::string_view s, Writer& w) {
  w.Byte(kTypeString);
  w.String(s);
}

void WriteObjectValue(const Object& object, Writer& w) {
  switch (object.type()) {
    case ValueType::kList:
      return WriteList(static_cast<const List&>(object), w);
    case ValueType::kSet:
      return WriteSet(static_cast<const Set&>(object), w);
    case ValueType::kZSet:
      return WriteZSet(static_cast<const ZSet&>(object), w);
    case ValueType::kHash:
      return WriteHash(static_cast<const Hash&>(object), w);
    case ValueType::kStream:
      return WriteStream(static_cast<const Stream&>(object), w);
    case ValueType::kString:  // strings live in their entries, never as objects
      return;
  }
}

std::optional<Value> ReadValue(uint8_t type, Reader& r, const LoadLimits& limits) {
  switch (type) {
    case kTypeString: {
      Value v;
      if (!r.String(&v.str)) return std::nullopt;
      return v;
    }
    case kTypeList:
      return ReadPlainList(r, limits);
    case kTypeListQuicklist:
    case kTypeListQuicklist2:
      return ReadQuicklist(type, r);
    case kTypeSet:
      return ReadSet(r, limits);
    case kTypeZSet:
    case kTypeZSet2:
      return ReadSkiplistZSet(type, r, limits);
    case kTypeHash:
      return ReadHash(r, limits);
    case kTypeHashZipmap:
    case kTypeListZiplist:
    case kTypeSetIntset:
    case kTypeZSetZiplist:
    case kTypeHashZiplist:
    case kTypeHashListpack:
    case kTypeZSetListpack:
      return ReadEncodedBlob(type, r, limits);
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2: {
      std::unique_ptr<Stream> stream = ReadStream(r, type);
      if (stream == nullptr) return std::nullopt;
      Value v;
      v.object = std::move(stream);
      return v;
    }
    default:  // modules
      return std::nullopt;
  }
}

std::string FinishPayload(std::string value_bytes) {
  StoreLE(&value_bytes, kVersion, 2);
  const uint64_t crc = Crc64(0, value_bytes);
  StoreLE(&value_bytes, crc, 8);
  return value_bytes;
}

bool PayloadTrailerValid(std::string_view payload) {
  if (payload.size() < kTrailerSize) return false;
  const std::string_view trailer = payload.substr(payload.size() - kTrailerSize);
  if (LoadLE(trailer.substr(0, 2)) > kVersion) return false;
  return Crc64(0, payload.substr(0, payload.size() - 8)) == LoadLE(trailer.substr(2));
}

std::optional<Value> ReadPayload(std::string_view payload, const LoadLimits& limits) {
  Reader r(payload);
  uint8_t type;
  if (!r.Byte(&type)) return std::nullopt;
  return ReadValue(type, r, limits);
}

}  // namespace respd::storage::rdb
