// SHA-1 as scripts are named by it (EVALSHA, SCRIPT LOAD, redis.sha1hex): lower-case hex digest.
#pragma once

#include <string>
#include <string_view>

namespace respd::server {

std::string Sha1Hex(std::string_view data);

}  // namespace respd::server
