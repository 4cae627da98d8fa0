// Runs the parser fuzz target on a fixed-seed stream of RESP-shaped inputs, so every build (gcc, no
// libFuzzer) exercises it; the coverage-guided run is the RESPD_FUZZ clang build.
#include <gtest/gtest.h>

#include <random>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Fragments that steer random inputs into every parser state.
constexpr const char* kFragments[] = {
    "*",    "$",  "\r\n",  "\r",         "\n",  "3",    "-1",  "0",
    "1",    "12", "99999", "2147483648", "SET", "k",    "\"",  "'",
    "\\x4", "\\", " ",     "\0",         "+",   "PING", "a b", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"};
constexpr int kInputs = 20000;
constexpr int kMaxFragments = 24;

TEST(ParserFuzzTest, GeneratedInputsParseTheSameWholeAndSplit) {
  std::mt19937 rng(20261121);
  for (int i = 0; i < kInputs; ++i) {
    std::string input(1, static_cast<char>(rng() % 256));
    int fragments = static_cast<int>(rng() % kMaxFragments);
    for (int f = 0; f < fragments; ++f) {
      if (rng() % 8 == 0) {
        input.push_back(static_cast<char>(rng() % 256));
      } else {
        const char* fragment = kFragments[rng() % std::size(kFragments)];
        input.append(fragment, fragment[0] == '\0' ? 1 : std::char_traits<char>::length(fragment));
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  }
  SUCCEED();
}

}  // namespace
