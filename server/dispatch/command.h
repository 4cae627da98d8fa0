// The command table's row and the context a handler runs in. A handler parses its arguments, calls
// a storage operation and writes the reply; arity, unknown commands, AUTH and locking are the
// dispatcher's, so handlers never repeat them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/dispatch/client.h"
#include "server/services/propagation.h"
#include "storage/database.h"
#include "storage/op_status.h"

namespace respd::server {

class ServerContext;
struct CommandContext;

using Args = std::span<const std::string_view>;

// An argument as Redis reads it where it uses it as a C string (%s, strcmp, strchr): a NUL byte
// ends it.
inline std::string_view AsCString(std::string_view arg) { return arg.substr(0, arg.find('\0')); }
using Handler = void (*)(CommandContext& ctx);
// Key positions of a command whose keys move with its arguments (EVAL numkeys, ZUNIONSTORE...).
// Returns false when the arguments are malformed (no keys can be found).
using KeysFn = bool (*)(Args args, std::vector<int>* positions);

// Flags with Redis's meaning (reported by COMMAND INFO) and respd's own (k*Lock*).
enum CommandFlag : uint32_t {
  kWrite = 1u << 0,
  kReadonly = 1u << 1,
  kDenyOom = 1u << 2,
  kAdmin = 1u << 3,
  kPubsub = 1u << 4,
  kNoscript = 1u << 5,
  kBlocking = 1u << 6,
  kLoading = 1u << 7,
  kStale = 1u << 8,
  kSkipMonitor = 1u << 9,
  kSkipSlowlog = 1u << 10,
  kFast = 1u << 11,
  kNoAuth = 1u << 12,
  kMayReplicate = 1u << 13,
  kNoMulti = 1u << 14,
  kAllowBusy = 1u << 15,
  kMovableKeys = 1u << 16,
  kSentinel = 1u << 17,
  kNoMandatoryKeys = 1u << 18,
  // Redis refuses these while it loads a dataset asynchronously; respd never does, so the flag is
  // only reported (COMMAND INFO).
  kNoAsyncLoading = 1u << 19,
  // Redis's CMD_ASKING (RESTORE-ASKING): in cluster mode it is served in a slot being imported
  // as if its client had sent ASKING.
  kAsking = 1u << 20,
  // Redis's CMD_TOUCHES_ARBITRARY_KEYS (SCAN, RANDOMKEY): the keys it expires lazily propagate
  // unwrapped, not as one MULTI. Hidden from COMMAND INFO, as in Redis.
  kTouchesArbitraryKeys = 1u << 21,
  // respd: the command reads or writes the whole keyspace (KEYS, SCAN, FLUSHALL, SWAPDB...), so it
  // takes every shard lock.
  kLockAll = 1u << 24,
  // respd: Redis's CMD_PROTECTED (DEBUG), refused unless enable-debug-command allows the client.
  kProtected = 1u << 25,
  // respd: a RESPD test control, refused unless enable-test-controls allows the client.
  kTestControl = 1u << 26,
  // respd: the handler takes its keys' shard locks itself, in phases (MIGRATE waits on the network
  // between them, when the peer may be this server needing those locks); the dispatcher takes none.
  kLocksItself = 1u << 27,
};

// The handler of a container's own row (CONFIG, CLIENT, CLUSTER...): a call with a subcommand
// runs the subcommand's handler and the container's arity (-2) refuses a bare call, so it never
// answers anything.
inline void CmdContainer(CommandContext&) {}

struct CommandSpec {
  std::string_view name;  // lower case; subcommands by their own name ("get" under "config")
  int arity;              // N: exactly N arguments with the name; -N: at least N
  uint32_t flags;
  int first_key = 0;  // 1-based position of the first key; 0: no keys
  int last_key = 0;   // negative counts from the end (-1: the last argument)
  int key_step = 0;
  Handler handler = nullptr;
  std::span<const CommandSpec> subcommands = {};
  KeysFn movable_keys = nullptr;
  // A command's documentation and ACL categories are its metadata's
  // (server/dispatch/command_metadata.h), not fields of its row.
};

// How a command is being run: the entry path that brought it into the pipeline
// (server/dispatch/dispatcher.h), each with its own admission policy. Blocking commands act as
// their non-blocking forms inside MULTI/EXEC and scripts.
enum class ExecutionMode : uint8_t {
  kNormal,        // a client's own command, from its connection
  kTransaction,   // a command queued by MULTI, run by EXEC
  kScript,        // redis.call or redis.pcall from a script or function
  kBlockedRetry,  // a blocked client's command, run again once one of its keys became ready
};

// One command being run.
struct CommandContext {
  Args args;
  protocol::ReplyWriter& reply;
  ClientState& client;
  ServerContext& server;
  const CommandSpec& spec;
  ExecutionMode mode = ExecutionMode::kNormal;
  // kBlockedRetry: the key that became ready. Like Redis 7.0, the re-run serves only from it.
  std::optional<std::string_view> retry_key = std::nullopt;
  // Set (on the client path only) by a handler that replies nothing because a script that began
  // after the command was admitted holds what it needs and is past busy-reply-threshold: the
  // dispatcher refuses the command BUSY, a rejected call, as when such a script holds its keys.
  bool refused_busy = false;

  // What the handler asks of propagation (server/services/propagation.h).
  PropagationRequest propagation = {};
  // A kLocksItself handler's last shard locks, released once its propagation was handed over, so
  // that its changes reach the sinks before another command's changes to the same keys.
  storage::ShardLocks held_locks = {};

  bool may_block() const {
    return mode == ExecutionMode::kNormal || mode == ExecutionMode::kBlockedRetry;
  }
  storage::Database& db();
  // Counts `changes` to the dataset where Redis adds to server.dirty.
  void AddDirty(uint64_t changes = 1);
  // Writes Redis's error for a failed storage operation.
  void ReplyStatus(storage::OpStatus status);
  // Redis's "ERR syntax error".
  void ReplySyntaxError();

  // Propagation to the AOF and replicas (server/services/propagation.h). propagating() is false
  // while neither wants anything: a handler then builds no arguments for it.
  bool propagating() const;
  // Redis's rewriteClientCommandVector: the command propagates as `argv` (EXPIRE as PEXPIREAT).
  void PropagateAs(std::vector<std::string> argv);
  // Redis's alsoPropagate: `argv` propagates too, ahead of the command, in the client's database.
  void AlsoPropagate(std::vector<std::string> argv);
  // Redis's preventCommandPropagation: the command itself does not propagate.
  void PreventPropagation() { propagation.prevented = true; }
  // Redis's forceCommandPropagation: the command propagates to `targets` (PropagationTarget) even
  // when it changed nothing.
  void ForcePropagation(uint8_t targets) { propagation.forced_targets |= targets; }
};

// Positions of the keys of `args` by the spec (static positions or movable_keys); false if
// malformed.
bool KeyPositions(const CommandSpec& spec, Args args, std::vector<int>* positions);

}  // namespace respd::server
