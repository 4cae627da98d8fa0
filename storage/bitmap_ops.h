// Bitmap operations on string values (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD): pure bit
// algorithms over bytes plus the few writes that need the database. Bit 0 is the most significant
// bit of the first byte, as in Redis. Results are statuses and values, never RESP.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/op_status.h"

namespace respd::storage {

// The bit at `offset`; bits past the end of `bytes` read as 0.
bool GetBit(std::string_view bytes, uint64_t offset);

// Redis's getBitOffsetFromArgument: a bit offset that must address a byte below `max_bytes`
// (proto-max-bulk-len). With `field_bits` > 0 (BITFIELD) the form "#N" means N * field_bits,
// multiplied with wrap-around as Redis's 64-bit arithmetic does. nullopt: not an integer,
// negative or out of range.
std::optional<uint64_t> ParseBitOffset(std::string_view text, uint64_t max_bytes,
                                       int field_bits = 0);

// How BITCOUNT and BITPOS read their start and end indexes.
enum class BitUnit { kByte, kBit };

// An inclusive range of bit positions.
struct BitRange {
  uint64_t first;
  uint64_t last;
};

// BITCOUNT's and BITPOS's index rules over a string of `len_bytes`: negative indexes count from
// the end, both ends are clamped into the string. nullopt when the range is empty.
std::optional<BitRange> ResolveBitRange(uint64_t len_bytes, int64_t start, int64_t end,
                                        BitUnit unit);

// Number of set bits in `bytes`.
uint64_t PopCount(std::string_view bytes);
// Number of set bits among positions `range` of `bytes` (which must hold them).
uint64_t CountBits(std::string_view bytes, BitRange range);
// The first position in `range` whose bit is `bit`, or nullopt.
std::optional<uint64_t> FindBit(std::string_view bytes, bool bit, BitRange range);

enum class BitOpKind { kAnd, kOr, kXor, kNot };

// BITOP over `sources` (missing keys as empty strings): the result is as long as the longest
// source, shorter ones read as zero-padded. NOT takes exactly one source.
std::string BitOperation(BitOpKind op, std::span<const std::string_view> sources);

// A BITFIELD integer type: i1..i64 or u1..u63.
struct BitfieldType {
  bool is_signed;
  int bits;
};

// Redis's getBitfieldTypeFromArgument ("i16", "u8": lower-case sign, canonical width).
std::optional<BitfieldType> ParseBitfieldType(std::string_view text);

enum class BitfieldOverflow { kWrap, kSat, kFail };

// The field of `type` at bit `offset`, bits past the end of `bytes` reading as 0. Unsigned fields
// are at most 63 bits, so every field fits an int64_t.
int64_t GetBitfield(std::string_view bytes, uint64_t offset, BitfieldType type);

// Writes the low `type.bits` bits of `value` at bit `offset` of `bytes`, which must hold them.
void SetBitfield(char* bytes, uint64_t offset, BitfieldType type, int64_t value);

// The value BITFIELD stores for `value + incr` in a field of `type` (SET passes its argument as
// `value` and 0 as `incr`), following Redis's checkSignedBitfieldOverflow and
// checkUnsignedBitfieldOverflow to the letter, quirks included (SET i8 of a value near INT64_MIN
// saturates to the maximum). nullopt: it overflows under kFail, and nothing is written.
std::optional<int64_t> BitfieldResult(BitfieldType type, int64_t value, int64_t incr,
                                      BitfieldOverflow overflow);

enum class BitfieldOpCode { kGet, kSet, kIncrBy };

struct BitfieldOp {
  BitfieldOpCode code;
  BitfieldType type;
  uint64_t offset;
  int64_t argument = 0;  // SET's value, INCRBY's increment
  BitfieldOverflow overflow = BitfieldOverflow::kWrap;
};

// SETBIT: sets the bit at `offset` of the string at `key` to `value`, creating or zero-padding
// the string as needed and keeping its TTL. Returns the old bit (kWrongType for other types).
OpResult<bool> SetBit(Database& db, std::string_view key, uint64_t offset, bool value);

// BITFIELD: runs `ops` in order on the string at `key`. With no SET or INCRBY the key is only
// read (a missing key reads as zeros and stays missing); otherwise it is created or zero-padded
// to the farthest bit written first. Each result is the field's value (GET, INCRBY's new value,
// SET's old value) or nullopt for a write refused under OVERFLOW FAIL.
OpResult<std::vector<std::optional<int64_t>>> Bitfield(Database& db, std::string_view key,
                                                       std::span<const BitfieldOp> ops);

// BITOP: stores the operation over the strings at `sources` in `dest` (no TTL), or deletes `dest`
// when the result is empty. kWrongType if a source is not a string. Returns the result's length.
OpResult<size_t> BitOp(Database& db, BitOpKind op, std::string_view dest,
                       std::span<const std::string_view> sources);

}  // namespace respd::storage
