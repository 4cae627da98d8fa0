// Differential runner: replays every script in tests/differential/scripts/ against Debian's
// redis-server and respd and requires byte-identical replies. It talks to both only over TCP and
// must not depend on respd's internals; Redis is the specification.
//
// Script format (tests/differential/README.md has examples):
//   <command>             one command per line, split like redis-cli: "double quotes" with \n \r \t
//   \b
//                         \a \\ \" \xHH escapes, 'single quotes' with \' only. Replies must match
//                         byte for byte.
//   # comment             lines starting with '#' and blank lines are ignored.
//   ~ <command>           order-insensitive: the top-level elements of an array/set/map reply are
//                         sorted before comparing (KEYS, SMEMBERS, HGETALL under RESP3).
//   @type <command>       compare only the reply's type byte, plus the header (element count) for
//                         aggregates: for random replies (RANDOMKEY, SRANDMEMBER, SPOP).
//   @sleep <ms>           sleep on the runner (at most 3000 ms), for expiry tests.
//   @conn <n> <line>      run <line> (a command, `~`, `@type` or `@raw` line) on connection n
//   (0-3).
//                         Connections open lazily on both servers; lines without @conn use 0. A
//                         connection the server closed is reopened on its next use (after QUIT the
//                         runner waits for the close and compares it).
//   @monitor <line>       compare a MONITOR line (a command's reply or an @read frame) with its
//                         timestamp and the client's port left out.
//   @read                 send nothing: read the next frame the server sends on the connection (a
//                         SUBSCRIBE's further confirmations, a pub/sub message) and compare it.
//   {id:<n>}              an argument written so is the client id of connection n on each server
//                         (CLIENT TRACKING ... REDIRECT {id:1}), asked with CLIENT ID the first
//                         time it is needed on that connection.
//   @raw <bytes>          send bytes as they are (\r \n \t \\ \xHH escapes) and compare everything
//   the
//                         server sends until it goes quiet (300 ms) or closes, and whether it
//                         closed. For inline commands, pipelines and protocol errors.
// Each script starts on fresh connections after FLUSHALL; HELLO, SELECT and CLIENT settings are the
// script's own business.
//
// Environment: RESPD_DIFF_SELF_CHECK=1 runs a second redis-server in place of respd, to check that
// a script itself is deterministic (a script that fails in self-check needs `~` or `@type`).
// RESPD_DIFF_VERBOSE=1 prints each line with redis-server's reply.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "protocol/resp_parser.h"
#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace respd::testing {
namespace {

constexpr int kMaxReportedMismatches = 20;
constexpr int kMaxSleepMs = 3000;
constexpr int kConnections = 4;
constexpr int kReplyTimeoutMs = 5000;
// @raw reads until the server is silent this long: long enough for loopback under sanitizers, short
// enough that a reply-less input (`*0\r\n`) costs little.
constexpr int kRawIdleMs = 300;
constexpr int kRawMaxMs = 3000;
constexpr size_t kMaxShownReplyBytes = 2000;
// Redis closes a QUIT client asynchronously, up to one event-loop tick (100 ms at hz 10) later.
constexpr int kCloseWaitMs = 1000;

std::filesystem::path ScriptDir() {
  return std::filesystem::path(RESPD_SOURCE_DIR) / "tests" / "differential" / "scripts";
}

std::vector<std::filesystem::path> ScriptFiles() {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(ScriptDir(), ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".txt")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Makes \r, \n and non-printable bytes visible in failure messages.
std::string Escape(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < kMaxShownReplyBytes; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        }
    }
  }
  if (bytes.size() > kMaxShownReplyBytes) {
    out += "... (" + std::to_string(bytes.size()) + " bytes)";
  }
  return "\"" + out + "\"";
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes an @raw payload: \r \n \t \0 \\ and \xHH; any other backslash pair is kept as written so
// that a quoted inline command can carry its own escapes (`@raw SET k "a\\nb"\r\n`).
std::string UnescapeRaw(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    char next = text[i + 1];
    if (next == 'r') {
      out += '\r';
    } else if (next == 'n') {
      out += '\n';
    } else if (next == 't') {
      out += '\t';
    } else if (next == '0') {
      out += '\0';
    } else if (next == '\\') {
      out += '\\';
    } else if (next == 'x' && i + 3 < text.size() && HexValue(text[i + 2]) >= 0 &&
               HexValue(text[i + 3]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 2]) * 16 + HexValue(text[i + 3]));
      i += 2;
    } else {
      out += '\\';
      out += next;
    }
    ++i;
  }
  return out;
}

