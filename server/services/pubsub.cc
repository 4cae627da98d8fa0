// Pub/sub subscriptions and delivery.
#include "server/services/pubsub.h"

#include <algorithm>

#include "protocol/reply_writer.h"
#include "server/dispatch/client.h"
#include "storage/glob.h"

namespace respd::server {
namespace {

// The connection running commands on this thread, and its output.
thread_local uint64_t running_client_id = 0;
thread_local std::string* running_client_out = nullptr;

size_t KindIndex(PubSubRegistry::Kind kind) { return static_cast<size_t>(kind); }

// A message frame's bytes beyond its strings: the push header and a length line per string (each
// at most a type byte, 20 digits and CRLF), and a CRLF after each string.
constexpr size_t kFrameOverhead = 5 * 23 + 4 * 2;

}  // namespace

class PubSubRegistry::Frames {
 public:
  // `pattern` is empty for a message that matched a channel.
  Frames(std::string_view kind, std::optional<std::string_view> pattern, std::string_view channel,
         std::string_view message)
      : kind_(kind), pattern_(pattern), channel_(channel), message_(message) {}

  const std::string& For(protocol::RespVersion version) {
    std::string& frame = version == protocol::RespVersion::kResp3 ? resp3_ : resp2_;
    if (frame.empty()) {
      // Sized once: growing from empty reallocated three times, most of a PUBLISH's own cost.
      frame.reserve(kind_.size() + (pattern_ ? pattern_->size() : 0) + channel_.size() +
                    message_.size() + kFrameOverhead);
      protocol::ReplyWriter writer(&frame, version);
      writer.PushHeader(pattern_ ? 4 : 3);
      writer.Bulk(kind_);
      if (pattern_) writer.Bulk(*pattern_);
      writer.Bulk(channel_);
      writer.Bulk(message_);
    }
    return frame;
  }

