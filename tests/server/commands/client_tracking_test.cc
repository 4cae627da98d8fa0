// Client-side caching through the dispatcher: the tracking client's own invalidations (RESP3
// pushes after the reply of the command that caused them), OPTIN, NOLOOP, flushes, the table's
// limit, and what CLIENT LIST and INFO show. Invalidations between connections and redirection are
// tested over TCP (tests/integration/client_tracking_test.cc, differential scripts).
#include <string>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class ClientTrackingTest : public CommandTest {
 protected:
  // The value of `field` in INFO's text.
  std::string InfoField(const std::string& field) {
    std::string info = Run({"info", "everything"});
    size_t at = info.find("\r\n" + field + ":");
    if (at == std::string::npos) return "<missing>";
    at += field.size() + 3;
    return info.substr(at, info.find("\r\n", at) - at);
  }
};

constexpr std::string_view kInvalidateK = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n";

TEST_F(ClientTrackingTest, OwnWriteIsInvalidatedAfterItsReply) {
  Run({"hello", "3"});
  EXPECT_EQ(Run({"client", "tracking", "on"}), "+OK\r\n");
  EXPECT_EQ(Run({"get", "k"}), "_\r\n");
  EXPECT_EQ(Run({"set", "k", "1"}), "+OK\r\n" + std::string(kInvalidateK));
  // Forgotten once invalidated, until read again.
  EXPECT_EQ(Run({"set", "k", "2"}), "+OK\r\n");
  EXPECT_EQ(Run({"get", "k"}), "$1\r\n2\r\n");
  EXPECT_EQ(Run({"multi"}), "+OK\r\n");
  Run({"set", "k", "3"});
  Run({"get", "k"});
  EXPECT_EQ(Run({"exec"}), "*2\r\n+OK\r\n$1\r\n3\r\n" + std::string(kInvalidateK));
}

TEST_F(ClientTrackingTest, Resp2ClientWithoutRedirectGetsNothing) {
  Run({"client", "tracking", "on"});
  Run({"get", "k"});
  EXPECT_EQ(Run({"set", "k", "1"}), "+OK\r\n");
}

TEST_F(ClientTrackingTest, OtherClientsWritesForgetTheKey) {
  Run({"hello", "3"});
  Run({"client", "tracking", "on"});
  Run({"get", "k"});
  EXPECT_EQ(InfoField("tracking_total_keys"), "1");
  RunAs(1, {"set", "k", "1"});
  EXPECT_EQ(InfoField("tracking_total_keys"), "0");
}

TEST_F(ClientTrackingTest, FlushSendsNullAfterTheReply) {
  Run({"hello", "3"});
  Run({"client", "tracking", "on"});
  EXPECT_EQ(Run({"flushall"}), "+OK\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n");
  EXPECT_EQ(Run({"multi"}), "+OK\r\n");
  Run({"flushdb"});
  EXPECT_EQ(Run({"exec"}), "*1\r\n+OK\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n");
  EXPECT_EQ(Run({"swapdb", "0", "1"}), "+OK\r\n");
}

TEST_F(ClientTrackingTest, NoloopSkipsOwnWrites) {
  Run({"hello", "3"});
  Run({"client", "tracking", "on", "noloop"});
  Run({"get", "k"});
  EXPECT_EQ(Run({"set", "k", "1"}), "+OK\r\n");
  EXPECT_EQ(InfoField("tracking_total_keys"), "0");
}

TEST_F(ClientTrackingTest, OptinTracksOnlyAfterCachingYes) {
  Run({"hello", "3"});
  Run({"client", "tracking", "on", "optin"});
  Run({"get", "k"});
  EXPECT_EQ(Run({"set", "k", "1"}), "+OK\r\n");
  Run({"client", "caching", "yes"});
  Run({"client", "id"});  // another CLIENT subcommand keeps the word
  Run({"get", "k"});
  EXPECT_EQ(Run({"set", "k", "2"}), "+OK\r\n" + std::string(kInvalidateK));
}

TEST_F(ClientTrackingTest, BcastReportsPrefixedKeysAfterTheReply) {
  Run({"hello", "3"});
  Run({"client", "tracking", "on", "bcast", "prefix", "a", "prefix", "b"});
  EXPECT_EQ(Run({"mset", "a2", "1", "b1", "2", "c1", "3", "a1", "4"}),
            "+OK\r\n>2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\na1\r\n$2\r\na2\r\n"
            ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nb1\r\n");
  EXPECT_EQ(InfoField("tracking_total_prefixes"), "2");
}

// As Redis's processCommand, the table is trimmed before a client's command runs: the read that
// goes over the limit is answered alone, and the next command's reply follows the invalidation.
TEST_F(ClientTrackingTest, TableOverItsLimitInvalidatesKeysBeforeTheNextCommand) {
  Run({"hello", "3"});
  Run({"config", "set", "tracking-table-max-keys", "2"});
  Run({"client", "tracking", "on"});
  Run({"mget", "a", "b"});
  EXPECT_EQ(InfoField("tracking_total_keys"), "2");
  EXPECT_EQ(Run({"get", "c"}), "_\r\n");
  std::string reply = Run({"ping"});
  EXPECT_TRUE(reply.starts_with(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\n")) << reply;
  EXPECT_TRUE(reply.ends_with("+PONG\r\n")) << reply;
  EXPECT_EQ(InfoField("tracking_total_keys"), "2");
}

TEST_F(ClientTrackingTest, ClientListAndInfoShowTracking) {
  EXPECT_EQ(InfoField("tracking_clients"), "0");
  Run({"client", "tracking", "on", "bcast", "prefix", "x"});
  RunAs(1, {"client", "tracking", "on"});
  RunAs(1, {"mget", "k1", "k2"});
  RunAs(2, {"client", "tracking", "on", "optin"});
  RunAs(2, {"client", "caching", "yes"});
  RunAs(2, {"get", "k1"});
  std::string line = Run({"client", "info"});
  EXPECT_NE(line.find(" flags=tB "), std::string::npos) << line;
  EXPECT_NE(line.find(" redir=0 "), std::string::npos) << line;
  EXPECT_EQ(InfoField("tracking_clients"), "3");
  EXPECT_EQ(InfoField("tracking_total_keys"), "2");
  EXPECT_EQ(InfoField("tracking_total_items"), "3");
  EXPECT_EQ(InfoField("tracking_total_prefixes"), "1");
  Run({"client", "tracking", "off"});
  line = Run({"client", "info"});
  EXPECT_NE(line.find(" flags=N "), std::string::npos) << line;
  EXPECT_NE(line.find(" redir=-1 "), std::string::npos) << line;
  EXPECT_EQ(InfoField("tracking_total_prefixes"), "0");
  // A client that goes away stops counting; its keys stay until invalidated, as in Redis.
  clients_.pop_back();
  EXPECT_EQ(InfoField("tracking_clients"), "1");
  EXPECT_EQ(InfoField("tracking_total_items"), "3");
}

}  // namespace
}  // namespace respd::server
