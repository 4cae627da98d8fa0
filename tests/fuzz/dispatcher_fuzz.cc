// Fuzz target for the command path: decodes the input into a short sequence of commands and runs
// them through the real dispatcher in-process (as the command tests do), on a fresh server per
// input so a finding reproduces from its input alone. Built as a libFuzzer binary with clang
// (-DRESPD_FUZZ=ON), and as a plain test in every build, where a fixed-seed driver runs the seed
// corpus (tests/fuzz/corpus/dispatcher/). Checks that no command crashes, trips a sanitizer or
// writes anything but complete RESP frames.
//
// Input format (text, so the corpus stays readable): one command per line, arguments separated by
// single spaces; "\ " is a space inside an argument, and a line ending in a backslash goes on with a
// newline (FUNCTION LOAD). A first argument that is not a command name picks one by its first
// byte, and likewise a subcommand, so most mutations stay valid commands with hostile arguments. A
// line starting with '@' runs as a second client.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "protocol/reply_reader.h"
#include "server/composition.h"
#include "server/config/config.h"
#include "server/dispatch/server_context.h"
#include "storage/clock.h"

namespace {

using respd::server::ClientState;
using respd::server::CommandSpec;
using respd::server::CommandTable;

constexpr size_t kMaxCommands = 64;
constexpr size_t kMaxArgs = 32;
// FLUSHALL this often, so the keyspace stays small and empty-key paths get exercised.
constexpr size_t kFlushEvery = 16;
// Bounds every string a command may build (SETRANGE, SETBIT, APPEND...): a few KB of input must not
// turn into gigabytes.
constexpr const char* kProtoMaxBulkLen = "1048576";  // the least Redis accepts
// Random-member commands with a negative count reply that many members, repeated: Redis itself
// would build the reply, so only smaller counts are fuzzed.
constexpr int64_t kMaxRandomCount = 10000;

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// RESPD_FUZZ_TRACE=1 prints each command and its reply, to see what a corpus file exercises.
const bool kTrace = std::getenv("RESPD_FUZZ_TRACE") != nullptr;

std::string Joined(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& arg : argv) line += (line.empty() ? "" : " ") + arg;
  return line;
}

// Commands that end or stall the process, or would reconfigure what bounds this run.
bool Skipped(const CommandSpec& spec, const std::vector<std::string>& argv) {
  std::string_view name = spec.name;
  if (name == "shutdown" || name == "debug" || name == "monitor") return true;
  // A replica's payload is no RESP frame.
  if (name == "sync" || name == "psync") return true;
  // A replica refuses every later write and links to whatever host the input names.
  if (name == "replicaof" || name == "slaveof") return true;
  // Resolves and connects to whatever host the input names, and may move keys into it.
  if (name == "migrate") return true;
  if (name == "srandmember" || name == "hrandfield" || name == "zrandmember") {
    if (argv.size() > 2) {
      if (std::strtoll(argv[2].c_str(), nullptr, 10) < -kMaxRandomCount) return true;
    }
  }
  if (name == "set" && Lower(argv[0]) == "config") {
    // CONFIG SET: any option but the limits of this harness.
    for (size_t i = 2; i < argv.size(); i += 2) {
      std::string option = Lower(argv[i]);
      if (option == "proto-max-bulk-len" || option == "busy-reply-threshold" ||
          option == "lua-time-limit" || option == "enable-debug-command") {
        return true;
      }
    }
  }
  return false;
}

