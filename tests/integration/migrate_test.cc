// MIGRATE between real servers: respd to respd, redis-server to respd and back, and to a fake
// target the test plays itself (to stall, close or answer at chosen moments). Replies, the
// propagated DEL and the redaction of passwords are checked against redis-server's where it is
// installed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/support/replication_stream.h"
#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace respd::testing {
namespace {

constexpr int kTimeoutMs = 10000;
constexpr int kPollAttempts = 200;
constexpr auto kPollInterval = std::chrono::milliseconds(100);

std::string Bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

RespClient ConnectTo(const ServerProcess& server) {
  RespClient client;
  EXPECT_TRUE(client.Connect(server.port(), kTimeoutMs));
  return client;
}

std::vector<std::string> Migrate(const ServerProcess& target, std::vector<std::string> rest) {
  std::vector<std::string> argv{"MIGRATE", "127.0.0.1", std::to_string(target.port())};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

// Polls `INFO stats` of `client` (bounded) until it has `line`.
bool InfoShows(RespClient& client, const std::string& line) {
  for (int i = 0; i < kPollAttempts; ++i) {
    if (client.Command({"INFO", "stats"}).find(line) != std::string::npos) return true;
    std::this_thread::sleep_for(kPollInterval);
  }
  return false;
}

// A target the test plays: a listening socket whose connections the test accepts, reads and
// answers by hand.
class FakeTarget {
 public:
  FakeTarget() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), length), 0);
    EXPECT_EQ(::listen(listener_, 8), 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~FakeTarget() {
    for (int fd : accepted_) ::close(fd);
    ::close(listener_);
  }
  FakeTarget(const FakeTarget&) = delete;
  FakeTarget& operator=(const FakeTarget&) = delete;

  int port() const { return port_; }

  // The next connection (bounded wait); -1 if none came.
  int Accept() {
    pollfd waiting{.fd = listener_, .events = POLLIN, .revents = 0};
    if (::poll(&waiting, 1, kTimeoutMs) != 1) return -1;
    int fd = ::accept(listener_, nullptr, nullptr);
    if (fd >= 0) accepted_.push_back(fd);
    return fd;
  }

  // The next `count` commands sent on `fd` (bounded wait), as argument vectors.
  std::vector<std::vector<std::string>> Read(int fd, size_t count) {
    std::vector<std::vector<std::string>> commands;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
    while (commands.size() < count && std::chrono::steady_clock::now() < deadline) {
      if (std::optional<std::vector<std::string>> command = Parse()) {
        commands.push_back(std::move(*command));
        continue;
      }
      pollfd waiting{.fd = fd, .events = POLLIN, .revents = 0};
      if (::poll(&waiting, 1, 100) != 1) continue;
      char buffer[65536];
      ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n <= 0) break;
      input_.append(buffer, static_cast<size_t>(n));
    }
    return commands;
  }

  static void Reply(int fd, const std::string& bytes) {
    EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

 private:
  // One complete multibulk command from the front of input_, consumed.
  std::optional<std::vector<std::string>> Parse() {
    size_t pos = 0;
    auto line = [&]() -> std::optional<std::string> {
      size_t end = input_.find("\r\n", pos);
      if (end == std::string::npos) return std::nullopt;
      std::string text = input_.substr(pos, end - pos);
      pos = end + 2;
      return text;
    };
    std::optional<std::string> header = line();
    if (!header) return std::nullopt;
    std::vector<std::string> argv;
    for (int i = std::stoi(header->substr(1)); i > 0; --i) {
      std::optional<std::string> length = line();
      if (!length) return std::nullopt;
      size_t n = std::stoul(length->substr(1));
      if (input_.size() < pos + n + 2) return std::nullopt;
      argv.push_back(input_.substr(pos, n));
      pos += n + 2;
    }
    input_.erase(0, pos);
    return argv;
  }

  int listener_ = -1;
  int port_ = 0;
  std::vector<int> accepted_;
  std::string input_;
};

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartRespd({"--threads", "2"});
    target_ = StartRespd({});
  }

  static std::unique_ptr<ServerProcess> StartRespd(std::vector<std::string> args) {
    args.insert(args.end(), {"--enable-debug-command", "yes", "--save", ""});
    auto server = std::make_unique<ServerProcess>(ServerProcess::StartRespd(args));
    EXPECT_TRUE(server->running());
    return server;
  }
  static std::unique_ptr<ServerProcess> StartRedis() {
    auto server = std::make_unique<ServerProcess>(
        ServerProcess::StartRedis({"--enable-debug-command", "yes", "--save", ""}));
    EXPECT_TRUE(server->running());
    return server;
  }

  std::unique_ptr<ServerProcess> source_;
  std::unique_ptr<ServerProcess> target_;
};

