// The command pipeline's hooks: an admission hook and an after hook registered at start-up fire on
// each of the four entry paths (a client's command, EXEC's body, redis.call, a blocked client's
// re-run), and a hook's refusal reaches each path's caller the way that path reports errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

constexpr std::string_view kNoAuth = "-NOAUTH Authentication required.\r\n";

// A connection as the blocking registry sees one: the answer a blocked client is resumed with is
// kept instead of being posted to a socket's thread.
class FakeConnection : public ClientHandle {
 public:
  explicit FakeConnection(uint64_t id) : state_(id) {}
  ClientState& state() override { return state_; }
  void CloseOnOwnThread() override {}
  void Resume(std::string reply, bool /*failed*/) override {
    state_.blocked = false;
    resumed.push_back(std::move(reply));
  }
  void Deliver(std::string_view frame) override { delivered.emplace_back(frame); }
  void Unpause() override { state_.postponed = false; }

  std::vector<std::string> resumed;
  std::vector<std::string> delivered;

 private:
  ClientState state_;
};

struct Seen {
  ExecutionMode path;
  Outcome outcome;
  std::string command;
  Refusal refusal;
  bool operator==(const Seen&) const = default;
};

void PrintTo(const Seen& seen, std::ostream* os) {
  *os << "{path " << static_cast<int>(seen.path) << ", outcome " << static_cast<int>(seen.outcome)
      << ", " << seen.command << ", refusal " << static_cast<int>(seen.refusal) << "}";
}

class PipelineTest : public CommandTest {
 protected:
  PipelineTest() {
    // As a feature would at start-up: refuses the commands named in `refused_`.
    server_->dispatcher.AddAdmissionHook([this](const Admission& admission) {
      admitted_.emplace_back(admission.path, std::string(admission.spec.name));
      return refused_.contains(std::string(admission.spec.name)) ? Refusal::kNoAuth
                                                                 : Refusal::kNone;
    });
    server_->dispatcher.AddAfterHook([this](const Completion& done) {
      completed_.push_back({done.path, done.outcome,
                            done.spec != nullptr ? std::string(done.spec->name) : "",
                            done.refusal});
    });
  }

  // A client with a connection to park, so blocking commands really block.
  std::shared_ptr<FakeConnection> Connect() {
    auto connection = std::make_shared<FakeConnection>(server_->clients.NextId());
    server_->clients.Add(connection);
    return connection;
  }

  std::string RunOn(FakeConnection& connection, const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    protocol::ReplyWriter writer(&out, connection.state().resp);
    server_->dispatcher.Dispatch(views, connection.state(), writer);
    return out;
  }

  bool Admitted(ExecutionMode path, std::string_view command) const {
    return std::find(admitted_.begin(), admitted_.end(), std::pair(path, std::string(command))) !=
           admitted_.end();
  }
  bool Completed(const Seen& seen) const {
    return std::find(completed_.begin(), completed_.end(), seen) != completed_.end();
  }

  std::set<std::string> refused_;
  std::vector<std::pair<ExecutionMode, std::string>> admitted_;
  std::vector<Seen> completed_;
};

