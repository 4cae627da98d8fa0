// Connection commands: PING ECHO QUIT RESET SELECT AUTH HELLO CLIENT.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "server/commands/args.h"
#include "server/commands/client_tracking.h"
#include "server/commands/client_control.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "storage/numbers.h"

namespace respd::server {
namespace {

using protocol::RespVersion;

constexpr std::string_view kErrNoPassword =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
constexpr std::string_view kErrWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
constexpr std::string_view kErrBadClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

// Redis allows client names and library fields of printable ASCII without spaces.
bool ValidClientField(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= '!' && c <= '~'; });
}

// AUTH's and HELLO's check of a user and password: on success the client runs as that user;
// otherwise the attempt goes to the ACL log and the error text is returned.
std::string_view Authenticate(CommandContext& ctx, std::string_view user,
                              std::string_view password) {
  if (std::shared_ptr<AclUser> found = ctx.server.acl.Authenticate(user, password)) {
    ctx.client.authenticated = true;
    ctx.client.acl_user = std::move(found);
    ctx.client.UpdateInfo([&](ClientState::Info& info) { info.user = user; });
    return {};
  }
  bool in_multi = ctx.client.transaction != nullptr && ctx.client.transaction->in_multi();
  ctx.server.acl.Log(AclDenial::kAuth, in_multi ? AclLogContext::kMulti : AclLogContext::kTopLevel,
                     std::string(ctx.args[0]), std::string(user), ctx.server.clock.NowMs(),
                     ClientInfoLine(ctx.server, ctx.client));
  return kErrWrongPass;
}

// PING [message]
void CmdPing(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.Error(WrongArityError("ping"));
    return;
  }
  // A RESP2 subscriber gets PING's answer in the shape of a message, as Redis sends it.
  if (ctx.client.subscribed() && ctx.client.resp == RespVersion::kResp2) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.args.size() == 1 ? std::string_view() : ctx.args[1]);
  } else if (ctx.args.size() == 1) {
    ctx.reply.SimpleString("PONG");
  } else {
    ctx.reply.Bulk(ctx.args[1]);
  }
}

// ECHO message
void CmdEcho(CommandContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

// QUIT
void CmdQuit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client.close_after_reply = true;
}

// SELECT index
void CmdSelect(CommandContext& ctx) {
  ArgParser parser(ctx.args);
  int index = parser.NextCInt();
  // A cluster node has database 0 only.
  parser.FailUnless(index == 0 || !ctx.server.cluster.enabled(),
                    "ERR SELECT is not allowed in cluster mode");
  parser.FailUnless(index >= 0 && index < ctx.server.store.num_databases(), kErrInvalidDb);
  if (!parser.Finalize(ctx)) return;
  ctx.client.db_index = index;
  ctx.reply.Ok();
}

