// The master side of Redis's replication: clients that attached with SYNC or PSYNC (a
// redis-server replica, `redis-cli --replica`, Redis's test suite reading the stream) get the
// dataset as an RDB payload and then every propagated command (server/services/propagation.h), as
// replicationFeedSlaves writes them: RESP arrays, a SELECT whenever the database differs from the
// last one the stream named (and first after a replica attaches), and a PING every
// repl-ping-replica-period seconds so replicas see the link alive.
//
// respd always answers a PSYNC with a full resynchronisation (+FULLRESYNC): it keeps no backlog
// to continue from. The stream's offset (master_repl_offset) counts its bytes as Redis's does.
//
// A replica's bytes are queued for its own connection thread like pub/sub messages
// (ClientHandle::Deliver). Feed runs under the propagator's mutex, in propagation order; Attach
// runs with every shard lock held, so the payload is the dataset just before the first unit the
// replica is fed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "server/config/config.h"
#include "server/services/propagation.h"

namespace respd::server {

class ClientHandle;
class ClientState;

class ReplicaRegistry final : public PropagationSink {
 public:
  ReplicaRegistry(Config& config, Propagator& propagator);

  // `client` becomes a replica fed from now on; returns the stream offset it starts at. Call with
  // every shard lock held.
  uint64_t Attach(ClientState& client, std::shared_ptr<ClientHandle> handle, std::string ip,
                  int64_t now_ms);
  // `client` stops being fed (disconnect); a no-op if it is not a replica.
  void Detach(const ClientState& client);
  // REPLCONF ACK <offset> from a replica; then the acknowledgement listener is called.
  void Acknowledge(const ClientState& client, uint64_t offset, int64_t now_ms);
  // At start-up: told of every acknowledgement (WAIT's waiters).
  void SetAcknowledgementListener(std::function<void()> listener) {
    acknowledgement_listener_ = std::move(listener);
  }
  // Redis's replicationCountAcksByOffset: the replicas that acknowledged `offset` or later.
  int64_t CountAcknowledged(uint64_t offset) const;
  // Redis's refreshGoodSlavesCount: the replicas whose last acknowledgement is at most
  // `max_lag_s` seconds old (min-replicas-max-lag).
  int64_t CountGood(int64_t max_lag_s, int64_t now_ms) const;
  // Redis's replicationRequestAckFromSlaves: REPLCONF GETACK * into the stream.
  void RequestAcknowledgements();

  void Feed(std::span<const PropagatedCommand* const> unit) override;
  // The replication cron: a PING into the stream every repl-ping-replica-period seconds.
  void Cron(int64_t now_ms);

  struct ReplicaInfo {
    std::string ip;
    int port;
    uint64_t acked_offset;
    int64_t last_ack_ms;
  };
  std::vector<ReplicaInfo> Replicas() const;
  uint64_t offset() const { return offset_.load(std::memory_order_relaxed); }
  // The offset the stream had when its first replica attached (repl_backlog_first_byte_offset
  // less one), or nothing before any did.
  bool backlog_active() const { return backlog_start_.load(std::memory_order_relaxed) != 0; }
  uint64_t backlog_first_byte() const { return backlog_start_.load(std::memory_order_relaxed); }

 private:
  struct Replica {
    uint64_t client_id;
    std::weak_ptr<ClientHandle> handle;
    std::string ip;
    int port;
    uint64_t acked_offset = 0;
    int64_t last_ack_ms = 0;
  };

  Config& config_;
  Propagator& propagator_;
  mutable std::mutex mutex_;
  std::vector<Replica> replicas_;
  int selected_db_ = -1;  // -1: the next command is preceded by a SELECT
  std::atomic<uint64_t> offset_{0};
  std::atomic<uint64_t> backlog_start_{0};
  int64_t last_ping_ms_ = 0;
  std::function<void()> acknowledgement_listener_;
};

}  // namespace respd::server
