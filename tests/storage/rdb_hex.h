// Hex literals of captured DUMP payloads, for the RDB codec tests.
#pragma once

#include <string>
#include <string_view>

namespace respd::storage::rdb {

inline std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

}  // namespace respd::storage::rdb