enum class Compare { kExact, kUnordered, kType, kMonitor };

// One non-comment script line, decoded.
struct Step {
  enum class Kind { kCommand, kRaw, kSleep, kRead } kind = Kind::kCommand;
  Compare compare = Compare::kExact;
  int conn = 0;
  int sleep_ms = 0;
  std::string text;               // the command (or raw payload) as written, for messages
  std::vector<std::string> args;  // kCommand
  std::string raw;                // kRaw, unescaped
};

bool ConsumePrefix(std::string_view* s, std::string_view prefix) {
  if (!s->starts_with(prefix)) return false;
  s->remove_prefix(prefix.size());
  return true;
}

bool ParseInt(std::string_view* s, int* out) {
  size_t digits = 0;
  while (digits < s->size() && std::isdigit(static_cast<unsigned char>((*s)[digits]))) ++digits;
  if (digits == 0 || digits > 6) return false;
  *out = std::stoi(std::string(s->substr(0, digits)));
  s->remove_prefix(digits);
  return true;
}

// Decodes directives in any order up to the command itself. Returns an error text for a malformed
// line (a broken script fails loudly rather than being skipped).
std::string ParseStep(std::string_view line, Step* step) {
  while (true) {
    if (ConsumePrefix(&line, "@conn ")) {
      if (!ParseInt(&line, &step->conn) || step->conn >= kConnections || !line.starts_with(' ')) {
        return "@conn needs a connection number 0-3 and a command";
      }
      line.remove_prefix(1);
    } else if (ConsumePrefix(&line, "~ ")) {
      step->compare = Compare::kUnordered;
    } else if (ConsumePrefix(&line, "@type ")) {
      step->compare = Compare::kType;
    } else if (ConsumePrefix(&line, "@monitor ")) {
      step->compare = Compare::kMonitor;
    } else if (ConsumePrefix(&line, "@sleep ")) {
      step->kind = Step::Kind::kSleep;
      if (!ParseInt(&line, &step->sleep_ms) || step->sleep_ms > kMaxSleepMs) {
        return "@sleep needs milliseconds, at most " + std::to_string(kMaxSleepMs);
      }
      step->text = "@sleep " + std::to_string(step->sleep_ms);
      return {};
    } else if (ConsumePrefix(&line, "@raw ")) {
      step->kind = Step::Kind::kRaw;
      step->text = std::string(line);
      step->raw = UnescapeRaw(line);
      return {};
    } else if (line == "@read") {
      step->kind = Step::Kind::kRead;
      step->text = "@read";
      return {};
    } else if (line.starts_with('@')) {
      return "unknown directive";
    } else {
      break;
    }
    while (line.starts_with(' ')) line.remove_prefix(1);
  }
  step->text = std::string(line);
  if (!protocol::SplitInlineArgs(line, &step->args)) return "unbalanced quotes";
  if (step->args.empty()) return "directive without a command";
  return {};
}

// QUIT replies and then closes; the runner waits for the close so the connection's next use reopens
// it instead of racing the server.
bool IsQuit(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0].size() != 4) return false;
  std::string name = args[0];
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name == "QUIT";
}

// With RESPD_DIFF_VERBOSE=1, prints every exchange with redis-server's reply: handy when writing a
// script, to see what Redis actually answers.
void Trace(int line_no, const Step& step, const std::string& reply) {
  static const bool verbose = [] {
    const char* v = std::getenv("RESPD_DIFF_VERBOSE");
    return v != nullptr && std::string(v) == "1";
  }();
  if (verbose) std::cout << "  " << line_no << ": " << step.text << "\n    -> " << reply << "\n";
}

// The comparison key of a reply under `compare`.
std::string Canonical(const std::string& reply, Compare compare) {
  if (compare == Compare::kExact || reply.empty()) return reply;
  if (compare == Compare::kMonitor) {
    // A MONITOR line's time and the client's port differ between the servers.
    static const std::regex kTime(R"(^\+[0-9]+\.[0-9]{6} )");
    static const std::regex kPort(R"(^(\+T \[[0-9]+ [^\]]*):[0-9]+\])");
    std::string out = std::regex_replace(reply, kTime, "+T ", std::regex_constants::format_first_only);
    return std::regex_replace(out, kPort, "$1:P]", std::regex_constants::format_first_only);
  }
  char type = reply[0];
  bool aggregate = type == '*' || type == '~' || type == '>' || type == '%' || type == '|';
  std::string header = aggregate ? reply.substr(0, reply.find("\r\n")) : reply.substr(0, 1);
  if (compare == Compare::kType) return header;
  if (!aggregate) return reply;
  std::vector<std::string> elements = SplitTopLevelElements(reply);
  std::sort(elements.begin(), elements.end());
  std::string out = header + "\r\n";
  for (const auto& e : elements) out += e;
  return out;
}

