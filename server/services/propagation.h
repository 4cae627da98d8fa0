// What the dataset's changes are told to the append-only file and to replicas as, by Redis 7.0's
// rules (server.c call, alsoPropagate, propagatePendingCommands; db.c propagateDeletion):
// - a command that changed the dataset (counted changes, Redis's server.dirty) propagates as
//   itself, or as what its handler rewrote it to (CommandContext::PropagateAs: EXPIRE as
//   PEXPIREAT, SET EX as SET PXAT...); a handler may add commands (AlsoPropagate), keep its own
//   out (PreventPropagation) or propagate without a change (ForcePropagation: FLUSHALL of an empty
//   dataset, PUBLISH to replicas);
// - a key deleted because it expired or was evicted propagates as DEL (UNLINK under
//   lazyfree-lazy-expire / -eviction), at the point it was deleted;
// - what one top-level execution (a client's command, EXEC with its body, a script with its calls,
//   a blocked client's re-run) propagates is one unit, wrapped in MULTI ... EXEC when it holds more
//   than one command; EXEC itself never propagates; outside a command (active expiry, eviction
//   before a command) each deletion is a unit of its own.
// Units reach the sinks in the order they ran: a unit is handed over while its command still
// holds its keys' shard locks, so two units that touch one key reach every sink in the order they
// changed it. Each sink (the AOF, the replicas' stream) adds the SELECTs its reader needs.
//
// While no sink wants anything (AOF off, no replica) the pipeline pays one relaxed load per
// command and nothing is collected.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/config/config.h"
#include "storage/database.h"

namespace respd::server {

// Where a command goes (Redis's PROPAGATE_AOF, PROPAGATE_REPL).
enum PropagationTarget : uint8_t {
  kPropagateAof = 1,
  kPropagateReplicas = 2,
  kPropagateBoth = kPropagateAof | kPropagateReplicas,
};

struct PropagatedCommand {
  int db = 0;
  std::vector<std::string> argv;
  uint8_t targets = kPropagateBoth;
};

// `unit` as a stream of commands: a SELECT ahead of each command whose database differs from
// `*selected_db` (which follows it); a command without a database (-1: a PING) leaves it.
void AppendUnit(std::string* out, std::span<const PropagatedCommand* const> unit, int* selected_db);

class PropagationSink {
 public:
  virtual ~PropagationSink() = default;
  // One unit's commands for this sink's target, in order, with the wrapping MULTI and EXEC when
  // there is one. Called with the propagator's mutex held: one unit at a time, in propagation
  // order.
  virtual void Feed(std::span<const PropagatedCommand* const> unit) = 0;
};

// What one handler run asks of propagation (CommandContext's PropagateAs and friends).
struct PropagationRequest {
  bool replaced = false;
  std::vector<std::string> argv;  // when replaced
  bool prevented = false;
  uint8_t forced_targets = 0;
  // Where the command's own propagation may go (a script's redis.set_repl); what it adds with
  // AlsoPropagate and the keys it expires are not limited, as in Redis.
  uint8_t allowed_targets = kPropagateBoth;
};

class Propagator final : public storage::KeyspaceObserver {
 public:
  explicit Propagator(Config& config) : config_(config) {}

  // At start-up: `sink` gets the commands for `target` while that target is on.
  void AddSink(PropagationSink* sink, PropagationTarget target);
  // The AOF is on, or a replica is attached. The switch may change while a unit is being
  // collected; only the commands collected while it was on are in it.
  void SetTargetOn(PropagationTarget target, bool on);
  bool active() const { return on_targets_.load(std::memory_order_relaxed) != 0; }

  // The dispatcher brackets every handler run with these (only while active()); the outermost
  // Leave hands the unit to the sinks. `db` is the client's database after the command ran. A
  // unit whose outermost command touches arbitrary keys (kTouchesArbitraryKeys) is not wrapped.
  void Enter(bool touches_arbitrary_keys);
  void Leave(bool dataset_changed, bool is_exec, std::span<const std::string_view> args, int db,
             const PropagationRequest& request);
  // Redis's alsoPropagate from a command's handler: propagated ahead of the command itself.
  void Also(int db, std::vector<std::string> argv, uint8_t targets = kPropagateBoth);

  // Expired and evicted keys.
  void OnKeyModified(int, std::string_view) override {}
  void OnDbModified(int) override {}
  void OnKeyReady(int, std::string_view) override {}
  void OnKeyEvent(int db, std::string_view key, storage::KeyEvent event) override;

 private:
  // The collected unit to the sinks, and the collection emptied; several commands go in MULTI/EXEC
  // when `wrap_several`.
  void FlushUnit(bool wrap_several);

  Config& config_;
  std::atomic<uint8_t> on_targets_{0};
  std::mutex mutex_;  // one unit at a time through the sinks
  struct Sink {
    PropagationSink* sink;
    PropagationTarget target;
  };
  std::vector<Sink> sinks_;
};

}  // namespace respd::server
