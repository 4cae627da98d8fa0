// Launches and reaps server processes for tests: fork/execv (no shell), a private working directory
// and log file per process, bounded waits everywhere, and the process always stopped by its own
// pid.
#include "tests/support/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace respd::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kReadyTimeout = std::chrono::seconds(5);
constexpr auto kTermTimeout = std::chrono::seconds(5);
// After SIGKILL the kernel reaps promptly; the bound only guards against a process stuck in D
// state.
constexpr auto kKillTimeout = std::chrono::seconds(5);
constexpr auto kPollInterval = std::chrono::milliseconds(10);
// A free port can be taken by someone else between FreePort() and the server's bind(); retry then.
constexpr int kStartAttempts = 3;

constexpr const char* kRedisBinary = "redis-server";

// Resolves `binary` against PATH the way execvp would, so the child can use plain execv.
std::string ResolveExecutable(const std::string& binary) {
  if (binary.find('/') != std::string::npos) {
    return access(binary.c_str(), X_OK) == 0 ? binary : std::string();
  }
  const char* path = getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + binary;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

bool PortAcceptsConnections(const std::string& address, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    close(fd);
    return false;
  }
  // Blocking connect on loopback fails or succeeds immediately; it never waits on a remote peer.
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

bool UnixSocketAcceptsConnections(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    close(fd);
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  // A unix-socket connect never waits on a remote peer.
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// Waits for `pid` to exit for at most `timeout`; returns true and fills *status if it did.
bool WaitForPid(pid_t pid, Clock::duration timeout, int* status) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) {
      *status = -1;  // not our child any more (already reaped): nothing left to wait for
      return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool HaveExecutable(const std::string& binary) { return !ResolveExecutable(binary).empty(); }

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && (std::string_view(ci) == "true" || std::string_view(ci) == "1");
}

std::string RedisServerMissing() {
  if (HaveExecutable(kRedisBinary)) return "";
  return "redis-server is not installed (apt-get install redis-server, or .ci/setup --test); "
         "differential tests need it as the reference";
}

ServerProcess ServerProcess::StartRespd(std::vector<std::string> extra_args) {
  return Start(RESPD_BINARY, std::move(extra_args));
}

ServerProcess ServerProcess::StartRespdWithAddressSpaceLimit(size_t bytes,
                                                             std::vector<std::string> extra_args) {
  return Start(RESPD_BINARY, std::move(extra_args), "", bytes);
}

ServerProcess ServerProcess::StartRedis(std::vector<std::string> extra_args) {
  std::vector<std::string> args = {"--save", "", "--appendonly", "no", "--daemonize", "no"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return Start(kRedisBinary, std::move(args));
}

ServerProcess ServerProcess::StartRespdUnixOnly(const std::string& path,
                                                std::vector<std::string> extra_args) {
  return Start(RESPD_BINARY, std::move(extra_args), path);
}

ServerProcess ServerProcess::Start(const std::string& binary, std::vector<std::string> args,
                                   const std::string& unix_path, size_t address_space_limit) {
  ServerProcess process;
  std::string path = ResolveExecutable(binary);
  if (path.empty()) {
    ADD_FAILURE() << "server binary not found or not executable: " << binary;
    return process;
  }
  // The server opens its TCP listener before its unix socket: a test given the process as soon
  // as TCP answers could find the socket not there yet.
  std::string listened_unix_path = unix_path;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--unixsocket") listened_unix_path = args[i + 1];
  }
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    // The child runs in its own scratch directory so nothing it writes (dump.rdb, logs) lands in
    // the source tree, and so concurrent test binaries never share files.
    char dir_template[] = "/tmp/respd-test-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed: " << strerror(errno);
      return process;
    }
    process.work_dir_ = dir_template;
    process.log_path_ = process.work_dir_ + "/output.log";
    process.port_ = unix_path.empty() ? FreePort() : 0;

    std::vector<std::string> argv_strings = {path, "--port", std::to_string(process.port_)};
    if (unix_path.empty()) {
      argv_strings.insert(argv_strings.end(), {"--bind", "127.0.0.1"});
    } else {
      argv_strings.insert(argv_strings.end(), {"--unixsocket", unix_path});
    }
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    // Built before fork: the child of a threaded process may only call async-signal-safe functions.
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    int log_fd = open(process.log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log_fd < 0 || null_fd < 0) {
      ADD_FAILURE() << "cannot open " << process.log_path_ << ": " << strerror(errno);
      if (log_fd >= 0) close(log_fd);
      if (null_fd >= 0) close(null_fd);
      return process;
    }
    const char* work_dir = process.work_dir_.c_str();

    pid_t pid = fork();
    if (pid == 0) {
      // A crashed or killed test binary must not leave servers behind.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(null_fd, STDIN_FILENO);
      dup2(log_fd, STDOUT_FILENO);
      dup2(log_fd, STDERR_FILENO);
      if (chdir(work_dir) != 0) _exit(126);
      if (address_space_limit > 0) {
        struct rlimit limit = {address_space_limit, address_space_limit};
        if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(125);
      }
      execv(argv[0], argv.data());
      static const char kMsg[] = "execv failed\n";
      (void)!write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
      _exit(127);
    }
    close(log_fd);
    close(null_fd);
    if (pid < 0) {
      ADD_FAILURE() << "fork failed: " << strerror(errno);
      return process;
    }
    process.pid_ = pid;

    auto deadline = Clock::now() + kReadyTimeout;
    bool exited = false;
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      bool ready = (process.port_ == 0 || PortAcceptsConnections("127.0.0.1", process.port_)) &&
                   (listened_unix_path.empty() || UnixSocketAcceptsConnections(listened_unix_path));
      if (ready) return process;
      std::this_thread::sleep_for(kPollInterval);
    }
    std::string output = process.Output();
    if (exited) {
      process.pid_ = -1;
      bool port_taken = output.find("in use") != std::string::npos;
      if (port_taken && attempt < kStartAttempts) {
        std::filesystem::remove_all(process.work_dir_);
        continue;
      }
      ADD_FAILURE() << path << " exited during start-up on port " << process.port_ << "; output:\n"
                    << output;
    } else {
      ADD_FAILURE() << path << " did not accept connections on port " << process.port_ << " within "
                    << kReadyTimeout.count() << " s; output:\n"
                    << output;
      process.Stop();
    }
    return process;
  }
  return process;
}