// AUTH [username] password
void CmdAuth(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.ReplySyntaxError();
    return;
  }
  if (ctx.args.size() == 2 && ctx.server.acl.DefaultUserNoPass()) {
    ctx.reply.Error(kErrNoPassword);
    return;
  }
  std::string_view user = ctx.args.size() == 3 ? ctx.args[1] : "default";
  std::string_view error = Authenticate(ctx, user, ctx.args.back());
  if (!error.empty()) {
    ctx.reply.Error(error);
    return;
  }
  ctx.reply.Ok();
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void CmdHello(CommandContext& ctx) {
  ArgParser parser(ctx.args);
  RespVersion version = ctx.client.resp;
  if (parser.HasNext()) {
    int64_t requested = parser.NextInt64("ERR Protocol version is not an integer or out of range");
    parser.FailUnless(requested == 2 || requested == 3, "NOPROTO unsupported protocol version");
    version = requested == 3 ? RespVersion::kResp3 : RespVersion::kResp2;
  }
  std::optional<std::string_view> new_name;
  // Redis authenticates as it reads AUTH: a wrong password wins over a later bad option.
  while (parser.HasNext()) {
    if (parser.Accept("AUTH", 2)) {
      std::string_view user = parser.Next();
      std::string_view password = parser.Next();
      if (!parser.failed()) {
        std::string_view error = Authenticate(ctx, user, password);
        if (!error.empty()) parser.Fail(error);
      }
    } else if (parser.Accept("SETNAME", 1)) {
      new_name = parser.Next();
      parser.FailUnless(ValidClientField(*new_name), kErrBadClientName);
    } else {
      parser.Fail("ERR Syntax error in HELLO option '" + std::string(AsCString(parser.Peek())) +
                  "'");
    }
  }
  if (!parser.Finalize(ctx)) return;
  if (!ctx.client.authenticated && ctx.server.acl.AuthRequired()) {
    ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
        "the RESP protocol version at the same time");
    return;
  }
  if (new_name) ctx.client.UpdateInfo([&](ClientState::Info& info) { info.name = *new_name; });
  ctx.client.resp = version;
  ctx.reply.set_version(version);
  ctx.reply.MapHeader(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk(kRedisVersion);
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(static_cast<int>(version));
  ctx.reply.Bulk("id");
  ctx.reply.Integer(static_cast<int64_t>(ctx.client.id()));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk(ctx.server.cluster.enabled() ? "cluster" : "standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.ArrayHeader(0);
}

// RESET
void CmdReset(CommandContext& ctx) {
  ctx.client.transaction.reset();
  ctx.server.pubsub.UnsubscribeAll(ctx.client);
  ctx.server.tracking.Disable(ctx.client);
  ctx.server.monitors.Remove(ctx.client);
  ctx.client.reply_off = false;
  ctx.client.reply_skip_next = false;
  ctx.client.db_index = 0;
  ctx.client.resp = RespVersion::kResp2;
  ctx.reply.set_version(RespVersion::kResp2);
  // Back to the default user, authenticated only if it needs no password (Redis's
  // clearClientConnectionState).
  ctx.client.acl_user.reset();
  ctx.client.authenticated = !ctx.server.acl.AuthRequired();
  ctx.client.UpdateInfo([](ClientState::Info& info) {
    info.name.clear();
    info.user = "default";
  });
  ctx.reply.SimpleString("RESET");
}

// The line CLIENT LIST and CLIENT INFO print for one client: Redis 7.0's fields, then 7.2's
// lib-name and lib-ver (CLIENT SETINFO). Every field is read from the client's published state
// (ClientState), so any thread may print any client.
std::string ClientLine(ServerContext& server, ClientState& client, int64_t now_ms) {
  ClientState::Info info = client.info();
  int64_t age = (now_ms - client.created_ms) / 1000;
  int64_t idle = (now_ms - client.last_interaction_ms.load(std::memory_order_relaxed)) / 1000;
  const CommandSpec* last = client.last_command.load(std::memory_order_relaxed);
  std::string cmd = last == nullptr ? "NULL" : CommandFullName(server.commands, *last);
  int multi = client.multi_queued.load(std::memory_order_relaxed);
  std::string flags;
  if (client.monitoring) {
    flags += 'O';
  } else if (client.replica) {
    flags += 'S';
  }
  if (client.subscribed()) flags += 'P';
  if (multi >= 0) flags += 'x';
  if (client.blocked || client.postponed) flags += 'b';
  if (client.watch_dirty.load(std::memory_order_relaxed)) flags += 'd';
  uint32_t tracking = client.tracking_flags.load(std::memory_order_relaxed);
  if (tracking & kTrackingOn) flags += 't';
  if (tracking & kTrackingBrokenRedirect) flags += 'R';
  if (tracking & kTrackingBcast) flags += 'B';
  if (client.unix_socket) flags += 'U';
  if (client.cluster_readonly) flags += 'r';
  if (client.no_evict) flags += 'e';
  if (flags.empty()) flags = "N";
  auto field = [](const std::atomic<uint64_t>& value) {
    return std::to_string(value.load(std::memory_order_relaxed));
  };
  uint64_t argv_mem = client.argv_bytes.load(std::memory_order_relaxed);
  uint64_t multi_mem = client.multi_bytes.load(std::memory_order_relaxed);
  uint64_t tot_mem =
      client.buffers_allocated.load(std::memory_order_relaxed) + argv_mem + multi_mem;
  std::string line;
  line.reserve(320);
  line += "id=" + std::to_string(client.id());
  line += " addr=" + info.addr + " laddr=" + info.laddr + " fd=" + std::to_string(info.fd);
  line += " name=" + info.name + " age=" + std::to_string(age) + " idle=" + std::to_string(idle);
  line += " flags=" + flags + " db=" + std::to_string(client.db_index.load());
  line += " sub=" + std::to_string(client.subscriptions.load(std::memory_order_relaxed));
  line += " psub=" + std::to_string(client.pattern_subscriptions.load(std::memory_order_relaxed));
  line += " ssub=" + std::to_string(client.shard_subscriptions.load(std::memory_order_relaxed));
  line += " multi=" + std::to_string(multi);
  line += " qbuf=" + field(client.query_buffer_bytes);
  line += " qbuf-free=" + field(client.query_buffer_free);
  line += " argv-mem=" + std::to_string(argv_mem) + " multi-mem=" + std::to_string(multi_mem);
  line += " rbs=" + field(client.reply_buffer_size) + " rbp=" + field(client.reply_buffer_peak);
  line += " obl=0 oll=0";
  line += " omem=" + field(client.output_buffer_bytes) + " tot-mem=" + std::to_string(tot_mem);
  int64_t redir =
      (tracking & kTrackingOn)
          ? static_cast<int64_t>(client.tracking_redirect.load(std::memory_order_relaxed))
          : -1;
  line += " events=r cmd=" + cmd + " user=" + info.user + " redir=" + std::to_string(redir);
  line += " resp=" + std::to_string(static_cast<int>(client.resp.load()));
  line += " lib-name=" + info.lib_name + " lib-ver=" + info.lib_ver;
  return line;
}

// CLIENT ID
void CmdClientId(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.client.id())); }

