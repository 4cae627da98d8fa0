// What the option table's two files (option_table.cc, option_table_redis.cc) share.
#pragma once

#include <cstdint>
#include <vector>

#include "server/config/config.h"

namespace respd::server::option_table {

inline constexpr int64_t kMaxInt = INT32_MAX;

// Redis's parameters other than the ones option_table.cc lists first, in alphabetical order.
std::vector<OptionSpec> AlphabeticalRedisOptions();

}  // namespace respd::server::option_table