// The process's scratch directory for RDB files, removed when the process exits.
struct ScratchDir {
  std::string path = "/tmp/respd-dispatcher-fuzz-XXXXXX";
  ScratchDir() {
    if (mkdtemp(path.data()) == nullptr) std::abort();
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

const std::string& RdbDir() {
  static const ScratchDir dir;
  return dir.path;
}

// One server, built per input the way CommandTest builds it.
class Harness {
 public:
  Harness() {
    // A script is BUSY at its first hook call, and the hook below kills it there: loops end fast.
    // RDB files (SAVE, BGSAVE, BGREWRITEAOF) go to one private directory per process; without
    // save points FLUSHALL does not write one each time.
    if (!config_.Get("proto-max-bulk-len").Set({kProtoMaxBulkLen}).empty() ||
        !config_.Get("busy-reply-threshold").Set({"0"}).empty() ||
        !config_.Get("save").Set({""}).empty() || !config_.Get("dir").Set({RdbDir()}).empty()) {
      std::abort();
    }
    server_ = std::make_unique<respd::server::ServerContext>(config_, clock_);
    respd::server::Compose(*server_);
    server_->scripting.set_serve_while_busy([this] {
      // A script that wrote cannot be killed; stop it as SHUTDOWN would (later scripts of this
      // input then stop at their first hook too).
      if (!server_->scripting.Kill(running_function_).empty()) {
        server_->scripting.AbortForShutdown();
      }
    });
    clock_.FreezeAt(1'700'000'000'000'000);
    for (auto& client : clients_) client = NewClient();
  }

  ~Harness() {
    // Clients go first: they unwatch and unblock from the registries the server owns.
    for (auto& client : clients_) client.reset();
  }

  void Run(int client_index, std::vector<std::string>& argv) {
    ResolveName(argv);
    std::vector<std::string_view> views(argv.begin(), argv.end());
    respd::server::Resolution resolved = server_->dispatcher.Resolve(views);
    const CommandSpec* spec = resolved.ok() ? resolved.spec : nullptr;
    if (spec != nullptr && Skipped(*spec, argv)) return;
    running_function_ = spec != nullptr && spec->name.starts_with("fcall");

    ClientState& client = *clients_[client_index];
    std::string out;
    respd::protocol::ReplyWriter writer(&out, client.resp);
    server_->dispatcher.Dispatch(views, client, writer);
    if (kTrace) std::fprintf(stderr, "%d> %s\n%s\n", client_index, Joined(argv).c_str(), out.c_str());
    CheckFrames(out);
    if (client.close_after_reply) clients_[client_index] = NewClient();
    if (++commands_ % kFlushEvery == 0) FlushAll();
  }

 private:
  std::unique_ptr<ClientState> NewClient() {
    auto client = std::make_unique<ClientState>(server_->clients.NextId());
    client->local = true;
    return client;
  }

  // Maps an unknown command (or subcommand) name onto one by its first byte.
  void ResolveName(std::vector<std::string>& argv) const {
    const CommandTable& table = server_->commands;
    const CommandSpec* spec = table.Find(argv[0]);
    if (spec == nullptr) {
      const auto& all = table.all();
      unsigned char pick = argv[0].empty() ? 0 : static_cast<unsigned char>(argv[0][0]);
      spec = all[pick % all.size()];
      argv[0] = std::string(spec->name);
    }
    if (spec->subcommands.empty() || argv.size() < 2) return;
    if (CommandTable::FindSubcommand(*spec, argv[1]) != nullptr) return;
    unsigned char pick = argv[1].empty() ? 0 : static_cast<unsigned char>(argv[1][0]);
    argv[1] = std::string(spec->subcommands[pick % spec->subcommands.size()].name);
  }

  // Every reply is whole RESP frames, one after another (SUBSCRIBE writes several).
  static void CheckFrames(std::string_view out) {
    size_t pos = 0;
    while (pos < out.size()) {
      respd::protocol::ReplyValue value;
      if (!respd::protocol::ReadReply(out, &pos, &value)) std::abort();
    }
  }

  void FlushAll() {
    std::vector<std::string_view> flush = {"flushall"};
    std::string out;
    respd::protocol::ReplyWriter writer(&out, respd::protocol::RespVersion::kResp2);
    ClientState admin(server_->clients.NextId());
    server_->dispatcher.Dispatch(flush, admin, writer);
  }

  respd::server::Config config_;
  respd::storage::Clock clock_;
  std::unique_ptr<respd::server::ServerContext> server_;
  std::unique_ptr<ClientState> clients_[2];
  bool running_function_ = false;
  size_t commands_ = 0;
};

// Splits on spaces; a backslash before a space keeps the space in the argument.
std::vector<std::string> SplitArgs(std::string_view line) {
  std::vector<std::string> argv(1);
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == ' ') {
      argv.back().push_back(line[++i]);
    } else if (line[i] != ' ') {
      argv.back().push_back(line[i]);
    } else if (argv.size() < kMaxArgs) {
      argv.emplace_back();
    } else {
      break;
    }
  }
  return argv;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Harness harness;
  size_t commands = 0;
  size_t start = 0;
  while (start < input.size() && commands < kMaxCommands) {
    std::string line;
    // A backslash at the end of a line continues the command with a newline (FUNCTION LOAD).
    while (start < input.size()) {
      size_t end = input.find('\n', start);
      if (end == std::string_view::npos) end = input.size();
      line.append(input.substr(start, end - start));
      start = end + 1;
      if (line.empty() || line.back() != '\\' || start >= input.size()) break;
      line.back() = '\n';
    }
    int client = 0;
    if (!line.empty() && line[0] == '@') {
      client = 1;
      line.erase(0, 1);
    }
    if (line.empty()) continue;
    std::vector<std::string> argv = SplitArgs(line);
    harness.Run(client, argv);
    ++commands;
  }
  return 0;
}
