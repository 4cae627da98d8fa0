// Geohash arithmetic with Redis 7.0's exact operation order (see geo.h for why it matters).
#include "storage/geo.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

#include "storage/partial_sort.h"

namespace respd::storage::geo {
namespace {

struct Range {
  double min;
  double max;
};

// A geohash of `step` bits per coordinate; step 0 marks a box left out of a search.
struct HashBits {
  uint64_t bits = 0;
  uint8_t step = 0;

  bool Zero() const { return bits == 0 && step == 0; }
  bool operator==(const HashBits&) const = default;
};

struct Area {
  Range lon;
  Range lat;
};

constexpr Range kLonRange{kLonMin, kLonMax};
constexpr Range kLatRange{kLatMin, kLatMax};
// Half the Earth's circumference in Web Mercator meters: the range of a one-bit geohash.
constexpr double kMercatorMax = 20037726.37;
constexpr double kDegToRad = M_PI / 180.0;

double DegToRad(double deg) { return deg * kDegToRad; }
double RadToDeg(double rad) { return rad / kDegToRad; }

// Spreads the low 32 bits of x into the even bit positions and those of y into the odd ones.
uint64_t Interleave(uint32_t xlo, uint32_t ylo) {
  constexpr uint64_t kMasks[] = {0x5555555555555555ULL, 0x3333333333333333ULL,
                                 0x0F0F0F0F0F0F0F0FULL, 0x00FF00FF00FF00FFULL,
                                 0x0000FFFF0000FFFFULL};
  constexpr unsigned kShifts[] = {1, 2, 4, 8, 16};
  uint64_t x = xlo;
  uint64_t y = ylo;
  for (int i = 4; i >= 0; --i) {
    x = (x | (x << kShifts[i])) & kMasks[i];
    y = (y | (y << kShifts[i])) & kMasks[i];
  }
  return x | (y << 1);
}

// Interleave's inverse: even bits in the low half of the result, odd bits in the high half.
uint64_t Deinterleave(uint64_t interleaved) {
  constexpr uint64_t kMasks[] = {0x5555555555555555ULL, 0x3333333333333333ULL,
                                 0x0F0F0F0F0F0F0F0FULL, 0x00FF00FF00FF00FFULL,
                                 0x0000FFFF0000FFFFULL, 0x00000000FFFFFFFFULL};
  constexpr unsigned kShifts[] = {0, 1, 2, 4, 8, 16};
  uint64_t x = interleaved;
  uint64_t y = interleaved >> 1;
  for (int i = 0; i < 6; ++i) {
    x = (x | (x >> kShifts[i])) & kMasks[i];
    y = (y | (y >> kShifts[i])) & kMasks[i];
  }
  return x | (y << 32);
}

// Redis's geohashEncode for a point already checked against the limits.
HashBits Encode(Range lon_range, Range lat_range, double lon, double lat, uint8_t step) {
  HashBits hash{0, step};
  if (lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max) {
    return hash;
  }
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= static_cast<double>(1ULL << step);
  lon_offset *= static_cast<double>(1ULL << step);
  hash.bits = Interleave(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(lon_offset));
  return hash;
}

Area Decode(HashBits hash) {
  uint64_t separated = Deinterleave(hash.bits);
  double lat_scale = kLatRange.max - kLatRange.min;
  double lon_scale = kLonRange.max - kLonRange.min;
  auto ilat = static_cast<uint32_t>(separated);
  auto ilon = static_cast<uint32_t>(separated >> 32);
  // The +1 wraps in 32 bits, as in C.
  uint32_t ilat_next = ilat + 1;
  uint32_t ilon_next = ilon + 1;
  auto cells = static_cast<double>(1ULL << hash.step);
  Area area;
  area.lat.min = kLatRange.min + (ilat * 1.0 / cells) * lat_scale;
  area.lat.max = kLatRange.min + (ilat_next * 1.0 / cells) * lat_scale;
  area.lon.min = kLonRange.min + (ilon * 1.0 / cells) * lon_scale;
  area.lon.max = kLonRange.min + (ilon_next * 1.0 / cells) * lon_scale;
  return area;
}

// (uint64_t)score as x86-64 compilers emit it (cvttsd2si, with the 2^63 split): what Redis does
// with a score that is no geohash.
uint64_t ScoreToBits(double score) {
  constexpr double kTwo63 = 9223372036854775808.0;
  constexpr uint64_t kIndefinite = 1ULL << 63;
  auto truncate = [&](double v) -> uint64_t {
    if (v >= -kTwo63 && v < kTwo63) return static_cast<uint64_t>(static_cast<int64_t>(v));
    return kIndefinite;
  };
  if (score < kTwo63) return truncate(score);
  return truncate(score - kTwo63) ^ kIndefinite;
}

constexpr uint64_t kLonBits = 0xaaaaaaaaaaaaaaaaULL;  // odd positions
constexpr uint64_t kLatBits = 0x5555555555555555ULL;  // even positions

// Moves a hash one box along the coordinate held in the `moving` bits: +1 east or north, -1 west
// or south. Filling the other coordinate's positions with ones carries (or borrows) across them.
void Move(HashBits* hash, int d, uint64_t moving) {
  uint64_t kept = hash->bits & ~moving;
  uint64_t v = hash->bits & moving;
  const int shift = 64 - hash->step * 2;
  uint64_t zz = ~moving >> shift;
  if (d > 0) {
    v = v + (zz + 1);
  } else {
    v = v | zz;
    v = v - (zz + 1);
  }
  v &= moving >> shift;
  hash->bits = v | kept;
}

HashBits Neighbour(HashBits hash, int dx, int dy) {
  if (dx != 0) Move(&hash, dx, kLonBits);
  if (dy != 0) Move(&hash, dy, kLatBits);
  return hash;
}

// The geohash precision whose boxes are about as large as the search radius.
uint8_t EstimateSteps(double range_meters, double lat) {
  if (range_meters == 0) return kStepMax;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;
  // Boxes narrow towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return static_cast<uint8_t>(std::clamp(step, 1, static_cast<int>(kStepMax)));
}

// {min lon, min lat, max lon, max lat} around the shape; the longitude span is taken at the edge
// nearer the pole, where it is widest.
void BoundingBox(const Shape& s, double bounds[4]) {
  double height = s.conversion * (s.box ? s.height / 2 : s.radius);
  double width = s.conversion * (s.box ? s.width / 2 : s.radius);
  const double lat_delta = RadToDeg(height / kEarthRadiusMeters);
  const double lon_delta_top =
      RadToDeg(width / kEarthRadiusMeters / std::cos(DegToRad(s.lat + lat_delta)));
  const double lon_delta_bottom =
      RadToDeg(width / kEarthRadiusMeters / std::cos(DegToRad(s.lat - lat_delta)));
  bool southern = s.lat < 0;
  bounds[0] = southern ? s.lon - lon_delta_bottom : s.lon - lon_delta_top;
  bounds[2] = southern ? s.lon + lon_delta_bottom : s.lon + lon_delta_top;
  bounds[1] = s.lat - lat_delta;
  bounds[3] = s.lat + lat_delta;
}

uint64_t Align52(HashBits hash) { return hash.bits << (52 - hash.step * 2); }

}  // namespace

bool ValidLonLat(double lon, double lat) {
  return !(lon < kLonMin || lon > kLonMax || lat < kLatMin || lat > kLatMax);
}

uint64_t EncodeScore(double lon, double lat) {
  return Align52(Encode(kLonRange, kLatRange, lon, lat, kStepMax));
}

void DecodeScore(double score, double xy[2]) {
  Area area = Decode({ScoreToBits(score), kStepMax});
  xy[0] = std::clamp((area.lon.min + area.lon.max) / 2, kLonMin, kLonMax);
  xy[1] = std::clamp((area.lat.min + area.lat.max) / 2, kLatMin, kLatMax);
}

std::string StandardGeohash(double lon, double lat) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  HashBits hash = Encode({-180, 180}, {-90, 90}, lon, lat, kStepMax);
  std::string out(11, '0');
  for (int i = 0; i < 10; ++i) {
    out[i] = kAlphabet[(hash.bits >> (52 - (i + 1) * 5)) & 0x1f];
  }
  return out;
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  double lat1r = DegToRad(lat1);
  double lon1r = DegToRad(lon1);
  double lat2r = DegToRad(lat2);
  double lon2r = DegToRad(lon2);
  double u = std::sin((lat2r - lat1r) / 2);
  double v = std::sin((lon2r - lon1r) / 2);
  return 2.0 * kEarthRadiusMeters *
         std::asin(std::sqrt(u * u + std::cos(lat1r) * std::cos(lat2r) * v * v));
}

