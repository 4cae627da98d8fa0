// LOLWUT's random art: the shape Redis's has (one line per text row, every row as wide as asked,
// only Braille cells or the four colour cells), and the same picture again under the same seed.
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class LolwutTest : public CommandTest {
 protected:
  void TearDown() override { server_->SeedRandom(std::nullopt); }

  // The reply's text without its RESP2 bulk header, split into lines.
  std::vector<std::string> Lines(std::initializer_list<std::string> args) {
    std::string reply = Run(args);
    EXPECT_EQ(reply.front(), '$') << reply;
    std::string text = reply.substr(reply.find("\r\n") + 2);
    text.resize(text.size() - 2);
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
};

// U+2800..U+28FF in UTF-8: E2 A0..A3 80..BF.
size_t BrailleCells(const std::string& line) {
  if (line.size() % 3 != 0) return 0;
  for (size_t i = 0; i < line.size(); i += 3) {
    auto byte = [&](size_t at) { return static_cast<unsigned char>(line[at]); };
    if (byte(i) != 0xE2 || byte(i + 1) < 0xA0 || byte(i + 1) > 0xA3 ||
        (byte(i + 2) & 0xC0) != 0x80) {
      return 0;
    }
  }
  return line.size() / 3;
}

TEST_F(LolwutTest, SchotterHasOneBrailleCellPerColumnOnEveryRow) {
  // 66 columns: a canvas 132 pixels wide, squares of (132 - 4) / 8 = 16 pixels, 16 * 12 + 4 = 196
  // pixels tall: 49 rows of cells, then (as in Redis, whose last row ends with a newline when the
  // height is a multiple of 4) an empty line and the caption.
  std::vector<std::string> lines = Lines({"lolwut", "version", "5"});
  ASSERT_EQ(lines.size(), 51u);
  for (size_t i = 0; i < 49; ++i) EXPECT_EQ(BrailleCells(lines[i]), 66u) << "row " << i;
  EXPECT_EQ(lines[49], "");
  EXPECT_EQ(lines[50], "Georg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15");
}

TEST_F(LolwutTest, SkylineHasOneColourCellPerColumnOnEveryRow) {
  std::vector<std::string> lines = Lines({"lolwut", "version", "6", "30", "12"});
  ASSERT_EQ(lines.size(), 14u);
  const std::regex cell("\033\\[0;(30;40|90;100|37;47|97;107)m \033\\[0m");
  for (size_t i = 0; i < 12; ++i) {
    auto begin = std::sregex_iterator(lines[i].begin(), lines[i].end(), cell);
    EXPECT_EQ(std::distance(begin, std::sregex_iterator()), 30) << "row " << i;
    EXPECT_EQ(std::regex_replace(lines[i], cell, ""), "") << "row " << i;
  }
  // Black foreground buildings stand on the bottom row somewhere.
  EXPECT_NE(lines[11].find("0;30;40m"), std::string::npos);
  EXPECT_EQ(lines[12], "Dedicated to the 8 bit game developers of past and present.");
}

TEST_F(LolwutTest, TheSameSeedDrawsTheSamePicture) {
  server_->SeedRandom(7);
  std::string schotter = Run({"lolwut", "version", "5"});
  std::string skyline = Run({"lolwut", "version", "6"});
  server_->SeedRandom(7);
  EXPECT_EQ(Run({"lolwut", "version", "5"}), schotter);
  EXPECT_EQ(Run({"lolwut", "version", "6"}), skyline);
  EXPECT_NE(schotter, Run({"lolwut", "version", "5"}));
}

}  // namespace
}  // namespace respd::server
