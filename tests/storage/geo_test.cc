// Geohash arithmetic against values redis-server 7.0.15 answers (GEOADD scores, GEOPOS, GEOHASH,
// GEODIST), search boxes and the two sorts.
#include "storage/geo.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace respd::storage::geo {
namespace {

std::string Fixed4(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4f", v);
  return buf;
}

std::string Fixed17(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17Lf", static_cast<long double>(v));
  return buf;
}

TEST(GeoTest, EncodesScoresAsRedis) {
  EXPECT_EQ(EncodeScore(13.361389, 38.115556), 3479099956230698u);
  EXPECT_EQ(EncodeScore(15.087269, 37.502669), 3479447370796909u);
  EXPECT_EQ(EncodeScore(13.361389, 39.0), 3479319990401583u);
  EXPECT_EQ(EncodeScore(-180, kLatMin), 0u);
}

TEST(GeoTest, DecodesToBoxCentre) {
  double xy[2];
  DecodeScore(3479099956230698.0, xy);
  EXPECT_EQ(Fixed17(xy[0]), "13.36138933897018433");
  EXPECT_EQ(Fixed17(xy[1]), "38.11555639549629859");
  DecodeScore(3479447370796909.0, xy);
  EXPECT_EQ(Fixed17(xy[0]), "15.08726745843887329");
  EXPECT_EQ(Fixed17(xy[1]), "37.50266842333162032");
}

TEST(GeoTest, DecodesAnyScoreWithinLimits) {
  for (double score : {-1.0, 1.5, 1e300, -1e300, 4503599627370496.0, 1e19}) {
    double xy[2];
    DecodeScore(score, xy);
    EXPECT_TRUE(ValidLonLat(xy[0], xy[1])) << score;
  }
}

TEST(GeoTest, StandardGeohashHasElevenCharacters) {
  double xy[2];
  DecodeScore(3479099956230698.0, xy);
  EXPECT_EQ(StandardGeohash(xy[0], xy[1]), "sqc8b49rny0");
}

TEST(GeoTest, HaversineAsRedis) {
  double a[2], b[2], c[2];
  DecodeScore(3479099956230698.0, a);
  DecodeScore(3479447370796909.0, b);
  DecodeScore(3479319990401583.0, c);
  EXPECT_EQ(Fixed4(Distance(a[0], a[1], b[0], b[1])), "166274.1516");
  EXPECT_EQ(Fixed4(Distance(a[0], a[1], c[0], c[1])), "98373.2990");
  EXPECT_EQ(Distance(a[0], a[1], a[0], a[1]), 0);
}

TEST(GeoTest, ValidatesLimits) {
  EXPECT_TRUE(ValidLonLat(180, kLatMax));
  EXPECT_TRUE(ValidLonLat(-180, kLatMin));
  EXPECT_FALSE(ValidLonLat(180.0001, 0));
  EXPECT_FALSE(ValidLonLat(0, 85.06));
  EXPECT_FALSE(ValidLonLat(0, -90));
}

TEST(GeoTest, WithinCircleAndBox) {
  Shape circle{.lon = 0, .lat = 0, .radius = 100, .conversion = 1000};
  double dist = -1;
  EXPECT_TRUE(WithinShape(circle, 0.5, 0.5, &dist));
  EXPECT_NEAR(dist, 78648.37, 0.01);
  EXPECT_FALSE(WithinShape(circle, 1, 0.5, &dist));

  Shape box{.box = true, .lon = 0, .lat = 0, .width = 200, .height = 50, .conversion = 1000};
  EXPECT_TRUE(WithinShape(box, 0.8, 0.2, &dist));
  EXPECT_FALSE(WithinShape(box, 0.2, 0.3, &dist));
  EXPECT_FALSE(WithinShape(box, 1.0, 0.0, &dist));
}

// Every point a brute-force scan finds inside a circle lies in one of the boxes searched.
TEST(GeoTest, SearchBoxesCoverTheShape) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> lon(-180, 180), lat(-85, 85), radius(1, 3000000);
  for (int round = 0; round < 200; ++round) {
    Shape s{.lon = lon(rng), .lat = lat(rng), .radius = radius(rng), .conversion = 1};
    std::vector<ScoreBox> boxes = SearchBoxes(s);
    ASSERT_FALSE(boxes.empty());
    for (int p = 0; p < 200; ++p) {
      double score = static_cast<double>(EncodeScore(lon(rng), lat(rng)));
      double xy[2], dist;
      DecodeScore(score, xy);
      if (!WithinShape(s, xy[0], xy[1], &dist)) continue;
      bool covered = false;
      for (const ScoreBox& b : boxes) covered |= score >= b.min && score < b.max;
      EXPECT_TRUE(covered) << s.lon << "," << s.lat << " r=" << s.radius;
    }
  }
}

TEST(GeoTest, SearchBoxesSkipRepeats) {
  Shape s{.lon = 0, .lat = 0, .radius = 10000, .conversion = 1000};
  std::vector<ScoreBox> boxes = SearchBoxes(s);
  for (size_t i = 2; i < boxes.size(); ++i) {
    EXPECT_FALSE(boxes[i].min == boxes[i - 1].min && boxes[i].max == boxes[i - 1].max);
  }
}

std::vector<Found> Points(const std::vector<double>& dists) {
  std::vector<Found> out;
  for (size_t i = 0; i < dists.size(); ++i) {
    out.push_back({0, 0, dists[i], 0, std::to_string(i)});
  }
  return out;
}

TEST(GeoTest, FullSortIsStable) {
  std::vector<Found> v = Points({3, 1, 2, 1, 3});
  SortFound(&v, false, v.size());
  std::string order;
  for (const Found& f : v) order += f.member;
  EXPECT_EQ(order, "13204");
  SortFound(&v, true, v.size());
  order.clear();
  for (const Found& f : v) order += f.member;
  EXPECT_EQ(order, "04213");
}

TEST(GeoTest, PartialSortOrdersTheFirstN) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> d(0, 1000);
  for (size_t n : {5u, 7u, 8u, 41u, 300u}) {
    std::vector<double> dists;
    for (size_t i = 0; i < n; ++i) dists.push_back(std::floor(d(rng)));
    for (size_t wanted = 1; wanted < n; wanted += 3) {
      for (bool desc : {false, true}) {
        std::vector<Found> v = Points(dists);
        SortFound(&v, desc, wanted);
        std::vector<double> sorted = dists;
        std::sort(sorted.begin(), sorted.end());
        if (desc) std::reverse(sorted.begin(), sorted.end());
        for (size_t i = 0; i < wanted; ++i) EXPECT_EQ(v[i].dist, sorted[i]) << n << " " << i;
      }
    }
  }
}

}  // namespace
}  // namespace respd::storage::geo
