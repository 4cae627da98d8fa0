// A job queue driven by Lua scripts the way BullMQ drives Redis: EVALSHA scripts add jobs (job
// hash, wait list or delayed sorted set, an events stream capped with XADD MAXLEN ~, job options
// packed with cmsgpack), promote due delayed jobs, move a job to active and to completed. Workers
// on several connections of a four-thread server take jobs with BRPOPLPUSH and BLMOVE. Every job
// must complete exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr int kJobs = 2000;
constexpr int kWorkers = 4;
constexpr int kMaxEmptyPops = 200;  // empty pops (50 ms each) after which a worker gives up
constexpr int kEventsKept = 1000;

// KEYS: wait, delayed, id, events. ARGV: cmsgpack [name, delay], job key prefix, timestamp.
// Returns the new job's id. A delayed job is due at timestamp + delay.
constexpr const char* kAddJob = R"lua(
local opts = cmsgpack.unpack(ARGV[1])
local id = redis.call("INCR", KEYS[3])
redis.call("HSET", ARGV[2] .. id, "name", opts[1], "timestamp", ARGV[3],
           "opts", cmsgpack.pack({name = opts[1], delay = opts[2], attempts = 0}))
local event = "waiting"
if opts[2] > 0 then
  redis.call("ZADD", KEYS[2], tonumber(ARGV[3]) + opts[2], id)
  event = "delayed"
else
  redis.call("LPUSH", KEYS[1], id)
end
redis.call("XADD", KEYS[4], "MAXLEN", "~", ARGV[4], "*", "event", event, "jobId", id)
return id
)lua";

// KEYS: delayed, wait, id, events. ARGV: "now" ("" for the id counter, the producer's clock).
// Moves due delayed jobs to the wait list; returns how many.
constexpr const char* kPromote = R"lua(
local now = ARGV[1]
if now == "" then now = redis.call("GET", KEYS[3]) or "0" end
local due = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", now, "LIMIT", 0, 50)
for _, id in ipairs(due) do
  if redis.call("ZREM", KEYS[1], id) == 1 then
    redis.call("LPUSH", KEYS[2], id)
    redis.call("XADD", KEYS[4], "MAXLEN", "~", ARGV[2], "*", "event", "waiting", "jobId", id)
  end
end
return #due
)lua";

// KEYS: job hash, events. ARGV: worker. Marks the job active; returns its name from the packed
// options, or an error if the job is unknown.
constexpr const char* kMoveToActive = R"lua(
local packed = redis.call("HGET", KEYS[1], "opts")
if not packed then return redis.error_reply("ERR missing job " .. KEYS[1]) end
local opts = cmsgpack.unpack(packed)
opts.attempts = opts.attempts + 1
redis.call("HSET", KEYS[1], "opts", cmsgpack.pack(opts), "processedBy", ARGV[1])
redis.call("XADD", KEYS[2], "MAXLEN", "~", ARGV[2], "*", "event", "active", "jobId", KEYS[1])
return opts.name
)lua";

// KEYS: active, completed, job hash, events. ARGV: job id, timestamp. Moves the job from active to
// completed; returns the id of the last event, or an error if the job was not active.
constexpr const char* kMoveToFinished = R"lua(
if redis.call("LREM", KEYS[1], -1, ARGV[1]) ~= 1 then
  return redis.error_reply("ERR job " .. ARGV[1] .. " is not active")
end
if redis.call("ZADD", KEYS[2], ARGV[2], ARGV[1]) ~= 1 then
  return redis.error_reply("ERR job " .. ARGV[1] .. " completed twice")
end
local opts = cmsgpack.unpack(redis.call("HGET", KEYS[3], "opts"))
redis.call("HSET", KEYS[3], "finishedOn", ARGV[2], "returnvalue", cmsgpack.pack({ok = true, attempts = opts.attempts}))
redis.call("XADD", KEYS[4], "*", "event", "completed", "jobId", ARGV[1])
redis.call("XTRIM", KEYS[4], "MAXLEN", "~", ARGV[3])
local last = redis.call("XREVRANGE", KEYS[4], "+", "-", "COUNT", 1)
return last[1][1]
)lua";

std::string BulkText(const std::string& frame) {
  if (frame.empty() || frame[0] != '$' || frame.rfind("$-1", 0) == 0) return "";
  size_t nl = frame.find("\r\n");
  return frame.substr(nl + 2, frame.size() - nl - 4);
}

// cmsgpack's encoding of the array [name, delay]: a fixarray of a fixstr and a positive fixint.
std::string PackOptions(const std::string& name, int delay) {
  std::string out = "\x92";
  out += static_cast<char>(0xa0 | name.size());
  out += name;
  out += static_cast<char>(delay);
  return out;
}

std::string JobName(int id) { return "email:" + std::to_string(id); }

