#include "server/services/replication.h"

#include <algorithm>
#include <string_view>

#include "server/dispatch/client.h"

namespace respd::server {
ReplicaRegistry::ReplicaRegistry(Config& config, Propagator& propagator)
    : config_(config), propagator_(propagator) {
  propagator_.AddSink(this, kPropagateReplicas);
}

uint64_t ReplicaRegistry::Attach(ClientState& client, std::shared_ptr<ClientHandle> handle,
                                 std::string ip, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  client.replica = true;
  // The first PING comes a period after the first replica attached, not at once: Redis's test
  // suite sets a long period before it attaches and expects no PING in the stream.
  if (replicas_.empty()) last_ping_ms_ = now_ms;
  // Its lag counts from now, as Redis's from the moment a replica goes online.
  replicas_.push_back({client.id(), std::move(handle), std::move(ip), client.replica_listening_port,
                       /*acked_offset=*/0, /*last_ack_ms=*/now_ms});
  // Redis starts every new replica's stream with a SELECT: they all read one stream, so every
  // replica gets it.
  selected_db_ = -1;
  uint64_t start = offset_.load(std::memory_order_relaxed);
  if (backlog_start_.load(std::memory_order_relaxed) == 0) {
    backlog_start_.store(start + 1, std::memory_order_relaxed);
  }
  propagator_.SetTargetOn(kPropagateReplicas, true);
  return start;
}

void ReplicaRegistry::Detach(const ClientState& client) {
  if (!client.replica) return;
  std::lock_guard lock(mutex_);
  std::erase_if(replicas_,
                [&](const Replica& replica) { return replica.client_id == client.id(); });
  if (replicas_.empty()) propagator_.SetTargetOn(kPropagateReplicas, false);
}

void ReplicaRegistry::Acknowledge(const ClientState& client, uint64_t offset, int64_t now_ms) {
  {
    std::lock_guard lock(mutex_);
    for (Replica& replica : replicas_) {
      if (replica.client_id != client.id()) continue;
      replica.acked_offset = std::max(replica.acked_offset, offset);
      replica.last_ack_ms = now_ms;
    }
  }
  if (acknowledgement_listener_) acknowledgement_listener_();
}

int64_t ReplicaRegistry::CountAcknowledged(uint64_t offset) const {
  std::lock_guard lock(mutex_);
  return std::count_if(replicas_.begin(), replicas_.end(),
                       [&](const Replica& replica) { return replica.acked_offset >= offset; });
}

int64_t ReplicaRegistry::CountGood(int64_t max_lag_s, int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  return std::count_if(replicas_.begin(), replicas_.end(), [&](const Replica& replica) {
    return now_ms / 1000 - replica.last_ack_ms / 1000 <= max_lag_s;
  });
}

void ReplicaRegistry::RequestAcknowledgements() {
  propagator_.Also(-1, {"REPLCONF", "GETACK", "*"}, kPropagateReplicas);
}

void ReplicaRegistry::Feed(std::span<const PropagatedCommand* const> unit) {
  std::string bytes;
  std::lock_guard lock(mutex_);
  if (replicas_.empty()) return;
  AppendUnit(&bytes, unit, &selected_db_);
  offset_.fetch_add(bytes.size(), std::memory_order_relaxed);
  for (const Replica& replica : replicas_) {
    if (std::shared_ptr<ClientHandle> handle = replica.handle.lock()) handle->Deliver(bytes);
  }
}

void ReplicaRegistry::Cron(int64_t now_ms) {
  {
    std::lock_guard lock(mutex_);
    if (replicas_.empty()) return;
    int64_t period_ms = config_.Get("repl-ping-replica-period").number() * 1000;
    if (now_ms - last_ping_ms_ < period_ms) return;
    last_ping_ms_ = now_ms;
  }
  // Through the propagator, so the PING takes its place between units.
  propagator_.Also(-1, {"PING"}, kPropagateReplicas);
}

std::vector<ReplicaRegistry::ReplicaInfo> ReplicaRegistry::Replicas() const {
  std::lock_guard lock(mutex_);
  std::vector<ReplicaInfo> out;
  for (const Replica& replica : replicas_) {
    out.push_back({replica.ip, replica.port, replica.acked_offset, replica.last_ack_ms});
  }
  return out;
}

}  // namespace respd::server
