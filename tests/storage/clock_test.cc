// The Clock: frozen and flowing time, and observers told of every change but its flow.
#include "storage/clock.h"

#include <gtest/gtest.h>

namespace respd::storage {
namespace {

constexpr int64_t kStartUs = 1'700'000'000'000'000;

class CountingObserver : public ClockObserver {
 public:
  void OnClockChanged() override { ++changes; }
  int changes = 0;
};

TEST(ClockTest, FrozenTimeMovesOnlyWhenMoved) {
  Clock clock;
  clock.FreezeAt(kStartUs);
  EXPECT_EQ(clock.NowUs(), kStartUs);
  EXPECT_EQ(clock.NowMs(), kStartUs / 1000);
  clock.Advance(1500);
  EXPECT_EQ(clock.NowUs(), kStartUs + 1500);
  clock.Set(kStartUs - 7);
  EXPECT_TRUE(clock.frozen());
  EXPECT_EQ(clock.NowUs(), kStartUs - 7);
}

TEST(ClockTest, FlowingTimeSetOrAdvancedFlowsFromThere) {
  Clock clock;
  clock.Set(kStartUs);
  EXPECT_FALSE(clock.frozen());
  EXPECT_GE(clock.NowUs(), kStartUs);
  clock.Advance(3'600'000'000);
  EXPECT_GE(clock.NowUs(), kStartUs + 3'600'000'000);
  clock.Freeze();
  int64_t frozen = clock.NowUs();
  clock.Unfreeze();
  EXPECT_GE(clock.NowUs(), frozen);
}

TEST(ClockTest, RealGoesBackToTheWallClockFromAnyMode) {
  Clock clock;
  CountingObserver observer;
  clock.AddObserver(&observer);
  clock.FreezeAt(kStartUs * 2);
  clock.Real();
  EXPECT_FALSE(clock.frozen());
  EXPECT_EQ(clock.offset_us(), 0);
  EXPECT_LT(clock.NowUs(), kStartUs * 2);
  clock.Set(kStartUs * 2);
  EXPECT_NE(clock.offset_us(), 0);
  clock.Real();
  EXPECT_EQ(clock.offset_us(), 0);
  EXPECT_EQ(observer.changes, 4);
  clock.RemoveObserver(&observer);
}

TEST(ClockTest, ObserversHearEveryChangeUntilRemoved) {
  Clock clock;
  CountingObserver observer;
  clock.AddObserver(&observer);
  clock.FreezeAt(kStartUs);
  clock.Advance(1);
  clock.Set(kStartUs);
  clock.Unfreeze();
  clock.Freeze();
  EXPECT_EQ(observer.changes, 5);
  clock.NowMs();
  EXPECT_EQ(observer.changes, 5);
  clock.RemoveObserver(&observer);
  clock.Advance(1);
  EXPECT_EQ(observer.changes, 5);
}

}  // namespace
}  // namespace respd::storage