// One server under test and the script's connections to it.
struct Side {
  Side(std::string name, int port, int protocol)
      : name(std::move(name)), port(port), protocol(protocol) {}

  std::string name;
  int port;
  int protocol;  // 2 or 3: every connection of the script speaks it from its start
  RespClient conns[kConnections];
  std::string ids[kConnections];  // CLIENT ID of each connection, once asked

  // The connection for `n`, (re)opened if it was never opened or the server closed it.
  RespClient* Conn(int n) {
    RespClient& c = conns[n];
    // A zero-timeout probe notices a close that happened after the last reply (QUIT, CLIENT KILL).
    if (c.connected() && !c.eof()) c.PeerClosed(0);
    if (!c.connected() || c.eof()) {
      ids[n].clear();
      c.Connect(port, kReplyTimeoutMs);
      // HELLO's reply holds the connection id, which differs between servers: not compared.
      if (protocol == 3) c.Command({"HELLO", "3"});
    }
    return &c;
  }

  // `args` with each {id:<n>} replaced by connection n's client id on this server.
  std::vector<std::string> Resolve(const std::vector<std::string>& args) {
    std::vector<std::string> out = args;
    for (std::string& arg : out) {
      if (arg.size() != 6 || !arg.starts_with("{id:") || arg[5] != '}') continue;
      int n = arg[4] - '0';
      if (n < 0 || n >= kConnections) continue;
      if (ids[n].empty()) {
        std::string reply = Conn(n)->Command({"CLIENT", "ID"});
        if (reply.size() > 3 && reply[0] == ':') ids[n] = reply.substr(1, reply.size() - 3);
      }
      arg = ids[n];
    }
    return out;
  }
};

// Every script runs twice: with RESP2 connections and with RESP3 ones (HELLO 3 first), so each
// command's RESP3 reply types are compared too.
using ScriptAndProtocol = std::tuple<std::filesystem::path, int>;

class DifferentialTest : public ::testing::TestWithParam<ScriptAndProtocol> {
 protected:
  static void SetUpTestSuite() {
    if (!RedisServerMissing().empty()) return;  // SetUp skips, or fails under CI
    const char* self_check = std::getenv("RESPD_DIFF_SELF_CHECK");
    self_check_ = self_check != nullptr && std::string(self_check) == "1";
    // DEBUG (scripts/debug.txt) needs enable-debug-command; its refusal is a command test.
    const std::vector<std::string> args = {"--enable-debug-command", "yes"};
    redis_.emplace(ServerProcess::StartRedis(args));
    respd_.emplace(self_check_ ? ServerProcess::StartRedis(args) : ServerProcess::StartRespd(args));
  }

  static void TearDownTestSuite() {
    respd_.reset();
    redis_.reset();
  }

  void SetUp() override {
    RESPD_REQUIRE_REDIS_SERVER();
    ASSERT_TRUE(redis_ && redis_->running()) << "redis-server did not start";
    ASSERT_TRUE(respd_ && respd_->running()) << RespdName() << " did not start";
  }

  static std::string RespdName() { return self_check_ ? "redis-server (self-check)" : "respd"; }

  static inline std::optional<ServerProcess> redis_;
  static inline std::optional<ServerProcess> respd_;
  static inline bool self_check_ = false;
};

