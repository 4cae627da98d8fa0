// HyperLogLog encodings, estimator and the PF* writes on the keyspace. See hyperloglog.h for the
// layout. Depends on storage only.
#include "storage/hyperloglog.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "storage/key_ops.h"

namespace respd::storage {
namespace {

constexpr uint64_t kHllSeed = 0xadc83b19;
constexpr uint8_t kEncodingDense = 0;
constexpr uint8_t kEncodingSparse = 1;
constexpr size_t kEncodingOffset = 4;
constexpr size_t kCacheOffset = 8;
constexpr uint8_t kCacheStaleBit = 0x80;  // in the cache's last byte
constexpr int kRegisterBits = 6;
constexpr uint8_t kRegisterMask = (1u << kRegisterBits) - 1;
constexpr size_t kDenseRegisterBytes = kHllDenseSize - kHllHeaderSize;

constexpr int kZeroMaxLen = 64;
constexpr int kXZeroMaxLen = 16384;
constexpr int kValMaxValue = 32;
constexpr int kValMaxLen = 4;
constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)

// Sparse opcodes. A read past the end of the string sees 0, as Redis's sds terminator reads.
bool IsZero(uint8_t op) { return (op & 0xc0) == 0; }
bool IsXZero(uint8_t op) { return (op & 0xc0) == 0x40; }
bool IsVal(uint8_t op) { return (op & 0x80) != 0; }
int ZeroLen(uint8_t op) { return (op & 0x3f) + 1; }
int XZeroLen(uint8_t op, uint8_t next) { return (((op & 0x3f) << 8) | next) + 1; }
int ValValue(uint8_t op) { return ((op >> 2) & 0x1f) + 1; }
int ValLen(uint8_t op) { return (op & 0x3) + 1; }
char ValOp(int value, int len) { return static_cast<char>(0x80 | ((value - 1) << 2) | (len - 1)); }
char ZeroOp(int len) { return static_cast<char>(len - 1); }
void AppendXZero(std::string& out, int len) {
  out += static_cast<char>(0x40 | ((len - 1) >> 8));
  out += static_cast<char>((len - 1) & 0xff);
}
// A run of zero registers in the shortest opcode.
void AppendZeros(std::string& out, int len) {
  if (len > kZeroMaxLen) {
    AppendXZero(out, len);
  } else {
    out += ZeroOp(len);
  }
}

uint8_t ByteAt(std::string_view s, size_t i) {
  return i < s.size() ? static_cast<uint8_t>(s[i]) : 0;
}

uint8_t Encoding(std::string_view hll) { return static_cast<uint8_t>(hll[kEncodingOffset]); }

// Dense registers start at `regs` and span kDenseRegisterBytes; the last register's second byte
// would be past them and holds nothing.
uint8_t GetDense(const uint8_t* regs, size_t index) {
  size_t byte = index * kRegisterBits / 8;
  unsigned shift = index * kRegisterBits % 8;
  unsigned b0 = regs[byte];
  unsigned b1 = byte + 1 < kDenseRegisterBytes ? regs[byte + 1] : 0;
  return static_cast<uint8_t>(((b0 >> shift) | (b1 << (8 - shift))) & kRegisterMask);
}

void SetDense(uint8_t* regs, size_t index, uint8_t value) {
  size_t byte = index * kRegisterBits / 8;
  unsigned shift = index * kRegisterBits % 8;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(kRegisterMask << shift)) | (value << shift));
  if (byte + 1 < kDenseRegisterBytes) {
    unsigned high = 8 - shift;
    regs[byte + 1] =
        static_cast<uint8_t>((regs[byte + 1] & ~(kRegisterMask >> high)) | (value >> high));
  }
}

uint8_t* DenseRegisters(std::string& hll) {
  return reinterpret_cast<uint8_t*>(hll.data()) + kHllHeaderSize;
}
const uint8_t* DenseRegisters(std::string_view hll) {
  return reinterpret_cast<const uint8_t*>(hll.data()) + kHllHeaderSize;
}

bool DenseSet(std::string& hll, size_t index, uint8_t count) {
  uint8_t* regs = DenseRegisters(hll);
  if (count <= GetDense(regs, index)) return false;
  SetDense(regs, index, count);
  return true;
}

