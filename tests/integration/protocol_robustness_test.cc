// The real respd binary against awkward and hostile input over TCP: protocol errors close only the
// offending connection, big pipelines and byte-by-byte commands are answered in order, and garbage
// never takes the server down.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

// Each case: bytes a client sends, and Redis 7.0.15's exact reply before it closes the connection.
struct ProtocolErrorCase {
  const char* input;
  const char* reply;
};

constexpr ProtocolErrorCase kProtocolErrors[] = {
    {"*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
    {"*99999999999\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
    {"*1\r\n*1\r\n", "-ERR Protocol error: expected '$', got '*'\r\n"},
    {"*1\r\n$600000000\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
};

TEST(ProtocolRobustnessTest, ProtocolErrorClosesOnlyThatConnection) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());
  RespClient bystander;
  ASSERT_TRUE(bystander.Connect(server.port()));
  ASSERT_EQ(bystander.Command({"PING"}), "+PONG\r\n");

  for (const ProtocolErrorCase& c : kProtocolErrors) {
    SCOPED_TRACE(c.input);
    RespClient offender;
    ASSERT_TRUE(offender.Connect(server.port()));
    ASSERT_TRUE(offender.SendRaw(c.input));
    EXPECT_EQ(offender.ReadUntilClosed(), c.reply);
    EXPECT_TRUE(offender.eof());
    EXPECT_EQ(bystander.Command({"ECHO", "still here"}), "$10\r\nstill here\r\n");
  }
}

TEST(ProtocolRobustnessTest, TenThousandPipelinedCommandsInOneWrite) {
  constexpr int kCommands = 10000;
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));

  std::string pipeline;
  for (int i = 0; i < kCommands; ++i) pipeline += client.EncodeCommand({"ECHO", std::to_string(i)});
  // Send from another thread: if the server answers while we are still sending, neither side's
  // socket buffer has to hold everything.
  bool sent = false;
  std::thread sender([&] { sent = client.SendRaw(pipeline); });
  int in_order = 0;
  for (int i = 0; i < kCommands; ++i) {
    std::string expected = std::to_string(i);
    expected = "$" + std::to_string(expected.size()) + "\r\n" + expected + "\r\n";
    std::string reply = client.ReadReply();
    if (reply != expected) {
      ADD_FAILURE() << "reply " << i << ": got " << reply << " want " << expected;
      break;
    }
    ++in_order;
  }
  sender.join();
  EXPECT_TRUE(sent);
  EXPECT_EQ(in_order, kCommands);
  EXPECT_EQ(client.Command({"PING"}), "+PONG\r\n");
}

TEST(ProtocolRobustnessTest, CommandSplitByteByByte) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());
  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));

  const std::string multibulk = client.EncodeCommand({"ECHO", "split across writes"});
  for (char byte : multibulk) {
    ASSERT_TRUE(client.SendRaw(std::string(1, byte)));
    // Give the server a chance to read each byte on its own.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(client.ReadReply(), "$19\r\nsplit across writes\r\n");

  for (char byte : std::string("ECHO inline\r\n")) {
    ASSERT_TRUE(client.SendRaw(std::string(1, byte)));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(client.ReadReply(), "$6\r\ninline\r\n");
}

// Sends `bytes` on a fresh connection, reads whatever comes back, and closes.
void SendAndHangUp(int port, const std::string& bytes) {
  RespClient client;
  ASSERT_TRUE(client.Connect(port));
  client.SendRaw(bytes);  // the server may close mid-send; that is fine
  client.ReadAvailable(50, 500);
}

TEST(ProtocolRobustnessTest, HostileInputNeverCrashesTheServer) {
  ServerProcess server = ServerProcess::StartRespd();
  ASSERT_TRUE(server.running());

  std::mt19937 random(20240607);  // fixed seed: a failure reproduces
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 50; ++round) {
    std::string noise(1 + round * 40, '\0');
    for (char& c : noise) c = static_cast<char>(byte(random));
    // Half the rounds start like a multibulk so the noise reaches deeper parser states.
    if (round % 2 == 1) noise = "*3\r\n$3\r\nSET\r\n" + noise;
    SendAndHangUp(server.port(), noise);
  }
  SendAndHangUp(server.port(), "*2147483647\r\n");
  SendAndHangUp(server.port(), "*1048576\r\n$4\r\nPING\r\n");
  SendAndHangUp(server.port(), "*-5\r\n*0\r\n");
  // A 100 MB bulk announced and never sent, then the client goes away.
  SendAndHangUp(server.port(), "*2\r\n$4\r\nECHO\r\n$100000000\r\n");
  SendAndHangUp(server.port(), "*2\r\n$4\r\nECHO\r\n$100000000\r\n" + std::string(65536, 'x'));
  SendAndHangUp(server.port(), std::string(70000, 'a'));  // an inline line past 64 KB
  SendAndHangUp(server.port(), "$$$$\r\n\r\n\r\n::::\r\n");

  RespClient client;
  ASSERT_TRUE(client.Connect(server.port()));
  EXPECT_EQ(client.Command({"PING"}), "+PONG\r\n") << "output:\n" << server.Output();
}

}  // namespace
}  // namespace respd::testing
