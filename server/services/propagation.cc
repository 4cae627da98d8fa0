#include "server/services/propagation.h"

#include <utility>

#include "protocol/reply_writer.h"
#include "storage/keyspace_event.h"

namespace respd::server {
namespace {

// The unit being collected on this thread: a command and everything nested in it run on the
// thread that took its locks.
struct Collecting {
  int depth = 0;
  bool unwrapped = false;
  std::vector<PropagatedCommand> commands;
};
thread_local Collecting collecting;

}  // namespace

void AppendUnit(std::string* out, std::span<const PropagatedCommand* const> unit,
                int* selected_db) {
  for (const PropagatedCommand* command : unit) {
    if (command->db >= 0 && command->db != *selected_db) {
      const std::string select[] = {"SELECT", std::to_string(command->db)};
      protocol::AppendCommand(out, select);
      *selected_db = command->db;
    }
    protocol::AppendCommand(out, command->argv);
  }
}

void Propagator::AddSink(PropagationSink* sink, PropagationTarget target) {
  sinks_.push_back({sink, target});
}

void Propagator::SetTargetOn(PropagationTarget target, bool on) {
  if (on) {
    on_targets_.fetch_or(target, std::memory_order_relaxed);
  } else {
    on_targets_.fetch_and(static_cast<uint8_t>(~target), std::memory_order_relaxed);
  }
}

void Propagator::Enter(bool touches_arbitrary_keys) {
  if (collecting.depth++ == 0) collecting.unwrapped = touches_arbitrary_keys;
}

void Propagator::Leave(bool dataset_changed, bool is_exec, std::span<const std::string_view> args,
                       int db, const PropagationRequest& request) {
  // Only to targets that are on, as Redis's shouldPropagate: what no sink takes would still make
  // the unit look like several commands and wrap it.
  uint8_t targets = (dataset_changed ? uint8_t{kPropagateBoth} : request.forced_targets) &
                    request.allowed_targets & on_targets_.load(std::memory_order_relaxed);
  if (targets != 0 && !request.prevented && !is_exec) {
    PropagatedCommand command{db, {}, targets};
    if (request.replaced) {
      command.argv = request.argv;
    } else {
      command.argv.assign(args.begin(), args.end());
    }
    collecting.commands.push_back(std::move(command));
  }
  if (--collecting.depth == 0) FlushUnit(/*wrap=*/true);
}

void Propagator::Also(int db, std::vector<std::string> argv, uint8_t targets) {
  targets &= on_targets_.load(std::memory_order_relaxed);
  if (targets == 0) return;
  collecting.commands.push_back({db, std::move(argv), targets});
  if (collecting.depth == 0) FlushUnit(/*wrap=*/true);
}

void Propagator::OnKeyEvent(int db, std::string_view key, storage::KeyEvent event) {
  if (!active()) return;
  const char* lazy_option;
  if (event.event_class == storage::kEventExpired) {
    lazy_option = "lazyfree-lazy-expire";
  } else if (event.event_class == storage::kEventEvicted) {
    lazy_option = "lazyfree-lazy-eviction";
  } else {
    return;
  }
  collecting.commands.push_back(
      {db, {config_.Get(lazy_option).enabled() ? "UNLINK" : "DEL", std::string(key)}});
  // Redis's performEvictions propagates its deletions as it makes them, each alone, also inside a
  // command (CONFIG SET maxmemory); an expired key's waits for the unit it was found in.
  if (collecting.depth == 0 || event.event_class == storage::kEventEvicted)
    FlushUnit(/*wrap=*/false);
}

void Propagator::FlushUnit(bool wrap_several) {
  std::vector<PropagatedCommand>& commands = collecting.commands;
  if (commands.empty()) return;
  uint8_t on = on_targets_.load(std::memory_order_relaxed);
  // Redis wraps a unit of several commands so a replica or a reload applies it whole; a command
  // that may expire any number of keys (SCAN) propagates their deletions one by one.
  bool wrap = wrap_several && commands.size() > 1 && !collecting.unwrapped;
  PropagatedCommand multi{commands.front().db, {"MULTI"}, kPropagateBoth};
  PropagatedCommand exec{commands.back().db, {"EXEC"}, kPropagateBoth};
  std::vector<const PropagatedCommand*> unit;
  unit.reserve(commands.size() + 2);
  std::lock_guard lock(mutex_);
  for (const Sink& sink : sinks_) {
    if ((on & sink.target) == 0) continue;
    unit.clear();
    if (wrap) unit.push_back(&multi);
    for (const PropagatedCommand& command : commands) {
      if ((command.targets & sink.target) != 0) unit.push_back(&command);
    }
    if (wrap) unit.push_back(&exec);
    if (!unit.empty()) sink.sink->Feed(unit);
  }
  commands.clear();
}

}  // namespace respd::server
