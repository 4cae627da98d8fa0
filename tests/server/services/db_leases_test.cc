// DbLeases and Snapshots on a bare Store: which index a lease gets, who may release it, that
// releasing flushes, and that a snapshot is a deep copy both ways.
#include <gtest/gtest.h>

#include "server/services/db_leases.h"
#include "server/services/snapshots.h"
#include "storage/database.h"
#include "storage/entry.h"

namespace respd::server {
namespace {

void Put(storage::Database& db, std::string_view key, std::string_view value) {
  db.Put(storage::Entry::NewString(key, value, storage::Entry::kNoExpire));
}

TEST(DbLeasesTest, LeasesTheLowestEmptyUnleasedDatabaseButNeverZero) {
  storage::Store store(4, false);
  DbLeases leases(store);
  Put(store.db(1), "k", "v");
  EXPECT_EQ(leases.Lease(7), 2);
  EXPECT_EQ(leases.Lease(8), 3);
  EXPECT_EQ(leases.Lease(7), -1);
  EXPECT_EQ(leases.List(), (std::vector<std::pair<int, uint64_t>>{{2, 7}, {3, 8}}));
}

TEST(DbLeasesTest, OnlyTheOwnerReleasesAndReleasingFlushes) {
  storage::Store store(3, false);
  DbLeases leases(store);
  ASSERT_EQ(leases.Lease(7), 1);
  Put(store.db(1), "k", "v");
  EXPECT_EQ(leases.Release(1, 8), DbLeases::ReleaseStatus::kNotOwner);
  EXPECT_EQ(store.db(1).Size(), 1u);
  EXPECT_EQ(leases.Release(2, 7), DbLeases::ReleaseStatus::kNotLeased);
  EXPECT_EQ(leases.Release(1, 7), DbLeases::ReleaseStatus::kReleased);
  EXPECT_EQ(store.db(1).Size(), 0u);
  EXPECT_EQ(leases.Release(1, 7), DbLeases::ReleaseStatus::kNotLeased);
}

TEST(DbLeasesTest, ReleaseAllEndsOnlyThatClientsLeases) {
  storage::Store store(4, false);
  DbLeases leases(store);
  ASSERT_EQ(leases.Lease(7), 1);
  ASSERT_EQ(leases.Lease(8), 2);
  Put(store.db(1), "a", "1");
  Put(store.db(2), "b", "2");
  leases.ReleaseAll(7);
  EXPECT_EQ(store.db(1).Size(), 0u);
  EXPECT_EQ(store.db(2).Size(), 1u);
  EXPECT_EQ(leases.List(), (std::vector<std::pair<int, uint64_t>>{{2, 8}}));
  leases.ReleaseAll(9);  // held nothing
  leases.Clear();
  EXPECT_TRUE(leases.List().empty());
  EXPECT_EQ(store.db(2).Size(), 0u);
}

TEST(SnapshotsTest, ASnapshotIsADeepCopyBothWays) {
  storage::Store store(2, false);
  Snapshots snapshots;
  Put(store.db(0), "k", "before");
  EXPECT_EQ(snapshots.Save("s", store.db(0)), 1u);
  Put(store.db(0), "k", "after");
  Put(store.db(0), "extra", "x");
  ASSERT_TRUE(snapshots.Restore("s", store.db(1)));
  ASSERT_TRUE(snapshots.Restore("s", store.db(0)));
  EXPECT_EQ(store.db(0).Size(), 1u);
  EXPECT_EQ(store.db(0).Peek("k")->str(), "before");
  Put(store.db(1), "k", "changed");
  ASSERT_TRUE(snapshots.Restore("s", store.db(1)));
  EXPECT_EQ(store.db(1).Peek("k")->str(), "before");
  EXPECT_FALSE(snapshots.Restore("missing", store.db(0)));
  EXPECT_TRUE(snapshots.Delete("s"));
  EXPECT_FALSE(snapshots.Delete("s"));
  EXPECT_TRUE(snapshots.List().empty());
}

}  // namespace
}  // namespace respd::server