// Calls fn(first_register, run_length, value) for each VAL of a sparse body. Returns the number
// of registers covered, which is kHllRegisters exactly when the body is valid. A VAL running past
// the last register stops the walk as corrupt (Debian's 7.0.15 carries the fix for
// CVE-2025-32023, which refuses it where upstream 7.0.15 accepted it).
template <typename Fn>
size_t ForEachSparseRun(std::string_view hll, Fn&& fn) {
  size_t index = 0;
  size_t p = kHllHeaderSize;
  while (p < hll.size()) {
    uint8_t op = ByteAt(hll, p);
    if (IsZero(op)) {
      index += ZeroLen(op);
      p += 1;
    } else if (IsXZero(op)) {
      index += XZeroLen(op, ByteAt(hll, p + 1));
      p += 2;
    } else {
      size_t len = ValLen(op);
      if (index + len > kHllRegisters) return kHllRegisters + 1;
      fn(index, len, static_cast<uint8_t>(ValValue(op)));
      index += len;
      p += 1;
    }
  }
  return index;
}

// Redis's hllSparseSet once the count fits a VAL: locate the opcode covering `index`, split it
// around the register, then merge equal VAL neighbours starting from the opcode before it.
std::optional<bool> SparseSet(std::string& hll, size_t index, uint8_t count,
                              size_t sparse_max_bytes) {
  size_t p = kHllHeaderSize;
  size_t prev = 0;  // 0: none
  size_t first = 0;
  size_t span = 0;
  while (p < hll.size()) {
    uint8_t op = ByteAt(hll, p);
    size_t op_len = 1;
    if (IsZero(op)) {
      span = ZeroLen(op);
    } else if (IsVal(op)) {
      span = ValLen(op);
    } else {
      span = XZeroLen(op, ByteAt(hll, p + 1));
      op_len = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += op_len;
    first += span;
  }
  if (span == 0 || p >= hll.size()) return std::nullopt;

  uint8_t op = ByteAt(hll, p);
  bool is_val = IsVal(op), is_xzero = IsXZero(op);
  bool done = false;
  if (is_val) {
    if (ValValue(op) >= count) return false;
    if (ValLen(op) == 1) {
      hll[p] = ValOp(count, 1);
      done = true;
    }
  } else if (!is_xzero && ZeroLen(op) == 1) {
    hll[p] = ValOp(count, 1);
    done = true;
  }
  if (!done) {
    const size_t last = first + span - 1;
    std::string seq;
    if (is_val) {
      int value = ValValue(op);
      if (index != first) seq += ValOp(value, static_cast<int>(index - first));
      seq += ValOp(count, 1);
      if (index != last) seq += ValOp(value, static_cast<int>(last - index));
    } else {
      if (index != first) AppendZeros(seq, static_cast<int>(index - first));
      seq += ValOp(count, 1);
      if (index != last) AppendZeros(seq, static_cast<int>(last - index));
    }
    size_t old_len = is_xzero ? 2 : 1;
    if (seq.size() > old_len && hll.size() + seq.size() - old_len > sparse_max_bytes) {
      if (!HllToDense(hll)) return std::nullopt;
      return DenseSet(hll, index, count);
    }
    if (p + old_len < hll.size()) {
      hll.replace(p, old_len, seq);
    } else {
      // The opcode ends the body (or is cut short by its end). Redis then grows the length by
      // seq.size() - old_len from what it was, so a cut-short XZERO loses seq's last byte.
      size_t new_size = hll.size() + seq.size() - old_len;
      hll.resize(p);
      hll += seq;
      hll.resize(new_size);
    }
  }

  p = prev != 0 ? prev : kHllHeaderSize;
  for (int scan = 5; p < hll.size() && scan-- > 0;) {
    uint8_t cur = ByteAt(hll, p);
    if (IsXZero(cur)) {
      p += 2;
      continue;
    }
    if (IsZero(cur)) {
      p += 1;
      continue;
    }
    if (p + 1 < hll.size() && IsVal(ByteAt(hll, p + 1))) {
      uint8_t next = ByteAt(hll, p + 1);
      int value = ValValue(cur);
      int len = ValLen(cur) + ValLen(next);
      if (value == ValValue(next) && len <= kValMaxLen) {
        hll[p + 1] = ValOp(value, len);
        hll.erase(p, 1);
        // Stay on the merged opcode: it may merge with the one after it too.
        continue;
      }
    }
    p += 1;
  }
  HllInvalidateCache(hll);
  return true;
}

// Redis's hllTau and hllSigma (Ertl, "New cardinality estimation algorithms for HyperLogLog
// sketches", arXiv:1702.01284): series summed until the double stops changing.
double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0;
  double z = 1 - x;
  double z_prev;
  do {
    x = std::sqrt(x);
    z_prev = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prev != z);
  return z / 3;
}

