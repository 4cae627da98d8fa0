// The keyspace events the keys, string, bitmap and HyperLogLog commands report through the
// dispatcher, command by command, as redis-server 7.0.15 publishes them (recorded from it with
// `notify-keyspace-events Eg$lshzxetn` and a __keyevent@*__:* subscriber).
#include <string>
#include <vector>

#include "tests/server/command_test_base.h"
#include "tests/storage/recording_observer.h"

namespace respd::server {
namespace {

struct Step {
  std::vector<std::string> command;
  std::vector<std::string> events;  // "db:event:key"
};

class KeyspaceEventsTest : public CommandTest {
 protected:
  KeyspaceEventsTest() { server_->store.AddObserver(&recorder_); }

  void Check(const std::vector<Step>& steps) {
    for (const Step& step : steps) {
      recorder_.Clear();
      Run(step.command);
      std::string text;
      for (const std::string& arg : step.command) text += arg + " ";
      EXPECT_EQ(recorder_.events, step.events) << text;
    }
  }

  storage::RecordingObserver recorder_;
};

TEST_F(KeyspaceEventsTest, StringCommands) {
  Check({
      {{"set", "a", "1"}, {"0:new:a", "0:set:a"}},
      {{"set", "a", "2"}, {"0:set:a"}},
      {{"set", "a", "3", "ex", "100"}, {"0:set:a", "0:expire:a"}},
      {{"set", "a", "3", "keepttl"}, {"0:set:a"}},
      {{"set", "a", "4", "nx"}, {}},
      {{"set", "a", "4", "xx", "get"}, {"0:set:a"}},
      {{"set", "b", "4", "nx", "get"}, {"0:keymiss:b", "0:new:b", "0:set:b"}},
      {{"setnx", "c", "1"}, {"0:new:c", "0:set:c"}},
      {{"setex", "d", "10", "v"}, {"0:new:d", "0:set:d", "0:expire:d"}},
      {{"psetex", "p", "10000", "v"}, {"0:new:p", "0:set:p", "0:expire:p"}},
      {{"getset", "d", "v2"}, {"0:set:d"}},
      {{"getset", "e", "v"}, {"0:keymiss:e", "0:new:e", "0:set:e"}},
      {{"getdel", "e"}, {"0:del:e"}},
      {{"getdel", "e"}, {"0:keymiss:e"}},
      {{"getex", "d", "exat", "1"}, {"0:del:d"}},
      {{"set", "d", "v"}, {"0:new:d", "0:set:d"}},
      {{"getex", "d", "ex", "100"}, {"0:expire:d"}},
      {{"getex", "d", "persist"}, {"0:persist:d"}},
      {{"getex", "d", "persist"}, {}},
      {{"mset", "m1", "1", "m2", "2", "m1", "3"},
       {"0:new:m1", "0:set:m1", "0:new:m2", "0:set:m2", "0:set:m1"}},
      {{"msetnx", "n1", "1", "n2", "2"}, {"0:new:n1", "0:set:n1", "0:new:n2", "0:set:n2"}},
      {{"msetnx", "n2", "1", "n3", "2"}, {}},
      {{"incr", "i"}, {"0:new:i", "0:incrby:i"}},
      {{"incr", "i"}, {"0:incrby:i"}},
      {{"decr", "i"}, {"0:incrby:i"}},
      {{"incrby", "i", "5"}, {"0:incrby:i"}},
      {{"decrby", "i", "5"}, {"0:incrby:i"}},
      {{"incrbyfloat", "i", "1.5"}, {"0:incrbyfloat:i"}},
      {{"append", "ap", "x"}, {"0:new:ap", "0:append:ap"}},
      {{"append", "ap", "y"}, {"0:append:ap"}},
      {{"setrange", "sr", "2", "xy"}, {"0:new:sr", "0:setrange:sr"}},
      {{"setrange", "sr", "0", ""}, {}},
      {{"setrange", "none", "0", ""}, {}},
  });
}

TEST_F(KeyspaceEventsTest, BitmapAndHyperLogLogCommands) {
  Check({
      {{"setbit", "sb", "3", "1"}, {"0:new:sb", "0:setbit:sb"}},
      {{"setbit", "sb", "3", "1"}, {}},
      {{"setbit", "sb", "3", "0"}, {"0:setbit:sb"}},
      {{"setbit", "sb", "100", "0"}, {"0:setbit:sb"}},
      {{"bitfield", "bf", "set", "u8", "0", "1"}, {"0:new:bf", "0:setbit:bf"}},
      {{"bitfield", "bf", "set", "u8", "0", "1"}, {}},
      {{"bitfield", "bf", "get", "u8", "0"}, {}},
      {{"bitop", "or", "bo", "sb"}, {"0:new:bo", "0:set:bo"}},
      {{"bitop", "or", "bo", "nokey"}, {"0:keymiss:nokey", "0:del:bo"}},
      {{"pfadd", "h1"}, {"0:new:h1", "0:pfadd:h1"}},
      {{"pfadd", "h1", "a"}, {"0:pfadd:h1"}},
      {{"pfadd", "h1", "a"}, {}},
      {{"pfmerge", "h2", "h1"}, {"0:keymiss:h2", "0:new:h2", "0:pfadd:h2"}},
      {{"pfmerge", "h2", "h1"}, {"0:pfadd:h2"}},
      {{"pfcount", "h1"}, {}},
  });
}

TEST_F(KeyspaceEventsTest, KeyCommands) {
  Check({
      {{"mset", "a", "1", "b", "2", "c", "3", "d", "4"},
       {"0:new:a", "0:set:a", "0:new:b", "0:set:b", "0:new:c", "0:set:c", "0:new:d", "0:set:d"}},
      {{"del", "a", "b", "nokey"}, {"0:del:a", "0:del:b"}},
      {{"unlink", "c"}, {"0:del:c"}},
      {{"expire", "d", "100"}, {"0:expire:d"}},
      {{"expire", "d", "100", "nx"}, {}},
      {{"pexpire", "d", "-1"}, {"0:del:d"}},
      {{"set", "x", "1"}, {"0:new:x", "0:set:x"}},
      {{"expireat", "x", "1"}, {"0:del:x"}},
      {{"set", "x", "1", "ex", "100"}, {"0:new:x", "0:set:x", "0:expire:x"}},
      {{"persist", "x"}, {"0:persist:x"}},
      {{"persist", "x"}, {}},
      {{"rename", "x", "y"}, {"0:new:y", "0:rename_from:x", "0:rename_to:y"}},
      {{"set", "z", "1"}, {"0:new:z", "0:set:z"}},
      {{"rename", "y", "z"}, {"0:new:z", "0:rename_from:y", "0:rename_to:z"}},
      {{"rename", "z", "z"}, {}},
      {{"renamenx", "z", "z"}, {}},
      {{"set", "q", "1"}, {"0:new:q", "0:set:q"}},
      {{"renamenx", "z", "q"}, {}},
      {{"renamenx", "z", "w"}, {"0:new:w", "0:rename_from:z", "0:rename_to:w"}},
      {{"move", "w", "1"}, {"1:new:w", "0:move_from:w", "1:move_to:w"}},
      {{"set", "w", "1"}, {"0:new:w", "0:set:w"}},
      {{"move", "w", "1"}, {}},
      {{"copy", "q", "q2"}, {"0:new:q2", "0:copy_to:q2"}},
      {{"copy", "q", "q2"}, {}},
      {{"copy", "q", "q2", "replace"}, {"0:new:q2", "0:copy_to:q2"}},
      {{"copy", "q", "q2", "db", "1"}, {"1:new:q2", "1:copy_to:q2"}},
      {{"touch", "q"}, {}},
  });
}

}  // namespace
}  // namespace respd::server
