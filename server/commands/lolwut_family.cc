// LOLWUT as Redis 7.0 answers it: the version line by default, and the art of earlier versions on
// request (VERSION 5: Georg Nees's "Schotter" in Braille dots; VERSION 6: a city skyline in
// terminal colours). The art is random where Redis's is, from the server's generator (RESPD SEED
// makes it repeatable); sizes, clamping, layout and text are Redis's.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

// rand()'s range, so the drawing arithmetic stays the one Redis's art was tuned with.
constexpr int kRandMax = 0x7fffffff;

int Rand() { return static_cast<int>(ServerContext::Rng()() >> 33); }

// Pixels of one colour each; drawing off the canvas does nothing and reads there give 0.
class Canvas {
 public:
  Canvas(int width, int height, int background)
      : width_(width), height_(height), pixels_(static_cast<size_t>(width) * height, background) {}

  int width() const { return width_; }
  int height() const { return height_; }

  void Set(int x, int y, int color) {
    if (Inside(x, y)) pixels_[static_cast<size_t>(y) * width_ + x] = static_cast<uint8_t>(color);
  }
  int Get(int x, int y) const {
    return Inside(x, y) ? pixels_[static_cast<size_t>(y) * width_ + x] : 0;
  }

 private:
  bool Inside(int x, int y) const { return x >= 0 && x < width_ && y >= 0 && y < height_; }

  int width_;
  int height_;
  std::vector<uint8_t> pixels_;
};

// Bresenham's line, endpoints included.
void DrawLine(Canvas& canvas, int x1, int y1, int x2, int y2, int color) {
  const int dx = std::abs(x2 - x1);
  const int dy = std::abs(y2 - y1);
  const int step_x = x1 < x2 ? 1 : -1;
  const int step_y = y1 < y2 ? 1 : -1;
  int err = dx - dy;
  for (;;) {
    canvas.Set(x1, y1, color);
    if (x1 == x2 && y1 == y2) return;
    const int twice = err * 2;
    if (twice > -dy) {
      err -= dy;
      x1 += step_x;
    }
    if (twice < dx) {
      err += dx;
      y1 += step_y;
    }
  }
}

// A square of side `side` centred on x,y and turned by `angle`: its corners lie on the circle
// through them, a quarter turn apart. Float and double are mixed exactly as in Redis, so that
// the squares that are not turned land on the same pixels.
void DrawSquare(Canvas& canvas, int x, int y, float side, float angle, int color) {
  float radius = side;
  radius /= 1.4142135623;
  radius = std::round(radius);
  int corner_x[4];
  int corner_y[4];
  float k = std::numbers::pi / 4 + angle;
  for (int j = 0; j < 4; ++j) {
    corner_x[j] = static_cast<int>(std::round(std::sin(static_cast<double>(k)) * radius + x));
    corner_y[j] = static_cast<int>(std::round(std::cos(static_cast<double>(k)) * radius + y));
    k += std::numbers::pi / 2;
  }
  for (int j = 0; j < 4; ++j) {
    DrawLine(canvas, corner_x[j], corner_y[j], corner_x[(j + 1) % 4], corner_y[(j + 1) % 4], color);
  }
}

// Each 2x4 block of pixels is one Braille character (U+2800 plus the dots' bits).
std::string RenderBraille(const Canvas& canvas) {
  static constexpr int kDotBits[4][2] = {{0, 3}, {1, 4}, {2, 5}, {6, 7}};
  std::string text;
  for (int y = 0; y < canvas.height(); y += 4) {
    for (int x = 0; x < canvas.width(); x += 2) {
      int dots = 0;
      for (int row = 0; row < 4; ++row) {
        for (int col = 0; col < 2; ++col) {
          if (canvas.Get(x + col, y + row)) dots |= 1 << kDotBits[row][col];
        }
      }
      const int code = 0x2800 + dots;
      text += static_cast<char>(0xE0 | (code >> 12));
      text += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      text += static_cast<char>(0x80 | (code & 0x3F));
    }
    if (y != canvas.height() - 1) text += '\n';
  }
  return text;
}

// Rows of squares, more and more disordered going down.
std::string Schotter(int columns, int squares_per_row, int squares_per_col) {
  const int width = columns * 2;
  const int padding = width > 4 ? 2 : 0;
  const float side = static_cast<float>(width - padding * 2) / squares_per_row;
  Canvas canvas(width, static_cast<int>(side * squares_per_col + padding * 2), 0);
  auto disorder = [&](int row) {
    return static_cast<float>(Rand()) / kRandMax / squares_per_col * row;
  };
  for (int row = 0; row < squares_per_col; ++row) {
    for (int col = 0; col < squares_per_row; ++col) {
      int x = static_cast<int>(col * side + side / 2 + padding);
      int y = static_cast<int>(row * side + side / 2 + padding);
      float angle = 0;
      if (row > 1) {
        float turn = disorder(row);
        float shift_x = disorder(row);
        float shift_y = disorder(row);
        if (Rand() % 2) turn = -turn;
        if (Rand() % 2) shift_x = -shift_x;
        if (Rand() % 2) shift_y = -shift_y;
        angle = turn;
        x = static_cast<int>(x + shift_x * side / 3);
        y = static_cast<int>(y + shift_y * side / 3);
      }
      DrawSquare(canvas, x, y, side, angle, 1);
    }
  }
  return RenderBraille(canvas) + "\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. " +
         std::string(kRedisVersion) + "\n";
}