TEST_F(MigrateTest, MovesAKeyWithItsTtlIntoTheTargetDatabase) {
  RespClient source = ConnectTo(*source_);
  RespClient target = ConnectTo(*target_);
  ASSERT_EQ(source.Command({"RPUSH", "list", "a", "b", "c"}), ":3\r\n");
  ASSERT_EQ(source.Command({"PEXPIRE", "list", "100000"}), ":1\r\n");
  ASSERT_EQ(source.Command({"SET", "plain", "v"}), "+OK\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"list", "9", "5000"})), "+OK\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"plain", "9", "5000"})), "+OK\r\n");
  EXPECT_EQ(source.Command({"EXISTS", "list", "plain"}), ":0\r\n");
  ASSERT_EQ(target.Command({"SELECT", "9"}), "+OK\r\n");
  EXPECT_EQ(target.Command({"LRANGE", "list", "0", "-1"}),
            "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  std::string pttl = target.Command({"PTTL", "list"});
  ASSERT_TRUE(pttl.starts_with(":"));
  int64_t ms = std::stoll(pttl.substr(1));
  EXPECT_GT(ms, 90000);
  EXPECT_LE(ms, 100000);
  EXPECT_EQ(target.Command({"TTL", "plain"}), ":-1\r\n");
  EXPECT_EQ(target.Command({"DBSIZE"}), ":2\r\n");
}