double Sigma(double x) {
  if (x == 1.0) return std::numeric_limits<double>::infinity();
  double y = 1;
  double z = x;
  double z_prev;
  do {
    x *= x;
    z_prev = z;
    z += x * y;
    y += y;
  } while (z_prev != z);
  return z;
}

// Histogram of register values (dense registers hold up to 63).
using Histogram = std::array<int64_t, 64>;

uint64_t EstimateFromHistogram(const Histogram& histogram) {
  const double m = kHllRegisters;
  double z = m * Tau((m - static_cast<double>(histogram[kHllQ + 1])) / m);
  for (int j = kHllQ; j >= 1; --j) {
    z += static_cast<double>(histogram[j]);
    z *= 0.5;
  }
  z += m * Sigma(static_cast<double>(histogram[0]) / m);
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

}  // namespace

uint64_t MurmurHash64A(std::string_view data, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995;
  constexpr int r = 47;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  const size_t len = data.size();
  uint64_t h = seed ^ (len * m);
  size_t blocks = len / 8;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k = 0;
    for (int b = 7; b >= 0; --b) k = (k << 8) | bytes[i * 8 + b];
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const uint8_t* tail = bytes + blocks * 8;
  size_t rest = len & 7;
  if (rest > 0) {
    for (size_t b = rest; b-- > 0;) h ^= uint64_t{tail[b]} << (8 * b);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

HllPattern HllPatternOf(std::string_view element) {
  uint64_t hash = MurmurHash64A(element, kHllSeed);
  size_t index = hash & (kHllRegisters - 1);
  // The sentinel bit bounds the run of zeros, so the count is at most kHllQ + 1.
  hash = (hash >> kHllP) | (uint64_t{1} << kHllQ);
  uint8_t count = 1;
  for (uint64_t bit = 1; (hash & bit) == 0; bit <<= 1) ++count;
  return {index, count};
}

bool IsHll(std::string_view value) {
  if (value.size() < kHllHeaderSize || value.substr(0, 4) != "HYLL") return false;
  uint8_t encoding = Encoding(value);
  if (encoding > kEncodingSparse) return false;
  return encoding != kEncodingDense || value.size() == kHllDenseSize;
}

std::string NewHll() {
  std::string hll(kHllHeaderSize, '\0');
  std::memcpy(hll.data(), "HYLL", 4);
  hll[kEncodingOffset] = static_cast<char>(kEncodingSparse);
  for (size_t left = kHllRegisters; left > 0;) {
    size_t run = std::min<size_t>(left, kXZeroMaxLen);
    AppendXZero(hll, static_cast<int>(run));
    left -= run;
  }
  return hll;
}

std::optional<bool> HllSetRegister(std::string& hll, size_t index, uint8_t count,
                                   size_t sparse_max_bytes) {
  if (Encoding(hll) == kEncodingDense) return DenseSet(hll, index, count);
  if (count > kValMaxValue) {
    if (!HllToDense(hll)) return std::nullopt;
    return DenseSet(hll, index, count);
  }
  return SparseSet(hll, index, count, sparse_max_bytes);
}

std::optional<bool> HllAdd(std::string& hll, std::string_view element, size_t sparse_max_bytes) {
  HllPattern pattern = HllPatternOf(element);
  return HllSetRegister(hll, pattern.index, pattern.count, sparse_max_bytes);
}

bool HllToDense(std::string& hll) {
  if (Encoding(hll) == kEncodingDense) return true;
  std::string dense(kHllDenseSize, '\0');
  std::memcpy(dense.data(), hll.data(), kHllHeaderSize);
  dense[kEncodingOffset] = static_cast<char>(kEncodingDense);
  uint8_t* regs = DenseRegisters(dense);
  size_t covered = ForEachSparseRun(hll, [&](size_t first, size_t len, uint8_t value) {
    for (size_t i = first; i < first + len; ++i) SetDense(regs, i, value);
  });
  if (covered != kHllRegisters) return false;
  hll = std::move(dense);
  return true;
}

bool HllMergeInto(HllRegisters& max, std::string_view hll) {
  if (Encoding(hll) == kEncodingDense) {
    const uint8_t* regs = DenseRegisters(hll);
    for (size_t i = 0; i < kHllRegisters; ++i) max[i] = std::max(max[i], GetDense(regs, i));
    return true;
  }
  size_t covered = ForEachSparseRun(hll, [&](size_t first, size_t len, uint8_t value) {
    for (size_t i = first; i < first + len; ++i) max[i] = std::max(max[i], value);
  });
  return covered == kHllRegisters;
}

std::optional<uint64_t> HllEstimate(std::string_view hll) {
  Histogram histogram{};
  if (Encoding(hll) == kEncodingDense) {
    const uint8_t* regs = DenseRegisters(hll);
    for (size_t i = 0; i < kHllRegisters; ++i) ++histogram[GetDense(regs, i)];
    return EstimateFromHistogram(histogram);
  }
  size_t index = 0;
  for (size_t p = kHllHeaderSize; p < hll.size();) {
    uint8_t op = ByteAt(hll, p);
    if (IsZero(op)) {
      histogram[0] += ZeroLen(op);
      index += ZeroLen(op);
      p += 1;
    } else if (IsXZero(op)) {
      int len = XZeroLen(op, ByteAt(hll, p + 1));
      histogram[0] += len;
      index += len;
      p += 2;
    } else {
      histogram[ValValue(op)] += ValLen(op);
      index += ValLen(op);
      p += 1;
    }
  }
  if (index != kHllRegisters) return std::nullopt;
  return EstimateFromHistogram(histogram);
}

uint64_t HllEstimate(const HllRegisters& registers) {
  Histogram histogram{};
  for (uint8_t value : registers) ++histogram[value];
  return EstimateFromHistogram(histogram);
}

bool HllIsSparse(std::string_view hll) { return Encoding(hll) == kEncodingSparse; }

std::string HllDecodeSparse(std::string_view hll) {
  std::string out;
  for (size_t p = kHllHeaderSize; p < hll.size();) {
    if (!out.empty()) out += ' ';
    uint8_t op = ByteAt(hll, p);
    if (IsZero(op)) {
      out += "z:" + std::to_string(ZeroLen(op));
      p += 1;
    } else if (IsXZero(op)) {
      out += "Z:" + std::to_string(XZeroLen(op, ByteAt(hll, p + 1)));
      p += 2;
    } else {
      out += "v:" + std::to_string(ValValue(op)) + "," + std::to_string(ValLen(op));
      p += 1;
    }
  }
  return out;
}

std::optional<std::string> HllSelfTest(size_t sparse_max_bytes) {
  // A fixed seed: a failure must be reproducible.
  std::mt19937_64 rng(0x5eed);
  std::string dense(kHllDenseSize, '\0');
  uint8_t* regs = DenseRegisters(dense);
  std::array<uint8_t, kHllRegisters> expected;
  for (int round = 0; round < 100; ++round) {
    for (size_t i = 0; i < kHllRegisters; ++i) {
      expected[i] = static_cast<uint8_t>(rng() & kRegisterMask);
      SetDense(regs, i, expected[i]);
    }
    for (size_t i = 0; i < kHllRegisters; ++i) {
      if (GetDense(regs, i) != expected[i]) {
        return "TESTFAILED Register error at " + std::to_string(i) + ", expected " +
               std::to_string(expected[i]) + " but found " + std::to_string(GetDense(regs, i));
      }
    }
  }

  std::string sparse = NewHll();
  dense = NewHll();
  HllToDense(dense);
  const double relative_error = 1.04 / std::sqrt(static_cast<double>(kHllRegisters));
  const uint64_t seed = rng();
  uint64_t checkpoint = 1;
  for (uint64_t j = 1; j <= 1000000; ++j) {
    const uint64_t element = j ^ seed;
    const std::string_view bytes(reinterpret_cast<const char*>(&element), sizeof(element));
    HllAdd(dense, bytes);
    if (!HllAdd(sparse, bytes, sparse_max_bytes)) return "TESTFAILED sparse encoding corrupted";
    if (j != checkpoint) continue;
    if (j < sparse_max_bytes / 2 && !HllIsSparse(sparse)) {
      return "TESTFAILED sparse encoding not used";
    }
    const uint64_t estimate = *HllEstimate(dense);
    if (HllEstimate(sparse) != estimate) return "TESTFAILED dense/sparse disagree";
    // Cardinality 10 is allowed 1: collisions make a larger error there likely enough to fail
    // at random otherwise (Redis's own allowance).
    const uint64_t max_error =
        j == 10 ? 1 : static_cast<uint64_t>(std::ceil(relative_error * 6 * static_cast<double>(j)));
    const uint64_t error = estimate > j ? estimate - j : j - estimate;
    if (error > max_error) {
      return "TESTFAILED Too big error. card:" + std::to_string(j) +
             " abserr:" + std::to_string(error);
    }
    checkpoint *= 10;
  }
  return std::nullopt;
}

std::optional<uint64_t> HllCachedCardinality(std::string_view hll) {
  if (ByteAt(hll, kCacheOffset + 7) & kCacheStaleBit) return std::nullopt;
  uint64_t cardinality = 0;
  for (int i = 7; i >= 0; --i) cardinality = (cardinality << 8) | ByteAt(hll, kCacheOffset + i);
  return cardinality;
}

void HllSetCachedCardinality(std::string& hll, uint64_t cardinality) {
  for (int i = 0; i < 8; ++i) hll[kCacheOffset + i] = static_cast<char>(cardinality >> (8 * i));
}

void HllInvalidateCache(std::string& hll) {
  hll[kCacheOffset + 7] = static_cast<char>(ByteAt(hll, kCacheOffset + 7) | kCacheStaleBit);
}

namespace {

// PFADD and PFMERGE both report "pfadd", as in Redis.
constexpr KeyEvent kPfAddEvent{kEventString, "pfadd"};

// The HLL at `key`: kOk with `*found` null when the key is missing. `read`: a read lookup
// (counting a hit or a miss, reporting "keymiss"), as PFCOUNT's of one key; else a write lookup.
HllStatus FindHll(Database& db, std::string_view key, bool read, Entry** found) {
  OpResult<Entry*> entry =
      read ? db.FindReadTyped(key, ValueType::kString) : db.FindWriteTyped(key, ValueType::kString);
  *found = nullptr;
  if (entry.status() == OpStatus::kKeyNotFound) return HllStatus::kOk;
  if (!entry.ok()) return HllStatus::kWrongType;
  if (!IsHll((*entry)->str())) return HllStatus::kNotHll;
  *found = *entry;
  return HllStatus::kOk;
}

// Stores an HLL edited in a copy, keeping the key's TTL; the value reads as "raw" like Redis's
// unshared string.
void StoreHll(Database& db, std::string_view key, const std::string& hll) {
  db.SetString(key, hll, Entry::kNoExpire, true, StringEncoding::kRaw);
}

// Stores an HLL a PFADD or PFMERGE changed and reports it.
void StoreChangedHll(Database& db, std::string_view key, const std::string& hll) {
  StoreHll(db, key, hll);
  db.Notify(key, kPfAddEvent);
}

// Folds the HLLs at `keys` (missing ones are empty) into `max`; `*any_dense` tells whether one
// was dense.
HllStatus MergeKeys(Database& db, std::span<const std::string_view> keys, HllRegisters& max,
                    bool* any_dense) {
  for (std::string_view key : keys) {
    OpResult<Entry*> entry = db.FindReadTyped(key, ValueType::kString);
    if (entry.status() == OpStatus::kKeyNotFound) continue;
    if (!entry.ok()) return HllStatus::kWrongType;
    std::string_view value = (*entry)->str();
    if (!IsHll(value)) return HllStatus::kNotHll;
    if (Encoding(value) == kEncodingDense) *any_dense = true;
    if (!HllMergeInto(max, value)) return HllStatus::kCorrupt;
  }
  return HllStatus::kOk;
}

}  // namespace

HllStatus PfAdd(Database& db, std::string_view key, std::span<const std::string_view> elements,
                bool* changed, size_t sparse_max_bytes) {
  Entry* entry;
  HllStatus status = FindHll(db, key, /*read=*/false, &entry);
  if (status != HllStatus::kOk) return status;
  std::string hll = entry != nullptr ? std::string(entry->str()) : NewHll();
  // Redis counts the creation and each element that raised a register as a change.
  uint64_t changes = entry == nullptr ? 1 : 0;
  for (std::string_view element : elements) {
    std::optional<bool> added = HllAdd(hll, element, sparse_max_bytes);
    if (!added) {
      // Redis edits in place, so registers set before the corruption was found stay set.
      if (changes > 0) StoreHll(db, key, hll);
      *changed = changes > 0;
      return HllStatus::kCorrupt;
    }
    if (*added) ++changes;
  }
  *changed = changes > 0;
  if (!*changed) return HllStatus::kOk;
  HllInvalidateCache(hll);
  StoreChangedHll(db, key, hll);
  db.AddDirty(changes);
  return HllStatus::kOk;
}

HllStatus PfCount(Database& db, std::span<const std::string_view> keys, uint64_t* cardinality) {
  if (keys.size() > 1) {
    HllRegisters max{};
    bool any_dense = false;
    HllStatus status = MergeKeys(db, keys, max, &any_dense);
    if (status == HllStatus::kOk) *cardinality = HllEstimate(max);
    return status;
  }
  Entry* entry;
  HllStatus status = FindHll(db, keys[0], /*read=*/true, &entry);
  if (status != HllStatus::kOk) return status;
  *cardinality = 0;
  if (entry == nullptr) return HllStatus::kOk;
  std::optional<uint64_t> cached = HllCachedCardinality(entry->str());
  if (cached) {
    *cardinality = *cached;
    return HllStatus::kOk;
  }
  std::optional<uint64_t> estimate = HllEstimate(entry->str());
  if (!estimate) return HllStatus::kCorrupt;
  // A read that writes: the refreshed cache is part of the value, so WATCH sees it (as in Redis).
  std::string hll(entry->str());
  HllSetCachedCardinality(hll, *estimate);
  StoreHll(db, keys[0], hll);
  db.AddDirty();
  *cardinality = *estimate;
  return HllStatus::kOk;
}

HllStatus PfDebugRead(Database& db, std::string_view key, std::optional<std::string>* hll) {
  Entry* entry;
  HllStatus status = FindHll(db, key, /*read=*/false, &entry);
  if (status == HllStatus::kOk && entry != nullptr) *hll = std::string(entry->str());
  return status;
}

bool PfDebugToDense(Database& db, std::string_view key, std::string& hll) {
  if (!HllToDense(hll)) return false;
  StoreHll(db, key, hll);
  // Redis counts the encoding change as a change so that it propagates.
  db.AddDirty();
  return true;
}

HllStatus PfMerge(Database& db, std::string_view dest, std::span<const std::string_view> sources,
                  size_t sparse_max_bytes) {
  HllRegisters max{};
  bool any_dense = false;
  std::string_view dest_key[] = {dest};
  HllStatus status = MergeKeys(db, dest_key, max, &any_dense);
  if (status == HllStatus::kOk) status = MergeKeys(db, sources, max, &any_dense);
  if (status != HllStatus::kOk) return status;
  Entry* entry;
  status = FindHll(db, dest, /*read=*/false, &entry);
  if (status != HllStatus::kOk) return status;
  std::string hll = entry != nullptr ? std::string(entry->str()) : NewHll();
  if (any_dense && !HllToDense(hll)) return HllStatus::kCorrupt;
  for (size_t i = 0; i < kHllRegisters; ++i) {
    if (max[i] != 0) HllSetRegister(hll, i, max[i], sparse_max_bytes);
  }
  HllInvalidateCache(hll);
  StoreChangedHll(db, dest, hll);
  db.AddDirty();
  return HllStatus::kOk;
}

}  // namespace respd::storage