bool WithinShape(const Shape& s, double lon, double lat, double* distance) {
  if (!s.box) {
    *distance = Distance(s.lon, s.lat, lon, lat);
    return *distance <= s.radius * s.conversion;
  }
  double width = s.width * s.conversion;
  double height = s.height * s.conversion;
  double lon_distance = Distance(lon, lat, s.lon, lat);
  double lat_distance = Distance(lon, lat, lon, s.lat);
  if (lon_distance > width / 2 || lat_distance > height / 2) return false;
  *distance = Distance(s.lon, s.lat, lon, lat);
  return true;
}

std::vector<ScoreBox> SearchBoxes(const Shape& s) {
  double bounds[4];
  BoundingBox(s, bounds);
  const double min_lon = bounds[0];
  const double min_lat = bounds[1];
  const double max_lon = bounds[2];
  const double max_lat = bounds[3];
  // A box is searched through the circle around its corners.
  double radius_meters = s.box ? std::sqrt((s.width / 2) * (s.width / 2) +
                                           (s.height / 2) * (s.height / 2))
                               : s.radius;
  radius_meters *= s.conversion;
  uint8_t steps = EstimateSteps(radius_meters, s.lat);

  HashBits hash = Encode(kLonRange, kLatRange, s.lon, s.lat, steps);
  // The estimate can be too fine when the area reaches past a neighbour's far edge.
  bool decrease = Decode(Neighbour(hash, 0, 1)).lat.max < max_lat ||
                  Decode(Neighbour(hash, 0, -1)).lat.min > min_lat ||
                  Decode(Neighbour(hash, 1, 0)).lon.max < max_lon ||
                  Decode(Neighbour(hash, -1, 0)).lon.min > min_lon;
  if (steps > 1 && decrease) {
    steps--;
    hash = Encode(kLonRange, kLatRange, s.lon, s.lat, steps);
  }
  Area area = Decode(hash);
  // Centre, N, S, E, W, NE, NW, SE, SW.
  constexpr int kMoves[9][2] = {{0, 0}, {0, 1},  {0, -1}, {1, 0},  {-1, 0},
                                {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
  HashBits boxes[9];
  for (int i = 0; i < 9; ++i) boxes[i] = Neighbour(hash, kMoves[i][0], kMoves[i][1]);
  if (steps >= 2) {
    auto drop = [&](std::initializer_list<int> which) {
      for (int i : which) boxes[i] = HashBits{};
    };
    if (area.lat.min < min_lat) drop({2, 8, 7});
    if (area.lat.max > max_lat) drop({1, 5, 6});
    if (area.lon.min < min_lon) drop({4, 8, 6});
    if (area.lon.max > max_lon) drop({3, 7, 5});
  }
  std::vector<ScoreBox> out;
  // Redis compares with the previous box only once one past the centre was scanned.
  int last = 0;
  for (int i = 0; i < 9; ++i) {
    if (boxes[i].Zero()) continue;
    if (last != 0 && boxes[i] == boxes[last]) continue;
    HashBits next = boxes[i];
    next.bits++;
    out.push_back({Align52(boxes[i]), Align52(next)});
    last = i;
  }
  return out;
}

namespace {

// Redis's sort_gp_asc / sort_gp_desc.
int CompareFound(const Found& a, const Found& b, bool descending) {
  int c = a.dist > b.dist ? 1 : (a.dist == b.dist ? 0 : -1);
  return descending ? -c : c;
}

}  // namespace

void SortFound(std::vector<Found>* found, bool descending, size_t wanted) {
  if (wanted >= found->size()) {
    std::stable_sort(found->begin(), found->end(), [&](const Found& a, const Found& b) {
      return CompareFound(b, a, descending) > 0;
    });
    return;
  }
  if (wanted == 0) return;
  PartialQuickSort(*found, 0, static_cast<ptrdiff_t>(wanted) - 1,
                   [descending](const Found& a, const Found& b) {
                     return CompareFound(a, b, descending);
                   });
}

}  // namespace respd::storage::geo