TEST_F(MigrateTest, CopyKeepsTheKeyAndReplaceOverwritesTheTargets) {
  RespClient source = ConnectTo(*source_);
  RespClient target = ConnectTo(*target_);
  ASSERT_EQ(source.Command({"SET", "k", "new"}), "+OK\r\n");
  ASSERT_EQ(target.Command({"SET", "k", "old"}), "+OK\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"k", "0", "5000", "COPY"})),
            "-ERR Target instance replied with error: BUSYKEY Target key name already "
            "exists.\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"k", "0", "5000", "copy", "replace"})), "+OK\r\n");
  EXPECT_EQ(source.Command({"GET", "k"}), "$3\r\nnew\r\n");
  EXPECT_EQ(target.Command({"GET", "k"}), "$3\r\nnew\r\n");
}

TEST_F(MigrateTest, KeysFormSendsTheKeysThatExistAndNokeyWhenNoneDoes) {
  RespClient source = ConnectTo(*source_);
  RespClient target = ConnectTo(*target_);
  ASSERT_EQ(source.Command({"MSET", "a", "1", "b", "2"}), "+OK\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"", "0", "5000", "KEYS", "x", "y", "x"})),
            "+NOKEY\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"nokey", "0", "5000"})), "+NOKEY\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"", "0", "5000", "keys", "x", "a", "y", "b"})),
            "+OK\r\n");
  EXPECT_EQ(source.Command({"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(target.Command({"MGET", "a", "b"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
}

TEST_F(MigrateTest, OnlyTheKeysTheTargetAcceptedAreDeleted) {
  RespClient source = ConnectTo(*source_);
  RespClient target = ConnectTo(*target_);
  ASSERT_EQ(source.Command({"MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"}), "+OK\r\n");
  ASSERT_EQ(target.Command({"MSET", "c", "_", "d", "_"}), "+OK\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"", "0", "5000", "KEYS", "a", "b", "c", "d", "e"})),
            "-ERR Target instance replied with error: BUSYKEY Target key name already "
            "exists.\r\n");
  EXPECT_EQ(source.Command({"DBSIZE"}), ":2\r\n");
  EXPECT_EQ(source.Command({"EXISTS", "c", "d"}), ":2\r\n");
  EXPECT_EQ(target.Command({"DBSIZE"}), ":5\r\n");
}

TEST_F(MigrateTest, AuthAndAuth2AuthenticateFirst) {
  RespClient source = ConnectTo(*source_);
  RespClient target = ConnectTo(*target_);
  ASSERT_EQ(target.Command({"ACL", "SETUSER", "mover", "on", ">secret", "~*", "+@all"}), "+OK\r\n");
  ASSERT_EQ(target.Command({"CONFIG", "SET", "requirepass", "foobar"}), "+OK\r\n");
  ASSERT_EQ(source.Command({"MSET", "a", "1", "b", "2", "c", "3"}), "+OK\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"a", "0", "5000", "AUTH", "foobar"})), "+OK\r\n");
  // The cached connection stays authenticated, so the RESTORE after the failed AUTH succeeds; the
  // key stays here all the same, as in Redis, since the AUTH failed.
  EXPECT_EQ(source.Command(Migrate(*target_, {"b", "0", "5000", "AUTH", "wrong"})),
            "-ERR Target instance replied with error: WRONGPASS invalid username-password pair "
            "or user is disabled.\r\n");
  EXPECT_EQ(source.Command({"EXISTS", "b"}), ":1\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"c", "0", "5000", "AUTH2", "mover", "secret"})),
            "+OK\r\n");
  EXPECT_EQ(source.Command({"EXISTS", "a", "c"}), ":0\r\n");
  ASSERT_EQ(target.Command({"AUTH", "foobar"}), "+OK\r\n");
  EXPECT_EQ(target.Command({"MGET", "a", "b", "c"}), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
}

TEST_F(MigrateTest, ASecondCallReusesTheCachedSocketAndSelectsOnlyAnotherDatabase) {
  RespClient source = ConnectTo(*source_);
  RespClient target = ConnectTo(*target_);
  RespClient monitor = ConnectTo(*target_);
  ASSERT_EQ(monitor.Command({"MONITOR"}), "+OK\r\n");
  EXPECT_NE(source.Command({"INFO", "stats"}).find("migrate_cached_sockets:0\r\n"),
            std::string::npos);
  ASSERT_EQ(source.Command({"MSET", "a", "1", "b", "2", "c", "3"}), "+OK\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"a", "5", "5000"})), "+OK\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"b", "5", "5000"})), "+OK\r\n");
  EXPECT_EQ(source.Command(Migrate(*target_, {"c", "6", "5000"})), "+OK\r\n");
  EXPECT_NE(source.Command({"INFO", "stats"}).find("migrate_cached_sockets:1\r\n"),
            std::string::npos);
  std::vector<std::string> seen;
  for (int i = 0; i < 5; ++i) seen.push_back(monitor.ReadReply(kTimeoutMs));
  EXPECT_NE(seen[0].find("\"SELECT\" \"5\""), std::string::npos) << seen[0];
  EXPECT_NE(seen[1].find("\"RESTORE\" \"a\""), std::string::npos) << seen[1];
  EXPECT_NE(seen[2].find("\"RESTORE\" \"b\""), std::string::npos) << seen[2];
  EXPECT_NE(seen[3].find("\"SELECT\" \"6\""), std::string::npos) << seen[3];
  EXPECT_NE(seen[4].find("\"RESTORE\" \"c\""), std::string::npos) << seen[4];
  std::string clients = target.Command({"CLIENT", "LIST"});
  size_t restoring = 0;
  for (size_t at = clients.find("cmd=restore"); at != std::string::npos;
       at = clients.find("cmd=restore", at + 1)) {
    ++restoring;
  }
  EXPECT_EQ(restoring, 1u) << clients;
}

TEST_F(MigrateTest, AnIdleCachedSocketIsClosedAfterTenSeconds) {
  RespClient source = ConnectTo(*source_);
  ASSERT_EQ(source.Command({"SET", "k", "v"}), "+OK\r\n");
  ASSERT_EQ(source.Command(Migrate(*target_, {"k", "0", "5000"})), "+OK\r\n");
  ASSERT_NE(source.Command({"INFO", "stats"}).find("migrate_cached_sockets:1\r\n"),
            std::string::npos);
  EXPECT_TRUE(InfoShows(source, "migrate_cached_sockets:0\r\n"));
}

TEST_F(MigrateTest, AnUnreachableTargetIsAnIoErrorAndTheKeyStays) {
  RespClient source = ConnectTo(*source_);
  ASSERT_EQ(source.Command({"SET", "k", "v"}), "+OK\r\n");
  int closed_port = FreePort();
  std::vector<std::string> migrate{"MIGRATE", "127.0.0.1", std::to_string(closed_port),
                                   "k",       "0",         "1000"};
  std::string reply = source.Command(migrate);
  EXPECT_EQ(reply, "-IOERR error or timeout writing to target instance\r\n");
  EXPECT_EQ(source.Command({"EXISTS", "k"}), ":1\r\n");
  std::vector<std::string> bad_port{"MIGRATE", "127.0.0.1", "-1", "k", "0", "1000"};
  std::string bad_port_reply = source.Command(bad_port);
  EXPECT_EQ(bad_port_reply, "-IOERR error or timeout connecting to the client\r\n");
  if (!RedisServerMissing().empty()) return;
  std::unique_ptr<ServerProcess> redis = StartRedis();
  RespClient redis_client = ConnectTo(*redis);
  ASSERT_EQ(redis_client.Command({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(redis_client.Command(migrate), reply);
  EXPECT_EQ(redis_client.Command(bad_port), bad_port_reply);
}

TEST_F(MigrateTest, ATargetThatDoesNotAnswerTimesOut) {
  FakeTarget silent;
  RespClient source = ConnectTo(*source_);
  ASSERT_EQ(source.Command({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(
      source.Command({"MIGRATE", "127.0.0.1", std::to_string(silent.port()), "k", "0", "300"}),
      "-IOERR error or timeout reading to target instance\r\n");
  EXPECT_EQ(source.Command({"EXISTS", "k"}), ":1\r\n");
  // A timeout closes the socket and is not retried.
  EXPECT_NE(source.Command({"INFO", "stats"}).find("migrate_cached_sockets:0\r\n"),
            std::string::npos);
  int fd = silent.Accept();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(silent.Read(fd, 2).size(), 2u);  // SELECT and RESTORE, written before the wait
}

TEST_F(MigrateTest, ACachedSocketTheTargetClosedIsReplacedOnce) {
  FakeTarget fake;
  RespClient source = ConnectTo(*source_);
  ASSERT_EQ(source.Command({"MSET", "a", "1", "b", "2"}), "+OK\r\n");
  std::vector<std::string> migrate_a{"MIGRATE", "127.0.0.1", std::to_string(fake.port()),
                                     "a",       "3",         "5000"};
  ASSERT_TRUE(source.SendRaw(source.EncodeCommand(migrate_a)));
  int first = fake.Accept();
  ASSERT_GE(first, 0);
  std::vector<std::vector<std::string>> got = fake.Read(first, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::vector<std::string>{"SELECT", "3"}));
  EXPECT_EQ(got[1][0], "RESTORE");
  EXPECT_EQ(got[1][1], "a");
  EXPECT_EQ(got[1][2], "0");
  FakeTarget::Reply(first, "+OK\r\n+OK\r\n");
  EXPECT_EQ(source.ReadReply(kTimeoutMs), "+OK\r\n");
  ::shutdown(first, SHUT_RDWR);
  std::vector<std::string> migrate_b = migrate_a;
  migrate_b[3] = "b";
  ASSERT_TRUE(source.SendRaw(source.EncodeCommand(migrate_b)));
  int second = fake.Accept();
  ASSERT_GE(second, 0);
  got = fake.Read(second, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::vector<std::string>{"SELECT", "3"}));
  EXPECT_EQ(got[1][1], "b");
  FakeTarget::Reply(second, "+OK\r\n+OK\r\n");
  EXPECT_EQ(source.ReadReply(kTimeoutMs), "+OK\r\n");
  EXPECT_EQ(source.Command({"DBSIZE"}), ":0\r\n");
}

TEST_F(MigrateTest, AnErrorLineIsQuotedAndTheNextCallSelectsAgain) {
  FakeTarget fake;
  RespClient source = ConnectTo(*source_);
  ASSERT_EQ(source.Command({"MSET", "a", "1", "b", "2"}), "+OK\r\n");
  std::vector<std::string> migrate{
      "MIGRATE", "127.0.0.1", std::to_string(fake.port()), "", "3", "5000", "KEYS", "a", "b"};
  ASSERT_TRUE(source.SendRaw(source.EncodeCommand(migrate)));
  int fd = fake.Accept();
  ASSERT_GE(fd, 0);
  ASSERT_EQ(fake.Read(fd, 3).size(), 3u);
  FakeTarget::Reply(fd, "+OK\r\n-FIRST problem\r\n+OK\r\n");
  EXPECT_EQ(source.ReadReply(kTimeoutMs),
            "-ERR Target instance replied with error: FIRST problem\r\n");
  EXPECT_EQ(source.Command({"EXISTS", "a", "b"}), ":1\r\n");  // b was accepted
  ASSERT_TRUE(source.SendRaw(source.EncodeCommand(migrate)));
  std::vector<std::vector<std::string>> got = fake.Read(fd, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::vector<std::string>{"SELECT", "3"}));
  FakeTarget::Reply(fd, "+OK\r\n+OK\r\n");
  EXPECT_EQ(source.ReadReply(kTimeoutMs), "+OK\r\n");
}

TEST_F(MigrateTest, AClusterNodeSendsRestoreAsking) {
  TempDir dir;
  std::unique_ptr<ServerProcess> node = StartRespd(
      {"--cluster-enabled", "yes", "--dir", dir.path(), "--cluster-node-timeout", "500"});
  RespClient client = ConnectTo(*node);
  ASSERT_EQ(client.Command({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"}), "+OK\r\n");
  bool ok = false;
  for (int i = 0; i < kPollAttempts && !ok; ++i) {
    ok = client.Command({"CLUSTER", "INFO"}).find("cluster_state:ok") != std::string::npos;
    if (!ok) std::this_thread::sleep_for(kPollInterval);
  }
  ASSERT_TRUE(ok);
  ASSERT_EQ(client.Command({"SET", "k", "v"}), "+OK\r\n");
  FakeTarget fake;
  ASSERT_TRUE(client.SendRaw(client.EncodeCommand(
      {"MIGRATE", "127.0.0.1", std::to_string(fake.port()), "k", "0", "5000", "REPLACE"})));
  int fd = fake.Accept();
  ASSERT_GE(fd, 0);
  std::vector<std::vector<std::string>> got = fake.Read(fd, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::vector<std::string>{"SELECT", "0"}));
  ASSERT_EQ(got[1].size(), 5u);
  EXPECT_EQ(got[1][0], "RESTORE-ASKING");
  EXPECT_EQ(got[1][4], "REPLACE");
  FakeTarget::Reply(fd, "+OK\r\n+OK\r\n");
  EXPECT_EQ(client.ReadReply(kTimeoutMs), "+OK\r\n");
  EXPECT_EQ(client.Command({"EXISTS", "k"}), ":0\r\n");
}

TEST_F(MigrateTest, AKeyChangedDuringTheExchangeIsKept) {
  FakeTarget fake;
  RespClient source = ConnectTo(*source_);
  RespClient other = ConnectTo(*source_);
  ASSERT_EQ(source.Command({"MSET", "changed", "1", "same", "2"}), "+OK\r\n");
  ASSERT_TRUE(
      source.SendRaw(source.EncodeCommand({"MIGRATE", "127.0.0.1", std::to_string(fake.port()), "",
                                           "0", "5000", "KEYS", "changed", "same"})));
  int fd = fake.Accept();
  ASSERT_GE(fd, 0);
  ASSERT_EQ(fake.Read(fd, 3).size(), 3u);
  // The source holds no lock while it waits for the target: another client writes meanwhile.
  EXPECT_EQ(other.Command({"APPEND", "changed", "x"}), ":2\r\n");
  FakeTarget::Reply(fd, "+OK\r\n+OK\r\n+OK\r\n");
  EXPECT_EQ(source.ReadReply(kTimeoutMs), "+OK\r\n");
  EXPECT_EQ(source.Command({"GET", "changed"}), "$2\r\n1x\r\n");
  EXPECT_EQ(source.Command({"EXISTS", "same"}), ":0\r\n");
}

TEST_F(MigrateTest, ToItselfTimesOutWithOneThreadAndWorksWithTwo) {
  std::unique_ptr<ServerProcess> single = StartRespd({"--threads", "1"});
  RespClient client = ConnectTo(*single);
  ASSERT_EQ(client.Command({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(client.Command(Migrate(*single, {"k", "9", "300"})),
            "-IOERR error or timeout reading to target instance\r\n");
  EXPECT_EQ(client.Command({"EXISTS", "k"}), ":1\r\n");

  // The listener runs on the first I/O thread: a client there waits for a connection nobody
  // accepts, a client on the second one is served.
  RespClient setup = ConnectTo(*source_);
  ASSERT_EQ(setup.Command({"SET", "k", "v"}), "+OK\r\n");
  // Connections go to the threads in turn; an attempt that timed out is followed by one more
  // connection, so the next client lands on the other thread. REPLACE: the RESTORE of an attempt
  // that timed out still reaches the target once its thread is free.
  bool moved = false;
  std::vector<RespClient> spares;
  for (int attempt = 0; attempt < 4 && !moved; ++attempt) {
    RespClient mover = ConnectTo(*source_);
    std::string reply = mover.Command(Migrate(*source_, {"k", "9", "1000", "REPLACE"}));
    moved = reply == "+OK\r\n";
    if (!moved) {
      EXPECT_EQ(reply, "-IOERR error or timeout reading to target instance\r\n");
      spares.push_back(ConnectTo(*source_));
    }
  }
  EXPECT_TRUE(moved);
  EXPECT_EQ(setup.Command({"EXISTS", "k"}), ":0\r\n");
  ASSERT_EQ(setup.Command({"SELECT", "9"}), "+OK\r\n");
  EXPECT_EQ(setup.Command({"GET", "k"}), "$1\r\nv\r\n");
}

TEST_F(MigrateTest, RedisServerAndRespdMigrateToEachOther) {
  RESPD_REQUIRE_REDIS_SERVER();
  std::unique_ptr<ServerProcess> redis = StartRedis();
  RespClient redis_client = ConnectTo(*redis);
  RespClient respd_client = ConnectTo(*target_);
  ASSERT_EQ(redis_client.Command({"HSET", "h", "f1", "v1", "f2", "v2"}), ":2\r\n");
  ASSERT_EQ(redis_client.Command({"ZADD", "z", "1", "m"}), ":1\r\n");
  ASSERT_EQ(redis_client.Command({"PEXPIRE", "z", "100000"}), ":1\r\n");
  EXPECT_EQ(redis_client.Command(Migrate(*target_, {"", "4", "5000", "KEYS", "h", "z"})),
            "+OK\r\n");
  ASSERT_EQ(respd_client.Command({"SELECT", "4"}), "+OK\r\n");
  EXPECT_EQ(respd_client.Command({"HGET", "h", "f2"}), "$2\r\nv2\r\n");
  std::string pttl = respd_client.Command({"PTTL", "z"});
  ASSERT_TRUE(pttl.starts_with(":"));
  EXPECT_GT(std::stoll(pttl.substr(1)), 90000);
  EXPECT_EQ(redis_client.Command({"DBSIZE"}), ":0\r\n");

  EXPECT_EQ(respd_client.Command(Migrate(*redis, {"h", "0", "5000", "COPY"})), "+OK\r\n");
  EXPECT_EQ(respd_client.Command(Migrate(*redis, {"h", "0", "5000"})),
            "-ERR Target instance replied with error: BUSYKEY Target key name already "
            "exists.\r\n");
  EXPECT_EQ(respd_client.Command(Migrate(*redis, {"z", "0", "5000", "REPLACE"})), "+OK\r\n");
  EXPECT_EQ(redis_client.Command({"HGETALL", "h"}),
            "*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n");
  EXPECT_EQ(redis_client.Command({"ZSCORE", "z", "m"}), "$1\r\n1\r\n");
  EXPECT_EQ(respd_client.Command({"EXISTS", "h", "z"}), ":1\r\n");
}

// Replies that never reach a target, and COMMAND's view of MIGRATE, byte for byte as Redis's.
TEST_F(MigrateTest, ErrorsAndKeyExtractionMatchRedis) {
  RESPD_REQUIRE_REDIS_SERVER();
  std::unique_ptr<ServerProcess> redis = StartRedis();
  RespClient redis_client = ConnectTo(*redis);
  RespClient respd_client = ConnectTo(*source_);
  const std::vector<std::vector<std::string>> commands = {
      {"SET", "k", "v"},
      {"MIGRATE", "127.0.0.1", "1", "k", "0"},
      {"MIGRATE", "127.0.0.1", "1", "k", "0", "1000", "bogus"},
      {"MIGRATE", "127.0.0.1", "1", "k", "x", "1000"},
      {"MIGRATE", "127.0.0.1", "1", "nokey", "0", "x"},
      {"MIGRATE", "127.0.0.1", "1", "nokey", "0", "1000"},
      {"MIGRATE", "127.0.0.1", "1", "k", "0", "1000", "AUTH"},
      {"MIGRATE", "127.0.0.1", "1", "k", "0", "1000", "AUTH2", "u"},
      {"MIGRATE", "127.0.0.1", "1", "k", "0", "1000", "COPY", "KEYS", "a"},
      {"MIGRATE", "127.0.0.1", "1", "k", "0", "1000", "KEYS", "a", "bogus"},
      {"MIGRATE", "127.0.0.1", "1", "", "0", "1000", "KEYS"},
      {"MIGRATE", "127.0.0.1", "1", "", "0", "1000", "REPLACE", "KEYS", "x", "y"},
      {"MIGRATE", "127.0.0.1", "1", "k", "9999999999999999999", "1000"},
      {"COMMAND", "GETKEYS", "MIGRATE", "h", "p", "key", "0", "0"},
      {"COMMAND", "GETKEYS", "MIGRATE", "h", "p", "", "0", "0"},
      {"COMMAND", "GETKEYS", "MIGRATE", "h", "p", "", "0", "0", "KEYS"},
      {"COMMAND", "GETKEYS", "MIGRATE", "h", "p", "", "0", "0", "KEYS", "a", "b"},
      {"COMMAND", "GETKEYS", "MIGRATE", "h", "p", "k", "0", "0", "KEYS", "a", "b"},
      {"COMMAND", "GETKEYS", "MIGRATE", "h", "p", "", "0", "0", "AUTH", "keys", "keys", "a"},
      {"COMMAND", "GETKEYS", "MIGRATE", "h", "p", "", "0", "0", "AUTH2", "u", "p", "COPY", "KEYS",
       "a"},
      {"COMMAND", "GETKEYSANDFLAGS", "MIGRATE", "h", "p", "", "0", "0", "KEYS", "a", "b"},
      {"COMMAND", "GETKEYSANDFLAGS", "MIGRATE", "h", "p", "k", "0", "0"},
      {"COMMAND", "GETKEYS", "MIGRATE", "h", "p", "k"},
      {"COMMAND", "INFO", "MIGRATE"},
      {"COMMAND", "DOCS", "MIGRATE"},
  };
  for (const std::vector<std::string>& command : commands) {
    EXPECT_EQ(respd_client.Command(command), redis_client.Command(command))
        << command[0] << " " << command.back();
  }
}

TEST_F(MigrateTest, ItPropagatesAsADelOfTheKeysTheTargetAccepted) {
  std::unique_ptr<ServerProcess> redis;
  if (RedisServerMissing().empty()) redis = StartRedis();
  RespClient target = ConnectTo(*target_);
  auto run = [&](const ServerProcess& server) {
    EXPECT_EQ(target.Command({"FLUSHALL"}), "+OK\r\n");
    EXPECT_EQ(target.Command({"SET", "busy", "x"}), "+OK\r\n");
    RespClient client = ConnectTo(server);
    RespClient replica;
    EXPECT_TRUE(AttachReplica(replica, server.port(), kTimeoutMs));
    std::vector<std::string> replies;
    std::vector<int64_t> changes;
    for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
             {"MSET", "a", "1", "b", "2", "busy", "3"},
             Migrate(*target_, {"a", "1", "5000", "COPY"}),
             Migrate(*target_, {"", "0", "5000", "KEYS", "a", "busy", "b", "nokey"}),
             Migrate(*target_, {"nokey", "0", "5000"})}) {
      int64_t before = ChangesCounted(client);
      replies.push_back(client.Command(command));
      changes.push_back(ChangesCounted(client) - before);
    }
    EXPECT_EQ(client.Command(kStreamEndMarker), "+OK\r\n");
    std::vector<Argv> stream = ReadStreamUntil(
        replica, kStreamEndMarker, [](const std::string& arg) { return arg; }, kTimeoutMs);
    return std::make_tuple(replies, changes, stream);
  };
  auto [replies, changes, stream] = run(*source_);
  EXPECT_EQ(replies[1], "+OK\r\n");
  EXPECT_EQ(replies[2],
            "-ERR Target instance replied with error: BUSYKEY Target key name already "
            "exists.\r\n");
  EXPECT_EQ(replies[3], "+NOKEY\r\n");
  EXPECT_EQ(changes, (std::vector<int64_t>{3, 0, 2, 0}));
  EXPECT_EQ(stream,
            (std::vector<Argv>{
                {"SELECT", "0"}, {"MSET", "a", "1", "b", "2", "busy", "3"}, {"DEL", "a", "b"}}));
  if (redis == nullptr) return;
  auto [redis_replies, redis_changes, redis_stream] = run(*redis);
  EXPECT_EQ(replies, redis_replies);
  EXPECT_EQ(changes, redis_changes);
  EXPECT_EQ(stream, redis_stream);
}

TEST_F(MigrateTest, DeletedKeysSignalWatchersAndNotifyDel) {
  std::unique_ptr<ServerProcess> redis;
  if (RedisServerMissing().empty()) redis = StartRedis();
  RespClient target = ConnectTo(*target_);
  auto run = [&](const ServerProcess& server) {
    EXPECT_EQ(target.Command({"FLUSHALL"}), "+OK\r\n");
    RespClient client = ConnectTo(server);
    RespClient watcher = ConnectTo(server);
    RespClient subscriber = ConnectTo(server);
    EXPECT_EQ(client.Command({"CONFIG", "SET", "notify-keyspace-events", "KEA"}), "+OK\r\n");
    subscriber.Command({"PSUBSCRIBE", "__key*__:*"});
    EXPECT_EQ(client.Command({"MSET", "a", "1", "b", "2"}), "+OK\r\n");
    EXPECT_EQ(watcher.Command({"WATCH", "a"}), "+OK\r\n");
    EXPECT_EQ(client.Command(Migrate(*target_, {"", "0", "5000", "KEYS", "a", "b"})), "+OK\r\n");
    EXPECT_EQ(watcher.Command({"MULTI"}), "+OK\r\n");
    EXPECT_EQ(watcher.Command({"PING"}), "+QUEUED\r\n");
    std::vector<std::string> replies{watcher.Command({"EXEC"})};
    EXPECT_EQ(client.Command({"SET", "end", "1"}), "+OK\r\n");
    for (std::string event = subscriber.ReadReply(kTimeoutMs);
         !event.empty() && event.find("$3\r\nend\r\n") == std::string::npos;
         event = subscriber.ReadReply(kTimeoutMs)) {
      replies.push_back(event);
    }
    return replies;
  };
  std::vector<std::string> replies = run(*source_);
  ASSERT_FALSE(replies.empty());
  EXPECT_EQ(replies[0], "*-1\r\n");
  size_t dels = 0;
  for (const std::string& event : replies) dels += event.find("$3\r\ndel\r\n") != std::string::npos;
  EXPECT_EQ(dels, 2u);  // __keyspace@0__:a and __keyspace@0__:b carry "del"
  if (redis != nullptr) EXPECT_EQ(replies, run(*redis));
}

TEST_F(MigrateTest, RunsInsideMultiExecAndScriptsAsRedisDoes) {
  std::unique_ptr<ServerProcess> redis;
  if (RedisServerMissing().empty()) redis = StartRedis();
  RespClient target = ConnectTo(*target_);
  auto run = [&](const ServerProcess& server) {
    EXPECT_EQ(target.Command({"FLUSHALL"}), "+OK\r\n");
    RespClient client = ConnectTo(server);
    std::vector<std::string> replies;
    for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
             {"MSET", "a", "1", "b", "2"},
             {"MULTI"},
             Migrate(*target_, {"a", "0", "5000"}),
             {"EXISTS", "a"},
             {"EXEC"},
             {"EVAL", "return redis.call('MIGRATE', ARGV[1], ARGV[2], KEYS[1], 0, 5000)", "1", "b",
              "127.0.0.1", std::to_string(target_->port())},
             {"EXISTS", "a", "b"}}) {
      replies.push_back(client.Command(command));
    }
    EXPECT_EQ(target.Command({"MGET", "a", "b"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    return replies;
  };
  std::vector<std::string> replies = run(*source_);
  EXPECT_EQ(replies[4], "*2\r\n+OK\r\n:0\r\n");
  EXPECT_EQ(replies[5], "+OK\r\n");
  if (redis != nullptr) EXPECT_EQ(replies, run(*redis));
}

TEST_F(MigrateTest, MonitorAndSlowlogRedactPasswords) {
  std::unique_ptr<ServerProcess> redis;
  if (RedisServerMissing().empty()) redis = StartRedis();
  auto run = [&](const ServerProcess& server) {
    RespClient client = ConnectTo(server);
    RespClient monitor = ConnectTo(server);
    EXPECT_EQ(monitor.Command({"MONITOR"}), "+OK\r\n");
    EXPECT_EQ(client.Command({"CONFIG", "SET", "slowlog-log-slower-than", "0"}), "+OK\r\n");
    EXPECT_EQ(client.Command({"SLOWLOG", "RESET"}), "+OK\r\n");
    const std::vector<std::vector<std::string>> commands = {
        Migrate(*target_, {"nokey", "9", "5000", "AUTH", "pw"}),
        Migrate(*target_, {"nokey", "9", "5000", "COPY", "AUTH2", "user", "pw", "REPLACE"}),
        Migrate(*target_, {"", "9", "5000", "AUTH", "pw", "KEYS", "AUTH", "x"}),
        Migrate(*target_, {"nokey", "9", "5000", "AUTH", "pw", "bogus", "AUTH", "pw2"}),
        Migrate(*target_, {"nokey", "9", "5000", "AUTH2", "u"})};
    std::vector<std::string> seen;
    for (const std::vector<std::string>& command : commands) {
      client.Command(command);
      std::string line = monitor.ReadReply(kTimeoutMs);
      // "+<time> [0 127.0.0.1:<port>] <arguments>": the arguments, without the port.
      size_t args_at = line.find("] ");
      std::string args = args_at == std::string::npos ? line : line.substr(args_at + 2);
      seen.push_back(args.replace(args.find(std::to_string(target_->port())),
                                  std::to_string(target_->port()).size(), "PORT"));
    }
    EXPECT_EQ(client.Command({"CONFIG", "SET", "slowlog-log-slower-than", "10000"}), "+OK\r\n");
    std::string slowlog = client.Command({"SLOWLOG", "GET"});
    for (std::string_view secret : {"pw", "user"}) {
      EXPECT_EQ(slowlog.find(Bulk(std::string(secret))), std::string::npos) << slowlog;
    }
    return seen;
  };
  std::vector<std::string> seen = run(*source_);
  EXPECT_EQ(seen[0],
            "\"MIGRATE\" \"127.0.0.1\" \"PORT\" \"nokey\" \"9\" \"5000\" \"AUTH\" "
            "\"(redacted)\"\r\n");
  EXPECT_EQ(seen[1],
            "\"MIGRATE\" \"127.0.0.1\" \"PORT\" \"nokey\" \"9\" \"5000\" \"COPY\" \"AUTH2\" "
            "\"(redacted)\" \"(redacted)\" \"REPLACE\"\r\n");
  if (redis != nullptr) EXPECT_EQ(seen, run(*redis));
}

}  // namespace
}  // namespace respd::testing
