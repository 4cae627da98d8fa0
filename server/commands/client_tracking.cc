// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO, as Redis 7.0's networking.c checks and
// answers them.
#include "server/commands/client_tracking.h"

#include <string>
#include <vector>

#include "server/commands/args.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

// Redis's checkPrefixCollisionsOrReply, with its quirk: a clash between two given prefixes after
// the first one is reported, and tracking is enabled anyway (a second reply, +OK, follows).
// Returns false when the command stops at the error.
bool CheckPrefixes(CommandContext& ctx, const std::vector<std::string>& existing,
                   const std::vector<std::string_view>& prefixes) {
  auto overlap = [](std::string_view a, std::string_view b) {
    size_t n = std::min(a.size(), b.size());
    return a.substr(0, n) == b.substr(0, n);
  };
  auto quoted = [](std::string_view s) { return "'" + std::string(AsCString(s)) + "'"; };
  for (size_t i = 0; i < prefixes.size(); ++i) {
    for (const std::string& old : existing) {
      if (!overlap(old, prefixes[i])) continue;
      ctx.reply.Error("ERR Prefix " + quoted(prefixes[i]) + " overlaps with an existing prefix " +
                      quoted(old) + ". Prefixes for a single client must not overlap.");
      return false;
    }
    for (size_t j = i + 1; j < prefixes.size(); ++j) {
      if (!overlap(prefixes[i], prefixes[j])) continue;
      ctx.reply.Error("ERR Prefix " + quoted(prefixes[i]) +
                      " overlaps with another provided prefix " + quoted(prefixes[j]) +
                      ". Prefixes for a single client must not overlap.");
      return i != 0;
    }
  }
  return true;
}

}  // namespace

// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
void CmdClientTracking(CommandContext& ctx) {
  Args args = ctx.args;
  int64_t redirect = 0;
  uint32_t options = 0;
  std::vector<std::string_view> prefixes;
  for (size_t j = 3; j < args.size(); ++j) {
    bool more = j + 1 < args.size();
    if (IsKeyword(args[j], "redirect") && more) {
      ++j;
      if (redirect != 0) {
        ctx.reply.Error("ERR A client can only redirect to a single other client");
        return;
      }
      ArgParser parser(args, j);
      redirect = parser.NextInt64();
      if (!parser.Check(ctx)) return;
      // Required to exist now, though it may go later (then the redirect is broken).
      if (redirect <= 0 || ctx.server.clients.Find(static_cast<uint64_t>(redirect)) == nullptr) {
        ctx.reply.Error("ERR The client ID you want redirect to does not exist");
        return;
      }
    } else if (IsKeyword(args[j], "bcast")) {
      options |= kTrackingBcast;
    } else if (IsKeyword(args[j], "optin")) {
      options |= kTrackingOptin;
    } else if (IsKeyword(args[j], "optout")) {
      options |= kTrackingOptout;
    } else if (IsKeyword(args[j], "noloop")) {
      options |= kTrackingNoloop;
    } else if (IsKeyword(args[j], "prefix") && more) {
      prefixes.push_back(args[++j]);
    } else {
      ctx.ReplySyntaxError();
      return;
    }
  }
  TrackingRegistry& tracking = ctx.server.tracking;
  if (IsKeyword(args[2], "off")) {
    tracking.Disable(ctx.client);
    ctx.reply.Ok();
    return;
  }
  if (!IsKeyword(args[2], "on")) {
    ctx.ReplySyntaxError();
    return;
  }
  uint32_t current = ctx.client.tracking_flags.load(std::memory_order_relaxed);
  if (!(options & kTrackingBcast) && !prefixes.empty()) {
    ctx.reply.Error("ERR PREFIX option requires BCAST mode to be enabled");
    return;
  }
  if ((current & kTrackingOn) && !(current & kTrackingBcast) != !(options & kTrackingBcast)) {
    ctx.reply.Error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
    return;
  }
  if ((options & kTrackingBcast) && (options & (kTrackingOptin | kTrackingOptout))) {
    ctx.reply.Error("ERR OPTIN and OPTOUT are not compatible with BCAST");
    return;
  }
  if ((options & kTrackingOptin) && (options & kTrackingOptout)) {
    ctx.reply.Error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    return;
  }
  if (((options & kTrackingOptin) && (current & kTrackingOptout)) ||
      ((options & kTrackingOptout) && (current & kTrackingOptin))) {
    ctx.reply.Error(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
    return;
  }
  if ((options & kTrackingBcast) &&
      !CheckPrefixes(ctx, tracking.PrefixesOf(ctx.client), prefixes)) {
    return;
  }
  tracking.Enable(ctx.client, static_cast<uint64_t>(redirect), options, prefixes);
  ctx.reply.Ok();
}

// CLIENT CACHING YES|NO
void CmdClientCaching(CommandContext& ctx) {
  uint32_t flags = ctx.client.tracking_flags.load(std::memory_order_relaxed);
  if (!(flags & kTrackingOn)) {
    ctx.reply.Error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
    return;
  }
  if (IsKeyword(ctx.args[2], "yes")) {
    if (!(flags & kTrackingOptin)) {
      ctx.reply.Error(
          "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
      return;
    }
  } else if (IsKeyword(ctx.args[2], "no")) {
    if (!(flags & kTrackingOptout)) {
      ctx.reply.Error(
          "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
      return;
    }
  } else {
    ctx.ReplySyntaxError();
    return;
  }
  ctx.client.tracking_flags.fetch_or(kTrackingCaching, std::memory_order_relaxed);
  ctx.reply.Ok();
}

// CLIENT GETREDIR
void CmdClientGetredir(CommandContext& ctx) {
  bool on = ctx.client.tracking_flags.load(std::memory_order_relaxed) & kTrackingOn;
  ctx.reply.Integer(
      on ? static_cast<int64_t>(ctx.client.tracking_redirect.load(std::memory_order_relaxed)) : -1);
}

// CLIENT TRACKINGINFO
void CmdClientTrackinginfo(CommandContext& ctx) {
  uint32_t flags = ctx.client.tracking_flags.load(std::memory_order_relaxed);
  std::vector<std::string_view> names;
  names.push_back(flags & kTrackingOn ? "on" : "off");
  if (flags & kTrackingBcast) names.push_back("bcast");
  if (flags & kTrackingOptin) {
    names.push_back("optin");
    if (flags & kTrackingCaching) names.push_back("caching-yes");
  }
  if (flags & kTrackingOptout) {
    names.push_back("optout");
    if (flags & kTrackingCaching) names.push_back("caching-no");
  }
  if (flags & kTrackingNoloop) names.push_back("noloop");
  if (flags & kTrackingBrokenRedirect) names.push_back("broken_redirect");
  ctx.reply.MapHeader(3);
  ctx.reply.Bulk("flags");
  ctx.reply.SetHeader(names.size());
  for (std::string_view name : names) ctx.reply.Bulk(name);
  ctx.reply.Bulk("redirect");
  ctx.reply.Integer(flags & kTrackingOn ? static_cast<int64_t>(ctx.client.tracking_redirect.load(
                                              std::memory_order_relaxed))
                                        : -1);
  ctx.reply.Bulk("prefixes");
  std::vector<std::string> prefixes = ctx.server.tracking.PrefixesOf(ctx.client);
  ctx.reply.ArrayHeader(prefixes.size());
  for (const std::string& prefix : prefixes) ctx.reply.Bulk(prefix);
}

}  // namespace respd::server