struct Skyscraper {
  int left = 0;
  int width = 0;
  int height = 0;
  int color = 0;
  bool windows = false;
};

// A building standing on the canvas's bottom row, its roof two pixels narrower on each side.
// Windows are two pixels wide and one tall (terminal cells are tall), in one of the two greys.
void DrawSkyscraper(Canvas& canvas, const Skyscraper& building) {
  const int bottom = canvas.height() - 1;
  const int top = bottom - building.height + 1;
  const int right = building.left + building.width;
  for (int y = bottom; y >= top; --y) {
    for (int x = building.left; x < right; ++x) {
      if (y == top && (x <= building.left + 1 || x >= right - 2)) continue;
      int color = building.color;
      const bool inner = x > building.left + 1 && x < right - 2 && y > top + 1 && y < bottom - 1;
      if (building.windows && inner) {
        const int window_x = x - (building.left + 1);
        const int window_y = y - (top + 1);
        if ((window_x / 2) % 2 && window_y % 2) {
          do {
            color = 1 + Rand() % 2;
          } while (color == building.color);
          if (window_x % 2) color = canvas.Get(x - 1, y);
        }
      }
      canvas.Set(x, y, color);
    }
  }
}

// Two rows of plain buildings in the greys (the lighter behind), then black ones with windows.
void DrawSkyline(Canvas& canvas) {
  const int height = canvas.height();
  for (int color = 2; color >= 1; --color) {
    for (int left = -10; left < canvas.width();) {
      left += Rand() % 8;
      Skyscraper building{.left = left, .width = 10 + Rand() % 9, .color = color};
      building.height = height / 2 + (Rand() % height) / (color == 2 ? 2 : 3);
      DrawSkyscraper(canvas, building);
      left += color == 2 ? building.width / 2 : building.width + 1;
    }
  }
  for (int left = -10; left < canvas.width();) {
    left += Rand() % 8;
    Skyscraper building{.left = left, .width = 5 + Rand() % 14, .color = 0, .windows = true};
    if (building.width % 4) building.width += building.width % 3;
    building.height = height / 3 + (Rand() % height) / 2;
    DrawSkyscraper(canvas, building);
    left += building.width + 5;
  }
}

std::string Skyline(int columns, int rows) {
  // Background and foreground set alike, for the same greys on every terminal.
  static constexpr std::string_view kColors[] = {"0;30;40m", "0;90;100m", "0;37;47m", "0;97;107m"};
  Canvas canvas(columns, rows, 3);
  DrawSkyline(canvas);
  std::string text;
  for (int y = 0; y < canvas.height(); ++y) {
    for (int x = 0; x < canvas.width(); ++x) {
      text += "\033[";
      text += kColors[canvas.Get(x, y)];
      text += " \033[0m";
    }
    if (y != canvas.height() - 1) text += '\n';
  }
  return text +
         "\nDedicated to the 8 bit game developers of past and present.\n"
         "Original 8 bit image from Plaguemon by hikikomori. Redis ver. " +
         std::string(kRedisVersion) + "\n";
}

// The optional sizes after the version: each an integer, then clamped.
bool ParseSizes(CommandContext& ctx, Args args, std::span<int64_t> sizes,
                std::span<const std::pair<int64_t, int64_t>> limits) {
  for (size_t i = 0; i < sizes.size() && i < args.size(); ++i) {
    std::optional<int64_t> value = storage::ParseInt64(args[i]);
    if (!value) {
      ctx.reply.Error(kErrNotInteger);
      return false;
    }
    sizes[i] = *value;
  }
  for (size_t i = 0; i < sizes.size(); ++i) {
    sizes[i] = std::clamp(sizes[i], limits[i].first, limits[i].second);
  }
  return true;
}

void CmdLolwut(CommandContext& ctx) {
  Args args = ctx.args.subspan(1);
  // Redis prints the requested number as an unsigned 32-bit version "N.0.0" and picks the art by
  // its major digit: only 5 and 6 have one.
  uint32_t version = 7;
  if (args.size() >= 2 && IsKeyword(args[0], "version")) {
    std::optional<int64_t> requested = storage::ParseInt64(args[1]);
    if (!requested) {
      ctx.reply.Error(kErrNotInteger);
      return;
    }
    version = static_cast<uint32_t>(*requested);
    args = args.subspan(2);
  }
  if (version == 5) {
    int64_t sizes[] = {66, 8, 12};
    static constexpr std::pair<int64_t, int64_t> kLimits[] = {{1, 1000}, {1, 200}, {1, 200}};
    if (!ParseSizes(ctx, args, sizes, kLimits)) return;
    ctx.reply.Verbatim("txt", Schotter(static_cast<int>(sizes[0]), static_cast<int>(sizes[1]),
                                       static_cast<int>(sizes[2])));
  } else if (version == 6) {
    int64_t sizes[] = {80, 20};
    static constexpr std::pair<int64_t, int64_t> kLimits[] = {{1, 1000}, {1, 1000}};
    if (!ParseSizes(ctx, args, sizes, kLimits)) return;
    ctx.reply.Verbatim("txt", Skyline(static_cast<int>(sizes[0]), static_cast<int>(sizes[1])));
  } else {
    ctx.reply.Verbatim("txt", "Redis ver. " + std::string(kRedisVersion) + "\n");
  }
}

constexpr CommandSpec kRows[] = {
    {.name = "lolwut", .arity = -1, .flags = kReadonly | kFast, .handler = CmdLolwut},
};

}  // namespace

void RegisterLolwutFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