 private:
  std::string_view kind_;
  std::optional<std::string_view> pattern_;
  std::string_view channel_;
  std::string_view message_;
  std::string resp2_;
  std::string resp3_;
};

PubSubMembership::~PubSubMembership() { registry_.UnsubscribeAll(client_); }

PubSubRegistry::PubSubRegistry(Config& config)
    : limit_option_(config.Get("client-output-buffer-limit")) {}

uint64_t PubSubRegistry::RunningClientId() { return running_client_out ? running_client_id : 0; }

bool PubSubRegistry::AppendToRunningClient(uint64_t client_id, std::string_view frame) {
  if (client_id != running_client_id || running_client_out == nullptr) return false;
  running_client_out->append(frame);
  return true;
}

PubSubRegistry::ScopedRunningClient::ScopedRunningClient(uint64_t client_id, std::string* out)
    : saved_id_(running_client_id), saved_out_(running_client_out) {
  running_client_id = client_id;
  running_client_out = out;
}

PubSubRegistry::ScopedRunningClient::~ScopedRunningClient() {
  running_client_id = saved_id_;
  running_client_out = saved_out_;
}

std::string* PubSubRegistry::ScopedRunningClient::OutputOf(uint64_t client_id) {
  return client_id == running_client_id ? running_client_out : nullptr;
}

int PubSubRegistry::Subscribe(ClientState& client, std::shared_ptr<ClientHandle> handle, Kind kind,
                              std::string_view name) {
  if (client.pubsub_membership == nullptr) {
    client.pubsub_membership = std::make_unique<PubSubMembership>(*this, client);
  }
  std::lock_guard lock(mutex_);
  auto [it, created] = subscribers_.try_emplace(client.id());
  Subscriber& subscriber = it->second;
  if (created) {
    subscriber.client = &client;
    subscriber.handle = std::move(handle);
  }
  auto [name_it, added] = subscriber.names[KindIndex(kind)].emplace(name);
  if (added) {
    total_subscriptions_.fetch_add(1, std::memory_order_relaxed);
    if (kind == Kind::kPattern) {
      auto pattern = std::find_if(patterns_.begin(), patterns_.end(),
                                  [&](const auto& entry) { return entry.first == name; });
      if (pattern == patterns_.end()) {
        patterns_.emplace_back(std::string(name), std::vector<Subscriber*>{});
        pattern = patterns_.end() - 1;
      }
      pattern->second.push_back(&subscriber);
    } else {
      ChannelMap& map = channels(kind == Kind::kShard);
      auto channel = map.find(name);
      if (channel == map.end()) channel = map.emplace(std::string(name), 0).first;
      channel->second.push_back(&subscriber);
    }
    PublishCount(client);
  }
  if (kind == Kind::kShard) return static_cast<int>(subscriber.names[KindIndex(kind)].size());
  return static_cast<int>(subscriber.names[KindIndex(Kind::kChannel)].size() +
                          subscriber.names[KindIndex(Kind::kPattern)].size());
}

int PubSubRegistry::Unsubscribe(ClientState& client, Kind kind, std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = subscribers_.find(client.id());
  if (it == subscribers_.end()) return 0;
  Subscriber& subscriber = it->second;
  auto& names = subscriber.names[KindIndex(kind)];
  if (auto name_it = names.find(name); name_it != names.end()) {
    RemoveLocked(&subscriber, kind, name);
    names.erase(name_it);
    total_subscriptions_.fetch_sub(1, std::memory_order_relaxed);
    PublishCount(client);
  }
  int count = kind == Kind::kShard
                  ? static_cast<int>(names.size())
                  : static_cast<int>(subscriber.names[0].size() + subscriber.names[1].size());
  bool any = false;
  for (const auto& set : subscriber.names) any = any || !set.empty();
  // The connection is kept only while it listens to something.
  if (!any) subscribers_.erase(it);
  return count;
}

std::vector<std::string> PubSubRegistry::SubscriptionsOf(const ClientState& client,
                                                         Kind kind) const {
  std::lock_guard lock(mutex_);
  auto it = subscribers_.find(client.id());
  if (it == subscribers_.end()) return {};
  const auto& names = it->second.names[KindIndex(kind)];
  return {names.begin(), names.end()};
}

void PubSubRegistry::UnsubscribeAll(ClientState& client) {
  std::lock_guard lock(mutex_);
  auto it = subscribers_.find(client.id());
  if (it == subscribers_.end()) return;
  Subscriber& subscriber = it->second;
  for (Kind kind : {Kind::kChannel, Kind::kPattern, Kind::kShard}) {
    auto& names = subscriber.names[KindIndex(kind)];
    for (const std::string& name : names) RemoveLocked(&subscriber, kind, name);
    total_subscriptions_.fetch_sub(names.size(), std::memory_order_relaxed);
    names.clear();
  }
  PublishCount(client);
  subscribers_.erase(it);
}

void PubSubRegistry::RemoveLocked(Subscriber* subscriber, Kind kind, std::string_view name) {
  auto remove_from = [&](std::vector<Subscriber*>& list) {
    list.erase(std::find(list.begin(), list.end(), subscriber));
    return list.empty();
  };
  if (kind == Kind::kPattern) {
    auto pattern = std::find_if(patterns_.begin(), patterns_.end(),
                                [&](const auto& entry) { return entry.first == name; });
    if (pattern != patterns_.end() && remove_from(pattern->second)) patterns_.erase(pattern);
    return;
  }
  ChannelMap& map = channels(kind == Kind::kShard);
  auto channel = map.find(name);
  if (channel != map.end() && remove_from(channel->second)) map.erase(channel);
}

void PubSubRegistry::PublishCount(ClientState& client) {
  auto it = subscribers_.find(client.id());
  auto count = [&](Kind kind) {
    return it == subscribers_.end() ? 0
                                    : static_cast<int>(it->second.names[KindIndex(kind)].size());
  };
  client.subscriptions.store(count(Kind::kChannel), std::memory_order_relaxed);
  client.pattern_subscriptions.store(count(Kind::kPattern), std::memory_order_relaxed);
  client.shard_subscriptions.store(count(Kind::kShard), std::memory_order_relaxed);
}

void PubSubRegistry::Send(const Subscriber& subscriber, Frames& frames) {
  const std::string& frame = frames.For(subscriber.client->resp);
  if (subscriber.client->id() == running_client_id && running_client_out != nullptr) {
    size_t start = running_client_out->size();
    running_client_out->append(frame);
    subscriber.client->KeepPush(*running_client_out, start);
  } else if (std::shared_ptr<ClientHandle> handle = subscriber.handle.lock()) {
    handle->Deliver(frame);
  }
}

int PubSubRegistry::Publish(std::string_view channel, std::string_view message, bool sharded) {
  if (total_subscriptions_.load(std::memory_order_relaxed) == 0) return 0;
  int receivers = 0;
  std::lock_guard lock(mutex_);
  const ChannelMap& map = channels(sharded);
  if (auto it = map.find(channel); it != map.end()) {
    Frames frames(sharded ? "smessage" : "message", std::nullopt, channel, message);
    for (const Subscriber* subscriber : it->second) Send(*subscriber, frames);
    receivers += static_cast<int>(it->second.size());
  }
  if (sharded) return receivers;
  for (const auto& [pattern, subscribers] : patterns_) {
    if (!storage::GlobMatch(pattern, channel)) continue;
    Frames frames("pmessage", pattern, channel, message);
    for (const Subscriber* subscriber : subscribers) Send(*subscriber, frames);
    receivers += static_cast<int>(subscribers.size());
  }
  return receivers;
}

std::vector<std::string> PubSubRegistry::Channels(bool sharded,
                                                  std::optional<std::string_view> pattern) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [channel, subscribers] : channels(sharded)) {
    if (!pattern || storage::GlobMatch(*pattern, channel)) out.push_back(channel);
  }
  return out;
}

int PubSubRegistry::Subscribers(std::string_view channel, bool sharded) const {
  std::lock_guard lock(mutex_);
  const ChannelMap& map = channels(sharded);
  auto it = map.find(channel);
  return it == map.end() ? 0 : static_cast<int>(it->second.size());
}

size_t PubSubRegistry::PatternCount() const {
  std::lock_guard lock(mutex_);
  return patterns_.size();
}

size_t PubSubRegistry::ChannelCount() const {
  std::lock_guard lock(mutex_);
  return channels_.size();
}

size_t PubSubRegistry::ShardChannelCount() const {
  std::lock_guard lock(mutex_);
  return shard_channels_.size();
}

OutputBufferLimit PubSubRegistry::output_limit() {
  uint64_t version = limit_option_.version();
  if (version != limit_version_.load(std::memory_order_acquire)) {
    std::lock_guard lock(limit_mutex_);
    OutputBufferLimit limit = PubsubOutputBufferLimit(limit_option_.text());
    hard_limit_.store(limit.hard_bytes, std::memory_order_relaxed);
    soft_limit_.store(limit.soft_bytes, std::memory_order_relaxed);
    soft_seconds_.store(limit.soft_seconds, std::memory_order_relaxed);
    limit_version_.store(version, std::memory_order_release);
  }
  return {hard_limit_.load(std::memory_order_relaxed), soft_limit_.load(std::memory_order_relaxed),
          soft_seconds_.load(std::memory_order_relaxed)};
}

}  // namespace respd::server
