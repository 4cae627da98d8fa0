// Starts a server binary (respd or Debian's redis-server) on a free loopback port for a test, and
// stops it by its pid when the test ends. Nothing here knows respd's internals: tests talk to it
// over TCP.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace respd::testing {

class ServerProcess {
 public:
  // Starts `binary` with `--port <free port> --bind 127.0.0.1` plus `extra_args`; waits (bounded)
  // until the port accepts connections. Fails the current test (ADD_FAILURE) and leaves running()
  // false if it did not come up.
  static ServerProcess StartRespd(std::vector<std::string> extra_args = {});
  // redis-server with persistence off (`--save "" --appendonly no`), for differential tests.
  static ServerProcess StartRedis(std::vector<std::string> extra_args = {});
  // respd with `--port 0 --unixsocket <path>`: no TCP listener; ready once the socket accepts.
  static ServerProcess StartRespdUnixOnly(const std::string& path,
                                          std::vector<std::string> extra_args = {});
  // respd whose address space is capped at `bytes` (RLIMIT_AS), so a huge allocation fails at
  // once instead of filling the machine. Not for sanitizer builds, which reserve terabytes.
  static ServerProcess StartRespdWithAddressSpaceLimit(size_t bytes,
                                                       std::vector<std::string> extra_args = {});

  ServerProcess(ServerProcess&& other) noexcept;
  ServerProcess& operator=(ServerProcess&& other) noexcept;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();  // Stop()

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Everything the process wrote to stdout and stderr so far.
  std::string Output() const;
  // SIGTERM, then waits (bounded, SIGKILL after 5 s); returns the exit status as from waitpid.
  int Stop();
  // Waits at most `timeout_ms` for the process to exit by itself (SHUTDOWN); returns the exit
  // status as from waitpid, or -1 if it is still running (Stop() then ends it).
  int WaitForExit(int timeout_ms);

 private:
  ServerProcess() = default;
  // Listens on `address`:<free port>, or only on the unix socket `unix_path` when it is not empty.
  // `address_space_limit` (bytes, 0: none) becomes the child's RLIMIT_AS.
  static ServerProcess Start(const std::string& binary, std::vector<std::string> args,
                             const std::string& unix_path = "", size_t address_space_limit = 0);
  // Stop() plus removal of the scratch directory (which holds the log, so Output() works until
  // then).
  void Cleanup();

  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
  std::string work_dir_;  // the child's cwd, private to this process
};

// A free TCP port on 127.0.0.1 (bind to 0, read the port, close).
int FreePort();
// True if `binary` is on PATH.
bool HaveExecutable(const std::string& binary);
// True under CI (environment CI=true or CI=1, as CI services set it).
bool InCi();
// Why tests that compare with Redis cannot run (redis-server is not on PATH); empty when they can.
std::string RedisServerMissing();

}  // namespace respd::testing

// In a test body or SetUp(): skips the test with a message when redis-server is missing, except
// under CI, where it fails: a differential suite that skips would pass without checking anything.
#define RESPD_REQUIRE_REDIS_SERVER()                                      \
  do {                                                                    \
    std::string respd_missing = ::respd::testing::RedisServerMissing();   \
    if (!respd_missing.empty()) {                                         \
      if (::respd::testing::InCi()) FAIL() << respd_missing << " (CI=true)"; \
      GTEST_SKIP() << respd_missing;                                      \
    }                                                                     \
  } while (false)