TEST(BullmqQueueTest, EveryJobCompletesOnceUnderScriptsAndBlockingMoves) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "4"});
  ASSERT_TRUE(server.running());
  RespClient producer;
  ASSERT_TRUE(producer.Connect(server.port()));
  std::map<std::string, std::string> sha;
  for (const auto& [name, body] :
       std::map<std::string, const char*>{{"add", kAddJob},
                                          {"promote", kPromote},
                                          {"active", kMoveToActive},
                                          {"finished", kMoveToFinished}}) {
    sha[name] = BulkText(producer.Command({"SCRIPT", "LOAD", body}));
    ASSERT_EQ(sha[name].size(), 40u) << name;
  }
  const std::string prefix = "bull:mail:";
  const std::string events = prefix + "events", wait = prefix + "wait", active = prefix + "active",
                    delayed = prefix + "delayed", completed = prefix + "completed",
                    id_key = prefix + "id";
  const std::string kept = std::to_string(kEventsKept);

  std::mutex mutex;
  std::map<int, int> done;  // job id -> completions seen by workers
  std::atomic<bool> produced{false};
  auto promote = [&](RespClient& client, const std::string& now) {
    return client.Command(
        {"EVALSHA", sha["promote"], "4", delayed, wait, id_key, events, now, kept});
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      RespClient client;
      if (!client.Connect(server.port(), 15000)) return;
      const std::string worker = "worker" + std::to_string(w);
      int empty_pops = 0;
      for (int round = 0; round < kJobs * 4 && empty_pops < kMaxEmptyPops; ++round) {
        EXPECT_EQ(promote(client, "")[0], ':');
        // Half the workers take jobs as older BullMQ did, half with BLMOVE.
        std::string popped = BulkText(
            w % 2 == 0 ? client.Command({"BRPOPLPUSH", wait, active, "0.05"})
                       : client.Command({"BLMOVE", wait, active, "RIGHT", "LEFT", "0.05"}));
        if (popped.empty()) {
          if (produced &&
              client.Command({"ZCARD", completed}) == ":" + std::to_string(kJobs) + "\r\n") {
            break;
          }
          ++empty_pops;
          continue;
        }
        int id = std::stoi(popped);
        std::string job = prefix + popped;
        EXPECT_EQ(
            BulkText(client.Command({"EVALSHA", sha["active"], "2", job, events, worker, kept})),
            JobName(id));
        std::string last = client.Command({"EVALSHA", sha["finished"], "4", active, completed, job,
                                           events, popped, std::to_string(id), kept});
        EXPECT_EQ(last[0], '$') << last;
        std::lock_guard lock(mutex);
        ++done[id];
      }
    });
  }
  for (int i = 1; i <= kJobs; ++i) {
    int delay = i % 5 == 0 ? 3 + i % 7 : 0;
    EXPECT_EQ(producer.Command({"EVALSHA", sha["add"], "4", wait, delayed, id_key, events,
                                PackOptions(JobName(i), delay), prefix, std::to_string(i), kept}),
              ":" + std::to_string(i) + "\r\n");
  }
  // Jobs delayed past the last timestamp are due only when the producer's clock moves on.
  for (int round = 0; round < kJobs; ++round) {
    if (promote(producer, "+inf") == ":0\r\n") break;
  }
  produced = true;
  for (std::thread& t : workers) t.join();

  EXPECT_EQ(done.size(), static_cast<size_t>(kJobs));
  for (const auto& [id, count] : done) EXPECT_EQ(count, 1) << "job " << id;
  EXPECT_EQ(producer.Command({"ZCARD", completed}), ":" + std::to_string(kJobs) + "\r\n");
  EXPECT_EQ(producer.Command({"EXISTS", wait, active, delayed}), ":0\r\n");
  EXPECT_EQ(
      producer.Command({"EVAL",
                        "local r = cmsgpack.unpack(redis.call('HGET', KEYS[1], 'returnvalue'))"
                        " return {tostring(r.ok), r.attempts}",
                        "1", prefix + "5"}),
      "*2\r\n$4\r\ntrue\r\n:1\r\n");
  // MAXLEN ~ trims whole nodes only: the events stream keeps at least the last kEventsKept.
  std::string length = producer.Command({"XLEN", events});
  int events_left = std::stoi(length.substr(1));
  EXPECT_GE(events_left, kEventsKept);
  EXPECT_LE(events_left, kEventsKept + 100);  // stream-node-max-entries
  EXPECT_EQ(producer.Command({"XTRIM", events, "MAXLEN", "=", "10"}),
            ":" + std::to_string(events_left - 10) + "\r\n");
  std::vector<std::string> last =
      SplitTopLevelElements(producer.Command({"XREVRANGE", events, "+", "-", "COUNT", "1"}));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_NE(last[0].find("completed"), std::string::npos);
}

}  // namespace
}  // namespace respd::testing
