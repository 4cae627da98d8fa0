// The size of an unsigned LEB128 varint (7 bits a byte, high bit set while more follow), the
// length prefix list packs and stream nodes share.
#pragma once

#include <cstddef>
#include <cstdint>

namespace respd::storage {

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace respd::storage
