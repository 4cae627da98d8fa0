// Client-side caching: the tracking table and invalidation messages, as Redis 7.0's tracking.c.
#include "server/services/tracking.h"

#include <strings.h>

#include "server/dispatch/dispatcher.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

constexpr std::string_view kInvalidatePush = ">2\r\n$10\r\ninvalidate\r\n";
constexpr std::string_view kInvalidateMessage =
    "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";

// A message that waits for the reply of the command running on this thread: the client it is
// for, and the key (none: all keys, after a flush).
struct PendingMessage {
  uint64_t client_id;
  std::optional<std::string> key;
};
thread_local std::vector<PendingMessage> pending_messages;

// The client command or EXEC'd command running on this thread: a script's inner reads remember
// its keys for its client, as Redis 7.0 does (the caller's argv, not the inner command's).
struct OuterCommand {
  ClientState* client = nullptr;
  const CommandSpec* spec = nullptr;
  std::span<const std::string_view> args;
};
thread_local OuterCommand outer_command;

thread_local std::vector<int> key_positions;

// TrackingRegistry::ScopedBeforeCommand is alive on this thread.
thread_local bool before_command = false;

void AppendBulk(std::string& out, std::string_view s) {
  out += '$';
  out += std::to_string(s.size());
  out += "\r\n";
  out.append(s);
  out += "\r\n";
}

std::string KeyArray(std::string_view key) {
  std::string out = "*1\r\n";
  AppendBulk(out, key);
  return out;
}

std::string_view NullFor(const ClientState& client) {
  return client.resp == protocol::RespVersion::kResp3 ? "_\r\n" : "$-1\r\n";
}

// EVAL_RO, EVALSHA_RO and FCALL_RO are read-only, but only the commands they run count as reads.
bool IsReadOnlyScript(const CommandSpec& spec) {
  return spec.name == "eval_ro" || spec.name == "evalsha_ro" || spec.name == "fcall_ro";
}

// Redis keeps CLIENT CACHING's word for the command after any CLIENT subcommand.
bool IsClientSubcommand(const Completion& done) {
  return done.spec != nullptr && done.args.size() >= 2 && done.spec->name != "client" &&
         strcasecmp(std::string(AsCString(done.args[0])).c_str(), "client") == 0;
}

}  // namespace

TrackingMembership::~TrackingMembership() { registry_.Forget(client_); }

TrackingRegistry::TrackingRegistry(Config& config, ClientRegistry& clients)
    : max_keys_option_(config.Get("tracking-table-max-keys")), clients_registry_(clients) {}

void TrackingRegistry::Enable(ClientState& client, uint64_t redirect, uint32_t options,
                              std::span<const std::string_view> prefixes) {
  if (client.tracking_membership == nullptr) {
    client.tracking_membership = std::make_unique<TrackingMembership>(*this, client);
  }
  in_use_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  Tracked& tracked = clients_.try_emplace(client.id(), Tracked{&client, {}}).first->second;
  uint32_t flags = client.tracking_flags.load(std::memory_order_relaxed);
  if (!(flags & kTrackingOn)) tracking_clients_.fetch_add(1, std::memory_order_relaxed);
  flags &= ~(kTrackingBrokenRedirect | kTrackingBcast | kTrackingOptin | kTrackingOptout |
             kTrackingNoloop);
  flags |= kTrackingOn |
           (options & (kTrackingBcast | kTrackingOptin | kTrackingOptout | kTrackingNoloop));
  client.tracking_redirect.store(redirect, std::memory_order_relaxed);
  client.tracking_flags.store(flags, std::memory_order_relaxed);
  if (options & kTrackingBcast) {
    auto add = [&](std::string_view prefix) {
      auto it = prefixes_.find(prefix);
      if (it == prefixes_.end()) it = prefixes_.emplace(std::string(prefix), Broadcast{}).first;
      if (it->second.clients.insert(client.id()).second) tracked.prefixes.emplace(prefix);
    };
    if (prefixes.empty()) add("");
    for (std::string_view prefix : prefixes) add(prefix);
  }
  UpdateActiveLocked();
}

void TrackingRegistry::Disable(ClientState& client) {
  std::lock_guard lock(mutex_);
  DisableLocked(client);
}

void TrackingRegistry::DisableLocked(ClientState& client) {
  auto it = clients_.find(client.id());
  if (it != clients_.end()) {
    for (const std::string& prefix : it->second.prefixes) {
      auto entry = prefixes_.find(prefix);
      if (entry == prefixes_.end()) continue;
      entry->second.clients.erase(client.id());
      if (entry->second.clients.empty()) prefixes_.erase(entry);
    }
    it->second.prefixes.clear();
  }
  uint32_t flags = client.tracking_flags.load(std::memory_order_relaxed);
  if (flags & kTrackingOn) {
    tracking_clients_.fetch_sub(1, std::memory_order_relaxed);
    client.tracking_flags.store(0, std::memory_order_relaxed);
  }
  UpdateActiveLocked();
}

