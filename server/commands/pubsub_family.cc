// Pub/sub commands: SUBSCRIBE and friends, PUBLISH, SPUBLISH and PUBSUB introspection. The
// subscriptions and the delivery are server/services/pubsub's; a handler writes the confirmations
// in Redis's shape (a RESP2 array or a RESP3 push per channel).
#include <optional>

#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

using Kind = PubSubRegistry::Kind;

// The confirmation of one (un)subscription: [kind, name or nil, count].
void ReplyConfirmation(CommandContext& ctx, std::string_view kind,
                       std::optional<std::string_view> name, int count) {
  size_t start = ctx.reply.buffer()->size();
  ctx.reply.PushHeader(3);
  ctx.reply.Bulk(kind);
  if (name) {
    ctx.reply.Bulk(*name);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Integer(count);
  ctx.client.KeepPush(*ctx.reply.buffer(), start);
}

void Subscribe(CommandContext& ctx, Kind kind, std::string_view confirmation) {
  std::shared_ptr<ClientHandle> handle = ctx.server.clients.Find(ctx.client.id());
  for (std::string_view name : ctx.args.subspan(1)) {
    ReplyConfirmation(ctx, confirmation, name,
                      ctx.server.pubsub.Subscribe(ctx.client, handle, kind, name));
  }
}

void Unsubscribe(CommandContext& ctx, Kind kind, std::string_view confirmation) {
  PubSubRegistry& pubsub = ctx.server.pubsub;
  if (ctx.args.size() > 1) {
    for (std::string_view name : ctx.args.subspan(1)) {
      ReplyConfirmation(ctx, confirmation, name, pubsub.Unsubscribe(ctx.client, kind, name));
    }
    return;
  }
  std::vector<std::string> names = pubsub.SubscriptionsOf(ctx.client, kind);
  // Subscribed to nothing: Redis still confirms, with a nil name.
  if (names.empty()) {
    int count = kind == Kind::kShard
                    ? ctx.client.shard_subscriptions.load(std::memory_order_relaxed)
                    : ctx.client.subscriptions.load(std::memory_order_relaxed) +
                          ctx.client.pattern_subscriptions.load(std::memory_order_relaxed);
    ReplyConfirmation(ctx, confirmation, std::nullopt, count);
    return;
  }
  for (const std::string& name : names) {
    ReplyConfirmation(ctx, confirmation, name, pubsub.Unsubscribe(ctx.client, kind, name));
  }
}

// SUBSCRIBE channel [channel ...]
void CmdSubscribe(CommandContext& ctx) { Subscribe(ctx, Kind::kChannel, "subscribe"); }

// PSUBSCRIBE pattern [pattern ...]
void CmdPsubscribe(CommandContext& ctx) { Subscribe(ctx, Kind::kPattern, "psubscribe"); }

// SSUBSCRIBE shardchannel [shardchannel ...]
void CmdSsubscribe(CommandContext& ctx) {
  // Unlike SUBSCRIBE, Redis 7.0 refuses it inside EXEC, whose client may not block.
  if (ctx.mode != ExecutionMode::kNormal) {
    ctx.reply.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    return;
  }
  Subscribe(ctx, Kind::kShard, "ssubscribe");
}

// UNSUBSCRIBE [channel ...]
void CmdUnsubscribe(CommandContext& ctx) { Unsubscribe(ctx, Kind::kChannel, "unsubscribe"); }

// PUNSUBSCRIBE [pattern ...]
void CmdPunsubscribe(CommandContext& ctx) { Unsubscribe(ctx, Kind::kPattern, "punsubscribe"); }

// SUNSUBSCRIBE [shardchannel ...]
void CmdSunsubscribe(CommandContext& ctx) { Unsubscribe(ctx, Kind::kShard, "sunsubscribe"); }

// Both publishes reach a replica's subscribers too (Redis forces them to replicas, not to the AOF),
// except on a cluster node, where Redis sends them over the cluster bus instead.
void PropagatePublish(CommandContext& ctx) {
  if (!ctx.server.cluster.enabled()) ctx.ForcePropagation(kPropagateReplicas);
}

// PUBLISH channel message
void CmdPublish(CommandContext& ctx) {
  ctx.reply.Integer(ctx.server.pubsub.Publish(ctx.args[1], ctx.args[2], /*sharded=*/false));
  PropagatePublish(ctx);
}

// SPUBLISH shardchannel message
void CmdSpublish(CommandContext& ctx) {
  ctx.reply.Integer(ctx.server.pubsub.Publish(ctx.args[1], ctx.args[2], /*sharded=*/true));
  PropagatePublish(ctx);
}

void ReplyChannels(CommandContext& ctx, bool sharded) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(SubcommandSyntaxError(ctx.args[0], ctx.args[1]));
    return;
  }
  std::optional<std::string_view> pattern;
  if (ctx.args.size() == 3) pattern = ctx.args[2];
  std::vector<std::string> channels = ctx.server.pubsub.Channels(sharded, pattern);
  ctx.reply.ArrayHeader(channels.size());
  for (const std::string& channel : channels) ctx.reply.Bulk(channel);
}

