// The switches that keep a feature's pipeline hooks out of every command while it has nothing to
// do (server/composition.cc): each must be on from the moment its feature could act, or the
// feature would silently stop working; off again where that is safe.
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

bool On(const std::atomic<bool>* on) { return on->load(std::memory_order_relaxed); }

TEST_F(CommandTest, AclChecksSwitchOnWithTheFirstRestrictedOrDeletedUser) {
  const std::atomic<bool>* checks = server_->acl.checks_switch();
  EXPECT_FALSE(On(checks));
  EXPECT_EQ(Run({"acl", "setuser", "all", "on", "nopass", "~*", "&*", "+@all"}), "+OK\r\n");
  EXPECT_FALSE(On(checks));
  EXPECT_EQ(Run({"acl", "deluser", "all"}), ":1\r\n");
  EXPECT_TRUE(On(checks));  // a client may still hold the deleted user: every check refuses it
}

TEST_F(CommandTest, AclChecksSwitchOnWhenTheDefaultUserIsRestricted) {
  EXPECT_EQ(Run({"acl", "setuser", "default", "-get"}), "+OK\r\n");
  EXPECT_TRUE(On(server_->acl.checks_switch()));
  EXPECT_EQ(Run({"get", "k"}).substr(0, 7), "-NOPERM");
}

TEST_F(CommandTest, MonitorSwitchFollowsTheMonitors) {
  const std::atomic<bool>* monitors = server_->monitors.active_switch();
  EXPECT_FALSE(On(monitors));
  EXPECT_EQ(Run({"monitor"}), "+OK\r\n");
  EXPECT_TRUE(On(monitors));
  EXPECT_EQ(Run({"set", "k", "v"}).substr(0, 4), "-ERR");  // refused by the admission hook
  EXPECT_EQ(Run({"reset"}), "+RESET\r\n");
  EXPECT_FALSE(On(monitors));
}

TEST_F(CommandTest, FaultSwitchFollowsTheRules) {
  EXPECT_EQ(config_.Get("enable-test-controls").Set({"yes"}), "");
  const std::atomic<bool>* armed = server_->faults.armed_switch();
  EXPECT_FALSE(On(armed));
  EXPECT_EQ(Run({"respd", "fault", "add", "command", "get", "error", "ERR injected"}), ":1\r\n");
  EXPECT_TRUE(On(armed));
  EXPECT_EQ(Run({"get", "k"}), "-ERR injected\r\n");
  EXPECT_EQ(Run({"respd", "fault", "clear"}), "+OK\r\n");
  EXPECT_FALSE(On(armed));
  EXPECT_EQ(Run({"get", "k"}), "$-1\r\n");
}

TEST_F(CommandTest, JournalSwitchFollowsJournalOnAndOff) {
  EXPECT_EQ(config_.Get("enable-test-controls").Set({"yes"}), "");
  const std::atomic<bool>* journal = server_->journal.enabled_switch();
  EXPECT_FALSE(On(journal));
  EXPECT_EQ(Run({"respd", "journal", "on"}), "+OK\r\n");
  EXPECT_TRUE(On(journal));
  EXPECT_EQ(Run({"respd", "journal", "off"}), "+OK\r\n");
  EXPECT_FALSE(On(journal));
}

TEST_F(CommandTest, TrackingSwitchOnFromTheFirstTrackingClientForGood) {
  const std::atomic<bool>* tracking = server_->tracking.hooks_switch();
  EXPECT_FALSE(On(tracking));
  EXPECT_EQ(Run({"client", "tracking", "on"}), "+OK\r\n");
  EXPECT_TRUE(On(tracking));
  Run({"get", "k"});
  EXPECT_EQ(server_->tracking.TotalKeys(), 1u);  // the hooks remembered the read
  EXPECT_EQ(Run({"client", "tracking", "off"}), "+OK\r\n");
  EXPECT_TRUE(On(tracking));
}

// The store calls its change observers (WATCH, blocked clients, tracking) only while one of them
// has work; each takes its work back when done. (A blocked client needs a connection: the
// integration tests cover it.)
TEST_F(CommandTest, KeyspaceObserversHaveWorkWhileWatchingBlockingOrTracking) {
  auto observed = [this] { return !server_->store.change_observers().empty(); };
  EXPECT_FALSE(observed());
  EXPECT_EQ(Run({"watch", "a", "b"}), "+OK\r\n");
  EXPECT_TRUE(observed());
  EXPECT_EQ(RunAs(1, {"watch", "a"}), "+OK\r\n");
  EXPECT_EQ(Run({"unwatch"}), "+OK\r\n");
  EXPECT_TRUE(observed());  // the other client still watches "a"
  EXPECT_EQ(RunAs(1, {"set", "a", "1"}), "+OK\r\n");
  EXPECT_EQ(RunAs(1, {"multi"}), "+OK\r\n");
  EXPECT_EQ(RunAs(1, {"exec"}), "*-1\r\n");  // the write reached the watch
  EXPECT_FALSE(observed());

  EXPECT_EQ(Run({"client", "tracking", "on"}), "+OK\r\n");
  EXPECT_FALSE(observed());  // nothing read yet
  Run({"get", "k"});
  EXPECT_TRUE(observed());
  EXPECT_EQ(RunAs(1, {"set", "k", "v"}), "+OK\r\n");  // invalidates: the table empties
  EXPECT_FALSE(observed());
}

}  // namespace
}  // namespace respd::server