// CLIENT SETNAME name
void CmdClientSetname(CommandContext& ctx) {
  std::string_view name = ctx.args[2];
  if (!ValidClientField(name)) {
    ctx.reply.Error(kErrBadClientName);
    return;
  }
  ctx.client.UpdateInfo([&](ClientState::Info& info) { info.name = name; });
  ctx.reply.Ok();
}

// CLIENT GETNAME
void CmdClientGetname(CommandContext& ctx) {
  std::string name = ctx.client.info().name;
  if (name.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(name);
  }
}

// CLIENT SETINFO LIB-NAME name | LIB-VER version
void CmdClientSetinfo(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  bool is_name = parser.Accept("LIB-NAME");
  if (!is_name && !parser.Accept("LIB-VER")) {
    parser.Fail("ERR Unrecognized option '" + std::string(AsCString(parser.Peek())) + "'");
  }
  std::string_view value = parser.Next();
  if (!ValidClientField(value)) {
    parser.Fail("ERR " + std::string(is_name ? "lib-name" : "lib-ver") +
                " cannot contain spaces, newlines or special characters.");
  }
  if (!parser.Finalize(ctx)) return;
  ctx.client.UpdateInfo(
      [&](ClientState::Info& info) { (is_name ? info.lib_name : info.lib_ver) = value; });
  ctx.reply.Ok();
}

// CLIENT INFO
void CmdClientInfo(CommandContext& ctx) {
  ctx.reply.Verbatim("txt", ClientLine(ctx.server, ctx.client, ctx.server.clock.NowMs()) + "\n");
}

enum class ClientType : uint8_t { kNormal, kPubsub, kReplica, kMaster };

// Redis's getClientTypeByName for a TYPE option; "ERR Unknown client type" if the next argument
// names no type.
ClientType NextClientType(ArgParser& parser) {
  std::string_view type = parser.Next();
  if (IsKeyword(type, "normal")) return ClientType::kNormal;
  if (IsKeyword(type, "pubsub")) return ClientType::kPubsub;
  if (IsKeyword(type, "replica") || IsKeyword(type, "slave")) return ClientType::kReplica;
  if (!IsKeyword(type, "master")) {
    parser.Fail("ERR Unknown client type '" + std::string(AsCString(type)) + "'");
  }
  return ClientType::kMaster;
}

// Redis's getClientType: a replica (a monitor is none), a subscriber, or normal; respd's clients
// are never its master.
bool HasType(const ClientState& client, ClientType type) {
  if (client.replica && !client.monitoring) return type == ClientType::kReplica;
  if (client.subscribed()) return type == ClientType::kPubsub;
  return type == ClientType::kNormal;
}

// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] | [ID id...]
void CmdClientList(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  auto clients = ctx.server.clients.Snapshot();
  int64_t now = ctx.server.clock.NowMs();
  std::string text;
  auto append = [&](ClientState& client) {
    text += ClientLine(ctx.server, client, now);
    text += '\n';
  };
  // Redis 7.0 takes TYPE or ID, never both.
  if (parser.Remaining() == 2 && parser.Accept("TYPE")) {
    ClientType type = NextClientType(parser);
    for (auto& handle : clients) {
      if (HasType(handle->state(), type)) append(handle->state());
    }
  } else if (parser.Remaining() > 1 && parser.Accept("ID")) {
    // Each id in the order given, repeats included; an id no client has (0, negatives) adds
    // nothing.
    while (parser.HasNext()) {
      int64_t id = parser.NextInt64("ERR Invalid client ID");
      for (auto& handle : clients) {
        if (static_cast<int64_t>(handle->state().id()) == id) append(handle->state());
      }
    }
  } else if (!parser.HasNext()) {
    for (auto& handle : clients) append(handle->state());
  }
  if (!parser.Finalize(ctx)) return;
  ctx.reply.Verbatim("txt", text);
}

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
void CmdClientUnblock(CommandContext& ctx) {
  if (ctx.args.size() > 4) {
    return ctx.reply.Error(SubcommandSyntaxError(ctx.args[0], ctx.args[1]));
  }
  ArgParser parser(ctx.args, 2);
  std::string_view id_arg = parser.Next();
  // Redis reads the reason before the id.
  bool with_error = parser.HasNext() &&
                    parser.NextOneOf<bool>({{"TIMEOUT", false}, {"ERROR", true}},
                                           "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  std::optional<int64_t> id = storage::ParseInt64(id_arg);
  parser.FailUnless(id.has_value(), kErrNotInteger);
  if (!parser.Finalize(ctx)) return;
  bool unblocked = ctx.server.blocking.Unblock(static_cast<uint64_t>(*id), with_error);
  // Redis 7.0 counts the error it replies to the unblocked client against this command too.
  if (unblocked && with_error) ctx.server.command_stats.RecordFailed(ctx.spec);
  ctx.reply.Integer(unblocked ? 1 : 0);
}

// CLIENT KILL ID id | TYPE type | USER user | ADDR ip:port | LADDR ip:port | SKIPME yes/no ...
// (or the old CLIENT KILL addr)
void CmdClientKill(CommandContext& ctx) {
  Args args = ctx.args;
  auto clients = ctx.server.clients.Snapshot();
  if (args.size() == 3) {
    for (auto& handle : clients) {
      if (handle->state().info().addr == args[2]) {
        // The caller itself gets its OK before it goes.
        if (&handle->state() == &ctx.client) {
          ctx.client.close_after_reply = true;
        } else {
          handle->Kill();
        }
        ctx.reply.Ok();
        return;
      }
    }
    ctx.reply.Error("ERR No such client");
    return;
  }
  ArgParser parser(args, 2);
  int64_t id = 0;
  std::string_view addr, laddr, user;
  bool skip_me = true;
  // As in Redis, the last TYPE counts.
  std::optional<ClientType> type;
  while (parser.HasNext()) {
    if (parser.Accept("ID", 1)) {
      id = parser.NextInt64InRange(1, INT64_MAX, "ERR client-id should be greater than 0");
    } else if (parser.Accept("TYPE", 1)) {
      type = NextClientType(parser);
    } else if (parser.Accept("ADDR", 1)) {
      addr = parser.Next();
    } else if (parser.Accept("LADDR", 1)) {
      laddr = parser.Next();
    } else if (parser.Accept("USER", 1)) {
      user = parser.Next();
      std::vector<std::string> users = ctx.server.acl.UserNames();
      if (std::find(users.begin(), users.end(), user) == users.end()) {
        parser.Fail("ERR No such user '" + std::string(AsCString(user)) + "'");
      }
    } else if (parser.Accept("SKIPME", 1)) {
      skip_me = parser.NextOneOf<bool>({{"YES", true}, {"NO", false}});
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Finalize(ctx)) return;
  int64_t killed = 0;
  for (auto& handle : clients) {
    ClientState& client = handle->state();
    ClientState::Info info = client.info();
    if (type && !HasType(client, *type)) continue;
    if (id != 0 && static_cast<int64_t>(client.id()) != id) continue;
    if (!addr.empty() && info.addr != addr) continue;
    if (!laddr.empty() && info.laddr != laddr) continue;
    if (!user.empty() && info.user != user) continue;
    if (skip_me && &client == &ctx.client) continue;
    if (&client == &ctx.client) {
      ctx.client.close_after_reply = true;
    } else {
      handle->Kill();
    }
    ++killed;
  }
  ctx.reply.Integer(killed);
}

// CLIENT HELP
void CmdClientHelp(CommandContext& ctx) {
  // Redis 7.0.15's text: SETINFO (Redis 7.2's, registered for clients' handshakes) is not listed.
  static constexpr std::string_view kLines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CACHING (YES|NO)",
      "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
      "GETREDIR",
      "    Return the client ID we are redirecting to when tracking is enabled.",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
      "         [OPTIN] [OPTOUT] [NOLOOP]",
      "    Control server assisted client side caching.",
      "TRACKINGINFO",
      "    Report tracking status for the current connection.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

constexpr CommandSpec kClientSubcommands[] = {
    {.name = "id",
     .arity = 2,
     .flags = kNoscript | kLoading | kStale,
     .handler = CmdClientId},
    {.name = "setname",
     .arity = 3,
     .flags = kNoscript | kLoading | kStale,
     .handler = CmdClientSetname},
    {.name = "getname",
     .arity = 2,
     .flags = kNoscript | kLoading | kStale,
     .handler = CmdClientGetname},
    {.name = "setinfo",
     .arity = 4,
     .flags = kNoscript | kLoading | kStale,
     .handler = CmdClientSetinfo},
    {.name = "info",
     .arity = 2,
     .flags = kNoscript | kLoading | kStale,
     .handler = CmdClientInfo},
    {.name = "list",
     .arity = -2,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdClientList},
    {.name = "kill",
     .arity = -3,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdClientKill},
    {.name = "unblock",
     .arity = -3,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdClientUnblock},
    {.name = "tracking",
     .arity = -3,
     .flags = kNoscript | kLoading | kStale,
     .handler = CmdClientTracking},
    {.name = "caching",
     .arity = 3,
     .flags = kNoscript | kLoading | kStale,
     .handler = CmdClientCaching},
    {.name = "getredir",
     .arity = 2,
     .flags = kNoscript | kLoading | kStale,
     .handler = CmdClientGetredir},
    {.name = "trackinginfo",
     .arity = 2,
     .flags = kNoscript | kLoading | kStale,
     .handler = CmdClientTrackinginfo},
    {.name = "reply",
     .arity = 3,
     .flags = kNoscript | kLoading | kStale,
     .handler = CmdClientReply},
    {.name = "no-evict",
     .arity = 3,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdClientNoEvict},
    {.name = "pause",
     .arity = -3,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdClientPause},
    {.name = "unpause",
     .arity = 2,
     .flags = kAdmin | kNoscript | kLoading | kStale,
     .handler = CmdClientUnpause},
    {.name = "help",
     .arity = 2,
     .flags = kLoading | kStale,
     .handler = CmdClientHelp},
};

constexpr CommandSpec kRows[] = {
    {.name = "ping",
     .arity = -1,
     .flags = kFast,
     .handler = CmdPing},
    {.name = "echo",
     .arity = 2,
     .flags = kLoading | kStale | kFast,
     .handler = CmdEcho},
    {.name = "quit",
     .arity = -1,
     .flags = kAllowBusy | kNoAuth | kNoscript | kLoading | kStale | kFast,
     .handler = CmdQuit},
    {.name = "reset",
     .arity = 1,
     .flags = kNoscript | kLoading | kStale | kNoAuth | kFast | kAllowBusy,
     .handler = CmdReset},
    {.name = "select",
     .arity = 2,
     .flags = kLoading | kStale | kFast,
     .handler = CmdSelect},
    {.name = "auth",
     .arity = -2,
     .flags = kNoscript | kLoading | kStale | kFast | kNoAuth | kAllowBusy,
     .handler = CmdAuth},
    {.name = "hello",
     .arity = -1,
     .flags = kNoscript | kLoading | kStale | kFast | kNoAuth | kAllowBusy,
     .handler = CmdHello},
    {.name = "client",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kClientSubcommands},
};

}  // namespace

void RegisterConnectionFamily(CommandTable& table) { table.Register(kRows); }

std::string ClientInfoLine(ServerContext& server, ClientState& client) {
  return ClientLine(server, client, server.clock.NowMs());
}

}  // namespace respd::server
