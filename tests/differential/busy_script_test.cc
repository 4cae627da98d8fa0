// A script running past busy-reply-threshold, compared with redis-server: every other client, on
// the script's own I/O thread or another one, already connected or connecting meanwhile, gets
// Redis's BUSY replies and allow-busy behaviour, SCRIPT KILL / FUNCTION KILL stop the script, and
// SHUTDOWN NOSAVE stops a server whose script cannot be killed. A kill cannot be caught: pcall,
// xpcall and their nestings stop with Redis's error. The conversations need several connections
// at once, so they are written here rather than as a differential script.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr char kThreshold[] = "100";
// Bounded: loops for 10 s of server time unless killed, should the kill not work.
constexpr char kSpinScript[] =
    "local t = redis.call('TIME') local stop = t[1] + 10 "
    "while true do t = redis.call('TIME') if tonumber(t[1]) >= stop then break end end "
    "return 'finished'";
constexpr char kSpinLibrary[] =
    "#!lua name=busy\n"
    "redis.register_function('spin', function() "
    "local t = redis.call('TIME') local stop = t[1] + 10 "
    "while true do t = redis.call('TIME') if tonumber(t[1]) >= stop then break end end "
    "return 'finished' end)";
// Writes first, so it cannot be killed.
constexpr char kWritingSpinScript[] =
    "redis.call('SET', 'written', '1') "
    "local t = redis.call('TIME') local stop = t[1] + 10 "
    "while true do t = redis.call('TIME') if tonumber(t[1]) >= stop then break end end "
    "return 'finished'";

std::vector<std::string> ServerArgs(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--busy-reply-threshold", kThreshold};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

ServerProcess StartServer(bool redis, const std::vector<std::string>& respd_extra) {
  if (redis) return ServerProcess::StartRedis(ServerArgs({}));
  return ServerProcess::StartRespd(ServerArgs(respd_extra));
}

// Sends PING until the answer is BUSY (the script passed the threshold) and returns that answer.
// A client the server can still serve gets PONG meanwhile; one it cannot serve yet gets nothing.
std::string WaitForBusy(RespClient& client) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  if (!client.SendRaw(client.EncodeCommand({"PING"}))) return "send failed";
  while (std::chrono::steady_clock::now() < deadline) {
    std::string reply = client.ReadReply(100);
    if (reply.empty()) continue;
    if (reply != "+PONG\r\n") return reply;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!client.SendRaw(client.EncodeCommand({"PING"}))) return "send failed";
  }
  return "never busy";
}

// What the script's caller and two other clients see: `waiting` connected before the script
// started, `late` connects while it is busy. Returns every reply, labelled, in order. respd places
// connections round-robin, so with two I/O threads `late` shares the script's thread and `waiting`
// does not; only `late` sends WATCH, which on another thread gets BUSY (see docs/COMMANDS.md).
std::vector<std::string> KillConversation(int port, bool function) {
  std::vector<std::string> seen;
  RespClient runner, waiting, late;
  if (!runner.Connect(port, 15000) || !waiting.Connect(port, 15000)) return {"connect failed"};
  if (function) seen.push_back(runner.Command({"FUNCTION", "LOAD", kSpinLibrary}));
  std::vector<std::string> call = {"EVAL", kSpinScript, "0"};
  if (function) call = {"FCALL", "spin", "0"};
  // The PING behind the script is answered after it: the caller is not read meanwhile.
  runner.SendRaw(runner.EncodeCommand(call) + runner.EncodeCommand({"PING"}));

  seen.push_back("waiting PING: " + WaitForBusy(waiting));
  if (!late.Connect(port, 15000)) return {"late connect failed"};
  std::vector<std::vector<std::string>> during = {
      {"GET", "k"},
      {"SHUTDOWN"},
      {"SHUTDOWN", "ABORT"},
      {"FUNCTION", "STATS"},
      {"CLIENT", "ID"},
      {"MULTI"},
      {"SET", "k", "v"},
      {"EXEC"},
      {"UNWATCH"},
      {"DISCARD"},
      {"RESET"},
      {"HELLO", "3"},
      {"HELLO", "2"},
      {function ? "SCRIPT" : "FUNCTION", "KILL"},
  };
  auto ask = [&](RespClient& client) {
    for (const auto& command : during) {
      std::string reply = client.Command(command);
      // FUNCTION STATS names the running function and how long it has run: keep its shape.
      if (command[0] == "FUNCTION" && reply.find("duration_ms") != std::string::npos) {
        reply = reply.substr(0, reply.find("duration_ms"));
      }
      if (command[0] == "HELLO" && (reply.starts_with("*") || reply.starts_with("%"))) {
        reply = reply.substr(0, 1);  // server id and version differ
      }
      seen.push_back(command[0] + ": " + reply);
    }
  };
  ask(waiting);
  during.insert(during.begin(), {{"WATCH", "k"}, {"MULTI"}, {"SET", "k", "v"}, {"EXEC"}});
  ask(late);
  seen.push_back("kill: " + late.Command({function ? "FUNCTION" : "SCRIPT", "KILL"}));
  seen.push_back("caller: " + runner.ReadReply(15000));
  seen.push_back("caller: " + runner.ReadReply(15000));
  seen.push_back("kill again: " + late.Command({"SCRIPT", "KILL"}));
  seen.push_back("after: " + waiting.Command({"PING"}));
  seen.push_back("after: " + late.Command({"GET", "k"}));
  return seen;
}