TEST_P(DifferentialTest, Script) {
  const auto& [script, protocol] = GetParam();
  const std::string script_name = script.filename().string() + (protocol == 3 ? " (RESP3)" : "");
  std::ifstream in(script);
  ASSERT_TRUE(in) << "cannot read " << script;

  Side redis{"redis-server", redis_->port(), protocol};
  Side respd{RespdName(), respd_->port(), protocol};
  for (Side* side : {&redis, &respd}) {
    std::string reply = side->Conn(0)->Command({"FLUSHALL"});
    ASSERT_EQ(reply, "+OK\r\n") << side->name << " FLUSHALL before " << script_name;
  }

  int mismatches = 0;
  auto report = [&](int line_no, const Step& step, const std::string& expected,
                    const std::string& actual, const std::string& why) {
    if (++mismatches > kMaxReportedMismatches) return;
    ADD_FAILURE_AT(script.c_str(), line_no)
        << script_name << ":" << line_no << ": " << why << "\n  command:      " << step.text
        << (step.conn != 0 ? " (connection " + std::to_string(step.conn) + ")" : "")
        << "\n  redis-server: " << expected << "\n  " << respd.name << ": " << actual;
  };

  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    std::string_view view = line;
    while (!view.empty() && (view.front() == ' ' || view.front() == '\t')) view.remove_prefix(1);
    if (view.empty() || view.front() == '#') continue;

    Step step;
    std::string error = ParseStep(view, &step);
    if (!error.empty()) {
      ADD_FAILURE_AT(script.c_str(), line_no)
          << script_name << ":" << line_no << ": script error: " << error << ": " << line;
      continue;
    }

    switch (step.kind) {
      case Step::Kind::kSleep:
        std::this_thread::sleep_for(std::chrono::milliseconds(step.sleep_ms));
        break;
      case Step::Kind::kRaw: {
        // Send to both before reading either, so the quiet-period waits overlap.
        RespClient* a = redis.Conn(step.conn);
        RespClient* b = respd.Conn(step.conn);
        bool sent_a = a->SendRaw(step.raw);
        bool sent_b = b->SendRaw(step.raw);
        std::string expected;
        std::string actual;
        {
          std::jthread read_a([&] {
            if (sent_a) expected = a->ReadAvailable(kRawIdleMs, kRawMaxMs);
          });
          if (sent_b) actual = b->ReadAvailable(kRawIdleMs, kRawMaxMs);
        }
        bool closed_a = !sent_a || a->eof();
        bool closed_b = !sent_b || b->eof();
        Trace(line_no, step, Escape(expected) + (closed_a ? " [closed]" : ""));
        if (Canonical(expected, step.compare) != Canonical(actual, step.compare) ||
            closed_a != closed_b) {
          report(line_no, step, Escape(expected) + (closed_a ? " [closed]" : " [open]"),
                 Escape(actual) + (closed_b ? " [closed]" : " [open]"), "raw exchange differs");
        }
        break;
      }
      case Step::Kind::kRead:
      case Step::Kind::kCommand: {
        RespClient* a = redis.Conn(step.conn);
        RespClient* b = respd.Conn(step.conn);
        bool read = step.kind == Step::Kind::kRead;
        std::string expected =
            read ? a->ReadReply(kReplyTimeoutMs) : a->Command(redis.Resolve(step.args));
        std::string actual =
            read ? b->ReadReply(kReplyTimeoutMs) : b->Command(respd.Resolve(step.args));
        Trace(line_no, step, Escape(expected));
        auto shown = [](const RespClient* c, const std::string& reply) {
          if (!reply.empty()) return Escape(reply);
          return std::string(c->eof() ? "<no reply: connection closed>" : "<no reply: timeout>");
        };
        if (expected.empty() || actual.empty()) {
          report(line_no, step, shown(a, expected), shown(b, actual), "no reply");
        } else if (IsQuit(step.args) &&
                   a->PeerClosed(kCloseWaitMs) != b->PeerClosed(kCloseWaitMs)) {
          report(line_no, step, Escape(expected) + (a->eof() ? " [closed]" : " [open]"),
                 Escape(actual) + (b->eof() ? " [closed]" : " [open]"), "close after QUIT differs");
        } else if (Canonical(expected, step.compare) != Canonical(actual, step.compare)) {
          const char* how = step.compare == Compare::kExact       ? "replies differ"
                            : step.compare == Compare::kUnordered ? "replies differ (unordered)"
                                                                  : "reply types differ";
          report(line_no, step, Escape(expected), Escape(actual), how);
        }
        break;
      }
    }
  }
  if (mismatches > kMaxReportedMismatches) {
    ADD_FAILURE() << script_name << ": " << mismatches << " mismatches in total, first "
                  << kMaxReportedMismatches << " reported";
  }
}

std::string ScriptTestName(const ::testing::TestParamInfo<ScriptAndProtocol>& info) {
  std::string name = std::get<0>(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name + (std::get<1>(info.param) == 3 ? "_resp3" : "");
}

INSTANTIATE_TEST_SUITE_P(Scripts, DifferentialTest,
                         ::testing::Combine(::testing::ValuesIn(ScriptFiles()),
                                            ::testing::Values(2, 3)),
                         ScriptTestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DifferentialTest);

}  // namespace
}  // namespace respd::testing
