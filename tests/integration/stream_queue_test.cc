// A job queue on a stream and a consumer group, as Redis-backed workers use it: a producer XADDs
// jobs while workers on other connections (and I/O threads) wait with XREADGROUP BLOCK, process a
// batch and XACK it. One worker dies holding unacknowledged jobs; a survivor takes them over with
// XAUTOCLAIM. Every job must be processed exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/respd_test.h"

namespace respd::testing {
namespace {

constexpr int kJobs = 10000;
constexpr int kLiveWorkers = 3;
constexpr int kHeadStart = 50;     // jobs queued before the workers start
constexpr int kDeadBatch = 25;     // jobs the dying worker takes and never acknowledges
constexpr int kMaxEmptyReads = 5;  // empty reads ending a worker once production is over

std::string BulkText(const std::string& frame) {
  size_t nl = frame.find("\r\n");
  return frame.substr(nl + 2, frame.size() - nl - 4);
}

// The (id, job) pairs of entries in a reply holding one stream's entries.
std::vector<std::pair<std::string, std::string>> Entries(const std::string& entries_frame) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& entry : SplitTopLevelElements(entries_frame)) {
    std::vector<std::string> parts = SplitTopLevelElements(entry);
    if (parts.size() != 2) continue;
    std::vector<std::string> fields = SplitTopLevelElements(parts[1]);
    if (fields.size() != 2) continue;
    out.emplace_back(BulkText(parts[0]), BulkText(fields[1]));
  }
  return out;
}

// The entries of an XREADGROUP reply for one stream (empty for a null reply).
std::vector<std::pair<std::string, std::string>> ReadGroupEntries(const std::string& reply) {
  std::vector<std::string> streams = SplitTopLevelElements(reply);
  if (streams.size() != 1) return {};
  std::vector<std::string> key_and_entries = SplitTopLevelElements(streams[0]);
  if (key_and_entries.size() != 2) return {};
  return Entries(key_and_entries[1]);
}

class StreamQueueTest : public RespdTest {};

TEST_F(StreamQueueTest, EveryJobIsProcessedOnceAfterClaims) {
  RespClient producer = Connect();
  ASSERT_EQ(producer.Command({"XGROUP", "CREATE", "queue", "workers", "$", "MKSTREAM"}), "+OK\r\n");
  int produced = 0;
  for (; produced < kHeadStart; ++produced) {
    producer.Command({"XADD", "queue", "*", "job", std::to_string(produced)});
  }
  {
    // The worker that dies: it takes a batch and disconnects without acknowledging it.
    RespClient dying = Connect();
    auto batch =
        ReadGroupEntries(dying.Command({"XREADGROUP", "GROUP", "workers", "dying", "COUNT",
                                        std::to_string(kDeadBatch), "STREAMS", "queue", ">"}));
    ASSERT_EQ(batch.size(), static_cast<size_t>(kDeadBatch));
  }

  std::mutex mutex;
  std::map<std::string, int> processed;
  std::atomic<bool> done{false};
  auto process = [&](RespClient& client, const std::string& id, const std::string& job) {
    {
      std::lock_guard lock(mutex);
      ++processed[job];
    }
    return client.Command({"XACK", "queue", "workers", id}) == ":1\r\n";
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < kLiveWorkers; ++w) {
    workers.emplace_back([&, w] {
      RespClient client;
      if (!client.Connect(server_->port())) return;
      std::string name = "worker" + std::to_string(w);
      int empty_reads = 0;
      while (empty_reads < kMaxEmptyReads) {
        auto batch =
            ReadGroupEntries(client.Command({"XREADGROUP", "GROUP", "workers", name, "COUNT", "10",
                                             "BLOCK", "100", "STREAMS", "queue", ">"}));
        if (batch.empty()) {
          if (done) ++empty_reads;
          continue;
        }
        for (const auto& [id, job] : batch) EXPECT_TRUE(process(client, id, job));
      }
    });
  }
  for (; produced < kJobs; ++produced) {
    producer.Command({"XADD", "queue", "*", "job", std::to_string(produced)});
  }
  done = true;
  for (std::thread& t : workers) t.join();

  // Only the dead worker's batch is still pending; a survivor claims it.
  EXPECT_EQ(SplitTopLevelElements(producer.Command({"XPENDING", "queue", "workers"}))[0],
            ":" + std::to_string(kDeadBatch) + "\r\n");
  RespClient survivor = Connect();
  std::string cursor = "0-0";
  for (int round = 0; round < kDeadBatch; ++round) {
    std::vector<std::string> reply = SplitTopLevelElements(survivor.Command(
        {"XAUTOCLAIM", "queue", "workers", "survivor", "0", cursor, "COUNT", "10"}));
    ASSERT_EQ(reply.size(), 3u);
    for (const auto& [id, job] : Entries(reply[1])) EXPECT_TRUE(process(survivor, id, job));
    cursor = BulkText(reply[0]);
    if (cursor == "0-0") break;
  }

  EXPECT_EQ(processed.size(), static_cast<size_t>(kJobs));
  for (const auto& [job, count] : processed) EXPECT_EQ(count, 1) << "job " << job;
  EXPECT_EQ(producer.Command({"XPENDING", "queue", "workers"}),
            "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
  EXPECT_EQ(producer.Command({"XLEN", "queue"}), ":" + std::to_string(kJobs) + "\r\n");
}

}  // namespace
}  // namespace respd::testing
