// HyperLogLog values (PFADD PFCOUNT PFMERGE) stored as strings byte for byte as Redis 7.0 stores
// them, so GET, DUMP-free copies between servers and APPEND see the same bytes:
//
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality, 8 bytes
//   little-endian, whose top bit set means "stale" | registers
//
// 2^14 registers of 6 bits each. Dense: registers packed least significant bit first (12288
// bytes). Sparse: run-length opcodes over the registers, used while the string stays within
// kHllSparseMaxBytes and every register is at most 32:
//   ZERO  00xxxxxx           x+1 (1..64) registers at 0
//   XZERO 01xxxxxx yyyyyyyy  x:y+1 (1..16384) registers at 0
//   VAL   1vvvvvxx           x+1 (1..4) registers at v+1 (1..32)
// Edits of the sparse form follow Redis's hllSparseSet step by step (split the opcode covering
// the register, then merge equal neighbouring VALs) because a different but equivalent opcode
// sequence would be visible to GET. The estimate is Ertl's improved estimator over the register
// histogram, as in Redis 5 and later. Results are statuses and values, never RESP.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "storage/database.h"

namespace respd::storage {

inline constexpr int kHllP = 14;          // register index bits
inline constexpr int kHllQ = 64 - kHllP;  // hash bits left for the run of zeros
inline constexpr size_t kHllRegisters = size_t{1} << kHllP;
inline constexpr size_t kHllHeaderSize = 16;
inline constexpr size_t kHllDenseSize = kHllHeaderSize + (kHllRegisters * 6 + 7) / 8;
// Redis's hll-sparse-max-bytes default: a sparse value that would grow past the limit is
// promoted to dense. The writes below take the configured limit.
inline constexpr size_t kHllSparseMaxBytes = 3000;

// One 8-bit register per HLL register: the union of several HLLs (PFCOUNT of many keys, PFMERGE).
using HllRegisters = std::array<uint8_t, kHllRegisters>;

// Redis's MurmurHash64A (little-endian reads), the hash HLL elements go through.
uint64_t MurmurHash64A(std::string_view data, uint64_t seed);

// The register an element lands in and the value it offers it (1..kHllQ+1).
struct HllPattern {
  size_t index;
  uint8_t count;
};
HllPattern HllPatternOf(std::string_view element);

// Redis's isHLLObjectOrReply check: magic, a known encoding, and a dense value of exact size.
// A value that passes may still hold a corrupt sparse body, found only when it is read.
bool IsHll(std::string_view value);

// An empty HLL as PFADD creates it: sparse, cache valid at 0.
std::string NewHll();

// Adds `element` to `hll` (which passed IsHll). true: a register changed; false: none did;
// nullopt: the sparse body is corrupt (registers changed before the corruption was met stay
// changed, as in Redis).
std::optional<bool> HllAdd(std::string& hll, std::string_view element,
                           size_t sparse_max_bytes = kHllSparseMaxBytes);

// Raises register `index` of `hll` to `count` when it is lower, promoting to dense when the
// sparse form cannot hold it. Same results as HllAdd.
std::optional<bool> HllSetRegister(std::string& hll, size_t index, uint8_t count,
                                   size_t sparse_max_bytes = kHllSparseMaxBytes);

// Converts a sparse `hll` to dense, keeping the header but for the encoding byte. false: the
// sparse body is corrupt and `hll` is unchanged.
bool HllToDense(std::string& hll);

// Raises each of `max` to the matching register of `hll`. false: corrupt sparse body.
bool HllMergeInto(HllRegisters& max, std::string_view hll);

// The cardinality estimate of the registers of `hll`, ignoring the cache; nullopt when the sparse
// body is corrupt.
std::optional<uint64_t> HllEstimate(std::string_view hll);
// The estimate of a register union.
uint64_t HllEstimate(const HllRegisters& registers);

// The cached cardinality, or nullopt when it is stale.
std::optional<uint64_t> HllCachedCardinality(std::string_view hll);
void HllSetCachedCardinality(std::string& hll, uint64_t cardinality);
// Marks the cache stale, keeping its other bytes as Redis does.
void HllInvalidateCache(std::string& hll);

// Whether `hll` (which passed IsHll) is sparse.
bool HllIsSparse(std::string_view hll);

// PFDEBUG DECODE's text of a sparse body: "z:<len>", "Z:<len>" and "v:<value>,<len>" for each
// ZERO, XZERO and VAL opcode, separated by spaces.
std::string HllDecodeSparse(std::string_view hll);

// Redis's PFSELFTEST: packs and unpacks random dense registers, then adds a million elements to
// a sparse and a dense HLL, checking at each power of ten that both agree, that the sparse one
// stayed sparse while small, and that the estimate is within six standard errors. nullopt when
// every check passes, else Redis's "TESTFAILED ..." error text.
std::optional<std::string> HllSelfTest(size_t sparse_max_bytes);

enum class HllStatus {
  kOk,
  kWrongType,  // the key holds another type
  kNotHll,     // a string that fails IsHll
  kCorrupt,    // an HLL whose sparse body is corrupt
};

// PFADD: adds `elements` to the HLL at `key`, creating it (which counts as a change) when
// missing. `*changed`: whether the value changed.
HllStatus PfAdd(Database& db, std::string_view key, std::span<const std::string_view> elements,
                bool* changed, size_t sparse_max_bytes = kHllSparseMaxBytes);

// PFCOUNT: one key answers from (and refreshes) its cached cardinality; several keys are merged
// into a temporary union and left unchanged. Missing keys count as empty.
HllStatus PfCount(Database& db, std::span<const std::string_view> keys, uint64_t* cardinality);

// PFDEBUG's lookup (a write lookup): the HLL at `key` into `*hll`, which stays nullopt when the
// key is missing.
HllStatus PfDebugRead(Database& db, std::string_view key, std::optional<std::string>* hll);
// PFDEBUG GETREG and TODENSE: converts the sparse HLL at `key` to dense in place, keeping its TTL
// and sending no event, as Redis does. false: the sparse body is corrupt.
bool PfDebugToDense(Database& db, std::string_view key, std::string& hll);

// PFMERGE: stores in `dest` the union of `dest` and `sources`, creating it when missing. As in
// Redis the result is dense when any input is.
HllStatus PfMerge(Database& db, std::string_view dest, std::span<const std::string_view> sources,
                  size_t sparse_max_bytes = kHllSparseMaxBytes);

}  // namespace respd::storage
