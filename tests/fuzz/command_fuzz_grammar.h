// The hand-written half of the differential command fuzzer's grammar: how each command's reply is
// compared (exactly, order-insensitively, by type only...), which commands are never sent, and the
// value pools arguments are drawn from where the argument's type alone says too little (a TTL, a
// blocking timeout, a Lua script, a bit offset that must not allocate 512 MB). The other half, each
// command's argument structure, comes from redis-server's COMMAND DOCS at run time.
// Depends on nothing but the standard library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace respd::testing::fuzz {

// How the replies of respd and redis-server to one command are compared. Error replies are always
// compared byte for byte, whatever the rule.
enum class Compare {
  kExact,      // raw bytes identical
  kUnordered,  // top-level elements compared as a multiset (Redis's own order is a hash order)
  kTypeOnly,   // reply type and aggregate header only (random or server-dependent values)
  kApprox,     // integers within a tolerance (TTLs read a moment apart)
  kScan,       // a SCAN-family [cursor, elements] pair: elements compared when both cursors are 0
  kSkip,       // never sent (ends the connection, blocks for ever, changes the server process)
};

struct CompareRule {
  Compare compare = Compare::kExact;
  int64_t tolerance = 0;  // kApprox only
};

// The rule for a command by its lowercase full name ("get", "client|list").
CompareRule RuleFor(std::string_view full_name);

// Refines the rule for one generated command: a SCAN-family cursor other than 0 points into the
// server's own hash table (shape only); SORT ... BY nosort of a set keeps the set's hash order,
// so with LIMIT even the chosen elements differ (shape only); EXPIRE/PEXPIRE GT/LT against a TTL
// set a moment before depend on whether a millisecond passed (shape only).
CompareRule RuleForArgs(std::string_view full_name, const std::vector<std::string>& argv);

// True if a write of this command leaves the two servers with different data although both
// replied alike (SPOP picks different members; SORT ... BY nosort STORE stores a hash order): the
// fuzzer deletes the keys it named afterwards so that later commands compare again.
bool DivergesData(std::string_view full_name, const std::vector<std::string>& argv);

// Mutations (dropped, repeated, hostile arguments) are not applied to these: CONFIG GET * would
// list every option of each server, and respd has fewer by design; a hostile count such as
// -2147483649 asks SRANDMEMBER, HRANDFIELD or ZRANDMEMBER of both servers for 2^31 elements.
bool KeepArgumentsIntact(std::string_view full_name);

// Commands sent to redis-server alone just before this one, to undo a Redis quirk respd has no
// reason to copy; empty for most. SORT reads a stale errno: after any earlier ERANGE (a cursor
// past 2^64, say) Redis 7.0 refuses to sort even "1"; GEORADIUS_RO of a missing key clears it.
std::vector<std::vector<std::string>> ReferencePreamble(std::string_view full_name);

// True if redis-server's `reply` may come from that stale errno set by the same command (SORT of
// a listpack zset parses its scores first, and a subnormal one sets ERANGE): the fuzzer then asks
// redis-server once more, after the preamble, and compares respd with that answer. A refused SORT
// stored nothing, so asking again changes nothing.
bool RetryReference(std::string_view full_name, std::string_view reply);

// The shared key pool: small, so that commands keep hitting keys that exist, with every type.
const std::vector<std::string>& KeyPool();

// Values for an argument, chosen by (command full name, argument name) first, then by argument
// name alone; nullptr when the argument's type decides (see the generic pools below).
const std::vector<std::string>* PoolFor(std::string_view full_name, std::string_view arg_name);

// Generic pools by argument type.
const std::vector<std::string>& StringPool();    // members, numbers as text, binary, globs
const std::vector<std::string>& IntegerPool();   // 0, -1, +-2^31, +-2^63, 2^63-1 +- 1, junk
const std::vector<std::string>& DoublePool();    // nan, inf, -0, 1e308, junk
const std::vector<std::string>& PatternPool();   // glob metacharacters
const std::vector<std::string>& UnixTimePool();  // past or far future, never "in a moment"
// Values that break any argument (wrong type, empty, binary), for mutations.
const std::vector<std::string>& HostilePool();

// Lua for EVAL / SCRIPT LOAD and libraries for FUNCTION LOAD; SHA1s are learnt from redis-server.
const std::vector<std::string>& Scripts();
const std::vector<std::string>& Libraries();

// CONFIG parameters safe to change in a fuzz session (encodings only: nothing that moves the
// port, the data directory, memory limits, auth or timeouts), with the values to try.
const std::vector<std::string>& SafeConfigParameters();

// Names no Redis version knows, sent to both servers (the error echoes the arguments).
const std::vector<std::string>& UnknownCommandNames();

// The size of the rare huge string argument, and the chance (per string argument, in 1/100000)
// of drawing it.
constexpr size_t kHugeStringBytes = 1 << 20;
constexpr int kHugeStringPer100k = 40;

}  // namespace respd::testing::fuzz