// Scripts that catch errors while they spin (for 10 s of server time at most, should the kill not
// work). Each runs from EVAL, or from FCALL of library kSpinLibraryHeader + body.
constexpr char kSpinPrelude[] =
    "local stop = redis.call('TIME')[1] + 10 "
    "local function running() return tonumber(redis.call('TIME')[1]) < stop end "
    "local function spin() while running() do end end ";
struct CatchingScript {
  const char* name;
  const char* body;  // after kSpinPrelude
  bool function;
};
constexpr CatchingScript kCatchingScripts[] = {
    {"pcall", "while running() do pcall(spin) end return 'finished'", false},
    {"pcall of pcall", "while running() do pcall(pcall, spin) end return 'finished'", false},
    {"nested pcall",
     "while running() do pcall(function() pcall(spin) spin() end) end return 'finished'", false},
    {"pcall of redis.call", "while running() do pcall(redis.call, 'PING') end return 'finished'",
     false},
    {"redis.pcall", "while running() do redis.pcall('PING') end return 'finished'", false},
    {"xpcall with a handler",
     "while running() do xpcall(spin, function(e) return e end) end return 'finished'", false},
    {"xpcall with a busy handler",
     "while running() do xpcall(spin, function(e) for i = 1, 100000 do end return e end) end "
     "return 'finished'",
     false},
    // What the script sees of the kill it caught.
    {"pcall result", "local ok, e = pcall(spin) return {tostring(ok), e}", false},
    {"xpcall result",
     "local ok, e = xpcall(spin, function(e) return e end) return {tostring(ok), type(e), e.err}",
     false},
    {"pcall after the kill",
     "local r = {pcall(spin)} local r2 = {pcall(function() return 1 end)} "
     "return {tostring(r[1]), r[2], tostring(r2[1]), r2[2]}",
     false},
    {"function with pcall", "while running() do pcall(spin) end return 'finished'", true},
    {"function with xpcall",
     "while running() do xpcall(spin, function(e) return e end) end return 'finished'", true},
};

std::string SpinLibrary(const char* body) {
  return std::string("#!lua name=catching\nredis.register_function('catching', function() ") +
         kSpinPrelude + body + " end)";
}

// Runs `script` on `runner` until it is busy, kills it from `other`, and returns what both saw.
std::vector<std::string> KillCatchingScript(RespClient& runner, RespClient& other,
                                            const CatchingScript& script) {
  std::vector<std::string> seen;
  std::vector<std::string> call = {"EVAL", std::string(kSpinPrelude) + script.body, "0"};
  if (script.function) {
    seen.push_back(runner.Command({"FUNCTION", "LOAD", "REPLACE", SpinLibrary(script.body)}));
    call = {"FCALL", "catching", "0"};
  }
  runner.SendRaw(runner.EncodeCommand(call));
  seen.push_back("other: " + WaitForBusy(other));
  seen.push_back("kill: " + other.Command({script.function ? "FUNCTION" : "SCRIPT", "KILL"}));
  seen.push_back("caller: " + runner.ReadReply(15000));
  seen.push_back("after: " + other.Command({"PING"}));
  return seen;
}