TEST_F(PipelineTest, HooksSeeAClientsCommand) {
  EXPECT_EQ(Run({"set", "k", "v"}), "+OK\r\n");
  EXPECT_TRUE(Admitted(ExecutionMode::kNormal, "set"));
  EXPECT_TRUE(Completed({ExecutionMode::kNormal, Outcome::kRan, "set", Refusal::kNone}));

  refused_ = {"get"};
  EXPECT_EQ(Run({"get", "k"}), kNoAuth);
  EXPECT_TRUE(Completed({ExecutionMode::kNormal, Outcome::kRefused, "get", Refusal::kNoAuth}));
  // Refused by resolution, a command never reaches the admission hooks; the after hooks see it.
  EXPECT_EQ(Run({"get"}), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_TRUE(Completed({ExecutionMode::kNormal, Outcome::kRefused, "get", Refusal::kWrongArity}));
  Run({"nosuch"});
  EXPECT_TRUE(Completed({ExecutionMode::kNormal, Outcome::kRefused, "", Refusal::kUnknownCommand}));
}

TEST_F(PipelineTest, HooksSeeEachCommandOfExecAtExecTime) {
  EXPECT_EQ(Run({"multi"}), "+OK\r\n");
  EXPECT_EQ(Run({"set", "k", "v"}), "+QUEUED\r\n");
  EXPECT_EQ(Run({"get", "k"}), "+QUEUED\r\n");
  EXPECT_TRUE(Completed({ExecutionMode::kNormal, Outcome::kQueued, "get", Refusal::kNone}));
  // Rules that changed since the command was queued apply at EXEC time.
  refused_ = {"get"};
  EXPECT_EQ(Run({"exec"}), "*2\r\n+OK\r\n" + std::string(kNoAuth));
  EXPECT_TRUE(Admitted(ExecutionMode::kTransaction, "set"));
  EXPECT_TRUE(Admitted(ExecutionMode::kTransaction, "get"));
  EXPECT_TRUE(Completed({ExecutionMode::kTransaction, Outcome::kRan, "set", Refusal::kNone}));
  EXPECT_TRUE(Completed({ExecutionMode::kTransaction, Outcome::kRefused, "get", Refusal::kNoAuth}));
  EXPECT_EQ(completed_.back(),
            (Seen{ExecutionMode::kNormal, Outcome::kRan, "exec", Refusal::kNone}));

  // Refused when queued, the command dooms the transaction, as any refusal inside MULTI does.
  Run({"multi"});
  EXPECT_EQ(Run({"get", "k"}), kNoAuth);
  EXPECT_EQ(Run({"exec"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
}

TEST_F(PipelineTest, HooksSeeRedisCall) {
  EXPECT_EQ(Run({"eval", "return redis.call('set', 'k', 'v')", "0"}), "+OK\r\n");
  EXPECT_TRUE(Admitted(ExecutionMode::kScript, "set"));
  EXPECT_TRUE(Completed({ExecutionMode::kScript, Outcome::kRan, "set", Refusal::kNone}));

  refused_ = {"get"};
  EXPECT_EQ(Run({"eval", "return redis.pcall('get', 'k')", "0"}), kNoAuth);
  EXPECT_TRUE(Completed({ExecutionMode::kScript, Outcome::kRefused, "get", Refusal::kNoAuth}));
  EXPECT_EQ(completed_.back(),
            (Seen{ExecutionMode::kNormal, Outcome::kRan, "eval", Refusal::kNone}));
  // The script path's own refusals are after-hook events too.
  Run({"eval", "return redis.pcall('nosuch')", "0"});
  EXPECT_TRUE(
      Completed({ExecutionMode::kScript, Outcome::kRefused, "", Refusal::kScriptUnknownCommand}));
}

TEST_F(PipelineTest, HooksSeeABlockedClientsReRun) {
  std::shared_ptr<FakeConnection> waiter = Connect();
  EXPECT_EQ(RunOn(*waiter, {"blpop", "q", "0"}), "");
  EXPECT_TRUE(waiter->state().blocked);
  EXPECT_TRUE(Completed({ExecutionMode::kNormal, Outcome::kBlocked, "blpop", Refusal::kNone}));
  EXPECT_EQ(Run({"rpush", "q", "a"}), ":1\r\n");
  EXPECT_TRUE(Admitted(ExecutionMode::kBlockedRetry, "blpop"));
  EXPECT_TRUE(Completed({ExecutionMode::kBlockedRetry, Outcome::kRan, "blpop", Refusal::kNone}));
  EXPECT_EQ(waiter->resumed, std::vector<std::string>{"*2\r\n$1\r\nq\r\n$1\r\na\r\n"});

  // Refused when re-run, the waiter gets the refusal and the value stays.
  EXPECT_EQ(RunOn(*waiter, {"blpop", "q", "0"}), "");
  refused_ = {"blpop"};
  EXPECT_EQ(Run({"rpush", "q", "b"}), ":1\r\n");
  EXPECT_TRUE(
      Completed({ExecutionMode::kBlockedRetry, Outcome::kRefused, "blpop", Refusal::kNoAuth}));
  EXPECT_EQ(waiter->resumed.back(), kNoAuth);
  EXPECT_FALSE(waiter->state().blocked);
  EXPECT_EQ(Run({"llen", "q"}), ":1\r\n");
}

}  // namespace
}  // namespace respd::server