void ReplyNumsub(CommandContext& ctx, bool sharded) {
  // Redis answers a flat array, a map in no protocol.
  ctx.reply.ArrayHeader((ctx.args.size() - 2) * 2);
  for (std::string_view channel : ctx.args.subspan(2)) {
    ctx.reply.Bulk(channel);
    ctx.reply.Integer(ctx.server.pubsub.Subscribers(channel, sharded));
  }
}

// PUBSUB CHANNELS [pattern]
void CmdPubsubChannels(CommandContext& ctx) { ReplyChannels(ctx, /*sharded=*/false); }

// PUBSUB SHARDCHANNELS [pattern]
void CmdPubsubShardchannels(CommandContext& ctx) { ReplyChannels(ctx, /*sharded=*/true); }

// PUBSUB NUMSUB [channel ...]
void CmdPubsubNumsub(CommandContext& ctx) { ReplyNumsub(ctx, /*sharded=*/false); }

// PUBSUB SHARDNUMSUB [shardchannel ...]
void CmdPubsubShardnumsub(CommandContext& ctx) { ReplyNumsub(ctx, /*sharded=*/true); }

// PUBSUB NUMPAT
void CmdPubsubNumpat(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.pubsub.PatternCount()));
}

// PUBSUB HELP
void CmdPubsubHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

constexpr uint32_t kIntrospection = kPubsub | kLoading | kStale;

constexpr CommandSpec kPubsubSubcommands[] = {
    {.name = "channels",
     .arity = -2,
     .flags = kIntrospection,
     .handler = CmdPubsubChannels},
    {.name = "numsub",
     .arity = -2,
     .flags = kIntrospection,
     .handler = CmdPubsubNumsub},
    {.name = "numpat",
     .arity = 2,
     .flags = kIntrospection,
     .handler = CmdPubsubNumpat},
    {.name = "shardchannels",
     .arity = -2,
     .flags = kIntrospection,
     .handler = CmdPubsubShardchannels},
    {.name = "shardnumsub",
     .arity = -2,
     .flags = kIntrospection,
     .handler = CmdPubsubShardnumsub},
    {.name = "help",
     .arity = 2,
     .flags = kLoading | kStale,
     .handler = CmdPubsubHelp},
};

constexpr uint32_t kSubscription = kPubsub | kNoscript | kLoading | kStale;

constexpr CommandSpec kRows[] = {
    {.name = "subscribe",
     .arity = -2,
     .flags = kSubscription,
     .handler = CmdSubscribe},
    {.name = "unsubscribe",
     .arity = -1,
     .flags = kSubscription,
     .handler = CmdUnsubscribe},
    {.name = "psubscribe",
     .arity = -2,
     .flags = kSubscription,
     .handler = CmdPsubscribe},
    {.name = "punsubscribe",
     .arity = -1,
     .flags = kSubscription,
     .handler = CmdPunsubscribe},
    {.name = "publish",
     .arity = 3,
     .flags = kPubsub | kLoading | kStale | kFast | kMayReplicate,
     .handler = CmdPublish},
    // Shard channels sit where keys do (Redis's key specs, flagged not_key): the dispatcher takes
    // their shard locks, which costs nothing and keeps COMMAND INFO Redis's.
    {.name = "ssubscribe",
     .arity = -2,
     .flags = kSubscription,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdSsubscribe},
    {.name = "sunsubscribe",
     .arity = -1,
     .flags = kSubscription,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = CmdSunsubscribe},
    {.name = "spublish",
     .arity = 3,
     .flags = kPubsub | kLoading | kStale | kFast | kMayReplicate,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdSpublish},
    {.name = "pubsub",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kPubsubSubcommands},
};

}  // namespace

void RegisterPubSubFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