std::vector<std::vector<std::string>> KillCatchingScripts(int port) {
  std::vector<std::vector<std::string>> seen;
  RespClient runner, other;
  if (!runner.Connect(port, 15000) || !other.Connect(port, 15000)) return {{"connect failed"}};
  for (const CatchingScript& script : kCatchingScripts) {
    seen.push_back(KillCatchingScript(runner, other, script));
  }
  return seen;
}

class BusyScriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RESPD_REQUIRE_REDIS_SERVER();
  }
  // respd with one I/O thread (every client shares the script's thread) and with two (clients
  // alternate between the script's thread and the other).
  void CompareWithRedis(bool function) {
    ServerProcess redis = StartServer(true, {});
    ASSERT_TRUE(redis.running());
    std::vector<std::string> expected = KillConversation(redis.port(), function);
    for (const char* threads : {"1", "2"}) {
      SCOPED_TRACE(std::string("respd --threads ") + threads);
      ServerProcess respd = StartServer(false, {"--threads", threads});
      ASSERT_TRUE(respd.running());
      std::vector<std::string> actual = KillConversation(respd.port(), function);
      ASSERT_EQ(actual.size(), expected.size());
      for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_EQ(actual[i], expected[i]) << "step " << i;
    }
  }
};

TEST_F(BusyScriptTest, ScriptKillAnswersAsRedisOnEveryThread) { CompareWithRedis(false); }

TEST_F(BusyScriptTest, FunctionKillAnswersAsRedisOnEveryThread) { CompareWithRedis(true); }

TEST_F(BusyScriptTest, KillStopsScriptsThatCatchErrorsAsRedisDoes) {
  ServerProcess redis = StartServer(true, {});
  ASSERT_TRUE(redis.running());
  std::vector<std::vector<std::string>> expected = KillCatchingScripts(redis.port());
  ASSERT_EQ(expected.size(), std::size(kCatchingScripts));
  for (const char* threads : {"1", "2"}) {
    ServerProcess respd = StartServer(false, {"--threads", threads});
    ASSERT_TRUE(respd.running());
    std::vector<std::vector<std::string>> actual = KillCatchingScripts(respd.port());
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(actual[i], expected[i])
          << kCatchingScripts[i].name << ", respd --threads " << threads;
    }
  }
}

// Where Redis itself never stops: a kill raised from Lua's hook runs the xpcall handler with
// hooks off, so a handler that spins holds Redis until it ends, and a coroutine keeps the hook it
// was created with. respd skips the handler of a killed script and kills every coroutine.
TEST_F(BusyScriptTest, KillStopsWhatRedisCannot) {
  constexpr const char* kBodies[] = {
      "while running() do xpcall(spin, function(e) spin() return e end) end return 'finished'",
      "while running() do xpcall(function() error('x') end, function(e) spin() return e end) end "
      "return 'finished'",
      "while running() do pcall(coroutine.wrap(spin)) end return 'finished'",
  };
  ServerProcess respd = StartServer(false, {"--threads", "1"});
  ASSERT_TRUE(respd.running());
  RespClient runner, other;
  ASSERT_TRUE(runner.Connect(respd.port(), 15000));
  ASSERT_TRUE(other.Connect(respd.port(), 15000));
  for (const char* body : kBodies) {
    std::string script = std::string(kSpinPrelude) + body;
    std::string loaded = runner.Command({"SCRIPT", "LOAD", script});  // "$40\r\n<sha>\r\n"
    ASSERT_EQ(loaded.size(), 47u) << loaded;
    std::string sha = loaded.substr(5, 40);
    runner.SendRaw(runner.EncodeCommand({"EVAL", script, "0"}));
    ASSERT_TRUE(WaitForBusy(other).starts_with("-BUSY")) << body;
    EXPECT_EQ(other.Command({"SCRIPT", "KILL"}), "+OK\r\n") << body;
    EXPECT_EQ(runner.ReadReply(15000), "-ERR Script killed by user with SCRIPT KILL... script: " +
                                           sha + ", on @user_script:1.\r\n")
        << body;
    EXPECT_EQ(other.Command({"PING"}), "+PONG\r\n") << body;
  }
}

