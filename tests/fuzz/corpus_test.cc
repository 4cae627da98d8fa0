// Runs a fuzz target over its committed seed corpus (RESPD_FUZZ_CORPUS), each file as it is and in
// fixed-seed mutations of it (byte flips, insertions, cuts, splices with another file), so every
// build (gcc, no libFuzzer) exercises the target on the inputs the coverage-guided run starts from.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

constexpr int kMutationsPerFile = 16;

std::vector<std::string> ReadCorpus() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(RESPD_FUZZ_CORPUS)) {
    if (entry.is_regular_file()) paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());  // a fixed order, so mutations are reproducible
  std::vector<std::string> corpus;
  for (const auto& path : paths) {
    std::ifstream file(path, std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return corpus;
}

void RunInput(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::string Mutate(std::string input, const std::vector<std::string>& corpus, std::mt19937& rng) {
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    size_t at = input.empty() ? 0 : rng() % input.size();
    switch (rng() % 4) {
      case 0:
        if (!input.empty()) input[at] = static_cast<char>(input[at] ^ (1u << (rng() % 8)));
        break;
      case 1:
        input.insert(at, 1, static_cast<char>(rng() % 256));
        break;
      case 2:
        input.erase(at, rng() % 16);
        break;
      default: {
        const std::string& other = corpus[rng() % corpus.size()];
        size_t from = other.empty() ? 0 : rng() % other.size();
        input.insert(at, other.substr(from, rng() % 64));
      }
    }
  }
  return input;
}

TEST(FuzzCorpusTest, SeedsAndTheirMutationsRun) {
  std::vector<std::string> corpus = ReadCorpus();
  ASSERT_FALSE(corpus.empty()) << "no seed corpus in " << RESPD_FUZZ_CORPUS;
  std::mt19937 rng(20261206);
  for (const std::string& input : corpus) {
    RunInput(input);
    for (int m = 0; m < kMutationsPerFile; ++m) RunInput(Mutate(input, corpus, rng));
  }
}

}  // namespace
