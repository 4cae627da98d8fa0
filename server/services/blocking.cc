// Blocked clients: registration, serving in FIFO order, timeouts and CLIENT UNBLOCK (see
// blocking.h).
#include "server/services/blocking.h"

#include <algorithm>
#include <limits>

#include "protocol/reply_writer.h"
#include "server/dispatch/client.h"
#include "server/dispatch/command.h"
#include "server/dispatch/dispatcher.h"
#include "server/dispatch/server_context.h"
#include "server/services/pubsub.h"

namespace respd::server {
namespace {

constexpr std::string_view kErrUnblocked = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

// The latest Clock time in milliseconds: the Clock counts microseconds in 64 bits.
constexpr int64_t kLatestClockMs = std::numeric_limits<int64_t>::max() / 1000;

// The Clock time a wait of `timeout_ms` from `now_ms` ends at; 0 (never) for no timeout and for a
// timeout the Clock can never reach (Redis accepts up to ~9.2e15 s and never fires those).
int64_t DeadlineMs(int64_t now_ms, int64_t timeout_ms) {
  if (timeout_ms <= 0 || timeout_ms > kLatestClockMs - now_ms) return 0;
  return now_ms + timeout_ms;
}

}  // namespace

thread_local std::vector<BlockingRegistry::DbKey> BlockingRegistry::ready_keys_;

bool BlockingRegistry::Block(CommandContext& ctx, std::span<const std::string_view> keys,
                             int64_t timeout_ms) {
  if (ctx.retry_key) {
    // A re-run that still finds nothing: the waiter keeps its place. The key is still there (under
    // this command's locks) but of a type this waiter does not pop: the waiters behind it may
    // still be served from it.
    bool passed_over = ctx.db().Peek(*ctx.retry_key) != nullptr;
    std::lock_guard lock(mutex_);
    // Being served, the waiter stays registered until ServeKey is done with it.
    Waiter* waiter = by_client_.at(ctx.client.id()).get();
    waiter->reblocked = true;
    waiter->passed_over = passed_over;
    return true;
  }
  auto waiter = std::make_unique<Waiter>();
  for (std::string_view key : keys) {
    if (std::find(waiter->keys.begin(), waiter->keys.end(), key) == waiter->keys.end()) {
      waiter->keys.emplace_back(key);
    }
  }
  return Park(ctx, std::move(waiter), timeout_ms);
}

bool BlockingRegistry::BlockForReplicas(CommandContext& ctx, int64_t timeout_ms, uint64_t offset,
                                        int64_t replicas) {
  auto waiter = std::make_unique<Waiter>();
  waiter->for_replicas = true;
  waiter->replica_offset = offset;
  waiter->replicas_wanted = replicas;
  return Park(ctx, std::move(waiter), timeout_ms);
}

void BlockingRegistry::ReplicasAcknowledged() {
  std::vector<std::pair<std::shared_ptr<ClientHandle>, std::string>> answers;
  {
    std::lock_guard lock(mutex_);
    std::vector<Waiter*> satisfied;
    for (const auto& [id, waiter] : by_client_) {
      if (!waiter->for_replicas || waiter->serving) continue;
      if (count_replicas_(waiter->replica_offset) >= waiter->replicas_wanted) {
        satisfied.push_back(waiter.get());
      }
    }
    for (Waiter* waiter : satisfied) {
      answers.emplace_back(waiter->handle, CancelReply(*waiter, Cancelled::kTimeout));
      RemoveLocked(waiter);
    }
  }
  for (auto& [handle, reply] : answers) handle->Resume(std::move(reply), /*failed=*/false);
}

bool BlockingRegistry::Park(CommandContext& ctx, std::unique_ptr<Waiter> waiter,
                            int64_t timeout_ms) {
  std::shared_ptr<ClientHandle> handle = ctx.server.clients.Find(ctx.client.id());
  if (handle == nullptr) return false;
  waiter->handle = std::move(handle);
  waiter->client = &ctx.client;
  waiter->spec = &ctx.spec;
  waiter->args.assign(ctx.args.begin(), ctx.args.end());
  waiter->db = ctx.client.db_index;
  ctx.client.blocked = true;
  ctx.client.block_deadline_ms = DeadlineMs(ctx.server.clock.NowMs(), timeout_ms);
  std::lock_guard lock(mutex_);
  for (const std::string& key : waiter->keys) {
    queues_[DbKey{waiter->db, key}].push_back(waiter.get());
  }
  by_client_[ctx.client.id()] = std::move(waiter);
  ChangeWork(1);
  waiting_.fetch_add(1, std::memory_order_relaxed);
  blocked_clients_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void BlockingRegistry::RemoveLocked(Waiter* waiter) {
  for (const std::string& key : waiter->keys) {
    auto it = queues_.find(DbKey{waiter->db, key});
    if (it == queues_.end()) continue;
    std::erase(it->second, waiter);
    if (it->second.empty()) queues_.erase(it);
  }
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  ChangeWork(-1);
  blocked_clients_.fetch_sub(1, std::memory_order_relaxed);
  by_client_.erase(waiter->client->id());
}

std::string BlockingRegistry::CancelReply(const Waiter& waiter, Cancelled how) const {
  std::string out;
  protocol::ReplyWriter writer(&out, waiter.client->resp);
  if (how == Cancelled::kUnblockError) {
    writer.Error(kErrUnblocked);
  } else if (waiter.for_replicas) {
    writer.Integer(count_replicas_ ? count_replicas_(waiter.replica_offset) : 0);
  } else {
    writer.NullArray();
  }
  return out;
}

std::optional<std::string> BlockingRegistry::Cancel(uint64_t client_id, bool disconnected) {
  std::lock_guard lock(mutex_);
  auto it = by_client_.find(client_id);
  if (it == by_client_.end()) return std::nullopt;
  Waiter* waiter = it->second.get();
  if (waiter->serving) {
    if (disconnected) {
      waiter->cancelled = Cancelled::kGone;
    } else if (waiter->cancelled == Cancelled::kNo) {
      waiter->cancelled = Cancelled::kTimeout;
    }
    return std::nullopt;
  }
  std::string reply = CancelReply(*waiter, Cancelled::kTimeout);
  RemoveLocked(waiter);
  return reply;
}

bool BlockingRegistry::Unblock(uint64_t client_id, bool with_error) {
  Cancelled how = with_error ? Cancelled::kUnblockError : Cancelled::kUnblockTimeout;
  std::shared_ptr<ClientHandle> handle;
  std::string reply;
  {
    std::lock_guard lock(mutex_);
    auto it = by_client_.find(client_id);
    if (it == by_client_.end()) return false;
    Waiter* waiter = it->second.get();
    if (waiter->serving) {
      if (waiter->cancelled == Cancelled::kNo) waiter->cancelled = how;
      return true;
    }
    reply = CancelReply(*waiter, how);
    handle = waiter->handle;
    RemoveLocked(waiter);
  }
  // Redis 7.0 counts a call CLIENT UNBLOCK ends as failed, whatever it answers.
  handle->Resume(std::move(reply), /*failed=*/true);
  return true;
}

void BlockingRegistry::OnKeyReady(int db, std::string_view key) {
  if (waiting_.load(std::memory_order_relaxed) == 0) return;
  DbKey ready{db, std::string(key)};
  {
    std::lock_guard lock(mutex_);
    if (!queues_.contains(ready)) return;
  }
  auto same = [&](const DbKey& k) { return k.db == db && k.key == key; };
  if (std::none_of(ready_keys_.begin(), ready_keys_.end(), same)) {
    ready_keys_.push_back(std::move(ready));
  }
}

void BlockingRegistry::OnKeyModified(int db, std::string_view key) {
  if (waiting_.load(std::memory_order_relaxed) == 0) return;
  DbKey modified{db, std::string(key)};
  {
    std::lock_guard lock(mutex_);
    auto it = queues_.find(modified);
    if (it == queues_.end()) return;
    auto group_reader = [](const Waiter* w) { return w->spec->name == "xreadgroup"; };
    if (std::none_of(it->second.begin(), it->second.end(), group_reader)) return;
  }
  auto same = [&](const DbKey& k) { return k.db == db && k.key == key; };
  if (std::none_of(ready_keys_.begin(), ready_keys_.end(), same)) {
    ready_keys_.push_back(std::move(modified));
  }
}

void BlockingRegistry::OnDbModified(int db) {
  if (waiting_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mutex_);
  for (const auto& [db_key, queue] : queues_) {
    if (db_key.db == db) ready_keys_.push_back(db_key);
  }
}

void BlockingRegistry::ServeReady(Dispatcher& dispatcher) {
  while (!ready_keys_.empty()) {
    std::vector<DbKey> batch;
    batch.swap(ready_keys_);
    for (const DbKey& ready : batch) ServeKey(dispatcher, ready);
  }
}

void BlockingRegistry::ServeKey(Dispatcher& dispatcher, const DbKey& ready) {
  std::vector<uint64_t> passed_over;  // client ids
  auto was_passed_over = [&](const Waiter* w) {
    return std::find(passed_over.begin(), passed_over.end(), w->client->id()) != passed_over.end();
  };
  for (;;) {
    Waiter* waiter = nullptr;
    {
      std::lock_guard lock(mutex_);
      auto it = queues_.find(ready);
      if (it == queues_.end()) return;
      // A waiter another thread is serving right now is passed over, not waited for.
      for (Waiter* candidate : it->second) {
        if (!candidate->serving && !was_passed_over(candidate)) {
          waiter = candidate;
          break;
        }
      }
      if (waiter == nullptr) return;
      waiter->serving = true;
      waiter->reblocked = false;
      waiter->passed_over = false;
    }
    // The waiter is ours until `serving` is cleared: its own thread runs no command while blocked.
    std::vector<std::string_view> args(waiter->args.begin(), waiter->args.end());
    std::string out;
    protocol::ReplyWriter writer(&out, waiter->client->resp);
    {
      // The re-run is the waiter's command: what it sends to itself (a tracking invalidation of a
      // key its BLMOVE wrote) follows its reply, as Redis 7.0 serves it as the current client.
      PubSubRegistry::ScopedRunningClient running(waiter->client->id(), &out);
      dispatcher.RetryBlocked(*waiter->spec, args, *waiter->client, writer, ready.key);
    }

    std::shared_ptr<ClientHandle> handle;
    bool failed = false;
    {
      std::lock_guard lock(mutex_);
      waiter->serving = false;
      if (waiter->reblocked && waiter->cancelled == Cancelled::kNo) {
        if (!waiter->passed_over) return;
        passed_over.push_back(waiter->client->id());
        continue;
      }
      if (waiter->reblocked) out = CancelReply(*waiter, waiter->cancelled);
      // An error, or CLIENT UNBLOCK while being served, fails the call; a timeout does not.
      failed = out.starts_with('-') ||
               (waiter->reblocked && waiter->cancelled != Cancelled::kTimeout);
      if (waiter->cancelled != Cancelled::kGone) handle = waiter->handle;
      RemoveLocked(waiter);
    }
    if (handle != nullptr) handle->Resume(std::move(out), failed);
  }
}

}  // namespace respd::server