ServerProcess::ServerProcess(ServerProcess&& other) noexcept { *this = std::move(other); }

ServerProcess& ServerProcess::operator=(ServerProcess&& other) noexcept {
  if (this != &other) {
    Cleanup();
    pid_ = other.pid_;
    port_ = other.port_;
    log_path_ = std::move(other.log_path_);
    work_dir_ = std::move(other.work_dir_);
    other.pid_ = -1;
    other.port_ = 0;
    other.log_path_.clear();
    other.work_dir_.clear();
  }
  return *this;
}

ServerProcess::~ServerProcess() { Cleanup(); }

void ServerProcess::Cleanup() {
  Stop();
  if (!work_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(work_dir_, ignored);
    work_dir_.clear();
    log_path_.clear();
  }
}

std::string ServerProcess::Output() const {
  if (log_path_.empty()) return {};
  std::ifstream in(log_path_, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  pid_t pid = pid_;
  pid_ = -1;
  int status = -1;
  kill(pid, SIGTERM);
  if (WaitForPid(pid, kTermTimeout, &status)) return status;
  ADD_FAILURE() << "pid " << pid << " ignored SIGTERM for " << kTermTimeout.count()
                << " s; sending SIGKILL";
  kill(pid, SIGKILL);
  if (!WaitForPid(pid, kKillTimeout, &status)) {
    ADD_FAILURE() << "pid " << pid << " survived SIGKILL";
    return -1;
  }
  return status;
}

int ServerProcess::WaitForExit(int timeout_ms) {
  if (pid_ <= 0) return -1;
  int status = -1;
  if (!WaitForPid(pid_, std::chrono::milliseconds(timeout_ms), &status)) return -1;
  pid_ = -1;
  return status;
}

}  // namespace respd::testing