void TrackingRegistry::Forget(ClientState& client) {
  std::lock_guard lock(mutex_);
  DisableLocked(client);
  clients_.erase(client.id());
}

std::vector<std::string> TrackingRegistry::PrefixesOf(const ClientState& client) const {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client.id());
  if (it == clients_.end()) return {};
  return {it->second.prefixes.begin(), it->second.prefixes.end()};
}

void TrackingRegistry::InvalidateAll() {
  uint64_t current = PubSubRegistry::RunningClientId();
  Outbox out;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, tracked] : clients_) {
      if (!(tracked.client->tracking_flags.load(std::memory_order_relaxed) & kTrackingOn)) {
        continue;
      }
      if (id == current) {
        pending_messages.push_back({id, std::nullopt});
      } else {
        SendLocked(*tracked.client, NullFor(*tracked.client), out);
      }
    }
    table_.clear();
    total_items_ = 0;
    UpdateActiveLocked();
  }
  Deliver(out);
}

bool TrackingRegistry::Remembers(const ClientState& client, const CommandSpec& spec) {
  uint32_t flags = client.tracking_flags.load(std::memory_order_relaxed);
  if (!(flags & kTrackingOn) || (flags & kTrackingBcast) || !(spec.flags & kReadonly)) {
    return false;
  }
  bool caching = flags & kTrackingCaching;
  if ((flags & kTrackingOptin) && !caching) return false;
  if ((flags & kTrackingOptout) && caching) return false;
  return true;
}

void TrackingRegistry::BeforeCommand(const Admission& admission) {
  if (admission.path == ExecutionMode::kScript) return;
  outer_command = {&admission.client, &admission.spec, admission.args};
  // Before each command a client sends, as Redis's processCommand trims the table: so the
  // messages go out before its reply, and NOLOOP spares the client whose command is next, not the
  // one that went over the limit (a lowered limit with no command to follow is the cron's).
  if (admission.path == ExecutionMode::kNormal && active_.load(std::memory_order_acquire)) {
    Outbox out;
    {
      std::lock_guard lock(mutex_);
      LimitLocked(admission.client.id(), out);
    }
    Deliver(out);
  }
  // A client's read runs under its keys' shard locks, which are released before the after hook
  // remembers the keys: note them now, so a write in between still reaches the reader.
  if (admission.path != ExecutionMode::kNormal || !Remembers(admission.client, admission.spec) ||
      IsReadOnlyScript(admission.spec) ||
      !KeyPositions(admission.spec, admission.args, &key_positions)) {
    return;
  }
  std::lock_guard lock(mutex_);
  for (int pos : key_positions)
    reading_[std::string(admission.args[pos])].insert(admission.client.id());
  UpdateActiveLocked();
}

void TrackingRegistry::AfterCommand(const Completion& done) {
  bool ran = done.outcome == Outcome::kRan || done.outcome == Outcome::kBlocked;
  bool top_level = done.path == ExecutionMode::kNormal || done.path == ExecutionMode::kBlockedRetry;
  Outbox out;
  uint64_t current = PubSubRegistry::RunningClientId();
  if (done.path == ExecutionMode::kScript) {
    // The script holds every lock: nothing changes between the read and now.
    if (ran && done.spec != nullptr && outer_command.client != nullptr &&
        Remembers(*outer_command.client, *done.spec) &&
        KeyPositions(*outer_command.spec, outer_command.args, &key_positions) &&
        !key_positions.empty()) {
      std::lock_guard lock(mutex_);
      RememberKeysLocked(outer_command.client->id(), key_positions, outer_command.args);
    }
    return;
  }
  ClientState& client = done.client;
  bool reads = done.spec != nullptr && Remembers(client, *done.spec) &&
               !IsReadOnlyScript(*done.spec) && KeyPositions(*done.spec, done.args, &key_positions);
  if (done.path == ExecutionMode::kNormal && reads) {
    std::lock_guard lock(mutex_);
    for (int pos : key_positions) {
      auto it = reading_.find(done.args[pos]);
      if (it == reading_.end()) continue;
      auto one = it->second.find(client.id());
      if (one != it->second.end()) it->second.erase(one);
      if (it->second.empty()) reading_.erase(it);
    }
    if (ran) RememberKeysLocked(client.id(), key_positions, done.args);
    // Written while being read: what the reader got may be older than the write, so it is
    // invalidated now (after the reply), as if written just after.
    for (int pos : key_positions) {
      auto written = written_while_read_.find({client.id(), std::string(done.args[pos])});
      if (written == written_while_read_.end()) continue;
      written_while_read_.erase(written);
      InvalidateLocked(done.args[pos], /*bcast=*/false, current, /*running=*/true, out);
    }
    UpdateActiveLocked();
  } else if (ran && reads && !key_positions.empty()) {
    // EXEC's body holds every lock; a blocked client's re-run holds its keys' locks no longer,
    // but was woken by a write to them that it then read.
    std::lock_guard lock(mutex_);
    RememberKeysLocked(client.id(), key_positions, done.args);
  }
  if (!top_level) return;
  outer_command = {};
  uint32_t flags = client.tracking_flags.load(std::memory_order_relaxed);
  bool in_multi = client.transaction != nullptr && client.transaction->in_multi();
  if ((flags & kTrackingCaching) && !in_multi && !IsClientSubcommand(done)) {
    client.tracking_flags.fetch_and(~kTrackingCaching, std::memory_order_relaxed);
  }
  if (!active_.load(std::memory_order_acquire) && pending_messages.empty() && out.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (!pending_messages.empty()) {
      std::vector<PendingMessage> pending;
      pending.swap(pending_messages);
      for (PendingMessage& message : pending) {
        auto it = clients_.find(message.client_id);
        if (it == clients_.end()) continue;
        ClientState& target = *it->second.client;
        SendLocked(target, message.key ? KeyArray(*message.key) : std::string(NullFor(target)),
                   out);
      }
    }
    if (broadcast_pending_.load(std::memory_order_relaxed)) BroadcastLocked(out);
  }
  Deliver(out);
}

