// Fuzz target for the RESP request parser. Built as a libFuzzer binary with clang
// (-DRESPD_FUZZ=ON), and as a plain test in every build, where a fixed-seed driver feeds it
// generated inputs. Checks that the parser never reads out of bounds and that how bytes arrive
// (whole, or in chunks) never changes what is parsed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_parser.h"

namespace {

using respd::protocol::ParserLimits;
using respd::protocol::ParseStatus;
using respd::protocol::RespParser;

// Small limits so the fuzzer reaches the limit errors with short inputs.
constexpr ParserLimits kLimits{.max_bulk_len = 4096, .max_inline_len = 256};

struct Parsed {
  std::vector<std::vector<std::string>> commands;
  std::string error;
  bool operator==(const Parsed&) const = default;
};

// Parses `input` as a connection would when bytes arrive in chunks of the given sizes.
Parsed ParseInChunks(std::string_view input, const std::vector<size_t>& chunks) {
  RespParser parser(kLimits);
  Parsed parsed;
  std::string buffer;
  size_t start = 0;
  size_t offset = 0;
  for (size_t i = 0; offset < input.size(); ++i) {
    size_t n = chunks.empty() ? input.size() : chunks[i % chunks.size()];
    buffer.append(input.substr(offset, n));
    offset += n;
    while (start < buffer.size()) {
      ParseStatus status = parser.Parse(std::string_view(buffer).substr(start));
      if (status == ParseStatus::kNeedMore) break;
      if (status == ParseStatus::kError) {
        parsed.error = parser.error();
        return parsed;
      }
      if (status == ParseStatus::kCommand) {
        parsed.commands.emplace_back(parser.args().begin(), parser.args().end());
      }
      start += parser.consumed();
    }
  }
  return parsed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the chunk size, so every corpus entry is tried whole and split.
  size_t chunk = (data[0] % 16) + 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  Parsed whole = ParseInChunks(input, {});
  Parsed split = ParseInChunks(input, {chunk});
  // Redis's "too big ..." limits apply to bytes pending without a line end, so they depend on how
  // the bytes arrive (a long line that arrives whole is accepted); every other result must not.
  auto arrival_dependent = [](const Parsed& p) {
    return p.error.find("too big") != std::string::npos;
  };
  if (arrival_dependent(whole) || arrival_dependent(split)) return 0;
  if (!(whole == split)) std::abort();
  return 0;
}
