// Number <-> text conversions with Redis's exact rules (string2ll, ld2string, %.17g doubles...).
// Used by storage operations and command handlers; depends on nothing else in respd.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace respd::storage {

// Redis's string2ll: the whole of `s` must be a canonical signed 64-bit integer: optional '-', no
// '+', no leading zeros (except "0" itself, so "-0" fails), no spaces, at most 20 characters, no
// overflow.
std::optional<int64_t> ParseInt64(std::string_view s);

// Decimal text of `v` (Redis's ll2string).
std::string FormatInt64(int64_t v);
// Writes the decimal text of `v` into `buf` (at least 21 bytes); returns the length.
size_t FormatInt64(int64_t v, char* buf);

// Redis's string2ld, used by INCRBYFLOAT/HINCRBYFLOAT: strtold over the whole string, no leading
// space, rejects NaN (and "nan" text), accepts "inf"/"-inf" text. Length limit 5*1024 like Redis's
// MAX_LONG_DOUBLE_CHARS.
std::optional<long double> ParseLongDouble(std::string_view s);

// Redis's ld2string in LD_STR_HUMAN mode ("%.17Lf", then trailing zeros and dot removed; "-0" ->
// "0"), the text INCRBYFLOAT stores and replies. Never an exponent: 1e308 is 309 digits. Returns
// nullopt for inf/nan (Redis refuses those).
std::optional<std::string> FormatLongDoubleHuman(long double v);

// Redis's string2d (getDoubleFromObject / zset score parsing): strtod over the whole string, no
// leading space, NaN rejected; accepts "inf", "+inf", "-inf" (any case, as strtod does).
std::optional<double> ParseDouble(std::string_view s);

// Redis 7.0's double reply text: "%.17g", with "inf" / "-inf" for infinities.
std::string FormatDouble(double v);

// Redis 7.0's d2string, the text a listpack zset stores its scores as (and ZSCAN of one replies):
// integral values within +-2^62 print as integers (1e18 -> "1000000000000000000"), others as
// FormatDouble.
std::string FormatDoubleStored(double v);

}  // namespace respd::storage