void TrackingRegistry::Cron() {
  if (tracking_clients_.load(std::memory_order_relaxed) == 0 ||
      !active_.load(std::memory_order_acquire)) {
    return;
  }
  Outbox out;
  {
    std::lock_guard lock(mutex_);
    LimitLocked(/*current=*/0, out);
  }
  Deliver(out);
}

void TrackingRegistry::RememberKeysLocked(uint64_t client_id, std::span<const int> positions,
                                          std::span<const std::string_view> args) {
  for (int pos : positions) {
    auto it = table_.find(args[pos]);
    if (it == table_.end()) it = table_.emplace(std::string(args[pos]), std::set<uint64_t>{}).first;
    if (it->second.insert(client_id).second) ++total_items_;
  }
  UpdateActiveLocked();
}

void TrackingRegistry::OnKeyModified(int, std::string_view key) {
  if (!active_.load(std::memory_order_acquire)) return;
  uint64_t current = PubSubRegistry::RunningClientId();
  Outbox out;
  {
    std::lock_guard lock(mutex_);
    if (auto it = reading_.find(key); it != reading_.end()) {
      // Not the reader's own command: that is lazy expiry in its lookup, before it reads.
      for (uint64_t reader : it->second) {
        if (reader != current) written_while_read_.emplace(reader, std::string(key));
      }
    }
    InvalidateLocked(key, /*bcast=*/true, current, /*running=*/!before_command, out);
    // No command on this thread (the expiry cron) would send the BCAST keys after it.
    if (current == 0 && broadcast_pending_.load(std::memory_order_relaxed)) BroadcastLocked(out);
  }
  Deliver(out);
}

TrackingRegistry::ScopedBeforeCommand::ScopedBeforeCommand() : saved_(before_command) {
  before_command = true;
}

TrackingRegistry::ScopedBeforeCommand::~ScopedBeforeCommand() { before_command = saved_; }

void TrackingRegistry::InvalidateLocked(std::string_view key, bool bcast, uint64_t current,
                                        bool running, Outbox& out) {
  if (bcast && !prefixes_.empty()) {
    for (auto& [prefix, state] : prefixes_) {
      if (!key.starts_with(prefix)) continue;
      state.keys.insert_or_assign(std::string(key), current);
      broadcast_pending_.store(true, std::memory_order_relaxed);
    }
  }
  auto entry = table_.find(key);
  if (entry == table_.end()) return;
  for (uint64_t id : entry->second) {
    auto it = clients_.find(id);
    if (it == clients_.end()) continue;
    ClientState& target = *it->second.client;
    uint32_t flags = target.tracking_flags.load(std::memory_order_relaxed);
    if (!(flags & kTrackingOn) || (flags & kTrackingBcast)) continue;
    if ((flags & kTrackingNoloop) && id == current) continue;
    if (id == current && running) {
      // After the reply of the command that made it, as Redis 7.0.
      pending_messages.push_back({id, std::string(key)});
    } else {
      SendLocked(target, KeyArray(key), out);
    }
  }
  total_items_ -= entry->second.size();
  table_.erase(entry);
  UpdateActiveLocked();
}

