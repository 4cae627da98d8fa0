// Client-side caching across I/O threads (--threads 4): a write on any connection invalidates
// every reader whatever thread it lives on, with RESP3 pushes or RESP2 redirection; a cache kept
// by those messages never keeps a stale value while a writer races the readers; a redirect to a
// client that left is reported.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr int kReadTimeoutMs = 10000;
constexpr int kPollAttempts = 500;

std::string Invalidation(const std::string& key) {
  return ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
}

RespClient Resp3(const ServerProcess& server) {
  RespClient client;
  EXPECT_TRUE(client.Connect(server.port()));
  EXPECT_TRUE(client.Command({"HELLO", "3"}).starts_with("%"));
  return client;
}

std::string ClientId(RespClient& client) {
  std::string id = client.Command({"CLIENT", "ID"});
  return id.substr(1, id.size() - 3);
}

// A RESP2 client subscribed to __redis__:invalidate, where REDIRECT sends invalidations; returns
// its id.
std::string SubscribeToInvalidations(RespClient& listener, const ServerProcess& server) {
  EXPECT_TRUE(listener.Connect(server.port()));
  std::string id = ClientId(listener);
  EXPECT_EQ(listener.Command({"SUBSCRIBE", "__redis__:invalidate"}),
            "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n");
  return id;
}

TEST(ClientTrackingTest, WritesInvalidateReadersOnEveryThread) {
  constexpr int kReaders = 8;
  constexpr int kKeys = 50;
  ServerProcess server = ServerProcess::StartRespd({"--threads", "4"});
  ASSERT_TRUE(server.running());
  std::vector<RespClient> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.push_back(Resp3(server));
    ASSERT_EQ(readers.back().Command({"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
    for (int k = 0; k < kKeys; ++k) {
      ASSERT_EQ(readers.back().Command({"GET", "k" + std::to_string(k)}), "_\r\n");
    }
  }
  RespClient writer;
  ASSERT_TRUE(writer.Connect(server.port()));
  ASSERT_TRUE(writer.Command({"INFO", "stats"})
                  .find("tracking_total_items:" + std::to_string(kReaders * kKeys)) !=
              std::string::npos);
  for (int k = 0; k < kKeys; ++k) {
    ASSERT_EQ(writer.Command({"SET", "k" + std::to_string(k), "v"}), "+OK\r\n");
  }
  // One writer: each reader gets every key once, in the order written.
  for (RespClient& reader : readers) {
    for (int k = 0; k < kKeys; ++k) {
      ASSERT_EQ(reader.ReadReply(kReadTimeoutMs), Invalidation("k" + std::to_string(k)));
    }
    ASSERT_EQ(reader.Command({"PING"}), "+PONG\r\n");
  }
  ASSERT_TRUE(writer.Command({"INFO", "stats"}).find("tracking_total_items:0") !=
              std::string::npos);
}

TEST(ClientTrackingTest, Resp2RedirectionReachesASubscriberOnAnotherThread) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "4"});
  ASSERT_TRUE(server.running());
  RespClient listener;
  std::string id = SubscribeToInvalidations(listener, server);
  ASSERT_FALSE(::testing::Test::HasFailure());
  std::vector<RespClient> readers(4);
  for (RespClient& reader : readers) {
    ASSERT_TRUE(reader.Connect(server.port()));
    ASSERT_EQ(reader.Command({"CLIENT", "TRACKING", "ON", "REDIRECT", id}), "+OK\r\n");
    ASSERT_EQ(reader.Command({"GET", "shared"}), "$-1\r\n");
  }
  RespClient writer;
  ASSERT_TRUE(writer.Connect(server.port()));
  ASSERT_EQ(writer.Command({"SET", "shared", "1"}), "+OK\r\n");
  const std::string message =
      "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$6\r\nshared\r\n";
  for (size_t i = 0; i < readers.size(); ++i) {
    ASSERT_EQ(listener.ReadReply(kReadTimeoutMs), message);
  }
  ASSERT_EQ(writer.Command({"FLUSHALL"}), "+OK\r\n");
  for (size_t i = 0; i < readers.size(); ++i) {
    ASSERT_EQ(listener.ReadReply(kReadTimeoutMs),
              "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n");
  }
}

