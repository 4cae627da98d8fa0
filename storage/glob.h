// Glob matching with exactly the semantics of Redis's stringmatchlen (KEYS, SCAN MATCH,
// PSUBSCRIBE...): '*' any run, '?' one byte, '[abc]' '[^abc]' '[a-z]' classes (reversed ranges
// allowed), '\x' a literal x, optional case folding. Binary safe. Depends on nothing else in respd.
#pragma once

#include <string_view>

namespace respd::storage {

// Like Redis, an empty subject matches only the empty pattern (not even "*": KEYS * and SCAN
// without MATCH skip matching altogether), and a pattern needing more than 1000 nested '*' never
// matches.
bool GlobMatch(std::string_view pattern, std::string_view subject, bool nocase = false);

// True if a glob pattern matches only itself (no special characters), so a caller can look up one
// key instead of scanning.
bool GlobIsLiteral(std::string_view pattern);

}  // namespace respd::storage