void TrackingRegistry::SendLocked(ClientState& client, std::string_view payload, Outbox& out) {
  uint64_t redirect = client.tracking_redirect.load(std::memory_order_relaxed);
  if (redirect != 0) {
    std::shared_ptr<ClientHandle> handle = clients_registry_.Find(redirect);
    if (handle == nullptr) {
      client.tracking_flags.fetch_or(kTrackingBrokenRedirect, std::memory_order_relaxed);
      if (client.resp == protocol::RespVersion::kResp3) {
        out.push_back(
            {client.id(), nullptr,
             ">2\r\n$21\r\ntracking-redir-broken\r\n:" + std::to_string(redirect) + "\r\n"});
      }
      return;
    }
    ClientState& target = handle->state();
    std::string frame;
    if (target.resp == protocol::RespVersion::kResp3) {
      frame = kInvalidatePush;
    } else if (target.subscribed()) {
      frame = kInvalidateMessage;
    } else {
      // RESP2 has no way to tell a client that does not listen. The handle still leaves with the
      // outbox: dropping a last reference here would close the client under this mutex.
      out.push_back({target.id(), std::move(handle), {}});
      return;
    }
    frame.append(payload);
    out.push_back({target.id(), std::move(handle), std::move(frame)});
    return;
  }
  if (client.resp != protocol::RespVersion::kResp3) return;
  std::string frame(kInvalidatePush);
  frame.append(payload);
  out.push_back({client.id(), nullptr, std::move(frame)});
}

void TrackingRegistry::BroadcastLocked(Outbox& out) {
  broadcast_pending_.store(false, std::memory_order_relaxed);
  for (auto& [prefix, state] : prefixes_) {
    if (state.keys.empty()) continue;
    // Keys in order, as Redis's radix tree gives them; a NOLOOP client's own changes left out.
    auto build = [&](uint64_t skip) {
      std::string body;
      size_t count = 0;
      for (const auto& [key, changed_by] : state.keys) {
        if (skip != 0 && changed_by == skip) continue;
        AppendBulk(body, key);
        ++count;
      }
      return count == 0 ? std::string() : "*" + std::to_string(count) + "\r\n" + body;
    };
    std::string all = build(0);
    for (uint64_t id : state.clients) {
      auto it = clients_.find(id);
      if (it == clients_.end()) continue;
      ClientState& client = *it->second.client;
      if (client.tracking_flags.load(std::memory_order_relaxed) & kTrackingNoloop) {
        std::string own = build(id);
        if (!own.empty()) SendLocked(client, own, out);
      } else {
        SendLocked(client, all, out);
      }
    }
    state.keys.clear();
  }
}

void TrackingRegistry::LimitLocked(uint64_t next, Outbox& out) {
  auto max_keys = static_cast<size_t>(max_keys_option_.number());
  if (max_keys == 0) return;
  if (table_.size() <= max_keys) {
    limit_rounds_ = 0;
    return;
  }
  // Redis's trackingLimitUsedSlots: invalidate keys (as if they changed) until under the limit,
  // trying harder each round the table stays over it.
  int effort = 100 * static_cast<int>(limit_rounds_ + 1);
  while (effort-- > 0 && !table_.empty()) {
    std::string key = table_.begin()->first;
    InvalidateLocked(key, /*bcast=*/false, next, /*running=*/false, out);
    if (table_.size() <= max_keys) {
      limit_rounds_ = 0;
      return;
    }
  }
  ++limit_rounds_;
}

void TrackingRegistry::Deliver(Outbox& out) {
  for (Outgoing& message : out) {
    if (message.frame.empty()) continue;
    if (PubSubRegistry::AppendToRunningClient(message.client_id, message.frame)) continue;
    std::shared_ptr<ClientHandle> handle = message.handle != nullptr
                                               ? std::move(message.handle)
                                               : clients_registry_.Find(message.client_id);
    if (handle != nullptr) handle->Deliver(message.frame);
  }
  out.clear();
}

void TrackingRegistry::UpdateActiveLocked() {
  bool active = !table_.empty() || !prefixes_.empty() || !reading_.empty();
  if (active == active_.load(std::memory_order_relaxed)) return;
  if (active) ChangeWork(1);
  active_.store(active, std::memory_order_release);
  if (!active) ChangeWork(-1);
}

size_t TrackingRegistry::TotalKeys() const {
  std::lock_guard lock(mutex_);
  return table_.size();
}

size_t TrackingRegistry::TotalItems() const {
  std::lock_guard lock(mutex_);
  return total_items_;
}

size_t TrackingRegistry::TotalPrefixes() const {
  std::lock_guard lock(mutex_);
  return prefixes_.size();
}

}  // namespace respd::server
