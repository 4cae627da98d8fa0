// Stream commands: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID XREAD XREADGROUP, and the helpers
// the other stream files share (stream_family_common.h).
#include <string>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/commands/handler_support.h"
#include "server/commands/stream_family_common.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "server/services/aof.h"
#include "server/services/blocking.h"
#include "storage/clock.h"
#include "storage/numbers.h"

namespace respd::server {

using storage::OpStatus;
using storage::Stream;
using storage::StreamEntryRef;
using storage::StreamError;
using storage::StreamId;
using storage::StreamTrim;

std::optional<StreamId> ParseStreamIdOrReply(CommandContext& ctx, std::string_view arg,
                                             uint64_t missing_seq, bool strict) {
  auto id = storage::ParseStreamId(arg, missing_seq, strict);
  if (!id) ctx.reply.Error(kErrInvalidStreamId);
  return id;
}

StreamId StreamIdArg(ArgParser& parser, std::string_view arg, uint64_t missing_seq, bool strict) {
  if (parser.failed()) return {};
  auto id = storage::ParseStreamId(arg, missing_seq, strict);
  parser.FailUnless(id.has_value(), kErrInvalidStreamId);
  return id.value_or(StreamId{});
}

StreamId RangeBoundArg(ArgParser& parser, std::string_view arg, bool is_start) {
  bool exclusive = arg.size() > 1 && arg[0] == '(';
  StreamId id =
      StreamIdArg(parser, exclusive ? arg.substr(1) : arg, is_start ? 0 : UINT64_MAX, exclusive);
  if (exclusive && !parser.failed() && !(is_start ? id.Incr() : id.Decr())) {
    parser.Fail(is_start ? "ERR invalid start ID for the interval"
                         : "ERR invalid end ID for the interval");
  }
  return id;
}

void ReplyStreamId(CommandContext& ctx, StreamId id) { ctx.reply.Bulk(id.ToString()); }

void ReplyEntry(CommandContext& ctx, const StreamEntryRef& entry) {
  ctx.reply.ArrayHeader(2);
  ReplyStreamId(ctx, entry.id);
  if (!entry.found()) return ctx.reply.NullArray();
  ctx.reply.ArrayHeader(entry.size());
  entry.ForEach([&](std::string_view s) { ctx.reply.Bulk(s); });
}

void ReplyEntries(CommandContext& ctx, std::span<const StreamEntryRef> entries) {
  ctx.reply.ArrayHeader(entries.size());
  for (const StreamEntryRef& entry : entries) ReplyEntry(ctx, entry);
}

storage::StreamNodeLimits NodeLimits(const CommandContext& ctx) {
  static const size_t kBytes = OptionIndex("stream-node-max-bytes");
  static const size_t kEntries = OptionIndex("stream-node-max-entries");
  const auto& options = ctx.server.config.options();
  return {static_cast<uint64_t>(options[kBytes]->number()), options[kEntries]->number()};
}

std::vector<std::string> XclaimPropagation(std::string_view key, std::string_view group_name,
                                           std::string_view id, std::string_view consumer,
                                           int64_t delivery_time, uint64_t delivery_count,
                                           StreamId group_last_id) {
  return {"XCLAIM",
          std::string(key),
          std::string(group_name),
          std::string(consumer),
          "0",
          std::string(id),
          "TIME",
          std::to_string(delivery_time),
          "RETRYCOUNT",
          std::to_string(delivery_count),
          "FORCE",
          "JUSTID",
          "LASTID",
          group_last_id.ToString()};
}

std::vector<std::string> GroupIdPropagation(std::string_view key, std::string_view group_name,
                                            const storage::StreamGroup& group) {
  return {"XGROUP",
          "SETID",
          std::string(key),
          std::string(group_name),
          group.last_id.ToString(),
          "ENTRIESREAD",
          std::to_string(group.entries_read)};
}

std::string NoGroupError(std::string_view key, std::string_view group, std::string_view suffix) {
  std::string out = "NOGROUP No such key '";
  out += AsCString(key);
  out += "' or consumer group '";
  out += AsCString(group);
  out += "'";
  out += suffix;
  return out;
}

namespace {

// Redis's default LIMIT for `~` trimming is 100 nodes' worth of entries.
constexpr int64_t kApproxLimitNodes = 100;
constexpr int64_t kApproxLimitFallback = 10000;
constexpr int64_t kApproxLimitMax = 1000000;
// Entries a blocked XREAD/XREADGROUP without COUNT gets when it wakes (Redis's
// XREAD_BLOCKED_DEFAULT_COUNT), so a low ID does not serve a huge stream at once.
constexpr int64_t kBlockedReadCount = 1000;

// XADD's and XTRIM's options, Redis's streamParseAddOrTrimArgsOrReply. For XADD, `id_pos` is set
// to the ID's position; returns false after replying an error.
struct AddTrimArgs {
  StreamTrim trim;
  size_t threshold_pos = 0;  // MAXLEN's count or MINID's ID
  bool no_mkstream = false;
  std::optional<StreamId> id;
  bool seq_given = true;
  size_t id_pos = 0;
};

bool ParseAddOrTrimArgs(CommandContext& ctx, bool xadd, AddTrimArgs* out) {
  ArgParser parser(ctx.args, 2);
  StreamTrim& trim = out->trim;
  bool limit_given = false;
  while (parser.HasNext()) {
    if (xadd && AsCString(parser.Peek()) == "*") break;
    bool maxlen = parser.Is("MAXLEN");
    if (parser.Accept("MAXLEN", 1) || parser.Accept("MINID", 1)) {
      parser.FailUnless(
          trim.strategy == StreamTrim::Strategy::kNone,
          "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      trim.approx = false;
      if (parser.Remaining() >= 2 && AsCString(parser.Peek()) == "~") {
        trim.approx = true;
        parser.Next();
      } else if (parser.Remaining() >= 2 && AsCString(parser.Peek()) == "=") {
        parser.Next();
      }
      out->threshold_pos = parser.position();
      if (maxlen) {
        int64_t n = parser.NextInt64();
        parser.FailUnless(n >= 0, "ERR The MAXLEN argument must be >= 0.");
        trim.maxlen = static_cast<uint64_t>(n);
        trim.strategy = StreamTrim::Strategy::kMaxLen;
      } else {
        trim.minid = NextStreamId(parser);
        trim.strategy = StreamTrim::Strategy::kMinId;
      }
    } else if (parser.Accept("LIMIT", 1)) {
      trim.limit = parser.NextInt64();
      parser.FailUnless(trim.limit >= 0, "ERR The LIMIT argument must be >= 0.");
      limit_given = true;
    } else if (xadd && parser.Accept("NOMKSTREAM")) {
      out->no_mkstream = true;
    } else if (xadd) {
      // The ID: left unread, so the fields start after position().
      out->id = storage::ParseStreamId(parser.Peek(), 0, true, &out->seq_given);
      parser.FailUnless(out->id.has_value(), kErrInvalidStreamId);
      break;
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  bool no_strategy = trim.strategy == StreamTrim::Strategy::kNone;
  parser.FailUnless(
      trim.limit == 0 || !no_strategy,
      "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  parser.FailUnless(xadd || !no_strategy,
                    "ERR syntax error, XTRIM must be called with a trimming strategy");
  // What the AOF holds was rewritten to an exact trim ("=" with its LIMIT kept), which it obeys
  // without a limit, as Redis's mustObeyClient.
  bool must_obey = ctx.client.id() == kAofClientId;
  parser.FailUnless(must_obey || !limit_given || trim.approx,
                    "ERR syntax error, LIMIT cannot be used without the special ~ option");
  if (!parser.Check(ctx)) return false;
  if (must_obey) {
    trim.limit = 0;
  } else if (!limit_given && trim.approx) {
    trim.limit = kApproxLimitNodes * NodeLimits(ctx).max_entries;
    if (trim.limit <= 0) trim.limit = kApproxLimitFallback;
    if (trim.limit > kApproxLimitMax) trim.limit = kApproxLimitMax;
  } else if (!limit_given) {
    trim.limit = 0;
  }
  out->id_pos = parser.position();
  return true;
}

// Redis's streamRewriteApproxSpecifier and streamRewriteTrimArgument: `~` trims whole nodes
// only, so the command propagates as an exact trim to what was kept ("=" and the length, or the
// first ID left in a node) and a replica or a reload keeps the same entries.
void RewriteApproxTrim(std::vector<std::string>& argv, const AddTrimArgs& parsed,
                       const Stream& stream) {
  argv[parsed.threshold_pos - 1] = "=";
  argv[parsed.threshold_pos] = parsed.trim.strategy == StreamTrim::Strategy::kMaxLen
                                   ? std::to_string(stream.Length())
                                   : stream.FirstIdWithTombstones().ToString();
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ...
void CmdXadd(CommandContext& ctx) {
  AddTrimArgs parsed;
  if (!ParseAddOrTrimArgs(ctx, true, &parsed)) return;
  size_t field_pos = parsed.id_pos + 1;
  if (field_pos > ctx.args.size() || ctx.args.size() - field_pos < 2 ||
      (ctx.args.size() - field_pos) % 2 == 1) {
    return ctx.reply.Error(WrongArityError(ctx.spec.name));
  }
  if (parsed.id && parsed.seq_given && parsed.id->IsZero()) {
    return ctx.reply.Error("ERR The ID specified in XADD must be greater than 0-0");
  }
  storage::XAddRequest request{parsed.id,
                               parsed.seq_given,
                               parsed.no_mkstream,
                               parsed.trim,
                               ctx.args.subspan(field_pos),
                               NodeLimits(ctx),
                               storage::CommandTimeMs()};
  auto added = storage::XAdd(ctx.db(), ctx.args[1], request);
  if (!added.ok()) return ReplyMissingKey(ctx, added.status(), [&] { ctx.reply.Null(); });
  switch (added->error) {
    case StreamError::kNone:
      break;
    case StreamError::kIdExhausted:
      return ctx.reply.Error(
          "ERR The stream has exhausted the last possible ID, unable to add more items");
    case StreamError::kElementsTooLarge:
      return ctx.reply.Error("ERR Elements are too large to be stored");
    default:
      return ctx.reply.Error(
          "ERR The ID specified in XADD is equal or smaller than the target stream top item");
  }
  ctx.AddDirty();
  ctx.server.blocking.OnKeyReady(ctx.db().index(), ctx.args[1]);
  ReplyStreamId(ctx, added->id);
  // Propagated with the ID it got when the clock or the stream chose it ("*", "<ms>-*").
  bool id_chosen = !parsed.id || !parsed.seq_given;
  if (ctx.propagating() && (id_chosen || parsed.trim.approx)) {
    std::vector<std::string> argv(ctx.args.begin(), ctx.args.end());
    if (parsed.trim.approx) RewriteApproxTrim(argv, parsed, *added->stream);
    if (id_chosen) argv[parsed.id_pos] = added->id.ToString();
    ctx.PropagateAs(std::move(argv));
  }
}

// XLEN key
void CmdXlen(CommandContext& ctx) {
  auto found = storage::FindStreamRead(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  ctx.reply.Integer(static_cast<int64_t>((*found)->Length()));
}

// XRANGE key start end [COUNT count], XREVRANGE key end start [COUNT count]
void RangeGeneric(CommandContext& ctx, bool rev) {
  ArgParser parser(ctx.args, 4);
  StreamId start = RangeBoundArg(parser, ctx.args[rev ? 3 : 2], true);
  StreamId end = RangeBoundArg(parser, ctx.args[rev ? 2 : 3], false);
  int64_t count = -1;
  while (parser.Accept("COUNT", 1)) count = std::max<int64_t>(0, parser.NextInt64());
  if (!parser.Finalize(ctx)) return;
  auto found = storage::FindStreamRead(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.ArrayHeader(0); });
  if (count == 0) return ctx.reply.NullArray();
  auto entries = (*found)->Range(start, end, count < 0 ? 0 : static_cast<size_t>(count), rev);
  ReplyEntries(ctx, entries);
}

void CmdXrange(CommandContext& ctx) { RangeGeneric(ctx, false); }
void CmdXrevrange(CommandContext& ctx) { RangeGeneric(ctx, true); }

// XDEL key id [id ...]
void CmdXdel(CommandContext& ctx) {
  auto found = storage::FindStreamWrite(ctx.db(), ctx.args[1]);
  if (!found.ok()) return ReplyMissingKey(ctx, found.status(), [&] { ctx.reply.Integer(0); });
  ArgParser parser(ctx.args, 2);
  std::vector<StreamId> ids;
  while (parser.HasNext()) ids.push_back(NextStreamId(parser));
  if (!parser.Check(ctx)) return;
  auto deleted = storage::XDel(ctx.db(), ctx.args[1], ids);
  ctx.AddDirty(*deleted);
  ctx.reply.Integer(*deleted);
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
void CmdXtrim(CommandContext& ctx) {
  AddTrimArgs parsed;
  if (!ParseAddOrTrimArgs(ctx, false, &parsed)) return;
  auto trimmed = storage::XTrim(ctx.db(), ctx.args[1], parsed.trim);
  if (!trimmed.ok()) {
    return ReplyMissingKey(ctx, trimmed.status(), [&] { ctx.reply.Integer(0); });
  }
  ctx.AddDirty(trimmed->deleted);
  ctx.reply.Integer(trimmed->deleted);
  if (trimmed->deleted > 0 && parsed.trim.approx && ctx.propagating()) {
    std::vector<std::string> argv(ctx.args.begin(), ctx.args.end());
    RewriteApproxTrim(argv, parsed, *trimmed->stream);
    ctx.PropagateAs(std::move(argv));
  }
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
void CmdXsetid(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  StreamId id = NextStreamId(parser);
  std::optional<uint64_t> entries_added;
  std::optional<StreamId> max_deleted;
  while (parser.HasNext()) {
    if (parser.Accept("ENTRIESADDED", 1)) {
      int64_t n = parser.NextInt64();
      parser.FailUnless(n >= 0, "ERR entries_added must be positive");
      entries_added = static_cast<uint64_t>(n);
    } else if (parser.Accept("MAXDELETEDID", 1)) {
      max_deleted = NextStreamId(parser);
      parser.FailUnless(!(id < *max_deleted),
                        "ERR The ID specified in XSETID is smaller than the provided "
                        "max_deleted_entry_id");
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;
  auto result = storage::XSetId(ctx.db(), ctx.args[1], id, entries_added, max_deleted);
  if (!result.ok()) {
    return ctx.reply.Error(result.status() == OpStatus::kKeyNotFound ? kErrNoSuchKey
                                                                     : ErrorText(result.status()));
  }
  switch (*result) {
    case StreamError::kNone:
      ctx.AddDirty();
      return ctx.reply.Ok();
    case StreamError::kSetIdEntriesAddedBelowLength:
      return ctx.reply.Error(
          "ERR The entries_added specified in XSETID is smaller than the target stream length");
    default:
      return ctx.reply.Error(
          "ERR The ID specified in XSETID is smaller than the target stream top item");
  }
}

// What a group read of new entries delivered, as Redis propagates it (streamReplyWithRange):
// an XCLAIM per entry now pending, each carrying the group's last ID as it moved; under NOACK
// nothing is pending, so the group's new last ID goes as XGROUP SETID.
void PropagateGroupDelivery(CommandContext& ctx, std::string_view key, std::string_view group_name,
                            std::string_view consumer, const storage::StreamGroup& group,
                            std::span<const StreamEntryRef> entries, StreamId last_delivered,
                            bool noack, int64_t now) {
  if (noack) {
    if (group.last_id != last_delivered)
      ctx.AlsoPropagate(GroupIdPropagation(key, group_name, group));
    return;
  }
  for (const StreamEntryRef& entry : entries) {
    last_delivered = std::max(last_delivered, entry.id);
    ctx.AlsoPropagate(
        XclaimPropagation(key, group_name, entry.id.ToString(), consumer, now, 1, last_delivered));
  }
}

// XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key ... id ...
void ReadGeneric(CommandContext& ctx, bool xreadgroup) {
  Args args = ctx.args;
  int64_t timeout = -1;
  int64_t count = 0;
  size_t streams_arg = 0;
  size_t streams_count = 0;
  bool noack = false;
  std::optional<std::string_view> group_name;
  std::string_view consumer_name;
  ArgParser parser(args);
  while (parser.HasNext()) {
    if (parser.Accept("BLOCK", 1)) {
      parser.FailUnless(ctx.mode != ExecutionMode::kScript,
                        "ERR " + std::string(AsCString(args[0])) +
                            " command is not allowed with BLOCK option from scripts");
      // Redis's getTimeoutFromObjectOrReply in milliseconds: 0 waits forever.
      timeout = parser.NextInt64("ERR timeout is not an integer or out of range");
      parser.FailUnless(timeout >= 0, "ERR timeout is negative");
    } else if (parser.Accept("COUNT", 1)) {
      count = std::max<int64_t>(0, parser.NextInt64());
    } else if (parser.Accept("STREAMS", 1)) {
      streams_arg = parser.position();
      streams_count = parser.Rest().size() / 2;
      parser.FailUnless((args.size() - streams_arg) % 2 == 0,
                        "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' "
                        "must be specified.");
    } else if (parser.Accept("GROUP", 2)) {
      parser.FailUnless(
          xreadgroup,
          "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      group_name = parser.Next();
      consumer_name = parser.Next();
    } else if (parser.Accept("NOACK")) {
      parser.FailUnless(
          xreadgroup,
          "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      noack = true;
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  parser.FailUnless(streams_arg != 0, kErrSyntax);
  parser.FailUnless(!xreadgroup || group_name.has_value(),
                    "ERR Missing GROUP option for XREADGROUP");
  if (!parser.Check(ctx)) return;
  // A group read propagates what it changed as XCLAIM and XGROUP commands, never as itself.
  if (xreadgroup) ctx.PreventPropagation();

  // A blocked client re-run because a key became ready is served from that key only, as Redis
  // serves it.
  std::optional<std::string_view> retry_key = ctx.retry_key;

  // Resolve every key, group and ID before serving any: errors leave nothing half done.
  std::vector<StreamId> ids(streams_count);
  std::vector<Stream*> streams(streams_count, nullptr);
  std::vector<storage::StreamGroup*> groups(streams_count, nullptr);
  std::vector<bool> newest(streams_count, false);  // ">": entries never delivered to the group
  for (size_t k = 0; k < streams_count; ++k) {
    std::string_view key = args[streams_arg + k];
    std::string_view id_arg = args[streams_arg + streams_count + k];
    auto found = storage::FindStreamRead(ctx.db(), key);
    if (!found.ok() && found.status() != OpStatus::kKeyNotFound) {
      // A stream replaced by another type under a blocked reader: XREAD keeps waiting, a group
      // reader is told (below) that its stream is gone.
      if (retry_key != key) return ctx.ReplyStatus(found.status());
    }
    if (found.ok()) streams[k] = *found;
    if (group_name) {
      if (streams[k] == nullptr || (groups[k] = streams[k]->FindGroup(*group_name)) == nullptr) {
        // A blocked XREADGROUP woken by XGROUP DESTROY gets Redis's unblocking errors.
        if (retry_key == key) {
          return ctx.reply.Error(streams[k] == nullptr
                                     ? "UNBLOCKED the stream key no longer exists"
                                     : "NOGROUP the consumer group this client was blocked on no "
                                       "longer exists");
        }
        return ctx.reply.Error(NoGroupError(key, *group_name, " in XREADGROUP with GROUP option"));
      }
    }
    std::string_view id_text = AsCString(id_arg);
    if (id_text == "$") {
      if (xreadgroup) {
        return ctx.reply.Error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
            "history of this consumer by specifying a proper ID, or use the > ID to get new "
            "messages. The $ ID would just return an empty result set.");
      }
      ids[k] = streams[k] ? streams[k]->last_id() : StreamId{};
      continue;
    }
    if (id_text == ">") {
      if (!xreadgroup) {
        return ctx.reply.Error(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
            "<group> <consumer> option.");
      }
      newest[k] = true;
      ids[k] = StreamId::Max();
      continue;
    }
    auto id = ParseStreamIdOrReply(ctx, id_arg, 0, true);
    if (!id) return;
    ids[k] = *id;
  }

  int64_t now = storage::CommandTimeMs();
  size_t served = 0;
  size_t token = 0;
  for (size_t k = 0; k < streams_count; ++k) {
    Stream* stream = streams[k];
    if (retry_key && *retry_key != args[streams_arg + k]) continue;
    if (stream == nullptr) {
      // Redis looks every key up again to serve it: a missing one counts a second miss and
      // "keymiss".
      ctx.db().FindRead(args[streams_arg + k]);
      continue;
    }
    std::string_view key = args[streams_arg + k];
    bool serve = false;
    bool history = false;
    StreamId after = ids[k];
    if (xreadgroup) {
      if (!newest[k]) {
        serve = history = true;
      } else if (stream->Length() > 0 && stream->LastValidId() > groups[k]->last_id) {
        serve = true;
        after = groups[k]->last_id;
      }
    } else if (stream->Length() > 0 && stream->LastValidId() > after) {
      serve = true;
    }
    if (!serve) continue;
    if (served++ == 0) token = ctx.reply.BeginDeferred();
    if (!ctx.reply.resp3()) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    std::vector<StreamEntryRef> entries;
    if (xreadgroup) {
      // Redis meets (or creates) the consumer only for a stream it serves.
      bool created = false;
      storage::StreamConsumer* consumer =
          storage::FindOrCreateConsumer(ctx.db(), key, *groups[k], consumer_name, now, &created);
      consumer->seen_time = now;
      // Without NOACK the XCLAIMs of what was delivered create the consumer where they land.
      if (created && noack && ctx.propagating()) {
        ctx.AlsoPropagate({"XGROUP", "CREATECONSUMER", std::string(key), std::string(*group_name),
                           std::string(consumer_name)});
      }
      StreamId last_delivered = groups[k]->last_id;
      entries = storage::ReadGroup(*stream, *groups[k], *consumer, after,
                                   static_cast<size_t>(count), noack, history, now);
      // Redis counts a group read it serves at once, not one served to a blocked reader.
      if (!retry_key) ctx.AddDirty();
      if (!history && ctx.propagating()) {
        PropagateGroupDelivery(ctx, key, *group_name, consumer_name, *groups[k], entries,
                               last_delivered, noack, now);
      }
    } else {
      StreamId start = after;
      start.Incr();
      entries = stream->Range(start, StreamId::Max(), static_cast<size_t>(count), false);
    }
    ReplyEntries(ctx, entries);
  }
  if (served > 0) {
    using Aggregate = protocol::ReplyWriter::Aggregate;
    return ctx.reply.EndDeferred(token, ctx.reply.resp3() ? Aggregate::kMap : Aggregate::kArray,
                                 served);
  }
  if (timeout >= 0 && ctx.may_block()) {
    // Park the client with `$` resolved now (so entries added before it wakes are not missed)
    // and, without COUNT, Redis's count for blocked reads.
    std::vector<std::string> stored(args.begin(), args.end());
    for (size_t k = 0; k < streams_count; ++k) {
      std::string& id = stored[streams_arg + streams_count + k];
      if (AsCString(id) == "$") id = ids[k].ToString();
    }
    if (count == 0) {
      stored.insert(stored.begin() + 1, {"COUNT", std::to_string(kBlockedReadCount)});
      streams_arg += 2;
    }
    std::vector<std::string_view> views(stored.begin(), stored.end());
    CommandContext parked{views,    ctx.reply, ctx.client,   ctx.server,
                          ctx.spec, ctx.mode,  ctx.retry_key};
    Args keys = Args(views).subspan(streams_arg, streams_count);
    if (ctx.server.blocking.Block(parked, keys, timeout)) return;
  }
  // Not allowed to block (MULTI, a script), or nothing to serve: as Redis on a timeout.
  ctx.reply.NullArray();
}

void CmdXread(CommandContext& ctx) { ReadGeneric(ctx, false); }
void CmdXreadgroup(CommandContext& ctx) { ReadGeneric(ctx, true); }

// Redis's xreadGetKeys: the keys are the first half of what follows STREAMS.
bool XreadKeys(Args args, std::vector<int>* positions) {
  positions->clear();
  size_t streams_pos = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (IsKeyword(arg, "block") || IsKeyword(arg, "count")) {
      ++i;
    } else if (IsKeyword(arg, "group")) {
      i += 2;
    } else if (IsKeyword(arg, "noack")) {
    } else if (IsKeyword(arg, "streams")) {
      streams_pos = i;
      break;
    } else {
      break;
    }
  }
  if (streams_pos == 0) return false;
  size_t num = args.size() - streams_pos - 1;
  if (num == 0 || num % 2 != 0) return false;
  for (size_t k = 0; k < num / 2; ++k) positions->push_back(static_cast<int>(streams_pos + 1 + k));
  return true;
}

constexpr CommandSpec kRows[] = {
    {.name = "xadd",
     .arity = -5,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXadd},
    {.name = "xlen",
     .arity = 2,
     .flags = kReadonly | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXlen},
    {.name = "xrange",
     .arity = -4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXrange},
    {.name = "xrevrange",
     .arity = -4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXrevrange},
    {.name = "xdel",
     .arity = -3,
     .flags = kWrite | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXdel},
    {.name = "xtrim",
     .arity = -4,
     .flags = kWrite,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXtrim},
    {.name = "xsetid",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdXsetid},
    {.name = "xread",
     .arity = -4,
     .flags = kReadonly | kBlocking | kMovableKeys,
     .handler = CmdXread,
     .movable_keys = XreadKeys},
    {.name = "xreadgroup",
     .arity = -7,
     .flags = kWrite | kBlocking | kMovableKeys,
     .handler = CmdXreadgroup,
     .movable_keys = XreadKeys},
};

}  // namespace

void RegisterStreamFamily(CommandTable& table) {
  table.Register(kRows);
  RegisterStreamGroupCommands(table);
  RegisterStreamInfoCommands(table);
}

}  // namespace respd::server