// Sends `command` on another I/O thread just after a looping script started: it gets `ran` (it ran
// before the script on a very slow machine) or BUSY once the script passes the threshold, as
// Redis answers it, instead of holding its thread until the script ends; that thread's other
// clients (SCRIPT KILL) are served meanwhile. Found by fuzzing: with every other thread so stuck,
// nothing could stop a looping script. A BUSY is a rejected call of `stat` (INFO commandstats), as
// Redis counts its processCommand refusals, not a failed one.
void ExpectWaitingCommandGetsBusy(const std::vector<std::string>& command, std::string_view ran,
                                  std::string_view stat) {
  ServerProcess respd =
      ServerProcess::StartRespd({"--busy-reply-threshold", "500", "--threads", "2"});
  ASSERT_TRUE(respd.running());
  // Round-robin placement: runner and filler share one thread, waiting and other the other.
  RespClient runner, waiting, filler, other;
  ASSERT_TRUE(runner.Connect(respd.port(), 15000));
  ASSERT_TRUE(waiting.Connect(respd.port(), 15000));
  ASSERT_TRUE(filler.Connect(respd.port(), 15000));
  ASSERT_TRUE(other.Connect(respd.port(), 15000));
  runner.SendRaw(runner.EncodeCommand({"EVAL", kSpinScript, "0"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  waiting.SendRaw(waiting.EncodeCommand(command));
  std::string got = waiting.ReadReply(5000);
  EXPECT_TRUE(got == ran || got.starts_with("-BUSY")) << got;
  EXPECT_TRUE(WaitForBusy(other).starts_with("-BUSY"));
  EXPECT_EQ(other.Command({"SCRIPT", "KILL"}), "+OK\r\n");
  EXPECT_TRUE(runner.ReadReply(15000).starts_with("-ERR Script killed"));
  EXPECT_EQ(waiting.Command({"PING"}), "+PONG\r\n");
  if (!got.starts_with("-BUSY")) return;
  std::string stats = other.Command({"INFO", "commandstats"});
  std::string prefix = "cmdstat_" + std::string(stat) + ":calls=0,";
  size_t at = stats.find(prefix);
  ASSERT_NE(at, std::string::npos) << stats;
  std::string line = stats.substr(at, stats.find("\r\n", at) - at);
  EXPECT_TRUE(line.ends_with(",rejected_calls=1,failed_calls=0")) << line;
}

// A keyed command waits for the shard locks the script took.
TEST_F(BusyScriptTest, CommandWaitingForTheScriptsLocksGetsBusy) {
  ExpectWaitingCommandGetsBusy({"GET", "k"}, "$-1\r\n", "get");
}

// A command without keys (FUNCTION LOAD, SCRIPT LOAD...) waits for the script engine itself.
TEST_F(BusyScriptTest, CommandWaitingForTheEngineGetsBusy) {
  ExpectWaitingCommandGetsBusy(
      {"FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"},
      "$3\r\nlib\r\n", "function|load");
}

// A script that wrote cannot be killed; SHUTDOWN NOSAVE stops the server anyway, on the script's
// own thread too, and the script's caller gets no reply.
TEST_F(BusyScriptTest, ShutdownNosaveStopsAnUnkillableScript) {
  for (const char* threads : {"1", "2"}) {
    SCOPED_TRACE(std::string("respd --threads ") + threads);
    ServerProcess respd = StartServer(false, {"--threads", threads});
    ASSERT_TRUE(respd.running());
    RespClient runner, other;
    ASSERT_TRUE(runner.Connect(respd.port(), 15000));
    ASSERT_TRUE(other.Connect(respd.port(), 15000));
    runner.SendRaw(runner.EncodeCommand({"EVAL", kWritingSpinScript, "0"}));
    std::string busy = WaitForBusy(other);
    ASSERT_TRUE(busy.starts_with("-BUSY")) << busy;
    EXPECT_EQ(other.Command({"SCRIPT", "KILL"}),
              "-UNKILLABLE Sorry the script already executed write commands against the dataset. "
              "You can either wait the script termination or kill the server in a hard way using "
              "the SHUTDOWN NOSAVE command.\r\n");
    other.SendRaw(other.EncodeCommand({"SHUTDOWN", "NOSAVE"}));
    int status = respd.WaitForExit(5000);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_TRUE(other.PeerClosed(1000));
    // As with Redis, which exits mid-script: the script's caller gets no reply, only the close.
    EXPECT_EQ(runner.ReadUntilClosed(1000), "");
    EXPECT_TRUE(runner.eof());
  }
}

}  // namespace
}  // namespace respd::testing