// A reader caching what it reads and dropping what it is told to never ends up with a value
// older than the last write, however the writer's commands interleave with its reads.
TEST(ClientTrackingTest, CacheNeverKeepsAStaleValueWhileAWriterRaces) {
  constexpr int kWrites = 3000;
  ServerProcess server = ServerProcess::StartRespd({"--threads", "4"});
  ASSERT_TRUE(server.running());
  std::vector<RespClient> readers;
  for (int r = 0; r < 3; ++r) {
    readers.push_back(Resp3(server));
    ASSERT_EQ(readers.back().Command({"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  }
  RespClient writer;
  ASSERT_TRUE(writer.Connect(server.port()));
  ASSERT_EQ(writer.Command({"SET", "counter", "0"}), "+OK\r\n");
  std::jthread writes([&] {
    for (int i = 0; i < kWrites; ++i) writer.Command({"INCR", "counter"});
  });
  std::vector<std::optional<std::string>> caches(readers.size());
  // Runs `command`, applying the pushes that come before its reply; returns the reply.
  auto run = [&](size_t r, const std::vector<std::string>& command) {
    EXPECT_TRUE(readers[r].SendRaw(readers[r].EncodeCommand(command)));
    while (true) {
      std::string frame = readers[r].ReadReply(kReadTimeoutMs);
      if (frame.empty()) return frame;
      if (frame == Invalidation("counter")) {
        caches[r].reset();
        continue;
      }
      return frame;
    }
  };
  for (int round = 0; round < kWrites; ++round) {
    for (size_t r = 0; r < readers.size(); ++r) {
      if (!caches[r]) {
        caches[r] = run(r, {"GET", "counter"});
      } else {
        run(r, {"PING"});
      }
    }
  }
  writes.join();
  std::string final_value = writer.Command({"GET", "counter"});
  ASSERT_EQ(final_value, "$" + std::to_string(std::to_string(kWrites).size()) + "\r\n" +
                             std::to_string(kWrites) + "\r\n");
  for (size_t r = 0; r < readers.size(); ++r) {
    // Messages queued for a reader while it runs a command follow that command's reply: the
    // second PING's reply comes after all of them.
    ASSERT_EQ(run(r, {"PING"}), "+PONG\r\n");
    ASSERT_EQ(run(r, {"PING"}), "+PONG\r\n");
    if (caches[r]) {
      EXPECT_EQ(*caches[r], final_value) << "reader " << r << " kept a stale value";
    }
  }
}

TEST(ClientTrackingTest, RedirectToAClientThatLeftIsReported) {
  ServerProcess server = ServerProcess::StartRespd({"--threads", "4"});
  ASSERT_TRUE(server.running());
  RespClient target;
  ASSERT_TRUE(target.Connect(server.port()));
  std::string id = ClientId(target);
  RespClient reader = Resp3(server);
  ASSERT_EQ(reader.Command({"CLIENT", "TRACKING", "ON", "REDIRECT", id}), "+OK\r\n");
  ASSERT_EQ(reader.Command({"GET", "k"}), "_\r\n");
  target.Close();
  bool gone = false;
  for (int i = 0; i < kPollAttempts && !gone; ++i) {
    gone = reader.Command({"CLIENT", "LIST", "ID", id}).find("id=") == std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(gone);
  ASSERT_EQ(reader.Command({"SET", "k", "1"}), "+OK\r\n");
  ASSERT_EQ(reader.ReadReply(kReadTimeoutMs),
            ">2\r\n$21\r\ntracking-redir-broken\r\n:" + id + "\r\n");
  std::string info = reader.Command({"CLIENT", "TRACKINGINFO"});
  EXPECT_NE(info.find("broken_redirect"), std::string::npos) << info;
  EXPECT_NE(reader.Command({"CLIENT", "INFO"}).find(" flags=tR "), std::string::npos);
}

// Redis's suite (unit/tracking, "Server is able to evacuate enough keys when num of keys
// surpasses limit by more than defined initial effort"): after CONFIG SET lowers
// tracking-table-max-keys, the cron keeps trimming (100 keys more each round) with no further
// command, as Redis's serverCron does.
TEST(ClientTrackingTest, LoweredTableLimitIsReachedWithoutFurtherCommands) {
  constexpr int kKeys = 250;
  ServerProcess server = ServerProcess::StartRespd({});
  ASSERT_TRUE(server.running());
  RespClient listener;
  std::string id = SubscribeToInvalidations(listener, server);
  ASSERT_FALSE(::testing::Test::HasFailure());
  RespClient reader;
  ASSERT_TRUE(reader.Connect(server.port()));
  ASSERT_EQ(reader.Command({"CLIENT", "TRACKING", "ON", "REDIRECT", id}), "+OK\r\n");
  for (int k = 0; k < kKeys; ++k) {
    ASSERT_EQ(reader.Command({"GET", "k" + std::to_string(k)}), "$-1\r\n");
  }
  ASSERT_EQ(reader.Command({"CONFIG", "SET", "tracking-table-max-keys", "1"}), "+OK\r\n");
  for (int k = 0; k < kKeys - 1; ++k) {
    ASSERT_TRUE(listener.ReadReply(kReadTimeoutMs)
                    .starts_with("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n"))
        << "invalidation " << k;
  }
  EXPECT_EQ(listener.Command({"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
}

}  // namespace
}  // namespace respd::testing
