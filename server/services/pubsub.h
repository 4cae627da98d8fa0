// Pub/sub: which clients listen on which channels, patterns and shard channels, and delivery of
// published messages (PUBLISH, SPUBLISH, keyspace notifications) to them.
//
// A message is encoded once per protocol (RESP2 array, RESP3 push) and handed to each subscriber's
// connection with ClientHandle::Deliver, which queues it for the subscriber's own thread: the
// publisher never waits for a subscriber, and one publisher's messages reach each subscriber in
// the order published. A message to the client that is running the command on this thread (a
// RESP3 client publishing on a channel it listens to, or changing a key whose notifications it
// subscribed to) goes straight into that client's output, before the command's reply, as in
// Redis.
//
// Lock order: shard locks (notifications are published under them), then this registry's mutex,
// then a connection's mailbox; never the other way round.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/config/config.h"

namespace respd::server {

class ClientHandle;
class ClientState;
class PubSubRegistry;

// Unsubscribes its client from everything when the client goes.
class PubSubMembership {
 public:
  PubSubMembership(PubSubRegistry& registry, ClientState& client)
      : registry_(registry), client_(client) {}
  ~PubSubMembership();
  PubSubMembership(const PubSubMembership&) = delete;
  PubSubMembership& operator=(const PubSubMembership&) = delete;

 private:
  PubSubRegistry& registry_;
  ClientState& client_;
};

class PubSubRegistry {
 public:
  enum class Kind : uint8_t { kChannel, kPattern, kShard };

  explicit PubSubRegistry(Config& config);
  PubSubRegistry(const PubSubRegistry&) = delete;
  PubSubRegistry& operator=(const PubSubRegistry&) = delete;

  // Subscribes `client` to `name` (a no-op if it already is). `handle` reaches its connection; it
  // may be null for a client without one (in-process tests), which then only gets the messages
  // of its own commands. Returns Redis's count for the confirmation: the client's channels plus
  // patterns, or its shard channels.
  int Subscribe(ClientState& client, std::shared_ptr<ClientHandle> handle, Kind kind,
                std::string_view name);
  // Unsubscribes `client` from `name` (a no-op if it was not); returns the count as Subscribe.
  int Unsubscribe(ClientState& client, Kind kind, std::string_view name);
  // What `client` is subscribed to of `kind`, for UNSUBSCRIBE without arguments.
  std::vector<std::string> SubscriptionsOf(const ClientState& client, Kind kind) const;
  // Forgets every subscription of `client` without telling it (disconnect, RESET).
  void UnsubscribeAll(ClientState& client);

  // Sends `message` to the subscribers of `channel` and, unless `sharded`, of the patterns
  // matching it; returns how many received it (Redis's PUBLISH reply).
  int Publish(std::string_view channel, std::string_view message, bool sharded);

  // False while nobody subscribes to anything: a publisher may skip encoding its message.
  bool HasSubscriptions() const { return total_subscriptions_.load(std::memory_order_relaxed) > 0; }

  // PUBSUB CHANNELS / SHARDCHANNELS: the channels with subscribers, those matching `pattern` if
  // given.
  std::vector<std::string> Channels(bool sharded, std::optional<std::string_view> pattern) const;
  // PUBSUB NUMSUB / SHARDNUMSUB of one channel.
  int Subscribers(std::string_view channel, bool sharded) const;
  // PUBSUB NUMPAT and INFO's pubsub_channels / pubsub_patterns.
  size_t PatternCount() const;
  size_t ChannelCount() const;
  // INFO's pubsubshard_channels.
  size_t ShardChannelCount() const;

  // client-output-buffer-limit's pubsub class, as configured now.
  OutputBufferLimit output_limit();

  // The client whose connection runs commands on this thread now (0: none, e.g. the expiry cron).
  static uint64_t RunningClientId();
  // Appends `frame` to the output of that client if it is `client_id`; false otherwise.
  static bool AppendToRunningClient(uint64_t client_id, std::string_view frame);

  // While a connection runs its commands on this thread, messages for it go into `out`.
  class ScopedRunningClient {
   public:
    ScopedRunningClient(uint64_t client_id, std::string* out);
    ~ScopedRunningClient();
    ScopedRunningClient(const ScopedRunningClient&) = delete;
    ScopedRunningClient& operator=(const ScopedRunningClient&) = delete;

    // The output of client `client_id` if it is the one running commands on this thread, else null
    // (MONITOR's lines for a monitor's own commands go there too).
    static std::string* OutputOf(uint64_t client_id);

   private:
    uint64_t saved_id_;
    std::string* saved_out_;
  };

 private:
  struct Subscriber {
    ClientState* client;
    // Not owned: a connection lives as long as its socket, whatever it subscribed to.
    std::weak_ptr<ClientHandle> handle;
    std::set<std::string, std::less<>> names[3];  // by Kind
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using ChannelMap =
      std::unordered_map<std::string, std::vector<Subscriber*>, StringHash, std::equal_to<>>;
  // One message encoded for each protocol, built on first use.
  class Frames;

  ChannelMap& channels(bool sharded) { return sharded ? shard_channels_ : channels_; }
  const ChannelMap& channels(bool sharded) const { return sharded ? shard_channels_ : channels_; }
  // Removes `name` of `kind` from `subscriber`'s entries in the server-side maps (under mutex_).
  void RemoveLocked(Subscriber* subscriber, Kind kind, std::string_view name);
  void PublishCount(ClientState& client);
  static void Send(const Subscriber& subscriber, Frames& frames);

  Option& limit_option_;
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, Subscriber> subscribers_;  // by client id
  ChannelMap channels_;
  ChannelMap shard_channels_;
  // Patterns in the order first subscribed, each with its subscribers in subscription order.
  std::vector<std::pair<std::string, std::vector<Subscriber*>>> patterns_;
  // Subscriptions of any kind: PUBLISH with nobody listening takes no lock.
  std::atomic<size_t> total_subscriptions_{0};

  std::mutex limit_mutex_;
  std::atomic<uint64_t> limit_version_{UINT64_MAX};
  std::atomic<uint64_t> hard_limit_{0};
  std::atomic<uint64_t> soft_limit_{0};
  std::atomic<int64_t> soft_seconds_{0};
};

}  // namespace respd::server
