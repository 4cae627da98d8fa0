// Geohash arithmetic for the GEO commands, bit for bit as Redis 7.0's geohash.c and
// geohash_helper.c: a point is a sorted set score holding its 52-bit interleaved geohash (26 bits of
// latitude in the even positions, 26 of longitude in the odd ones, over Redis's Mercator latitude
// range), and a search is a scan of the score ranges of at most nine geohash boxes around the
// centre followed by an exact distance check. Results, their order and the decoded coordinates all
// depend on these rounding details, so nothing here may be "improved". Knows nothing of RESP.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace respd::storage::geo {

inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
// Redis's quadratic mean radius for WGS-84, in meters.
inline constexpr double kEarthRadiusMeters = 6372797.560856;
// Bits per coordinate of a stored score.
inline constexpr uint8_t kStepMax = 26;

// Whether (lon, lat) may be stored: inside Redis's GEO_LONG_* and GEO_LAT_* limits.
bool ValidLonLat(double lon, double lat);

// The score GEOADD stores for a valid point.
uint64_t EncodeScore(double lon, double lat);

// The centre of the box a score denotes, clamped to the limits, as Redis's decodeGeohash: the score
// is converted to an unsigned 64-bit integer as x86-64 C does (scores that are no geohash still
// decode to some point). xy[0] is the longitude, xy[1] the latitude.
void DecodeScore(double score, double xy[2]);

// GEOHASH's 11-character standard geohash of a decoded point (latitude over -90..90; the last
// character stands for bits Redis does not have and is always '0').
std::string StandardGeohash(double lon, double lat);

// Haversine great-circle distance in meters, with Redis's operand order.
double Distance(double lon1, double lat1, double lon2, double lat2);

// A search area: a circle of `radius` or a `width` x `height` box centred on (lon, lat), in units
// of `conversion` meters.
struct Shape {
  bool box = false;
  double lon = 0;
  double lat = 0;
  double radius = 0;
  double width = 0;
  double height = 0;
  double conversion = 1;
};

// Whether the point (lon, lat) is inside `shape`; *distance gets its distance to the centre in
// meters when it is.
bool WithinShape(const Shape& shape, double lon, double lat, double* distance);

// A score range [min, max) holding every point of one geohash box.
struct ScoreBox {
  uint64_t min;
  uint64_t max;
};

// The boxes to scan for `shape`, in Redis's order (centre, N, S, E, W, NE, NW, SE, SW), without
// the boxes Redis leaves out as useless and those equal to the box scanned just before.
std::vector<ScoreBox> SearchBoxes(const Shape& shape);

// A point found by a search.
struct Found {
  double lon;
  double lat;
  double dist;  // meters until the caller converts it
  double score;
  std::string member;
};

// Orders found points by distance, ascending or descending, as Redis does: glibc's stable qsort
// for a full sort, Redis's partial quicksort (pqsort) when only the first `wanted` are returned,
// so equal distances keep Redis's order too.
void SortFound(std::vector<Found>* found, bool descending, size_t wanted);

}  // namespace respd::storage::geo
