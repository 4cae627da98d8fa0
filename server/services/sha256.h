// SHA-256 (FIPS 180-4), for ACL password hashes: Redis stores and shows a password as the hex
// digest of its SHA-256. Self-contained so the server links no crypto library for it.
#pragma once

#include <string>
#include <string_view>

namespace respd::server {

// The lower-case hex SHA-256 digest of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

}  // namespace respd::server
